// Package store persists OpenVOD's state: applications, media, tasks (which
// double as the work queue), upload sessions and, later, events.
//
// One API serves two dialects: SQLite (modernc.org/sqlite, pure Go, WAL) for
// the embedded default and PostgreSQL (pgx) for fleets. All SQL is written
// with "?" placeholders and rebound for PostgreSQL; the few statements that
// differ between dialects are methods of the dialect, never branches in
// domain code. Times are stored as Unix milliseconds, JSON documents as text.
package store

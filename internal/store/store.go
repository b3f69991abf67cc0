package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

//go:embed migrations
var migrations embed.FS

// ErrNotFound is returned when a row asked for does not exist (or is not
// visible to the application that asked).
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a unique key (a SessionId inside its window,
// a name) is already taken.
var ErrDuplicate = errors.New("duplicate")

// DB is the store. Writes go through one pool and reads through another: on
// SQLite the write pool has a single connection (SQLite allows one writer at
// a time, and queueing writers in Go avoids "database is locked"), while
// readers use WAL snapshots in parallel.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	stmts   *stmtCache // read pool
	wstmts  *stmtCache // write pool
}

// Options tunes Open.
type Options struct {
	// ReadConns is the size of the read pool (default 8).
	ReadConns int
	// Schema, for PostgreSQL, is the schema to create and use (tests use one
	// schema per test). Empty means the connection's default.
	Schema string
}

// Open opens the database named by dsn and applies the schema. dsn is either
// a postgres:// (or postgresql://) URL, a "sqlite://" URL or a plain file
// path for SQLite.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.ReadConns <= 0 {
		opt.ReadConns = 8
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn, opt)
	} else {
		db, err = openSQLite(dsn, opt)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(dsn string, opt Options) (*DB, error) {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before the readers connect.
	if _, err := w.Exec("PRAGMA journal_mode=WAL"); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	rq := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(ON)"} {
		rq.Add("_pragma", p)
	}
	r, err := sql.Open("sqlite", "file:"+abs+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	r.SetConnMaxLifetime(0)
	return &DB{write: w, read: r, dialect: sqliteDialect{}, stmts: newStmtCache(), wstmts: newStmtCache()}, nil
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Schema != "" {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		_, err = admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(opt.Schema))
		admin.Close()
		if err != nil {
			return nil, fmt.Errorf("store: create schema: %w", err)
		}
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", opt.Schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(opt.ReadConns + 4)
	p.SetMaxIdleConns(opt.ReadConns + 4)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return &DB{write: p, read: p, dialect: postgresDialect{}, stmts: newStmtCache(), wstmts: newStmtCache()}, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.close()
	db.wstmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect names the SQL dialect in use ("sqlite" or "postgres").
func (db *DB) Dialect() string { return db.dialect.name() }

// SingleProcess reports whether only one process may use the database at a
// time (SQLite): then a starting server may recover every running task at
// once instead of waiting for leases to expire.
func (db *DB) SingleProcess() bool { return db.dialect.name() == "sqlite" }

// migrate applies the dialect's migration files in name order. Each file's
// statements are idempotent (CREATE ... IF NOT EXISTS), so every start
// simply applies them all; a new file adds what a later version needs.
func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/" + db.dialect.name()
	entries, err := migrations.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries { // ReadDir sorts by name
		ddl, err := migrations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return err
		}
		for _, stmt := range splitSQL(string(ddl)) {
			if _, err := db.write.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migrate %s: %w (in %q)", e.Name(), err, firstLine(stmt))
			}
		}
	}
	return nil
}

func splitSQL(s string) []string {
	var out []string
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, b.String())
			b.Reset()
		}
	}
	if strings.TrimSpace(b.String()) != "" {
		out = append(out, b.String())
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Tx is a write transaction. Domain code composes several writes (a task
// row and the media it creates, later its event) into one Tx.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// InTx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, db: db}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	db.wstmts.prepareWanted(ctx, db.write)
	return nil
}

// Statements inside transactions are prepared once per text on the write
// pool and reused: the hot writes (task submission) pay no parse cost. A
// statement cannot be prepared while its transaction holds the connection
// (SQLite's write pool has only one), so a new text runs unprepared once
// and is prepared after the commit.
func (tx *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, bool) {
	st, ok := tx.db.wstmts.lookup(tx.db.dialect.rebind(q))
	if !ok {
		return nil, false
	}
	return tx.tx.StmtContext(ctx, st), true
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st, ok := tx.stmt(ctx, q); ok {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.db.dialect.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.dialect.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, ok := tx.stmt(ctx, q); ok {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.db.dialect.rebind(q), args...)
}

// queryRow reads one row through the read pool with a cached prepared
// statement: the hot read paths (DescribeTaskDetail) pay no parse cost.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.stmts.get(ctx, db.read, db.dialect.rebind(q))
	if err != nil {
		return db.read.QueryRowContext(ctx, db.dialect.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.dialect.rebind(q), args...)
}

func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
}

// Ping checks the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// ms converts a time to the stored Unix milliseconds (0 for the zero time).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts stored Unix milliseconds back to a UTC time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// isUniqueViolation reports whether err is a unique-constraint failure in
// either dialect.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") ||
		strings.Contains(s, "duplicate key value")
}

// GetKV reads a small persistent setting (generated credentials, counters).
func (db *DB) GetKV(ctx context.Context, k string) (string, error) {
	var v string
	err := db.queryRow(ctx, "SELECT v FROM kv WHERE k = ?", k).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// PutKV writes a setting only if it is not set yet and returns the value
// that is stored afterwards (so concurrent first starts agree).
func (db *DB) PutKV(ctx context.Context, k, v string) (string, error) {
	if _, err := db.exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", k, v); err != nil {
		return "", err
	}
	return db.GetKV(ctx, k)
}

// RebaseURLs records base as the URL every stored output URL starts with.
// When the stored base differs (the server now runs under another public
// URL), it first rewrites the URLs in every media's recorded outputs from
// the old base to the new one, in the same transaction, and returns how
// many media it changed and the old base.
func (db *DB) RebaseURLs(ctx context.Context, base string) (old string, n int64, err error) {
	const key = "public_url"
	err = db.InTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, "SELECT v FROM kv WHERE k = ?", key).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			old = ""
		case err != nil:
			return err
		}
		if old == base {
			return nil
		}
		if old != "" {
			// Only quoted URLs of the files handler: JSON string values.
			from, to := `"`+old+`/files/`, `"`+base+`/files/`
			res, err := tx.exec(ctx, `UPDATE media SET info = REPLACE(info, ?, ?) WHERE info LIKE ? ESCAPE '\'`,
				from, to, "%"+escapeLike(from)+"%")
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
		}
		_, err = tx.exec(ctx, "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", key, base)
		return err
	})
	return old, n, err
}

func itoa(n int) string { return strconv.Itoa(n) }

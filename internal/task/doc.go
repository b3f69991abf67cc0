// Package task is the task engine: it mints TaskIds, submits tasks in the
// same transaction as the rows they serve, leases them to workers, keeps a
// running task's stored detail current, aborts, retries internal faults,
// recovers tasks whose worker died, and purges tasks past retention.
//
// The tasks table is the queue (see store.Task). A worker claims a task with
// a lease and renews it by heartbeat while it works; a task whose lease
// expires is claimed again by any worker, so a crash or kill -9 never loses
// an accepted task. A task's outputs are published and its final detail
// written in one transaction, so no half-finished result is ever visible.
//
// The engine knows nothing of video: each task type registers a Type whose
// Run does the work and mutates the type's result document.
package task

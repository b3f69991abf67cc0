package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Task is a task row. The tasks table is also the work queue: State and the
// lease columns say who may run it.
type Task struct {
	Seq            int64
	TaskID         string
	SubAppID       uint64
	TaskType       string
	Status         string // API status: WAITING, PROCESSING, FINISH, ABORTED
	FileID         string
	SessionID      string
	SessionContext string
	Priority       int
	CreatedAt      time.Time
	BeginAt        time.Time
	FinishAt       time.Time
	// Params is the task's input as JSON (the validated request and anything
	// minted at submission, such as the FileId an upload will get).
	Params []byte
	// Detail is the DescribeTaskDetail response body (without RequestId),
	// kept current so that a query is one primary-key read.
	Detail []byte
	// State is the queue state: StateAvailable (waiting for a worker),
	// StateRunning (leased by LeaseOwner until LeaseUntil) or StateDone.
	State          string
	LeaseOwner     string
	LeaseUntil     time.Time
	Attempts       int
	LastError      string
	AbortRequested bool
}

// Queue states. A task is inserted StateAvailable; a worker's claim moves it
// to StateRunning; the worker's final transaction (or an abort of a waiting
// task) moves it to StateDone. A running task whose lease expires is
// claimable again: its worker is presumed dead.
const (
	StateAvailable = "available"
	StateRunning   = "running"
	StateDone      = "done"
)

const taskColumns = `seq, task_id, sub_app_id, task_type, status, file_id, session_id, session_context, priority,
	created_at, begin_at, finish_at, params, detail, state, lease_owner, lease_until, attempts, last_error, abort_requested`

func scanTask(row interface{ Scan(...any) error }) (*Task, error) {
	var t Task
	var created, begin, finish, lease int64
	var abort int
	var params, detail string
	err := row.Scan(&t.Seq, &t.TaskID, &t.SubAppID, &t.TaskType, &t.Status, &t.FileID, &t.SessionID, &t.SessionContext,
		&t.Priority, &created, &begin, &finish, &params, &detail, &t.State, &t.LeaseOwner, &lease, &t.Attempts,
		&t.LastError, &abort)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.CreatedAt, t.BeginAt, t.FinishAt, t.LeaseUntil = fromMS(created), fromMS(begin), fromMS(finish), fromMS(lease)
	t.Params, t.Detail = []byte(params), []byte(detail)
	t.AbortRequested = abort != 0
	return &t, nil
}

// InsertTask adds a task, ready to be claimed. A SessionId already used by a
// task of the same application created after sessionSince gives
// ErrDuplicate; an older use of it is released first.
func (tx *Tx) InsertTask(ctx context.Context, t *Task, sessionSince time.Time) error {
	if t.SessionID != "" {
		_, err := tx.exec(ctx, `UPDATE tasks SET session_id = '' WHERE sub_app_id = ? AND session_id = ? AND created_at < ?`,
			t.SubAppID, t.SessionID, ms(sessionSince))
		if err != nil {
			return err
		}
	}
	if t.State == "" {
		t.State = StateAvailable
	}
	_, err := tx.exec(ctx, `INSERT INTO tasks (task_id, sub_app_id, task_type, status, file_id, session_id, session_context,
		priority, created_at, params, detail, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.TaskID, t.SubAppID, t.TaskType, t.Status, t.FileID, t.SessionID, t.SessionContext, t.Priority,
		ms(t.CreatedAt), string(t.Params), string(t.Detail), t.State)
	if isUniqueViolation(err) {
		return fmt.Errorf("task session %q: %w", t.SessionID, ErrDuplicate)
	}
	return err
}

// TaskDetail is what DescribeTaskDetail needs: who owns the task, when it was
// created, whether it can still change, and the stored response body.
type TaskDetail struct {
	SubAppID  uint64
	CreatedAt time.Time
	State     string
	Detail    []byte
}

// GetTaskDetail reads a task's stored detail by primary key.
func (db *DB) GetTaskDetail(ctx context.Context, taskID string) (TaskDetail, error) {
	var d TaskDetail
	var created int64
	var detail string
	err := db.queryRow(ctx, `SELECT sub_app_id, created_at, state, detail FROM tasks WHERE task_id = ?`, taskID).
		Scan(&d.SubAppID, &created, &d.State, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	d.CreatedAt, d.Detail = fromMS(created), []byte(detail)
	return d, err
}

// GetTask reads a whole task row.
func (db *DB) GetTask(ctx context.Context, taskID string) (*Task, error) {
	return scanTask(db.queryRow(ctx, `SELECT `+taskColumns+` FROM tasks WHERE task_id = ?`, taskID))
}

// ClaimTask leases the next task to run to owner until leaseUntil: the
// highest priority, oldest available task, or a running one whose lease has
// expired (its worker died). It returns ErrNotFound when there is none.
func (db *DB) ClaimTask(ctx context.Context, owner string, now, leaseUntil time.Time) (*Task, error) {
	q := `UPDATE tasks SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1
		WHERE seq = (SELECT seq FROM tasks WHERE (state = 'available' OR (state = 'running' AND lease_until < ?))
			ORDER BY priority DESC, seq LIMIT 1` + db.dialect.skipLocked() + `)
		RETURNING ` + taskColumns
	t, err := scanTask(db.write.QueryRowContext(ctx, db.dialect.rebind(q), owner, ms(leaseUntil), ms(now)))
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ErrLeaseLost is returned when a worker writes to a task it no longer holds.
var ErrLeaseLost = errors.New("task lease lost")

// StartTask records that owner began processing: Status PROCESSING, the
// first BeginProcessTime, and the matching detail.
func (db *DB) StartTask(ctx context.Context, taskID, owner string, beginAt time.Time, detail []byte) error {
	return checkLease(db.exec(ctx, `UPDATE tasks SET status = 'PROCESSING', begin_at = CASE WHEN begin_at = 0 THEN ? ELSE begin_at END,
		detail = ? WHERE task_id = ? AND lease_owner = ? AND state = 'running'`, ms(beginAt), string(detail), taskID, owner))
}

// UpdateTaskDetail stores a newer detail (progress) of a task owner holds.
func (db *DB) UpdateTaskDetail(ctx context.Context, taskID, owner string, detail []byte) error {
	return checkLease(db.exec(ctx, `UPDATE tasks SET detail = ? WHERE task_id = ? AND lease_owner = ? AND state = 'running'`,
		string(detail), taskID, owner))
}

// Heartbeat extends owner's lease and reports whether an abort was asked for.
func (db *DB) Heartbeat(ctx context.Context, taskID, owner string, leaseUntil time.Time) (abort bool, err error) {
	var a int
	err = db.write.QueryRowContext(ctx, db.dialect.rebind(`UPDATE tasks SET lease_until = ? WHERE task_id = ? AND lease_owner = ?
		AND state = 'running' RETURNING abort_requested`), ms(leaseUntil), taskID, owner).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrLeaseLost
	}
	return a != 0, err
}

// FinishTask ends a task owner holds with its final status and detail.
func (tx *Tx) FinishTask(ctx context.Context, taskID, owner, status string, finishAt time.Time, detail []byte) error {
	return checkLease(tx.exec(ctx, `UPDATE tasks SET status = ?, finish_at = ?, detail = ?, state = 'done', lease_owner = '',
		lease_until = 0 WHERE task_id = ? AND lease_owner = ? AND state = 'running'`,
		status, ms(finishAt), string(detail), taskID, owner))
}

// ReleaseTask gives a task back to the queue after an internal failure of
// its attempt (it will be claimed again), recording the error.
func (db *DB) ReleaseTask(ctx context.Context, taskID, owner, lastError string) error {
	return checkLease(db.exec(ctx, `UPDATE tasks SET state = 'available', lease_owner = '', lease_until = 0, last_error = ?
		WHERE task_id = ? AND lease_owner = ? AND state = 'running'`, lastError, taskID, owner))
}

func checkLease(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// AbortWaiting ends a task that no worker has started: Status ABORTED.
// It reports false when the task was not waiting.
func (tx *Tx) AbortWaiting(ctx context.Context, taskID string, finishAt time.Time, detail []byte) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE tasks SET status = 'ABORTED', finish_at = ?, detail = ?, state = 'done'
		WHERE task_id = ? AND state = 'available' AND status = 'WAITING'`, ms(finishAt), string(detail), taskID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RequestAbort flags a task that is being processed; its worker sees the
// flag at its next heartbeat and stops. It reports false when the task is
// not in progress.
func (db *DB) RequestAbort(ctx context.Context, taskID string) (bool, error) {
	res, err := db.exec(ctx, `UPDATE tasks SET abort_requested = 1 WHERE task_id = ? AND state <> 'done'`, taskID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RecoverRunning makes every running task claimable at once. Only safe when
// no other process can hold a lease (SQLite, guarded by the data-dir lock).
func (db *DB) RecoverRunning(ctx context.Context) (int64, error) {
	res, err := db.exec(ctx, `UPDATE tasks SET state = 'available', lease_owner = '', lease_until = 0 WHERE state = 'running'`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// PurgeTasks deletes tasks created before cutoff and reports how many.
func (db *DB) PurgeTasks(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM tasks WHERE created_at < ? AND state = 'done'`, ms(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueueDepth counts tasks waiting for a worker and tasks being processed.
func (db *DB) QueueDepth(ctx context.Context) (waiting, running int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'available' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) FROM tasks WHERE state <> 'done'`).Scan(&waiting, &running)
	return waiting, running, err
}

// TaskFilter selects tasks for DescribeTasks.
type TaskFilter struct {
	SubAppID                    uint64
	Status                      string
	FileID                      string
	CreatedAfter, CreatedBefore time.Time // [after, before)
	FinishAfter, FinishBefore   time.Time
	SortBy                      string // "CreateTime" (default) or "FinishTime"
	Desc                        bool
	Limit                       int
	// After is the cursor: the sort key and seq of the last task of the
	// previous page.
	AfterKey int64
	AfterSeq int64
	HasAfter bool
}

// ListTasks pages through tasks in a stable order (sort key, then seq).
func (db *DB) ListTasks(ctx context.Context, f TaskFilter) ([]*Task, error) {
	col := "created_at"
	if f.SortBy == "FinishTime" {
		col = "finish_at"
	}
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	add("sub_app_id = ?", f.SubAppID)
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.FileID != "" {
		add("file_id = ?", f.FileID)
	}
	if !f.CreatedAfter.IsZero() {
		add("created_at >= ?", ms(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		add("created_at < ?", ms(f.CreatedBefore))
	}
	if !f.FinishAfter.IsZero() {
		add("finish_at >= ?", ms(f.FinishAfter))
	}
	if !f.FinishBefore.IsZero() {
		add("finish_at < ? AND finish_at > 0", ms(f.FinishBefore))
	}
	order := "ASC"
	cmp := ">"
	if f.Desc {
		order, cmp = "DESC", "<"
	}
	if f.HasAfter {
		add("("+col+" "+cmp+" ? OR ("+col+" = ? AND seq "+cmp+" ?))", f.AfterKey, f.AfterKey, f.AfterSeq)
	}
	q := `SELECT ` + taskColumns + ` FROM tasks WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + col + ` ` + order + `, seq ` + order + ` LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TaskCount is the number of tasks of one type in one status.
type TaskCount struct {
	TaskType, Status string
	N                int64
}

// CountTasks counts tasks by type and status (for metrics).
func (db *DB) CountTasks(ctx context.Context) ([]TaskCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT task_type, status, COUNT(*) FROM tasks GROUP BY task_type, status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TaskCount
	for rows.Next() {
		var c TaskCount
		if err := rows.Scan(&c.TaskType, &c.Status, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetTaskFileID records the media a task produced (a PullUpload's new
// FileId), so DescribeTasks can filter by it.
func (tx *Tx) SetTaskFileID(ctx context.Context, taskID, fileID string) error {
	_, err := tx.exec(ctx, `UPDATE tasks SET file_id = ? WHERE task_id = ?`, fileID, taskID)
	return err
}

package task

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/store"
)

// Exec is one attempt at running a task, handed to Type.Run.
type Exec struct {
	// Task is the row as claimed.
	Task *store.Task
	// Result is the type's result document. Change it only inside Update.
	Result any
	// Log carries the TaskId.
	Log *slog.Logger

	e         *Engine
	mu        sync.Mutex
	header    Header
	lastWrite time.Time
	dirty     bool // a change not stored yet (throttled); the heartbeat stores it
}

// Update applies fn to the result under the Exec's lock and stores the new
// detail, at most once per ProgressEvery; a change held back by that limit
// is stored by the next heartbeat, and the final state by the task's final
// transaction.
func (x *Exec) Update(fn func()) {
	x.mu.Lock()
	fn()
	if time.Since(x.lastWrite) < x.e.cfg.ProgressEvery {
		x.dirty = true
		x.mu.Unlock()
		return
	}
	x.store()
}

// flush stores a change that Update held back.
func (x *Exec) flush() {
	x.mu.Lock()
	if !x.dirty {
		x.mu.Unlock()
		return
	}
	x.store()
}

// store renders and writes the detail; called with x.mu held, releases it.
func (x *Exec) store() {
	x.lastWrite, x.dirty = time.Now(), false
	detail, err := x.e.cfg.Render(x.header, x.Task.TaskType, x.Result)
	x.mu.Unlock()
	if err != nil {
		x.Log.Error("render task detail", "err", err)
		return
	}
	if err := x.e.cfg.DB.UpdateTaskDetail(context.Background(), x.Task.TaskID, x.e.owner, detail); err != nil {
		x.Log.Warn("store task progress", "err", err)
	}
}

var errLeaseLost = errors.New("lease lost")

// run executes one claimed task to an end (or hands it back).
func (e *Engine) run(ctx context.Context, t *store.Task) {
	log := e.cfg.Logger.With("task_id", t.TaskID, "task_type", t.TaskType, "attempt", t.Attempts)
	typ, ok := e.types[t.TaskType]
	if !ok {
		log.Error("no worker for this task type; handing it back")
		e.release(t, "no worker for task type "+t.TaskType)
		return
	}
	result, err := typ.NewResult(t)
	if err != nil {
		log.Error("build task result", "err", err)
		e.release(t, err.Error())
		return
	}
	now := e.cfg.Now().UTC().Truncate(time.Second)
	begin := t.BeginAt
	if begin.IsZero() {
		begin = now
	}
	x := &Exec{Task: t, Result: result, Log: log, e: e,
		header: Header{TaskType: t.TaskType, Status: StatusProcessing, CreateTime: t.CreatedAt, BeginProcessTime: begin}}

	switch {
	case t.AbortRequested:
		e.finish(x, typ, StatusAborted, nil, abortedFailure())
		return
	case t.Attempts > e.cfg.MaxAttempts:
		log.Error("task used up its attempts", "last_error", t.LastError)
		e.finish(x, typ, StatusFinish, nil, Internal())
		return
	}
	detail, err := e.cfg.Render(x.header, t.TaskType, result)
	if err == nil {
		err = e.cfg.DB.StartTask(ctx, t.TaskID, e.owner, begin, detail)
	}
	if err != nil {
		log.Error("start task", "err", err)
		return
	}
	x.lastWrite = time.Now()

	taskCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stopWatch := context.AfterFunc(ctx, func() { cancel(errShutdown) })
	defer stopWatch()
	e.mu.Lock()
	e.running[t.TaskID] = cancel
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.running, t.TaskID)
		e.mu.Unlock()
	}()
	hbDone := make(chan struct{})
	go e.heartbeat(taskCtx, x, cancel, hbDone)

	started := time.Now()
	out, err := typ.Run(taskCtx, x)
	cause := context.Cause(taskCtx)
	cancel(nil)
	<-hbDone

	var f *Failure
	switch {
	case errors.Is(cause, ErrAborted):
		log.Info("task aborted")
		e.finish(x, typ, StatusAborted, nil, abortedFailure())
	case errors.Is(cause, errShutdown):
		log.Info("task handed back for a later run: server stopping")
		e.release(t, "interrupted by shutdown")
	case errors.Is(cause, errLeaseLost):
		log.Warn("task lease lost; another worker owns it now")
	case err == nil:
		e.finish(x, typ, StatusFinish, out, nil)
	case errors.As(err, &f):
		log.Info("task failed", "err_code", f.ErrCode, "message", f.Message)
		e.finish(x, typ, StatusFinish, nil, f)
	case t.Attempts < e.cfg.MaxAttempts:
		log.Warn("task attempt failed; will retry", "err", err)
		e.release(t, err.Error())
	default:
		log.Error("task failed after its last attempt", "err", err)
		e.finish(x, typ, StatusFinish, nil, Internal())
	}
	if e.cfg.OnFinish != nil && x.header.FinishTime != (time.Time{}) {
		e.cfg.OnFinish(t.TaskType, x.header.Status, time.Since(started))
	}
}

func abortedFailure() *Failure {
	return &Failure{ErrCode: CodeInvalidInput, Ext: "Aborted", Message: "the task was aborted by ManageTask"}
}

// heartbeat renews the lease and turns an abort request or a lost lease
// into a cancellation of the task.
func (e *Engine) heartbeat(ctx context.Context, x *Exec, cancel context.CancelCauseFunc, done chan<- struct{}) {
	defer close(done)
	taskID := x.Task.TaskID
	// A short first beat makes aborts from other processes quick; later
	// beats are spaced to a third of the lease.
	every := min(e.cfg.Lease/3, time.Second)
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		x.flush()
		abort, err := e.cfg.DB.Heartbeat(ctx, taskID, e.owner, e.cfg.Now().Add(e.cfg.Lease))
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			cancel(errLeaseLost)
			return
		case err != nil:
			if ctx.Err() == nil {
				e.cfg.Logger.Warn("task heartbeat", "task_id", taskID, "err", err)
			}
		case abort:
			cancel(ErrAborted)
			return
		}
		t.Reset(every)
	}
}

// finish writes the task's final state in one transaction with what it
// produced. f == nil means success.
func (e *Engine) finish(x *Exec, typ *Type, status string, out *Outcome, f *Failure) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	x.mu.Lock()
	typ.Finish(x.Result, f)
	x.header.Status = status
	x.header.FinishTime = e.cfg.Now().UTC().Truncate(time.Second)
	detail, err := e.cfg.Render(x.header, x.Task.TaskType, x.Result)
	x.mu.Unlock()
	if err != nil {
		x.Log.Error("render final task detail", "err", err)
		e.release(x.Task, err.Error())
		return
	}
	err = e.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		if out != nil && out.Commit != nil {
			if err := out.Commit(ctx, tx); err != nil {
				return err
			}
		}
		if err := tx.FinishTask(ctx, x.Task.TaskID, e.owner, status, x.header.FinishTime, detail); err != nil {
			return err
		}
		if f != nil && typ.Undo != nil {
			if err := typ.Undo(ctx, tx, x.Task); err != nil {
				return err
			}
		}
		if e.cfg.FinishTxFunc != nil {
			return e.cfg.FinishTxFunc(ctx, tx, x.Task, status, x.Result)
		}
		return nil
	})
	if err != nil {
		x.Log.Error("finish task; it will run again", "err", err)
		if !errors.Is(err, store.ErrLeaseLost) {
			e.release(x.Task, err.Error())
		}
		return
	}
	if out != nil && out.After != nil {
		out.After()
	}
}

func (e *Engine) release(t *store.Task, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.cfg.DB.ReleaseTask(ctx, t.TaskID, e.owner, reason); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		e.cfg.Logger.Error("hand task back to the queue", "task_id", t.TaskID, "err", err)
	}
	e.Notify()
}

package task

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/store"
)

// Header is the part of a task's detail the engine owns.
type Header struct {
	TaskType         string
	Status           string
	CreateTime       time.Time
	BeginProcessTime time.Time
	FinishTime       time.Time
}

// Type is a kind of task the engine runs.
type Type struct {
	// Name is the TaskType, e.g. "PullUpload".
	Name string
	// NewResult builds the task's result document (the struct stored in
	// its DescribeTaskDetail field) in its initial state, from the row.
	NewResult func(t *store.Task) (any, error)
	// Run does the work, mutating x.Result through x.Update. It returns an
	// Outcome to commit, a *Failure for a failure the user must see, or
	// another error for an internal fault (retried).
	Run func(ctx context.Context, x *Exec) (*Outcome, error)
	// Finish marks the result ended: f is nil on success. Status and error
	// fields of the result are set here.
	Finish func(result any, f *Failure)
	// Undo, when set, runs in the final transaction of a task that ends
	// without success (failed or aborted): it removes what the task's
	// acceptance made for it to complete.
	Undo func(ctx context.Context, tx *store.Tx, t *store.Task) error
}

// Outcome is what a successful Run publishes.
type Outcome struct {
	// Commit runs in the task's final transaction, before the task is
	// marked FINISH: it writes what the task produced (a media row, ...).
	Commit func(ctx context.Context, tx *store.Tx) error
	// After runs once the final transaction committed (cache warm-up, side
	// effects that need the commit). Optional.
	After func()
}

// Renderer turns a task's header and result into its stored detail (the
// DescribeTaskDetail response body without RequestId).
type Renderer func(h Header, taskType string, result any) ([]byte, error)

// Config configures an Engine.
type Config struct {
	DB *store.DB
	// Render builds stored details (see Renderer).
	Render Renderer
	// Workers is how many tasks run at once in this process; 0 runs none
	// (an API-only process).
	Workers int
	// Lease is how long a claim lasts without a heartbeat (default 30 s);
	// heartbeats come every Lease/3.
	Lease time.Duration
	// Poll is how often idle workers look for work submitted by other
	// processes (default 1 s; local submissions wake them at once).
	Poll time.Duration
	// MaxAttempts bounds retries of internal faults (default 3).
	MaxAttempts int
	// Retention is how long tasks stay queryable (default 72 h).
	Retention time.Duration
	// ProgressEvery throttles progress writes (default 500 ms).
	ProgressEvery time.Duration
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// OnFinish is called after a task's final transaction (metrics, cache).
	OnFinish func(taskType, status string, d time.Duration)
	// FinishTxFunc, when set, runs inside every task's final transaction
	// (FINISH or ABORTED) with the final result: the event outbox writes
	// the task's completion event there, so there is never an ended task
	// without its event, nor an event without its task.
	FinishTxFunc func(ctx context.Context, tx *store.Tx, t *store.Task, status string, result any) error
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Lease <= 0 {
		out.Lease = 30 * time.Second
	}
	if out.Poll <= 0 {
		out.Poll = time.Second
	}
	if out.MaxAttempts <= 0 {
		out.MaxAttempts = 3
	}
	if out.Retention <= 0 {
		out.Retention = 72 * time.Hour
	}
	if out.ProgressEvery <= 0 {
		out.ProgressEvery = 500 * time.Millisecond
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out
}

// Engine runs tasks.
type Engine struct {
	cfg   Config
	owner string
	types map[string]*Type
	wake  chan struct{}

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc

	stopOnce sync.Once
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New makes an engine; register types, then Start it.
func New(cfg Config) (*Engine, error) {
	if cfg.DB == nil {
		return nil, errors.New("task: Config.DB is required")
	}
	if cfg.Render == nil {
		return nil, errors.New("task: Config.Render is required")
	}
	var b [6]byte
	rand.Read(b[:])
	return &Engine{
		cfg:     cfg.withDefaults(),
		owner:   "w-" + hex.EncodeToString(b[:]),
		types:   map[string]*Type{},
		wake:    make(chan struct{}, 1),
		running: map[string]context.CancelCauseFunc{},
	}, nil
}

// Register adds a task type. Call before Start.
func (e *Engine) Register(t *Type) { e.types[t.Name] = t }

// Retention is how long tasks stay queryable.
func (e *Engine) Retention() time.Duration { return e.cfg.Retention }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.cfg.Now() }

// Submit inserts a WAITING task with its initial result and runs also (may
// be nil) in the same transaction, then wakes a worker. t must carry TaskID,
// SubAppID, TaskType and Params; CreatedAt defaults to now.
func (e *Engine) Submit(ctx context.Context, t *store.Task, also func(tx *store.Tx) error) error {
	err := e.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := e.SubmitTx(ctx, tx, t); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.Notify()
	return nil
}

// SubmitTx inserts a WAITING task inside tx (a task started by another
// task's final transaction, or by an upload's commit). Call Notify once tx
// has committed.
func (e *Engine) SubmitTx(ctx context.Context, tx *store.Tx, t *store.Task) error {
	typ, ok := e.types[t.TaskType]
	if !ok {
		return fmt.Errorf("task: unknown type %q", t.TaskType)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = e.cfg.Now().UTC().Truncate(time.Second)
	}
	t.Status = StatusWaiting
	result, err := typ.NewResult(t)
	if err != nil {
		return err
	}
	t.Detail, err = e.cfg.Render(Header{TaskType: t.TaskType, Status: StatusWaiting, CreateTime: t.CreatedAt}, t.TaskType, result)
	if err != nil {
		return err
	}
	return tx.InsertTask(ctx, t, t.CreatedAt.Add(-e.cfg.Retention))
}

// Notify wakes an idle worker (new work was submitted).
func (e *Engine) Notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Abort ends a task: a waiting one at once (ABORTED), a running one by
// cancelling its work (here if it runs in this process, otherwise at its
// worker's next heartbeat). It reports false when the task had already
// ended.
func (e *Engine) Abort(ctx context.Context, t *store.Task) (bool, error) {
	typ, ok := e.types[t.TaskType]
	if !ok {
		return false, fmt.Errorf("task: unknown type %q", t.TaskType)
	}
	if t.State == store.StateAvailable && t.Status == StatusWaiting {
		result, err := typ.NewResult(t)
		if err != nil {
			return false, err
		}
		typ.Finish(result, &Failure{ErrCode: CodeInvalidInput, Ext: "Aborted", Message: "aborted by ManageTask"})
		now := e.cfg.Now().UTC().Truncate(time.Second)
		detail, err := e.cfg.Render(Header{TaskType: t.TaskType, Status: StatusAborted, CreateTime: t.CreatedAt, FinishTime: now}, t.TaskType, result)
		if err != nil {
			return false, err
		}
		var done bool
		err = e.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if done, err = tx.AbortWaiting(ctx, t.TaskID, now, detail); err != nil || !done {
				return err
			}
			if typ.Undo != nil {
				if err := typ.Undo(ctx, tx, t); err != nil {
					return err
				}
			}
			if e.cfg.FinishTxFunc != nil {
				return e.cfg.FinishTxFunc(ctx, tx, t, StatusAborted, result)
			}
			return nil
		})
		if err != nil || done {
			if done && e.cfg.OnFinish != nil {
				e.cfg.OnFinish(t.TaskType, StatusAborted, 0)
			}
			return done, err
		}
		// A worker claimed it meanwhile: abort it as a running task.
	}
	ok, err := e.cfg.DB.RequestAbort(ctx, t.TaskID)
	if err != nil || !ok {
		return false, err
	}
	e.mu.Lock()
	cancel := e.running[t.TaskID]
	e.mu.Unlock()
	if cancel != nil {
		cancel(ErrAborted)
	}
	return true, nil
}

// Start launches the workers and the maintenance loop. On a single-process
// database it first makes tasks left running by a previous process (a crash)
// claimable at once.
func (e *Engine) Start(ctx context.Context) error {
	if e.cfg.DB.SingleProcess() && e.cfg.Workers > 0 {
		n, err := e.cfg.DB.RecoverRunning(ctx)
		if err != nil {
			return fmt.Errorf("task: recover running tasks: %w", err)
		}
		if n > 0 {
			e.cfg.Logger.Info("recovered tasks interrupted by a previous stop", "tasks", n)
		}
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	for i := 0; i < e.cfg.Workers; i++ {
		e.wg.Add(1)
		go e.work(ctx)
	}
	e.wg.Add(1)
	go e.maintain(ctx)
	return nil
}

// Stop stops claiming, hands running tasks back to the queue and waits for
// the workers (and their ffmpeg processes) to return. Idempotent.
func (e *Engine) Stop() {
	e.stopOnce.Do(func() {
		if e.cancel != nil {
			e.cancel()
		}
		e.wg.Wait()
	})
}

func (e *Engine) work(ctx context.Context) {
	defer e.wg.Done()
	poll := time.NewTicker(e.cfg.Poll)
	defer poll.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		now := e.cfg.Now()
		t, err := e.cfg.DB.ClaimTask(ctx, e.owner, now, now.Add(e.cfg.Lease))
		switch {
		case err == nil:
			// More may be waiting: let another idle worker look too.
			e.Notify()
			e.run(ctx, t)
			continue
		case errors.Is(err, store.ErrNotFound):
		case ctx.Err() != nil:
			return
		default:
			e.cfg.Logger.Error("claim task", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-poll.C:
		}
	}
}

func (e *Engine) maintain(ctx context.Context) {
	defer e.wg.Done()
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		n, err := e.cfg.DB.PurgeTasks(ctx, e.cfg.Now().Add(-e.cfg.Retention))
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("purge tasks", "err", err)
		} else if n > 0 {
			e.cfg.Logger.Info("purged tasks past retention", "tasks", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

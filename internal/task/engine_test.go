package task

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/store"
)

// result is the fake task type's result document.
type result struct {
	Status   string `json:"Status"`
	Progress int    `json:"Progress"`
	ErrCode  int    `json:"ErrCode"`
	Message  string `json:"Message"`
}

func render(h Header, taskType string, r any) ([]byte, error) {
	return json.Marshal(map[string]any{"TaskType": taskType, "Status": h.Status,
		"BeginProcessTime": FormatTime(h.BeginProcessTime), "FinishTime": FormatTime(h.FinishTime), "Result": r})
}

type detail struct {
	TaskType, Status, BeginProcessTime, FinishTime string
	Result                                         result
}

type setup struct {
	db     *store.DB
	engine *Engine
	runs   atomic.Int32
	undone sync.Map // task ids whose Undo ran
}

// wasUndone reports whether Undo ran for task id.
func (s *setup) wasUndone(id string) bool {
	_, ok := s.undone.Load(id)
	return ok
}

// newSetup makes an engine over a fresh SQLite file with one task type
// ("Fake") whose behaviour run decides.
func newSetup(t *testing.T, workers int, run func(ctx context.Context, x *Exec) (*Outcome, error)) *setup {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	e, err := New(Config{DB: db, Render: render, Workers: workers, Lease: 3 * time.Second, Poll: 50 * time.Millisecond,
		ProgressEvery: time.Millisecond})
	require.NoError(t, err)
	s := &setup{db: db, engine: e}
	e.Register(&Type{
		Name:      "Fake",
		NewResult: func(*store.Task) (any, error) { return &result{Status: "PROCESSING"}, nil },
		Run: func(ctx context.Context, x *Exec) (*Outcome, error) {
			s.runs.Add(1)
			return run(ctx, x)
		},
		Finish: func(r any, f *Failure) {
			res := r.(*result)
			res.Status = "FINISH"
			if f != nil {
				res.ErrCode, res.Message = f.ErrCode, f.Message
			}
		},
		Undo: func(ctx context.Context, tx *store.Tx, t *store.Task) error {
			s.undone.Store(t.TaskID, true)
			return nil
		},
	})
	return s
}

func (s *setup) start(t *testing.T) {
	require.NoError(t, s.engine.Start(context.Background()))
	t.Cleanup(s.engine.Stop)
}

func (s *setup) submit(t *testing.T, id string, prio int) {
	t.Helper()
	require.NoError(t, s.engine.Submit(context.Background(), &store.Task{TaskID: id, SubAppID: 1, TaskType: "Fake", Priority: prio, Params: []byte("{}")}, nil))
}

func (s *setup) detail(t *testing.T, id string) detail {
	t.Helper()
	d, err := s.db.GetTaskDetail(context.Background(), id)
	require.NoError(t, err)
	var out detail
	require.NoError(t, json.Unmarshal(d.Detail, &out))
	return out
}

// waitFor polls the stored detail until cond holds.
func (s *setup) waitFor(t *testing.T, id string, cond func(detail) bool) detail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d := s.detail(t, id)
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s: condition not reached; last detail %+v", id, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ended(d detail) bool { return d.Status == StatusFinish || d.Status == StatusAborted }

func TestSuccessWithProgressAndCommit(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	committed := make(chan struct{})
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		x.Update(func() { x.Result.(*result).Progress = 40 })
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &Outcome{Commit: func(ctx context.Context, tx *store.Tx) error { close(committed); return nil }}, nil
	})
	s.submit(t, "ok", 0)
	require.Equal(t, StatusWaiting, s.detail(t, "ok").Status)
	s.start(t)
	d := s.waitFor(t, "ok", func(d detail) bool { return d.Result.Progress == 40 })
	require.Equal(t, StatusProcessing, d.Status)
	require.NotEmpty(t, d.BeginProcessTime)
	require.Empty(t, d.FinishTime)
	close(release)
	d = s.waitFor(t, "ok", ended)
	<-committed
	require.Equal(t, StatusFinish, d.Status)
	require.Equal(t, 0, d.Result.ErrCode)
	require.NotEmpty(t, d.FinishTime)
	require.False(t, s.wasUndone("ok"), "a task that succeeds is not undone")
}

func TestFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		return nil, SourceError("the source is broken")
	})
	s.start(t)
	s.submit(t, "bad", 0)
	d := s.waitFor(t, "bad", ended)
	require.Equal(t, StatusFinish, d.Status)
	require.Equal(t, CodeSourceError, d.Result.ErrCode)
	require.Equal(t, "the source is broken", d.Result.Message)
	require.EqualValues(t, 1, s.runs.Load())
	require.True(t, s.wasUndone("bad"), "a failed task's Undo runs")
}

func TestInternalErrorsAreRetriedThenReported(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		return nil, errors.New("disk on fire")
	})
	s.start(t)
	s.submit(t, "flaky", 0)
	d := s.waitFor(t, "flaky", ended)
	require.Equal(t, CodeInternal, d.Result.ErrCode)
	require.EqualValues(t, 3, s.runs.Load(), "MaxAttempts defaults to 3")
	tk, err := s.db.GetTask(context.Background(), "flaky")
	require.NoError(t, err)
	require.Equal(t, "disk on fire", tk.LastError)
}

func TestAbortRunningAndWaiting(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	s.start(t)
	s.submit(t, "running", 0)
	<-started
	s.submit(t, "waiting", 0)
	ctx := context.Background()
	w, err := s.db.GetTask(ctx, "waiting")
	require.NoError(t, err)
	ok, err := s.engine.Abort(ctx, w)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, StatusAborted, s.detail(t, "waiting").Status, "a waiting task ends at once")

	r, err := s.db.GetTask(ctx, "running")
	require.NoError(t, err)
	ok, err = s.engine.Abort(ctx, r)
	require.NoError(t, err)
	require.True(t, ok)
	d := s.waitFor(t, "running", ended)
	require.Equal(t, StatusAborted, d.Status)
	require.EqualValues(t, 1, s.runs.Load(), "the aborted waiting task never ran")
	require.True(t, s.wasUndone("waiting"), "an aborted waiting task's Undo runs")
	require.True(t, s.wasUndone("running"), "an aborted running task's Undo runs")
}

func TestAbortFromAnotherProcessViaHeartbeat(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	s.start(t)
	s.submit(t, "t", 0)
	<-started
	// Another process only sets the flag in the database.
	ok, err := s.db.RequestAbort(context.Background(), "t")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, StatusAborted, s.waitFor(t, "t", ended).Status)
}

func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	var order []string
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		order = append(order, x.Task.TaskID)
		return &Outcome{}, nil
	})
	s.submit(t, "low", -5)
	s.submit(t, "mid", 0)
	s.submit(t, "high", 10)
	s.start(t)
	s.waitFor(t, "low", ended)
	s.waitFor(t, "mid", ended)
	require.Equal(t, []string{"high", "mid", "low"}, order)
}

func TestShutdownHandsTasksBackAndRestartRunsThem(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	var block atomic.Bool
	block.Store(true)
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) {
		if block.Load() {
			started <- struct{}{}
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &Outcome{}, nil
	})
	require.NoError(t, s.engine.Start(context.Background()))
	s.submit(t, "t", 0)
	<-started
	s.engine.Stop()
	tk, err := s.db.GetTask(context.Background(), "t")
	require.NoError(t, err)
	require.Equal(t, store.StateAvailable, tk.State, "a stopping engine hands its task back")

	block.Store(false)
	e2, err := New(Config{DB: s.db, Render: render, Workers: 1, Poll: 50 * time.Millisecond})
	require.NoError(t, err)
	e2.Register(s.engine.types["Fake"])
	require.NoError(t, e2.Start(context.Background()))
	defer e2.Stop()
	require.Equal(t, StatusFinish, s.waitFor(t, "t", ended).Status)
}

func TestRecoveryAfterCrash(t *testing.T) {
	t.Parallel()
	s := newSetup(t, 1, func(ctx context.Context, x *Exec) (*Outcome, error) { return &Outcome{}, nil })
	s.submit(t, "t", 0)
	// A worker that died holding a long lease.
	now := time.Now()
	_, err := s.db.ClaimTask(context.Background(), "dead", now, now.Add(time.Hour))
	require.NoError(t, err)
	s.start(t) // SQLite: running tasks are recovered at start
	require.Equal(t, StatusFinish, s.waitFor(t, "t", ended).Status)
}

func TestNewIDAndTimes(t *testing.T) {
	t.Parallel()
	id := NewID(1250000001, "pull")
	require.Regexp(t, `^1250000001-pull-[0-9a-f]{32}t0$`, id)
	require.NotEqual(t, id, NewID(1250000001, "pull"))
	require.Equal(t, "", FormatTime(time.Time{}))
	require.Equal(t, "2026-01-02T03:04:05Z", FormatTime(time.Date(2026, 1, 2, 11, 4, 5, 0, time.FixedZone("x", 8*3600))))
}

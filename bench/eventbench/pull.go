package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openvod/openvod/bench/internal/cpumeter"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Pull queue parameters, as the PullEvents action uses them.
const (
	pullBatch     = 16               // events per PullEvents at most
	pullInvisible = 30 * time.Second // an unconfirmed event is pullable again after this
	apiVersion    = "2018-07-17"
)

// tally keeps, per event, how often consumers were handed it and whether it
// was confirmed; consumers update it concurrently.
type tally struct {
	t0        time.Time
	index     map[string]int // event key (EventId or TaskId) → position
	pulled    []atomic.Int32
	confirmed []atomic.Bool
	done      atomic.Int64 // distinct events confirmed
	calls     atomic.Int64 // PullEvents calls
	all       chan struct{}
	half      atomic.Int64 // nanoseconds from t0 to the confirmation of half the events
	end       atomic.Int64 // nanoseconds from t0 to the last confirmation

	mu   sync.Mutex
	errs firstErr
}

func newTally(evs []*store.Event, key func(*store.Event) string) *tally {
	t := &tally{index: make(map[string]int, len(evs)), pulled: make([]atomic.Int32, len(evs)),
		confirmed: make([]atomic.Bool, len(evs)), all: make(chan struct{})}
	for i, e := range evs {
		t.index[key(e)] = i
	}
	return t
}

// pull records that an event was handed out and returns its position,
// or -1 (and an error) for an event of no run.
func (t *tally) pull(key string) int {
	i, ok := t.index[key]
	if !ok {
		t.fail(fmt.Errorf("pulled an unknown event %q", key))
		return -1
	}
	t.pulled[i].Add(1)
	return i
}

// confirm records a successful confirmation of the event at position i.
func (t *tally) confirm(i int) {
	if i < 0 || !t.confirmed[i].CompareAndSwap(false, true) {
		return
	}
	n := t.done.Add(1)
	if n == int64(len(t.pulled)/2) {
		t.half.Store(int64(time.Since(t.t0)))
	}
	if n == int64(len(t.pulled)) {
		t.end.Store(int64(time.Since(t.t0)))
		close(t.all)
	}
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	t.errs.add(err)
	t.mu.Unlock()
}

// remaining reports whether some event is not confirmed yet.
func (t *tally) remaining() bool { return t.done.Load() < int64(len(t.pulled)) }

// run starts the consumers at t0 and waits until every event is confirmed
// or the timeout passes; it returns the time to the last confirmation (or
// to the timeout) and stops the consumers.
func (t *tally) run(ctx context.Context, consumers int, timeout time.Duration, consume func(ctx context.Context)) time.Duration {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wg sync.WaitGroup
	t.t0 = time.Now()
	for range consumers {
		wg.Go(func() { consume(rctx) })
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-t.all:
	case <-rctx.Done():
	case <-stopped: // every consumer gave up on an error
	}
	elapsed := time.Since(t.t0)
	if !t.remaining() {
		elapsed = time.Duration(t.end.Load())
	}
	cancel()
	<-stopped
	return elapsed
}

func (t *tally) fill(res *result) {
	res.Done = int(t.done.Load())
	res.Half = time.Duration(t.half.Load())
	for i := range t.pulled {
		n := int(t.pulled[i].Load())
		res.Deliveries += n
		if n > 0 {
			res.Seen++
		}
	}
	res.Requests = int(t.calls.Load())
	t.mu.Lock()
	res.Errors += t.errs.n
	if res.FirstErr == nil {
		res.FirstErr = t.errs.err
	}
	t.mu.Unlock()
}

// pullStore measures the PULL queue at the store: consumers loop on
// db.PullEvents (up to 16 events, 30 s invisibility, a fresh handle each)
// and db.ConfirmEvents of the handles they got, until every event is
// confirmed. It is the baseline of the HTTP-level run.
func (b *bench) pullStore(ctx context.Context) error {
	db, err := b.db.open(ctx, "pull")
	if err != nil {
		return fmt.Errorf("open the PULL database: %w", err)
	}
	defer db.Close()
	if err := setMode(ctx, db, "PULL", ""); err != nil {
		return err
	}
	evs, err := makeEvents(b.o.Events, "PULL")
	if err != nil {
		return err
	}
	if err := b.record(ctx, db, evs, "PULL (store)", ""); err != nil {
		return err
	}

	res := result{Run: "store", Label: fmt.Sprintf("%d consumers: db.PullEvents(%d) + db.ConfirmEvents", b.o.Consumers, pullBatch),
		Events: len(evs), CPUNames: []string{"bench"}}
	b.log.Printf("PULL (store): %s", res.Label)
	t := newTally(evs, func(e *store.Event) string { return e.EventID })
	m := cpumeter.Start(0)
	res.Elapsed = t.run(ctx, b.o.Consumers, b.o.Timeout, func(ctx context.Context) {
		for ctx.Err() == nil && t.remaining() {
			now := time.Now()
			got, err := db.PullEvents(ctx, appID, now, now.Add(pullInvisible), pullBatch, newHandle)
			t.calls.Add(1)
			if err != nil {
				if ctx.Err() == nil {
					t.fail(fmt.Errorf("PullEvents: %w", err))
				}
				return
			}
			if len(got) == 0 {
				// The tail: the last events are in other consumers' hands.
				_ = sleep(ctx, 2*time.Millisecond)
				continue
			}
			handles := make([]string, len(got))
			pos := make(map[string]int, len(got))
			for i, e := range got {
				handles[i] = e.Handle
				pos[e.Handle] = t.pull(e.EventID)
			}
			unknown, err := db.ConfirmEvents(ctx, appID, handles, time.Now().UTC())
			if err != nil {
				if ctx.Err() == nil {
					t.fail(fmt.Errorf("ConfirmEvents: %w", err))
				}
				return
			}
			confirmHandles(t, handles, unknown, pos)
		}
	})
	res.Cores, res.Others = m.Cores()
	t.fill(&res)
	if err := ctx.Err(); err != nil {
		return err
	}
	left, err := db.CountPending(ctx, appID, "PULL")
	if err != nil {
		return fmt.Errorf("count pullable events: %w", err)
	}
	res.Check, res.CheckOK = fmt.Sprintf("left to pull: %d", left), left == 0
	b.rep.pull = append(b.rep.pull, res)
	return nil
}

// confirmHandles records the confirmation of every handle not in unknown.
func confirmHandles(t *tally, handles, unknown []string, pos map[string]int) {
	if len(unknown) > 0 {
		t.fail(fmt.Errorf("ConfirmEvents: %d unknown handles, first %q", len(unknown), unknown[0]))
	}
	bad := make(map[string]bool, len(unknown))
	for _, h := range unknown {
		bad[h] = true
	}
	for _, h := range handles {
		if !bad[h] {
			t.confirm(pos[h])
		}
	}
}

func newHandle() string { return randHex(20) }

// pullHTTP measures the PULL queue through the whole stack: a real
// `openvod serve --role api` whose database the benchmark fills directly
// (SQLite in WAL mode takes a second process; the rows are what the
// service records), and consumers that call PullEvents and ConfirmEvents
// with tcapi.Client, TC3-signed, over keep-alive HTTP/1.1.
func (b *bench) pullHTTP(ctx context.Context) error {
	dataDir := filepath.Join(b.tmp, "data")
	dsn, err := b.db.serverDSN(dataDir, "http")
	if err != nil {
		return err
	}
	var db *store.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	if b.db.dsn != "" {
		// Create the schema the server will use.
		if db, err = b.db.open(ctx, "http"); err != nil {
			return fmt.Errorf("open the HTTP-level database: %w", err)
		}
	}
	creds := creds{SecretID: "AKID" + randHex(16), SecretKey: randHex(16), AppID: appID}
	b.log.Printf("PULL (HTTP): starting openvod serve --role api")
	srv, err := startServer(ctx, serverParams{Bin: b.o.Bin, DataDir: dataDir, DB: dsn, Creds: creds})
	if err != nil {
		return err
	}
	b.srv = srv
	defer func() { srv.Stop(); b.srv = nil }()
	b.log.Printf("openvod serving on %s (pid %d)", srv.Addr, srv.PID())

	if db == nil {
		// The server's SQLite file, opened beside the server.
		if db, err = store.Open(ctx, dsn, store.Options{ReadConns: 1}); err != nil {
			return fmt.Errorf("open the server's database %s: %w", dsn, err)
		}
	}
	if err := setMode(ctx, db, "PULL", ""); err != nil {
		return err
	}
	evs, err := makeEvents(b.o.Events, "PULL")
	if err != nil {
		return err
	}
	if err := b.record(ctx, db, evs, "PULL (HTTP)", "into the database of the running server"); err != nil {
		return err
	}
	err = db.Close()
	db = nil
	if err != nil {
		return err
	}

	// One keep-alive connection per consumer (DefaultTransport keeps only
	// two idle per host).
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: b.o.Consumers,
		MaxIdleConnsPerHost: b.o.Consumers, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	client := &tcapi.Client{Endpoint: srv.URL, SecretID: creds.SecretID, SecretKey: creds.SecretKey, Version: apiVersion, HTTP: hc}

	res := result{Run: "http", Label: fmt.Sprintf("%d consumers: PullEvents + ConfirmEvents over HTTP (tcapi.Client)", b.o.Consumers),
		Events: len(evs), CPUNames: []string{"openvod", "bench"}}
	b.log.Printf("PULL (HTTP): %s", res.Label)
	t := newTally(evs, func(e *store.Event) string { return e.TaskID })
	m := cpumeter.Start(srv.PID(), 0)
	res.Elapsed = t.run(ctx, b.o.Consumers, b.o.Timeout, func(ctx context.Context) {
		for ctx.Err() == nil && t.remaining() {
			var out vodapi.PullEventsResponse
			err := client.Call(ctx, "PullEvents", nil, &out)
			t.calls.Add(1)
			if err != nil {
				if ctx.Err() == nil {
					t.fail(fmt.Errorf("PullEvents: %w", err))
				}
				return
			}
			if len(out.EventSet) == 0 {
				continue // the server held the call 5 s: the tail, or nothing left
			}
			handles := make([]string, 0, len(out.EventSet))
			pos := make(map[string]int, len(out.EventSet))
			for _, ev := range out.EventSet {
				if ev.EventHandle == nil || ev.PullCompleteEvent == nil || ev.PullCompleteEvent.TaskId == nil {
					t.fail(errors.New("PullEvents: an event without EventHandle or PullCompleteEvent.TaskId"))
					continue
				}
				h := *ev.EventHandle
				handles = append(handles, h)
				pos[h] = t.pull(*ev.PullCompleteEvent.TaskId)
			}
			if len(handles) == 0 {
				continue
			}
			err = client.Call(ctx, "ConfirmEvents", map[string]any{"EventHandles": handles}, nil)
			var apiErr *tcapi.Error
			switch {
			case err == nil:
				confirmHandles(t, handles, nil, pos)
			case errors.As(err, &apiErr):
				// Some handles were unknown; the others were confirmed,
				// but the answer does not say which in a form to parse:
				// those events stay unconfirmed here (and count as lost).
				t.fail(fmt.Errorf("ConfirmEvents: %w", err))
			case ctx.Err() == nil:
				t.fail(fmt.Errorf("ConfirmEvents: %w", err))
				return
			default:
				return
			}
		}
	})
	res.Cores, res.Others = m.Cores()
	t.fill(&res)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := srv.Alive(); err != nil {
		return err
	}
	var state vodapi.DescribeEventsStateResponse
	if err := client.Call(ctx, "DescribeEventsState", nil, &state); err != nil {
		return fmt.Errorf("DescribeEventsState: %w", err)
	}
	left := vodapi.Val(state.CountOfEventsToPull)
	res.Check, res.CheckOK = fmt.Sprintf("DescribeEventsState: %d to pull", left), state.CountOfEventsToPull != nil && left == 0
	b.rep.pull = append(b.rep.pull, res)
	return nil
}

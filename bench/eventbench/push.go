package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openvod/openvod/bench/internal/cpumeter"
	"github.com/openvod/openvod/internal/events"
	"github.com/openvod/openvod/internal/store"
)

// receiver is the callback endpoint of the PUSH runs: an httptest server on
// loopback. For each request it reads the body, checks the signature and
// that the body is the event's own (its TaskId), counts the delivery under
// the X-OpenVOD-Event-Id header and answers 200, whatever it found (a bad
// request is counted as an error, not retried).
type receiver struct {
	srv   *httptest.Server
	key   string
	conns atomic.Int64 // connections accepted

	mu       sync.Mutex
	want     map[string]string // event id → TaskId, of the current run
	got      map[string]int    // event id → deliveries
	posts    int               // requests
	errs     firstErr
	distinct int
	half     time.Time     // when half of the wanted events had arrived
	done     chan struct{} // closed when every wanted event has arrived
}

func newReceiver(key string) *receiver {
	r := &receiver{key: key}
	r.srv = httptest.NewUnstartedServer(r)
	r.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.srv.Start()
	return r
}

// URL is the callback URL.
func (r *receiver) URL() string { return r.srv.URL + "/vod-events" }

// Close stops the server.
func (r *receiver) Close() { r.srv.Close() }

// expect starts a run: evs are the events to arrive; counters restart.
func (r *receiver) expect(evs []*store.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.want = make(map[string]string, len(evs))
	for _, e := range evs {
		r.want[e.EventID] = e.TaskID
	}
	r.got = make(map[string]int, len(evs))
	r.posts, r.distinct, r.errs, r.half = 0, 0, firstErr{}, time.Time{}
	r.done = make(chan struct{})
	r.conns.Store(0)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := req.Header.Get(events.HeaderEventID)
	ts := req.Header.Get(events.HeaderTimestamp)
	signed := hmac.Equal([]byte(req.Header.Get(events.HeaderSignature)), []byte(events.Sign(r.key, ts, body)))

	r.mu.Lock()
	r.posts++
	taskID, known := r.want[id]
	switch {
	case !signed:
		r.errs.add(fmt.Errorf("event %s: bad %s", id, events.HeaderSignature))
	case !known:
		r.errs.add(fmt.Errorf("unknown event id %q", id))
	case !bytes.Contains(body, []byte(`"`+taskID+`"`)):
		r.errs.add(fmt.Errorf("event %s: the body does not carry its TaskId %s", id, taskID))
	default:
		r.got[id]++
		if r.got[id] == 1 {
			r.distinct++
			if r.distinct == len(r.want)/2 {
				r.half = time.Now()
			}
			if r.distinct == len(r.want) {
				close(r.done)
			}
		}
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// finish fills the receiver's counts into res, whose run started at t0.
func (r *receiver) finish(res *result, t0 time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Done, res.Seen, res.Requests = r.distinct, r.distinct, r.posts
	if !r.half.IsZero() {
		res.Half = r.half.Sub(t0)
	}
	for _, n := range r.got {
		res.Deliveries += n
	}
	res.Errors += r.errs.n
	if res.FirstErr == nil {
		res.FirstErr = r.errs.err
	}
	res.Conns = r.conns.Load()
}

// await waits until every expected event has arrived, the timeout passes
// or ctx ends, and returns the time since t0 when the last one arrived.
func (r *receiver) await(ctx context.Context, t0 time.Time, timeout time.Duration) time.Duration {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-r.done:
	case <-t.C:
	case <-ctx.Done():
	}
	return time.Since(t0)
}

// push measures PUSH delivery: the baseline, the dispatcher as the server
// configures it, the baseline again (ABA: both sides see similar
// competition from the machine; the report keeps the better baseline).
// A last, diagnostic run gives the dispatcher an HTTP client that keeps
// Parallel connections alive, to show what connection setup costs it.
func (b *bench) push(ctx context.Context) error {
	b.rec = newReceiver(b.key)
	db, err := b.db.open(ctx, "push")
	if err != nil {
		return fmt.Errorf("open the PUSH database: %w", err)
	}
	defer db.Close()
	if err := setMode(ctx, db, "PUSH", b.rec.URL()); err != nil {
		return err
	}
	evs, err := makeEvents(b.o.Events, "PUSH")
	if err != nil {
		return err
	}

	a1, err := b.pushBaseline(ctx, evs, "A1")
	if err != nil {
		return err
	}
	b.rep.push = append(b.rep.push, a1)

	if err := b.record(ctx, db, evs, "PUSH", ""); err != nil {
		return err
	}
	res, err := b.pushDispatcher(ctx, db, evs, "B", nil)
	if err != nil {
		return err
	}
	b.rep.push = append(b.rep.push, res)

	a2, err := b.pushBaseline(ctx, evs, "A2")
	if err != nil {
		return err
	}
	b.rep.push = append(b.rep.push, a2)

	if evs, err = makeEvents(b.o.Events, "PUSH"); err != nil {
		return err
	}
	if err := b.record(ctx, db, evs, "PUSH", "diagnostic run, on top of the delivered ones"); err != nil {
		return err
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: b.o.Parallel,
		MaxIdleConnsPerHost: b.o.Parallel, IdleConnTimeout: 90 * time.Second}}
	defer hc.CloseIdleConnections()
	diag, err := b.pushDispatcher(ctx, db, evs, "B*", hc)
	if err != nil {
		return err
	}
	b.rep.push = append(b.rep.push, diag)
	return nil
}

// record inserts evs into db and reports the insert rate.
func (b *bench) record(ctx context.Context, db *store.DB, evs []*store.Event, phase, note string) error {
	b.log.Printf("%s: recording %d events, %d per transaction", phase, len(evs), b.o.Batch)
	b.rep.bodyLen = len(evs[0].Body)
	took, err := insertEvents(ctx, db, evs, b.o.Batch)
	if err != nil {
		return err
	}
	b.rep.inserts = append(b.rep.inserts, insertResult{Phase: phase, Events: len(evs), Batch: b.o.Batch, Elapsed: took, Note: note})
	return nil
}

// pushDispatcher starts an events.Dispatcher on db, whose events evs are
// due, and waits until the receiver has seen every one of them. hc nil
// leaves the dispatcher its default client, as the server does.
func (b *bench) pushDispatcher(ctx context.Context, db *store.DB, evs []*store.Event, run string, hc *http.Client) (result, error) {
	res := result{Run: run, Label: fmt.Sprintf("events.Dispatcher, Parallel %d, Poll %s", b.o.Parallel, b.o.Poll),
		Events: len(evs), CPUNames: []string{"bench"}}
	if hc != nil {
		res.Label += fmt.Sprintf(" (diagnostic: HTTP client keeping %d connections alive)", b.o.Parallel)
	}
	d, err := events.NewDispatcher(events.Config{DB: db, AccountKey: b.key, Parallel: b.o.Parallel, Poll: b.o.Poll,
		HTTP: hc, Logger: b.slog})
	if err != nil {
		return res, err
	}
	b.rec.expect(evs)
	b.log.Printf("PUSH: %s", res.Label)
	m := cpumeter.Start(0)
	t0 := time.Now()
	d.Start(ctx)
	d.Notify()
	res.Elapsed = b.rec.await(ctx, t0, b.o.Timeout)
	res.Cores, res.Others = m.Cores()
	// Stop cancels callbacks in flight: one the receiver has counted but
	// whose answer the dispatcher has not read yet would stay pending (and
	// be sent again later). Let the last results be recorded first.
	if err := b.awaitRecorded(ctx, db, 30*time.Second); err != nil {
		b.log.Printf("PUSH: %v", err)
	}
	d.Stop() // waits for callbacks in flight and their RecordPush
	// The dispatcher's client uses http.DefaultTransport, as the
	// baseline's does: leave no connection of one run to the next.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	b.rec.finish(&res, t0)
	if err := ctx.Err(); err != nil {
		return res, err
	}

	counts, err := db.EventCounts(ctx)
	if err != nil {
		return res, fmt.Errorf("count events: %w", err)
	}
	pending := counts["push/pending"]
	res.CheckOK = pending == 0 && counts["push/dead"] == 0
	res.Check = fmt.Sprintf("pending after the run: %d", pending)
	if !res.CheckOK {
		res.Check += fmt.Sprintf(" (all states: %v)", counts)
	}
	return res, nil
}

// awaitRecorded waits until db holds no pending PUSH event, or timeout.
func (b *bench) awaitRecorded(ctx context.Context, db *store.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		n, err := db.CountPending(ctx, appID, "PUSH")
		if err != nil {
			return fmt.Errorf("count pending events: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d events still pending %s after the receiver saw the last one", n, timeout)
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
}

// pushBaseline POSTs the bodies of evs to the receiver from o.Parallel
// goroutines with a plain http.Client (the one the dispatcher makes by
// default: DefaultTransport, 10 s timeout) and no database. Each request
// carries the headers a callback carries, signature included, so that the
// receiver does the same work on both sides.
func (b *bench) pushBaseline(ctx context.Context, evs []*store.Event, run string) (result, error) {
	res := result{Run: run, Label: fmt.Sprintf("baseline: %d goroutines, http.Client, no database", b.o.Parallel),
		Events: len(evs), CPUNames: []string{"bench"}}
	client := &http.Client{Timeout: 10 * time.Second}
	url := b.rec.URL()
	b.rec.expect(evs)
	b.log.Printf("PUSH: %s", res.Label)

	var next atomic.Int64
	var mu sync.Mutex
	var errs firstErr
	post := func(e *store.Event) error {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(e.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "eventbench")
		req.Header.Set(events.HeaderTimestamp, ts)
		req.Header.Set(events.HeaderSignature, events.Sign(b.key, ts, e.Body))
		req.Header.Set(events.HeaderEventID, e.EventID)
		req.Header.Set(events.HeaderAttempt, "1")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New("receiver answered " + resp.Status)
		}
		return nil
	}
	m := cpumeter.Start(0)
	t0 := time.Now()
	var wg sync.WaitGroup
	for range b.o.Parallel {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(evs) || ctx.Err() != nil {
					return
				}
				if err := post(evs[i]); err != nil {
					mu.Lock()
					errs.add(err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait() // every post has been answered (or failed): nothing more will arrive
	res.Elapsed = time.Since(t0)
	res.Cores, res.Others = m.Cores()
	client.CloseIdleConnections()
	b.rec.finish(&res, t0)
	res.Errors += errs.n
	if res.FirstErr == nil {
		res.FirstErr = errs.err
	}
	res.Check, res.CheckOK = "no database", true
	return res, ctx.Err()
}

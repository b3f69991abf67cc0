package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
)

// bench holds the state of one eventbench run; cleanup stops whatever is
// still running.
type bench struct {
	o    options
	log  benchkit.Progress
	tmp  string
	db   *dbTarget
	key  string // the account's SecretKey: signs the callbacks
	slog *slog.Logger
	rep  *report

	rec *receiver
	srv *server
}

func (b *bench) cleanup() {
	if b.srv != nil {
		b.srv.Stop()
	}
	if b.rec != nil {
		b.rec.Close()
	}
}

// run performs the phases of -phases in order: PUSH (baseline,
// dispatcher, baseline, diagnostic), PULL at the store, PULL over HTTP.
func (b *bench) run(ctx context.Context) error {
	for _, p := range []struct {
		name string
		run  func(context.Context) error
	}{{"push", b.push}, {"pull", b.pullStore}, {"http", b.pullHTTP}} {
		if !b.o.Phases[p.name] {
			continue
		}
		if err := p.run(ctx); err != nil {
			return err
		}
	}
	return nil
}

// result is one measured run.
type result struct {
	Run   string // A1, B, A2, store, http
	Label string

	Events     int           // events the run had to deliver
	Elapsed    time.Duration // from the start until the last event was done, or the timeout
	Half       time.Duration // from the start until half of the events were done; 0 if never
	Done       int           // distinct events done: received (PUSH) or confirmed (PULL)
	Seen       int           // distinct events that arrived at least once
	Deliveries int           // arrivals in all, repeats included
	Requests   int           // HTTP requests (PUSH) or PullEvents calls (PULL) in all
	Conns      int64         // TCP connections the receiver or server accepted, when known
	Errors     int           // failed requests or calls, bad signatures, unknown ids or handles
	FirstErr   error

	// Check is what the database says after the run (every PUSH event
	// delivered, no PULL event left); CheckOK is false when it disagrees.
	Check   string
	CheckOK bool

	Cores    []float64 // CPU cores used, per CPUNames entry, over Elapsed
	CPUNames []string
	Others   float64 // cores every other process of the machine used
}

// Rate is events done per second.
func (r result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Done) / r.Elapsed.Seconds()
}

// Halves are the rates over the first and the second half of the events:
// a rate that falls as the backlog shrinks, or rises, shows a cost that
// depends on the backlog.
func (r result) Halves() (first, second float64) {
	if r.Half <= 0 || r.Elapsed <= r.Half || r.Lost() > 0 {
		return 0, 0
	}
	h := r.Events / 2
	return float64(h) / r.Half.Seconds(), float64(r.Events-h) / (r.Elapsed - r.Half).Seconds()
}

// Duplicates counts arrivals beyond the first of each event.
func (r result) Duplicates() int { return r.Deliveries - r.Seen }

// Lost counts events never done.
func (r result) Lost() int { return r.Events - r.Done }

// cpuPerEvent is the CPU time, all measured processes together, per event.
func (r result) cpuPerEvent() time.Duration {
	if r.Done == 0 {
		return 0
	}
	var cores float64
	for _, c := range r.Cores {
		cores += c
	}
	return time.Duration(cores * float64(r.Elapsed) / float64(r.Done))
}

// firstErr keeps the first of several errors reported concurrently.
type firstErr struct {
	n   int
	err error
}

func (f *firstErr) add(err error) {
	f.n++
	if f.err == nil {
		f.err = err
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

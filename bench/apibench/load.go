package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/openvod/openvod/bench/internal/cpumeter"
)

// loadParams describes one closed-loop load run: Conns workers, each on its
// own keep-alive connection, send a request, read the whole response, check
// it and send the next, for Warmup (not recorded) and then Duration.
type loadParams struct {
	Label    string // e.g. "bare", "openvod"
	Conns    int
	Warmup   time.Duration
	Duration time.Duration
	// NewRequest returns the next request. It is called concurrently and
	// must not share a Body between requests.
	NewRequest func(ctx context.Context) (*http.Request, error)
	// Check judges a response; a non-nil error counts the request as
	// failed.
	Check func(status int, body []byte) error
	// PIDs are the processes whose CPU use is reported (0 is this one),
	// CPUNames their names in the report.
	PIDs     []int
	CPUNames []string
}

// loadResult is what a load run measured.
type loadResult struct {
	Run      string // the run's name in the report, e.g. "A1"
	Label    string
	Conns    int
	OK       int           // successful requests in the measured window
	Errors   int           // failed requests in the measured window
	FirstErr error         // the first failure, for the report
	Window   time.Duration // measured wall time
	RPS      float64       // successful requests per second
	P50, P90 time.Duration
	P99, Max time.Duration
	Cores    []float64 // CPU cores used, per loadParams.PIDs
	CPUNames []string
	Others   float64 // CPU cores used by every other process on the machine
}

// newTransport is the client transport of a load run: keep-alive, one idle
// connection per worker so no request pays a handshake after warmup, no
// compression, HTTP/1.1 only (the API is HTTP/1.1 on loopback).
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}

// runLoad runs one load run and returns its figures. It fails only when
// ctx is cancelled; request failures are counted in the result.
func runLoad(ctx context.Context, p loadParams) (loadResult, error) {
	tr := newTransport(p.Conns)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	begin := time.Now()
	measureFrom := begin.Add(p.Warmup)
	end := measureFrom.Add(p.Duration)

	type worker struct {
		lat      []time.Duration
		errors   int
		firstErr error
	}
	workers := make([]worker, p.Conns)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		w.lat = make([]time.Duration, 0, 1<<14)
		wg.Go(func() {
			var buf bytes.Buffer
			buf.Grow(16 << 10)
			for ctx.Err() == nil {
				start := time.Now()
				if !start.Before(end) {
					return
				}
				err := doOne(ctx, client, p, &buf)
				lat := time.Since(start)
				if start.Before(measureFrom) {
					continue
				}
				if err != nil {
					w.errors++
					if w.firstErr == nil {
						w.firstErr = err
					}
					if errors.Is(err, errTransport) {
						time.Sleep(10 * time.Millisecond) // a dead server must not spin the loop
					}
					continue
				}
				w.lat = append(w.lat, lat)
			}
		})
	}

	// Sample CPU use over the measured window only.
	var cpu *cpumeter.Meter
	select {
	case <-time.After(time.Until(measureFrom)):
		cpu = cpumeter.Start(p.PIDs...)
	case <-ctx.Done():
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	cores, others := cpu.Cores()
	r := loadResult{Label: p.Label, Conns: p.Conns, Window: p.Duration, Cores: cores, CPUNames: p.CPUNames, Others: others}
	var all []time.Duration
	for i := range workers {
		w := &workers[i]
		all = append(all, w.lat...)
		r.Errors += w.errors
		if r.FirstErr == nil {
			r.FirstErr = w.firstErr
		}
	}
	slices.Sort(all)
	r.OK = len(all)
	r.RPS = float64(r.OK) / p.Duration.Seconds()
	r.P50, r.P90, r.P99 = percentile(all, 0.50), percentile(all, 0.90), percentile(all, 0.99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r, nil
}

// errTransport marks failures below HTTP (refused connection, timeout).
var errTransport = errors.New("transport")

func doOne(ctx context.Context, client *http.Client, p loadParams, buf *bytes.Buffer) error {
	req, err := p.NewRequest(ctx)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errTransport, err)
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%w: read response: %v", errTransport, err)
	}
	return p.Check(resp.StatusCode, buf.Bytes())
}

// percentile returns the q-quantile (nearest rank) of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// checkAPI accepts a 200 response whose body is an API envelope without an
// Error object and, when want is not empty, containing want.
func checkAPI(want string) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("HTTP status %d: %.200s", status, body)
		}
		if bytes.Contains(body, []byte(`"Error"`)) {
			return fmt.Errorf("API error: %.300s", body)
		}
		if want != "" && !bytes.Contains(body, []byte(want)) {
			return fmt.Errorf("response lacks %s: %.300s", want, body)
		}
		return nil
	}
}

// presigned returns a NewRequest func that sends the same TC3-signed
// request every time: TC3 has no nonce, so one signature stays valid for
// five minutes and the client spends no HMAC per request. Requests share
// the read-only header map of a template; each gets its own body reader.
func presigned(tmpl *http.Request, body []byte) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		r := tmpl.WithContext(ctx)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = nil
		return r, nil
	}
}

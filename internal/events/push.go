package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/store"
)

// Header names of a PUSH callback. The signature lets a receiver check that
// the callback comes from this server and was not altered:
//
//	X-OpenVOD-Signature = hex(HMAC-SHA256(key, X-OpenVOD-Timestamp + "." + body))
//
// where key is the application's SignKey (ModifyEventConfig) or, when it
// has none, the account's SecretKey.
const (
	HeaderTimestamp = "X-OpenVOD-Timestamp"
	HeaderSignature = "X-OpenVOD-Signature"
	HeaderEventID   = "X-OpenVOD-Event-Id"
	HeaderAttempt   = "X-OpenVOD-Attempt"
)

// Sign computes the X-OpenVOD-Signature of a callback body.
func Sign(key, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Config configures a Dispatcher.
type Config struct {
	DB *store.DB
	// AccountKey signs callbacks of applications without a SignKey.
	AccountKey string
	// Timeout bounds one callback (default 10 s).
	Timeout time.Duration
	// RetryFor is how long a failing callback is retried before the event
	// is given up as dead (default 24 h).
	RetryFor time.Duration
	// Backoff is the first retry delay (default 1 s); each retry doubles it
	// up to MaxBackoff (default 10 min), with ±50 % jitter.
	Backoff, MaxBackoff time.Duration
	// Poll is how often the dispatcher looks for due events (default
	// 500 ms; Notify wakes it at once).
	Poll time.Duration
	// Parallel bounds concurrent callbacks (default 16).
	Parallel int
	// HTTP sends the callbacks (default: a client with Timeout).
	HTTP   *http.Client
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, when set, is told each attempt's outcome ("delivered",
	// "retry", "dead") and the receiver's HTTP status (0: none).
	Observe func(outcome string, status int)
}

// Dispatcher delivers PUSH events.
type Dispatcher struct {
	cfg      Config
	owner    string
	wake     chan struct{}
	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
}

// NewDispatcher makes a dispatcher; Start it.
func NewDispatcher(cfg Config) (*Dispatcher, error) {
	if cfg.DB == nil {
		return nil, errors.New("events: Config.DB is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RetryFor <= 0 {
		cfg.RetryFor = 24 * time.Hour
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 16
	}
	if cfg.HTTP == nil {
		// Keep a connection per concurrent callback alive: receivers are
		// usually one host, and the default of 2 idle connections made
		// most callbacks open a new TCP connection.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Parallel
		cfg.HTTP = &http.Client{Timeout: cfg.Timeout, Transport: tr}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var b [6]byte
	rand.Read(b[:])
	return &Dispatcher{cfg: cfg, owner: "d-" + hex.EncodeToString(b[:]), wake: make(chan struct{}, 1), done: make(chan struct{})}, nil
}

// Notify wakes the dispatcher: an event was recorded.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start runs the delivery loop until Stop.
func (d *Dispatcher) Start(ctx context.Context) {
	ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go d.loop(ctx)
}

// Stop ends the loop and waits for callbacks in flight. Idempotent.
func (d *Dispatcher) Stop() {
	d.stopOnce.Do(func() {
		if d.cancel == nil {
			return
		}
		d.cancel()
		<-d.done
	})
}

func (d *Dispatcher) loop(ctx context.Context) {
	defer close(d.done)
	tick := time.NewTicker(d.cfg.Poll)
	defer tick.Stop()
	for {
		if n := d.round(ctx); n == d.cfg.Parallel {
			continue // a full batch: more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-tick.C:
		}
	}
}

// round claims a batch of due events and delivers them concurrently.
func (d *Dispatcher) round(ctx context.Context) int {
	now := d.cfg.Now()
	// The lease outlasts one attempt, so a dispatcher that dies leaves the
	// event due again soon after.
	evs, err := d.cfg.DB.ClaimPushEvents(ctx, d.owner, now, now.Add(2*d.cfg.Timeout+time.Second), d.cfg.Parallel)
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Logger.Error("claim events", "err", err)
		}
		return 0
	}
	// Each application's config once per round (a round is usually one
	// application's events).
	cfgs := map[uint64]*store.EventConfig{}
	for _, e := range evs {
		if _, ok := cfgs[e.SubAppID]; ok {
			continue
		}
		cfg, err := d.cfg.DB.GetEventConfig(ctx, e.SubAppID)
		if err != nil {
			d.cfg.Logger.Error("read event config", "err", err)
		}
		cfgs[e.SubAppID] = cfg // nil: its events' leases run out and they are retried
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results = make(map[int64]store.PushResult, len(evs))
	)
	for _, e := range evs {
		cfg := cfgs[e.SubAppID]
		if cfg == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := d.deliver(ctx, cfg, e)
			mu.Lock()
			results[e.Seq] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The round's outcomes in one transaction. A crash before it commits
	// delivers the round's events again: at least once, as promised.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.cfg.DB.RecordPushes(rctx, d.owner, results); err != nil {
		d.cfg.Logger.Error("record event deliveries", "events", len(results), "err", err)
	}
	return len(evs)
}

// deliver makes one attempt at an event and returns its outcome.
func (d *Dispatcher) deliver(ctx context.Context, cfg *store.EventConfig, e *store.Event) store.PushResult {
	var err error
	r := store.PushResult{At: d.cfg.Now()}
	if cfg.NotificationURL == "" {
		r.Error = "no NotificationUrl configured"
	} else {
		r.Status, err = d.post(ctx, cfg, e)
		if err != nil {
			r.Error = err.Error()
		} else if r.Status >= 200 && r.Status < 300 {
			r.Delivered = true
		} else {
			r.Error = "receiver answered HTTP " + strconv.Itoa(r.Status)
		}
	}
	outcome := "delivered"
	if !r.Delivered {
		if r.At.Sub(e.CreatedAt) >= d.cfg.RetryFor {
			r.Dead, outcome = true, "dead"
			d.cfg.Logger.Warn("event callback given up", "event_id", e.EventID, "attempts", e.Attempts, "last_error", r.Error)
		} else {
			r.NextAt, outcome = r.At.Add(d.backoff(e.Attempts)), "retry"
		}
	}
	if d.cfg.Observe != nil {
		d.cfg.Observe(outcome, r.Status)
	}
	if !r.Delivered {
		d.cfg.Logger.Warn("event callback failed", "event_id", e.EventID, "event_type", e.EventType, "attempt", e.Attempts,
			"status", r.Status, "err", r.Error, "next_attempt", r.NextAt)
	}
	return r
}

// backoff is the delay before retry number attempt (1-based), doubled
// each time, capped, with ±50 % jitter so that receivers coming back up are
// not hit by every retry at once.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.cfg.Backoff
	for i := 1; i < attempt && b < d.cfg.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.cfg.MaxBackoff)
	j, _ := rand.Int(rand.Reader, big.NewInt(int64(b)+1))
	return b/2 + time.Duration(j.Int64())
}

// post sends one callback: the EventContent without EventHandle, plus the
// Tencent-style Sign and T fields when the application has a SignKey.
func (d *Dispatcher) post(ctx context.Context, cfg *store.EventConfig, e *store.Event) (int, error) {
	body, err := pushBody(e.Body, cfg.SignKey, d.cfg.Now())
	if err != nil {
		return 0, err
	}
	key := cfg.SignKey
	if key == "" {
		key = d.cfg.AccountKey
	}
	ts := strconv.FormatInt(d.cfg.Now().Unix(), 10)
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.NotificationURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "OpenVOD-Events/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(key, ts, body))
	req.Header.Set(HeaderEventID, e.EventID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(e.Attempts))
	resp, err := d.cfg.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// storedHandle is how a stored EventContent starts: its EventHandle (the
// first field) is filled in only when PullEvents hands the event out.
var storedHandle = []byte(`{"EventHandle":null,`)

// pushBody turns a stored EventContent into a callback body.
func pushBody(stored []byte, signKey string, now time.Time) ([]byte, error) {
	if signKey == "" && bytes.HasPrefix(stored, storedHandle) {
		// The common case needs no decoding: drop the null EventHandle.
		return append([]byte{'{'}, stored[len(storedHandle):]...), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(stored, &m); err != nil {
		return nil, fmt.Errorf("stored event is not a JSON object: %w", err)
	}
	delete(m, "EventHandle")
	if signKey != "" {
		t := strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10)
		sum := md5.Sum([]byte(signKey + t))
		m["T"], _ = json.Marshal(t)
		m["Sign"], _ = json.Marshal(hex.EncodeToString(sum[:]))
	}
	return json.Marshal(m)
}

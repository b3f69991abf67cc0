package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/events"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vod"
	"github.com/openvod/openvod/internal/vodapi"
)

// Run serves until ctx is cancelled, then shuts down in order: stop taking
// requests, hand running tasks back to the queue (their ffmpeg stopped),
// close storage and the database. ready, if not nil, receives the address
// listened on once the server accepts requests.
func Run(ctx context.Context, cfg Config, stdout io.Writer, ready func(addr string)) error {
	log := newLogger(cfg, os.Stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if db.SingleProcess() {
		unlock, err := lockDir(cfg.DataDir)
		if err != nil {
			return err
		}
		defer unlock()
	}
	creds, fresh, err := loadCredentials(ctx, db, cfg)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	bs, err := blob.Open(ctx, cfg.Blob)
	if err != nil {
		return fmt.Errorf("open media storage %s: %w", cfg.Blob, err)
	}
	defer bs.Close()
	runner := &media.Runner{FFmpeg: cfg.FFmpeg, FFprobe: cfg.FFprobe, Nice: cfg.Nice, Logger: log}
	version, err := runner.Check(ctx)
	if err != nil {
		return fmt.Errorf("%w\nOpenVOD needs ffmpeg and ffprobe: install them (Debian: apt-get install ffmpeg) or pass --ffmpeg/--ffprobe", err)
	}
	log.Info("ffmpeg found", "version", version)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server running? choose another address with --listen)", cfg.Listen, err)
	}
	defer ln.Close()
	if cfg.publicFromListen {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	workers := cfg.Workers
	if cfg.Role == "api" {
		workers = 0
	}
	m := newMetrics(db)
	workDir := filepath.Join(cfg.DataDir, "work")
	if db.SingleProcess() {
		// This process holds the data directory's lock, so any scratch files
		// were left by one that died mid-task (kill -9, power loss); its
		// tasks run again from the start.
		if err := os.RemoveAll(workDir); err != nil {
			return fmt.Errorf("clear scratch directory: %w", err)
		}
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return err
	}
	dispatcher, err := events.NewDispatcher(events.Config{DB: db, AccountKey: creds.SecretKey, RetryFor: cfg.EventRetry, Timeout: cfg.EventTimeout,
		Logger: log, Observe: m.eventDelivery})
	if err != nil {
		return err
	}
	var svc *vod.Service // the engine records completion events through it
	engine, err := task.New(task.Config{DB: db, Render: vod.RenderDetail, Workers: workers, Lease: cfg.Lease,
		Retention: cfg.TaskRetention, Logger: log,
		OnFinish: func(taskType, status string, d time.Duration) {
			m.taskFinished(taskType, status, d)
			dispatcher.Notify()
		},
		FinishTxFunc: func(ctx context.Context, tx *store.Tx, t *store.Task, status string, result any) error {
			return svc.FinishTx(ctx, tx, t, status, result)
		}})
	if err != nil {
		return err
	}
	if err := rebase(ctx, db, cfg, log); err != nil {
		return err
	}
	svc, err = vod.New(vod.Config{DB: db, Blob: bs, Engine: engine, Media: runner, AppID: creds.AppID,
		PublicURL: cfg.PublicURL, WorkDir: workDir, AllowPrivatePull: cfg.AllowPrivatePull, NotifyFunc: dispatcher.Notify,
		Logger: log})
	if err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		return fmt.Errorf("prepare default application: %w", err)
	}
	limits := vod.RateLimits()
	overrides, _ := cfg.limits()
	for k, v := range overrides {
		limits[k] = v
	}
	api, err := tcapi.New(tcapi.Config{Version: vodapi.Version, Keys: keyStore{creds}, Limits: limits,
		DefaultLimit: vod.DefaultRateLimit, DisableLimits: cfg.NoRateLimit, Logger: log, Observe: m.observe})
	if err != nil {
		return err
	}
	svc.Register(api)

	mux := http.NewServeMux()
	if cfg.Role != "worker" {
		mux.Handle("/", api)
		mux.Handle("/files/", bs.Handler("/files/"))
		mux.Handle("/upload/", svc.UploadHandler())
		mux.Handle("/keys/", svc.KeysHandler())
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.Handle("/metrics", m.handler())

	if err := engine.Start(ctx); err != nil {
		return err
	}
	if cfg.Role != "api" {
		dispatcher.Start(ctx)
	}
	mctx, stopMaintain := context.WithCancel(ctx)
	defer stopMaintain()
	go maintain(mctx, db, bs, log)
	go expire(mctx, svc, cfg.ExpireEvery, log)
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()

	if fresh {
		printWelcome(stdout, creds, cfg.PublicURL)
	}
	log.Info("openvod serving", "listen", ln.Addr().String(), "public_url", cfg.PublicURL, "role", cfg.Role,
		"workers", workers, "db", db.Dialect(), "blob", redact(cfg.Blob), "app_id", creds.AppID)
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		engine.Stop()
		dispatcher.Stop()
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	httpSrv.Shutdown(sctx)
	engine.Stop()
	dispatcher.Stop()
	log.Info("stopped")
	return nil
}

// lockDir takes an exclusive lock on the data directory: SQLite serves one
// process, and the engine's crash recovery relies on that.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another openvod process is using %s; stop it, or use --data for another directory (several processes need --db postgres://...)", dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// redact hides credentials in a storage URL for the log.
func redact(u string) string {
	if i := strings.Index(u, "@"); i >= 0 && strings.Contains(u[:i], "://") {
		return u[:strings.Index(u, "://")+3] + "…" + u[i:]
	}
	return u
}

// eventRetention is how long events are kept (the pull queue promises at
// least 4 days).
const eventRetention = 7 * 24 * time.Hour

// rebase moves the output URLs recorded under another public URL (a new
// --public-url, or a port picked anew) onto this one. Only a process that
// serves the API does: its address is the public one. A worker started
// with another public URL is warned about instead, since it would record
// outputs under an address the API does not serve.
func rebase(ctx context.Context, db *store.DB, cfg Config, log *slog.Logger) error {
	if cfg.Role == "worker" {
		if cur, err := db.GetKV(ctx, "public_url"); err == nil && cur != cfg.PublicURL {
			log.Warn("this worker's --public-url differs from the API's: its outputs will name the wrong address",
				"worker", cfg.PublicURL, "api", cur)
		}
		return nil
	}
	old, n, err := db.RebaseURLs(ctx, cfg.PublicURL)
	if err != nil {
		return fmt.Errorf("rebase stored URLs: %w", err)
	}
	if old != "" && old != cfg.PublicURL {
		log.Info("public URL changed: stored output URLs rebased", "from", old, "to", cfg.PublicURL, "media", n)
	}
	return nil
}

// expire deletes the media whose ExpireTime has passed, every interval.
func expire(ctx context.Context, svc *vod.Service, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := svc.ExpireMedia(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("delete expired media", "err", err)
		}
	}
}

// maintain removes what has outlived its use: old events and expired
// upload sessions with their staged files.
func maintain(ctx context.Context, db *store.DB, bs *blob.Store, log *slog.Logger) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		if n, err := db.PurgeEvents(ctx, time.Now().Add(-eventRetention)); err != nil && ctx.Err() == nil {
			log.Error("purge events", "err", err)
		} else if n > 0 {
			log.Info("purged old events", "events", n)
		}
		ups, err := db.PurgeUploads(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("purge upload sessions", "err", err)
		}
		for _, u := range ups {
			bs.DeletePrefix(ctx, "_staging/uploads/"+u.SessionKey+"/")
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

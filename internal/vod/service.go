package vod

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Config configures the service.
type Config struct {
	DB     *store.DB
	Blob   *blob.Store
	Engine *task.Engine
	Media  *media.Runner
	// AppID is the account's numeric AppId; its default application has
	// SubAppId == AppID.
	AppID uint64
	// PublicURL is the base of every URL handed out (FileUrl, MediaUrl),
	// e.g. "http://127.0.0.1:9000".
	PublicURL string
	// WorkDir holds per-task scratch directories (default os.TempDir()).
	WorkDir string
	// AllowPrivatePull lets PullUpload fetch from loopback and private
	// addresses (off by default: a server must not become a proxy into the
	// network it runs in).
	AllowPrivatePull bool
	// PullMaxBytes caps a PullUpload download (default 20 GiB).
	PullMaxBytes int64
	// PullTimeout caps a PullUpload download's duration (default 1 h).
	PullTimeout time.Duration
	// UploadTTL is how long an ApplyUpload session stays usable (default 1 h).
	UploadTTL time.Duration
	// UploadMaxBytes caps an HTTP PUT upload (default 20 GiB).
	UploadMaxBytes int64
	// NotifyFunc, when set, is called after a transaction recorded an event
	// (wakes the PUSH dispatcher).
	NotifyFunc func()
	Logger     *slog.Logger
}

// Service implements the VOD actions.
type Service struct {
	cfg     Config
	log     *slog.Logger
	apps    *appCache
	details *detailCache
}

// New makes the service and registers its task types with the engine.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("vod: Config.DB is required")
	case cfg.Blob == nil:
		return nil, errors.New("vod: Config.Blob is required")
	case cfg.Engine == nil:
		return nil, errors.New("vod: Config.Engine is required")
	case cfg.Media == nil:
		return nil, errors.New("vod: Config.Media is required")
	case cfg.AppID == 0:
		return nil, errors.New("vod: Config.AppID is required")
	case cfg.PublicURL == "":
		return nil, errors.New("vod: Config.PublicURL is required")
	}
	if cfg.PullMaxBytes <= 0 {
		cfg.PullMaxBytes = 20 << 30
	}
	if cfg.PullTimeout <= 0 {
		cfg.PullTimeout = time.Hour
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = time.Hour
	}
	if cfg.UploadMaxBytes <= 0 {
		cfg.UploadMaxBytes = 20 << 30
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, log: cfg.Logger, apps: newAppCache(2 * time.Second), details: newDetailCache(20000)}
	for _, t := range s.taskTypes() {
		cfg.Engine.Register(t)
	}
	return s, nil
}

// Start prepares the account's default application.
func (s *Service) Start(ctx context.Context) error {
	return s.cfg.DB.EnsureApp(ctx, &store.App{
		SubAppID: s.cfg.AppID, AppID: s.cfg.AppID, Name: "default", Description: "the account's default application",
		Type: "AllInOne", Mode: "fileid", StorageRegion: defaultRegion, Tags: []byte("[]"), Status: "On", IsDefault: true,
		CreatedAt: time.Now().UTC().Truncate(time.Second),
	})
}

const defaultRegion = "local"

// Register declares every action of the API version on srv and installs
// the handlers this service implements; the rest answer
// UnsupportedOperation.
func (s *Service) Register(srv *tcapi.Server) {
	for _, a := range vodapi.Actions() {
		srv.Known(a.Name, a.NewRequest)
	}
	// Applications.
	tcapi.HandleFunc(srv, "CreateSubAppId", s.CreateSubAppId)
	tcapi.HandleFunc(srv, "DescribeSubAppIds", s.DescribeSubAppIds)
	tcapi.HandleFunc(srv, "ModifySubAppIdInfo", s.ModifySubAppIdInfo)
	tcapi.HandleFunc(srv, "ModifySubAppIdStatus", s.ModifySubAppIdStatus)
	// Upload.
	tcapi.HandleFunc(srv, "PullUpload", s.PullUpload)
	tcapi.HandleFunc(srv, "ApplyUpload", s.ApplyUpload)
	tcapi.HandleFunc(srv, "CommitUpload", s.CommitUpload)
	// Media.
	tcapi.HandleFunc(srv, "DescribeMediaInfos", s.DescribeMediaInfos)
	tcapi.HandleFunc(srv, "SearchMedia", s.SearchMedia)
	tcapi.HandleFunc(srv, "ModifyMediaInfo", s.ModifyMediaInfo)
	tcapi.HandleFunc(srv, "DeleteMedia", s.DeleteMedia)
	tcapi.HandleFunc(srv, "DescribeFileAttributes", s.DescribeFileAttributes)
	// Processing.
	tcapi.HandleFunc(srv, "ProcessMedia", s.ProcessMedia)
	tcapi.HandleFunc(srv, "ProcessMediaByProcedure", s.ProcessMediaByProcedure)
	// Tasks.
	tcapi.HandleFunc(srv, "DescribeTaskDetail", s.DescribeTaskDetail)
	tcapi.HandleFunc(srv, "DescribeTasks", s.DescribeTasks)
	tcapi.HandleFunc(srv, "ManageTask", s.ManageTask)
	s.registerTemplates(srv)
	// Editing and derived media: each file registers its own actions.
	s.registerEdit(srv)    // edit*.go: EditMedia, SplitMedia, FastEditMedia, SimpleHlsClip
	s.registerCompose(srv) // compose*.go: ComposeMedia
	s.registerEnhance(srv) // enhance*.go: ReduceMediaBitrate, EnhanceMedia*, RebuildMedia*
	s.registerInspect(srv) // inspect*.go, unwatermark*.go: InspectMediaQuality, RemoveWatermark
	s.registerComplex(srv) // complex*.go: CreateComplexAdaptiveDynamicStreamingTask, subtitles
	// Events.
	tcapi.HandleFunc(srv, "ModifyEventConfig", s.ModifyEventConfig)
	tcapi.HandleFunc(srv, "DescribeEventConfig", s.DescribeEventConfig)
	tcapi.HandleFunc(srv, "PullEvents", s.PullEvents)
	tcapi.HandleFunc(srv, "ConfirmEvents", s.ConfirmEvents)
	tcapi.HandleFunc(srv, "DescribeEventsState", s.DescribeEventsState)
}

// RateLimits are the published per-second limits of the actions this
// service implements; actions not listed use the default of 20/s.
func RateLimits() map[string]float64 {
	return map[string]float64{
		"DescribeTaskDetail": 100, "DescribeMediaInfos": 100, "SearchMedia": 100,
		"ApplyUpload": 100, "CommitUpload": 100, "PullEvents": 100, "ConfirmEvents": 100,
		"ManageTask": 20, "DescribeTasks": 20, "PullUpload": 20,
	}
}

// DefaultRateLimit applies to actions without a published figure.
const DefaultRateLimit = 20

func (s *Service) notify() {
	if s.cfg.NotifyFunc != nil {
		s.cfg.NotifyFunc()
	}
}

// errInternal wraps an unexpected failure for the log; the client sees
// InternalError with the RequestId.
func errInternal(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }

// app resolves the request's SubAppId to an application of the caller's
// account that is switched on.
func (s *Service) app(ctx context.Context, subAppID *uint64) (*store.App, error) {
	id := vodapi.Val(subAppID)
	if id == 0 {
		id = s.cfg.AppID
	}
	acct := tcapi.AccountFrom(ctx)
	a, err := s.apps.get(ctx, s.cfg.DB, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.AppID != acct.AppID) {
		return nil, tcapi.Errorf("InvalidParameterValue.SubAppId", "SubAppId %d does not exist in this account", id)
	}
	if err != nil {
		return nil, errInternal("read application", err)
	}
	if a.Status != "On" {
		return nil, tcapi.Errorf("InvalidParameterValue.SubAppId", "SubAppId %d is switched off (status %s); switch it on with ModifySubAppIdStatus", id, a.Status)
	}
	return a, nil
}

// appCache keeps applications for a short time: every call resolves one.
type appCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[uint64]appEntry
}

type appEntry struct {
	app *store.App
	at  time.Time
}

func newAppCache(ttl time.Duration) *appCache { return &appCache{ttl: ttl, m: map[uint64]appEntry{}} }

func (c *appCache) get(ctx context.Context, db *store.DB, id uint64) (*store.App, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		return e.app, nil
	}
	a, err := db.GetApp(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[id] = appEntry{app: a, at: time.Now()}
	c.mu.Unlock()
	return a, nil
}

func (c *appCache) forget(id uint64) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// checkSession validates the SessionId and SessionContext common to task
// creating actions.
func checkSession(sessionID, sessionContext *string) error {
	if len(vodapi.Val(sessionID)) > 50 {
		return tcapi.Errorf("InvalidParameterValue.SessionIdTooLong", "SessionId is longer than 50 characters")
	}
	if len(vodapi.Val(sessionContext)) > 1000 {
		return tcapi.Errorf("InvalidParameterValue.SessionContextTooLong", "SessionContext is longer than 1000 characters")
	}
	return nil
}

// checkTaskFields checks the SessionId, SessionContext and TasksPriority
// common to task creating actions.
func checkTaskFields(sessionID, sessionContext *string, priority *int64) error {
	if err := checkSession(sessionID, sessionContext); err != nil {
		return err
	}
	if v := vodapi.Val(priority); v < -10 || v > 10 {
		return tcapi.Errorf("InvalidParameterValue", "TasksPriority must be between -10 and 10, got %d", v)
	}
	return nil
}

// taskApp resolves the application of a task creating action (app) and
// checks its common fields (checkTaskFields).
func (s *Service) taskApp(ctx context.Context, subAppID *uint64, sessionID, sessionContext *string, priority *int64) (*store.App, error) {
	app, err := s.app(ctx, subAppID)
	if err != nil {
		return nil, err
	}
	if err := checkTaskFields(sessionID, sessionContext, priority); err != nil {
		return nil, err
	}
	return app, nil
}

// submitErr maps a Submit failure to the API error.
func submitErr(err error, sessionID string) error {
	if errors.Is(err, store.ErrDuplicate) {
		return tcapi.Errorf("InvalidParameterValue.SessionId", "SessionId %q was already used by a task in the last 3 days", sessionID)
	}
	return errInternal("submit task", err)
}

package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is the configuration of `openvod serve`. Every flag has an
// OPENVOD_* environment equivalent (--public-url ↔ OPENVOD_PUBLIC_URL);
// a flag given on the command line wins over the variable.
type Config struct {
	Listen           string        // address to listen on; default 127.0.0.1:9000
	DataDir          string        // SQLite database and stored media; default ./data
	DB               string        // database: SQLite path or postgres:// URL; default DataDir/openvod.db
	Blob             string        // storage URL: file:///dir or s3://bucket?...; default file://DataDir/media
	PublicURL        string        // base of every URL handed out; default http:// + Listen
	Workers          int           // concurrent tasks; default the CPU count
	Role             string        // all (default), api or worker
	AllowPrivatePull bool          // let PullUpload reach loopback and private addresses
	TaskRetention    time.Duration // how long tasks stay queryable; default 72h
	Lease            time.Duration // task lease without heartbeat; default 30s
	NoRateLimit      bool          // turn off API rate limits (benchmarks, CI)
	RateLimits       string        // overrides, "Action=N,Action=N"
	FFmpeg, FFprobe  string        // binaries; default from PATH
	LogLevel         string        // debug, info (default), warn, error
	LogFormat        string        // text (default) or json
	Nice             int           // niceness of ffmpeg processes; default 10
	EventRetry       time.Duration // how long a failing event callback is retried; default 24h
	EventTimeout     time.Duration // how long one event callback may take; default 10s
	ExpireEvery      time.Duration // how often media past their ExpireTime are deleted; default 1m

	// Credentials; generated on first start when unset.
	SecretID, SecretKey string
	AppID               uint64

	publicFromListen bool // PublicURL was derived from Listen (fixed up once the port is known)
}

// Load parses serve's flags over the environment.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("openvod serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv("OPENVOD_" + name); v != "" {
			return v
		}
		return def
	}
	envInt := func(name string, def int) int {
		if v, err := strconv.Atoi(getenv("OPENVOD_" + name)); err == nil {
			return v
		}
		return def
	}
	envBool := func(name string) bool {
		v, _ := strconv.ParseBool(getenv("OPENVOD_" + name))
		return v
	}
	envDur := func(name string, def time.Duration) time.Duration {
		if v, err := time.ParseDuration(getenv("OPENVOD_" + name)); err == nil {
			return v
		}
		return def
	}
	fs.StringVar(&c.Listen, "listen", env("LISTEN", "127.0.0.1:9000"), "address to listen on (OPENVOD_LISTEN)")
	fs.StringVar(&c.DataDir, "data", env("DATA", "./data"), "data directory: SQLite database and stored media (OPENVOD_DATA)")
	fs.StringVar(&c.DB, "db", env("DB", ""), "database: a SQLite file path or a postgres:// URL (OPENVOD_DB; default DATA/openvod.db)")
	fs.StringVar(&c.Blob, "blob", env("BLOB", ""), "media storage: file:///dir or s3://bucket?endpoint=... (OPENVOD_BLOB; default file://DATA/media)")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "base of every URL handed out (OPENVOD_PUBLIC_URL; default http://LISTEN)")
	fs.IntVar(&c.Workers, "workers", envInt("WORKERS", runtime.NumCPU()), "tasks processed at once (OPENVOD_WORKERS)")
	fs.StringVar(&c.Role, "role", env("ROLE", "all"), "all, api (no workers) or worker (no API) (OPENVOD_ROLE)")
	fs.BoolVar(&c.AllowPrivatePull, "allow-private-pull", envBool("ALLOW_PRIVATE_PULL"), "let PullUpload fetch from loopback and private addresses (OPENVOD_ALLOW_PRIVATE_PULL)")
	fs.DurationVar(&c.TaskRetention, "task-retention", envDur("TASK_RETENTION", 72*time.Hour), "how long tasks stay queryable (OPENVOD_TASK_RETENTION)")
	fs.DurationVar(&c.Lease, "lease", envDur("LEASE", 30*time.Second), "how long a task stays claimed without a worker heartbeat (OPENVOD_LEASE)")
	fs.BoolVar(&c.NoRateLimit, "no-rate-limit", envBool("NO_RATE_LIMIT"), "turn off the API rate limits (OPENVOD_NO_RATE_LIMIT)")
	fs.StringVar(&c.RateLimits, "rate-limits", env("RATE_LIMITS", ""), "per-action limits in requests/second, e.g. DescribeTaskDetail=200,PullUpload=50 (OPENVOD_RATE_LIMITS)")
	fs.StringVar(&c.FFmpeg, "ffmpeg", env("FFMPEG", "ffmpeg"), "ffmpeg binary (OPENVOD_FFMPEG)")
	fs.StringVar(&c.FFprobe, "ffprobe", env("FFPROBE", "ffprobe"), "ffprobe binary (OPENVOD_FFPROBE)")
	fs.DurationVar(&c.EventRetry, "event-retry", envDur("EVENT_RETRY", 24*time.Hour), "how long a failing event callback is retried before it is given up (OPENVOD_EVENT_RETRY)")
	fs.DurationVar(&c.EventTimeout, "event-timeout", envDur("EVENT_TIMEOUT", 10*time.Second), "how long one event callback may take (OPENVOD_EVENT_TIMEOUT)")
	fs.DurationVar(&c.ExpireEvery, "expire-every", envDur("EXPIRE_EVERY", time.Minute), "how often media past their ExpireTime are deleted (OPENVOD_EXPIRE_EVERY)")
	fs.IntVar(&c.Nice, "nice", envInt("NICE", 10), "niceness of ffmpeg processes, so the API stays responsive under load (OPENVOD_NICE)")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (OPENVOD_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json (OPENVOD_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.SecretID, c.SecretKey = getenv("OPENVOD_SECRET_ID"), getenv("OPENVOD_SECRET_KEY")
	if v := getenv("OPENVOD_APP_ID"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil || id == 0 {
			return c, fmt.Errorf("OPENVOD_APP_ID must be a positive number, got %q", v)
		}
		c.AppID = id
	}
	return c, c.fill()
}

// fill derives the defaults that depend on other fields and validates.
func (c *Config) fill() error {
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return err
	}
	c.DataDir = abs
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "openvod.db")
	}
	if c.Blob == "" {
		c.Blob = "file://" + filepath.Join(c.DataDir, "media")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
		c.publicFromListen = true
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch {
	case c.Workers < 0:
		return errors.New("--workers must not be negative")
	case c.Role != "all" && c.Role != "api" && c.Role != "worker":
		return fmt.Errorf("--role must be all, api or worker, got %q", c.Role)
	case c.TaskRetention <= 0:
		return errors.New("--task-retention must be positive")
	case c.ExpireEvery <= 0:
		return errors.New("--expire-every must be positive, e.g. 1m")
	case (c.SecretID == "") != (c.SecretKey == ""):
		return errors.New("set both OPENVOD_SECRET_ID and OPENVOD_SECRET_KEY, or neither to have a key pair generated")
	}
	if _, err := c.limits(); err != nil {
		return err
	}
	return nil
}

// limits parses RateLimits.
func (c *Config) limits() (map[string]float64, error) {
	out := map[string]float64{}
	if c.RateLimits == "" {
		return out, nil
	}
	for _, kv := range strings.Split(c.RateLimits, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || n <= 0 {
			return nil, fmt.Errorf("--rate-limits: %q is not Action=N with N > 0", kv)
		}
		out[k] = n
	}
	return out, nil
}

func defaultEnv() func(string) string { return os.Getenv }

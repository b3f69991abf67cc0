package tcapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"time"
)

// DefaultMaxBodyBytes is the request size limit used when
// Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 10 << 20

// Account is the identity behind a SecretId.
type Account struct {
	// AppID is the numeric account the key belongs to; rate limits are
	// counted per AppID.
	AppID uint64
	// SecretID and SecretKey are the API key pair.
	SecretID  string
	SecretKey string
}

// KeyStore finds the account that owns a SecretId. It returns ok=false when
// the SecretId is unknown or disabled; both answer AuthFailure.SecretIdNotFound.
// It is called once per request and must be safe for concurrent use.
type KeyStore interface {
	LookupSecret(ctx context.Context, secretID string) (acct Account, ok bool)
}

// Config configures a [Server]. The zero value of each optional field
// selects the documented default.
type Config struct {
	// Version is the only accepted X-TC-Version (or v1 Version parameter),
	// e.g. "2018-07-17"; anything else answers NoSuchVersion. Required.
	Version string
	// Keys authenticates requests. Required.
	Keys KeyStore
	// Limits maps an action to the requests per second one account (AppID)
	// may make to it; a missing or zero entry means DefaultLimit.
	Limits map[string]float64
	// DefaultLimit is the per-account, per-action rate for actions missing
	// from Limits; zero or negative means unlimited.
	DefaultLimit float64
	// DisableLimits turns rate limiting off entirely.
	DisableLimits bool
	// MaxBodyBytes bounds the request body (and the query string); larger
	// requests answer RequestSizeLimitExceeded. Zero means
	// DefaultMaxBodyBytes (10 MiB).
	MaxBodyBytes int64
	// AllowUnknownFields accepts and ignores parameters the action's request
	// type does not have. By default they answer UnknownParameter, as the
	// real API does.
	AllowUnknownFields bool
	// Now is the clock used for signature freshness and rate limits.
	// Default time.Now.
	Now func() time.Time
	// Logger receives one debug record per request and error records for
	// internal failures. Default slog.Default().
	Logger *slog.Logger
	// Observe, when set, is called once per request with the action, the
	// error code ("" on success) and the time spent. The action is "" when
	// the request named no known action, which keeps label cardinality
	// bounded.
	Observe func(action, code string, d time.Duration)
}

// withDefaults returns a copy of c with defaults filled in.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Limits = maps.Clone(c.Limits) // the server reads it concurrently
	return c
}

// validate reports the first wrong field.
func (c *Config) validate() error {
	if c.Version == "" {
		return errors.New("tcapi: Config.Version is empty")
	}
	if c.Keys == nil {
		return errors.New("tcapi: Config.Keys is nil")
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("tcapi: Config.MaxBodyBytes is negative (%d)", c.MaxBodyBytes)
	}
	if math.IsNaN(c.DefaultLimit) {
		return errors.New("tcapi: Config.DefaultLimit is NaN")
	}
	for action, l := range c.Limits {
		if math.IsNaN(l) || l < 0 {
			return fmt.Errorf("tcapi: Config.Limits[%q] is %v, want a non-negative number", action, l)
		}
	}
	return nil
}

package tcapi

import (
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// maxBurst caps the token bucket size for absurdly high limits.
const maxBurst = 1 << 20

// limiterSet holds one token bucket per (AppID, action). Actions are
// checked to be known before limiting, so its size is bounded by
// accounts × known actions.
type limiterSet struct {
	mu sync.RWMutex
	m  map[limiterKey]*rate.Limiter
}

type limiterKey struct {
	appID  uint64
	action string
}

// limitFor returns the per-second rate for action; <= 0 means unlimited.
func (s *Server) limitFor(action string) float64 {
	if l := s.cfg.Limits[action]; l > 0 {
		return l
	}
	return s.cfg.DefaultLimit
}

// allow takes one token from the bucket of (appID, action).
func (ls *limiterSet) allow(s *Server, appID uint64, action string) bool {
	if s.cfg.DisableLimits {
		return true
	}
	l := s.limitFor(action)
	if l <= 0 || math.IsInf(l, 1) {
		return true
	}
	key := limiterKey{appID, action}
	ls.mu.RLock()
	lim := ls.m[key]
	ls.mu.RUnlock()
	if lim == nil {
		ls.mu.Lock()
		if lim = ls.m[key]; lim == nil {
			burst := int(math.Min(math.Ceil(l), maxBurst))
			if burst < 1 {
				burst = 1
			}
			lim = rate.NewLimiter(rate.Limit(l), burst)
			ls.m[key] = lim
		}
		ls.mu.Unlock()
	}
	return lim.AllowN(s.cfg.Now(), 1)
}

package events

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignIsHMACOverTimestampAndBody(t *testing.T) {
	t.Parallel()
	a := Sign("k", "100", []byte(`{"a":1}`))
	require.Len(t, a, 64)
	require.Equal(t, a, Sign("k", "100", []byte(`{"a":1}`)))
	require.NotEqual(t, a, Sign("k", "101", []byte(`{"a":1}`)), "the timestamp is signed")
	require.NotEqual(t, a, Sign("k", "100", []byte(`{"a":2}`)), "the body is signed")
	require.NotEqual(t, a, Sign("j", "100", []byte(`{"a":1}`)), "the key matters")
}

func TestPushBody(t *testing.T) {
	t.Parallel()
	stored := []byte(`{"EventHandle":null,"EventType":"PullComplete","PullCompleteEvent":{"TaskId":"x"}}`)
	b, err := pushBody(stored, "", time.Unix(1000, 0))
	require.NoError(t, err)
	require.JSONEq(t, `{"EventType":"PullComplete","PullCompleteEvent":{"TaskId":"x"}}`, string(b))

	b, err = pushBody(stored, "key", time.Unix(1000, 0))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, "1600", m["T"], "T is the expiry: now + 10 min")
	sum := md5.Sum([]byte("key1600"))
	require.Equal(t, hex.EncodeToString(sum[:]), m["Sign"], "Sign = md5(SignKey + T)")

	// Bodies of another shape take the decoding path and lose the handle.
	b, err = pushBody([]byte(`{"EventType":"X","EventHandle":"h"}`), "", time.Unix(1000, 0))
	require.NoError(t, err)
	require.JSONEq(t, `{"EventType":"X"}`, string(b))

	_, err = pushBody([]byte(`[1]`), "", time.Now())
	require.Error(t, err)
}

func TestBackoffDoublesWithJitterAndCap(t *testing.T) {
	t.Parallel()
	d, err := NewDispatcher(Config{DB: nil})
	require.Error(t, err)
	require.Nil(t, d)
	d = &Dispatcher{cfg: Config{Backoff: time.Second, MaxBackoff: 8 * time.Second}}
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 9: 8 * time.Second} {
		for range 50 {
			b := d.backoff(attempt)
			require.GreaterOrEqual(t, b, base/2, "attempt %d", attempt)
			require.LessOrEqual(t, b, base+base/2, "attempt %d", attempt)
		}
	}
}

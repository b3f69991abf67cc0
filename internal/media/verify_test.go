package media

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	e := setup(t)
	good := e.av(t, "good.mp4", "-movflags", "+faststart")
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	cut := write(t, e.dir, "cut.mp4", data[:len(data)*3/10])

	require.NoError(t, e.r.Verify(t.Context(), good))

	// The index is at the front, so the cut file probes as if whole...
	p, err := e.r.Probe(t.Context(), cut)
	require.NoError(t, err)
	require.InDelta(t, 2.0, p.Duration, 0.1)

	// ...and only decoding finds the missing data.
	err = e.r.Verify(t.Context(), cut)
	require.ErrorIs(t, err, ErrInvalidMedia)
	var ime *InvalidMediaError
	require.ErrorAs(t, err, &ime)
	require.True(t, strings.HasPrefix(ime.Reason, "decoding failed: "), ime.Reason)
	require.NotContains(t, ime.Reason, e.dir, "the reason must not leak local paths")
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	require.Equal(t, 1, xe.ExitCode)
	t.Logf("reason: %s", ime.Reason)
}

func TestVerifyInvalid(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cases := []struct {
		name   string
		path   string
		reason string
	}{
		{"empty", write(t, e.dir, "empty.mp4", nil), "empty file"},
		{"text", write(t, e.dir, "notes.txt", []byte("not a video\n")),
			"decoding failed: Invalid data found when processing input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := e.r.Verify(t.Context(), tc.path)
			var ime *InvalidMediaError
			require.ErrorAs(t, err, &ime)
			require.Equal(t, tc.reason, ime.Reason)
		})
	}

	err := e.r.Verify(t.Context(), filepath.Join(e.dir, "missing.mp4"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NotErrorIs(t, err, ErrInvalidMedia)
}

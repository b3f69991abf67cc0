package vod

import (
	"errors"
	"testing"

	"github.com/openvod/openvod/internal/media"
	"github.com/stretchr/testify/require"
)

func TestTrimPaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"ffmpeg input", "ffmpeg exited with status 1: /tmp/openvod/work/proc-12/source: Invalid data found when processing input",
			"ffmpeg exited with status 1: source: Invalid data found when processing input"},
		{"quoted", `probe '/data/media/1/ab/f0.mp4': no streams`, `probe 'f0.mp4': no streams`},
		{"two paths", "open /a/b/c.jpg and /d/e.png", "open c.jpg and e.png"},
		{"no path", "the source has no video", "the source has no video"},
		{"ratio is not a path", "scale 16/9 failed", "scale 16/9 failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, trimPaths(errors.New(tc.in)))
		})
	}
}

func TestCheckSVG(t *testing.T) {
	t.Parallel()
	ok := []string{
		`<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>`,
		`<svg><use href="#a"/><image href="data:image/png;base64,AAAA"/></svg>`,
	}
	for _, c := range ok {
		require.NoError(t, checkSVG(c), c)
	}
	bad := []string{
		`hello`,
		`<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>`,
		`<svg><image href="file:///etc/passwd"/></svg>`,
		`<svg><image xlink:href = 'http://10.0.0.1/x.png'/></svg>`,
	}
	for _, c := range bad {
		require.ErrorIs(t, checkSVG(c), media.ErrInvalidSpec, c)
	}
}

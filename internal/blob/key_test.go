package blob

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{
		"1500000001/5285890781234567890/f0.mp4",
		"a",
		"a.b/c..d/e.",
		"_staging/t1/seg-0.ts",
		"spaces and ünïcödé/ok.mp4",
		"x.attrs/y.mp4",
	} {
		require.NoError(t, ValidKey(key), key)
	}
	for _, key := range invalidKeys {
		require.ErrorIs(t, ValidKey(key), ErrInvalidKey, "%q", key)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, key, want string }{
		{"http://127.0.0.1:9000/files", "1500/52/f0.mp4", "http://127.0.0.1:9000/files/1500/52/f0.mp4"},
		{"http://127.0.0.1:9000/files/", "a/b.m3u8", "http://127.0.0.1:9000/files/a/b.m3u8"},
		{"https://cdn.example/", "dir with space/ü?#%.mp4", "https://cdn.example/dir%20with%20space/%C3%BC%3F%23%25.mp4"},
		{"", "a/b", "/a/b"},
	} {
		require.Equal(t, tc.want, URL(tc.base, tc.key))
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"a.mp4": "video/mp4", "a.m3u8": "application/vnd.apple.mpegurl", "a.ts": "video/mp2t",
		"a.mpd": "application/dash+xml", "a.m4s": "video/iso.segment", "a.jpg": "image/jpeg",
		"a.png": "image/png", "a.gif": "image/gif", "a.webp": "image/webp", "a.vtt": "text/vtt",
		"a.mp3": "audio/mpeg", "a.m4a": "audio/mp4", "a.aac": "audio/aac", "a.flv": "video/x-flv",
		"a.webm": "video/webm", "a.key": "application/octet-stream", "dir.mp4/a": "application/octet-stream",
		"A.MP4": "video/mp4", "a": "application/octet-stream",
	} {
		require.Equal(t, want, ContentType(key), key)
	}
}

func TestIsTempName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"v/f0.mp4.18b2c3d4e5f60718.tmp": true,
		"f0.mp4.1.tmp":                  true,
		"v/f0.tmp":                      false,
		"v/f0.mp4.xyz.tmp":              false,
		"v/.1a.tmp":                     false,
		"v/f0.mp4..tmp":                 false,
		"v/f0.mp4.1a.tmp/x":             false,
	} {
		require.Equal(t, want, isTempName(name), name)
	}
}

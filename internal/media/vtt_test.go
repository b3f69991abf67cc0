package media

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpriteVTT(t *testing.T) {
	t.Parallel()
	l := SpriteLayout{Columns: 2, Rows: 2, CellWidth: 142, CellHeight: 80, Interval: 10, Count: 5, Sheets: 2}
	got, err := SpriteVTT([]string{"https://cdn/a/0.jpg", "https://cdn/a/1.jpg"}, l, 45.5)
	require.NoError(t, err)
	require.Equal(t, `WEBVTT

00:00:00.000 --> 00:00:10.000
https://cdn/a/0.jpg#xywh=0,0,142,80

00:00:10.000 --> 00:00:20.000
https://cdn/a/0.jpg#xywh=142,0,142,80

00:00:20.000 --> 00:00:30.000
https://cdn/a/0.jpg#xywh=0,80,142,80

00:00:30.000 --> 00:00:40.000
https://cdn/a/0.jpg#xywh=142,80,142,80

00:00:40.000 --> 00:00:45.500
https://cdn/a/1.jpg#xywh=0,0,142,80
`, got)

	// Without a count, one thumbnail per started interval; the last cue
	// ends with the video, long times keep hours.
	l = SpriteLayout{Columns: 10, Rows: 10, CellWidth: 160, CellHeight: 90, Interval: 1800}
	got, err = SpriteVTT([]string{"s.jpg"}, l, 3*3600+0.25)
	require.NoError(t, err)
	require.Contains(t, got, "\n01:30:00.000 --> 02:00:00.000\ns.jpg#xywh=480,0,160,90\n")
	require.Contains(t, got, "\n03:00:00.000 --> 03:00:00.250\ns.jpg#xywh=960,0,160,90\n")

	_, err = SpriteVTT([]string{"only-one.jpg"}, SpriteLayout{Columns: 1, Rows: 1, CellWidth: 1, CellHeight: 1, Interval: 1, Count: 2}, 2)
	require.ErrorIs(t, err, ErrInvalidSpec)
	require.ErrorContains(t, err, "2 thumbnails need 2 sheets, got 1 URLs")
	_, err = SpriteVTT([]string{"s.jpg"}, SpriteLayout{Columns: 1, Rows: 1, CellWidth: 1, CellHeight: 1}, 2)
	require.ErrorIs(t, err, ErrInvalidSpec)
}

func TestVTTTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{
		0: "00:00:00.000", 1.5: "00:00:01.500", 59.9996: "00:01:00.000", 3725.042: "01:02:05.042", -1: "00:00:00.000",
	} {
		require.Equal(t, want, vttTime(in), "%v", in)
	}
}

func TestWriteHLSKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := []byte("0123456789abcdef")
	k, err := WriteHLSKey(dir, "k1", "https://vod.example/key?id=1", key, "0x000102030405060708090A0B0C0D0E0F")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "k1.key"), k.KeyFile)
	b, err := os.ReadFile(k.KeyFile)
	require.NoError(t, err)
	require.Equal(t, key, b)
	b, err = os.ReadFile(k.InfoFile)
	require.NoError(t, err)
	require.Equal(t, "https://vod.example/key?id=1\n"+k.KeyFile+"\n000102030405060708090a0b0c0d0e0f\n", string(b))

	k2, err := WriteHLSKey(dir, "k2", "/keys/2", nil, "")
	require.NoError(t, err)
	require.Len(t, k2.Key, HLSKeySize)
	require.NotEqual(t, make([]byte, HLSKeySize), k2.Key, "random")
	b, err = os.ReadFile(k2.InfoFile)
	require.NoError(t, err)
	require.Equal(t, "/keys/2\n"+k2.KeyFile+"\n", string(b))

	for name, call := range map[string]func() error{
		"short key": func() error { _, err := WriteHLSKey(dir, "x", "/k", []byte("short"), ""); return err },
		"bad IV":    func() error { _, err := WriteHLSKey(dir, "x", "/k", nil, "0x12"); return err },
		"no URI":    func() error { _, err := WriteHLSKey(dir, "x", "", nil, ""); return err },
		"URI break": func() error { _, err := WriteHLSKey(dir, "x", "/k\n/etc/passwd", nil, ""); return err },
		"hex not IV": func() error {
			_, err := WriteHLSKey(dir, "x", "/k", nil, "zz0102030405060708090a0b0c0d0e0f")
			return err
		},
	} {
		require.ErrorIs(t, call(), ErrInvalidSpec, name)
	}
}

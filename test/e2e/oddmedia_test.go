package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// oddProbe is what the odd-media checks read from ffprobe.
type oddProbe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		PixFmt    string `json:"pix_fmt"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func probeOdd(t *testing.T, path string) oddProbe {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path).Output()
	require.NoError(t, err, path)
	var p oddProbe
	require.NoError(t, json.Unmarshal(out, &p))
	return p
}

// video returns the first video stream's codec and size ("" when none).
func (p oddProbe) video() (codec, pixFmt string, w, h int) {
	for _, s := range p.Streams {
		if s.CodecType == "video" {
			return s.CodecName, s.PixFmt, s.Width, s.Height
		}
	}
	return "", "", 0, 0
}

func (p oddProbe) has(kind string) bool {
	for _, s := range p.Streams {
		if s.CodecType == kind {
			return true
		}
	}
	return false
}

func (p oddProbe) duration() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return d
}

// oddBag is the subtask bag every odd source goes through: a transcode, a
// snapshot at 500 ms, a sprite sheet and a GIF.
func oddBag(snapshotMS int) map[string]any {
	return map[string]any{
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}},
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{snapshotMS}}},
		"ImageSpriteTaskSet":          []any{map[string]any{"Definition": 10}},
		"AnimatedGraphicTaskSet":      []any{map[string]any{"Definition": 20000, "StartTimeOffset": 0, "EndTimeOffset": 1}},
	}
}

// oddOutputs holds one finished task's subtasks and local copies of the
// outputs that succeeded, probed.
type oddOutputs struct {
	subs      map[string]map[string]any
	transcode *oddProbe
	snapshot  *oddProbe
	sprite    *oddProbe
	gif       *oddProbe
}

func runOdd(t *testing.T, s *server, fileID string, snapshotMS int) oddOutputs {
	t.Helper()
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": oddBag(snapshotMS)})
	out := oddOutputs{subs: map[string]map[string]any{}}
	dir := t.TempDir()
	for typ, list := range subtasks(t, d) {
		require.Len(t, list, 1, typ)
		r := list[0]
		out.subs[typ] = r
		st := r["Status"].(string)
		require.Contains(t, []string{"SUCCESS", "FAIL"}, st, "%s ended %s", typ, st)
		if st == "FAIL" {
			require.NotZero(t, r["ErrCode"], typ)
			require.NotEmpty(t, r["Message"], typ)
			require.NotEqual(t, "SUCCESS", r["Message"], typ)
			require.NotContains(t, r["Message"], s.DataDir, "%s: no local paths for clients", typ)
			t.Logf("%s FAIL %v: %v", typ, r["ErrCode"], r["Message"])
			continue
		}
		o := r["Output"].(map[string]any)
		var url string
		switch typ {
		case "Transcode", "AnimatedGraphics":
			url = o["Url"].(string)
		case "SnapshotByTimeOffset":
			url = o["PicInfoSet"].([]any)[0].(map[string]any)["Url"].(string)
		case "ImageSprites":
			url = o["ImageUrlSet"].([]any)[0].(string)
		}
		sub := filepath.Join(dir, typ)
		require.NoError(t, os.MkdirAll(sub, 0o755))
		p := probeOdd(t, fetch(t, sub, url))
		switch typ {
		case "Transcode":
			out.transcode = &p
		case "SnapshotByTimeOffset":
			out.snapshot = &p
		case "ImageSprites":
			out.sprite = &p
		case "AnimatedGraphics":
			out.gif = &p
		}
	}
	return out
}

func (o oddOutputs) status(typ string) string { return o.subs[typ]["Status"].(string) }

// requireAllImagesOK checks the snapshot, sprite and GIF succeeded with
// sane pictures.
func (o oddOutputs) requireImages(t *testing.T) {
	t.Helper()
	for _, typ := range []string{"SnapshotByTimeOffset", "ImageSprites", "AnimatedGraphics"} {
		require.Equal(t, "SUCCESS", o.status(typ), "%s: %v", typ, o.subs[typ]["Message"])
	}
	c, _, w, h := o.snapshot.video()
	require.Equal(t, "mjpeg", c)
	require.Positive(t, w)
	require.Positive(t, h)
	c, _, _, _ = o.gif.video()
	require.Equal(t, "gif", c)
	_, _, w, _ = o.sprite.video()
	require.Positive(t, w)
}

// requireTranscode checks the H.264 rendition: even dimensions, 8-bit, a
// duration close to want.
func (o oddOutputs) requireTranscode(t *testing.T, want float64) (w, h int) {
	t.Helper()
	require.Equal(t, "SUCCESS", o.status("Transcode"), o.subs["Transcode"]["Message"])
	c, pix, w, h := o.transcode.video()
	require.Equal(t, "h264", c)
	require.Equal(t, "yuv420p", pix, "players want 8-bit 4:2:0")
	require.Zero(t, w%2, "width %d", w)
	require.Zero(t, h%2, "height %d", h)
	require.InDelta(t, want, o.transcode.duration(), 0.35)
	return w, h
}

// audioOnly checks a task on a source without video: the pictures fail
// saying so, the transcode keeps the sound as an audio-only rendition.
func audioOnly(t *testing.T, o oddOutputs) {
	for _, typ := range []string{"SnapshotByTimeOffset", "ImageSprites", "AnimatedGraphics"} {
		require.Equal(t, "FAIL", o.status(typ), typ)
		require.Contains(t, o.subs[typ]["Message"], "the source has no video", typ)
	}
	require.Equal(t, "SUCCESS", o.status("Transcode"), o.subs["Transcode"]["Message"])
	require.True(t, o.transcode.has("audio"))
	require.False(t, o.transcode.has("video"))
	require.InDelta(t, 3, o.transcode.duration(), 0.3)
}

// ingestFile pulls a local file into the server and returns its FileId.
func ingestFile(t *testing.T, s *server, path string) string {
	t.Helper()
	srv := mediaServer(t, filepath.Dir(path))
	return *pullMedia(t, s.client(), srv.URL+"/"+filepath.Base(path), nil).FileId
}

func TestOddMediaProcessing(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := func(d string) []string {
		return []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=" + d}
	}
	tone := func(d string) []string { return []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=" + d} }
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "25"}
	join := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name  string
		make  func(t *testing.T, dir string) string // writes the source, returns its path
		snap  int
		check func(t *testing.T, o oddOutputs)
	}{
		{name: "audio only m4a", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "a.m4a")
			ffmpeg(t, join(tone("3"), []string{"-c:a", "aac", p})...)
			return p
		}, check: audioOnly},
		{name: "audio only mp3", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "a.mp3")
			ffmpeg(t, join(tone("3"), []string{"-c:a", "libmp3lame", p})...)
			return p
		}, check: audioOnly},
		{name: "video only", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "v.mp4")
			ffmpeg(t, join(src("3"), x264, []string{p})...)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			w, h := o.requireTranscode(t, 3)
			require.Equal(t, []int{320, 240}, []int{w, h})
			require.False(t, o.transcode.has("audio"))
			o.requireImages(t)
		}},
		{name: "rotated 90", snap: 500, make: func(t *testing.T, dir string) string {
			// ffmpeg 5.1 writes the display matrix only when it copies
			// the stream, so tag the encoded file in a second pass.
			plain, p := filepath.Join(dir, "plain.mp4"), filepath.Join(dir, "r.mp4")
			ffmpeg(t, join(src("2"), tone("2"), x264, []string{"-c:a", "aac", "-shortest", plain})...)
			ffmpeg(t, "-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", p)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			w, h := o.requireTranscode(t, 2)
			require.Equal(t, []int{240, 320}, []int{w, h}, "upright portrait")
			o.requireImages(t)
			_, _, w, h = o.snapshot.video()
			require.Equal(t, []int{240, 320}, []int{w, h}, "snapshot upright")
			_, _, w, h = o.gif.video()
			require.Less(t, w, h, "GIF upright")
		}},
		{name: "odd size 161x97", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "odd.mp4")
			ffmpeg(t, join([]string{"-f", "lavfi", "-i", "testsrc2=size=161x97:rate=25:duration=2"}, tone("2"),
				[]string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", "-c:a", "aac", "-shortest", p})...)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			w, h := o.requireTranscode(t, 2)
			require.InDelta(t, 161, w, 1)
			require.InDelta(t, 97, h, 1)
			o.requireImages(t)
		}},
		{name: "tiny 32x18", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "tiny.mp4")
			ffmpeg(t, join([]string{"-f", "lavfi", "-i", "testsrc2=size=32x18:rate=25:duration=2"}, x264, []string{p})...)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			w, h := o.requireTranscode(t, 2)
			require.Equal(t, []int{32, 18}, []int{w, h})
			o.requireImages(t)
		}},
		{name: "variable frame rate", snap: 500, make: func(t *testing.T, dir string) string {
			// 1 s at 25 fps then 2 s at 10 fps, one stream (concat filter).
			p := filepath.Join(dir, "vfr.mp4")
			ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
				"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=2",
				"-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-fps_mode", "vfr",
				"-c:v", "libx264", "-preset", "ultrafast", p)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			o.requireTranscode(t, 3)
			o.requireImages(t)
		}},
		{name: "10-bit", snap: 500, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "hi10.mp4")
			ffmpeg(t, join(src("2"), []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-profile:v", "high10", p})...)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			o.requireTranscode(t, 2)
			o.requireImages(t)
		}},
		{name: "very short", snap: 100, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "short.mp4")
			ffmpeg(t, join(src("0.4"), tone("0.4"), x264, []string{"-c:a", "aac", "-shortest", p})...)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			o.requireTranscode(t, 0.4)
			o.requireImages(t)
		}},
		{name: "snapshot beyond the end", snap: 5000, make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "s.mp4")
			makeMP4(t, p, 2)
			return p
		}, check: func(t *testing.T, o oddOutputs) {
			require.Equal(t, "FAIL", o.status("SnapshotByTimeOffset"))
			require.Contains(t, o.subs["SnapshotByTimeOffset"]["Message"], "duration")
			o.requireTranscode(t, 2)
			for _, typ := range []string{"ImageSprites", "AnimatedGraphics"} {
				require.Equal(t, "SUCCESS", o.status(typ), "%s: %v", typ, o.subs[typ]["Message"])
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fileID := ingestFile(t, s, tc.make(t, t.TempDir()))
			tc.check(t, runOdd(t, s, fileID, tc.snap))
		})
	}
}

// TestOddMediaBrokenIngest: a file that stops decoding halfway (the
// first 60 % of a faststart MP4, or one with zeros over its middle) never
// becomes a media: ingest decodes it whole and refuses it with a clear
// message, so no processing task ever meets it.
func TestOddMediaBrokenIngest(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	full := filepath.Join(dir, "full.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "sine=duration=4",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart", full)
	b, err := os.ReadFile(full)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cut.mp4"), b[:len(b)*6/10], 0o644))
	zeroed := append([]byte(nil), b...)
	mid := len(zeroed) / 2
	clear(zeroed[mid : mid+8192])
	require.NoError(t, os.WriteFile(filepath.Join(dir, "zeroed.mp4"), zeroed, 0o644))
	srv := mediaServer(t, dir)
	c := s.client()
	for _, name := range []string{"cut.mp4", "zeroed.mp4"} {
		t.Run(name, func(t *testing.T) {
			p := waitTask(t, c, pull(t, c, srv.URL+"/"+name, nil), nil).Response.PullUploadTask
			t.Logf("refused: %d %s", *p.ErrCode, *p.Message)
			require.Equal(t, int64(60000), *p.ErrCode)
			require.Contains(t, *p.Message, "not usable media")
			require.Empty(t, *p.FileId)
		})
	}
}

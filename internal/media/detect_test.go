package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func detectTestParams() DetectParams {
	return DetectParams{Input: "/in/a.mp4", Video: true, Audio: true,
		Black: true, BlackMinDuration: 0.5, BlackPixelRatio: 0.98, BlackPixelThreshold: 0.1,
		Freeze: true, FreezeMinDuration: 0.5, FreezeNoiseDB: -60,
		Blur: true, Luma: true, Crop: true, CropLimit: 24, StatsFPS: 4,
		Silence: true, SilenceMinDuration: 0.5, SilenceNoiseDB: -60, Loudness: true,
		EventLog: "/w/ev.txt", StatsLog: "/w/st.txt", AudioLog: "/w/au.txt"}
}

func TestDetectArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(p *DetectParams)
		graph []string
		maps  []string
	}{
		{"all", func(*DetectParams) {}, []string{
			"[0:v:0]format=yuv420p,blackdetect=d=0.5:pic_th=0.98:pix_th=0.1,freezedetect=n=-60dB:d=0.5,split[ve][vs]",
			"[ve]metadata=mode=print:file=/w/ev.txt[v]",
			"[vs]fps=4,blurdetect,signalstats,cropdetect=limit=24:round=2:skip=0:reset=1,metadata=mode=print:file=/w/st.txt[s]",
			"[0:a:0]ebur128=metadata=1,silencedetect=n=-60dB:d=0.5,ametadata=mode=print:file=/w/au.txt[a]",
		}, []string{"[v]", "[s]", "[a]"}},
		{"video events only", func(p *DetectParams) { p.Audio, p.Blur, p.Luma, p.Crop = false, false, false, false }, []string{
			"[0:v:0]format=yuv420p,blackdetect=d=0.5:pic_th=0.98:pix_th=0.1,freezedetect=n=-60dB:d=0.5,metadata=mode=print:file=/w/ev.txt[v]",
		}, []string{"[v]"}},
		{"stats and silence", func(p *DetectParams) {
			p.Black, p.Freeze, p.Blur, p.Luma, p.Loudness = false, false, false, false, false
		}, []string{
			"[0:v:0]format=yuv420p,fps=4,cropdetect=limit=24:round=2:skip=0:reset=1,metadata=mode=print:file=/w/st.txt[s]",
			"[0:a:0]silencedetect=n=-60dB:d=0.5,ametadata=mode=print:file=/w/au.txt[a]",
		}, []string{"[s]", "[a]"}},
		{"audio only", func(p *DetectParams) { p.Video = false }, []string{
			"[0:a:0]ebur128=metadata=1,silencedetect=n=-60dB:d=0.5,ametadata=mode=print:file=/w/au.txt[a]",
		}, []string{"[a]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := detectTestParams()
			c.edit(&p)
			args, err := DetectArgs(p)
			require.NoError(t, err)
			want := []string{"-protocol_whitelist", "file,crypto,data", "-i", "/in/a.mp4", "-filter_complex", strings.Join(c.graph, ";")}
			for _, m := range c.maps {
				want = append(want, "-map", m)
			}
			require.Equal(t, append(want, "-f", "null", "-"), args)
		})
	}
}

func TestDetectArgsRejects(t *testing.T) {
	t.Parallel()
	p := detectTestParams()
	p.Video, p.Audio = false, false
	_, err := DetectArgs(p)
	require.ErrorContains(t, err, "no detector")

	p = detectTestParams()
	p.StatsLog = "/w/a:b.txt" // ':' separates filter options
	_, err = DetectArgs(p)
	require.ErrorContains(t, err, "filter graph")
	p = detectTestParams()
	p.Blur, p.Luma, p.Crop = false, false, false
	p.StatsLog = "/w/[x].txt" // unused, so not checked
	_, err = DetectArgs(p)
	require.NoError(t, err)
}

// Logs as ffmpeg 5.1's metadata printers write them (trimmed).
const (
	detectEventLog = `frame:50   pts:25600   pts_time:2
lavfi.black_start=2
frame:75   pts:38400   pts_time:3
lavfi.freezedetect.freeze_start=2
frame:76   pts:38912   pts_time:3.04
lavfi.black_end=3.04
lavfi.freezedetect.freeze_duration=1.04
lavfi.freezedetect.freeze_end=3.04
frame:127  pts:65024   pts_time:5.08
lavfi.freezedetect.freeze_start=4.08
frame:140  pts:71680   pts_time:5.6
lavfi.black_start=5.6
`
	detectStatsLog = `frame:0    pts:0       pts_time:0
lavfi.blur=4.683698
lavfi.signalstats.YAVG=122.091
lavfi.cropdetect.x1=0
lavfi.cropdetect.x2=319
lavfi.cropdetect.y1=30
lavfi.cropdetect.y2=209
frame:1    pts:1       pts_time:0.25
lavfi.blur=-nan
lavfi.signalstats.YAVG=16
lavfi.cropdetect.x1=319
lavfi.cropdetect.x2=0
lavfi.cropdetect.y1=239
lavfi.cropdetect.y2=0
frame:2    pts:2       pts_time:0.5
lavfi.blur=11.5
lavfi.signalstats.YAVG=120
lavfi.cropdetect.x1=2
lavfi.cropdetect.x2=317
lavfi.cropdetect.y1=28
lavfi.cropdetect.y2=205
`
	detectAudioLog = `frame:0    pts:0       pts_time:0
lavfi.r128.M=-120.691
lavfi.r128.I=-70.000
frame:10   pts:44100   pts_time:1
lavfi.r128.I=-21.5
lavfi.silence_start=1.00748
frame:20   pts:88200   pts_time:2
lavfi.r128.I=-22.036
lavfi.silence_end=2.01848
lavfi.silence_duration=0.996689
frame:50   pts:220500  pts_time:5
lavfi.silence_start=5.5
`
)

func TestDetectParseLogs(t *testing.T) {
	t.Parallel()
	d := &Detection{}
	require.NoError(t, parseVideoEvents(strings.NewReader(detectEventLog), d, 6))
	require.Equal(t, []Interval{{2, 3.04}, {5.6, 6}}, d.Black)
	require.Equal(t, []Interval{{2, 3.04}, {4.08, 6}}, d.Freeze)

	require.NoError(t, parseVideoStats(strings.NewReader(detectStatsLog), d, 6))
	require.Equal(t, []Sample{{0, 4.683698}, {0.5, 11.5}}, d.Blur) // -nan (a black frame) is no value
	require.Equal(t, []Sample{{0, 122.091}, {0.25, 16}, {0.5, 120}}, d.Luma)
	require.True(t, d.ContentOK)
	require.Equal(t, Rect{0, 28, 319, 209}, d.Content) // the empty box of the black frame is skipped
	require.Equal(t, 320, d.Content.Width())
	require.Equal(t, 182, d.Content.Height())

	require.NoError(t, parseAudio(strings.NewReader(detectAudioLog), d, 6))
	require.Equal(t, []Interval{{1.00748, 2.01848}, {5.5, 6}}, d.Silence)
	require.True(t, d.LoudnessOK)
	require.InDelta(t, -22.036, d.Loudness, 1e-9)

	empty := &Detection{}
	require.NoError(t, parseAudio(strings.NewReader("frame:0 pts:0 pts_time:0\nlavfi.r128.I=-70.000\n"), empty, 6))
	require.False(t, empty.LoudnessOK) // ebur128's gate value: nothing measured
	require.Equal(t, []Interval{}, empty.Silence)
}

func TestDetectStaticAnalyzer(t *testing.T) {
	t.Parallel()
	const w, h = 40, 30
	a := newStaticAnalyzer(w, h)
	for n := range 8 {
		f := make([]byte, w*h)
		for i := range f {
			f[i] = byte((i*37 + n*91) % 251) // every pixel changes from frame to frame
		}
		for y := 3; y <= 6; y++ { // a still 6x4 logo at x=30..35, y=3..6
			for x := 30; x <= 35; x++ {
				f[y*w+x] = 235
			}
		}
		a.add(f)
	}
	box, ok := a.region()
	require.True(t, ok)
	require.Equal(t, Rect{30, 3, 35, 6}, box)

	still := newStaticAnalyzer(w, h)
	for range 5 {
		still.add(make([]byte, w*h))
	}
	_, ok = still.region()
	require.False(t, ok, "a still picture has no overlay to tell apart")
}

func TestDetectStaticArgs(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"-protocol_whitelist", "file,crypto,data", "-i", "/in/a.mp4", "-map", "0:v:0",
		"-vf", "fps=4,scale=160:120:flags=area,format=gray", "-frames:v", "24", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"},
		StaticFrameArgs(StaticParams{Input: "/in/a.mp4", Width: 160, Height: 120, Frames: 24, Duration: 6}))
}

func TestDetectDelogoArgs(t *testing.T) {
	t.Parallel()
	x, y, w, h, ok := ClampDelogo(-3, 0, 50, 20, 320, 240)
	require.True(t, ok)
	require.Equal(t, []int{1, 1, 46, 19}, []int{x, y, w, h})
	x, y, w, h, ok = ClampDelogo(300, 230, 40, 40, 320, 240)
	require.True(t, ok)
	require.Equal(t, []int{300, 230, 19, 9}, []int{x, y, w, h})
	_, _, _, _, ok = ClampDelogo(330, 10, 10, 10, 320, 240)
	require.False(t, ok)

	base := []string{"-protocol_whitelist", "file,crypto,data", "-i", "/in/a.mov", "-map", "0:v:0",
		"-vf", "delogo=x=238:y=8:w=64:h=34", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"}
	tail := []string{"-movflags", "+faststart", "-f", "mp4", "/w/out.mp4"}
	p := DelogoParams{Input: "/in/a.mov", Output: "/w/out.mp4", X: 238, Y: 8, W: 64, H: 34, FrameWidth: 320, FrameHeight: 240}
	join := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	require.Equal(t, join(base, []string{"-an"}, tail), DelogoArgs(p))
	p.Audio, p.CopyAudio = true, true
	require.Equal(t, join(base, []string{"-map", "0:a:0", "-c:a", "copy"}, tail), DelogoArgs(p))
	p.CopyAudio = false
	require.Equal(t, join(base, []string{"-map", "0:a:0", "-c:a", "aac", "-b:a", "128k"}, tail), DelogoArgs(p))
}

func TestDetectRemuxArgs(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"-protocol_whitelist", "file,crypto,data", "-i", "/s/index.m3u8", "-map", "0:v:0", "-map", "0:a:0?",
		"-c", "copy", "-movflags", "+faststart", "-f", "mp4", "/w/copy.mp4"}, RemuxMP4Args("/s/index.m3u8", "/w/copy.mp4"))
}

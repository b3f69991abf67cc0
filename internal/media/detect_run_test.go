package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// detectSource is 6 s of 320x240 testsrc2 and a 440 Hz tone with black
// frames at 2–3 s, a frozen picture at 4–5 s and silence at 1–2 s.
var detectSource = []string{"-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i", "sine=f=440:d=6",
	"-filter_complex", "[0:v]split=3[a][b][c];[a]trim=0:4,setpts=PTS-STARTPTS[a1];" +
		"[b]trim=start_frame=100:end_frame=101,loop=loop=24:size=1,setpts=N/25/TB[b1];" +
		"[c]trim=5:6,setpts=PTS-STARTPTS[c1];[a1][b1][c1]concat=n=3:v=1:a=0," +
		"drawbox=c=black:t=fill:enable='between(t,2,3)'[v];[1:a]volume=0:enable='between(t,1,2)'[a]",
	"-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"}

func TestDetectRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.make(t, "q.mp4", detectSource)
	p := detectTestParams()
	p.Input, p.EventLog, p.StatsLog, p.AudioLog = src, e.path("ev.txt"), e.path("st.txt"), e.path("au.txt")
	p.BlackMinDuration, p.FreezeMinDuration, p.SilenceMinDuration = 0.3, 0.3, 0.3
	d, err := e.r.Detect(t.Context(), p, 6, nil)
	require.NoError(t, err)
	require.Len(t, d.Black, 1)
	require.InDelta(t, 2, d.Black[0].Start, 0.1)
	require.InDelta(t, 3, d.Black[0].End, 0.1)
	require.Len(t, d.Freeze, 2) // black frames are frozen too
	require.InDelta(t, 4, d.Freeze[1].Start, 0.15)
	require.InDelta(t, 5, d.Freeze[1].End, 0.15)
	require.Len(t, d.Silence, 1)
	require.InDelta(t, 1, d.Silence[0].Start, 0.1)
	require.InDelta(t, 2, d.Silence[0].End, 0.1)
	require.InDelta(t, 24, len(d.Blur), 4) // 4 a second, minus the black ones
	require.Len(t, d.Luma, 24)
	require.Equal(t, Rect{0, 0, 319, 239}, d.Content)
	require.True(t, d.LoudnessOK)
	require.InDelta(t, -22, d.Loudness, 3)
}

func TestDetectStaticRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	moving := []string{"-f", "lavfi", "-i", "testsrc2=s=640x480:r=25:d=4", "-vf", "crop=320:240:x='t*70':y='t*50'"}
	logo := e.make(t, "logo.mp4", moving[:4], []string{"-vf", "crop=320:240:x='t*70':y='t*50',drawbox=x=240:y=10:w=60:h=30:c=white:t=fill"}, x264)
	box, ok, err := e.r.StaticRegion(t.Context(), StaticParams{Input: logo, Width: 160, Height: 120, Frames: 16, Duration: 4})
	require.NoError(t, err)
	require.True(t, ok)
	require.InDelta(t, 120, box.X1, 1)
	require.InDelta(t, 5, box.Y1, 1)
	require.InDelta(t, 149, box.X2, 1)
	require.InDelta(t, 19, box.Y2, 1)

	// A logo on a black bar: the still bar must not swallow it.
	barred := e.make(t, "barred.mp4", moving[:4], []string{"-vf",
		"crop=320:180:x='t*70':y='t*50',pad=320:240:0:30:black,drawbox=x=240:y=4:w=60:h=16:c=white:t=fill"}, x264)
	box, ok, err = e.r.StaticRegion(t.Context(), StaticParams{Input: barred, Width: 160, Height: 120, Frames: 16, Duration: 4})
	require.NoError(t, err)
	require.True(t, ok)
	// The outline reaches a pixel or two into the still bar around it.
	for i, v := range []int{box.X1, box.Y1, box.X2, box.Y2} {
		require.InDelta(t, []int{120, 2, 149, 9}[i], v, 2, "%+v", box)
	}

	plain := e.make(t, "plain.mp4", moving, x264)
	_, ok, err = e.r.StaticRegion(t.Context(), StaticParams{Input: plain, Width: 160, Height: 120, Frames: 16, Duration: 4})
	require.NoError(t, err)
	require.False(t, ok)
}

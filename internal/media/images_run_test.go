package media

import (
	"fmt"
	"image/gif"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSnapshotsRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "rotated") // displayed 240x320
	shots := []Snapshot{
		{At: 0, Path: e.path("s0.jpg")},
		{At: 1.234, Path: e.path("s1.jpg")},
		{At: 1.99, Path: e.path("s2.jpg")}, // after the last frame (1.96): takes it
		{At: 2, Path: e.path("s3.jpg")},    // the end itself, as a 100 % cover asks
	}
	plans, err := PlanSnapshots(src, shots, ImageSpec{Scale: Scale{Height: 160, ResolutionAdaptive: true}}, p)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	e.run(t, plans[0])
	for i, s := range shots {
		format, w, h := imageSize(t, s.Path)
		require.Equal(t, "jpeg", format)
		require.Equal(t, 160, w, s.Path)
		require.Equal(t, 213, h, s.Path) // 240x320 at short side 160, images need not be even
		require.Equal(t, Output{Path: s.Path, Width: 160, Height: 213, Video: true, Offset: plans[0].Outputs[i].Offset}, plans[0].Outputs[i])
	}
	require.InDelta(t, 1.234, plans[0].Outputs[1].Offset, 1e-9)
	require.InDelta(t, 1.959, plans[0].Outputs[2].Offset, 1e-9)

	_, err = PlanSnapshots(src, []Snapshot{{At: 1, Path: e.path("ok.jpg")}, {At: 2.5, Path: e.path("late.jpg")}}, ImageSpec{}, p)
	require.ErrorIs(t, err, ErrOffsetBeyondDuration)
	require.ErrorContains(t, err, "snapshot 1")

	audio, pa := e.source(t, "audio")
	_, err = PlanSnapshots(audio, []Snapshot{{At: 1, Path: e.path("a.jpg")}}, ImageSpec{}, pa)
	require.ErrorIs(t, err, ErrNoStream)
}

// TestCoverRun takes a cover, a PNG of the source size, half way through.
func TestCoverRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	plans, err := PlanSnapshots(src, []Snapshot{{At: p.VideoDuration * 50 / 100, Path: e.path("cover.png")}}, ImageSpec{Format: "png"}, p)
	require.NoError(t, err)
	e.run(t, plans[0])
	format, w, h := imageSize(t, e.path("cover.png"))
	require.Equal(t, "png", format)
	require.Equal(t, 320, w)
	require.Equal(t, 240, h)
}

func TestSampleSnapshotsRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	cases := []struct {
		name     string
		sampling Sampling
		want     int
	}{
		{"every 25 percent", Sampling{Type: SamplePercent, Interval: 25}, 4}, // 0, 0.5, 1, 1.5 s
		{"every 0.3 s", Sampling{Type: SampleTime, Interval: 0.3}, 7},        // 0 .. 1.8 s
		{"every 10 s", Sampling{Interval: 10}, 1},                            // the first frame
	}
	for i, tc := range cases {
		pattern := e.path(fmt.Sprintf("sample%d_%%d.jpg", i))
		plan, err := PlanSampleSnapshots(src, SampleSpec{Pattern: pattern, Sampling: tc.sampling,
			Image: ImageSpec{Scale: Scale{Width: 100, Height: 100, Fill: FillStretch}}}, p)
		require.NoError(t, err)
		e.run(t, plan)
		files, err := SequenceFiles(pattern)
		require.NoError(t, err)
		require.Len(t, files, tc.want, tc.name)
		_, w, h := imageSize(t, files[len(files)-1])
		require.Equal(t, 100, w, tc.name)
		require.Equal(t, 100, h, tc.name)
	}
}

func TestSpritesRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	pattern := e.path("sprite_%d.jpg")
	plan, layout, err := PlanSprites(src, SpriteSpec{
		Pattern:  pattern,
		Image:    ImageSpec{Scale: Scale{Width: 64, Height: 48, Fill: FillStretch}},
		Sampling: Sampling{Type: SampleTime, Interval: 0.3},
		Columns:  3, Rows: 2,
	}, p)
	require.NoError(t, err)
	require.Equal(t, SpriteLayout{Columns: 3, Rows: 2, CellWidth: 64, CellHeight: 48, Interval: 0.3, Count: 7, Sheets: 2}, layout)
	e.run(t, plan)
	sheets, err := SequenceFiles(pattern)
	require.NoError(t, err)
	require.Len(t, sheets, layout.Sheets)
	for _, s := range sheets {
		_, w, h := imageSize(t, s)
		require.Equal(t, 3*64, w)
		require.Equal(t, 2*48, h)
	}
	require.Equal(t, 192, plan.Outputs[0].Width)

	vtt, err := SpriteVTT([]string{"https://cdn.example/s_0.jpg", "https://cdn.example/s_1.jpg"}, layout, p.VideoDuration)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(vtt), "\n")
	require.Equal(t, "WEBVTT", lines[0])
	require.Len(t, lines, 1+7*3)
	require.Equal(t, []string{"", "00:00:00.000 --> 00:00:00.300", "https://cdn.example/s_0.jpg#xywh=0,0,64,48"}, lines[1:4])
	require.Equal(t, []string{"", "00:00:01.500 --> 00:00:01.800", "https://cdn.example/s_0.jpg#xywh=128,48,64,48"}, lines[16:19])
	require.Equal(t, []string{"", "00:00:01.800 --> 00:00:02.000", "https://cdn.example/s_1.jpg#xywh=0,0,64,48"}, lines[19:22])
}

func TestAnimationRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")

	plan, err := PlanAnimation(src, AnimationSpec{Path: e.path("a.gif"), Fps: 5, Start: 0.5, End: 1.5,
		Scale: Scale{Width: 160, ResolutionAdaptive: true}}, p)
	require.NoError(t, err)
	e.run(t, plan)
	f, err := os.Open(e.path("a.gif"))
	require.NoError(t, err)
	defer f.Close()
	g, err := gif.DecodeAll(f)
	require.NoError(t, err)
	require.Len(t, g.Image, 5)
	require.Equal(t, 160, g.Config.Width)
	require.Equal(t, 120, g.Config.Height)
	require.Equal(t, 0, g.LoopCount, "loops forever")
	require.Equal(t, 20, g.Delay[0], "1/5 s per frame")

	plan, err = PlanAnimation(src, AnimationSpec{Path: e.path("a.webp"), Format: "webp", Fps: 10, Start: -1}, p)
	require.NoError(t, err)
	e.run(t, plan)
	require.Equal(t, 10, webpFrames(t, e.path("a.webp")))
	require.Equal(t, Output{Path: e.path("a.webp"), Width: 320, Height: 240, Video: true, Fps: 10}, plan.Outputs[0])

	_, err = PlanAnimation(src, AnimationSpec{Path: e.path("late.gif"), Fps: 5, Start: 3, End: 4}, p)
	require.ErrorIs(t, err, ErrOffsetBeyondDuration)
}

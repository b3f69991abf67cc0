package media

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlanSnapshotsArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	plans, err := PlanSnapshots("/w/in.mp4", []Snapshot{
		{At: 0, Path: "/w/0.jpg"},
		{At: 10.5, Path: "/w/1.jpg"},
		{At: 59.99, Path: "/w/2.jpg"},
	}, ImageSpec{Scale: Scale{Width: 640, ResolutionAdaptive: true}}, hd)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	require.Equal(t, slices.Concat(
		input("/w/in.mp4"),
		[]string{"-ss", "10.5"}, input("/w/in.mp4"),
		[]string{"-ss", "59.959"}, input("/w/in.mp4"),
		[]string{"-filter_complex", "[0:0]scale=640:360,setsar=1[s0];[1:0]scale=640:360,setsar=1[s1];[2:0]scale=640:360,setsar=1[s2]"},
		[]string{"-map", "[s0]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-f", "image2", "-update", "1", "/w/0.jpg"},
		[]string{"-map", "[s1]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-f", "image2", "-update", "1", "/w/1.jpg"},
		[]string{"-map", "[s2]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-f", "image2", "-update", "1", "/w/2.jpg"},
	), plans[0].Args)
	require.Equal(t, []Output{
		{Path: "/w/0.jpg", Width: 640, Height: 360, Video: true, Offset: 0},
		{Path: "/w/1.jpg", Width: 640, Height: 360, Video: true, Offset: 10.5},
		{Path: "/w/2.jpg", Width: 640, Height: 360, Video: true, Offset: 59.959},
	}, plans[0].Outputs)

	var shots []Snapshot
	for i := range 10 {
		shots = append(shots, Snapshot{At: float64(i), Path: fmt.Sprintf("/w/%d.png", i)})
	}
	plans, err = PlanSnapshots("/w/in.mp4", shots, ImageSpec{Format: "png"}, hd)
	require.NoError(t, err)
	require.Len(t, plans, 2, "at most 8 inputs a run")
	require.Len(t, plans[0].Outputs, 8)
	require.Equal(t, []string{"-ss", "8"}, plans[1].Args[:2])
	require.Equal(t, "[0:0]setsar=1[s0];[1:0]setsar=1[s1]", plans[1].Args[slices.Index(plans[1].Args, "-filter_complex")+1])
	require.Contains(t, plans[1].Args, "png")

	cases := []struct {
		name  string
		shots []Snapshot
		img   ImageSpec
		want  error
		msg   string
	}{
		{"past the end", []Snapshot{{At: 60.5, Path: "/w/a.jpg"}}, ImageSpec{}, ErrOffsetBeyondDuration, "snapshot 0: time offset beyond the duration: 60.5s, duration 60s"},
		{"no snapshots", nil, ImageSpec{}, ErrInvalidSpec, "no snapshots"},
		{"no path", []Snapshot{{At: 1}}, ImageSpec{}, ErrInvalidSpec, "no path"},
		{"unknown format", []Snapshot{{At: 1, Path: "/w/a.bmp"}}, ImageSpec{Format: "bmp"}, ErrInvalidSpec, `image format "bmp"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := PlanSnapshots("/w/in.mp4", tc.shots, tc.img, hd)
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestPlanSampleSnapshotsArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	plan, err := PlanSampleSnapshots("/w/in.mp4", SampleSpec{Pattern: "/w/s_%d.jpg",
		Sampling: Sampling{Type: SamplePercent, Interval: 10}}, hd)
	require.NoError(t, err)
	require.Equal(t, slices.Concat(
		input("/w/in.mp4"),
		[]string{"-filter_complex", "[0:0]setpts=PTS-STARTPTS,select='gte(t,selected_n*6-0.001)',setsar=1[o]",
			"-map", "[o]", "-fps_mode", "vfr", "-c:v", "mjpeg", "-q:v", "3", "-start_number", "0", "-f", "image2", "/w/s_%d.jpg"},
	), plan.Args)
	require.Equal(t, []Output{{Path: "/w/s_%d.jpg", Sequence: true, Width: 1920, Height: 1080, Video: true}}, plan.Outputs)

	for _, tc := range []struct {
		name string
		spec SampleSpec
		msg  string
	}{
		{"no verb", SampleSpec{Pattern: "/w/s.jpg", Sampling: Sampling{Interval: 1}}, "needs exactly one %d"},
		{"zero interval", SampleSpec{Pattern: "/w/s_%d.jpg"}, "sampling interval 0"},
		{"unknown type", SampleSpec{Pattern: "/w/s_%d.jpg", Sampling: Sampling{Type: "Frames", Interval: 1}}, `sample type "Frames"`},
	} {
		_, err := PlanSampleSnapshots("/w/in.mp4", tc.spec, hd)
		require.ErrorIs(t, err, ErrInvalidSpec, tc.name)
		require.ErrorContains(t, err, tc.msg, tc.name)
	}
}

func TestPlanSpritesArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	plan, layout, err := PlanSprites("/w/in.mp4", SpriteSpec{
		Pattern:  "/w/sprite_%d.jpg",
		Image:    ImageSpec{Scale: Scale{Width: 142, Height: 80, Fill: FillStretch}},
		Sampling: Sampling{Type: SampleTime, Interval: 10},
		Columns:  10, Rows: 10,
	}, hd)
	require.NoError(t, err)
	require.Equal(t, slices.Concat(
		input("/w/in.mp4"),
		[]string{"-filter_complex", "[0:0]setpts=PTS-STARTPTS,select='gte(t,selected_n*10-0.001)',scale=142:80,setsar=1,tile=10x10[o]",
			"-map", "[o]", "-fps_mode", "vfr", "-c:v", "mjpeg", "-q:v", "3", "-start_number", "0", "-f", "image2", "/w/sprite_%d.jpg"},
	), plan.Args)
	require.Equal(t, SpriteLayout{Columns: 10, Rows: 10, CellWidth: 142, CellHeight: 80, Interval: 10, Count: 6, Sheets: 1}, layout)
	require.Equal(t, []Output{{Path: "/w/sprite_%d.jpg", Sequence: true, Width: 1420, Height: 800, Video: true}}, plan.Outputs)

	small := probeAV(64, 48, 25, 60)
	_, layout, err = PlanSprites("/w/in.mp4", SpriteSpec{Pattern: "/w/s_%d.png", Image: ImageSpec{Format: "png",
		Scale: Scale{Width: 142, Height: 80}}, Sampling: Sampling{Interval: 1}, Columns: 5, Rows: 2}, small)
	require.NoError(t, err)
	require.Equal(t, []int{142, 80, 60, 6}, []int{layout.CellWidth, layout.CellHeight, layout.Count, layout.Sheets},
		"cells keep their size even from a smaller source")

	_, _, err = PlanSprites("/w/in.mp4", SpriteSpec{Pattern: "/w/s_%d.jpg", Sampling: Sampling{Interval: 1}, Columns: 0, Rows: 1}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, _, err = PlanSprites("/w/in.mp4", SpriteSpec{Pattern: "/w/s_%d.jpg", Sampling: Sampling{Interval: 1}, Columns: 10, Rows: 10,
		Image: ImageSpec{Scale: Scale{Width: 1920, Height: 1080}}}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
	require.ErrorContains(t, err, "19200x10800 px is too large")
}

func TestSampleCount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dur, fps, iv float64
		want         int
	}{
		{60, 25, 10, 6},     // 0, 10, ..., 50
		{2, 25, 0.3, 7},     // 0 .. 1.8; 2.1 is past the last frame (1.96)
		{2, 25, 0.5, 4},     // 0, 0.5, 1, 1.5; 2.0 is past the end
		{2, 25, 0.02, 50},   // an interval below a frame: every frame, once
		{1.96, 25, 1.96, 1}, // the only later time is the end
		{10, 30000.0 / 1001, 1, 10},
		{0, 25, 1, 1}, // unknown duration: at least the first frame
	}
	for _, tc := range cases {
		p := probeAV(320, 240, tc.fps, tc.dur)
		require.Equal(t, tc.want, sampleCount(p, tc.iv), "%+v", tc)
	}
}

func TestPlanAnimationArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	plan, err := PlanAnimation("/w/in.mp4", AnimationSpec{Path: "/w/a.gif", Fps: 10, Start: 1, End: 3,
		Scale: Scale{Width: 320, ResolutionAdaptive: true}}, hd)
	require.NoError(t, err)
	require.Equal(t, slices.Concat(
		[]string{"-ss", "1", "-to", "3"}, input("/w/in.mp4"),
		[]string{"-filter_complex", "[0:0]fps=10,scale=320:180,setsar=1[g];[g]split[g0][g1];" +
			"[g0]palettegen=stats_mode=diff[pal];[g1][pal]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[o]",
			"-map", "[o]", "-loop", "0", "-f", "gif", "/w/a.gif"},
	), plan.Args)
	require.Equal(t, 2.0, plan.Duration)
	require.Equal(t, []Output{{Path: "/w/a.gif", Width: 320, Height: 180, Video: true, Fps: 10}}, plan.Outputs)

	plan, err = PlanAnimation("/w/in.mp4", AnimationSpec{Path: "/w/a.webp", Format: "WEBP", Fps: 30, Start: -5, Quality: 90}, hd)
	require.NoError(t, err)
	require.Equal(t, slices.Concat(
		[]string{"-ss", "55"}, input("/w/in.mp4"),
		[]string{"-filter_complex", "[0:0]setsar=1[o]",
			"-map", "[o]", "-c:v", "libwebp_anim", "-quality", "90", "-loop", "0", "-f", "webp", "/w/a.webp"},
	), plan.Args)
	require.Equal(t, 25.0, plan.Outputs[0].Fps, "never above the source's rate")
	require.Equal(t, 5.0, plan.Duration)

	_, err = PlanAnimation("/w/in.mp4", AnimationSpec{Path: "/w/a.apng", Format: "apng"}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, err = PlanAnimation("/w/in.mp4", AnimationSpec{Path: "/w/a.gif", Start: 70}, hd)
	require.ErrorIs(t, err, ErrOffsetBeyondDuration)
}

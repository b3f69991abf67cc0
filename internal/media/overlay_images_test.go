package media

import (
	"image"
	_ "image/jpeg"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImageOverlaysArgs checks the argument lists of snapshots and sample
// snapshots with overlays: the pictures are scaled first, then drawn on,
// each run reading the watermark images as extra inputs after its own.
func TestImageOverlaysArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	wm := []Overlay{{Image: "/w/wm.png", X: px(10), Y: px(20)}}
	jpg := []string{"-c:v", "mjpeg", "-q:v", "3"}
	cases := []struct {
		name string
		plan func() (*Plan, error)
		want []string
	}{
		{
			name: "snapshots",
			plan: func() (*Plan, error) {
				plans, err := PlanSnapshots("/w/in.mp4", []Snapshot{{At: 0, Path: "/w/0.jpg"}, {At: 10, Path: "/w/1.jpg"}},
					ImageSpec{Scale: Scale{Width: 640, ResolutionAdaptive: true}, Overlays: wm}, hd)
				if err != nil {
					return nil, err
				}
				return plans[0], nil
			},
			want: slices.Concat(
				input("/w/in.mp4"), []string{"-ss", "10"}, input("/w/in.mp4"),
				input("/w/wm.png"), input("/w/wm.png"),
				[]string{"-filter_complex", "[0:0]scale=640:360,setsar=1[s0u];[2:v]null[s0i0];[s0u][s0i0]overlay=x=10:y=20[s0];" +
					"[1:0]scale=640:360,setsar=1[s1u];[3:v]null[s1i0];[s1u][s1i0]overlay=x=10:y=20[s1]"},
				[]string{"-map", "[s0]", "-frames:v", "1"}, jpg, []string{"-f", "image2", "-update", "1", "/w/0.jpg"},
				[]string{"-map", "[s1]", "-frames:v", "1"}, jpg, []string{"-f", "image2", "-update", "1", "/w/1.jpg"},
			),
		},
		{
			name: "sample snapshots",
			plan: func() (*Plan, error) {
				return PlanSampleSnapshots("/w/in.mp4", SampleSpec{Pattern: "/w/%d.jpg",
					Image:    ImageSpec{Scale: Scale{Width: 640, ResolutionAdaptive: true}, Overlays: wm},
					Sampling: Sampling{Interval: 10}}, hd)
			},
			want: slices.Concat(
				input("/w/in.mp4"), input("/w/wm.png"),
				[]string{"-filter_complex", "[0:0]setpts=PTS-STARTPTS,select='gte(t,selected_n*10-0.001)',scale=640:360,setsar=1[wu];" +
					"[1:v]null[wi0];[wu][wi0]overlay=x=10:y=20[w];[w]null[o]",
					"-map", "[o]", "-fps_mode", "vfr"}, jpg,
				[]string{"-start_number", "0", "-f", "image2", "/w/%d.jpg"},
			),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := c.plan()
			require.NoError(t, err)
			require.Equal(t, c.want, plan.Args)
		})
	}

	_, err := PlanSnapshots("/w/in.mp4", []Snapshot{{At: 1, Path: "/w/a.jpg"}}, ImageSpec{Overlays: []Overlay{{}}}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, err = PlanSampleSnapshots("/w/in.mp4", SampleSpec{Pattern: "/w/%d.jpg", Image: ImageSpec{Overlays: []Overlay{{}}}, Sampling: Sampling{Interval: 1}}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
}

// TestImageOverlaysRun draws a red square on a snapshot and on sample
// snapshots of a black clip and finds it in the JPEGs.
func TestImageOverlaysRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.make(t, "black.mp4", []string{"-f", "lavfi", "-i", "color=c=black:size=160x120:rate=25:duration=2"}, x264)
	p, err := e.r.Probe(t.Context(), src)
	require.NoError(t, err)
	red := e.make(t, "red.png", []string{"-f", "lavfi", "-i", "color=c=red:size=40x40", "-frames:v", "1"})
	img := ImageSpec{Overlays: []Overlay{{Image: red, X: px(20), Y: px(20)}}}

	plans, err := PlanSnapshots(src, []Snapshot{{At: 1, Path: e.path("s.jpg")}}, img, p)
	require.NoError(t, err)
	e.run(t, plans[0])
	requireRedSquare(t, e.path("s.jpg"))

	plan, err := PlanSampleSnapshots(src, SampleSpec{Pattern: e.path("m%d.jpg"), Image: img, Sampling: Sampling{Interval: 1}}, p)
	require.NoError(t, err)
	e.run(t, plan)
	requireRedSquare(t, e.path("m0.jpg"))
	requireRedSquare(t, e.path("m1.jpg"))
}

// requireRedSquare checks that the JPEG is red inside (20,20)-(60,60) and
// black outside.
func requireRedSquare(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, _, err := image.Decode(f)
	require.NoError(t, err)
	r, g, b, _ := img.At(40, 40).RGBA()
	require.Greater(t, r>>8, uint32(180), "%s: red inside", path)
	require.Less(t, g>>8, uint32(80), "%s", path)
	require.Less(t, b>>8, uint32(80), "%s", path)
	r, _, _, _ = img.At(100, 100).RGBA()
	require.Less(t, r>>8, uint32(60), "%s: black outside", path)
}

// TestAdaptiveOverlaysArgs checks that every rendition of adaptive
// streaming is drawn on after scaling, each reading its own copy of the
// watermark image.
func TestAdaptiveOverlaysArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	aac := AudioSpec{Bitrate: 48_000, SampleRate: 44100, Channels: 2}
	spec := AdaptiveSpec{Format: FormatHLS, Dir: "/w/out", Manifest: "adp.m3u8",
		Streams: []AdaptiveStream{
			{Video: VideoSpec{Fps: 24, Bitrate: 256_000, Scale: Scale{Height: 240, ResolutionAdaptive: true}}, Audio: aac},
			{Video: VideoSpec{Fps: 24, Bitrate: 1_024_000, Scale: Scale{Height: 1080, ResolutionAdaptive: true}}, Audio: aac},
		},
		Overlays: []Overlay{{Image: "/w/wm.png", X: px(10), Y: px(20)}}}
	plan, err := PlanAdaptive("/w/in.mp4", spec, hd)
	require.NoError(t, err)
	n := len(input("/w/in.mp4"))
	require.Equal(t, slices.Concat(input("/w/in.mp4"), input("/w/wm.png"), input("/w/wm.png")), plan.Args[:3*n])
	graph := plan.Args[slices.Index(plan.Args, "-filter_complex")+1]
	require.Contains(t, graph, "[1:v]null[v0i0];[v0u][v0i0]overlay=x=10:y=20[v0]")
	require.Contains(t, graph, "[2:v]null[v1i0];[v1u][v1i0]overlay=x=10:y=20[v1]")
	require.Contains(t, graph, "format=yuv420p[v0u]")

	spec.Overlays = []Overlay{{}}
	_, err = PlanAdaptive("/w/in.mp4", spec, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
}

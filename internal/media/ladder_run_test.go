package media

import (
	"image"
	"image/png"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLadderRun runs one ladder with every kind of output from a 320x240
// source and checks each with ffprobe.
func TestLadderRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	fast := VideoSpec{Preset: "ultrafast"}
	small := fast
	small.Scale = Scale{Height: 120, ResolutionAdaptive: true}
	small.Bitrate = 200_000
	small.Fps = 10
	big := fast
	big.Scale = Scale{Height: 720, ResolutionAdaptive: true} // above the source: kept at 320x240
	hevc := small
	hevc.Codec = "libx265"
	hevc.Fps = 0
	vp9 := VideoSpec{Codec: CodecVP9, Preset: "ultrafast", Scale: Scale{Width: 160, Height: 160}} // black bars
	av1 := VideoSpec{Codec: CodecAV1, Preset: "ultrafast", Scale: Scale{Width: 128, Height: 0}, Bitrate: 150_000}

	outs := []OutputSpec{
		{Path: e.path("small.mp4"), Video: small, Audio: AudioSpec{Bitrate: 64_000, SampleRate: 44100, Channels: 1}},
		{Path: e.path("big.flv"), Container: ContainerFLV, Video: big, Audio: AudioSpec{Codec: "mp3"}},
		{Path: e.path("hls.m3u8"), Container: ContainerHLS, Video: small, HLS: HLSOptions{SegmentSeconds: 1}},
		{Path: e.path("hevc.mp4"), Video: hevc, RemoveAudio: true},
		{Path: e.path("vp9.webm"), Container: ContainerWebM, Video: vp9},
		{Path: e.path("av1.mp4"), Video: av1, RemoveAudio: true},
		{Path: e.path("audio.mp3"), Container: ContainerMP3, Audio: AudioSpec{Bitrate: 96_000}},
		{Path: e.path("audio.m4a"), Container: ContainerM4A},
		{Path: e.path("copy.mp4"), Remux: true},
		{Path: e.path("copy.m3u8"), Container: ContainerHLS, Remux: true, RemoveAudio: true},
	}
	plan, err := PlanLadder(src, outs, p)
	require.NoError(t, err)
	require.Equal(t, 1, countArg(plan.Args, "-i"), "one input")
	var last Progress
	require.NoError(t, e.r.RunPlan(t.Context(), plan, func(pr Progress) { last = pr }))
	require.True(t, last.Done)
	require.InDelta(t, 2.0, plan.Duration, 0.05)

	q := e.probe(t, e.path("small.mp4"))
	requireVideo(t, q, "h264", 160, 120, 10)
	require.InDelta(t, 2.0, q.Duration, 0.15)
	require.Len(t, q.Audio, 1)
	require.Equal(t, "aac", q.Audio[0].Codec)
	require.Equal(t, 44100, q.Audio[0].SampleRate)
	require.Equal(t, 1, q.Audio[0].Channels)
	require.Equal(t, Output{Path: e.path("small.mp4"), Width: 160, Height: 120, Video: true, Audio: true, Fps: 10}, plan.Outputs[0])

	q = e.probe(t, e.path("big.flv"))
	requireVideo(t, q, "h264", 320, 240, 25) // no upscaling
	require.Equal(t, "mp3", q.Audio[0].Codec)
	require.Equal(t, 320, plan.Outputs[1].Width)

	uris, _ := playlistEntries(t, e.path("hls.m3u8"))
	require.Equal(t, []string{"hls_00000.ts", "hls_00001.ts"}, uris)
	q = e.probe(t, e.path("hls_00000.ts"))
	requireVideo(t, q, "h264", 160, 120, 10)
	require.Len(t, q.Audio, 1)

	q = e.probe(t, e.path("hevc.mp4"))
	requireVideo(t, q, "hevc", 160, 120, 25)
	require.Equal(t, "hvc1", q.Video[0].CodecTag)
	require.Empty(t, q.Audio)

	q = e.probe(t, e.path("vp9.webm"))
	requireVideo(t, q, "vp9", 160, 160, 25)
	require.Equal(t, "opus", q.Audio[0].Codec)

	q = e.probe(t, e.path("av1.mp4"))
	requireVideo(t, q, "av1", 128, 96, 25)

	for _, name := range []string{"audio.mp3", "audio.m4a"} {
		q = e.probe(t, e.path(name))
		require.Empty(t, q.Video, name)
		require.Len(t, q.Audio, 1, name)
		require.InDelta(t, 2.0, q.Duration, 0.15, name)
	}
	require.Equal(t, "mp3", e.probe(t, e.path("audio.mp3")).Audio[0].Codec)
	require.Equal(t, "m4a", e.probe(t, e.path("audio.m4a")).Container)
	require.Equal(t, Output{Path: e.path("audio.mp3"), Audio: true}, plan.Outputs[6])

	q = e.probe(t, e.path("copy.mp4"))
	requireVideo(t, q, "h264", 320, 240, 25)
	require.Equal(t, p.Video[0].Bitrate, q.Video[0].Bitrate, "copied, not encoded")
	uris, _ = playlistEntries(t, e.path("copy.m3u8"))
	require.NotEmpty(t, uris)
	require.Empty(t, e.probe(t, e.path(uris[0])).Audio)
}

// TestLadderTrims: outputs trimmed differently trim in their own chains
// (and a remux reads its own seeking input); outputs trimmed alike seek
// the input.
func TestLadderTrims(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	fast := VideoSpec{Preset: "ultrafast", Scale: Scale{Height: 120, ResolutionAdaptive: true}}

	plan, err := PlanLadder(src, []OutputSpec{
		{Path: e.path("a.mp4"), Video: fast, Start: 0.5, End: 1.5},
		{Path: e.path("b.mp4"), Video: fast, Start: -0.8},
		{Path: e.path("c.mp4"), Remux: true, Start: 1},
	}, p)
	require.NoError(t, err)
	require.Equal(t, 2, countArg(plan.Args, "-i"))
	e.run(t, plan)
	require.InDelta(t, 1.0, e.probe(t, e.path("a.mp4")).Duration, 0.1)
	require.InDelta(t, 0.8, e.probe(t, e.path("b.mp4")).Duration, 0.1)
	require.InDelta(t, 1.0, e.probe(t, e.path("c.mp4")).VideoDuration, 0.1)
	require.InDelta(t, 1.0, plan.Duration, 0.01) // the longest output

	plan, err = PlanLadder(src, []OutputSpec{
		{Path: e.path("d.mp4"), Video: fast, Start: 0.5, End: 1.5},
		{Path: e.path("e.mp3"), Container: ContainerMP3, Start: 0.5, End: 1.5},
	}, p)
	require.NoError(t, err)
	require.Equal(t, []string{"-ss", "0.5", "-to", "1.5"}, plan.Args[:4])
	e.run(t, plan)
	require.InDelta(t, 1.0, e.probe(t, e.path("d.mp4")).Duration, 0.1)
	require.InDelta(t, 1.0, e.probe(t, e.path("e.mp3")).Duration, 0.1)
}

// TestLadderSourceKinds: sources without audio or without video give
// outputs without them; an output left with nothing is ErrNoStream.
func TestLadderSourceKinds(t *testing.T) {
	t.Parallel()
	e := setup(t)
	fast := VideoSpec{Preset: "ultrafast", Scale: Scale{Height: 120, ResolutionAdaptive: true}}

	video, pv := e.source(t, "video")
	_, err := PlanLadder(video, []OutputSpec{{Path: e.path("x.mp3"), Container: ContainerMP3}}, pv)
	require.ErrorIs(t, err, ErrNoStream)
	plan, err := PlanLadder(video, []OutputSpec{
		{Path: e.path("v.mp4"), Video: fast},
		{Path: e.path("v.m3u8"), Container: ContainerHLS, Video: fast, HLS: HLSOptions{SegmentSeconds: 1}},
	}, pv)
	require.NoError(t, err)
	e.run(t, plan)
	q := e.probe(t, e.path("v.mp4"))
	requireVideo(t, q, "h264", 160, 120, 25)
	require.Empty(t, q.Audio)
	uris, _ := playlistEntries(t, e.path("v.m3u8"))
	require.Len(t, uris, 2)

	audio, pa := e.source(t, "audio")
	_, err = PlanLadder(audio, []OutputSpec{{Path: e.path("x.mp4"), RemoveAudio: true}}, pa)
	require.ErrorIs(t, err, ErrNoStream)
	plan, err = PlanLadder(audio, []OutputSpec{
		{Path: e.path("a.mp4"), Video: fast},
		{Path: e.path("a.mp3"), Container: ContainerMP3},
	}, pa)
	require.NoError(t, err)
	e.run(t, plan)
	for _, name := range []string{"a.mp4", "a.mp3"} {
		q = e.probe(t, e.path(name))
		require.Empty(t, q.Video, name)
		require.InDelta(t, 2.0, q.Duration, 0.15, name)
	}
}

// TestLadderRotated: a portrait phone video (coded 320x240, Rotate 90)
// gives upright portrait outputs without rotation metadata, and the
// adaptive resolution rule takes Height as the short side.
func TestLadderRotated(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "rotated")
	require.Equal(t, 90, p.Rotate)
	plan, err := PlanLadder(src, []OutputSpec{
		{Path: e.path("adaptive.mp4"), Video: VideoSpec{Preset: "ultrafast", Scale: Scale{Height: 120, ResolutionAdaptive: true}}},
		{Path: e.path("fixed.mp4"), Video: VideoSpec{Preset: "ultrafast", Scale: Scale{Height: 120}}},
		{Path: e.path("same.mp4"), Video: VideoSpec{Preset: "ultrafast"}},
	}, p)
	require.NoError(t, err)
	e.run(t, plan)
	requireVideo(t, e.probe(t, e.path("adaptive.mp4")), "h264", 120, 160, 25)
	requireVideo(t, e.probe(t, e.path("fixed.mp4")), "h264", 90, 120, 25)
	requireVideo(t, e.probe(t, e.path("same.mp4")), "h264", 240, 320, 25)
}

// TestLadderFill: exact frames of another shape, filled each way. The
// first frame of each output, taken as PNG in one run, gives its size and
// the colour of its bars.
func TestLadderFill(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "video")
	fills := []FillType{FillBlack, FillWhite, FillStretch, FillGauss, FillCrop}
	var outs []OutputSpec
	var frames []string
	for k, f := range fills {
		outs = append(outs, OutputSpec{Path: e.path(string(f) + ".mp4"),
			Video: VideoSpec{Preset: "ultrafast", CRF: 18, Scale: Scale{Width: 160, Height: 160, Fill: f}}})
		frames = append(frames, "-map", strconv.Itoa(k)+":v", "-frames:v", "1", e.path(string(f)+".png"))
	}
	plan, err := PlanLadder(src, outs, p)
	require.NoError(t, err)
	e.run(t, plan)
	var inputs []string
	for _, o := range outs {
		inputs = append(inputs, "-i", o.Path)
	}
	require.NoError(t, e.r.Run(t.Context(), slices.Concat(inputs, frames), nil))

	corner := map[FillType]func(y uint8) bool{
		FillBlack: func(y uint8) bool { return y < 30 },
		FillWhite: func(y uint8) bool { return y > 225 },
	}
	for _, f := range fills {
		img := decodePNG(t, e.path(string(f)+".png"))
		require.Equal(t, image.Rect(0, 0, 160, 160), img.Bounds(), f)
		if want, ok := corner[f]; ok {
			r, g, b, _ := img.At(1, 1).RGBA()
			y := uint8((299*r + 587*g + 114*b) / 1000 >> 8)
			require.True(t, want(y), "%s: corner luma %d", f, y)
		}
	}
}

// decodePNG reads a PNG file.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// countArg counts the occurrences of an argument.
func countArg(args []string, a string) int {
	n := 0
	for _, x := range args {
		if x == a {
			n++
		}
	}
	return n
}

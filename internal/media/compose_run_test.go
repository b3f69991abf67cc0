package media

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// composeSource writes a small lavfi source into dir and returns it as a
// ComposeSource, probed.
func composeSource(t *testing.T, r *Runner, dir, name string, args ...string) ComposeSource {
	t.Helper()
	out := filepath.Join(dir, name)
	require.NoError(t, r.Run(t.Context(), append(args, out), nil))
	p, err := r.Probe(t.Context(), out)
	require.NoError(t, err)
	src := ComposeSource{Path: out, Duration: p.Duration, Width: p.Width, Height: p.Height,
		HasVideo: len(p.Video) > 0, HasAudio: len(p.Audio) > 0}
	if ext := filepath.Ext(name); ext == ".png" || ext == ".gif" {
		src.Still, src.Duration = true, 0
	}
	return src
}

// pixelAt returns the RGB colour of the pixel at x, y of the frame shown
// at second at of the video file path.
func pixelAt(t *testing.T, r *Runner, path string, at float64, x, y int) [3]int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "px.rgb")
	require.NoError(t, r.Run(t.Context(), []string{"-ss", fmtNum(at), "-i", path, "-frames:v", "1",
		"-vf", "format=rgb24,crop=1:1:" + itoa(x) + ":" + itoa(y), "-f", "rawvideo", "-pix_fmt", "rgb24", out}, nil))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Len(t, b, 3)
	return [3]int{int(b[0]), int(b[1]), int(b[2])}
}

func itoa(n int) string { return fmtNum(float64(n)) }

// requireColour checks a pixel against a colour, allowing for YUV
// rounding and compression.
func requireColour(t *testing.T, want, got [3]int, what string) {
	t.Helper()
	for i := range 3 {
		require.InDelta(t, want[i], got[i], 40, "%s: want %v, got %v", what, want, got)
	}
}

var (
	red   = [3]int{255, 0, 0}
	blue  = [3]int{0, 0, 255}
	black = [3]int{0, 0, 0}
	white = [3]int{255, 255, 255}
)

// TestComposeRun renders a composition of two video tracks (a full canvas
// red clip, then a small blue clip in the top-left corner placed by an
// empty item), a sticker track and an audio track, and checks the frame
// size, the length, colours at known places and times, and the sound.
func TestComposeRun(t *testing.T) {
	t.Parallel()
	var r Runner
	dir := t.TempDir()
	redSrc := composeSource(t, &r, dir, "red.mp4", "-f", "lavfi", "-i", "color=red:s=320x240:r=25:d=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	blueSrc := composeSource(t, &r, dir, "blue.mp4", "-f", "lavfi", "-i", "color=blue:s=160x120:r=25:d=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	tone := composeSource(t, &r, dir, "tone.m4a", "-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "aac")
	// A GIF: its demuxer has no -loop option.
	whitePic := composeSource(t, &r, dir, "white.gif", "-f", "lavfi", "-i", "color=white:s=40x40", "-frames:v", "1")

	spec := ComposeSpec{Width: 320, Height: 240, Background: "black", Fps: 25, SampleRate: 44100, Channels: 2,
		Tracks: []ComposeTrack{
			{Kind: TrackVideo, Items: []ComposeItem{{Kind: ItemMedia, Source: redSrc}}},
			{Kind: TrackVideo, Items: []ComposeItem{
				{Kind: ItemEmpty, Duration: 0.5},
				{Kind: ItemMedia, Source: blueSrc, X: Length{Value: -80}, Y: Length{Value: -60}},
			}},
			{Kind: TrackSticker, Items: []ComposeItem{
				{Kind: ItemMedia, Source: whitePic, Duration: 1, HasAt: true, At: 1.5, X: Length{Value: 25, Percent: true}},
			}},
			{Kind: TrackAudio, Items: []ComposeItem{{Kind: ItemMedia, Source: tone, Duration: 1}}},
		}}
	out := filepath.Join(dir, "out.mp4")
	args, d, err := ComposeArgs(spec, out)
	require.NoError(t, err)
	require.InDelta(t, 2.5, d, 1e-9) // the sticker ends last
	require.NoError(t, r.Run(t.Context(), args, nil))

	p, err := r.Probe(t.Context(), out)
	require.NoError(t, err)
	require.Equal(t, 320, p.Width)
	require.Equal(t, 240, p.Height)
	require.InDelta(t, 2.5, p.Duration, 0.1)
	require.Len(t, p.Audio, 1)

	requireColour(t, red, pixelAt(t, &r, out, 0.2, 10, 10), "red before the blue clip")
	requireColour(t, blue, pixelAt(t, &r, out, 1.0, 10, 10), "blue clip top-left at 1.0s")
	requireColour(t, red, pixelAt(t, &r, out, 1.0, 200, 200), "red outside the blue clip")
	requireColour(t, red, pixelAt(t, &r, out, 1.7, 10, 10), "red after the blue clip ended")
	requireColour(t, white, pixelAt(t, &r, out, 1.7, 240, 120), "sticker right of centre")
	requireColour(t, black, pixelAt(t, &r, out, 2.2, 10, 10), "canvas after the red clip")
	requireColour(t, white, pixelAt(t, &r, out, 2.2, 240, 120), "sticker over the canvas")
}

// TestComposeRunTransition joins two full-canvas clips with a wipe and
// checks both halves of the frame in the middle of the transition, and
// that the second clip was pulled back by the transition's length.
func TestComposeRunTransition(t *testing.T) {
	t.Parallel()
	var r Runner
	dir := t.TempDir()
	redSrc := composeSource(t, &r, dir, "red.mp4", "-f", "lavfi", "-i", "color=red:s=320x240:r=25:d=2",
		"-f", "lavfi", "-i", "sine=f=440:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac")
	blueSrc := composeSource(t, &r, dir, "blue.mp4", "-f", "lavfi", "-i", "color=blue:s=320x240:r=25:d=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	spec := ComposeSpec{Width: 320, Height: 240, Background: "white", Fps: 25, SampleRate: 16000, Channels: 1,
		Tracks: []ComposeTrack{{Kind: TrackVideo, Items: []ComposeItem{
			{Kind: ItemMedia, Source: redSrc},
			{Kind: ItemTransition, Duration: 1, Transition: "wipeleft", AudioFade: true},
			{Kind: ItemMedia, Source: blueSrc},
		}}}}
	out := filepath.Join(dir, "out.mp4")
	args, d, err := ComposeArgs(spec, out)
	require.NoError(t, err)
	require.InDelta(t, 3, d, 1e-9)
	require.NoError(t, r.Run(t.Context(), args, nil))
	p, err := r.Probe(t.Context(), out)
	require.NoError(t, err)
	require.InDelta(t, 3, p.Duration, 0.1)
	requireColour(t, red, pixelAt(t, &r, out, 0.5, 10, 10), "first clip")
	// Half way through a left wipe the right half shows the next clip.
	requireColour(t, red, pixelAt(t, &r, out, 1.5, 20, 120), "left half mid-wipe")
	requireColour(t, blue, pixelAt(t, &r, out, 1.5, 300, 120), "right half mid-wipe")
	requireColour(t, blue, pixelAt(t, &r, out, 2.5, 10, 10), "second clip")
}

// TestComposeRunFrameSteps places a clip after seven gaps of 0.13 s, each
// 3.25 frames at 25 fps: the clip must start at 0.91 s, not four frames
// per gap later (1.12 s).
func TestComposeRunFrameSteps(t *testing.T) {
	t.Parallel()
	var r Runner
	dir := t.TempDir()
	blueSrc := composeSource(t, &r, dir, "blue.mp4", "-f", "lavfi", "-i", "color=blue:s=160x120:r=25:d=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	var items []ComposeItem
	for range 7 {
		items = append(items, ComposeItem{Kind: ItemEmpty, Duration: 0.13})
	}
	items = append(items, ComposeItem{Kind: ItemMedia, Source: blueSrc})
	spec := ComposeSpec{Width: 160, Height: 120, Background: "white", Fps: 25, NoAudio: true,
		Tracks: []ComposeTrack{{Kind: TrackVideo, Items: items}}}
	out := filepath.Join(dir, "out.mp4")
	args, d, err := ComposeArgs(spec, out)
	require.NoError(t, err)
	require.InDelta(t, 1.91, d, 1e-9)
	require.NoError(t, r.Run(t.Context(), args, nil))
	requireColour(t, white, pixelAt(t, &r, out, 0.85, 80, 60), "the gaps")
	requireColour(t, blue, pixelAt(t, &r, out, 1.0, 80, 60), "the clip from 0.92 s")
	p, err := r.Probe(t.Context(), out)
	require.NoError(t, err)
	require.Empty(t, p.Audio)
	require.InDelta(t, 1.91, p.Duration, 0.05)
}

// TestComposeRunRotate turns a wide red bar a quarter turn: it stands
// upright in the middle of the canvas, with transparent corners.
func TestComposeRunRotate(t *testing.T) {
	t.Parallel()
	var r Runner
	dir := t.TempDir()
	bar := composeSource(t, &r, dir, "bar.png", "-f", "lavfi", "-i", "color=red:s=160x40", "-frames:v", "1")
	spec := ComposeSpec{Width: 160, Height: 160, Background: "black", Fps: 25, NoAudio: true,
		Tracks: []ComposeTrack{{Kind: TrackVideo, Items: []ComposeItem{{Kind: ItemMedia, Source: bar, Duration: 1, Rotate: 90}}}}}
	out := filepath.Join(dir, "out.mp4")
	args, _, err := ComposeArgs(spec, out)
	require.NoError(t, err)
	require.NoError(t, r.Run(t.Context(), args, nil))
	requireColour(t, red, pixelAt(t, &r, out, 0.5, 80, 10), "the top of the upright bar")
	requireColour(t, black, pixelAt(t, &r, out, 0.5, 10, 80), "where the bar lay before it turned")
}

package e2e

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// A transcode with a HeadTailSet plays the head, the source and the tail
// as one output, each fitted to the source's frame: here a red 160x120
// head without audio, a 2 s 320x240 source and a blue portrait tail.
func TestProcessMediaHeadTail(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	ffmpeg(t, "-f", "lavfi", "-i", "color=red:size=160x120:rate=30:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", filepath.Join(dir, "head.mp4"))
	ffmpeg(t, "-f", "lavfi", "-i", "color=blue:size=120x160:rate=25:duration=1",
		"-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", filepath.Join(dir, "tail.mp4"))
	head, tail := ingestFile(t, s, filepath.Join(dir, "head.mp4")), ingestFile(t, s, filepath.Join(dir, "tail.mp4"))
	main := ingestBlack(t, s)

	_, err := s.call("ProcessMedia", map[string]any{"FileId": main, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": 100010, "HeadTailSet": []any{map[string]any{"Definition": 99999}}}}}})
	requireRawCode(t, err, "InvalidParameterValue.Definition")

	resp, err := s.call("CreateHeadTailTemplate", map[string]any{"Name": "bookends", "FillType": "black",
		"HeadCandidateSet": []string{head}, "TailCandidateSet": []string{tail}})
	require.NoError(t, err)
	def := resp["Definition"]

	d := processMedia(t, s, map[string]any{"FileId": main, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": 100010,
			"HeadTailSet": []any{map[string]any{"Definition": def}}}}}})
	sub := subtasks(t, d)["Transcode"][0]
	require.Equal(t, "SUCCESS", sub["Status"], sub["Message"])
	out := fetch(t, dir, sub["Output"].(map[string]any)["Url"].(string))
	p := ffprobe(t, out)
	dur, err := strconv.ParseFloat(p.Format.Duration, 64)
	require.NoError(t, err)
	require.InDelta(t, 4.0, dur, 0.25, "head 1 s + source 2 s + tail 1 s")
	require.InDelta(t, 4.0, sub["Output"].(map[string]any)["Duration"].(float64), 0.25)
	var w, h int
	audio := false
	for _, st := range p.Streams {
		switch st.CodecType {
		case "video":
			w, h = st.Width, st.Height
		case "audio":
			audio = true
		}
	}
	require.Equal(t, []int{320, 240}, []int{w, h}, "the source's frame")
	require.True(t, audio)

	// Red head (upscaled to the frame height, black bars beside it), black
	// source, blue tail pillarboxed.
	r, g, b := meanRGB(region(t, out, 0.5, 140, 100, 40, 40))
	require.Greater(t, r, 180.0, "head")
	require.Less(t, g+b, 100.0, "head")
	r, g, b = meanRGB(region(t, out, 2.0, 140, 100, 40, 40))
	require.Less(t, r+g+b, 40.0, "source")
	r, g, b = meanRGB(region(t, out, 3.6, 140, 100, 40, 40))
	require.Greater(t, b, 150.0, "tail")
	require.Less(t, r+g, 100.0, "tail")
	r, g, b = meanRGB(region(t, out, 3.6, 0, 100, 20, 40))
	require.Less(t, r+g+b, 40.0, "black bars beside the portrait tail")
}

package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// ingestBlack pulls a 2 s clip of a black 320x240 picture with sound and
// returns its FileId, so that watermarks stand out.
func ingestBlack(t *testing.T, s *server) string {
	t.Helper()
	dir := t.TempDir()
	ffmpeg(t, "-f", "lavfi", "-i", "color=black:size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", filepath.Join(dir, "black.mp4"))
	src := mediaServer(t, dir)
	resp, err := s.call("PullUpload", map[string]any{"MediaUrl": src.URL + "/black.mp4"})
	require.NoError(t, err)
	d := waitTask(t, s.client(), resp["TaskId"].(string), nil)
	require.EqualValues(t, 0, *d.Response.PullUploadTask.ErrCode)
	return *d.Response.PullUploadTask.FileId
}

// region returns the w×h box at (x, y) of the frame at second at of the
// video file, as RGB24 bytes.
func region(t *testing.T, file string, at float64, x, y, w, h int) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-ss", fmt.Sprint(at), "-i", file,
		"-frames:v", "1", "-vf", fmt.Sprintf("crop=%d:%d:%d:%d", w, h, x, y),
		"-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1").Output()
	require.NoError(t, err, file)
	require.Len(t, out, w*h*3)
	return out
}

// meanRGB averages the red, green and blue of RGB24 pixels.
func meanRGB(px []byte) (r, g, b float64) {
	for i := 0; i+2 < len(px); i += 3 {
		r, g, b = r+float64(px[i]), g+float64(px[i+1]), b+float64(px[i+2])
	}
	n := float64(len(px) / 3)
	return r / n, g / n, b / n
}

// meanDiff is the mean absolute difference of two equal-size pixel runs.
func meanDiff(a, b []byte) float64 {
	var d float64
	for i := range a {
		x := float64(a[i]) - float64(b[i])
		if x < 0 {
			x = -x
		}
		d += x
	}
	return d / float64(len(a))
}

func createWatermark(t *testing.T, s *server, params map[string]any) int64 {
	t.Helper()
	resp, err := s.call("CreateWatermarkTemplate", params)
	require.NoError(t, err)
	return int64(resp["Definition"].(float64))
}

func TestProcessMediaWatermarks(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fileID := ingestBlack(t, s)

	dir := t.TempDir()
	png := filepath.Join(dir, "red.png")
	ffmpeg(t, "-f", "lavfi", "-i", "color=red:size=40x40", "-frames:v", "1", png)
	img, err := os.ReadFile(png)
	require.NoError(t, err)
	image := createWatermark(t, s, map[string]any{"Type": "image", "CoordinateOrigin": "TopLeft", "XPos": "10px", "YPos": "10px",
		"ImageTemplate": map[string]any{"ImageContent": base64.StdEncoding.EncodeToString(img), "Width": "40px"}})
	text := createWatermark(t, s, map[string]any{"Type": "text", "CoordinateOrigin": "BottomRight", "XPos": "10px", "YPos": "10px",
		"TextTemplate": map[string]any{"FontType": "arial.ttf", "FontSize": "40px", "FontColor": "0xFFFFFF", "FontAlpha": 1}})
	svg := createWatermark(t, s, map[string]any{"Type": "svg"})

	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{
			map[string]any{"Definition": 100010, "WatermarkSet": []any{map[string]any{"Definition": image}}},
			map[string]any{"Definition": 100020, "WatermarkSet": []any{
				map[string]any{"Definition": text, "TextContent": "hi", "StartTimeOffset": 0, "EndTimeOffset": 1}},
				"MosaicSet": []any{map[string]any{"XPos": "0px", "YPos": "0px", "Width": "20%", "Height": "20%"}}},
			map[string]any{"Definition": 100030, "WatermarkSet": []any{map[string]any{"Definition": svg}}},
			map[string]any{"Definition": 100040, "WatermarkSet": []any{map[string]any{"Definition": text}}},
			map[string]any{"Definition": 100070, "HeadTailSet": []any{map[string]any{"Definition": 1}}},
		},
	}})
	subs := subtasks(t, d)["Transcode"]
	require.Len(t, subs, 5)
	require.Equal(t, "FAIL", subs[4]["Status"])
	require.Contains(t, subs[4]["Message"], "head/tail template 1 does not exist")
	for _, r := range subs[:2] {
		require.Equal(t, "SUCCESS", r["Status"], r["Message"])
	}
	require.Equal(t, "FAIL", subs[2]["Status"])
	require.Contains(t, subs[2]["Message"], "svg watermarks are not supported yet")
	require.Equal(t, "FAIL", subs[3]["Status"])
	require.Contains(t, subs[3]["Message"], "TextContent is required")

	// The image: a red 40x40 square 10 px from the top left; black elsewhere.
	out := fetch(t, dir, subs[0]["Output"].(map[string]any)["Url"].(string))
	r, g, b := meanRGB(region(t, out, 1, 15, 15, 30, 30))
	require.Greater(t, r, 180.0, "red inside the watermark")
	require.Less(t, g+b, 100.0, "red inside the watermark")
	r, g, b = meanRGB(region(t, out, 1, 200, 150, 60, 60))
	require.Less(t, r+g+b, 30.0, "black away from the watermark")

	// The text: white at the bottom right during its first second only.
	out = fetch(t, dir, subs[1]["Output"].(map[string]any)["Url"].(string))
	p := ffprobe(t, out)
	w, h := p.Streams[0].Width, p.Streams[0].Height
	box := func(at float64) float64 {
		px := region(t, out, at, w-80, h-60, 80, 60)
		var peak float64
		for _, v := range px {
			peak = max(peak, float64(v))
		}
		return peak
	}
	require.Greater(t, box(0.5), 200.0, "text drawn in its window")
	require.Less(t, box(1.5), 40.0, "no text after its window")
}

func TestProcessMediaMosaic(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fileID := ingestClip(t, s, s.client(), 3)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": 100010, "MosaicSet": []any{map[string]any{
			"CoordinateOrigin": "TopLeft", "XPos": "10%", "YPos": "10%", "Width": "50%", "Height": "50%",
			"StartTimeOffset": 0, "EndTimeOffset": 1.5}}}},
	}})
	subs := subtasks(t, d)["Transcode"]
	require.Equal(t, "SUCCESS", subs[0]["Status"], subs[0]["Message"])

	dir := t.TempDir()
	out := fetch(t, dir, subs[0]["Output"].(map[string]any)["Url"].(string))
	src := filepath.Join(dir, "src.mp4")
	makeMP4(t, src, 3) // the same deterministic clip that was ingested
	// 320x240: the box is 160x120 at (32, 24).
	inside := func(file string, at float64) []byte { return region(t, file, at, 40, 30, 140, 100) }
	outside := func(file string, at float64) []byte { return region(t, file, at, 220, 160, 90, 70) }
	t.Logf("mean differences: box in window %.1f, rest %.1f, box after %.1f", meanDiff(inside(out, 0.5), inside(src, 0.5)),
		meanDiff(outside(out, 0.5), outside(src, 0.5)), meanDiff(inside(out, 2.5), inside(src, 2.5)))
	require.Greater(t, meanDiff(inside(out, 0.5), inside(src, 0.5)), 20.0, "the box is pixelated in its window")
	require.Less(t, meanDiff(outside(out, 0.5), outside(src, 0.5)), 12.0, "the rest of the frame is untouched")
	require.Less(t, meanDiff(inside(out, 2.5), inside(src, 2.5)), 6.0, "the box is clear after its window")
}

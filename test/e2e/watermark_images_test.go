package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProcessMediaImageWatermarks draws a red square on a snapshot and on
// sample snapshots of a black clip: the watermark shows in the JPEGs and
// the outputs name its definition.
func TestProcessMediaImageWatermarks(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fileID := ingestBlack(t, s)

	dir := t.TempDir()
	png := filepath.Join(dir, "red.png")
	ffmpeg(t, "-f", "lavfi", "-i", "color=red:size=40x40", "-frames:v", "1", png)
	img, err := os.ReadFile(png)
	require.NoError(t, err)
	wm := createWatermark(t, s, map[string]any{"Type": "image", "CoordinateOrigin": "TopLeft", "XPos": "10px", "YPos": "10px",
		"ImageTemplate": map[string]any{"ImageContent": base64.StdEncoding.EncodeToString(img), "Width": "40px"}})
	set := []any{map[string]any{"Definition": wm}}

	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}, "WatermarkSet": set}},
		"SampleSnapshotTaskSet":       []any{map[string]any{"Definition": 10, "WatermarkSet": set}},
	}})
	subs := subtasks(t, d)
	snap, sample := subs["SnapshotByTimeOffset"], subs["SampleSnapshot"]
	require.Len(t, snap, 1)
	require.Len(t, sample, 1)
	require.Equal(t, "SUCCESS", snap[0]["Status"], snap[0]["Message"])
	require.Equal(t, "SUCCESS", sample[0]["Status"], sample[0]["Message"])

	pic := snap[0]["Output"].(map[string]any)["PicInfoSet"].([]any)[0].(map[string]any)
	require.Equal(t, []any{float64(wm)}, pic["WaterMarkDefinition"])
	so := sample[0]["Output"].(map[string]any)
	require.Equal(t, []any{float64(wm)}, so["WaterMarkDefinition"])

	for _, u := range []string{pic["Url"].(string), so["ImageUrlSet"].([]any)[0].(string)} {
		out := fetch(t, dir, u)
		r, g, b := meanRGB(region(t, out, 0, 15, 15, 30, 30))
		require.Greater(t, r, 180.0, "%s: red inside the watermark", u)
		require.Less(t, g+b, 100.0, "%s: red inside the watermark", u)
		r, g, b = meanRGB(region(t, out, 0, 200, 150, 60, 60))
		require.Less(t, r+g+b, 30.0, "%s: black away from the watermark", u)
	}
}

// TestProcessMediaAdaptiveWatermark draws a red square on an adaptive HLS
// stream of a black clip: a frame decoded from the stream shows it.
func TestProcessMediaAdaptiveWatermark(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fileID := ingestBlack(t, s)

	dir := t.TempDir()
	png := filepath.Join(dir, "red.png")
	ffmpeg(t, "-f", "lavfi", "-i", "color=red:size=40x40", "-frames:v", "1", png)
	img, err := os.ReadFile(png)
	require.NoError(t, err)
	wm := createWatermark(t, s, map[string]any{"Type": "image", "CoordinateOrigin": "TopLeft", "XPos": "10px", "YPos": "10px",
		"ImageTemplate": map[string]any{"ImageContent": base64.StdEncoding.EncodeToString(img), "Width": "40px"}})

	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 10, "WatermarkSet": []any{map[string]any{"Definition": wm}}}},
	}})
	subs := subtasks(t, d)["AdaptiveDynamicStreaming"]
	require.Len(t, subs, 1)
	require.Equal(t, "SUCCESS", subs[0]["Status"], subs[0]["Message"])
	hls := subs[0]["Output"].(map[string]any)
	require.Equal(t, "HLS", hls["Package"])
	r, g, b := meanRGB(region(t, hls["Url"].(string), 1, 15, 15, 30, 30))
	require.Greater(t, r, 180.0, "red inside the watermark")
	require.Less(t, g+b, 100.0, "red inside the watermark")
}

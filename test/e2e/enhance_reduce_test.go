package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// enhClip writes a 2 s 320x240 25 fps clip with a tone, encoded by x264
// at the given preset and CRF.
func enhClip(t *testing.T, path, preset, crf string) {
	t.Helper()
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", preset, "-crf", crf, "-c:a", "aac", "-shortest", path)
}

// TestEnhanceReduceMediaBitrate re-encodes a wastefully encoded clip (x264
// ultrafast at CRF 10, as a camera or a quick export makes them) and
// measures the saving and the quality kept; a clip already encoded tightly
// fails with NoNeedToReduceMediaBitrate and keeps no output.
func TestEnhanceReduceMediaBitrate(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	wasteful, tight := filepath.Join(dir, "wasteful.mp4"), filepath.Join(dir, "tight.mp4")
	enhClip(t, wasteful, "ultrafast", "10")
	enhClip(t, tight, "veryslow", "30")
	big, small := enhUpload(t, s, wasteful), enhUpload(t, s, tight)

	okID := enhSubmit(t, s, "ReduceMediaBitrate", map[string]any{"FileId": big, "SessionContext": "rmb", "TasksPriority": 3})
	require.Regexp(t, `^1250000001-ReduceMediaBitrate-[0-9a-f]{32}t0$`, okID)
	noID := enhSubmit(t, s, "ReduceMediaBitrate", map[string]any{"FileId": small, "TasksNotifyMode": "None"})

	d := enhDetail(t, s, okID)
	require.Equal(t, "ReduceMediaBitrate", vodapi.Val(d.TaskType))
	r := d.ReduceMediaBitrateTask
	require.NotNil(t, r)
	require.Equal(t, "FINISH", vodapi.Val(r.Status))
	require.Equal(t, big, vodapi.Val(r.FileId))
	require.Equal(t, "wasteful", vodapi.Val(r.FileName))
	require.Equal(t, int64(3), vodapi.Val(r.TasksPriority))
	require.Equal(t, "Finish", vodapi.Val(r.TasksNotifyMode))
	require.Equal(t, "rmb", vodapi.Val(r.SessionContext))
	require.Len(t, r.MediaProcessResultSet, 1)
	require.Equal(t, "Transcode", vodapi.Val(r.MediaProcessResultSet[0].Type))
	sub := r.MediaProcessResultSet[0].TranscodeTask
	require.Equal(t, "SUCCESS", vodapi.Val(sub.Status), vodapi.Val(sub.Message))
	require.Equal(t, "", vodapi.Val(sub.ErrCodeExt))
	require.Equal(t, uint64(100800), vodapi.Val(sub.Input.Definition))
	require.Equal(t, int64(100), vodapi.Val(sub.Progress))
	require.NotEmpty(t, vodapi.Val(sub.BeginProcessTime))
	require.NotEmpty(t, vodapi.Val(sub.FinishTime))
	o := sub.Output
	require.NotNil(t, o)
	require.Equal(t, int64(100800), vodapi.Val(o.Definition))
	require.EqualValues(t, 320, vodapi.Val(o.Width))
	require.EqualValues(t, 240, vodapi.Val(o.Height))
	require.Regexp(t, `/f0\.f100800\.mp4$`, vodapi.Val(o.Url))

	out := enhFetch(t, vodapi.Val(o.Url))
	src, err := os.Stat(wasteful)
	require.NoError(t, err)
	got, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, got.Size(), vodapi.Val(o.Size))
	saved := 100 * (1 - float64(got.Size())/float64(src.Size()))
	ssim, psnr := enhCompare(t, "ssim", wasteful, out), enhCompare(t, "psnr", wasteful, out)
	t.Logf("ReduceMediaBitrate: %d -> %d bytes (%.1f%% saved), SSIM %.4f, PSNR %.2f dB", src.Size(), got.Size(), saved, ssim, psnr)
	require.Greater(t, saved, 5.0)
	require.GreaterOrEqual(t, ssim, 0.95)
	v := enhProbeVideo(t, out)
	require.Equal(t, enhVideoFacts{Width: 320, Height: 240, Rate: "25/1", Frames: 50}, v, "same size, rate and frames")
	p := ffprobe(t, out)
	require.Len(t, p.Streams, 2, "the audio is kept")

	// The output is a transcode of the same media.
	info := describeMedia(t, s.client(), nil, big).Response.MediaInfoSet[0]
	require.NotNil(t, info.TranscodeInfo)
	require.Len(t, info.TranscodeInfo.TranscodeSet, 1)
	require.EqualValues(t, 100800, *info.TranscodeInfo.TranscodeSet[0].Definition)
	require.Equal(t, vodapi.Val(o.Url), *info.TranscodeInfo.TranscodeSet[0].Url)

	n := enhDetail(t, s, noID).ReduceMediaBitrateTask
	require.Equal(t, "FINISH", vodapi.Val(n.Status))
	require.Equal(t, "None", vodapi.Val(n.TasksNotifyMode))
	ns := n.MediaProcessResultSet[0].TranscodeTask
	require.Equal(t, "FAIL", vodapi.Val(ns.Status))
	require.Equal(t, "FailedOperation.NoNeedToReduceMediaBitrate", vodapi.Val(ns.ErrCodeExt))
	require.Contains(t, vodapi.Val(ns.Message), "no need to reduce")
	require.Nil(t, ns.Output)
	t.Logf("tight source: %s", vodapi.Val(ns.Message))
	ti := describeMedia(t, s.client(), nil, small).Response.MediaInfoSet[0].TranscodeInfo
	require.True(t, ti == nil || len(ti.TranscodeSet) == 0, "nothing recorded for the tight source")

	// The finished task is announced; TasksNotifyMode None silences the other.
	ev := enhEvents(t, s)
	require.Contains(t, ev, okID)
	require.Equal(t, "ReduceMediaBitrateComplete", vodapi.Val(ev[okID].EventType))
	require.NotContains(t, ev, noID)

	// Exact JSON: no nulls where the service prints values.
	raw := enhRawDetail(t, s, okID)["ReduceMediaBitrateTask"].(map[string]any)
	set := raw["MediaProcessResultSet"].([]any)[0].(map[string]any)
	require.Nil(t, set["AdaptiveDynamicStreamingTask"])
	in := set["TranscodeTask"].(map[string]any)["Input"].(map[string]any)
	require.Equal(t, []any{}, in["WatermarkSet"])
	require.IsType(t, float64(0), raw["TasksPriority"])

	// Bad requests are refused before a task exists.
	var resp map[string]any
	err = s.callInto(t, "ReduceMediaBitrate", map[string]any{"FileId": "5285890799999999999"}, &resp)
	requireRawCode(t, err, "InvalidParameterValue.FileId")
	err = s.callInto(t, "ReduceMediaBitrate", map[string]any{}, &resp)
	requireRawCode(t, err, "MissingParameter")
	err = s.callInto(t, "ReduceMediaBitrate", map[string]any{"FileId": big, "TasksNotifyMode": "Change"}, &resp)
	requireRawCode(t, err, "InvalidParameterValue")
}

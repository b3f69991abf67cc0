package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// TestEnhanceRebuildMediaRestores runs RebuildMedia on a noisy 160x120
// 15 fps clip with a quiet, hissing tone: super resolution doubles the
// size, interpolation makes 30 fps, audio clean-up brings the loudness to
// -16 LUFS; a second task only denoises, and must come closer to the clean
// picture than the noisy source is.
func TestEnhanceRebuildMediaRestores(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	noisy := enhSource(t, dir, "noisy.mp4", "160x120", 15, true)
	clean := enhSource(t, dir, "clean.mp4", "160x120", 15, false)
	fileID := enhUpload(t, s, noisy)

	full := enhSubmit(t, s, "RebuildMedia", map[string]any{"FileId": fileID, "SessionContext": "rb",
		"VideoDenoiseInfo":            map[string]any{"Switch": "ON"},
		"SuperResolutionInfo":         map[string]any{"Switch": "ON", "Size": 2},
		"VideoFrameInterpolationInfo": map[string]any{"Switch": "ON", "Fps": 30},
		"AudioDenoiseInfo":            map[string]any{"Switch": "ON"},
		"TargetInfo":                  map[string]any{"MediaName": "restored", "Description": "from noisy", "Container": "mp4"}})
	require.Regexp(t, `^1250000001-RebuildMedia-[0-9a-f]{32}t0$`, full)
	denoise := enhSubmit(t, s, "RebuildMedia", map[string]any{"FileId": fileID,
		"VideoDenoiseInfo": map[string]any{"Switch": "ON", "Type": "strong"}})

	d := enhDetail(t, s, full)
	require.Equal(t, "RebuildMedia", vodapi.Val(d.TaskType))
	r := d.RebuildMediaTask
	require.NotNil(t, r)
	require.Equal(t, int64(0), vodapi.Val(r.ErrCode), vodapi.Val(r.Message))
	require.Equal(t, "FINISH", vodapi.Val(r.Status))
	require.Equal(t, "", vodapi.Val(r.ErrCodeExt))
	require.Equal(t, int64(100), vodapi.Val(r.Progress))
	require.Equal(t, "rb", vodapi.Val(r.SessionContext))
	require.Equal(t, fileID, vodapi.Val(r.Input.FileId))
	require.Equal(t, "ON", vodapi.Val(r.Input.VideoDenoiseInfo.Switch))
	require.Equal(t, "weak", vodapi.Val(r.Input.VideoDenoiseInfo.Type), "the default type is filled in")
	require.Equal(t, "OFF", vodapi.Val(r.Input.RepairInfo.Switch))
	require.Equal(t, "restored", vodapi.Val(r.Input.TargetInfo.MediaName))
	o := r.Output
	require.NotNil(t, o)
	require.NotEqual(t, fileID, vodapi.Val(o.FileId))
	require.Regexp(t, `^[0-9]{19}$`, vodapi.Val(o.FileId))
	require.Equal(t, "mp4", vodapi.Val(o.FileType))
	require.Equal(t, "restored", vodapi.Val(o.MediaName))
	require.Equal(t, "9999-12-31T23:59:59Z", vodapi.Val(o.ExpireTime))
	require.EqualValues(t, 320, vodapi.Val(r.MetaData.Width))

	out := enhFetch(t, vodapi.Val(o.FileUrl))
	v := enhProbeVideo(t, out)
	require.Equal(t, 320, v.Width)
	require.Equal(t, 240, v.Height)
	require.Equal(t, "30/1", v.Rate)
	require.InDelta(t, 60, v.Frames, 2, "2 s at 30 fps")
	before, after := enhLoudness(t, noisy), enhLoudness(t, out)
	t.Logf("loudness: source %.1f LUFS, restored %.1f LUFS", before, after)
	require.Less(t, before, -25.0)
	require.InDelta(t, -16, after, 2)

	info := describeMedia(t, s.client(), nil, vodapi.Val(o.FileId))
	require.Len(t, info.Response.MediaInfoSet, 1)
	require.Equal(t, "restored", *info.Response.MediaInfoSet[0].BasicInfo.Name)
	require.Equal(t, "from noisy", *info.Response.MediaInfoSet[0].BasicInfo.Description)

	dn := enhDetail(t, s, denoise).RebuildMediaTask
	require.Equal(t, int64(0), vodapi.Val(dn.ErrCode), vodapi.Val(dn.Message))
	den := enhFetch(t, vodapi.Val(dn.Output.FileUrl))
	require.Equal(t, enhVideoFacts{Width: 160, Height: 120, Rate: "15/1", Frames: 30}, enhProbeVideo(t, den))
	noisyPSNR, denoisedPSNR := enhCompare(t, "psnr", clean, noisy), enhCompare(t, "psnr", clean, den)
	t.Logf("PSNR against the clean picture: noisy %.2f dB, denoised %.2f dB", noisyPSNR, denoisedPSNR)
	require.Greater(t, denoisedPSNR, noisyPSNR+2, "strong denoise must clearly remove noise")
}

// enhFetch downloads a URL into a new temporary folder.
func enhFetch(t *testing.T, url string) string {
	t.Helper()
	dir, err := os.MkdirTemp(t.TempDir(), "fetch")
	require.NoError(t, err)
	return fetch(t, filepath.Clean(dir), url)
}

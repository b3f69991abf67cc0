package e2e

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// TestEnhanceMediaQualityAndByTemplate runs the template-driven actions:
// EnhanceMediaQuality with the ×2 super resolution preset (a QualityEnhance
// task), EnhanceMediaByTemplate with a custom enhance template and a trim,
// and RebuildMediaByTemplate (String SubAppId) with a rebuild template
// (both RebuildMedia tasks).
func TestEnhanceMediaQualityAndByTemplate(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	fileID := enhUpload(t, s, enhSource(t, dir, "src.mp4", "160x120", 15, true))

	q := enhSubmit(t, s, "EnhanceMediaQuality", map[string]any{"FileId": fileID, "Definition": 20, "SessionId": "q-" + fileID,
		"OutputConfig": map[string]any{"MediaName": "sharp", "ClassId": 0, "ExpireTime": "2099-01-01T00:00:00Z"}})
	require.Regexp(t, `^1250000001-EnhanceMediaQuality-[0-9a-f]{32}t0$`, q)
	var tc vodapi.CreateEnhanceMediaTemplateResponse
	require.NoError(t, s.callInto(t, "CreateEnhanceMediaTemplate", map[string]any{"Container": "mp4", "RemoveAudio": 1,
		"RebuildVideoInfo": map[string]any{"ColorInfo": map[string]any{"Switch": "ON", "Type": "strong"},
			"ScratchRepairInfo": map[string]any{"Switch": "ON", "Intensity": 0.8}},
		"TargetVideoInfo": map[string]any{"Width": 320, "Height": 180, "FillType": "black", "Codec": "libx265"}}, &tc))
	byTpl := enhSubmit(t, s, "EnhanceMediaByTemplate", map[string]any{"FileId": fileID, "Definition": vodapi.Val(tc.Definition),
		"StartTimeOffset": 0.5, "EndTimeOffset": 1.5, "OutputConfig": map[string]any{"MediaName": "colour"}})
	var rc vodapi.CreateRebuildMediaTemplateResponse
	require.NoError(t, s.callInto(t, "CreateRebuildMediaTemplate", map[string]any{"Container": "flv",
		"RebuildVideoInfo": map[string]any{"LowLightInfo": map[string]any{"Switch": "ON"}}}, &rc))
	rebuild := enhSubmit(t, s, "RebuildMediaByTemplate", map[string]any{"FileId": fileID, "Definition": vodapi.Val(rc.Definition),
		"SubAppId": strconv.Itoa(1250000001)})

	d := enhDetail(t, s, q)
	require.Equal(t, "QualityEnhance", vodapi.Val(d.TaskType))
	qe := d.QualityEnhanceTask
	require.NotNil(t, qe)
	require.Equal(t, int64(0), vodapi.Val(qe.ErrCode), vodapi.Val(qe.Message))
	require.Equal(t, "SUCCESS", vodapi.Val(qe.Message))
	require.Equal(t, "q-"+fileID, vodapi.Val(qe.SessionId))
	require.Equal(t, fileID, vodapi.Val(qe.Input.FileId))
	require.Equal(t, uint64(20), vodapi.Val(qe.Input.Definition))
	require.Equal(t, "sharp", vodapi.Val(qe.Output.MediaName))
	require.Equal(t, "2099-01-01T00:00:00Z", vodapi.Val(qe.Output.ExpireTime))
	v := enhProbeVideo(t, enhFetch(t, vodapi.Val(qe.Output.FileUrl)))
	require.Equal(t, enhVideoFacts{Width: 320, Height: 240, Rate: "15/1", Frames: 30}, v)
	raw := enhRawDetail(t, s, q)["QualityEnhanceTask"].(map[string]any)
	require.IsType(t, float64(0), raw["Input"].(map[string]any)["Definition"])
	require.IsType(t, "", raw["Output"].(map[string]any)["FileId"])

	b := enhDetail(t, s, byTpl)
	require.Equal(t, "RebuildMedia", vodapi.Val(b.TaskType))
	br := b.RebuildMediaTask
	require.Equal(t, int64(0), vodapi.Val(br.ErrCode), vodapi.Val(br.Message))
	require.Equal(t, vodapi.Val(tc.Definition), vodapi.Val(br.Input.Definition))
	require.Equal(t, "ON", vodapi.Val(br.Input.ColorInfo.Switch))
	require.Equal(t, 0.5, vodapi.Val(br.Input.StartTimeOffset))
	out := enhFetch(t, vodapi.Val(br.Output.FileUrl))
	p := ffprobe(t, out)
	require.Len(t, p.Streams, 1, "RemoveAudio 1")
	require.Equal(t, "hevc", p.Streams[0].CodecName)
	require.Equal(t, []int{320, 180}, []int{p.Streams[0].Width, p.Streams[0].Height}, "padded into the target frame")
	dur, err := strconv.ParseFloat(p.Format.Duration, 64)
	require.NoError(t, err)
	require.InDelta(t, 1.0, dur, 0.15, "trimmed to [0.5, 1.5)")

	rb := enhDetail(t, s, rebuild).RebuildMediaTask
	require.Equal(t, int64(0), vodapi.Val(rb.ErrCode), vodapi.Val(rb.Message))
	require.Equal(t, "flv", vodapi.Val(rb.Output.FileType))
	require.Equal(t, "src", vodapi.Val(rb.Output.MediaName), "the source's name by default")
	require.Equal(t, "flv", ffprobeFormat(t, enhFetch(t, vodapi.Val(rb.Output.FileUrl))))

	ev := enhEvents(t, s)
	require.Equal(t, "QualityEnhanceComplete", vodapi.Val(ev[q].EventType))
	require.Equal(t, "sharp", vodapi.Val(ev[q].QualityEnhanceCompleteEvent.Output.MediaName))
	require.Equal(t, "RebuildMediaComplete", vodapi.Val(ev[byTpl].EventType))
	require.Equal(t, "RebuildMediaComplete", vodapi.Val(ev[rebuild].EventType))
}

// ffprobeFormat returns the container ffprobe names.
func ffprobeFormat(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0", path).Output()
	require.NoError(t, err, path)
	return strings.TrimSpace(string(out))
}

// TestEnhanceRefusals checks the answers before any task exists, and a
// problem that shows only while processing.
func TestEnhanceRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	f := fixtures(t)
	src := mediaServer(t, f.Dir)
	clip := *pullMedia(t, s.client(), src.URL+"/clip.mp4", nil).FileId
	tone := *pullMedia(t, s.client(), src.URL+"/tone.m4a", nil).FileId
	on := map[string]any{"Switch": "ON"}

	cases := []struct {
		name, action string
		params       map[string]any
		code         string
	}{
		{"unknown FileId", "RebuildMedia", map[string]any{"FileId": "5285890799999999999", "VideoDenoiseInfo": on}, "InvalidParameterValue.FileId"},
		{"unknown FileId, template action", "EnhanceMediaQuality", map[string]any{"FileId": "5285890799999999999", "Definition": 10}, "InvalidParameterValue.FileId"},
		{"unknown enhance template", "EnhanceMediaQuality", map[string]any{"FileId": clip, "Definition": 777}, "InvalidParameterValue.Definition"},
		{"unknown template by template", "EnhanceMediaByTemplate", map[string]any{"FileId": clip, "Definition": 20002}, "InvalidParameterValue.Definition"},
		{"unknown rebuild template", "RebuildMediaByTemplate", map[string]any{"FileId": clip, "Definition": 5}, "InvalidParameterValue.Definition"},
		{"every switch off", "RebuildMedia", map[string]any{"FileId": clip, "VideoDenoiseInfo": map[string]any{"Switch": "OFF"},
			"TargetInfo": map[string]any{"Container": "mp4"}}, "InvalidParameter"},
		{"no switch at all", "RebuildMedia", map[string]any{"FileId": clip}, "InvalidParameter"},
		{"HDR", "RebuildMedia", map[string]any{"FileId": clip, "HDRInfo": on}, "UnsupportedOperation"},
		{"face", "RebuildMedia", map[string]any{"FileId": clip, "FaceInfo": on}, "UnsupportedOperation"},
		{"hls output", "RebuildMedia", map[string]any{"FileId": clip, "SharpInfo": on, "TargetInfo": map[string]any{"Container": "hls"}}, "UnsupportedOperation"},
		{"start past the end", "RebuildMedia", map[string]any{"FileId": clip, "SharpInfo": on, "StartTimeOffset": 5}, "InvalidParameterValue.StartTimeOffset"},
		{"end before start", "EnhanceMediaByTemplate", map[string]any{"FileId": clip, "Definition": 10, "StartTimeOffset": 1, "EndTimeOffset": 0.5}, "InvalidParameterValue.EndTimeOffset"},
		{"bad switch word", "RebuildMedia", map[string]any{"FileId": clip, "SharpInfo": map[string]any{"Switch": "YES"}}, "InvalidParameterValue"},
		{"frame rate too high", "RebuildMedia", map[string]any{"FileId": clip, "VideoFrameInterpolationInfo": map[string]any{"Switch": "ON", "Fps": 500}}, "InvalidParameterValue.Fps"},
		{"bad expire time", "EnhanceMediaQuality", map[string]any{"FileId": clip, "Definition": 10, "OutputConfig": map[string]any{"ExpireTime": "soon"}}, "InvalidParameterValue.ExpireTime"},
		{"bad String SubAppId", "RebuildMediaByTemplate", map[string]any{"FileId": clip, "Definition": 10, "SubAppId": "x"}, "InvalidParameterValue.SubAppId"},
	}
	for _, tc := range cases {
		err := s.callInto(t, tc.action, tc.params, nil)
		requireRawCode(t, err, tc.code)
		t.Logf("%s: %v", tc.name, err)
	}

	// An audio-only media whose audio is removed leaves nothing to write:
	// known only once the source is probed, so the task fails.
	id := enhSubmit(t, s, "RebuildMedia", map[string]any{"FileId": tone, "VideoDenoiseInfo": on,
		"TargetInfo": map[string]any{"RemoveAudio": 1}})
	r := enhDetail(t, s, id).RebuildMediaTask
	require.Equal(t, "FINISH", vodapi.Val(r.Status))
	require.Equal(t, int64(40000), vodapi.Val(r.ErrCode))
	require.Equal(t, "InvalidInput", vodapi.Val(r.ErrCodeExt))
	require.Contains(t, vodapi.Val(r.Message), "neither video nor audio")
	require.Nil(t, r.Output)
	require.Nil(t, enhRawDetail(t, s, id)["RebuildMediaTask"].(map[string]any)["Output"])

	// Picture enhancements of a sound file would only re-encode it.
	id = enhSubmit(t, s, "EnhanceMediaQuality", map[string]any{"FileId": tone, "Definition": 20})
	q := enhDetail(t, s, id).QualityEnhanceTask
	require.Equal(t, int64(40000), vodapi.Val(q.ErrCode))
	require.Contains(t, vodapi.Val(q.Message), "no video stream")
	require.Nil(t, q.Output)
}

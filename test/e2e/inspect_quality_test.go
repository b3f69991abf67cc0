package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openvod/openvod/internal/vodapi"
	"github.com/stretchr/testify/require"
)

// inspectDefects writes defects.mp4 into dir: 6 s of 320x240 testsrc2 and
// a 440 Hz tone, with black frames at 2–3 s, a frozen picture at 4–5 s and
// silence at 1–2 s.
func inspectDefects(t *testing.T, dir string) {
	t.Helper()
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i", "sine=f=440:d=6",
		"-filter_complex", "[0:v]split=3[a][b][c];[a]trim=0:4,setpts=PTS-STARTPTS[a1];"+
			"[b]trim=start_frame=100:end_frame=101,loop=loop=24:size=1,setpts=N/25/TB[b1];"+
			"[c]trim=5:6,setpts=PTS-STARTPTS[c1];[a1][b1][c1]concat=n=3:v=1:a=0,"+
			"drawbox=c=black:t=fill:enable='between(t,2,3)'[v];[1:a]volume=0:enable='between(t,1,2)'[a]",
		"-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
		inspectPath(dir, "defects.mp4"))
}

// inspectLetterbox writes letterbox.mp4 into dir: 2 s of 320x180 testsrc2
// padded to 320x240 (30-pixel black bars above and below), no audio.
func inspectLetterbox(t *testing.T, dir string) {
	t.Helper()
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=2", "-vf", "pad=320:240:0:30:black",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", inspectPath(dir, "letterbox.mp4"))
}

// inspectBlurDark writes blurdark.mp4 into dir: 4 s of 320x240 testsrc2,
// blurred at 1–2 s and darkened at 3–4 s.
func inspectBlurDark(t *testing.T, dir string) {
	t.Helper()
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4",
		"-vf", "gblur=sigma=4:enable='between(t,1,2)',eq=brightness=-0.4:enable='between(t,3,4)'",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", inspectPath(dir, "blurdark.mp4"))
}

// inspectRun submits an inspection and returns its finished result.
func inspectRun(t *testing.T, s *server, fileID string, def int64) (*vodapi.QualityInspectTask, map[string]any) {
	t.Helper()
	var resp vodapi.InspectMediaQualityResponse
	require.NoError(t, s.callInto(t, "InspectMediaQuality", map[string]any{"FileId": fileID, "Definition": def,
		"SessionContext": "qc"}, &resp))
	d, raw := inspectDetail(t, s, vodapi.Val(resp.TaskId))
	require.Equal(t, "QualityInspect", vodapi.Val(d.TaskType))
	require.Equal(t, "FINISH", vodapi.Val(d.Status))
	r := d.QualityInspectTask
	require.NotNil(t, r)
	require.Equal(t, "", vodapi.Val(r.ErrCodeExt), vodapi.Val(r.Message))
	require.Equal(t, "SUCCESS", vodapi.Val(r.Message))
	require.Equal(t, fileID, vodapi.Val(r.Input.FileId))
	require.EqualValues(t, def, vodapi.Val(r.Input.Definition))
	require.Equal(t, "qc", vodapi.Val(r.SessionContext))
	require.NotNil(t, r.MetaData)
	require.NotNil(t, r.Output)
	qi := raw["QualityInspectTask"].(map[string]any)
	requireNoNulls(t, qi, "QualityInspectTask")
	return r, qi
}

// inspectItems indexes the result items by Type.
func inspectItems(t *testing.T, out *vodapi.QualityInspectTaskOutput) map[string][]*vodapi.QualityInspectItem {
	t.Helper()
	m := map[string][]*vodapi.QualityInspectItem{}
	for _, it := range out.QualityInspectResultSet {
		require.NotContains(t, m, vodapi.Val(it.Type), "Type listed twice")
		require.Equal(t, "", vodapi.Val(it.SegmentSetFileUrl))
		m[vodapi.Val(it.Type)] = it.SegmentSet
	}
	return m
}

// requireSegment checks a single segment's placement to ±0.3 s and its
// confidence range.
func requireSegment(t *testing.T, seg *vodapi.QualityInspectItem, start, end float64) {
	t.Helper()
	require.InDelta(t, start, vodapi.Val(seg.StartTimeOffset), 0.3)
	require.InDelta(t, end, vodapi.Val(seg.EndTimeOffset), 0.3)
	require.GreaterOrEqual(t, vodapi.Val(seg.Confidence), uint64(50))
	require.LessOrEqual(t, vodapi.Val(seg.Confidence), uint64(100))
}

func TestInspectQuality(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	inspectDefects(t, dir)
	inspectLetterbox(t, dir)
	inspectBlurDark(t, dir)
	defects := ingestFile(t, s, filepath.Join(dir, "defects.mp4"))
	letterbox := ingestFile(t, s, filepath.Join(dir, "letterbox.mp4"))
	blurDark := ingestFile(t, s, filepath.Join(dir, "blurdark.mp4"))
	// 2 s of a tone 30 dB quieter than the usual, audio only.
	ffmpeg(t, "-f", "lavfi", "-i", "sine=f=440:d=2", "-af", "volume=-30dB", "-c:a", "aac", inspectPath(dir, "quiet.m4a"))
	quiet := ingestFile(t, s, filepath.Join(dir, "quiet.m4a"))

	var created vodapi.CreateQualityInspectTemplateResponse
	require.NoError(t, s.callInto(t, "CreateQualityInspectTemplate", map[string]any{"Name": "all",
		"BlurConfigure": map[string]any{"Switch": "ON"}, "AbnormalLightingConfigure": map[string]any{"Switch": "ON"},
		"BlackWhiteEdgeConfigure": map[string]any{"Switch": "ON"}, "VoiceConfigure": map[string]any{"Switch": "ON"},
		"QualityEvaluationConfigure": map[string]any{"Switch": "ON", "Score": 90}}, &created))
	all := vodapi.Val(created.Definition)

	t.Run("defects", func(t *testing.T) {
		r, raw := inspectRun(t, s, defects, all)
		out := r.Output
		require.EqualValues(t, 0, vodapi.Val(out.NoAudio))
		require.EqualValues(t, 0, vodapi.Val(out.NoVideo))
		items := inspectItems(t, out)
		require.Len(t, items["SolidColorScreen"], 1)
		requireSegment(t, items["SolidColorScreen"][0], 2, 3)
		require.Equal(t, []int64{}, items["SolidColorScreen"][0].AreaCoordSet)
		require.Len(t, items["VideoFreezedFrame"], 1, "the black stretch is reported once, as black")
		requireSegment(t, items["VideoFreezedFrame"][0], 4, 5)
		require.Len(t, items["NoVoice"], 1)
		requireSegment(t, items["NoVoice"][0], 1, 2)
		for _, absent := range []string{"Blur", "LowLighting", "HighLighting", "BlackWhiteEdge", "LowVoice", "HighVoice"} {
			require.NotContains(t, items, absent)
		}
		// 100 - 40·1/6 (black) - 30·0.92/6 (frozen) - 20·1/6 (silent) - 13 (240p) ≈ 72.
		score := vodapi.Val(out.QualityEvaluationScore)
		require.InDelta(t, 72, score, 3)
		require.InDelta(t, 1+4*float64(score)/100, vodapi.Val(out.QualityEvaluationMeanOpinionScore), 0.01)
		require.Len(t, items["LowEvaluation"], 1, "the score is under the template's 90")
		requireSegment(t, items["LowEvaluation"][0], 0, 6)
		require.Equal(t, []*vodapi.QualityInspectContainerDiagnoseResultItem{}, out.ContainerDiagnoseResultSet)
		require.EqualValues(t, 6, vodapi.Val(r.MetaData.Duration))

		o := raw["Output"].(map[string]any)
		t.Logf("output: %v", o)
		require.Equal(t, map[string]any{"ResultCount": float64(0), "ResultSet": []any{}}, o["LLMDetectionReport"])
		seg := o["QualityInspectResultSet"].([]any)[0].(map[string]any)
		require.Equal(t, "SolidColorScreen", seg["Type"])
		require.IsType(t, float64(0), seg["SegmentSet"].([]any)[0].(map[string]any)["Confidence"])
	})

	t.Run("letterbox without audio", func(t *testing.T) {
		r, _ := inspectRun(t, s, letterbox, all)
		require.EqualValues(t, 1, vodapi.Val(r.Output.NoAudio))
		require.EqualValues(t, 0, vodapi.Val(r.Output.NoVideo))
		items := inspectItems(t, r.Output)
		require.Len(t, items["BlackWhiteEdge"], 1)
		edge := items["BlackWhiteEdge"][0]
		requireSegment(t, edge, 0, 2)
		require.Len(t, edge.AreaCoordSet, 4)
		for i, want := range []int64{0, 30, 319, 209} { // the picture inside the bars
			require.InDelta(t, want, edge.AreaCoordSet[i], 2, "AreaCoordSet %v", edge.AreaCoordSet)
		}
		require.NotContains(t, items, "SolidColorScreen")
		require.NotContains(t, items, "NoVoice")
	})

	t.Run("blur and dark", func(t *testing.T) {
		r, _ := inspectRun(t, s, blurDark, all)
		items := inspectItems(t, r.Output)
		require.Len(t, items["Blur"], 1)
		requireSegment(t, items["Blur"][0], 1, 2)
		require.Len(t, items["LowLighting"], 1)
		requireSegment(t, items["LowLighting"][0], 3, 4)
		for _, absent := range []string{"SolidColorScreen", "VideoFreezedFrame", "HighLighting", "BlackWhiteEdge"} {
			require.NotContains(t, items, absent)
		}
	})

	t.Run("quiet audio only", func(t *testing.T) {
		r, _ := inspectRun(t, s, quiet, all)
		require.EqualValues(t, 0, vodapi.Val(r.Output.NoAudio))
		require.EqualValues(t, 1, vodapi.Val(r.Output.NoVideo))
		items := inspectItems(t, r.Output)
		require.Len(t, items, 1, "%v", items)
		require.Len(t, items["LowVoice"], 1, "about -51 LUFS is under -35")
		requireSegment(t, items["LowVoice"][0], 0, 2)
		// 100 less 10 for the loudness; no picture, so no resolution loss.
		require.EqualValues(t, 90, vodapi.Val(r.Output.QualityEvaluationScore))
	})

	t.Run("switches and thresholds", func(t *testing.T) {
		// Black detection off: the black stretch is now a freeze too; a
		// longer least silence hides the 1 s one.
		var c vodapi.CreateQualityInspectTemplateResponse
		require.NoError(t, s.callInto(t, "CreateQualityInspectTemplate", map[string]any{"Name": "tuned",
			"VoiceConfigure": map[string]any{"Switch": "ON"},
			"Configs":        []map[string]any{{"Type": "SolidColorScreen", "Switch": "OFF"}, {"Type": "NoVoice", "Switch": "ON", "Duration": 2}}}, &c))
		r, _ := inspectRun(t, s, defects, vodapi.Val(c.Definition))
		items := inspectItems(t, r.Output)
		require.NotContains(t, items, "SolidColorScreen")
		require.NotContains(t, items, "NoVoice")
		require.NotContains(t, items, "LowEvaluation")
		require.Len(t, items["VideoFreezedFrame"], 2)
		requireSegment(t, items["VideoFreezedFrame"][0], 2, 3)
		requireSegment(t, items["VideoFreezedFrame"][1], 4, 5)
	})

	t.Run("events", func(t *testing.T) {
		evs := inspectEvents(t, s, "QualityInspectComplete", "QualityInspectCompleteEvent")
		require.Len(t, evs, 5, "one event for each finished inspection")
		for _, e := range evs {
			require.Contains(t, e["TaskId"], "-QualityInspect-")
			require.Equal(t, "FINISH", e["Status"])
			require.NotNil(t, e["Output"])
		}
	})
}

func TestInspectBadInputs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	makeMP4(t, inspectPath(dir, "a.mp4"), 1)
	fileID := ingestFile(t, s, filepath.Join(dir, "a.mp4"))
	var c vodapi.CreateQualityInspectTemplateResponse
	require.NoError(t, s.callInto(t, "CreateQualityInspectTemplate", map[string]any{"Name": "t"}, &c))
	before := inspectTaskCount(t, s, fileID)

	_, err := s.call("InspectMediaQuality", map[string]any{"FileId": "5285485487985271487", "Definition": vodapi.Val(c.Definition)})
	requireRawCode(t, err, "ResourceNotFound.FileNotExist")
	_, err = s.call("InspectMediaQuality", map[string]any{"FileId": fileID, "Definition": 999999})
	requireRawCode(t, err, "InvalidParameterValue.Definition")
	_, err = s.call("InspectMediaQuality", map[string]any{"FileId": fileID})
	requireRawCode(t, err, "MissingParameter")
	_, err = s.call("InspectMediaQuality", map[string]any{"FileId": fileID, "Definition": vodapi.Val(c.Definition), "TasksPriority": 11})
	requireRawCode(t, err, "InvalidParameterValue")
	require.Equal(t, before, inspectTaskCount(t, s, fileID), "no task was created")
}

func TestInspectTemplates(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	bad := []struct {
		params map[string]any
		code   string
	}{
		{map[string]any{"MosaicConfigure": map[string]any{"Switch": "ON"}}, "UnsupportedOperation"},
		{map[string]any{"Configs": []map[string]any{{"Type": "QRCode", "Switch": "ON"}}}, "UnsupportedOperation"},
		{map[string]any{"Configs": []map[string]any{{"Type": "Sparkles"}}}, "InvalidParameterValue.Type"},
		{map[string]any{"Configs": []map[string]any{{"Type": "Blur", "Switch": "maybe"}}}, "InvalidParameterValue.Switch"},
		{map[string]any{"Configs": []map[string]any{{"Type": "Blur", "Threshold": "sharp"}}}, "InvalidParameterValue.Threshold"},
		{map[string]any{"Configs": []map[string]any{{"Type": "Blur"}, {"Type": "Blur"}}}, "InvalidParameterValue.Configs"},
		{map[string]any{"BlurConfigure": map[string]any{"Switch": "yes"}}, "InvalidParameterValue.Switch"},
		{map[string]any{"Strategy": map[string]any{"StrategyType": "TimeSpotCheck"}}, "UnsupportedOperation"},
		{map[string]any{"QualityEvaluationConfigure": map[string]any{"Switch": "ON", "Score": 101}}, "InvalidParameterValue.Score"},
	}
	for _, b := range bad {
		_, err := s.call("CreateQualityInspectTemplate", b.params)
		requireRawCode(t, err, b.code)
	}

	resp, err := s.call("CreateQualityInspectTemplate", map[string]any{"Name": "qc", "Comment": "c",
		"BlurConfigure": map[string]any{"Switch": "ON"},
		"Configs":       []map[string]any{{"Type": "Blur", "Threshold": "12.5", "Duration": 2}}})
	require.NoError(t, err)
	def := resp["Definition"].(float64)
	require.GreaterOrEqual(t, def, float64(10001))

	describe := func() map[string]any {
		t.Helper()
		var typed vodapi.DescribeQualityInspectTemplatesResponse
		require.NoError(t, s.callInto(t, "DescribeQualityInspectTemplates", map[string]any{"Definitions": []any{def}}, &typed))
		resp, err := s.call("DescribeQualityInspectTemplates", map[string]any{"Definitions": []any{def}})
		require.NoError(t, err)
		require.EqualValues(t, 1, resp["TotalCount"])
		set := resp["QualityInspectTemplateSet"].([]any)
		require.Len(t, set, 1)
		got := set[0].(map[string]any)
		requireNoNulls(t, got, "QualityInspectTemplate", "TimeSpotCheck")
		return got
	}
	got := describe()
	require.Equal(t, "qc", got["Name"])
	require.Equal(t, "Custom", got["Type"])
	require.Equal(t, "c", got["Comment"])
	require.Equal(t, map[string]any{"Switch": "ON"}, got["BlurConfigure"])
	require.Equal(t, map[string]any{"Switch": "OFF"}, got["MosaicConfigure"])
	require.Equal(t, []any{map[string]any{"Type": "Blur", "Switch": "ON", "Sampling": "", "IntervalTime": float64(0),
		"Duration": float64(2), "Threshold": "12.5"}}, got["Configs"])
	require.NotEmpty(t, got["CreateTime"])

	_, err = s.call("ModifyQualityInspectTemplate", map[string]any{"Definition": def, "NoiseConfigure": map[string]any{"Switch": "ON"}})
	requireRawCode(t, err, "UnsupportedOperation")
	_, err = s.call("ModifyQualityInspectTemplate", map[string]any{"Definition": def, "Name": "qc2",
		"VoiceConfigure": map[string]any{"Switch": "ON"}, "Configs": []map[string]any{}})
	require.NoError(t, err)
	got = describe()
	require.Equal(t, "qc2", got["Name"])
	require.Equal(t, map[string]any{"Switch": "ON"}, got["VoiceConfigure"])
	require.Equal(t, map[string]any{"Switch": "ON"}, got["BlurConfigure"], "a switch not given is kept")
	require.Equal(t, []any{}, got["Configs"])

	resp, err = s.call("DescribeQualityInspectTemplates", map[string]any{"Type": "Preset"})
	require.NoError(t, err)
	require.EqualValues(t, 0, resp["TotalCount"])
	_, err = s.call("DeleteQualityInspectTemplate", map[string]any{"Definition": def})
	require.NoError(t, err)
	_, err = s.call("DeleteQualityInspectTemplate", map[string]any{"Definition": def})
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")
	_, err = s.call("ModifyQualityInspectTemplate", map[string]any{"Definition": def, "Name": "x"})
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")
}

// A stored original that is no longer media fails the tasks while they run.
func TestInspectBrokenSource(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	makeMP4(t, inspectPath(dir, "a.mp4"), 1)
	src := mediaServer(t, dir)
	resp, err := s.call("PullUpload", map[string]any{"MediaUrl": src.URL + "/a.mp4"})
	require.NoError(t, err)
	pulled := waitTask(t, s.client(), resp["TaskId"].(string), nil).Response.PullUploadTask
	fileID, url := *pulled.FileId, *pulled.FileUrl
	key := url[strings.Index(url, "/files/")+len("/files/"):]
	require.NoError(t, os.WriteFile(filepath.Join(s.DataDir, "media", filepath.FromSlash(key)), []byte("not media"), 0o644))

	var c vodapi.CreateQualityInspectTemplateResponse
	require.NoError(t, s.callInto(t, "CreateQualityInspectTemplate", map[string]any{"Name": "t"}, &c))
	var ir vodapi.InspectMediaQualityResponse
	require.NoError(t, s.callInto(t, "InspectMediaQuality", map[string]any{"FileId": fileID, "Definition": vodapi.Val(c.Definition)}, &ir))
	d, _ := inspectDetail(t, s, vodapi.Val(ir.TaskId))
	require.Equal(t, "FINISH", vodapi.Val(d.Status))
	require.Equal(t, "SourceFileError", vodapi.Val(d.QualityInspectTask.ErrCodeExt))
	require.Contains(t, vodapi.Val(d.QualityInspectTask.Message), fileID)
	require.Nil(t, d.QualityInspectTask.Output)

	var rr vodapi.RemoveWatermarkResponse
	require.NoError(t, s.callInto(t, "RemoveWatermark", map[string]any{"FileId": fileID}, &rr))
	d, _ = inspectDetail(t, s, vodapi.Val(rr.TaskId))
	require.Equal(t, "FINISH", vodapi.Val(d.Status))
	require.EqualValues(t, 60000, vodapi.Val(d.RemoveWatermarkTask.ErrCode))
	require.Equal(t, "SourceFileError", vodapi.Val(d.RemoveWatermarkTask.ErrCodeExt))
	require.Contains(t, vodapi.Val(d.RemoveWatermarkTask.Message), "cannot be analysed")
	require.Nil(t, d.RemoveWatermarkTask.Output)
}

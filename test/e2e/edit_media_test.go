package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// editClip generates a clip with ffmpeg (args are the source and codec
// options), pulls it into the server and returns its FileId.
func editClip(t *testing.T, c *vod.Client, name string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	ffmpeg(t, append(args, filepath.Join(dir, name))...)
	return *pullMedia(t, c, mediaServer(t, dir).URL+"/"+name, nil).FileId
}

// editAV is a 320x240 25 fps H.264 + 44.1 kHz AAC clip of the given length.
func editAV(seconds string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=" + seconds,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest"}
}

// editSilent is a 160x120 30 fps H.264 clip without sound.
func editSilent(seconds string) []string {
	return []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=" + seconds,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "30"}
}

// editDetail reads a task's DescribeTaskDetail into the project's wire
// type, whose fields are all pointers: nulls stay visible.
func editDetail(t *testing.T, s *server, taskID string) *vodapi.DescribeTaskDetailResponse {
	t.Helper()
	var d vodapi.DescribeTaskDetailResponse
	require.NoError(t, s.callInto(t, "DescribeTaskDetail", map[string]any{"TaskId": taskID}, &d))
	return &d
}

func TestEditMediaJoinsDifferentInputs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	a := editClip(t, c, "a.mp4", editAV("3")...)
	b := editClip(t, c, "b.mp4", editSilent("2")...)

	req := vod.NewEditMediaRequest()
	req.InputType = common.StringPtr("File")
	req.FileInfos = []*vod.EditMediaFileInfo{
		{FileId: common.StringPtr(a), StartTimeOffset: common.Float64Ptr(0.5), EndTimeOffset: common.Float64Ptr(2.5)},
		{FileId: common.StringPtr(b), StartTimeOffset: common.Float64Ptr(0.5)},
	}
	req.OutputConfig = &vod.EditMediaOutputConfig{MediaName: common.StringPtr("joined"), ClassId: common.Int64Ptr(0),
		ExpireTime: common.StringPtr("2099-01-02T03:04:05Z")}
	req.SessionContext = common.StringPtr("ctx-1")
	resp, err := c.EditMedia(req)
	require.NoError(t, err)
	taskID := *resp.Response.TaskId
	require.Regexp(t, `^1250000001-EditMedia-[0-9a-f]{32}t0$`, taskID)

	d := waitTask(t, c, taskID, nil).Response
	require.Equal(t, "EditMedia", *d.TaskType)
	e := d.EditMediaTask
	require.NotNil(t, e)
	require.EqualValues(t, 0, *e.ErrCode, *e.Message)
	require.Equal(t, "SUCCESS", *e.Message)
	require.Equal(t, "ctx-1", *e.SessionContext)
	require.Equal(t, "File", *e.Input.InputType)
	require.Len(t, e.Input.FileInfoSet, 2)
	require.Equal(t, b, *e.Input.FileInfoSet[1].FileId)
	require.EqualValues(t, 0, *e.Input.FileInfoSet[1].EndTimeOffset)
	out := e.Output
	require.NotNil(t, out)
	require.NotContains(t, []string{a, b}, *out.FileId)
	require.Regexp(t, `^\d{19}$`, *out.FileId)
	require.Equal(t, "mp4", *out.FileType)
	require.Equal(t, "joined", *out.MediaName)
	require.Equal(t, "2099-01-02T03:04:05Z", *out.ExpireTime)
	require.InDelta(t, 3.5, *e.MetaData.Duration, 0.2)
	require.EqualValues(t, 320, *e.MetaData.Width)

	// The output as a player gets it: one video and one audio stream.
	p := ffprobe(t, fetch(t, t.TempDir(), *out.FileUrl))
	require.Len(t, p.Streams, 2)
	var kinds []string
	for _, st := range p.Streams {
		kinds = append(kinds, st.CodecType)
		if st.CodecType == "video" {
			require.Equal(t, "h264", st.CodecName)
			require.Equal(t, 320, st.Width)
			require.Equal(t, 240, st.Height)
			n, _ := strconv.Atoi(st.NbFrames)
			require.InDelta(t, 3.5*25, n, 3, "frames at 25 fps")
		}
	}
	require.ElementsMatch(t, []string{"video", "audio"}, kinds)
	dur, _ := strconv.ParseFloat(p.Format.Duration, 64)
	require.InDelta(t, 3.5, dur, 0.2)

	// The new media is listed, with its own metadata and source type.
	info := describeMedia(t, c, nil, *out.FileId).Response.MediaInfoSet
	require.Len(t, info, 1)
	require.Equal(t, "joined", *info[0].BasicInfo.Name)
	require.Equal(t, "VideoProcessing", *info[0].BasicInfo.SourceInfo.SourceType)
	require.InDelta(t, 3.5, *info[0].MetaData.Duration, 0.2)

	// Exact JSON: every field the real service prints is present.
	w := editDetail(t, s, taskID).EditMediaTask
	require.NotNil(t, w)
	for name, v := range map[string]any{"TaskId": w.TaskId, "Status": w.Status, "ErrCode": w.ErrCode, "ErrCodeExt": w.ErrCodeExt,
		"Message": w.Message, "Progress": w.Progress, "Input": w.Input, "Output": w.Output, "MetaData": w.MetaData,
		"ProcedureTaskId": w.ProcedureTaskId, "ReviewAudioVideoTaskId": w.ReviewAudioVideoTaskId, "SessionId": w.SessionId,
		"SessionContext": w.SessionContext} {
		require.NotNil(t, v, "EditMediaTask.%s is null", name)
	}
	require.NotNil(t, w.Input.StreamInfoSet)
	require.EqualValues(t, 100, *w.Progress)
	for name, v := range map[string]any{"FileType": w.Output.FileType, "FileUrl": w.Output.FileUrl, "FileId": w.Output.FileId,
		"MediaName": w.Output.MediaName, "ClassId": w.Output.ClassId, "ExpireTime": w.Output.ExpireTime} {
		require.NotNil(t, v, "EditMediaTask.Output.%s is null", name)
	}
	var raw map[string]any
	require.NoError(t, json.Unmarshal(s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+taskID+`"}`), &raw))
	r := raw["Response"].(map[string]any)
	require.Nil(t, r["ProcedureTask"])
	require.Contains(t, r, "SplitMediaTask")

	// The completion event carries the same result.
	var pulled vodapi.PullEventsResponse
	require.NoError(t, s.callInto(t, "PullEvents", map[string]any{}, &pulled))
	found := false
	for _, ev := range pulled.EventSet {
		if vodapi.Val(ev.EventType) == "EditMediaComplete" {
			require.Equal(t, taskID, *ev.EditMediaCompleteEvent.TaskId)
			require.Equal(t, *out.FileId, *ev.EditMediaCompleteEvent.Output.FileId)
			found = true
		}
	}
	require.True(t, found, "an EditMediaComplete event")
}

func TestEditMediaHLSOutputAndProcedure(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	a := editClip(t, c, "a.mp4", editAV("2")...)
	_, err := s.call("CreateProcedureTemplate", map[string]any{"Name": "editproc",
		"MediaProcessTask": map[string]any{"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}}}}})
	require.NoError(t, err)

	var resp vodapi.EditMediaResponse
	require.NoError(t, s.callInto(t, "EditMedia", map[string]any{"InputType": "File", "ProcedureName": "editproc",
		"FileInfos":    []any{map[string]any{"FileId": a, "StartTimeOffset": 0, "EndTimeOffset": 1.5}, map[string]any{"FileId": a, "StartTimeOffset": -1}},
		"OutputConfig": map[string]any{"Type": "hls", "VideoStream": map[string]any{"Width": 160, "Height": 160, "Fps": 15, "Bitrate": 300}}}, &resp))
	d := waitTask(t, c, *resp.TaskId, nil).Response.EditMediaTask
	require.EqualValues(t, 0, *d.ErrCode, *d.Message)
	require.Equal(t, "hls", *d.Output.FileType)
	require.Regexp(t, `\.m3u8$`, *d.Output.FileUrl)
	require.Equal(t, "hls", *d.MetaData.Container)
	require.NotEmpty(t, *d.ProcedureTaskId)
	require.InDelta(t, 2.5, *d.MetaData.Duration, 0.25)

	// ffprobe reads the playlist and its segments over HTTP.
	p := ffprobe(t, *d.Output.FileUrl)
	for _, st := range p.Streams {
		if st.CodecType == "video" {
			require.Equal(t, 160, st.Width)
			require.Equal(t, 160, st.Height)
		}
	}
	dur, _ := strconv.ParseFloat(p.Format.Duration, 64)
	require.InDelta(t, 2.5, dur, 0.25)

	// The HLS output is an HLS original: SimpleHlsClip cuts it.
	var clip vodapi.SimpleHlsClipResponse
	require.NoError(t, s.callInto(t, "SimpleHlsClip", map[string]any{"Url": *d.Output.FileUrl, "EndTimeOffset": 1}, &clip))
	require.InDelta(t, *d.MetaData.Duration, *clip.MetaData.Duration, 0.2, "one 10 s segment holds it all")
	editServed(t, *clip.Url)

	proc := waitTask(t, c, *d.ProcedureTaskId, nil).Response.ProcedureTask
	require.NotNil(t, proc)
	require.Equal(t, *d.Output.FileId, *proc.FileId)
	require.EqualValues(t, 0, *proc.ErrCode, *proc.Message)
}

func TestEditMediaBadInputs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	a := editClip(t, c, "a.mp4", editAV("2")...)
	edit := func(fn func(r *vod.EditMediaRequest)) error {
		req := vod.NewEditMediaRequest()
		req.InputType = common.StringPtr("File")
		req.FileInfos = []*vod.EditMediaFileInfo{{FileId: common.StringPtr(a)}}
		fn(req)
		_, err := c.EditMedia(req)
		return err
	}
	fi := func(id string, start, end float64) []*vod.EditMediaFileInfo {
		return []*vod.EditMediaFileInfo{{FileId: common.StringPtr(id), StartTimeOffset: common.Float64Ptr(start), EndTimeOffset: common.Float64Ptr(end)}}
	}
	cases := []struct {
		name string
		fn   func(r *vod.EditMediaRequest)
		code string
	}{
		{"unknown FileId", func(r *vod.EditMediaRequest) { r.FileInfos = fi("5285890799999999999", 0, 0) }, "InvalidParameterValue.FileId"},
		{"empty FileInfos", func(r *vod.EditMediaRequest) { r.FileInfos = []*vod.EditMediaFileInfo{} }, "InvalidParameter"},
		{"start past the end", func(r *vod.EditMediaRequest) { r.FileInfos = fi(a, 5, 0) }, "InvalidParameterValue"},
		{"inverted window", func(r *vod.EditMediaRequest) { r.FileInfos = fi(a, 1.5, 1) }, "InvalidParameterValue"},
		{"counts back past the start", func(r *vod.EditMediaRequest) { r.FileInfos = fi(a, -10, 0) }, "InvalidParameterValue"},
		{"stream input", func(r *vod.EditMediaRequest) { r.InputType = common.StringPtr("Stream") }, "UnsupportedOperation"},
		{"unknown output type", func(r *vod.EditMediaRequest) {
			r.OutputConfig = &vod.EditMediaOutputConfig{Type: common.StringPtr("avi")}
		}, "InvalidParameterValue"},
		{"unknown procedure", func(r *vod.EditMediaRequest) { r.ProcedureName = common.StringPtr("nope") }, "InvalidParameter.ProcedureNameNotExist"},
		{"bad definition", func(r *vod.EditMediaRequest) { r.Definition = common.Uint64Ptr(30) }, "InvalidParameterValue.Definition"},
	}
	for _, tc := range cases {
		requireCode(t, edit(tc.fn), tc.code)
	}
	// A problem only processing shows (an image has no duration to cut)
	// ends the task with an error code and a clear message.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pic.png"), fixtures(t).Cover, 0o644))
	img := *pullMedia(t, c, mediaServer(t, dir).URL+"/pic.png", nil).FileId
	var resp vodapi.EditMediaResponse
	require.NoError(t, s.callInto(t, "EditMedia", map[string]any{"InputType": "File",
		"FileInfos": []any{map[string]any{"FileId": a}, map[string]any{"FileId": img}}}, &resp))
	d := waitTask(t, c, *resp.TaskId, nil).Response.EditMediaTask
	require.Equal(t, "FINISH", *d.Status)
	require.EqualValues(t, 40000, *d.ErrCode)
	require.Contains(t, *d.Message, "duration")
	require.Contains(t, *d.Message, "media "+img)
	require.Nil(t, d.Output)

	// No task was created by any of the others.
	edits := 0
	tasks, err := s.call("DescribeTasks", map[string]any{})
	require.NoError(t, err)
	for _, x := range tasks["TaskSet"].([]any) {
		if x.(map[string]any)["TaskType"] == "EditMedia" {
			edits++
		}
	}
	require.Equal(t, 1, edits)
}

func TestEditMediaAudioOnlyOutput(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	a := editClip(t, c, "a.mp4", editAV("2")...)
	b := editClip(t, c, "b.mp4", editSilent("1")...)
	req := vod.NewEditMediaRequest()
	req.InputType = common.StringPtr("File")
	req.FileInfos = []*vod.EditMediaFileInfo{{FileId: common.StringPtr(a)}, {FileId: common.StringPtr(b)}}
	req.OutputConfig = &vod.EditMediaOutputConfig{Type: common.StringPtr("m4a")}
	resp, err := c.EditMedia(req)
	require.NoError(t, err)
	e := waitTask(t, c, *resp.Response.TaskId, nil).Response.EditMediaTask
	require.EqualValues(t, 0, *e.ErrCode, *e.Message)
	require.Equal(t, "m4a", *e.Output.FileType)
	require.Empty(t, e.MetaData.VideoStreamSet)
	p := ffprobe(t, fetch(t, t.TempDir(), *e.Output.FileUrl))
	require.Len(t, p.Streams, 1)
	require.Equal(t, "audio", p.Streams[0].CodecType)
	require.Equal(t, "aac", p.Streams[0].CodecName)
	dur, _ := strconv.ParseFloat(p.Format.Duration, 64)
	require.InDelta(t, 3.0, dur, 0.2, "the silent clip's second is kept as silence")
	info := describeMedia(t, c, nil, *e.Output.FileId).Response.MediaInfoSet
	require.Equal(t, "Audio", *info[0].BasicInfo.Category)
}

package e2e

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestEditSplitMediaTwoSegments(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	src := editClip(t, c, "src.mp4", editAV("4")...)

	req := vod.NewSplitMediaRequest()
	req.FileId = common.StringPtr(src)
	req.Segments = []*vod.SplitMediaTaskConfig{
		{StartTimeOffset: common.Float64Ptr(0), EndTimeOffset: common.Float64Ptr(1.5),
			OutputConfig: &vod.SplitMediaOutputConfig{MediaName: common.StringPtr("part one")}},
		{StartTimeOffset: common.Float64Ptr(2), OutputConfig: &vod.SplitMediaOutputConfig{Type: common.StringPtr("hls"), ClassId: common.Int64Ptr(0)}},
	}
	req.SessionId = common.StringPtr("split-" + randHex(4))
	resp, err := c.SplitMedia(req)
	require.NoError(t, err)
	taskID := *resp.Response.TaskId
	require.Regexp(t, `^1250000001-SplitMedia-[0-9a-f]{32}t0$`, taskID)

	d := waitTask(t, c, taskID, nil).Response
	require.Equal(t, "SplitMedia", *d.TaskType)
	sm := d.SplitMediaTask
	require.NotNil(t, sm)
	require.EqualValues(t, 0, *sm.ErrCode, *sm.Message)
	require.Equal(t, "FINISH", *sm.Status)
	require.Equal(t, *req.SessionId, *sm.SessionId)
	require.Len(t, sm.FileInfoSet, 2)

	want := []struct {
		dur       float64
		name, typ string
	}{{1.5, "part one", "mp4"}, {2, "", "hls"}}
	ids := map[string]bool{src: true}
	for i, seg := range sm.FileInfoSet {
		require.Equal(t, src, *seg.Input.FileId)
		require.Equal(t, want[i].typ, *seg.Input.OutputConfig.Type)
		require.NotNil(t, seg.Output, "segment %d", i)
		id := *seg.Output.FileId
		require.False(t, ids[id], "segment %d reuses FileId %s", i, id)
		ids[id] = true
		bi := seg.Output.MediaBasicInfo
		if want[i].name != "" {
			require.Equal(t, want[i].name, *bi.Name)
		}
		require.Equal(t, "VideoProcessing", *bi.SourceInfo.SourceType)
		p := ffprobe(t, *bi.MediaUrl)
		dur, _ := strconv.ParseFloat(p.Format.Duration, 64)
		require.InDelta(t, want[i].dur, dur, 0.2, "segment %d duration", i)
		require.Len(t, p.Streams, 2, "segment %d keeps video and audio", i)
		info := describeMedia(t, c, nil, id).Response.MediaInfoSet
		require.Len(t, info, 1)
		require.InDelta(t, want[i].dur, *info[0].MetaData.Duration, 0.2)
	}

	// Exact JSON: progress and review ids are printed, not null.
	w := editDetail(t, s, taskID).SplitMediaTask
	require.NotNil(t, w)
	require.EqualValues(t, 100, *w.Progress)
	require.Equal(t, "", *w.ErrCodeExt)
	for _, seg := range w.FileInfoSet {
		require.NotNil(t, seg.ReviewAudioVideoTaskId)
		require.NotNil(t, seg.ProcedureTaskId)
		require.NotNil(t, seg.Input.EndTimeOffset)
	}
	// The SessionId cannot be used again.
	_, err = c.SplitMedia(req)
	requireCode(t, err, "InvalidParameterValue.SessionId")
}

func TestEditSplitMediaBadInputs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	src := editClip(t, c, "src.mp4", editAV("2")...)
	seg := func(start, end float64) []*vod.SplitMediaTaskConfig {
		return []*vod.SplitMediaTaskConfig{{StartTimeOffset: common.Float64Ptr(start), EndTimeOffset: common.Float64Ptr(end)}}
	}
	cases := []struct {
		name     string
		fileID   string
		segments []*vod.SplitMediaTaskConfig
		code     string
	}{
		{"unknown FileId", "5285890799999999999", seg(0, 1), "InvalidParameterValue.FileId"},
		{"start past the end", src, seg(2.5, 0), "InvalidParameterValue"},
		{"inverted", src, seg(1.5, 0.5), "InvalidParameterValue"},
	}
	for _, tc := range cases {
		req := vod.NewSplitMediaRequest()
		req.FileId = common.StringPtr(tc.fileID)
		req.Segments = tc.segments
		_, err := c.SplitMedia(req)
		requireCode(t, err, tc.code)
	}
	// An empty list (the SDK leaves it out, so send it raw).
	_, err := s.call("SplitMedia", map[string]any{"FileId": src, "Segments": []any{}})
	requireRawCode(t, err, "InvalidParameter")
	tasks, err := s.call("DescribeTasks", map[string]any{})
	require.NoError(t, err)
	for _, x := range tasks["TaskSet"].([]any) {
		require.NotEqual(t, "SplitMedia", x.(map[string]any)["TaskType"])
	}
}

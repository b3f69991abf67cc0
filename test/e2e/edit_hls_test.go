package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// editHLS ingests a 7 s clip, transcodes it to HLS with 2 s segments and
// returns the media's FileId, the transcode's definition and playlist URL.
func editHLS(t *testing.T, s *server, c *vod.Client) (string, int64, string) {
	t.Helper()
	fileID := editClip(t, c, "src.mp4", editAV("7")...)
	var tpl vodapi.CreateTranscodeTemplateResponse
	require.NoError(t, s.callInto(t, "CreateTranscodeTemplate", map[string]any{"Container": "hls", "Name": "hls2s",
		"VideoTemplate": map[string]any{"Codec": "libx264", "Fps": 25, "Bitrate": 300, "Height": 240, "HlsTime": 2},
		"AudioTemplate": map[string]any{"Codec": "libfdk_aac", "Bitrate": 64, "SampleRate": 44100}}, &tpl))
	def := int64(*tpl.Definition)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": def}}}})
	tr := subtasks(t, d)["Transcode"][0]
	require.Equal(t, "SUCCESS", tr["Status"], tr["Message"])
	u := tr["Output"].(map[string]any)["Url"].(string)
	require.Len(t, editSegments(t, u), 4, "7 s in 2 s segments")
	return fileID, def, u
}

// editPlaylist fetches a playlist and returns its lines.
func editPlaylist(t *testing.T, u string) []string {
	t.Helper()
	resp, body := httpGet(t, u, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, u)
	return strings.Split(strings.TrimSpace(string(body)), "\n")
}

// editSegments returns the segment URIs of a playlist.
func editSegments(t *testing.T, u string) []string {
	t.Helper()
	var out []string
	for _, l := range editPlaylist(t, u) {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// editServed checks every segment of a playlist is served, resolving
// relative names against the playlist's URL.
func editServed(t *testing.T, u string) {
	t.Helper()
	base := u[:strings.LastIndex(u, "/")+1]
	for _, seg := range editSegments(t, u) {
		if !strings.HasPrefix(seg, "http") {
			seg = base + seg
		}
		resp, body := httpGet(t, seg, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, seg)
		require.NotEmpty(t, body, seg)
	}
}

func editDuration(t *testing.T, u string) float64 {
	t.Helper()
	d, err := strconv.ParseFloat(ffprobe(t, u).Format.Duration, 64)
	require.NoError(t, err)
	return d
}

func TestEditSimpleHlsClip(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	src, _, full := editHLS(t, s, c)
	all := editSegments(t, full)

	// Without persistence: a playlist of the overlapping source segments.
	req := vod.NewSimpleHlsClipRequest()
	req.Url = common.StringPtr(full)
	req.StartTimeOffset = common.Float64Ptr(2.5)
	req.EndTimeOffset = common.Float64Ptr(4.5)
	resp, err := c.SimpleHlsClip(req)
	require.NoError(t, err)
	r := resp.Response
	require.Equal(t, "", *r.FileId)
	require.InDelta(t, 4.0, *r.MetaData.Duration, 0.05)
	require.EqualValues(t, 240, *r.MetaData.Height)
	require.Greater(t, *r.MetaData.Size, int64(0))
	base := full[:strings.LastIndex(full, "/")+1]
	require.Equal(t, []string{base + all[1], base + all[2]}, editSegments(t, *r.Url))
	editServed(t, *r.Url)
	require.InDelta(t, 4.0, editDuration(t, *r.Url), 0.2)

	// With persistence: a new media that owns copies of the segments and
	// outlives its source; PersistenceComplete is recorded.
	_, err = s.call("ModifyEventConfig", map[string]any{"PersistenceCompleteEventSwitch": "ON"})
	require.NoError(t, err)
	var pr vodapi.SimpleHlsClipResponse
	require.NoError(t, s.callInto(t, "SimpleHlsClip", map[string]any{"Url": full, "StartTimeOffset": 0, "EndTimeOffset": 3,
		"IsPersistence": 1, "ClassId": 0, "ExpireTime": "2099-01-01T00:00:00Z", "SourceContext": "clip-src"}, &pr))
	require.Regexp(t, `^\d{19}$`, *pr.FileId)
	require.Regexp(t, `^1250000001-FastClipMedia-[0-9a-f]{32}t0$`, *pr.TaskId)
	require.InDelta(t, 4.0, *pr.MetaData.Duration, 0.05)
	d := waitTask(t, c, *pr.TaskId, nil).Response
	require.Equal(t, "FastClipMedia", *d.TaskType)
	require.Equal(t, "FINISH", *d.Status)
	detail := editDetail(t, s, *pr.TaskId)
	require.Nil(t, detail.EditMediaTask)
	require.Nil(t, detail.ProcedureTask)
	require.NotEmpty(t, *detail.FinishTime)

	segs := editSegments(t, *pr.Url)
	require.Len(t, segs, 2)
	for _, seg := range segs {
		require.NotContains(t, seg, "/", "the persisted playlist names its own copies")
	}
	info := describeMedia(t, c, nil, *pr.FileId).Response.MediaInfoSet
	require.Len(t, info, 1)
	require.Equal(t, *pr.Url, *info[0].BasicInfo.MediaUrl)
	require.Equal(t, "clip-src", *info[0].BasicInfo.SourceInfo.SourceContext)
	require.Equal(t, "2099-01-01T00:00:00Z", *info[0].BasicInfo.ExpireTime)

	var pulled vodapi.PullEventsResponse
	require.NoError(t, s.callInto(t, "PullEvents", map[string]any{}, &pulled))
	found := false
	for _, e := range pulled.EventSet {
		if vodapi.Val(e.EventType) == "PersistenceComplete" {
			pc := e.PersistenceCompleteEvent
			require.NotNil(t, pc)
			require.Equal(t, *pr.FileId, *pc.FileId)
			require.Equal(t, "SimpleHlsClip", *pc.PersistenceSource)
			found = true
		}
	}
	require.True(t, found, "a PersistenceComplete event")

	del := vod.NewDeleteMediaRequest()
	del.FileId = common.StringPtr(src)
	_, err = c.DeleteMedia(del)
	require.NoError(t, err)
	eventually(t, 10*time.Second, "source deleted", func() bool {
		resp, _ := httpGet(t, full, nil)
		return resp.StatusCode == http.StatusNotFound
	})
	editServed(t, *pr.Url)
	require.InDelta(t, 4.0, editDuration(t, *pr.Url), 0.2)
}

func TestEditSimpleHlsClipBadInputs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	_, _, full := editHLS(t, s, c)
	mp4 := editClip(t, c, "plain.mp4", editAV("2")...)
	mp4URL := *describeMedia(t, c, nil, mp4).Response.MediaInfoSet[0].BasicInfo.MediaUrl
	clip := func(u string, start, end float64) error {
		req := vod.NewSimpleHlsClipRequest()
		req.Url, req.StartTimeOffset, req.EndTimeOffset = common.StringPtr(u), common.Float64Ptr(start), common.Float64Ptr(end)
		_, err := c.SimpleHlsClip(req)
		return err
	}
	err := clip(mp4URL, 0, 1)
	requireCode(t, err, "InvalidParameterValue")
	require.Contains(t, err.Error(), "not HLS")
	requireCode(t, clip(full, 7.5, 0), "InvalidParameterValue")
	requireCode(t, clip(full, 3, 2), "InvalidParameterValue")
	requireCode(t, clip("http://example.com/a.m3u8", 0, 1), "InvalidParameterValue")
	requireCode(t, clip(strings.Replace(full, ".m3u8", "x.m3u8", 1), 0, 1), "InvalidParameterValue")
	_, err = s.call("SimpleHlsClip", map[string]any{"Url": full, "OutputMediaType": "mp4"})
	requireRawCode(t, err, "InvalidParameterValue")
	_, err = s.call("SimpleHlsClip", map[string]any{"Url": full, "OutputMediaType": "avi", "IsPersistence": 1})
	requireRawCode(t, err, "InvalidParameterValue")
}

func TestEditSimpleHlsClipToMP4(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	_, _, full := editHLS(t, s, c)
	var r vodapi.SimpleHlsClipResponse
	require.NoError(t, s.callInto(t, "SimpleHlsClip", map[string]any{"Url": full, "StartTimeOffset": 2, "EndTimeOffset": 6,
		"IsPersistence": 1, "OutputMediaType": "mp4"}, &r))
	require.Regexp(t, `\.mp4$`, *r.Url)
	require.Equal(t, "mp4", *r.MetaData.Container)
	d := waitTask(t, c, *r.TaskId, nil).Response
	require.Equal(t, "FastClipMedia", *d.TaskType)
	info := describeMedia(t, c, nil, *r.FileId).Response.MediaInfoSet
	require.Len(t, info, 1, "the media exists once its task ended")
	require.Equal(t, *r.Url, *info[0].BasicInfo.MediaUrl)
	p := ffprobe(t, fetch(t, t.TempDir(), *r.Url))
	require.Len(t, p.Streams, 2)
	for _, st := range p.Streams {
		if st.CodecType == "video" {
			require.Equal(t, "h264", st.CodecName)
			require.Equal(t, 320, st.Width)
		}
	}
	dur, _ := strconv.ParseFloat(p.Format.Duration, 64)
	require.InDelta(t, 4.0, dur, 0.2)
}

func TestEditFastEditMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	src, def, full := editHLS(t, s, c)
	all := editSegments(t, full)

	var resp vodapi.FastEditMediaResponse
	require.NoError(t, s.callInto(t, "FastEditMedia", map[string]any{"FileInfos": []any{
		map[string]any{"FileId": src, "AudioVideoType": "Transcode", "TranscodeDefinition": def, "StartTimeOffset": 0, "EndTimeOffset": 3},
		map[string]any{"FileId": src, "AudioVideoType": "Transcode", "TranscodeDefinition": def, "StartTimeOffset": 6},
	}}, &resp))
	require.Regexp(t, `^\d{19}$`, *resp.FileId)
	lines := editPlaylist(t, *resp.Url)
	require.Contains(t, lines, "#EXT-X-DISCONTINUITY")
	// The playlist first points at the source's segments, then, once the
	// FastClipMedia task copied them, at the media's own.
	eventually(t, 30*time.Second, "segments copied", func() bool {
		segs := editSegments(t, *resp.Url)
		return len(segs) == 3 && !strings.Contains(segs[0], "/")
	})
	editServed(t, *resp.Url)
	require.InDelta(t, 5.0, editDuration(t, *resp.Url), 0.3)
	require.Len(t, all, 4)
	info := describeMedia(t, c, nil, *resp.FileId).Response.MediaInfoSet
	require.Len(t, info, 1)
	require.InDelta(t, 5.0, *info[0].MetaData.Duration, 0.05)

	bad := func(fi map[string]any, code string) {
		t.Helper()
		_, err := s.call("FastEditMedia", map[string]any{"FileInfos": []any{fi}})
		requireRawCode(t, err, code)
	}
	bad(map[string]any{"FileId": "5285890799999999999", "AudioVideoType": "Transcode", "TranscodeDefinition": def}, "InvalidParameterValue.FileId")
	bad(map[string]any{"FileId": src, "AudioVideoType": "Original"}, "InvalidParameterValue")
	bad(map[string]any{"FileId": src, "AudioVideoType": "Transcode", "TranscodeDefinition": 100010}, "InvalidParameterValue")
	bad(map[string]any{"FileId": src, "AudioVideoType": "Transcode", "TranscodeDefinition": def, "StartTimeOffset": 9}, "InvalidParameterValue")
	_, err := s.call("FastEditMedia", map[string]any{"FileInfos": []any{}})
	requireRawCode(t, err, "InvalidParameter")
}

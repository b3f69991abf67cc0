package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// pullMedia ingests a generated clip and returns its FileId.
func ingestClip(t *testing.T, s *server, c *vod.Client, seconds int) string {
	t.Helper()
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "src.mp4"), seconds)
	src := mediaServer(t, dir)
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr(src.URL + "/src.mp4")
	resp, err := c.PullUpload(req)
	require.NoError(t, err)
	d := waitTask(t, c, *resp.Response.TaskId, nil)
	require.EqualValues(t, 0, *d.Response.PullUploadTask.ErrCode)
	return *d.Response.PullUploadTask.FileId
}

// fetch downloads a URL into dir and returns the local path.
func fetch(t *testing.T, dir, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	p := filepath.Join(dir, filepath.Base(url))
	f, err := os.Create(p)
	require.NoError(t, err)
	_, err = io.Copy(f, resp.Body)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return p
}

type probed struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		NbFrames  string `json:"nb_frames"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func ffprobe(t *testing.T, path string) probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path).Output()
	require.NoError(t, err, path)
	var p probed
	require.NoError(t, json.Unmarshal(out, &p))
	return p
}

func processMedia(t *testing.T, s *server, params map[string]any) map[string]any {
	t.Helper()
	resp, err := s.call("ProcessMedia", params)
	require.NoError(t, err)
	taskID := resp["TaskId"].(string)
	require.Regexp(t, `-procedurev2-[0-9a-f]{32}t0$`, taskID)
	waitTask(t, s.client(), taskID, nil)
	var d map[string]any
	require.NoError(t, json.Unmarshal(s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+taskID+`"}`), &d))
	return d["Response"].(map[string]any)
}

// subtasks returns the results by type, in order.
func subtasks(t *testing.T, d map[string]any) map[string][]map[string]any {
	require.Equal(t, "Procedure", d["TaskType"])
	require.Equal(t, "FINISH", d["Status"])
	p := d["ProcedureTask"].(map[string]any)
	out := map[string][]map[string]any{}
	for _, x := range p["MediaProcessResultSet"].([]any) {
		r := x.(map[string]any)
		typ := r["Type"].(string)
		for k, v := range r {
			if k != "Type" && v != nil {
				out[typ] = append(out[typ], v.(map[string]any))
			}
		}
	}
	return out
}

func TestProcessMediaEveryImageAndTranscodeSubtask(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 3)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "SessionContext": "p1", "MediaProcessTask": map[string]any{
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}, map[string]any{"Definition": 100210}},
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}, "ExtTimeOffsetSet": []any{"2s", "50%"}}},
		"SampleSnapshotTaskSet":       []any{map[string]any{"Definition": 10}},
		"ImageSpriteTaskSet":          []any{map[string]any{"Definition": 10}},
		"AnimatedGraphicTaskSet":      []any{map[string]any{"Definition": 20000, "StartTimeOffset": 0, "EndTimeOffset": 2}},
		"CoverBySnapshotTaskSet":      []any{map[string]any{"Definition": 10, "PositionType": "Percent", "PositionValue": 10}},
	}})
	subs := subtasks(t, d)
	for typ, list := range subs {
		for _, r := range list {
			require.Equal(t, "SUCCESS", r["Status"], "%s: %v", typ, r["Message"])
			require.EqualValues(t, 0, r["ErrCode"])
			require.EqualValues(t, 100, r["Progress"])
			require.NotEmpty(t, r["BeginProcessTime"])
			require.NotEmpty(t, r["FinishTime"])
		}
	}
	require.Equal(t, "p1", d["ProcedureTask"].(map[string]any)["SessionContext"])
	dir := t.TempDir()

	// MP4 rendition: H.264, never upscaled (source 240p, template 360p).
	mp4 := subs["Transcode"][0]["Output"].(map[string]any)
	require.EqualValues(t, 100010, mp4["Definition"])
	pm := ffprobe(t, fetch(t, dir, mp4["Url"].(string)))
	require.Equal(t, "h264", pm.Streams[0].CodecName)
	require.Equal(t, 240, pm.Streams[0].Height)
	require.EqualValues(t, 240, mp4["Height"])
	require.Greater(t, mp4["Bitrate"].(float64), 1000.0)
	// HLS rendition: a playlist with segments that play.
	hls := subs["Transcode"][1]["Output"].(map[string]any)
	require.Equal(t, "hls", hls["Container"])
	resp, err := http.Get(hls["Url"].(string))
	require.NoError(t, err)
	pl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(pl), "#EXTINF")
	require.Contains(t, string(pl), "#EXT-X-ENDLIST")

	// Snapshots at 0.5 s, 2 s and 50 %.
	snap := subs["SnapshotByTimeOffset"][0]["Output"].(map[string]any)
	pics := snap["PicInfoSet"].([]any)
	require.Len(t, pics, 3)
	require.EqualValues(t, 500, pics[0].(map[string]any)["TimeOffset"])
	require.EqualValues(t, 2000, pics[1].(map[string]any)["TimeOffset"])
	ps := ffprobe(t, fetch(t, dir, pics[2].(map[string]any)["Url"].(string)))
	require.Equal(t, "mjpeg", ps.Streams[0].CodecName)
	require.Equal(t, 320, ps.Streams[0].Width)

	// Sample snapshots every 10 %: about ten images.
	samples := subs["SampleSnapshot"][0]["Output"].(map[string]any)["ImageUrlSet"].([]any)
	require.GreaterOrEqual(t, len(samples), 9)
	// Sprites: one 142x80-cell sheet and a WebVTT index pointing into it.
	sprite := subs["ImageSprites"][0]["Output"].(map[string]any)
	require.EqualValues(t, 142, sprite["Width"])
	require.EqualValues(t, 80, sprite["Height"])
	sheet := ffprobe(t, fetch(t, dir, sprite["ImageUrlSet"].([]any)[0].(string)))
	require.Equal(t, 1420, sheet.Streams[0].Width, "10 columns of 142 px")
	resp, err = http.Get(sprite["WebVttUrl"].(string))
	require.NoError(t, err)
	vtt, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.True(t, strings.HasPrefix(string(vtt), "WEBVTT"))
	require.Contains(t, string(vtt), "#xywh=0,0,142,80")
	// Sheets are named relative to the index, beside it.
	first := sprite["ImageUrlSet"].([]any)[0].(string)
	require.Contains(t, string(vtt), "\n"+first[strings.LastIndex(first, "/")+1:]+"#xywh=0,0,142,80")
	// GIF.
	gif := subs["AnimatedGraphics"][0]["Output"].(map[string]any)
	pg := ffprobe(t, fetch(t, dir, gif["Url"].(string)))
	require.Equal(t, "gif", pg.Streams[0].CodecName)
	// Cover.
	cover := subs["CoverBySnapshot"][0]["Output"].(map[string]any)["CoverUrl"].(string)

	// The media shows the same outputs, and the new cover.
	req := vod.NewDescribeMediaInfosRequest()
	req.FileIds = common.StringPtrs([]string{fileID})
	mi, err := c.DescribeMediaInfos(req)
	require.NoError(t, err)
	info := mi.Response.MediaInfoSet[0]
	require.Equal(t, cover, *info.BasicInfo.CoverUrl)
	require.Len(t, info.TranscodeInfo.TranscodeSet, 2)
	require.Equal(t, mp4["Url"], *info.TranscodeInfo.TranscodeSet[0].Url)
	require.Len(t, info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet, 1)
	require.Len(t, info.ImageSpriteInfo.ImageSpriteSet, 1)
	require.Len(t, info.AnimatedGraphicsInfo.AnimatedGraphicsSet, 1)
	require.Len(t, info.SampleSnapshotInfo.SampleSnapshotSet, 1)
}

func TestProcessMediaAdaptiveStreaming(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 3)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 10}, map[string]any{"Definition": 20}},
	}})
	subs := subtasks(t, d)["AdaptiveDynamicStreaming"]
	require.Len(t, subs, 2)
	for _, r := range subs {
		require.Equal(t, "SUCCESS", r["Status"], r["Message"])
	}
	hls := subs[0]["Output"].(map[string]any)
	require.Equal(t, "HLS", hls["Package"])
	resp, err := http.Get(hls["Url"].(string))
	require.NoError(t, err)
	master, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(master), "#EXT-X-STREAM-INF")
	require.NotContains(t, string(master), "RESOLUTION=1920x1080", "no rendition above the source")
	dash := subs[1]["Output"].(map[string]any)
	require.Equal(t, "DASH", dash["Package"])
	resp, err = http.Get(dash["Url"].(string))
	require.NoError(t, err)
	mpd, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(mpd), "<MPD")
	require.Contains(t, string(mpd), "AdaptationSet")
}

func TestProcessMediaBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 1)

	// Refused before any task exists.
	for name, tc := range map[string]struct {
		params map[string]any
		code   string
	}{
		"unknown media":    {map[string]any{"FileId": "1234567890123456789", "MediaProcessTask": map[string]any{"TranscodeTaskSet": []any{map[string]any{"Definition": 100010}}}}, "ResourceNotFound.FileNotExist"},
		"no subtask":       {map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{}}, "InvalidParameter"},
		"unknown template": {map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{"TranscodeTaskSet": []any{map[string]any{"Definition": 999999}}}}, "InvalidParameterValue"},
		"bad offset":       {map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "ExtTimeOffsetSet": []any{"soon"}}}}}, "InvalidParameterValue"},
		"bad notify mode":  {map[string]any{"FileId": fileID, "TasksNotifyMode": "Sometimes", "MediaProcessTask": map[string]any{"TranscodeTaskSet": []any{map[string]any{"Definition": 100010}}}}, "InvalidParameterValue"},
	} {
		_, err := s.call("ProcessMedia", tc.params)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), tc.code, name)
	}

	// A snapshot past the end fails alone; the other subtask succeeds.
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "ExtTimeOffsetSet": []any{"30s"}}},
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}},
	}})
	subs := subtasks(t, d)
	require.Equal(t, "FAIL", subs["SnapshotByTimeOffset"][0]["Status"])
	require.NotZero(t, subs["SnapshotByTimeOffset"][0]["ErrCode"])
	require.NotEmpty(t, subs["SnapshotByTimeOffset"][0]["Message"])
	require.Equal(t, "SUCCESS", subs["Transcode"][0]["Status"], subs["Transcode"][0]["Message"])
}

func TestProcedureAfterPullAndByProcedure(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	_, err := s.call("CreateProcedureTemplate", map[string]any{"Name": "thumbs", "MediaProcessTask": map[string]any{
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}},
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}}},
	}})
	require.NoError(t, err)

	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "src.mp4"), 1)
	src := mediaServer(t, dir)
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr(src.URL + "/src.mp4")
	req.Procedure = common.StringPtr("thumbs")
	resp, err := c.PullUpload(req)
	require.NoError(t, err)
	pull := waitTask(t, c, *resp.Response.TaskId, nil).Response.PullUploadTask
	require.EqualValues(t, 0, *pull.ErrCode)
	procID := *pull.ProcedureTaskId
	require.Regexp(t, `-procedurev2-`, procID, "the pull started the procedure")
	proc := waitTask(t, c, procID, nil).Response.ProcedureTask
	require.Equal(t, *pull.FileId, *proc.FileId)
	require.Len(t, proc.MediaProcessResultSet, 2)
	for _, r := range proc.MediaProcessResultSet {
		require.Equal(t, "FINISH", *proc.Status)
		switch *r.Type {
		case "Transcode":
			require.Equal(t, "SUCCESS", *r.TranscodeTask.Status, *r.TranscodeTask.Message)
		case "SnapshotByTimeOffset":
			require.Equal(t, "SUCCESS", *r.SnapshotByTimeOffsetTask.Status, *r.SnapshotByTimeOffsetTask.Message)
		}
	}

	// The same flow on demand, and its completion event.
	out, err := s.call("ProcessMediaByProcedure", map[string]any{"FileId": *pull.FileId, "ProcedureName": "thumbs"})
	require.NoError(t, err)
	again := out["TaskId"].(string)
	waitTask(t, c, again, nil)
	seen := map[string]bool{}
	for len(seen) < 3 {
		evs, _ := pullEvents(t, c)
		require.NotEmpty(t, evs, "events: %v", seen)
		for _, e := range evs {
			switch *e.EventType {
			case "ProcedureStateChanged":
				seen[*e.ProcedureStateChangeEvent.TaskId] = true
			case "PullComplete":
				seen["pull"] = true
			}
			require.NoError(t, confirm(c, *e.EventHandle))
		}
	}
	require.True(t, seen[procID] && seen[again] && seen["pull"])
}

func TestProcedureNotifyModes(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 1)
	// Drain the pull's own event.
	evs, _ := pullEvents(t, c)
	for _, e := range evs {
		require.NoError(t, confirm(c, *e.EventHandle))
	}
	bag := map[string]any{
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}},
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{100}}},
	}
	processMedia(t, s, map[string]any{"FileId": fileID, "TasksNotifyMode": "None", "MediaProcessTask": bag})
	change := processMedia(t, s, map[string]any{"FileId": fileID, "TasksNotifyMode": "Change", "MediaProcessTask": bag})
	changeID := change["ProcedureTask"].(map[string]any)["TaskId"].(string)

	var got []*vod.EventContent
	for {
		evs, _ := pullEvents(t, c)
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			got = append(got, e)
			require.NoError(t, confirm(c, *e.EventHandle))
		}
	}
	require.Len(t, got, 3, "Change: one event per subtask end and the final one; None: none")
	for _, e := range got {
		require.Equal(t, "ProcedureStateChanged", *e.EventType)
		require.Equal(t, changeID, *e.ProcedureStateChangeEvent.TaskId)
	}
	require.Equal(t, "FINISH", *got[2].ProcedureStateChangeEvent.Status)
}

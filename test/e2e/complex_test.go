package e2e

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// complexVTT is a subtitle with two cues.
const complexVTT = "WEBVTT\n\n1\n00:00:00.200 --> 00:00:00.900\nHello there\n\n2\n00:00:01.000 --> 00:00:01.800\nGoodbye now\n"

// ingestTone pulls a 2 s 320x240 clip whose sound is a sine at freq Hz
// (or, with color, a plain picture of that color with a 1 s length).
func ingestTone(t *testing.T, s *server, name, video string, seconds, freq int) string {
	t.Helper()
	dir := t.TempDir()
	d := strconv.Itoa(seconds)
	ffmpeg(t, "-f", "lavfi", "-i", video+":duration="+d, "-f", "lavfi", "-i", "sine=frequency="+strconv.Itoa(freq)+":duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", filepath.Join(dir, name))
	resp, err := s.call("PullUpload", map[string]any{"MediaUrl": mediaServer(t, dir).URL + "/" + name})
	require.NoError(t, err)
	d2 := waitTask(t, s.client(), resp["TaskId"].(string), nil)
	require.EqualValues(t, 0, *d2.Response.PullUploadTask.ErrCode, *d2.Response.PullUploadTask.Message)
	return *d2.Response.PullUploadTask.FileId
}

// addSubtitle adds a WebVTT subtitle to a media with the SDK.
func addSubtitle(t *testing.T, c *vod.Client, fileID, id, lang, content string) (*vod.ModifyMediaInfoResponse, error) {
	t.Helper()
	req := vod.NewModifyMediaInfoRequest()
	req.FileId = common.StringPtr(fileID)
	req.AddSubtitles = []*vod.MediaSubtitleInput{{Name: common.StringPtr("Sub " + id), Language: common.StringPtr(lang),
		Format: common.StringPtr("vtt"), Content: common.StringPtr(base64.StdEncoding.EncodeToString([]byte(content))), Id: common.StringPtr(id)}}
	return c.ModifyMediaInfo(req)
}

// fetchOK gets a URL and requires HTTP 200.
func fetchOK(t *testing.T, url string) string {
	t.Helper()
	resp, body := httpGet(t, url, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	return string(body)
}

// resolve makes a playlist's relative URI absolute.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		panic(err)
	}
	return b.ResolveReference(r).String()
}

// playlistURIs returns the non-tag lines of a playlist.
func playlistURIs(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

var uriAttr = regexp.MustCompile(`URI="([^"]+)"`)

// mediaLines returns the #EXT-X-MEDIA lines of a master playlist of a type.
func mediaLines(master, typ string) []string {
	var out []string
	for _, l := range strings.Split(master, "\n") {
		if strings.HasPrefix(l, "#EXT-X-MEDIA:TYPE="+typ+",") {
			out = append(out, l)
		}
	}
	return out
}

// toneHz estimates the frequency of the sine in [from, to) seconds of the
// audio at url by counting zero crossings of its samples.
func toneHz(t *testing.T, url string, from, to float64) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", url, "-vn", "-ac", "1", "-ar", "48000",
		"-af", "atrim="+strconv.FormatFloat(from, 'f', 3, 64)+":"+strconv.FormatFloat(to, 'f', 3, 64),
		"-f", "s16le", "pipe:1").Output()
	require.NoError(t, err, url)
	n := len(out) / 2
	require.Greater(t, n, 4800, "at least 0.1 s of sound in %s", url)
	crossings, prev := 0, int16(0)
	for i := range n {
		v := int16(binary.LittleEndian.Uint16(out[2*i:]))
		if (v >= 0) != (prev >= 0) && i > 0 {
			crossings++
		}
		prev = v
	}
	return float64(crossings) / 2 / (float64(n) / 48000)
}

func duration(t *testing.T, url string) float64 {
	t.Helper()
	d, err := strconv.ParseFloat(ffprobe(t, url).Format.Duration, 64)
	require.NoError(t, err, url)
	return d
}

// TestComplexSubtitlesAttach stores a subtitle with ModifyMediaInfo, lists
// it, attaches it to an HLS adaptive stream (the master playlist then
// lists it, and its playlist leads to the cues), detaches it, and checks
// the refusals.
func TestComplexSubtitlesAttach(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 2)

	resp, err := addSubtitle(t, c, fileID, "en1", "en", complexVTT)
	require.NoError(t, err)
	require.Len(t, resp.Response.AddedSubtitleSet, 1)
	added := resp.Response.AddedSubtitleSet[0]
	require.Equal(t, "en1", *added.Id)
	require.Equal(t, "vtt", *added.Format)
	require.Equal(t, complexVTT, fetchOK(t, *added.Url))

	_, err = addSubtitle(t, c, fileID, "en1", "en", complexVTT)
	requireCode(t, err, "InvalidParameterValue")
	_, err = addSubtitle(t, c, fileID, "x1", "klingon", complexVTT)
	requireCode(t, err, "InvalidParameterValue")
	_, err = addSubtitle(t, c, fileID, "x2", "en", "1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n")
	requireCode(t, err, "InvalidParameterValue")
	_, err = addSubtitle(t, c, fileID, "bad id!", "en", complexVTT)
	requireCode(t, err, "InvalidParameterValue")

	var info vodapi.DescribeMediaInfosResponse
	require.NoError(t, s.callInto(t, "DescribeMediaInfos", map[string]any{"FileIds": []string{fileID}, "Filters": []string{"subtitleInfo"}}, &info))
	subs := info.MediaInfoSet[0].SubtitleInfo.SubtitleSet
	require.Len(t, subs, 1)
	require.Equal(t, "Sub en1", vodapi.Val(subs[0].Name))
	require.Equal(t, "en", vodapi.Val(subs[0].Language))
	require.Equal(t, "UserUploaded", vodapi.Val(subs[0].Source))
	require.Equal(t, *added.Url, vodapi.Val(subs[0].Url))

	dashDef := complexTemplate(t, c, "MPEG-DASH", 144, 240)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 10}, map[string]any{"Definition": dashDef}}}})
	ads := subtasks(t, d)["AdaptiveDynamicStreaming"]
	for _, a := range ads {
		require.Equal(t, "SUCCESS", a["Status"], a["Message"])
	}
	masterURL := ads[0]["Output"].(map[string]any)["Url"].(string)
	mpdURL := ads[1]["Output"].(map[string]any)["Url"].(string)

	attach := func(op string, ids []string, dflt string) error {
		req := vod.NewAttachMediaSubtitlesRequest()
		req.FileId, req.Operation = common.StringPtr(fileID), common.StringPtr(op)
		req.AdaptiveDynamicStreamingDefinition = common.Uint64Ptr(10)
		req.SubtitleIds = common.StringPtrs(ids)
		_, err := c.AttachMediaSubtitles(req)
		if err == nil && dflt != "" {
			t.Fatal("the SDK v1.0.162 has no DefaultSubtitleId")
		}
		return err
	}
	requireCode(t, attach("Attach", []string{"nope"}, ""), "InvalidParameterValue")
	requireCode(t, attach("Glue", []string{"en1"}, ""), "InvalidParameterValue")
	requireCode(t, attach("Detach", []string{"en1"}, ""), "InvalidParameterValue")
	_, err = s.call("AttachMediaSubtitles", map[string]any{"FileId": fileID, "Operation": "Attach",
		"AdaptiveDynamicStreamingDefinition": 20, "SubtitleIds": []string{"en1"}})
	requireRawCode(t, err, "InvalidParameterValue.Definition")
	_, err = s.call("AttachMediaSubtitles", map[string]any{"FileId": fileID, "Operation": "Attach",
		"AdaptiveDynamicStreamingDefinition": 10, "SubtitleIds": []string{"en1"}, "DefaultSubtitleId": "other"})
	requireRawCode(t, err, "InvalidParameterValue")

	// DASH: a text AdaptationSet whose BaseURL leads to the cues.
	require.NoError(t, attach("Attach", []string{"en1"}, ""))
	req := vod.NewAttachMediaSubtitlesRequest()
	req.FileId, req.Operation, req.SubtitleIds = common.StringPtr(fileID), common.StringPtr("Attach"), common.StringPtrs([]string{"en1"})
	req.AdaptiveDynamicStreamingDefinition = common.Uint64Ptr(dashDef)
	_, err = c.AttachMediaSubtitles(req)
	require.NoError(t, err)
	mpd := fetchOK(t, mpdURL)
	require.Equal(t, 1, strings.Count(mpd, `mimeType="text/vtt" lang="en"`), mpd)
	base := regexp.MustCompile(`<BaseURL>([^<]+)</BaseURL>`).FindStringSubmatch(mpd)
	require.NotNil(t, base, mpd)
	require.Equal(t, complexVTT, fetchOK(t, resolve(mpdURL, base[1])))
	req.Operation = common.StringPtr("Detach")
	_, err = c.AttachMediaSubtitles(req)
	require.NoError(t, err)
	require.NotContains(t, fetchOK(t, mpdURL), "text/vtt")

	_, err = s.call("AttachMediaSubtitles", map[string]any{"FileId": fileID, "Operation": "Attach",
		"AdaptiveDynamicStreamingDefinition": 10, "SubtitleIds": []string{"en1"}, "DefaultSubtitleId": "en1"})
	require.NoError(t, err)
	master := fetchOK(t, masterURL)
	lines := mediaLines(master, "SUBTITLES")
	require.Len(t, lines, 1, master)
	require.Contains(t, lines[0], `NAME="Sub en1",LANGUAGE="en",DEFAULT=YES`)
	require.Contains(t, master, `SUBTITLES="subs"`)
	subPlaylist := fetchOK(t, resolve(masterURL, uriAttr.FindStringSubmatch(lines[0])[1]))
	require.Contains(t, subPlaylist, "#EXT-X-ENDLIST")
	vtt := fetchOK(t, resolve(resolve(masterURL, uriAttr.FindStringSubmatch(lines[0])[1]), playlistURIs(subPlaylist)[0]))
	require.Equal(t, complexVTT, vtt)
	for _, v := range playlistURIs(master) {
		variant := resolve(masterURL, v)
		for _, seg := range playlistURIs(fetchOK(t, variant)) {
			fetchOK(t, resolve(variant, seg))
		}
	}

	require.NoError(t, s.callInto(t, "DescribeMediaInfos", map[string]any{"FileIds": []string{fileID}}, &info))
	item := info.MediaInfoSet[0].AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0]
	require.Len(t, item.SubtitleSet, 1)
	require.Equal(t, "en1", vodapi.Val(item.DefaultSubtitleId))

	// An attached subtitle cannot be deleted; detached, it can.
	del := vod.NewModifyMediaInfoRequest()
	del.FileId, del.DeleteSubtitleIds = common.StringPtr(fileID), common.StringPtrs([]string{"en1"})
	_, err = c.ModifyMediaInfo(del)
	requireCode(t, err, "FailedOperation")
	require.NoError(t, attach("Detach", []string{"en1"}, ""))
	master = fetchOK(t, masterURL)
	require.Empty(t, mediaLines(master, "SUBTITLES"))
	require.NotContains(t, master, "SUBTITLES=")
	_, err = c.ModifyMediaInfo(del)
	require.NoError(t, err)
	resp2, _ := httpGet(t, *added.Url, nil)
	require.Equal(t, http.StatusNotFound, resp2.StatusCode)
}

// complexTemplate creates a custom adaptive template of small renditions
// of the heights given.
func complexTemplate(t *testing.T, c *vod.Client, format string, heights ...uint64) uint64 {
	t.Helper()
	req := vod.NewCreateAdaptiveDynamicStreamingTemplateRequest()
	req.Format = common.StringPtr(format)
	for _, h := range heights {
		req.StreamInfos = append(req.StreamInfos, &vod.AdaptiveStreamTemplate{
			Video: &vod.VideoTemplateInfo{Codec: common.StringPtr("libx264"), Fps: common.Uint64Ptr(25), Bitrate: common.Uint64Ptr(200), Height: common.Uint64Ptr(h)},
			Audio: &vod.AudioTemplateInfo{Codec: common.StringPtr("libfdk_aac"), Bitrate: common.Uint64Ptr(64), SampleRate: common.Uint64Ptr(44100)}})
	}
	resp, err := c.CreateAdaptiveDynamicStreamingTemplate(req)
	require.NoError(t, err)
	return *resp.Response.Definition
}

// complexTask submits CreateComplexAdaptiveDynamicStreamingTask (absent
// from the SDK v1.0.162) and waits for its result.
func complexTask(t *testing.T, s *server, params map[string]any) *vodapi.ComplexAdaptiveDynamicStreamingTask {
	t.Helper()
	var created vodapi.CreateComplexAdaptiveDynamicStreamingTaskResponse
	require.NoError(t, s.callInto(t, "CreateComplexAdaptiveDynamicStreamingTask", params, &created))
	id := vodapi.Val(created.TaskId)
	require.Regexp(t, `^\d+-ComplexAdaptiveDynamicStreaming-[0-9a-f]{32}t0$`, id)
	waitTask(t, s.client(), id, nil)
	var d vodapi.DescribeTaskDetailResponse
	require.NoError(t, s.callInto(t, "DescribeTaskDetail", map[string]any{"TaskId": id}, &d))
	require.Equal(t, "ComplexAdaptiveDynamicStreaming", vodapi.Val(d.TaskType))
	require.Equal(t, "FINISH", vodapi.Val(d.Status))
	r := d.ComplexAdaptiveDynamicStreamingTask
	require.NotNil(t, r)
	require.Equal(t, id, vodapi.Val(r.TaskId))
	require.Equal(t, "FINISH", vodapi.Val(r.Status))
	return r
}

// TestComplexAdaptiveHeadTailAudioSubtitles packages a 2 s media (440 Hz)
// with a 1 s head and a 1 s tail, a second audio rendition from another
// media (880 Hz) and a subtitle, as HLS and as DASH, and checks the
// manifests, the renditions' sound, lengths and segments.
func TestComplexAdaptiveHeadTailAudioSubtitles(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	mainID := ingestTone(t, s, "main.mp4", "testsrc2=size=320x240:rate=25", 2, 440)
	frID := ingestTone(t, s, "fr.mp4", "testsrc2=size=320x240:rate=25", 2, 880)
	headID := ingestTone(t, s, "head.mp4", "color=red:size=160x160:rate=30", 1, 220)
	tailID := ingestTone(t, s, "tail.mp4", "color=blue:size=320x240:rate=25", 1, 660)
	_, err := addSubtitle(t, c, mainID, "en", "en", complexVTT)
	require.NoError(t, err)
	ht, err := s.call("CreateHeadTailTemplate", map[string]any{"Name": "ht", "HeadCandidateSet": []string{headID},
		"TailCandidateSet": []string{tailID}, "FillType": "black"})
	require.NoError(t, err)
	// 128 lines make a 170x128 picture, not quite 4:3 next to 320x240.
	hls, dash := complexTemplate(t, c, "HLS", 128, 240), complexTemplate(t, c, "MPEG-DASH", 128, 240)

	r := complexTask(t, s, map[string]any{"SubAppId": s.AppID, "FileId": mainID,
		"StreamParaSet": []any{map[string]any{"Definition": hls}, map[string]any{"Definition": dash}},
		"HeadTailSet":   []any{map[string]any{"Definition": ht["Definition"]}},
		"AudioSet": []any{
			map[string]any{"FileId": mainID, "Name": "English", "Language": "en"},
			map[string]any{"FileId": frID, "Name": "Français", "Language": "fr", "Default": "YES"},
		},
		"SubtitleSet": []any{map[string]any{"Id": "en", "Default": "YES"}},
	})
	require.Len(t, r.ComplexAdaptiveDynamicStreamingTaskResultSet, 2)
	for k, e := range r.ComplexAdaptiveDynamicStreamingTaskResultSet {
		require.Equal(t, "SUCCESS", vodapi.Val(e.Status), vodapi.Val(e.Message))
		require.Equal(t, "", vodapi.Val(e.ErrCodeExt))
		require.EqualValues(t, 100, vodapi.Val(e.Progress))
		require.Equal(t, []uint64{hls, dash}[k], vodapi.Val(e.Input.StreamPara.Definition))
		require.Equal(t, []uint64{hls, dash}[k], vodapi.Val(e.Output.Definition))
		require.Equal(t, []string{"HLS", "DASH"}[k], vodapi.Val(e.Output.Format))
		require.Equal(t, "", vodapi.Val(e.Output.DrmType))
	}

	// HLS: an audio group of two, a subtitle group, every segment served.
	masterURL := vodapi.Val(r.ComplexAdaptiveDynamicStreamingTaskResultSet[0].Output.Url)
	master := fetchOK(t, masterURL)
	audio := mediaLines(master, "AUDIO")
	require.Len(t, audio, 2, master)
	require.Contains(t, audio[0], `GROUP-ID="audio",NAME="English",LANGUAGE="en",DEFAULT=NO`)
	require.Contains(t, audio[1], `GROUP-ID="audio",NAME="Français",LANGUAGE="fr",DEFAULT=YES`)
	subs := mediaLines(master, "SUBTITLES")
	require.Len(t, subs, 1)
	require.Contains(t, subs[0], `GROUP-ID="subs",NAME="Sub en",LANGUAGE="en",DEFAULT=YES`)
	variants := playlistURIs(master)
	require.Len(t, variants, 2, "one variant per video rendition")
	require.Equal(t, 2, strings.Count(master, `AUDIO="audio",SUBTITLES="subs"`))
	require.Regexp(t, `RESOLUTION=17[02]x128`, master)
	require.Contains(t, master, "RESOLUTION=320x240")
	for _, v := range variants {
		u := resolve(masterURL, v)
		for _, seg := range playlistURIs(fetchOK(t, u)) {
			fetchOK(t, resolve(u, seg))
		}
		require.InDelta(t, 4.0, duration(t, u), 0.3, "head + main + tail")
		p := ffprobe(t, u)
		require.Len(t, p.Streams, 1, "a video variant carries no sound")
		require.Equal(t, "h264", p.Streams[0].CodecName)
	}
	en := resolve(masterURL, uriAttr.FindStringSubmatch(audio[0])[1])
	fr := resolve(masterURL, uriAttr.FindStringSubmatch(audio[1])[1])
	require.InDelta(t, 4.0, duration(t, en), 0.3)
	require.InDelta(t, 4.0, duration(t, fr), 0.3)
	require.InDelta(t, 220, toneHz(t, en, 0.2, 0.8), 15, "the head's sound first")
	require.InDelta(t, 440, toneHz(t, en, 1.2, 2.8), 15, "then the main media's")
	require.InDelta(t, 660, toneHz(t, en, 3.2, 3.8), 15, "then the tail's")
	require.InDelta(t, 880, toneHz(t, fr, 1.2, 2.8), 15, "the other media's sound over the main video")
	subURL := resolve(masterURL, uriAttr.FindStringSubmatch(subs[0])[1])
	vtt := fetchOK(t, resolve(subURL, playlistURIs(fetchOK(t, subURL))[0]))
	require.Contains(t, vtt, "00:00:01.200 --> 00:00:01.900\nHello there", "cues move by the head's length")
	require.Contains(t, vtt, "00:00:02.000 --> 00:00:02.800\nGoodbye now")
	// Detached and attached again, the subtitle still follows the heads.
	detach := vod.NewAttachMediaSubtitlesRequest()
	detach.FileId, detach.Operation, detach.SubtitleIds = common.StringPtr(mainID), common.StringPtr("Detach"), common.StringPtrs([]string{"en"})
	detach.AdaptiveDynamicStreamingDefinition = common.Uint64Ptr(hls)
	_, err = c.AttachMediaSubtitles(detach)
	require.NoError(t, err)
	// (DefaultSubtitleId is newer than the Go SDK v1.0.162.)
	_, err = s.call("AttachMediaSubtitles", map[string]any{"FileId": mainID, "Operation": "Attach",
		"AdaptiveDynamicStreamingDefinition": hls, "SubtitleIds": []string{"en"}, "DefaultSubtitleId": "en"})
	require.NoError(t, err)
	subs = mediaLines(fetchOK(t, masterURL), "SUBTITLES")
	require.Len(t, subs, 1)
	subURL = resolve(masterURL, uriAttr.FindStringSubmatch(subs[0])[1])
	vtt = fetchOK(t, resolve(subURL, playlistURIs(fetchOK(t, subURL))[0]))
	require.Contains(t, vtt, "00:00:01.200 --> 00:00:01.900\nHello there", "re-attached cues move by the head's length")

	// DASH: an AdaptationSet per language, and the subtitle's.
	mpdURL := vodapi.Val(r.ComplexAdaptiveDynamicStreamingTaskResultSet[1].Output.Url)
	mpd := fetchOK(t, mpdURL)
	require.Contains(t, mpd, `contentType="audio" startWithSAP="1" segmentAlignment="true" bitstreamSwitching="true" lang="en">`)
	require.Contains(t, mpd, `lang="fr">`+"\n\t\t\t<Label>Français</Label>\n\t\t\t"+`<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>`)
	require.Contains(t, mpd, `mimeType="text/vtt" lang="en"`)
	require.Contains(t, fetchOK(t, resolve(mpdURL, "subtitles/en.vtt")), "Hello there")
	require.InDelta(t, 4.0, duration(t, mpdURL), 0.3)

	var info vodapi.DescribeMediaInfosResponse
	require.NoError(t, s.callInto(t, "DescribeMediaInfos", map[string]any{"FileIds": []string{mainID}}, &info))
	set := info.MediaInfoSet[0].AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet
	require.Len(t, set, 2)
	require.Equal(t, masterURL, vodapi.Val(set[0].Url))
	require.Equal(t, "HLS", vodapi.Val(set[0].Package))
	require.Equal(t, "en", vodapi.Val(set[0].DefaultSubtitleId))
	require.Len(t, set[0].SubtitleSet, 1)
	require.Equal(t, "DASH", vodapi.Val(set[1].Package))
	b, _ := json.Marshal(set[1])
	require.NotContains(t, string(b), "null")
}

// TestComplexAdaptiveBadInput checks the refusals before any task, and an
// entry that fails while the other succeeds.
func TestComplexAdaptiveBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 1)
	_, err := addSubtitle(t, c, fileID, "en", "en", complexVTT)
	require.NoError(t, err)
	base := func(change func(p map[string]any)) map[string]any {
		p := map[string]any{"SubAppId": s.AppID, "FileId": fileID, "StreamParaSet": []any{map[string]any{"Definition": 10}}}
		change(p)
		return p
	}
	for name, tc := range map[string]struct {
		params map[string]any
		code   string
	}{
		"no SubAppId":      {base(func(p map[string]any) { delete(p, "SubAppId") }), "MissingParameter"},
		"unknown media":    {base(func(p map[string]any) { p["FileId"] = "5285890799999999999" }), "InvalidParameterValue.FileId"},
		"no stream":        {base(func(p map[string]any) { p["StreamParaSet"] = []any{} }), "InvalidParameter"},
		"unknown template": {base(func(p map[string]any) { p["StreamParaSet"] = []any{map[string]any{"Definition": 987654}} }), "InvalidParameterValue.Definition"},
		"unknown audio media": {base(func(p map[string]any) {
			p["AudioSet"] = []any{map[string]any{"FileId": "5285890799999999999", "Name": "x", "Language": "en"}}
		}), "InvalidParameterValue.FileId"},
		"audio track past the end": {base(func(p map[string]any) {
			p["AudioSet"] = []any{map[string]any{"FileId": fileID, "Name": "x", "Language": "en", "AudioTrackIdx": 3}}
		}), "InvalidParameterValue"},
		"bad language": {base(func(p map[string]any) {
			p["AudioSet"] = []any{map[string]any{"FileId": fileID, "Name": "x", "Language": `en",URI="evil`}}
		}), "InvalidParameterValue"},
		"unknown subtitle":  {base(func(p map[string]any) { p["SubtitleSet"] = []any{map[string]any{"Id": "zz"}} }), "InvalidParameterValue"},
		"bad default":       {base(func(p map[string]any) { p["SubtitleSet"] = []any{map[string]any{"Id": "en", "Default": "maybe"}} }), "InvalidParameterValue"},
		"unknown head/tail": {base(func(p map[string]any) { p["HeadTailSet"] = []any{map[string]any{"Definition": 99999}} }), "InvalidParameterValue.Definition"},
	} {
		_, err := s.call("CreateComplexAdaptiveDynamicStreamingTask", tc.params)
		requireRawCode(t, err, tc.code)
		_ = name
	}

	// A template without sound in any rendition cannot carry the AudioSet:
	// that entry fails, the other succeeds.
	req := vod.NewCreateAdaptiveDynamicStreamingTemplateRequest()
	req.Format = common.StringPtr("HLS")
	req.StreamInfos = []*vod.AdaptiveStreamTemplate{{RemoveAudio: common.Uint64Ptr(1),
		Video: &vod.VideoTemplateInfo{Codec: common.StringPtr("libx264"), Fps: common.Uint64Ptr(25), Bitrate: common.Uint64Ptr(200), Height: common.Uint64Ptr(128)},
		Audio: &vod.AudioTemplateInfo{Codec: common.StringPtr("libfdk_aac"), Bitrate: common.Uint64Ptr(64), SampleRate: common.Uint64Ptr(44100)}}}
	mute, err := c.CreateAdaptiveDynamicStreamingTemplate(req)
	require.NoError(t, err)
	r := complexTask(t, s, map[string]any{"SubAppId": s.AppID, "FileId": fileID,
		"StreamParaSet": []any{map[string]any{"Definition": *mute.Response.Definition}, map[string]any{"Definition": 10}},
		"AudioSet":      []any{map[string]any{"FileId": fileID, "Name": "Original", "Language": "en"}}})
	bad, good := r.ComplexAdaptiveDynamicStreamingTaskResultSet[0], r.ComplexAdaptiveDynamicStreamingTaskResultSet[1]
	require.Equal(t, "FAIL", vodapi.Val(bad.Status))
	require.Equal(t, "InvalidInput", vodapi.Val(bad.ErrCodeExt))
	require.Contains(t, vodapi.Val(bad.Message), "removes the audio of every rendition")
	require.Nil(t, bad.Output)
	require.Equal(t, "SUCCESS", vodapi.Val(good.Status), vodapi.Val(good.Message))
	master := fetchOK(t, vodapi.Val(good.Output.Url))
	require.Len(t, mediaLines(master, "AUDIO"), 1)
	require.Contains(t, master, `NAME="Original",LANGUAGE="en",DEFAULT=YES`)
}

// TestComplexAdaptiveSimpleAES packages with the SimpleAES preset: the
// video variant and both audio renditions are encrypted with a key the
// server hands out.
func TestComplexAdaptiveSimpleAES(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 1)
	r := complexTask(t, s, map[string]any{"SubAppId": s.AppID, "FileId": fileID,
		"StreamParaSet": []any{map[string]any{"Definition": 12}},
		"AudioSet": []any{
			map[string]any{"FileId": fileID, "Name": "Main", "Language": "en", "Default": "YES"},
			map[string]any{"FileId": fileID, "Name": "Again", "Language": "de"},
		}})
	e := r.ComplexAdaptiveDynamicStreamingTaskResultSet[0]
	require.Equal(t, "SUCCESS", vodapi.Val(e.Status), vodapi.Val(e.Message))
	require.Equal(t, "SimpleAES", vodapi.Val(e.Output.DrmType))
	masterURL := vodapi.Val(e.Output.Url)
	master := fetchOK(t, masterURL)
	audio := mediaLines(master, "AUDIO")
	require.Len(t, audio, 2)
	uris := playlistURIs(master)
	for _, a := range audio {
		uris = append(uris, uriAttr.FindStringSubmatch(a)[1])
	}
	require.Len(t, uris, 3)
	var keyURL string
	for _, u := range uris {
		pl := fetchOK(t, resolve(masterURL, u))
		key := regexp.MustCompile(`#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"`).FindStringSubmatch(pl)
		require.NotNil(t, key, "%s is encrypted:\n%s", u, pl)
		keyURL = resolve(resolve(masterURL, u), key[1])
		require.Len(t, fetchOK(t, keyURL), 16)
	}

	// Made again, the package gets a new key and the old one goes.
	r = complexTask(t, s, map[string]any{"SubAppId": s.AppID, "FileId": fileID,
		"StreamParaSet": []any{map[string]any{"Definition": 12}}})
	require.Equal(t, "SUCCESS", vodapi.Val(r.ComplexAdaptiveDynamicStreamingTaskResultSet[0].Status))
	variant := resolve(masterURL, playlistURIs(fetchOK(t, masterURL))[0])
	key := regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(fetchOK(t, variant))
	require.NotNil(t, key)
	require.Len(t, fetchOK(t, resolve(variant, key[1])), 16)
	require.NotEqual(t, keyURL, resolve(variant, key[1]))
	require.Equal(t, http.StatusNotFound, statusOf(t, keyURL), "the replaced package's key")
}

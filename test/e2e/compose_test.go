package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// composeSources generates the test clips into dir, pulls them in and
// returns their FileIds by file name, and the URL the files are served
// at: red.mp4 (2 s, 320x240, red, silent), blue.mp4 (1 s, 160x120, blue,
// silent), green.mp4 (2 s, 320x240, green, 660 Hz), tone.m4a (3 s of
// 440 Hz), white.png (40x40).
func composeSources(t *testing.T, s *server, dir string, names ...string) (map[string]string, string) {
	t.Helper()
	gen := map[string][]string{
		"red.mp4":  {"-f", "lavfi", "-i", "color=red:s=320x240:r=25:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"},
		"blue.mp4": {"-f", "lavfi", "-i", "color=blue:s=160x120:r=25:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"},
		"green.mp4": {"-f", "lavfi", "-i", "color=green:s=320x240:r=25:d=2", "-f", "lavfi", "-i", "sine=f=660:d=2",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"},
		"tone.m4a":  {"-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "aac"},
		"white.png": {"-f", "lavfi", "-i", "color=white:s=40x40", "-frames:v", "1"},
	}
	srv := mediaServer(t, dir)
	c := s.client()
	tasks := map[string]string{}
	for _, n := range names {
		ffmpeg(t, append(gen[n], filepath.Join(dir, n))...)
		tasks[n] = pull(t, c, srv.URL+"/"+n, nil)
	}
	ids := map[string]string{}
	for n, id := range tasks {
		p := waitTask(t, c, id, nil).Response.PullUploadTask
		require.Equal(t, int64(0), *p.ErrCode, *p.Message)
		ids[n] = *p.FileId
	}
	return ids, srv.URL
}

// composeItem builds a track item of the SDK.
func videoItem(src string, fn func(v *vod.VideoTrackItem)) *vod.MediaTrackItem {
	v := &vod.VideoTrackItem{SourceMedia: common.StringPtr(src)}
	if fn != nil {
		fn(v)
	}
	return &vod.MediaTrackItem{Type: common.StringPtr("Video"), VideoItem: v}
}

func emptyItem(d float64) *vod.MediaTrackItem {
	return &vod.MediaTrackItem{Type: common.StringPtr("Empty"), EmptyItem: &vod.EmptyTrackItem{Duration: common.Float64Ptr(d)}}
}

// composeFile downloads a composed media's file.
func composeFile(t *testing.T, url, name string) string {
	t.Helper()
	resp, body := httpGet(t, url, nil)
	require.Equal(t, 200, resp.StatusCode)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, body, 0o600))
	return path
}

// composeProbe is what ffprobe says of an output.
type composeProbe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func probeComposed(t *testing.T, path string) (composeProbe, float64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path).Output()
	require.NoError(t, err)
	var p composeProbe
	require.NoError(t, json.Unmarshal(out, &p))
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	require.NoError(t, err)
	return p, d
}

// pixel reads the RGB colour at x, y of the frame shown at second at.
func pixel(t *testing.T, path string, at float64, x, y int) [3]int {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-ss", strconv.FormatFloat(at, 'f', -1, 64), "-i", path, "-frames:v", "1",
		"-vf", "format=rgb24,crop=1:1:"+strconv.Itoa(x)+":"+strconv.Itoa(y), "-f", "rawvideo", "-pix_fmt", "rgb24", "-").Output()
	require.NoError(t, err)
	require.Len(t, out, 3)
	return [3]int{int(out[0]), int(out[1]), int(out[2])}
}

// requireRGB checks a colour, allowing for YUV rounding and compression.
func requireRGB(t *testing.T, want, got [3]int, what string) {
	t.Helper()
	for i := range 3 {
		require.InDelta(t, want[i], got[i], 40, "%s: want %v, got %v", what, want, got)
	}
}

var meanVolumeRE = regexp.MustCompile(`mean_volume: (-?[0-9.]+|-inf) dB`)

// meanVolume returns the mean volume in dB of the sound of path between
// from and to seconds.
func meanVolume(t *testing.T, path string, from, to float64) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-i", path, "-af",
		"atrim="+strconv.FormatFloat(from, 'f', -1, 64)+":"+strconv.FormatFloat(to, 'f', -1, 64)+",volumedetect",
		"-vn", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := meanVolumeRE.FindSubmatch(out)
	require.NotNil(t, m, "%s", out)
	if string(m[1]) == "-inf" {
		return -200
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	return v
}

// TestComposeMedia composes two video tracks (a red full-canvas clip and
// a small blue clip placed top-left by an empty item and a negative
// offset from the centre) and an audio track whose tone an empty item
// starts at 1 s, then checks the new media: size, length, colours at
// known places and times, where the sound is, the task detail's JSON and
// the media's record.
func TestComposeMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	ids, _ := composeSources(t, s, t.TempDir(), "red.mp4", "blue.mp4", "tone.m4a", "white.png")

	req := vod.NewComposeMediaRequest()
	req.Tracks = []*vod.MediaTrack{
		{Type: common.StringPtr("Video"), TrackItems: []*vod.MediaTrackItem{videoItem(ids["red.mp4"], nil)}},
		{Type: common.StringPtr("Video"), TrackItems: []*vod.MediaTrackItem{emptyItem(0.5), videoItem(ids["blue.mp4"], func(v *vod.VideoTrackItem) {
			v.XPos, v.YPos = common.StringPtr("-80px"), common.StringPtr("-25%")
		})}},
		{Type: common.StringPtr("Audio"), TrackItems: []*vod.MediaTrackItem{emptyItem(1), {Type: common.StringPtr("Audio"),
			AudioItem: &vod.AudioTrackItem{SourceMedia: common.StringPtr(ids["tone.m4a"]), Duration: common.Float64Ptr(1)}}}},
		{Type: common.StringPtr("Sticker"), TrackItems: []*vod.MediaTrackItem{{Type: common.StringPtr("Sticker"),
			StickerItem: &vod.StickerTrackItem{SourceMedia: common.StringPtr(ids["white.png"]), StartTime: common.Float64Ptr(1.2),
				Duration: common.Float64Ptr(0.5), XPos: common.StringPtr("25%"), Width: common.StringPtr("20px")}}}},
	}
	req.Canvas = &vod.Canvas{Color: common.StringPtr("Black"), Width: common.Int64Ptr(320), Height: common.Int64Ptr(240)}
	req.Output = &vod.ComposeMediaOutput{FileName: common.StringPtr("composed"), Description: common.StringPtr("red, blue, tone"),
		AudioStream: &vod.OutputAudioStream{SampleRate: common.Int64Ptr(44100)}}
	req.SessionContext = common.StringPtr("ctx-1")
	resp, err := c.ComposeMedia(req)
	require.NoError(t, err)
	taskID := *resp.Response.TaskId
	require.Regexp(t, `^1250000001-ComposeMedia-[0-9a-f]+t0$`, taskID)

	d := waitTask(t, c, taskID, nil).Response
	require.Equal(t, "ComposeMedia", *d.TaskType)
	r := d.ComposeMediaTask
	require.NotNil(t, r)
	require.Equal(t, int64(0), *r.ErrCode, *r.Message)
	require.Equal(t, "SUCCESS", *r.Message)
	require.Equal(t, "mp4", *r.Output.FileType)
	require.Equal(t, "composed", *r.Output.MediaName)
	require.Equal(t, "9999-12-31T23:59:59Z", *r.Output.ExpireTime)
	require.Regexp(t, `^[0-9]{19}$`, *r.Output.FileId)
	require.Equal(t, int64(320), *r.MetaData.Width)
	require.Equal(t, "ctx-1", *r.SessionContext)
	require.Len(t, r.Input.Tracks, 4)

	out := composeFile(t, *r.Output.FileUrl, "out.mp4")
	p, dur := probeComposed(t, out)
	require.InDelta(t, 2, dur, 0.1)
	require.Len(t, p.Streams, 2)
	require.Equal(t, "h264", p.Streams[0].CodecName)
	require.Equal(t, 320, p.Streams[0].Width)
	require.Equal(t, 240, p.Streams[0].Height)
	require.Equal(t, "aac", p.Streams[1].CodecName)

	red, blue := [3]int{255, 0, 0}, [3]int{0, 0, 255}
	requireRGB(t, red, pixel(t, out, 0.2, 10, 10), "red before the blue clip starts")
	requireRGB(t, blue, pixel(t, out, 1.0, 10, 10), "blue clip at the top-left at 1.0 s")
	requireRGB(t, blue, pixel(t, out, 1.0, 150, 110), "blue clip's bottom-right corner")
	requireRGB(t, red, pixel(t, out, 1.0, 170, 130), "red outside the blue clip")
	requireRGB(t, red, pixel(t, out, 1.7, 10, 10), "red after the blue clip ended")
	white := [3]int{255, 255, 255}
	requireRGB(t, white, pixel(t, out, 1.4, 240, 120), "the sticker, 20 px wide, centred a quarter right of the centre")
	requireRGB(t, red, pixel(t, out, 1.4, 252, 120), "right of the sticker")
	requireRGB(t, red, pixel(t, out, 1.0, 240, 120), "before the sticker's start")
	requireRGB(t, red, pixel(t, out, 1.8, 240, 120), "after the sticker's end")

	require.Less(t, meanVolume(t, out, 0.1, 0.9), -60.0, "silence before the tone")
	require.Greater(t, meanVolume(t, out, 1.1, 1.9), -30.0, "the tone from 1 s")

	// The stored detail prints every field of the result.
	var raw struct {
		Response struct {
			ComposeMediaTask map[string]json.RawMessage
		}
	}
	require.NoError(t, json.Unmarshal(s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+taskID+`"}`), &raw))
	task := raw.Response.ComposeMediaTask
	for _, k := range []string{"TaskId", "Status", "ErrCode", "Message", "Progress", "Input", "Output", "MetaData", "SessionId", "SessionContext"} {
		require.Contains(t, task, k)
	}
	require.JSONEq(t, `"FINISH"`, string(task["Status"]))
	require.JSONEq(t, `100`, string(task["Progress"]))
	require.JSONEq(t, `""`, string(task["SessionId"]))
	var output map[string]any
	require.NoError(t, json.Unmarshal(task["Output"], &output))
	require.Len(t, output, 6)
	require.IsType(t, "", output["FileId"])
	require.IsType(t, float64(0), output["ClassId"])
	var input vodapi.ComposeMediaTaskInput
	require.NoError(t, json.Unmarshal(task["Input"], &input))
	require.Equal(t, "-25%", *input.Tracks[1].TrackItems[1].VideoItem.YPos)
	require.Equal(t, int64(320), *input.Canvas.Width)

	// Its completion event carries the result.
	evs, _ := pullEvents(t, c)
	var ev *vod.ComposeMediaTask
	for _, e := range evs {
		if *e.EventType == "ComposeMediaComplete" {
			ev = e.ComposeMediaCompleteEvent
		}
	}
	require.NotNil(t, ev, "a ComposeMediaComplete event")
	require.Equal(t, taskID, *ev.TaskId)
	require.Equal(t, *r.Output.FileId, *ev.Output.FileId)
	require.Equal(t, "ctx-1", *ev.SessionContext)

	// The new media is a media like any other.
	info := describeMedia(t, c, nil, *r.Output.FileId).Response.MediaInfoSet[0]
	require.Equal(t, "composed", *info.BasicInfo.Name)
	require.Equal(t, "red, blue, tone", *info.BasicInfo.Description)
	require.Equal(t, "mp4", *info.BasicInfo.Type)
	require.InDelta(t, 2, *info.MetaData.Duration, 0.1)
}

// TestComposeMediaTransition joins a green clip with sound and a red one
// given by its URL by a left wipe with a sound crossfade (MediaTransitions,
// sent raw: the SDK knows only the older Transitions), over a white canvas
// sized by the first clip.
func TestComposeMediaTransition(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	ids, base := composeSources(t, s, t.TempDir(), "green.mp4", "red.mp4")

	clip := func(id string) *vodapi.MediaTrackItem {
		return &vodapi.MediaTrackItem{Type: vodapi.Ptr("Video"), VideoItem: &vodapi.VideoTrackItem{SourceMedia: vodapi.Ptr(id)}}
	}
	req := &vodapi.ComposeMediaRequest{
		Tracks: []*vodapi.MediaTrack{{Type: vodapi.Ptr("Video"), TrackItems: []*vodapi.MediaTrackItem{
			clip(ids["green.mp4"]),
			{Type: vodapi.Ptr("Transition"), TransitionItem: &vodapi.MediaTransitionItem{Duration: vodapi.Ptr(1.0),
				MediaTransitions: []*vodapi.TransitionOperation{{Type: vodapi.Ptr("WipeLeft")}, {Type: vodapi.Ptr("AudioFadeInFadeOut")}}}},
			clip(base + "/red.mp4"), // a URL: downloaded by the task
		}}},
		Canvas: &vodapi.Canvas{Color: vodapi.Ptr("White")},
		Output: &vodapi.ComposeMediaOutput{FileName: vodapi.Ptr("wipe")},
	}
	var resp vodapi.ComposeMediaResponse
	require.NoError(t, s.callInto(t, "ComposeMedia", req, &resp))
	r := waitTask(t, c, *resp.TaskId, nil).Response.ComposeMediaTask
	require.Equal(t, int64(0), *r.ErrCode, *r.Message)

	out := composeFile(t, *r.Output.FileUrl, "wipe.mp4")
	p, dur := probeComposed(t, out)
	require.InDelta(t, 3, dur, 0.1, "2 s + 2 s overlapping by 1 s")
	require.Equal(t, 320, p.Streams[0].Width)
	green, red := [3]int{0, 128, 0}, [3]int{255, 0, 0}
	requireRGB(t, green, pixel(t, out, 0.5, 160, 120), "first clip")
	requireRGB(t, green, pixel(t, out, 1.5, 20, 120), "left half half way through the wipe")
	requireRGB(t, red, pixel(t, out, 1.5, 300, 120), "right half half way through the wipe")
	requireRGB(t, red, pixel(t, out, 2.5, 160, 120), "second clip")
	require.Greater(t, meanVolume(t, out, 0.1, 0.9), -30.0, "the first clip's sound")
	require.Less(t, meanVolume(t, out, 2.2, 2.9), -60.0, "the second clip is silent")
}

// TestComposeMediaAudioOnly writes an mp3 from an audio track, the sound
// of a video clip (speeded up twice by TargetDuration) and a muted one.
func TestComposeMediaAudioOnly(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	ids, _ := composeSources(t, s, t.TempDir(), "green.mp4", "tone.m4a")

	green := func(fn func(v *vodapi.VideoTrackItem)) *vodapi.MediaTrackItem {
		v := &vodapi.VideoTrackItem{SourceMedia: vodapi.Ptr(ids["green.mp4"])}
		fn(v)
		return &vodapi.MediaTrackItem{Type: vodapi.Ptr("Video"), VideoItem: v}
	}
	gap := &vodapi.MediaTrackItem{Type: vodapi.Ptr("Empty"), EmptyItem: &vodapi.EmptyTrackItem{Duration: vodapi.Ptr(3.5)}}
	req := &vodapi.ComposeMediaRequest{
		Tracks: []*vodapi.MediaTrack{
			{Type: vodapi.Ptr("Video"), TrackItems: []*vodapi.MediaTrackItem{
				green(func(v *vodapi.VideoTrackItem) { v.TargetDuration = vodapi.Ptr(1.0) }),
				green(func(v *vodapi.VideoTrackItem) {
					v.AudioOperations = []*vodapi.AudioTransform{{Type: vodapi.Ptr("Volume"), VolumeParam: &vodapi.AudioVolumeParam{Mute: vodapi.Ptr(int64(1))}}}
				}),
			}},
			{Type: vodapi.Ptr("Audio"), TrackItems: []*vodapi.MediaTrackItem{gap, {Type: vodapi.Ptr("Audio"),
				AudioItem: &vodapi.AudioTrackItem{SourceMedia: vodapi.Ptr(ids["tone.m4a"]), SourceMediaStartTime: vodapi.Ptr(2.0)}}}},
		},
		Output: &vodapi.ComposeMediaOutput{FileName: vodapi.Ptr("sound"), Container: vodapi.Ptr("mp3")},
	}
	var resp vodapi.ComposeMediaResponse
	require.NoError(t, s.callInto(t, "ComposeMedia", req, &resp))
	r := waitTask(t, c, *resp.TaskId, nil).Response.ComposeMediaTask
	require.Equal(t, int64(0), *r.ErrCode, *r.Message)
	require.Equal(t, "mp3", *r.Output.FileType)

	out := composeFile(t, *r.Output.FileUrl, "sound.mp3")
	p, dur := probeComposed(t, out)
	require.InDelta(t, 4.5, dur, 0.15, "1 s fast clip, 2 s muted clip, gap to 3.5 s, 1 s of tone")
	require.Len(t, p.Streams, 1)
	require.Equal(t, "mp3", p.Streams[0].CodecName)
	require.Greater(t, meanVolume(t, out, 0.1, 0.9), -30.0, "the speeded-up clip")
	require.Less(t, meanVolume(t, out, 1.2, 3.3), -60.0, "the muted clip and the gap")
	require.Greater(t, meanVolume(t, out, 3.6, 4.4), -30.0, "the end of the tone")
}

// TestComposeMediaBadInput checks the requests answered with an error
// before any task exists.
func TestComposeMediaBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	dir := t.TempDir()
	ids, base := composeSources(t, s, dir, "red.mp4")
	red := ids["red.mp4"]
	output := `"Output":{"FileName":"x"}`
	video := func(item string) string {
		return `{"Tracks":[{"Type":"Video","TrackItems":[` + item + `]}],` + output + `}`
	}
	clip := func(fields string) string {
		return `{"Type":"Video","VideoItem":{"SourceMedia":"` + red + `"` + fields + `}}`
	}
	cases := []struct {
		name, body, code string
	}{
		{"no tracks", `{"Tracks":[],` + output + `}`, "InvalidParameter"},
		{"no items", video(``), "InvalidParameter"},
		{"unknown FileId", video(`{"Type":"Video","VideoItem":{"SourceMedia":"5285890784246869999"}}`), "InvalidParameterValue.FileId"},
		{"start past the end", video(clip(`,"SourceMediaStartTime":2.5`)), "InvalidParameterValue"},
		{"bad width", video(clip(`,"Width":"wide"`)), "InvalidParameterValue"},
		{"bad position", video(clip(`,"XPos":"10 px"`)), "InvalidParameterValue"},
		{"bad canvas", `{"Tracks":[{"Type":"Video","TrackItems":[` + clip(``) + `]}],"Canvas":{"Width":5000},` + output + `}`, "InvalidParameterValue"},
		{"bad colour", `{"Tracks":[{"Type":"Video","TrackItems":[` + clip(``) + `]}],"Canvas":{"Color":"Red"},` + output + `}`, "InvalidParameterValue"},
		{"item type", video(`{"Type":"Audio","AudioItem":{"SourceMedia":"` + red + `"}}`), "InvalidParameterValue"},
		{"missing item", video(`{"Type":"Video"}`), "InvalidParameter"},
		{"transition too long", video(clip(``) + `,{"Type":"Transition","TransitionItem":{"Duration":3,"MediaTransitions":[{"Type":"WipeLeft"}]}},` + clip(``)), "InvalidParameterValue"},
		{"transition at the end", video(clip(``) + `,{"Type":"Transition","TransitionItem":{"Duration":1}}`), "InvalidParameterValue"},
		{"unsupported transition", video(clip(``) + `,{"Type":"Transition","TransitionItem":{"Duration":1,"MediaTransitions":[{"Type":"Heart"}]}},` + clip(``)), "UnsupportedOperation"},
		{"unknown transition", video(clip(``) + `,{"Type":"Transition","TransitionItem":{"Duration":1,"MediaTransitions":[{"Type":"Spin"}]}},` + clip(``)), "InvalidParameterValue"},
		{"container", `{"Tracks":[{"Type":"Video","TrackItems":[` + clip(``) + `]}],"Output":{"FileName":"x","Container":"flv"}}`, "InvalidParameterValue"},
		{"no sound for mp3", `{"Tracks":[{"Type":"Video","TrackItems":[` + clip(``) + `]}],"Output":{"FileName":"x","Container":"mp3","RemoveAudio":1}}`, "InvalidParameterValue"},
		{"ftp URL", video(`{"Type":"Video","VideoItem":{"SourceMedia":"ftp://127.0.0.1/a.mp4"}}`), "InvalidParameterValue.FileId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]any
			requireRawCode(t, s.callInto(t, "ComposeMedia", json.RawMessage(tc.body), &out), tc.code)
		})
	}
	lr, err := c.DescribeTasks(vod.NewDescribeTasksRequest())
	require.NoError(t, err)
	require.Len(t, lr.Response.TaskSet, 1, "only the pull of the source")

	// A URL source is only known once fetched: a file that is not media
	// fails the task, which creates no media.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.mp4"), []byte("not a video"), 0o600))
	var resp vodapi.ComposeMediaResponse
	require.NoError(t, s.callInto(t, "ComposeMedia", json.RawMessage(video(`{"Type":"Video","VideoItem":{"SourceMedia":"`+base+`/junk.mp4"}}`)), &resp))
	r := waitTask(t, c, *resp.TaskId, nil).Response.ComposeMediaTask
	require.Equal(t, "FINISH", *r.Status)
	require.Equal(t, int64(60000), *r.ErrCode)
	require.Contains(t, *r.Message, "junk.mp4")
	require.Nil(t, r.Output)
	require.Nil(t, r.MetaData)
	search := searchMedia(t, c, nil)
	require.Equal(t, uint64(1), *search.Response.TotalCount, "only the source media")
}

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// The preset counts of TEMPLATES.md §1 as this server offers them.
const (
	presetTranscodeCount = 62 // 12 ladder + 7 audio + 5 TEHD + 2 remux + 36 legacy
	presetAudioCount     = 7
)

// tplVideo and tplAudio are valid stream settings for custom templates.
func tplVideo() *vod.VideoTemplateInfo {
	return &vod.VideoTemplateInfo{Codec: common.StringPtr("libx264"), Fps: common.Uint64Ptr(25), Bitrate: common.Uint64Ptr(800),
		Height: common.Uint64Ptr(480)}
}

func tplAudio() *vod.AudioTemplateInfo {
	return &vod.AudioTemplateInfo{Codec: common.StringPtr("libfdk_aac"), Bitrate: common.Uint64Ptr(96), SampleRate: common.Uint64Ptr(44100)}
}

// createTranscode creates a custom MP4 transcode template in app sub (nil:
// the default application) and returns its definition.
func createTranscode(t *testing.T, c *vod.Client, sub *uint64, name string) int64 {
	t.Helper()
	req := vod.NewCreateTranscodeTemplateRequest()
	req.SubAppId = sub
	req.Container = common.StringPtr("mp4")
	req.Name = common.StringPtr(name)
	req.VideoTemplate, req.AudioTemplate = tplVideo(), tplAudio()
	resp, err := c.CreateTranscodeTemplate(req)
	require.NoError(t, err)
	return *resp.Response.Definition
}

func describeTranscode(t *testing.T, c *vod.Client, fn func(r *vod.DescribeTranscodeTemplatesRequest)) (*vod.DescribeTranscodeTemplatesResponse, error) {
	t.Helper()
	req := vod.NewDescribeTranscodeTemplatesRequest()
	if fn != nil {
		fn(req)
	}
	return c.DescribeTranscodeTemplates(req)
}

// transcodeByDef returns the one transcode template def of app sub, or nil.
func transcodeByDef(t *testing.T, c *vod.Client, sub *uint64, def int64) *vod.TranscodeTemplate {
	t.Helper()
	resp, err := describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) {
		r.SubAppId, r.Definitions = sub, common.Int64Ptrs([]int64{def})
	})
	require.NoError(t, err)
	if len(resp.Response.TranscodeTemplateSet) == 0 {
		require.Equal(t, uint64(0), *resp.Response.TotalCount)
		return nil
	}
	require.Len(t, resp.Response.TranscodeTemplateSet, 1)
	require.Equal(t, uint64(1), *resp.Response.TotalCount)
	return resp.Response.TranscodeTemplateSet[0]
}

// rawTemplates decodes the raw response body of a Describe*Templates action and
// returns its TotalCount and the members of the list field's items.
func rawTemplates(t *testing.T, body []byte, list string) (json.RawMessage, []json.RawMessage) {
	t.Helper()
	resp := envelope(t, body)
	require.Contains(t, resp, "TotalCount", "%s", body)
	var items []json.RawMessage
	require.NoError(t, json.Unmarshal(resp[list], &items), "%s", body)
	return resp["TotalCount"], items
}

// pngImage is a small PNG for image watermarks.
func pngImage(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		for y := range 8 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func TestTemplatePresets(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	// All presets, on one page.
	resp, err := describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.Limit = common.Uint64Ptr(100) })
	require.NoError(t, err)
	require.Equal(t, uint64(presetTranscodeCount), *resp.Response.TotalCount)
	require.Len(t, resp.Response.TranscodeTemplateSet, presetTranscodeCount)
	seen := map[string]bool{}
	for _, tt := range resp.Response.TranscodeTemplateSet {
		require.Equal(t, "Preset", *tt.Type)
		require.False(t, seen[*tt.Definition], "definition %s twice", *tt.Definition)
		seen[*tt.Definition] = true
		require.Regexp(t, timeRE, *tt.CreateTime)
	}
	for _, d := range []string{"100010", "100280", "1010", "1140", "100800", "875", "876", "10", "210", "10046", "510", "780"} {
		require.True(t, seen[d], "preset %s missing", d)
	}

	// One preset in detail; Definition is a JSON string here.
	fhd := transcodeByDef(t, c, nil, 100040)
	require.Equal(t, "100040", *fhd.Definition)
	require.Equal(t, "mp4", *fhd.Container)
	require.Equal(t, "Video", *fhd.ContainerType)
	require.Equal(t, int64(0), *fhd.RemoveVideo)
	require.Equal(t, "libx264", *fhd.VideoTemplate.Codec)
	require.Equal(t, uint64(25), *fhd.VideoTemplate.Fps)
	require.Equal(t, uint64(2500), *fhd.VideoTemplate.Bitrate)
	require.Equal(t, uint64(1080), *fhd.VideoTemplate.Height)
	require.Equal(t, "libfdk_aac", *fhd.AudioTemplate.Codec)
	require.Equal(t, uint64(128), *fhd.AudioTemplate.Bitrate)
	require.Equal(t, uint64(44100), *fhd.AudioTemplate.SampleRate)
	require.Equal(t, int64(2), *fhd.AudioTemplate.AudioChannel)

	body := s.rawBody(t, "DescribeTranscodeTemplates", `{"Definitions":[100040]}`)
	total, items := rawTemplates(t, body, "TranscodeTemplateSet")
	require.Equal(t, "1", string(total))
	require.Len(t, items, 1)
	m := requireInts(t, items[0], "RemoveVideo", "RemoveAudio")
	require.Equal(t, `"100040"`, string(m["Definition"]))
	requireInts(t, m["VideoTemplate"], "Fps", "Bitrate", "Width", "Height", "Gop", "Vcrf")
	requireInts(t, m["AudioTemplate"], "Bitrate", "SampleRate", "AudioChannel")

	// Filters and paging.
	resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.Type = common.StringPtr("Custom") })
	require.NoError(t, err)
	require.Equal(t, uint64(0), *resp.Response.TotalCount)
	require.Empty(t, resp.Response.TranscodeTemplateSet)
	resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.ContainerType = common.StringPtr("PureAudio") })
	require.NoError(t, err)
	require.Equal(t, uint64(presetAudioCount), *resp.Response.TotalCount)
	for _, tt := range resp.Response.TranscodeTemplateSet {
		require.Nil(t, tt.VideoTemplate)
		require.Equal(t, int64(1), *tt.RemoveVideo)
	}
	resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.TEHDType = common.StringPtr("TEHD") })
	require.NoError(t, err)
	require.Equal(t, uint64(5), *resp.Response.TotalCount)
	resp, err = describeTranscode(t, c, nil)
	require.NoError(t, err)
	require.Len(t, resp.Response.TranscodeTemplateSet, 10, "the default page is 10")
	var paged []string
	for offset := uint64(0); offset < presetTranscodeCount; offset += 25 {
		resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) {
			r.Offset, r.Limit = common.Uint64Ptr(offset), common.Uint64Ptr(25)
		})
		require.NoError(t, err)
		require.Equal(t, uint64(presetTranscodeCount), *resp.Response.TotalCount)
		for _, tt := range resp.Response.TranscodeTemplateSet {
			paged = append(paged, *tt.Definition)
		}
	}
	require.Len(t, paged, presetTranscodeCount)
	for _, d := range paged {
		require.True(t, seen[d])
	}
	resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.Offset = common.Uint64Ptr(1000) })
	require.NoError(t, err)
	require.Equal(t, uint64(presetTranscodeCount), *resp.Response.TotalCount)
	require.Empty(t, resp.Response.TranscodeTemplateSet)

	for _, tc := range []struct {
		name string
		fn   func(r *vod.DescribeTranscodeTemplatesRequest)
		code string
	}{
		{"type", func(r *vod.DescribeTranscodeTemplatesRequest) { r.Type = common.StringPtr("Mine") }, "InvalidParameterValue.Type"},
		{"limit", func(r *vod.DescribeTranscodeTemplatesRequest) { r.Limit = common.Uint64Ptr(101) }, "InvalidParameterValue.Limit"},
		{"container type", func(r *vod.DescribeTranscodeTemplatesRequest) { r.ContainerType = common.StringPtr("Audio") }, "InvalidParameterValue.ContainerType"},
		{"tehd type", func(r *vod.DescribeTranscodeTemplatesRequest) { r.TEHDType = common.StringPtr("Fast") }, "InvalidParameterValue.TEHDType"},
	} {
		_, err := describeTranscode(t, c, tc.fn)
		requireCode(t, err, tc.code)
	}

	// The other families' presets.
	snap, err := c.DescribeSnapshotByTimeOffsetTemplates(vod.NewDescribeSnapshotByTimeOffsetTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(1), *snap.Response.TotalCount)
	require.Equal(t, uint64(10), *snap.Response.SnapshotByTimeOffsetTemplateSet[0].Definition)
	require.Equal(t, "jpg", *snap.Response.SnapshotByTimeOffsetTemplateSet[0].Format)
	require.Equal(t, "stretch", *snap.Response.SnapshotByTimeOffsetTemplateSet[0].FillType)
	sample, err := c.DescribeSampleSnapshotTemplates(vod.NewDescribeSampleSnapshotTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(1), *sample.Response.TotalCount)
	require.Equal(t, "Percent", *sample.Response.SampleSnapshotTemplateSet[0].SampleType)
	require.Equal(t, uint64(10), *sample.Response.SampleSnapshotTemplateSet[0].SampleInterval)
	sprite, err := c.DescribeImageSpriteTemplates(vod.NewDescribeImageSpriteTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(1), *sprite.Response.TotalCount)
	sp := sprite.Response.ImageSpriteTemplateSet[0]
	require.Equal(t, []uint64{10, 142, 80, 10, 10, 10}, []uint64{*sp.Definition, *sp.Width, *sp.Height, *sp.RowCount, *sp.ColumnCount, *sp.SampleInterval})
	require.Equal(t, "Time", *sp.SampleType)
	anim, err := c.DescribeAnimatedGraphicsTemplates(vod.NewDescribeAnimatedGraphicsTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(2), *anim.Response.TotalCount)
	require.Equal(t, uint64(20000), *anim.Response.AnimatedGraphicsTemplateSet[0].Definition)
	require.Equal(t, "gif", *anim.Response.AnimatedGraphicsTemplateSet[0].Format)
	require.Equal(t, "webp", *anim.Response.AnimatedGraphicsTemplateSet[1].Format)
	require.Equal(t, uint64(2), *anim.Response.AnimatedGraphicsTemplateSet[1].Fps)
	adp, err := c.DescribeAdaptiveDynamicStreamingTemplates(vod.NewDescribeAdaptiveDynamicStreamingTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(3), *adp.Response.TotalCount)
	var adpDefs []uint64
	for _, a := range adp.Response.AdaptiveDynamicStreamingTemplateSet {
		adpDefs = append(adpDefs, *a.Definition)
		require.Len(t, a.StreamInfos, 6)
		require.Equal(t, uint64(24), *a.StreamInfos[0].Video.Fps)
		require.Equal(t, uint64(240), *a.StreamInfos[0].Video.Height)
		require.Equal(t, uint64(48), *a.StreamInfos[0].Audio.Bitrate)
	}
	require.Equal(t, []uint64{10, 12, 20}, adpDefs)
	require.Equal(t, "SimpleAES", *adp.Response.AdaptiveDynamicStreamingTemplateSet[1].DrmType)
	require.Equal(t, "MPEG-DASH", *adp.Response.AdaptiveDynamicStreamingTemplateSet[2].Format)
	wm, err := c.DescribeWatermarkTemplates(vod.NewDescribeWatermarkTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(0), *wm.Response.TotalCount)
	require.NotNil(t, wm.Response.WatermarkTemplateSet)
	procs, err := c.DescribeProcedureTemplates(vod.NewDescribeProcedureTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(1), *procs.Response.TotalCount)
	lv := procs.Response.ProcedureTemplateSet[0]
	require.Equal(t, "LongVideoPreset", *lv.Name)
	require.Equal(t, "Preset", *lv.Type)
	require.Equal(t, uint64(10), *lv.MediaProcessTask.AdaptiveDynamicStreamingTaskSet[0].Definition)

	// UInt definitions are JSON integers.
	for _, x := range []struct{ action, list string }{
		{"DescribeSnapshotByTimeOffsetTemplates", "SnapshotByTimeOffsetTemplateSet"},
		{"DescribeSampleSnapshotTemplates", "SampleSnapshotTemplateSet"},
		{"DescribeImageSpriteTemplates", "ImageSpriteTemplateSet"},
		{"DescribeAnimatedGraphicsTemplates", "AnimatedGraphicsTemplateSet"},
		{"DescribeAdaptiveDynamicStreamingTemplates", "AdaptiveDynamicStreamingTemplateSet"},
	} {
		total, items := rawTemplates(t, s.rawBody(t, x.action, `{}`), x.list)
		require.Regexp(t, `^[0-9]+$`, string(total))
		require.NotEmpty(t, items, x.action)
		for _, it := range items {
			requireInts(t, it, "Definition")
		}
	}
	// Preset definitions filter the UInt families too.
	da := vod.NewDescribeAnimatedGraphicsTemplatesRequest()
	da.Definitions = common.Uint64Ptrs([]uint64{20001, 5})
	snap2, err := c.DescribeAnimatedGraphicsTemplates(da)
	require.NoError(t, err)
	require.Equal(t, uint64(1), *snap2.Response.TotalCount)
	require.Equal(t, uint64(20001), *snap2.Response.AnimatedGraphicsTemplateSet[0].Definition)
}

func TestTranscodeTemplateLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	def := createTranscode(t, c, nil, "my 480p")
	require.GreaterOrEqual(t, def, int64(1008))
	got := transcodeByDef(t, c, nil, def)
	require.NotNil(t, got)
	require.Equal(t, strconv.FormatInt(def, 10), *got.Definition)
	require.Equal(t, "Custom", *got.Type)
	require.Equal(t, "my 480p", *got.Name)
	require.Equal(t, "", *got.Comment)
	require.Equal(t, "mp4", *got.Container)
	require.Equal(t, uint64(800), *got.VideoTemplate.Bitrate)
	require.Equal(t, uint64(480), *got.VideoTemplate.Height)
	require.Equal(t, "open", *got.VideoTemplate.ResolutionAdaptive)
	require.Equal(t, "black", *got.VideoTemplate.FillType)
	require.Equal(t, int64(2), *got.AudioTemplate.AudioChannel)
	require.Regexp(t, timeRE, *got.CreateTime)
	require.Regexp(t, timeRE, *got.UpdateTime)

	// Custom templates list after the presets and count in TotalCount.
	resp, err := describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.Type = common.StringPtr("Custom") })
	require.NoError(t, err)
	require.Equal(t, uint64(1), *resp.Response.TotalCount)
	resp, err = describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) {
		r.Offset, r.Limit = common.Uint64Ptr(presetTranscodeCount), common.Uint64Ptr(10)
	})
	require.NoError(t, err)
	require.Equal(t, uint64(presetTranscodeCount+1), *resp.Response.TotalCount)
	require.Len(t, resp.Response.TranscodeTemplateSet, 1)
	require.Equal(t, *got.Definition, *resp.Response.TranscodeTemplateSet[0].Definition)

	// Definitions are distinct and never a preset's.
	def2 := createTranscode(t, c, nil, "second")
	require.NotEqual(t, def, def2)
	require.Equal(t, "Custom", *transcodeByDef(t, c, nil, def2).Type)

	// Modify changes only what is given.
	mod := vod.NewModifyTranscodeTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.Comment = common.StringPtr("smaller")
	mod.VideoTemplate = &vod.VideoTemplateInfoForUpdate{Bitrate: common.Uint64Ptr(600), FillType: common.StringPtr("gauss")}
	_, err = c.ModifyTranscodeTemplate(mod)
	require.NoError(t, err)
	after := transcodeByDef(t, c, nil, def)
	require.Equal(t, "my 480p", *after.Name)
	require.Equal(t, "smaller", *after.Comment)
	require.Equal(t, uint64(600), *after.VideoTemplate.Bitrate)
	require.Equal(t, "gauss", *after.VideoTemplate.FillType)
	require.Equal(t, uint64(480), *after.VideoTemplate.Height)
	require.Equal(t, uint64(25), *after.VideoTemplate.Fps)
	require.Equal(t, "libx264", *after.VideoTemplate.Codec)
	require.Equal(t, *got.AudioTemplate, *after.AudioTemplate)
	require.Equal(t, *got.CreateTime, *after.CreateTime)
	require.GreaterOrEqual(t, *after.UpdateTime, *got.UpdateTime)

	// Switching to an audio container drops the video stream.
	mod = vod.NewModifyTranscodeTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.Container = common.StringPtr("m4a")
	_, err = c.ModifyTranscodeTemplate(mod)
	require.NoError(t, err)
	after = transcodeByDef(t, c, nil, def)
	require.Equal(t, "PureAudio", *after.ContainerType)
	require.Nil(t, after.VideoTemplate)
	require.Equal(t, int64(1), *after.RemoveVideo)

	// A modify that breaks the template is refused and changes nothing.
	mod = vod.NewModifyTranscodeTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.Name = common.StringPtr("renamed")
	mod.AudioTemplate = &vod.AudioTemplateInfoForUpdate{SampleRate: common.Uint64Ptr(12345)}
	_, err = c.ModifyTranscodeTemplate(mod)
	requireCode(t, err, "InvalidParameterValue.AudioSampleRate")
	require.Equal(t, "my 480p", *transcodeByDef(t, c, nil, def).Name)

	// Delete; then it is gone.
	del := vod.NewDeleteTranscodeTemplateRequest()
	del.Definition = common.Int64Ptr(def)
	_, err = c.DeleteTranscodeTemplate(del)
	require.NoError(t, err)
	require.Nil(t, transcodeByDef(t, c, nil, def))
	_, err = c.DeleteTranscodeTemplate(del)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	mod = vod.NewModifyTranscodeTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.Name = common.StringPtr("ghost")
	_, err = c.ModifyTranscodeTemplate(mod)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	// A deleted definition is not given out again.
	def3 := createTranscode(t, c, nil, "third")
	require.NotEqual(t, def, def3)

	// Presets are read-only.
	mod = vod.NewModifyTranscodeTemplateRequest()
	mod.Definition = common.Int64Ptr(100040)
	mod.Name = common.StringPtr("mine now")
	_, err = c.ModifyTranscodeTemplate(mod)
	requireCode(t, err, "InvalidParameterValue.ModifyDefaultTemplate")
	del.Definition = common.Int64Ptr(100040)
	_, err = c.DeleteTranscodeTemplate(del)
	requireCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
	require.Equal(t, "Preset", *transcodeByDef(t, c, nil, 100040).Type)

	// The raw Create response: Definition is a JSON integer there.
	body := s.rawBody(t, "CreateTranscodeTemplate", `{"Container":"hls","RemoveVideo":1,"AudioTemplate":{"Codec":"libfdk_aac","Bitrate":64,"SampleRate":48000}}`)
	requireInts(t, json.RawMessage(envelopeJSON(t, body)), "Definition")
}

// envelopeJSON returns the inner Response object of a raw body.
func envelopeJSON(t *testing.T, body []byte) []byte {
	t.Helper()
	var outer struct{ Response json.RawMessage }
	require.NoError(t, json.Unmarshal(body, &outer), "%s", body)
	return outer.Response
}

func TestTemplateValidation(t *testing.T) {
	t.Parallel()
	// More than 20 creates a second: past the default rate limit.
	s := startServer(t, serverOpts{Args: []string{"--no-rate-limit"}})
	c := s.client()

	transcode := func(fn func(r *vod.CreateTranscodeTemplateRequest)) error {
		req := vod.NewCreateTranscodeTemplateRequest()
		req.Container = common.StringPtr("mp4")
		req.VideoTemplate, req.AudioTemplate = tplVideo(), tplAudio()
		fn(req)
		_, err := c.CreateTranscodeTemplate(req)
		return err
	}
	for _, tc := range []struct {
		name string
		fn   func(r *vod.CreateTranscodeTemplateRequest)
		code string
	}{
		{"container", func(r *vod.CreateTranscodeTemplateRequest) { r.Container = common.StringPtr("avi") }, "InvalidParameterValue.Container"},
		{"name", func(r *vod.CreateTranscodeTemplateRequest) {
			r.Name = common.StringPtr(string(bytes.Repeat([]byte("n"), 65)))
		}, "InvalidParameterValue.Name"},
		{"comment", func(r *vod.CreateTranscodeTemplateRequest) {
			r.Comment = common.StringPtr(string(bytes.Repeat([]byte("x"), 257)))
		}, "InvalidParameterValue.Comment"},
		{"video codec", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Codec = common.StringPtr("h264") }, "InvalidParameterValue.VideoCodec"},
		{"fps", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Fps = common.Uint64Ptr(101) }, "InvalidParameterValue.Fps"},
		{"video bitrate", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Bitrate = common.Uint64Ptr(99999) }, "InvalidParameterValue.VideoBitrate"},
		{"width", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Width = common.Uint64Ptr(64) }, "InvalidParameterValue.Width"},
		{"height", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Height = common.Uint64Ptr(9000) }, "InvalidParameterValue.Height"},
		{"fill type", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.FillType = common.StringPtr("red") }, "InvalidParameterValue.FillType"},
		{"resolution adaptive", func(r *vod.CreateTranscodeTemplateRequest) {
			r.VideoTemplate.ResolutionAdaptive = common.StringPtr("yes")
		}, "InvalidParameterValue.ResolutionAdaptive"},
		{"vcrf", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Vcrf = common.Uint64Ptr(60) }, "InvalidParameterValue.Vcrf"},
		{"audio codec", func(r *vod.CreateTranscodeTemplateRequest) { r.AudioTemplate.Codec = common.StringPtr("opus") }, "InvalidParameterValue.AudioCodec"},
		{"audio bitrate", func(r *vod.CreateTranscodeTemplateRequest) { r.AudioTemplate.Bitrate = common.Uint64Ptr(1000) }, "InvalidParameterValue.AudioBitrate"},
		{"sample rate", func(r *vod.CreateTranscodeTemplateRequest) { r.AudioTemplate.SampleRate = common.Uint64Ptr(22050) }, "InvalidParameterValue.AudioSampleRate"},
		{"channels", func(r *vod.CreateTranscodeTemplateRequest) { r.AudioTemplate.AudioChannel = common.Int64Ptr(3) }, "InvalidParameterValue.AudioChannel"},
		{"remove video", func(r *vod.CreateTranscodeTemplateRequest) { r.RemoveVideo = common.Int64Ptr(2) }, "InvalidParameterValue.RemoveVideo"},
		{"tehd", func(r *vod.CreateTranscodeTemplateRequest) {
			r.TEHDConfig = &vod.TEHDConfig{Type: common.StringPtr("TEHD-999")}
		}, "InvalidParameterValue.TEHDType"},
		{"no video template", func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate = nil }, "MissingParameter"},
		{"mp3 needs libmp3lame", func(r *vod.CreateTranscodeTemplateRequest) { r.Container = common.StringPtr("mp3") }, "InvalidParameterValue.AudioCodec"},
	} {
		requireCode(t, transcode(tc.fn), tc.code)
	}
	// Missing required members are caught by the decoder.
	requireCode(t, transcode(func(r *vod.CreateTranscodeTemplateRequest) { r.Container = nil }), "MissingParameter")
	requireCode(t, transcode(func(r *vod.CreateTranscodeTemplateRequest) { r.VideoTemplate.Fps = nil }), "MissingParameter")

	snapshot := func(fn func(r *vod.CreateSnapshotByTimeOffsetTemplateRequest)) error {
		req := vod.NewCreateSnapshotByTimeOffsetTemplateRequest()
		fn(req)
		_, err := c.CreateSnapshotByTimeOffsetTemplate(req)
		return err
	}
	requireCode(t, snapshot(func(r *vod.CreateSnapshotByTimeOffsetTemplateRequest) { r.Width = common.Uint64Ptr(16) }), "InvalidParameterValue.Width")
	requireCode(t, snapshot(func(r *vod.CreateSnapshotByTimeOffsetTemplateRequest) { r.Format = common.StringPtr("bmp") }), "InvalidParameterValue.Format")
	requireCode(t, snapshot(func(r *vod.CreateSnapshotByTimeOffsetTemplateRequest) { r.FillType = common.StringPtr("tile") }), "InvalidParameterValue.FillType")

	sample := func(typ string, interval uint64) error {
		req := vod.NewCreateSampleSnapshotTemplateRequest()
		req.SampleType, req.SampleInterval = common.StringPtr(typ), common.Uint64Ptr(interval)
		_, err := c.CreateSampleSnapshotTemplate(req)
		return err
	}
	requireCode(t, sample("Frames", 10), "InvalidParameterValue.SampleType")
	requireCode(t, sample("Percent", 101), "InvalidParameterValue.SampleInterval")
	requireCode(t, sample("Time", 0), "InvalidParameterValue.SampleInterval")

	sprite := func(fn func(r *vod.CreateImageSpriteTemplateRequest)) error {
		req := vod.NewCreateImageSpriteTemplateRequest()
		req.SampleType, req.SampleInterval = common.StringPtr("Time"), common.Uint64Ptr(5)
		req.RowCount, req.ColumnCount = common.Uint64Ptr(5), common.Uint64Ptr(5)
		req.Width, req.Height = common.Uint64Ptr(160), common.Uint64Ptr(128)
		fn(req)
		_, err := c.CreateImageSpriteTemplate(req)
		return err
	}
	requireCode(t, sprite(func(r *vod.CreateImageSpriteTemplateRequest) { r.RowCount = common.Uint64Ptr(0) }), "InvalidParameterValue.RowCount")
	requireCode(t, sprite(func(r *vod.CreateImageSpriteTemplateRequest) { r.ColumnCount = common.Uint64Ptr(200) }), "InvalidParameterValue.ColumnCount")
	requireCode(t, sprite(func(r *vod.CreateImageSpriteTemplateRequest) { r.FillType = common.StringPtr("gauss") }), "InvalidParameterValue.FillType")
	requireCode(t, sprite(func(r *vod.CreateImageSpriteTemplateRequest) { r.Height = common.Uint64Ptr(100) }), "InvalidParameterValue.Height")

	animated := func(fn func(r *vod.CreateAnimatedGraphicsTemplateRequest)) error {
		req := vod.NewCreateAnimatedGraphicsTemplateRequest()
		req.Fps = common.Uint64Ptr(10)
		fn(req)
		_, err := c.CreateAnimatedGraphicsTemplate(req)
		return err
	}
	requireCode(t, animated(func(r *vod.CreateAnimatedGraphicsTemplateRequest) { r.Fps = common.Uint64Ptr(31) }), "InvalidParameterValue.Fps")
	requireCode(t, animated(func(r *vod.CreateAnimatedGraphicsTemplateRequest) { r.Format = common.StringPtr("apng") }), "InvalidParameterValue.Format")
	requireCode(t, animated(func(r *vod.CreateAnimatedGraphicsTemplateRequest) { r.Quality = common.Float64Ptr(0.5) }), "InvalidParameterValue.Quality")

	adaptive := func(fn func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest)) error {
		req := vod.NewCreateAdaptiveDynamicStreamingTemplateRequest()
		req.Format = common.StringPtr("HLS")
		req.StreamInfos = []*vod.AdaptiveStreamTemplate{{Video: tplVideo(), Audio: tplAudio()}}
		fn(req)
		_, err := c.CreateAdaptiveDynamicStreamingTemplate(req)
		return err
	}
	requireCode(t, adaptive(func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest) {
		r.Format = common.StringPtr("SmoothStreaming")
	}), "InvalidParameterValue.Format")
	requireCode(t, adaptive(func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest) { r.DrmType = common.StringPtr("FairPlay") }), "InvalidParameterValue.DrmType")
	requireCode(t, adaptive(func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest) {
		r.DisableHigherVideoBitrate = common.Uint64Ptr(2)
	}), "InvalidParameterValue.DisableHigherVideoBitrate")
	requireCode(t, adaptive(func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest) {
		r.StreamInfos[0].Audio.Codec = common.StringPtr("flac")
	}), "InvalidParameterValue.AudioCodec")
	requireCode(t, adaptive(func(r *vod.CreateAdaptiveDynamicStreamingTemplateRequest) {
		for range 10 {
			r.StreamInfos = append(r.StreamInfos, &vod.AdaptiveStreamTemplate{Video: tplVideo(), Audio: tplAudio()})
		}
	}), "InvalidParameterValue.StreamInfos")

	watermark := func(fn func(r *vod.CreateWatermarkTemplateRequest)) error {
		req := vod.NewCreateWatermarkTemplateRequest()
		req.Type = common.StringPtr("text")
		req.TextTemplate = &vod.TextWatermarkTemplateInput{FontType: common.StringPtr("arial.ttf"), FontSize: common.StringPtr("16px"),
			FontColor: common.StringPtr("0xFFFFFF"), FontAlpha: common.Float64Ptr(0.8)}
		fn(req)
		_, err := c.CreateWatermarkTemplate(req)
		return err
	}
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) { r.Type = common.StringPtr("video") }), "InvalidParameterValue.Type")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) { r.XPos = common.StringPtr("10 pixels") }), "InvalidParameterValue.XPos")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) { r.CoordinateOrigin = common.StringPtr("Center") }), "InvalidParameterValue.CoordinateOrigin")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) { r.TextTemplate.FontColor = common.StringPtr("white") }), "InvalidParameterValue.FontColor")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) { r.TextTemplate = nil }), "MissingParameter")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) {
		r.Type = common.StringPtr("image")
		r.ImageTemplate = &vod.ImageWatermarkInput{ImageContent: common.StringPtr("not base64!")}
	}), "InvalidParameterValue.ImageContent")
	requireCode(t, watermark(func(r *vod.CreateWatermarkTemplateRequest) {
		r.Type = common.StringPtr("image")
		r.ImageTemplate = &vod.ImageWatermarkInput{ImageContent: common.StringPtr(base64.StdEncoding.EncodeToString([]byte("plain text")))}
	}), "InvalidParameterValue.ImageContent")

	// Nothing was created by any of these.
	resp, err := describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) { r.Type = common.StringPtr("Custom") })
	require.NoError(t, err)
	require.Equal(t, uint64(0), *resp.Response.TotalCount)
	wm, err := c.DescribeWatermarkTemplates(vod.NewDescribeWatermarkTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(0), *wm.Response.TotalCount)
}

func TestImageTemplateLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	// Time-offset snapshots: defaults filled, modify only what is given.
	cs := vod.NewCreateSnapshotByTimeOffsetTemplateRequest()
	cs.Name, cs.Width = common.StringPtr("thumb"), common.Uint64Ptr(320)
	csr, err := c.CreateSnapshotByTimeOffsetTemplate(cs)
	require.NoError(t, err)
	snapDef := *csr.Response.Definition
	require.GreaterOrEqual(t, snapDef, uint64(10001))
	ds := vod.NewDescribeSnapshotByTimeOffsetTemplatesRequest()
	ds.Definitions = common.Uint64Ptrs([]uint64{snapDef})
	dsr, err := c.DescribeSnapshotByTimeOffsetTemplates(ds)
	require.NoError(t, err)
	require.Equal(t, uint64(1), *dsr.Response.TotalCount)
	snap := dsr.Response.SnapshotByTimeOffsetTemplateSet[0]
	require.Equal(t, "Custom", *snap.Type)
	require.Equal(t, "thumb", *snap.Name)
	require.Equal(t, uint64(320), *snap.Width)
	require.Equal(t, uint64(0), *snap.Height)
	require.Equal(t, "jpg", *snap.Format)
	require.Equal(t, "black", *snap.FillType)
	require.Equal(t, "open", *snap.ResolutionAdaptive)
	ms := vod.NewModifySnapshotByTimeOffsetTemplateRequest()
	ms.Definition, ms.Format = common.Uint64Ptr(snapDef), common.StringPtr("png")
	_, err = c.ModifySnapshotByTimeOffsetTemplate(ms)
	require.NoError(t, err)
	dsr, err = c.DescribeSnapshotByTimeOffsetTemplates(ds)
	require.NoError(t, err)
	snap = dsr.Response.SnapshotByTimeOffsetTemplateSet[0]
	require.Equal(t, "png", *snap.Format)
	require.Equal(t, uint64(320), *snap.Width)
	require.Equal(t, "thumb", *snap.Name)
	ms.Definition = common.Uint64Ptr(10)
	_, err = c.ModifySnapshotByTimeOffsetTemplate(ms)
	requireCode(t, err, "InvalidParameterValue.ModifyDefaultTemplate")
	dels := vod.NewDeleteSnapshotByTimeOffsetTemplateRequest()
	dels.Definition = common.Uint64Ptr(10)
	_, err = c.DeleteSnapshotByTimeOffsetTemplate(dels)
	requireCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
	dels.Definition = common.Uint64Ptr(snapDef)
	_, err = c.DeleteSnapshotByTimeOffsetTemplate(dels)
	require.NoError(t, err)
	dsr, err = c.DescribeSnapshotByTimeOffsetTemplates(ds)
	require.NoError(t, err)
	require.Equal(t, uint64(0), *dsr.Response.TotalCount)

	// Sample snapshots.
	cm := vod.NewCreateSampleSnapshotTemplateRequest()
	cm.SampleType, cm.SampleInterval = common.StringPtr("Time"), common.Uint64Ptr(30)
	cmr, err := c.CreateSampleSnapshotTemplate(cm)
	require.NoError(t, err)
	mm := vod.NewModifySampleSnapshotTemplateRequest()
	mm.Definition, mm.SampleType, mm.SampleInterval = cmr.Response.Definition, common.StringPtr("Percent"), common.Uint64Ptr(25)
	_, err = c.ModifySampleSnapshotTemplate(mm)
	require.NoError(t, err)
	dm := vod.NewDescribeSampleSnapshotTemplatesRequest()
	dm.Type = common.StringPtr("Custom")
	dmr, err := c.DescribeSampleSnapshotTemplates(dm)
	require.NoError(t, err)
	require.Equal(t, uint64(1), *dmr.Response.TotalCount)
	require.Equal(t, "Percent", *dmr.Response.SampleSnapshotTemplateSet[0].SampleType)
	require.Equal(t, uint64(25), *dmr.Response.SampleSnapshotTemplateSet[0].SampleInterval)
	mm.SampleInterval = common.Uint64Ptr(150)
	_, err = c.ModifySampleSnapshotTemplate(mm)
	requireCode(t, err, "InvalidParameterValue.SampleInterval")
	delm := vod.NewDeleteSampleSnapshotTemplateRequest()
	delm.Definition = cmr.Response.Definition
	_, err = c.DeleteSampleSnapshotTemplate(delm)
	require.NoError(t, err)

	// Image sprites.
	ci := vod.NewCreateImageSpriteTemplateRequest()
	ci.SampleType, ci.SampleInterval = common.StringPtr("Time"), common.Uint64Ptr(2)
	ci.RowCount, ci.ColumnCount = common.Uint64Ptr(4), common.Uint64Ptr(5)
	ci.Width, ci.Height = common.Uint64Ptr(160), common.Uint64Ptr(128)
	cir, err := c.CreateImageSpriteTemplate(ci)
	require.NoError(t, err)
	mi := vod.NewModifyImageSpriteTemplateRequest()
	mi.Definition, mi.RowCount = cir.Response.Definition, common.Uint64Ptr(3)
	_, err = c.ModifyImageSpriteTemplate(mi)
	require.NoError(t, err)
	di := vod.NewDescribeImageSpriteTemplatesRequest()
	di.Definitions = []*uint64{cir.Response.Definition}
	dir, err := c.DescribeImageSpriteTemplates(di)
	require.NoError(t, err)
	sp := dir.Response.ImageSpriteTemplateSet[0]
	require.Equal(t, []uint64{3, 5, 160, 128, 2}, []uint64{*sp.RowCount, *sp.ColumnCount, *sp.Width, *sp.Height, *sp.SampleInterval})
	require.Equal(t, "black", *sp.FillType)
	deli := vod.NewDeleteImageSpriteTemplateRequest()
	deli.Definition = cir.Response.Definition
	_, err = c.DeleteImageSpriteTemplate(deli)
	require.NoError(t, err)

	// Animated graphics.
	ca := vod.NewCreateAnimatedGraphicsTemplateRequest()
	ca.Fps, ca.Format = common.Uint64Ptr(8), common.StringPtr("webp")
	car, err := c.CreateAnimatedGraphicsTemplate(ca)
	require.NoError(t, err)
	require.NotEqual(t, uint64(20000), *car.Response.Definition)
	ma := vod.NewModifyAnimatedGraphicsTemplateRequest()
	ma.Definition, ma.Quality = car.Response.Definition, common.Float64Ptr(50)
	_, err = c.ModifyAnimatedGraphicsTemplate(ma)
	require.NoError(t, err)
	da := vod.NewDescribeAnimatedGraphicsTemplatesRequest()
	da.Type = common.StringPtr("Custom")
	dar, err := c.DescribeAnimatedGraphicsTemplates(da)
	require.NoError(t, err)
	require.Equal(t, uint64(1), *dar.Response.TotalCount)
	an := dar.Response.AnimatedGraphicsTemplateSet[0]
	require.Equal(t, uint64(8), *an.Fps)
	require.Equal(t, "webp", *an.Format)
	require.Equal(t, 50.0, *an.Quality)
	dela := vod.NewDeleteAnimatedGraphicsTemplateRequest()
	dela.Definition = common.Uint64Ptr(20001)
	_, err = c.DeleteAnimatedGraphicsTemplate(dela)
	requireCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
	dela.Definition = car.Response.Definition
	_, err = c.DeleteAnimatedGraphicsTemplate(dela)
	require.NoError(t, err)
	_, err = c.DeleteAnimatedGraphicsTemplate(dela)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
}

func TestAdaptiveStreamingTemplateLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	req := vod.NewCreateAdaptiveDynamicStreamingTemplateRequest()
	req.Format, req.Name = common.StringPtr("HLS"), common.StringPtr("two rungs")
	low, high := tplVideo(), tplVideo()
	high.Height, high.Bitrate, high.Fps = common.Uint64Ptr(720), common.Uint64Ptr(1500), common.Uint64Ptr(30)
	req.StreamInfos = []*vod.AdaptiveStreamTemplate{{Video: low, Audio: tplAudio()}, {Video: high, Audio: tplAudio()}}
	req.DisableHigherVideoResolution = common.Uint64Ptr(1)
	resp, err := c.CreateAdaptiveDynamicStreamingTemplate(req)
	require.NoError(t, err)
	def := *resp.Response.Definition
	require.GreaterOrEqual(t, def, uint64(1001))

	describe := func() *vod.AdaptiveDynamicStreamingTemplate {
		d := vod.NewDescribeAdaptiveDynamicStreamingTemplatesRequest()
		d.Definitions = common.Uint64Ptrs([]uint64{def})
		r, err := c.DescribeAdaptiveDynamicStreamingTemplates(d)
		require.NoError(t, err)
		if *r.Response.TotalCount == 0 {
			return nil
		}
		return r.Response.AdaptiveDynamicStreamingTemplateSet[0]
	}
	got := describe()
	require.Equal(t, "Custom", *got.Type)
	require.Equal(t, "HLS", *got.Format)
	require.Equal(t, "", *got.DrmType)
	require.Equal(t, uint64(1), *got.DisableHigherVideoResolution)
	require.Equal(t, uint64(0), *got.DisableHigherVideoBitrate)
	require.Len(t, got.StreamInfos, 2)
	// All renditions share the first one's frame rate.
	require.Equal(t, uint64(25), *got.StreamInfos[1].Video.Fps)
	require.Equal(t, uint64(720), *got.StreamInfos[1].Video.Height)

	mod := vod.NewModifyAdaptiveDynamicStreamingTemplateRequest()
	mod.Definition, mod.Comment = common.Uint64Ptr(def), common.StringPtr("dash now")
	mod.Format = common.StringPtr("MPEG-DASH")
	_, err = c.ModifyAdaptiveDynamicStreamingTemplate(mod)
	require.NoError(t, err)
	got = describe()
	require.Equal(t, "MPEG-DASH", *got.Format)
	require.Equal(t, "dash now", *got.Comment)
	require.Equal(t, "two rungs", *got.Name)
	require.Len(t, got.StreamInfos, 2)

	// SimpleAES needs HLS.
	_, err = s.call("CreateAdaptiveDynamicStreamingTemplate", map[string]any{
		"Format": "MPEG-DASH", "DrmType": "SimpleAES",
		"StreamInfos": []any{map[string]any{
			"Video": map[string]any{"Codec": "libx264", "Fps": 25, "Bitrate": 500},
			"Audio": map[string]any{"Codec": "libfdk_aac", "Bitrate": 64, "SampleRate": 44100},
		}},
	})
	requireRawCode(t, err, "InvalidParameterValue.DrmType")

	mod = vod.NewModifyAdaptiveDynamicStreamingTemplateRequest()
	mod.Definition = common.Uint64Ptr(12)
	mod.Name = common.StringPtr("x")
	_, err = c.ModifyAdaptiveDynamicStreamingTemplate(mod)
	requireCode(t, err, "InvalidParameterValue.ModifyDefaultTemplate")

	del := vod.NewDeleteAdaptiveDynamicStreamingTemplateRequest()
	del.Definition = common.Uint64Ptr(def)
	_, err = c.DeleteAdaptiveDynamicStreamingTemplate(del)
	require.NoError(t, err)
	require.Nil(t, describe())
}

func TestWatermarkTemplateLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	red := pngImage(t, color.RGBA{255, 0, 0, 255})
	req := vod.NewCreateWatermarkTemplateRequest()
	req.Type, req.Name = common.StringPtr("image"), common.StringPtr("logo")
	req.CoordinateOrigin, req.XPos, req.YPos = common.StringPtr("BottomRight"), common.StringPtr("5%"), common.StringPtr("10px")
	req.ImageTemplate = &vod.ImageWatermarkInput{ImageContent: common.StringPtr(base64.StdEncoding.EncodeToString(red)), Width: common.StringPtr("64px")}
	resp, err := c.CreateWatermarkTemplate(req)
	require.NoError(t, err)
	def := *resp.Response.Definition
	imageURL := *resp.Response.ImageUrl
	require.GreaterOrEqual(t, def, int64(10001))
	require.Contains(t, imageURL, s.URL)
	r, body := httpGet(t, imageURL, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, red, body)

	describe := func(fn func(r *vod.DescribeWatermarkTemplatesRequest)) *vod.DescribeWatermarkTemplatesResponse {
		d := vod.NewDescribeWatermarkTemplatesRequest()
		fn(d)
		out, err := c.DescribeWatermarkTemplates(d)
		require.NoError(t, err)
		return out
	}
	byDef := func(r *vod.DescribeWatermarkTemplatesRequest) { r.Definitions = common.Int64Ptrs([]int64{def}) }
	got := describe(byDef).Response.WatermarkTemplateSet[0]
	require.Equal(t, def, *got.Definition)
	require.Equal(t, "image", *got.Type)
	require.Equal(t, "logo", *got.Name)
	require.Equal(t, "bottomRight", *got.CoordinateOrigin)
	require.Equal(t, "5%", *got.XPos)
	require.Equal(t, "10px", *got.YPos)
	require.Equal(t, imageURL, *got.ImageTemplate.ImageUrl)
	require.Equal(t, "64px", *got.ImageTemplate.Width)
	require.Equal(t, "0px", *got.ImageTemplate.Height)
	require.Equal(t, "repeat", *got.ImageTemplate.RepeatType)
	require.Nil(t, got.TextTemplate)
	// Definition is a JSON integer, ImageTemplate's Transparency too.
	_, items := rawTemplates(t, s.rawBody(t, "DescribeWatermarkTemplates", fmt.Sprintf(`{"Definitions":[%d]}`, def)), "WatermarkTemplateSet")
	m := requireInts(t, items[0], "Definition")
	requireInts(t, m["ImageTemplate"], "Transparency")

	// A new image gets a new URL; the old one is gone.
	blue := pngImage(t, color.RGBA{0, 0, 255, 255})
	mod := vod.NewModifyWatermarkTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.ImageTemplate = &vod.ImageWatermarkInputForUpdate{ImageContent: common.StringPtr(base64.StdEncoding.EncodeToString(blue))}
	mresp, err := c.ModifyWatermarkTemplate(mod)
	require.NoError(t, err)
	newURL := *mresp.Response.ImageUrl
	require.NotEqual(t, imageURL, newURL)
	r, body = httpGet(t, newURL, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, blue, body)
	r, _ = httpGet(t, imageURL, nil)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	got = describe(byDef).Response.WatermarkTemplateSet[0]
	require.Equal(t, newURL, *got.ImageTemplate.ImageUrl)
	require.Equal(t, "64px", *got.ImageTemplate.Width, "unchanged fields stay")
	require.Equal(t, "logo", *got.Name)

	// An image template takes no text settings.
	mod = vod.NewModifyWatermarkTemplateRequest()
	mod.Definition = common.Int64Ptr(def)
	mod.TextTemplate = &vod.TextWatermarkTemplateInputForUpdate{FontSize: common.StringPtr("20px")}
	_, err = c.ModifyWatermarkTemplate(mod)
	requireCode(t, err, "InvalidParameterValue.Type")

	// A text watermark, and the Type filter.
	treq := vod.NewCreateWatermarkTemplateRequest()
	treq.Type = common.StringPtr("text")
	treq.TextTemplate = &vod.TextWatermarkTemplateInput{FontType: common.StringPtr("simkai.ttf"), FontSize: common.StringPtr("24px"),
		FontColor: common.StringPtr("0x00FF00"), FontAlpha: common.Float64Ptr(1)}
	tresp, err := c.CreateWatermarkTemplate(treq)
	require.NoError(t, err)
	require.Equal(t, "", *tresp.Response.ImageUrl)
	texts := describe(func(r *vod.DescribeWatermarkTemplatesRequest) { r.Type = common.StringPtr("text") })
	require.Equal(t, uint64(1), *texts.Response.TotalCount)
	tw := texts.Response.WatermarkTemplateSet[0]
	require.Equal(t, *tresp.Response.Definition, *tw.Definition)
	require.Equal(t, "topLeft", *tw.CoordinateOrigin)
	require.Equal(t, "0px", *tw.XPos)
	require.Equal(t, "0x00FF00", *tw.TextTemplate.FontColor)
	require.Nil(t, tw.ImageTemplate)
	require.Equal(t, uint64(2), *describe(func(*vod.DescribeWatermarkTemplatesRequest) {}).Response.TotalCount)

	// Delete removes the image too.
	del := vod.NewDeleteWatermarkTemplateRequest()
	del.Definition = common.Int64Ptr(def)
	_, err = c.DeleteWatermarkTemplate(del)
	require.NoError(t, err)
	r, _ = httpGet(t, newURL, nil)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Equal(t, uint64(0), *describe(byDef).Response.TotalCount)
	_, err = c.DeleteWatermarkTemplate(del)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
}

func TestTemplateSubAppIsolation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	b := createApp(t, c, "templates-b")

	def := createTranscode(t, c, nil, "default app's")
	require.NotNil(t, transcodeByDef(t, c, nil, def))
	require.Nil(t, transcodeByDef(t, c, &b, def), "another application does not see it")
	resp, err := describeTranscode(t, c, func(r *vod.DescribeTranscodeTemplatesRequest) {
		r.SubAppId, r.Type = common.Uint64Ptr(b), common.StringPtr("Custom")
	})
	require.NoError(t, err)
	require.Equal(t, uint64(0), *resp.Response.TotalCount)
	// ... but sees the presets.
	require.NotNil(t, transcodeByDef(t, c, &b, 100040))

	mod := vod.NewModifyTranscodeTemplateRequest()
	mod.SubAppId, mod.Definition, mod.Name = common.Uint64Ptr(b), common.Int64Ptr(def), common.StringPtr("stolen")
	_, err = c.ModifyTranscodeTemplate(mod)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	del := vod.NewDeleteTranscodeTemplateRequest()
	del.SubAppId, del.Definition = common.Uint64Ptr(b), common.Int64Ptr(def)
	_, err = c.DeleteTranscodeTemplate(del)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	require.Equal(t, "default app's", *transcodeByDef(t, c, nil, def).Name)

	// Each application has its own templates, numbered on their own.
	defB := createTranscode(t, c, &b, "b's")
	require.Equal(t, "b's", *transcodeByDef(t, c, &b, defB).Name)
	if defB == def {
		require.Equal(t, "default app's", *transcodeByDef(t, c, nil, def).Name)
	}

	// A procedure template of b cannot name the default application's
	// watermark.
	wreq := vod.NewCreateWatermarkTemplateRequest()
	wreq.Type = common.StringPtr("text")
	wreq.TextTemplate = &vod.TextWatermarkTemplateInput{FontType: common.StringPtr("arial.ttf"), FontSize: common.StringPtr("16px"),
		FontColor: common.StringPtr("0xFFFFFF"), FontAlpha: common.Float64Ptr(0.5)}
	wresp, err := c.CreateWatermarkTemplate(wreq)
	require.NoError(t, err)
	preq := vod.NewCreateProcedureTemplateRequest()
	preq.SubAppId, preq.Name = common.Uint64Ptr(b), common.StringPtr("flow")
	preq.MediaProcessTask = &vod.MediaProcessTaskInput{TranscodeTaskSet: []*vod.TranscodeTaskInput{{
		Definition:   common.Uint64Ptr(100040),
		WatermarkSet: []*vod.WatermarkInput{{Definition: common.Uint64Ptr(uint64(*wresp.Response.Definition))}},
	}}}
	_, err = c.CreateProcedureTemplate(preq)
	requireCode(t, err, "InvalidParameterValue.Definition")
	// The default application's procedures do not show in b.
	preq.SubAppId = nil
	_, err = c.CreateProcedureTemplate(preq)
	require.NoError(t, err)
	dp := vod.NewDescribeProcedureTemplatesRequest()
	dp.SubAppId, dp.Type = common.Uint64Ptr(b), common.StringPtr("Custom")
	dpr, err := c.DescribeProcedureTemplates(dp)
	require.NoError(t, err)
	require.Equal(t, uint64(0), *dpr.Response.TotalCount)
}

func TestProcedureTemplates(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	tdef := createTranscode(t, c, nil, "for the flow")
	sreq := vod.NewCreateSnapshotByTimeOffsetTemplateRequest()
	sresp, err := c.CreateSnapshotByTimeOffsetTemplate(sreq)
	require.NoError(t, err)
	sdef := *sresp.Response.Definition

	flow := func(name string, transcode int64) *vod.CreateProcedureTemplateRequest {
		r := vod.NewCreateProcedureTemplateRequest()
		r.Name, r.Comment = common.StringPtr(name), common.StringPtr("a flow")
		r.MediaProcessTask = &vod.MediaProcessTaskInput{
			TranscodeTaskSet:       []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(uint64(transcode))}, {Definition: common.Uint64Ptr(100010)}},
			CoverBySnapshotTaskSet: []*vod.CoverBySnapshotTaskInput{{Definition: common.Uint64Ptr(sdef), PositionType: common.StringPtr("Time"), PositionValue: common.Float64Ptr(1)}},
			ImageSpriteTaskSet:     []*vod.ImageSpriteTaskInput{{Definition: common.Uint64Ptr(10)}},
		}
		return r
	}
	_, err = c.CreateProcedureTemplate(flow("flow1", tdef))
	require.NoError(t, err)

	dp := vod.NewDescribeProcedureTemplatesRequest()
	dp.Names = common.StringPtrs([]string{"flow1"})
	dpr, err := c.DescribeProcedureTemplates(dp)
	require.NoError(t, err)
	require.Equal(t, uint64(1), *dpr.Response.TotalCount)
	p := dpr.Response.ProcedureTemplateSet[0]
	require.Equal(t, "flow1", *p.Name)
	require.Equal(t, "Custom", *p.Type)
	require.Equal(t, "a flow", *p.Comment)
	require.Regexp(t, timeRE, *p.CreateTime)
	require.Equal(t, uint64(tdef), *p.MediaProcessTask.TranscodeTaskSet[0].Definition)
	require.Equal(t, uint64(100010), *p.MediaProcessTask.TranscodeTaskSet[1].Definition)
	require.Equal(t, sdef, *p.MediaProcessTask.CoverBySnapshotTaskSet[0].Definition)
	require.Equal(t, "Time", *p.MediaProcessTask.CoverBySnapshotTaskSet[0].PositionType)
	require.Nil(t, p.AiAnalysisTask)

	// Preset and custom together.
	all, err := c.DescribeProcedureTemplates(vod.NewDescribeProcedureTemplatesRequest())
	require.NoError(t, err)
	require.Equal(t, uint64(2), *all.Response.TotalCount)

	// Names are unique; references must exist.
	_, err = c.CreateProcedureTemplate(flow("flow1", tdef))
	requireCode(t, err, "InvalidParameter.ExistedProcedureName")
	_, err = c.CreateProcedureTemplate(flow("LongVideoPreset", tdef))
	requireCode(t, err, "InvalidParameter.ExistedProcedureName")
	_, err = c.CreateProcedureTemplate(flow("flow2", 999999))
	requireCode(t, err, "InvalidParameterValue.Definition")
	_, err = c.CreateProcedureTemplate(flow("a name longer than twenty", tdef))
	requireCode(t, err, "InvalidParameterValue.Name")
	bad := flow("flow3", tdef)
	bad.AiAnalysisTask = &vod.AiAnalysisTaskInput{Definition: common.Uint64Ptr(77)}
	_, err = c.CreateProcedureTemplate(bad)
	requireCode(t, err, "InvalidParameterValue.AiAnalysisTaskDefinition")
	bad.AiAnalysisTask.Definition = common.Uint64Ptr(20) // a preset
	_, err = c.CreateProcedureTemplate(bad)
	require.NoError(t, err)

	// Templates a procedure names cannot be deleted.
	delT := vod.NewDeleteTranscodeTemplateRequest()
	delT.Definition = common.Int64Ptr(tdef)
	_, err = c.DeleteTranscodeTemplate(delT)
	requireCode(t, err, "FailedOperation")
	require.NotNil(t, transcodeByDef(t, c, nil, tdef))
	delS := vod.NewDeleteSnapshotByTimeOffsetTemplateRequest()
	delS.Definition = common.Uint64Ptr(sdef)
	_, err = c.DeleteSnapshotByTimeOffsetTemplate(delS)
	requireCode(t, err, "FailedOperation")

	// Reset replaces the content: flow1 and flow3 drop the transcode.
	for _, name := range []string{"flow1", "flow3"} {
		reset := vod.NewResetProcedureTemplateRequest()
		reset.Name = common.StringPtr(name)
		reset.MediaProcessTask = &vod.MediaProcessTaskInput{
			AnimatedGraphicTaskSet: []*vod.AnimatedGraphicTaskInput{{Definition: common.Uint64Ptr(20000), StartTimeOffset: common.Float64Ptr(0), EndTimeOffset: common.Float64Ptr(2)}},
		}
		_, err = c.ResetProcedureTemplate(reset)
		require.NoError(t, err)
	}
	dpr, err = c.DescribeProcedureTemplates(dp)
	require.NoError(t, err)
	p = dpr.Response.ProcedureTemplateSet[0]
	require.Empty(t, p.MediaProcessTask.TranscodeTaskSet)
	require.Equal(t, uint64(20000), *p.MediaProcessTask.AnimatedGraphicTaskSet[0].Definition)
	require.Equal(t, "a flow", *p.Comment, "Reset keeps the comment when none is given")
	_, err = c.DeleteTranscodeTemplate(delT)
	require.NoError(t, err)

	reset := vod.NewResetProcedureTemplateRequest()
	reset.Name = common.StringPtr("nope")
	_, err = c.ResetProcedureTemplate(reset)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	reset.Name = common.StringPtr("flow1")
	reset.MediaProcessTask = &vod.MediaProcessTaskInput{TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(uint64(tdef))}}}
	_, err = c.ResetProcedureTemplate(reset)
	requireCode(t, err, "InvalidParameterValue.Definition")
	reset.Name = common.StringPtr("LongVideoPreset")
	_, err = c.ResetProcedureTemplate(reset)
	requireCode(t, err, "InvalidParameterValue.ModifyDefaultTemplate")

	// Delete procedure templates; then the snapshot template is free.
	delP := vod.NewDeleteProcedureTemplateRequest()
	delP.Name = common.StringPtr("LongVideoPreset")
	_, err = c.DeleteProcedureTemplate(delP)
	requireCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
	for _, name := range []string{"flow1", "flow3"} {
		delP.Name = common.StringPtr(name)
		_, err = c.DeleteProcedureTemplate(delP)
		require.NoError(t, err)
	}
	_, err = c.DeleteProcedureTemplate(delP)
	requireCode(t, err, "ResourceNotFound.TemplateNotExist")
	dpr, err = c.DescribeProcedureTemplates(dp)
	require.NoError(t, err)
	require.Equal(t, uint64(0), *dpr.Response.TotalCount)
	_, err = c.DeleteSnapshotByTimeOffsetTemplate(delS)
	require.NoError(t, err)

	// The raw form: fields the old SDK lacks come back, null when unset.
	_, err = s.call("CreateProcedureTemplate", map[string]any{"Name": "raw", "ReviewAudioVideoTask": map[string]any{"Definition": 10}})
	require.NoError(t, err)
	out, err := s.call("DescribeProcedureTemplates", map[string]any{"Names": []string{"raw"}})
	require.NoError(t, err)
	set := out["ProcedureTemplateSet"].([]any)
	require.Len(t, set, 1)
	raw := set[0].(map[string]any)
	require.Equal(t, map[string]any{"Definition": 10.0, "ReviewContents": nil}, raw["ReviewAudioVideoTask"])
	require.Nil(t, raw["MediaProcessTask"])
	require.Equal(t, []any{}, raw["AiRecognitionTaskSet"])
}

func TestTemplateQuota(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--no-rate-limit"}})
	c := s.client()

	var defs []uint64
	for range 16 {
		resp, err := c.CreateSnapshotByTimeOffsetTemplate(vod.NewCreateSnapshotByTimeOffsetTemplateRequest())
		require.NoError(t, err)
		defs = append(defs, *resp.Response.Definition)
	}
	_, err := c.CreateSnapshotByTimeOffsetTemplate(vod.NewCreateSnapshotByTimeOffsetTemplateRequest())
	requireCode(t, err, "LimitExceeded.TooMuchTemplate")
	// The quota is per application and per kind.
	b := createApp(t, c, "quota-b")
	other := vod.NewCreateSnapshotByTimeOffsetTemplateRequest()
	other.SubAppId = common.Uint64Ptr(b)
	_, err = c.CreateSnapshotByTimeOffsetTemplate(other)
	require.NoError(t, err)
	sample := vod.NewCreateSampleSnapshotTemplateRequest()
	sample.SampleType, sample.SampleInterval = common.StringPtr("Percent"), common.Uint64Ptr(50)
	_, err = c.CreateSampleSnapshotTemplate(sample)
	require.NoError(t, err)
	// A delete makes room.
	del := vod.NewDeleteSnapshotByTimeOffsetTemplateRequest()
	del.Definition = common.Uint64Ptr(defs[3])
	_, err = c.DeleteSnapshotByTimeOffsetTemplate(del)
	require.NoError(t, err)
	resp, err := c.CreateSnapshotByTimeOffsetTemplate(vod.NewCreateSnapshotByTimeOffsetTemplateRequest())
	require.NoError(t, err)
	require.NotContains(t, defs, *resp.Response.Definition)

	// Procedure templates: 50.
	for i := range 50 {
		r := vod.NewCreateProcedureTemplateRequest()
		r.Name = common.StringPtr("p" + strconv.Itoa(i))
		_, err := c.CreateProcedureTemplate(r)
		require.NoError(t, err)
	}
	r := vod.NewCreateProcedureTemplateRequest()
	r.Name = common.StringPtr("one too many")
	_, err = c.CreateProcedureTemplate(r)
	requireCode(t, err, "LimitExceeded.TooMuchTemplate")
	dp := vod.NewDescribeProcedureTemplatesRequest()
	dp.Type, dp.Offset, dp.Limit = common.StringPtr("Custom"), common.Uint64Ptr(45), common.Uint64Ptr(100)
	dpr, err := c.DescribeProcedureTemplates(dp)
	require.NoError(t, err)
	require.Equal(t, uint64(50), *dpr.Response.TotalCount)
	require.Len(t, dpr.Response.ProcedureTemplateSet, 5)
}

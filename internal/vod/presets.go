package vod

import (
	"strconv"

	"github.com/openvod/openvod/internal/vodapi"
)

// The preset templates (TEMPLATES.md §1), as the wire structs that
// Describe*Templates prints and the processing code reads. Every function
// builds fresh values, so a caller may change what it gets (to apply an
// OverrideParameter, say) without touching anyone else's copy.
//
// Conventions the processing code relies on:
//   - Sizes: ResolutionAdaptive "open" with Height N and Width 0 is "scale × N"
//     (the short side is N, the other follows the aspect ratio); Width N and
//     Height 0 is "N × scale"; both 0 keep the source size.
//   - Bitrates are kbps; 0 means "as the codec sees fit / as the source".
//   - Fps 0 keeps the source frame rate.
//   - Video and audio codec "copy" (the remux presets 875 and 876 only) copy
//     the streams without re-encoding. Custom templates never hold "copy".
//   - Audio codec names are the API's: libfdk_aac (AAC), libmp3lame (MP3),
//     flac, ac3, mp2, pcm16.

// Video codec names of the API.
const (
	codecH264 = "libx264"
	codecH265 = "libx265"
	codecAV1  = "av1"
	codecCopy = "copy"
	codecAAC  = "libfdk_aac"
	codecMP3  = "libmp3lame"
)

// presetVideo is an H.264/H.265 stream of a preset with the defaults every
// preset shares.
func presetVideo(codec string, fps, kbps, width, height uint64) *vodapi.VideoTemplateInfo {
	v := &vodapi.VideoTemplateInfo{Codec: vodapi.Ptr(codec), Fps: vodapi.Ptr(fps), Bitrate: vodapi.Ptr(kbps),
		Width: vodapi.Ptr(width), Height: vodapi.Ptr(height)}
	completeVideo(v)
	return v
}

func presetAudio(codec string, kbps uint64) *vodapi.AudioTemplateInfo {
	a := &vodapi.AudioTemplateInfo{Codec: vodapi.Ptr(codec), Bitrate: vodapi.Ptr(kbps), SampleRate: vodapi.Ptr(uint64(44100)), AudioChannel: vodapi.Ptr(int64(2))}
	completeAudio(a)
	return a
}

func presetTranscode(def int64, name, container string, video *vodapi.VideoTemplateInfo, audio *vodapi.AudioTemplateInfo) *vodapi.TranscodeTemplate {
	t := &vodapi.TranscodeTemplate{
		Container: vodapi.Ptr(container), VideoTemplate: video, AudioTemplate: audio,
		RemoveVideo: vodapi.Ptr(int64(0)), RemoveAudio: vodapi.Ptr(int64(0)),
		ContainerType: vodapi.Ptr(containerType(container)), StdExtInfo: vodapi.Ptr(""),
	}
	if video == nil {
		t.RemoveVideo = vodapi.Ptr(int64(1))
	}
	if container == "hls" {
		t.SegmentType = vodapi.Ptr("ts")
	}
	setTranscodeMeta(t, templateMeta{Definition: def, Type: "Preset", Name: name, CreateTime: presetTime, UpdateTime: presetTime})
	return t
}

// videoLevel is one rung of a preset ladder.
type videoLevel struct {
	name   string
	id     int64 // the last digits of the ids: 10 for FLU ... 80 for 4K
	width  uint64
	height uint64
	kbps   uint64
	fps    uint64
	audio  uint64 // kbps
}

// presetTranscodeTemplates lists the preset transcode templates.
func presetTranscodeTemplates() []*vodapi.TranscodeTemplate {
	var out []*vodapi.TranscodeTemplate
	// §1.1: H.264 MP4 (1000xx) and HLS (1002xx), 25 fps, AAC 44.1 kHz stereo.
	for _, l := range []videoLevel{
		{"FLU", 10, 0, 360, 400, 25, 64}, {"SD", 20, 0, 540, 1000, 25, 64}, {"HD", 30, 0, 720, 1800, 25, 128},
		{"FHD", 40, 0, 1080, 2500, 25, 128}, {"2K", 70, 0, 1440, 3000, 25, 160}, {"4K", 80, 0, 2160, 6000, 25, 160},
	} {
		for _, c := range []struct {
			container string
			base      int64
		}{{"mp4", 100000}, {"hls", 100200}} {
			out = append(out, presetTranscode(c.base+l.id, ladderName(c.container, l), c.container,
				presetVideo(codecH264, l.fps, l.kbps, l.width, l.height), presetAudio(codecAAC, l.audio)))
		}
	}
	// §1.2: audio only.
	for _, a := range []struct {
		id        int64
		container string
		codec     string
		kbps      uint64
	}{
		{1010, "mp3", codecMP3, 128}, {1020, "mp3", codecMP3, 320},
		{1100, "m4a", codecAAC, 24}, {1110, "m4a", codecAAC, 48}, {1120, "m4a", codecAAC, 96},
		{1130, "m4a", codecAAC, 192}, {1140, "m4a", codecAAC, 256},
	} {
		name := "Audio " + upper(a.container) + " " + strconv.FormatUint(a.kbps, 10) + "kbps"
		out = append(out, presetTranscode(a.id, name, a.container, nil, presetAudio(a.codec, a.kbps)))
	}
	// §1.3: TEHD, bitrate uncapped.
	for _, l := range []videoLevel{
		{"source", 0, 0, 0, 0, 25, 0}, {"FLU", 10, 0, 360, 0, 25, 64}, {"SD", 20, 0, 540, 0, 25, 64},
		{"HD", 30, 0, 720, 0, 25, 128}, {"FHD", 40, 0, 1080, 0, 25, 128},
	} {
		t := presetTranscode(100800+l.id, "TEHD "+ladderName("mp4", l), "mp4",
			presetVideo(codecH264, l.fps, 0, l.width, l.height), presetAudio(codecAAC, l.audio))
		t.TEHDConfig = &vodapi.TEHDConfig{Type: vodapi.Ptr("TEHD-100"), MaxVideoBitrate: vodapi.Ptr(uint64(0))}
		out = append(out, t)
	}
	// §1.4: remux, no re-encoding.
	for _, r := range []struct {
		id        int64
		container string
	}{{875, "mp4"}, {876, "hls"}} {
		v := presetVideo(codecCopy, 0, 0, 0, 0)
		a := &vodapi.AudioTemplateInfo{Codec: vodapi.Ptr(codecCopy), Bitrate: vodapi.Ptr(uint64(0)), SampleRate: vodapi.Ptr(uint64(0)), AudioChannel: vodapi.Ptr(int64(0))}
		out = append(out, presetTranscode(r.id, "Remux to "+upper(r.container), r.container, v, a))
	}
	// §1.11: legacy ids. GOP 240 frames, VBR, audio 48 kbps (MP3 in FLV
	// with H.264, AAC elsewhere).
	h264 := []videoLevel{
		{"FLU", 10, 320, 0, 256, 24, 48}, {"SD", 20, 640, 0, 512, 24, 48}, {"HD", 30, 1280, 0, 1024, 24, 48},
		{"FHD", 40, 1920, 0, 2500, 24, 48}, {"2K", 70, 0, 1440, 3072, 30, 48}, {"4K", 80, 0, 2160, 6144, 30, 48},
	}
	h264FLV := map[int64]int64{10: 10046, 20: 10047, 30: 10048, 40: 10049, 70: 370, 80: 380}
	for _, l := range h264 {
		for _, c := range []struct {
			container string
			id        int64
			audio     string
		}{{"mp4", l.id, codecAAC}, {"hls", 200 + l.id, codecAAC}, {"flv", h264FLV[l.id], codecMP3}} {
			out = append(out, legacyTranscode(c.id, codecH264, c.container, l, c.audio))
		}
	}
	h265 := []videoLevel{
		{"FLU", 10, 0, 240, 250, 15, 48}, {"SD", 20, 0, 480, 600, 24, 48}, {"HD", 30, 0, 720, 800, 25, 48},
		{"FHD", 40, 0, 1080, 1400, 30, 48}, {"2K", 70, 0, 1440, 2048, 30, 48}, {"4K", 80, 0, 2160, 4096, 30, 48},
	}
	for _, l := range h265 {
		for _, c := range []struct {
			container string
			id        int64
		}{{"mp4", 500 + l.id}, {"hls", 600 + l.id}, {"flv", 700 + l.id}} {
			out = append(out, legacyTranscode(c.id, codecH265, c.container, l, codecAAC))
		}
	}
	return out
}

func legacyTranscode(def int64, codec, container string, l videoLevel, audioCodec string) *vodapi.TranscodeTemplate {
	v := presetVideo(codec, l.fps, l.kbps, l.width, l.height)
	v.Gop, v.GopUnit, v.Mode = vodapi.Ptr(uint64(240)), vodapi.Ptr("frame"), vodapi.Ptr("VBR")
	v.VideoProfile = vodapi.Ptr("high")
	if codec == codecH265 {
		v.VideoProfile = vodapi.Ptr("main")
	}
	name := "H.264 "
	if codec == codecH265 {
		name = "H.265 "
	}
	return presetTranscode(def, name+ladderName(container, l), container, v, presetAudio(audioCodec, l.audio))
}

// ladderName names a preset rung: "MP4 FHD 1080p".
func ladderName(container string, l videoLevel) string {
	n := upper(container) + " " + l.name
	switch {
	case l.height > 0:
		n += " " + strconv.FormatUint(l.height, 10) + "p"
	case l.width > 0:
		n += " " + strconv.FormatUint(l.width, 10) + "w"
	}
	return n
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// presetSnapshotByTimeOffsetTemplates lists the preset time-offset
// snapshot templates (10 is also CoverBySnapshot's).
func presetSnapshotByTimeOffsetTemplates() []*vodapi.SnapshotByTimeOffsetTemplate {
	t := &vodapi.SnapshotByTimeOffsetTemplate{Width: vodapi.Ptr(uint64(0)), Height: vodapi.Ptr(uint64(0)),
		ResolutionAdaptive: vodapi.Ptr("open"), Format: vodapi.Ptr("jpg"), FillType: vodapi.Ptr("stretch")}
	setSnapshotMeta(t, templateMeta{Definition: 10, Type: "Preset", Name: "Snapshot JPG source size", CreateTime: presetTime, UpdateTime: presetTime})
	return []*vodapi.SnapshotByTimeOffsetTemplate{t}
}

// presetSampleSnapshotTemplates lists the preset sampled snapshot templates.
func presetSampleSnapshotTemplates() []*vodapi.SampleSnapshotTemplate {
	t := &vodapi.SampleSnapshotTemplate{Width: vodapi.Ptr(uint64(0)), Height: vodapi.Ptr(uint64(0)),
		ResolutionAdaptive: vodapi.Ptr("open"), Format: vodapi.Ptr("jpg"), SampleType: vodapi.Ptr("Percent"),
		SampleInterval: vodapi.Ptr(uint64(10)), FillType: vodapi.Ptr("stretch")}
	setSampleMeta(t, templateMeta{Definition: 10, Type: "Preset", Name: "Sample JPG every 10%", CreateTime: presetTime, UpdateTime: presetTime})
	return []*vodapi.SampleSnapshotTemplate{t}
}

// presetImageSpriteTemplates lists the preset image sprite templates.
func presetImageSpriteTemplates() []*vodapi.ImageSpriteTemplate {
	t := &vodapi.ImageSpriteTemplate{Width: vodapi.Ptr(uint64(142)), Height: vodapi.Ptr(uint64(80)),
		ResolutionAdaptive: vodapi.Ptr("open"), SampleType: vodapi.Ptr("Time"), SampleInterval: vodapi.Ptr(uint64(10)),
		RowCount: vodapi.Ptr(uint64(10)), ColumnCount: vodapi.Ptr(uint64(10)), FillType: vodapi.Ptr("stretch"), Format: vodapi.Ptr("jpg")}
	setSpriteMeta(t, templateMeta{Definition: 10, Type: "Preset", Name: "Sprite 10x10 of 142x80 every 10s", CreateTime: presetTime, UpdateTime: presetTime})
	return []*vodapi.ImageSpriteTemplate{t}
}

// presetAnimatedGraphicsTemplates lists the preset animated graphics
// templates.
func presetAnimatedGraphicsTemplates() []*vodapi.AnimatedGraphicsTemplate {
	var out []*vodapi.AnimatedGraphicsTemplate
	for _, p := range []struct {
		def    int64
		format string
	}{{20000, "gif"}, {20001, "webp"}} {
		t := &vodapi.AnimatedGraphicsTemplate{Width: vodapi.Ptr(uint64(0)), Height: vodapi.Ptr(uint64(0)),
			ResolutionAdaptive: vodapi.Ptr("open"), Format: vodapi.Ptr(p.format), Fps: vodapi.Ptr(uint64(2)), Quality: vodapi.Ptr(75.0)}
		setAnimatedMeta(t, templateMeta{Definition: p.def, Type: "Preset", Name: upper(p.format) + " 2fps", CreateTime: presetTime, UpdateTime: presetTime})
		out = append(out, t)
	}
	return out
}

// presetAdaptiveDynamicStreamingTemplates lists the preset adaptive
// streaming templates: six H.264 renditions packaged as HLS (10), HLS with
// SimpleAES encryption (12) or MPEG-DASH (20). The Widevine preset 21 is
// not offered: this server has no DRM licence service.
func presetAdaptiveDynamicStreamingTemplates() []*vodapi.AdaptiveDynamicStreamingTemplate {
	var out []*vodapi.AdaptiveDynamicStreamingTemplate
	for _, p := range []struct {
		def        int64
		name       string
		format     string
		drm        string
		skipHigher uint64
		segments   string
	}{
		{10, "HLS adaptive", "HLS", "", 1, "ts-segment"},
		{12, "HLS adaptive SimpleAES", "HLS", "SimpleAES", 1, "ts-segment"},
		{20, "DASH adaptive", "MPEG-DASH", "", 0, "mp4-segment"},
	} {
		t := &vodapi.AdaptiveDynamicStreamingTemplate{
			Format: vodapi.Ptr(p.format), DrmType: vodapi.Ptr(p.drm), DrmKeyProvider: vodapi.Ptr(""), DrmEncryptType: vodapi.Ptr(""),
			DisableHigherVideoBitrate: vodapi.Ptr(uint64(0)), DisableHigherVideoResolution: vodapi.Ptr(p.skipHigher),
			SegmentType: vodapi.Ptr(p.segments), SegmentDuration: vodapi.Ptr(int64(6)),
		}
		if p.drm != "" {
			t.DrmKeyProvider = vodapi.Ptr("VOD")
		}
		for _, r := range []struct{ height, kbps uint64 }{{240, 256}, {480, 512}, {720, 512}, {1080, 1024}, {1440, 3072}, {2160, 6144}} {
			t.StreamInfos = append(t.StreamInfos, &vodapi.AdaptiveStreamTemplate{
				Video: presetVideo(codecH264, 24, r.kbps, 0, r.height), Audio: presetAudio(codecAAC, 48),
				RemoveAudio: vodapi.Ptr(uint64(0)), RemoveVideo: vodapi.Ptr(uint64(0)), StdExtInfo: vodapi.Ptr(""),
			})
		}
		setAdaptiveMeta(t, templateMeta{Definition: p.def, Type: "Preset", Name: p.name, CreateTime: presetTime, UpdateTime: presetTime})
		out = append(out, t)
	}
	return out
}

// presetWatermarkTemplates lists the preset watermark templates: the
// service publishes none.
func presetWatermarkTemplates() []*watermarkBody { return nil }

// presetProcedureTemplates lists the preset procedure templates:
// LongVideoPreset (adaptive streaming 10, a cover at the start, the image
// sprite 10). Other names seen in the wild are unconfirmed and left out.
func presetProcedureTemplates() []*vodapi.ProcedureTemplate {
	return []*vodapi.ProcedureTemplate{{
		Name: vodapi.Ptr("LongVideoPreset"), Type: vodapi.Ptr("Preset"), Comment: vodapi.Ptr(""),
		MediaProcessTask: &vodapi.MediaProcessTaskInput{
			AdaptiveDynamicStreamingTaskSet: []*vodapi.AdaptiveDynamicStreamingTaskInput{{Definition: vodapi.Ptr(uint64(10))}},
			CoverBySnapshotTaskSet: []*vodapi.CoverBySnapshotTaskInput{{Definition: vodapi.Ptr(uint64(10)),
				PositionType: vodapi.Ptr("Time"), PositionValue: vodapi.Ptr(0.0)}},
			ImageSpriteTaskSet: []*vodapi.ImageSpriteTaskInput{{Definition: vodapi.Ptr(uint64(10))}},
		},
		AiRecognitionTaskSet: []*vodapi.AiRecognitionTaskInput{}, ImportMediaKnowledgeTaskSet: []*vodapi.ImportMediaKnowledgeTaskInput{},
		CreateTime: vodapi.Ptr(presetTime), UpdateTime: vodapi.Ptr(presetTime),
	}}
}

// presetAIDefinitions are the preset AI and review templates (§1.10), which
// procedure templates may name; this server has no actions for them.
func presetAIDefinitions(kind string) []int64 {
	switch kind {
	case kindAiContentReview, kindAiAnalysis:
		return []int64{10, 20}
	case kindAiRecognition, kindReviewAudioVideo:
		return []int64{10}
	}
	return nil
}

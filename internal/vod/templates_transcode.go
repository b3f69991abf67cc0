package vod

import (
	"context"
	"strconv"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

func transcodeFamily() *family[*vodapi.TranscodeTemplate] {
	return &family[*vodapi.TranscodeTemplate]{
		kind: kindTranscode, label: "transcode template", first: 1008, quota: 100,
		presets: presetTranscodeTemplates,
		definition: func(t *vodapi.TranscodeTemplate) int64 {
			d, _ := strconv.ParseInt(vodapi.Val(t.Definition), 10, 64)
			return d
		},
		setMeta: setTranscodeMeta,
	}
}

// setTranscodeMeta fills the common fields; Definition is a string here.
func setTranscodeMeta(t *vodapi.TranscodeTemplate, m templateMeta) {
	t.Definition = vodapi.Ptr(strconv.FormatInt(m.Definition, 10))
	t.Type, t.Name, t.Comment = vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

// transcodeTemplate returns the preset or custom transcode template def of
// the application, or InvalidParameterValue.Definition. The result is the
// caller's own copy. VideoTemplate is nil when RemoveVideo is 1 (always so
// for audio-only containers) and AudioTemplate nil when RemoveAudio is 1;
// codec "copy" (presets 875/876) means remux without re-encoding.
func (s *Service) transcodeTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.TranscodeTemplate, error) {
	return transcodeFamily().lookup(ctx, s.cfg.DB, app, def)
}

// containerType tells the containers that hold audio only (PureAudio)
// from those that hold video too.
func containerType(container string) string {
	if oneOf(container, "mp3", "flac", "ogg", "m4a", "wav") {
		return "PureAudio"
	}
	return "Video"
}

// completeVideo fills the optional fields of a video stream with their
// documented defaults, so that templates print no nulls there and the
// processing code reads plain values.
func completeVideo(v *vodapi.VideoTemplateInfo) {
	def := func(p **string, d string) {
		if *p == nil {
			*p = vodapi.Ptr(d)
		}
	}
	defU := func(p **uint64) {
		if *p == nil {
			*p = vodapi.Ptr(uint64(0))
		}
	}
	def(&v.ResolutionAdaptive, "open")
	def(&v.FillType, "black")
	def(&v.GopUnit, "frame")
	def(&v.PreserveHDRSwitch, "OFF")
	def(&v.CodecTag, "hvc1")
	def(&v.Mode, "VBR")
	def(&v.VideoProfile, "default")
	defU(&v.Width)
	defU(&v.Height)
	defU(&v.Vcrf)
	defU(&v.Gop)
	if v.HlsTime == nil {
		v.HlsTime = vodapi.Ptr(int64(0))
	}
	// Bframes stays nil: absent means "as the encoder decides".
}

func completeAudio(a *vodapi.AudioTemplateInfo) {
	if a.AudioChannel == nil {
		a.AudioChannel = vodapi.Ptr(int64(2))
	}
}

// audioCodecs lists the audio codecs each container takes.
func audioCodecs(container string) []string {
	switch container {
	case "mp3":
		return []string{codecMP3}
	case "flac", "ogg":
		return []string{"flac"}
	case "m4a":
		return []string{codecAAC, codecMP3, "ac3"}
	case "mp4", "flv":
		return []string{codecAAC, codecMP3, "mp2"}
	case "hls":
		return []string{codecAAC, codecMP3}
	case "wav":
		return []string{"pcm16"}
	}
	return nil
}

// checkVideo validates a video stream for container.
func checkVideo(v *vodapi.VideoTemplateInfo, container string) error {
	codec := vodapi.Val(v.Codec)
	switch {
	case !oneOf(codec, codecH264, codecH265, codecAV1):
		if codec == "H.266" {
			return tcapi.Errorf("InvalidParameterValue.VideoCodec", "video codec H.266 is not supported by this server")
		}
		return tcapi.Errorf("InvalidParameterValue.VideoCodec", "video Codec must be libx264, libx265 or av1, got %q", codec)
	case codec == codecAV1 && container == "flv":
		return tcapi.Errorf("InvalidParameterValue.VideoCodec", "the flv container cannot hold av1")
	case vodapi.Val(v.Fps) > 100:
		return tcapi.Errorf("InvalidParameterValue.Fps", "Fps must be between 0 and 100")
	case !zeroOrIn(vodapi.Val(v.Bitrate), 128, 35000):
		return tcapi.Errorf("InvalidParameterValue.VideoBitrate", "video Bitrate must be 0 or between 128 and 35000 kbps")
	case !oneOf(vodapi.Val(v.ResolutionAdaptive), "open", "close"):
		return tcapi.Errorf("InvalidParameterValue.ResolutionAdaptive", "ResolutionAdaptive must be open or close")
	case !zeroOrIn(vodapi.Val(v.Width), 128, 4096):
		return tcapi.Errorf("InvalidParameterValue.Width", "Width must be 0 or between 128 and 4096")
	case !zeroOrIn(vodapi.Val(v.Height), 128, 4096):
		return tcapi.Errorf("InvalidParameterValue.Height", "Height must be 0 or between 128 and 4096")
	case !oneOf(vodapi.Val(v.FillType), "stretch", "black", "white", "gauss"):
		return tcapi.Errorf("InvalidParameterValue.FillType", "FillType must be stretch, black, white or gauss")
	case vodapi.Val(v.Vcrf) > 51:
		return tcapi.Errorf("InvalidParameterValue.Vcrf", "Vcrf must be between 1 and 51")
	case !oneOf(vodapi.Val(v.GopUnit), "frame", "second"):
		return tcapi.Errorf("InvalidParameterValue.GopUnit", "GopUnit must be frame or second")
	case vodapi.Val(v.GopUnit) == "frame" && vodapi.Val(v.Gop) > 100000:
		return tcapi.Errorf("InvalidParameterValue.Gop", "Gop must be 0 or between 1 and 100000 frames")
	case vodapi.Val(v.GopUnit) == "second" && vodapi.Val(v.Gop) > 10:
		return tcapi.Errorf("InvalidParameterValue.Gop", "Gop must be 0 or between 1 and 10 seconds")
	case !oneOf(vodapi.Val(v.PreserveHDRSwitch), "ON", "OFF"):
		return tcapi.Errorf("InvalidParameterValue.PreserveHDRSwitch", "PreserveHDRSwitch must be ON or OFF")
	case !oneOf(vodapi.Val(v.CodecTag), "hvc1", "hev1"):
		return tcapi.Errorf("InvalidParameterValue.CodecTag", "CodecTag must be hvc1 or hev1")
	case !oneOf(vodapi.Val(v.Mode), "VBR", "ABR", "CBR", "VCRF"):
		return tcapi.Errorf("InvalidParameterValue.Mode", "Mode must be VBR, ABR, CBR or VCRF")
	case v.Bframes != nil && (*v.Bframes < 0 || *v.Bframes > 16):
		return tcapi.Errorf("InvalidParameterValue.Bframes", "Bframes must be between 0 and 16")
	case vodapi.Val(v.HlsTime) < 0 || vodapi.Val(v.HlsTime) > 10:
		return tcapi.Errorf("InvalidParameterValue.HlsTime", "HlsTime must be between 0 and 10")
	case !oneOf(vodapi.Val(v.VideoProfile), "baseline", "main", "high", "default"):
		return tcapi.Errorf("InvalidParameterValue.VideoProfile", "VideoProfile must be baseline, main, high or default")
	}
	return nil
}

// checkAudio validates an audio stream for container.
func checkAudio(a *vodapi.AudioTemplateInfo, container string) error {
	codec, rate, ch := vodapi.Val(a.Codec), vodapi.Val(a.SampleRate), vodapi.Val(a.AudioChannel)
	switch {
	case !oneOf(codec, audioCodecs(container)...):
		return tcapi.Errorf("InvalidParameterValue.AudioCodec", "audio Codec %q cannot go into the %s container (allowed: %v)", codec, container, audioCodecs(container))
	case !zeroOrIn(vodapi.Val(a.Bitrate), 8, 512):
		return tcapi.Errorf("InvalidParameterValue.AudioBitrate", "audio Bitrate must be 0 or between 8 and 512 kbps")
	case !oneOf(strconv.FormatUint(rate, 10), "16000", "32000", "44100", "48000"):
		return tcapi.Errorf("InvalidParameterValue.AudioSampleRate", "SampleRate must be 16000, 32000, 44100 or 48000")
	case rate == 16000 && codec != "pcm16":
		return tcapi.Errorf("InvalidParameterValue.AudioSampleRate", "SampleRate 16000 is for pcm16 only")
	case ch != 0 && ch != 1 && ch != 2 && ch != 6:
		return tcapi.Errorf("InvalidParameterValue.AudioChannel", "AudioChannel must be 1, 2 or 6")
	case ch == 6 && containerType(container) == "PureAudio":
		return tcapi.Errorf("InvalidParameterValue.AudioChannel", "AudioChannel 6 (5.1) is not available for audio-only containers")
	}
	return nil
}

func zeroOrIn(v, lo, hi uint64) bool { return v == 0 || (lo <= v && v <= hi) }

func checkTEHD(t *vodapi.TEHDConfig) error {
	if t != nil && !oneOf(vodapi.Val(t.Type), "TEHD-100", "TEHD-200") {
		return tcapi.Errorf("InvalidParameterValue.TEHDType", "TEHDConfig.Type must be TEHD-100 or TEHD-200")
	}
	return nil
}

// checkTranscode validates a whole transcode template (after a create or
// a modify) and brings it into its stored form: defaults filled, the
// streams that are removed dropped.
func checkTranscode(t *vodapi.TranscodeTemplate) error {
	container := vodapi.Val(t.Container)
	if !oneOf(container, "mp4", "flv", "hls", "mp3", "flac", "ogg", "m4a", "wav") {
		return tcapi.Errorf("InvalidParameterValue.Container", "Container must be one of mp4, flv, hls, mp3, flac, ogg, m4a, wav; got %q", container)
	}
	t.ContainerType = vodapi.Ptr(containerType(container))
	if rv := vodapi.Val(t.RemoveVideo); rv != 0 && rv != 1 {
		return tcapi.Errorf("InvalidParameterValue.RemoveVideo", "RemoveVideo must be 0 or 1")
	}
	if ra := vodapi.Val(t.RemoveAudio); ra != 0 && ra != 1 {
		return tcapi.Errorf("InvalidParameterValue.RemoveAudio", "RemoveAudio must be 0 or 1")
	}
	if containerType(container) == "PureAudio" {
		t.RemoveVideo, t.VideoTemplate = vodapi.Ptr(int64(1)), nil
	}
	if t.RemoveVideo == nil {
		t.RemoveVideo = vodapi.Ptr(int64(0))
	}
	if t.RemoveAudio == nil {
		t.RemoveAudio = vodapi.Ptr(int64(0))
	}
	switch {
	case *t.RemoveVideo == 1 && *t.RemoveAudio == 1:
		return tcapi.Errorf("InvalidParameterValue.RemoveAudio", "a template cannot remove both video and audio")
	case *t.RemoveVideo == 1:
		t.VideoTemplate = nil
	case t.VideoTemplate == nil:
		return tcapi.Errorf(tcapi.CodeMissingParameter, "VideoTemplate is required unless RemoveVideo is 1")
	default:
		completeVideo(t.VideoTemplate)
		if err := checkVideo(t.VideoTemplate, container); err != nil {
			return err
		}
	}
	switch {
	case *t.RemoveAudio == 1:
		t.AudioTemplate = nil
	case t.AudioTemplate == nil:
		return tcapi.Errorf(tcapi.CodeMissingParameter, "AudioTemplate is required unless RemoveAudio is 1")
	default:
		completeAudio(t.AudioTemplate)
		if err := checkAudio(t.AudioTemplate, container); err != nil {
			return err
		}
	}
	if err := checkTEHD(t.TEHDConfig); err != nil {
		return err
	}
	if t.TEHDConfig != nil && t.TEHDConfig.MaxVideoBitrate == nil {
		t.TEHDConfig.MaxVideoBitrate = vodapi.Ptr(uint64(0))
	}
	if t.TEHDConfig != nil && *t.RemoveVideo == 1 {
		return tcapi.Errorf("InvalidParameterValue.TEHDType", "TEHD needs a video stream")
	}
	switch st := vodapi.Val(t.SegmentType); {
	case container != "hls":
		t.SegmentType = nil
	case st == "":
		t.SegmentType = vodapi.Ptr("ts")
	case st != "ts" && st != "fmp4":
		return tcapi.Errorf("InvalidParameterValue.SegmentType", "SegmentType must be ts or fmp4")
	}
	if t.StdExtInfo == nil {
		t.StdExtInfo = vodapi.Ptr("")
	}
	return nil
}

// CreateTranscodeTemplate creates a custom transcode template.
func (s *Service) CreateTranscodeTemplate(ctx context.Context, req *vodapi.CreateTranscodeTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.TranscodeTemplate{Container: req.Container, RemoveVideo: req.RemoveVideo, RemoveAudio: req.RemoveAudio,
		VideoTemplate: req.VideoTemplate, AudioTemplate: req.AudioTemplate, TEHDConfig: req.TEHDConfig,
		EnhanceConfig: req.EnhanceConfig, SegmentType: req.SegmentType, StdExtInfo: req.StdExtInfo}
	if err := checkTranscode(t); err != nil {
		return nil, err
	}
	def, err := transcodeFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateTranscodeTemplateResponse{Definition: vodapi.Ptr(def)}, nil
}

// ModifyTranscodeTemplate changes the fields given of a custom transcode
// template.
func (s *Service) ModifyTranscodeTemplate(ctx context.Context, req *vodapi.ModifyTranscodeTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = transcodeFamily().modify(ctx, s.cfg.DB, app, vodapi.Val(req.Definition), func(t *vodapi.TranscodeTemplate, m *templateMeta) error {
		setIf(&t.Container, req.Container)
		setIf(&t.RemoveVideo, req.RemoveVideo)
		setIf(&t.RemoveAudio, req.RemoveAudio)
		if req.VideoTemplate != nil {
			t.VideoTemplate = updateVideo(t.VideoTemplate, req.VideoTemplate)
		}
		if req.AudioTemplate != nil {
			t.AudioTemplate = updateAudio(t.AudioTemplate, req.AudioTemplate)
		}
		if u := req.TEHDConfig; u != nil {
			switch vodapi.Val(u.Type) {
			case "OFF":
				t.TEHDConfig = nil
			default:
				if t.TEHDConfig == nil {
					t.TEHDConfig = &vodapi.TEHDConfig{}
				}
				setIf(&t.TEHDConfig.Type, u.Type)
				setIf(&t.TEHDConfig.MaxVideoBitrate, u.MaxVideoBitrate)
			}
		}
		if req.EnhanceConfig != nil {
			t.EnhanceConfig = &vodapi.EnhanceConfig{VideoEnhance: req.EnhanceConfig.VideoEnhance, AudioEnhance: req.EnhanceConfig.AudioEnhance}
		}
		setIf(&t.SegmentType, req.SegmentType)
		setIf(&t.StdExtInfo, req.StdExtInfo)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkTranscode(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyTranscodeTemplateResponse{}, nil
}

// setIfValue copies *from into *to when from is set.
func setIfValue[V any](to *V, from *V) {
	if from != nil {
		*to = *from
	}
}

// updateVideo applies a VideoTemplateInfoForUpdate to a stream (nil when
// the template had none).
func updateVideo(v *vodapi.VideoTemplateInfo, u *vodapi.VideoTemplateInfoForUpdate) *vodapi.VideoTemplateInfo {
	if v == nil {
		v = &vodapi.VideoTemplateInfo{}
	}
	setIf(&v.Codec, u.Codec)
	setIf(&v.Fps, u.Fps)
	setIf(&v.Bitrate, u.Bitrate)
	setIf(&v.ResolutionAdaptive, u.ResolutionAdaptive)
	setIf(&v.Width, u.Width)
	setIf(&v.Height, u.Height)
	setIf(&v.FillType, u.FillType)
	setIf(&v.Vcrf, u.Vcrf) // 0 switches CRF off
	setIf(&v.Gop, u.Gop)
	setIf(&v.GopUnit, u.GopUnit)
	setIf(&v.PreserveHDRSwitch, u.PreserveHDRSwitch)
	setIf(&v.CodecTag, u.CodecTag)
	setIf(&v.Mode, u.Mode)
	setIf(&v.HlsTime, u.HlsTime)
	setIf(&v.VideoProfile, u.VideoProfile)
	switch {
	case u.Bframes == nil:
	case *u.Bframes == -1: // back to "as the encoder decides"
		v.Bframes = nil
	default:
		setIf(&v.Bframes, u.Bframes)
	}
	if v.Codec == nil {
		v.Codec = vodapi.Ptr("")
	}
	if v.Fps == nil {
		v.Fps = vodapi.Ptr(uint64(0))
	}
	if v.Bitrate == nil {
		v.Bitrate = vodapi.Ptr(uint64(0))
	}
	return v
}

func updateAudio(a *vodapi.AudioTemplateInfo, u *vodapi.AudioTemplateInfoForUpdate) *vodapi.AudioTemplateInfo {
	if a == nil {
		a = &vodapi.AudioTemplateInfo{}
	}
	setIf(&a.Codec, u.Codec)
	setIf(&a.Bitrate, u.Bitrate)
	setIf(&a.SampleRate, u.SampleRate)
	setIf(&a.AudioChannel, u.AudioChannel)
	if a.Codec == nil {
		a.Codec = vodapi.Ptr("")
	}
	if a.Bitrate == nil {
		a.Bitrate = vodapi.Ptr(uint64(0))
	}
	if a.SampleRate == nil {
		a.SampleRate = vodapi.Ptr(uint64(0))
	}
	return a
}

// DeleteTranscodeTemplate deletes a custom transcode template.
func (s *Service) DeleteTranscodeTemplate(ctx context.Context, req *vodapi.DeleteTranscodeTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := transcodeFamily().remove(ctx, s, app, vodapi.Val(req.Definition)); err != nil {
		return nil, err
	}
	return &vodapi.DeleteTranscodeTemplateResponse{}, nil
}

// DescribeTranscodeTemplates lists the preset and custom transcode
// templates of the application.
func (s *Service) DescribeTranscodeTemplates(ctx context.Context, req *vodapi.DescribeTranscodeTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	ct, tehd := vodapi.Val(req.ContainerType), vodapi.Val(req.TEHDType)
	if !oneOf(ct, "", "Video", "PureAudio") {
		return nil, tcapi.Errorf("InvalidParameterValue.ContainerType", "ContainerType must be Video or PureAudio")
	}
	if !oneOf(tehd, "", "Common", "TEHD") {
		return nil, tcapi.Errorf("InvalidParameterValue.TEHDType", "TEHDType must be Common or TEHD")
	}
	enhance := vodapi.Val(req.EnhanceType) != "" || vodapi.Val(req.EnhanceScenarioType) != ""
	keep := func(t *vodapi.TranscodeTemplate) bool {
		switch {
		case ct != "" && vodapi.Val(t.ContainerType) != ct:
			return false
		case tehd == "Common" && t.TEHDConfig != nil, tehd == "TEHD" && t.TEHDConfig == nil:
			return false
		case enhance && t.EnhanceConfig == nil:
			return false
		}
		return true
	}
	items, total, err := transcodeFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type, Definitions: req.Definitions,
		Offset: req.Offset, Limit: req.Limit}, keep)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeTranscodeTemplatesResponse{TotalCount: vodapi.Ptr(total), TranscodeTemplateSet: items}, nil
}

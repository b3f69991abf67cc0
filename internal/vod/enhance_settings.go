package vod

import (
	"slices"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// The restoration settings of every enhance and rebuild action travel as a
// RebuildMediaTemplate: the templates are one, and RebuildMedia's inline
// switches and TargetInfo are turned into one (rebuildSettings).

// fillRebuild gives every switch and target field of t its default, so
// that templates print every field and the task reads no nil.
func fillRebuild(t *vodapi.RebuildMediaTemplate) {
	off := func() *string { return vodapi.Ptr("OFF") }
	def := func(p **string, v string) {
		if *p == nil {
			*p = vodapi.Ptr(v)
		}
	}
	num := func(p **int64, v int64) {
		if *p == nil {
			*p = vodapi.Ptr(v)
		}
	}
	amount := func(p **float64) {
		if *p == nil {
			*p = vodapi.Ptr(0.0)
		}
	}
	if t.RebuildVideoInfo == nil {
		t.RebuildVideoInfo = &vodapi.RebuildVideoInfo{}
	}
	v := t.RebuildVideoInfo
	if v.RepairInfo == nil {
		v.RepairInfo = &vodapi.RepairInfo{Switch: off()}
	}
	def(&v.RepairInfo.Type, "weak")
	if v.VideoFrameInterpolationInfo == nil {
		v.VideoFrameInterpolationInfo = &vodapi.VideoFrameInterpolationInfo{Switch: off()}
	}
	num(&v.VideoFrameInterpolationInfo.Fps, 0)
	if v.SuperResolutionInfo == nil {
		v.SuperResolutionInfo = &vodapi.SuperResolutionInfo{Switch: off()}
	}
	def(&v.SuperResolutionInfo.Type, "lq")
	num(&v.SuperResolutionInfo.Size, 2)
	if v.HDRInfo == nil {
		v.HDRInfo = &vodapi.HDRInfo{Switch: off()}
	}
	def(&v.HDRInfo.Type, "hdr10")
	if v.VideoDenoiseInfo == nil {
		v.VideoDenoiseInfo = &vodapi.VideoDenoiseInfo{Switch: off()}
	}
	def(&v.VideoDenoiseInfo.Type, "weak")
	if v.ColorInfo == nil {
		v.ColorInfo = &vodapi.ColorEnhanceInfo{Switch: off()}
	}
	def(&v.ColorInfo.Type, "weak")
	if v.SharpInfo == nil {
		v.SharpInfo = &vodapi.SharpEnhanceInfo{Switch: off()}
	}
	amount(&v.SharpInfo.Intensity)
	if v.FaceInfo == nil {
		v.FaceInfo = &vodapi.FaceEnhanceInfo{Switch: off()}
	}
	amount(&v.FaceInfo.Intensity)
	if v.LowLightInfo == nil {
		v.LowLightInfo = &vodapi.LowLightEnhanceInfo{Switch: off()}
	}
	def(&v.LowLightInfo.Type, "normal")
	if v.ScratchRepairInfo == nil {
		v.ScratchRepairInfo = &vodapi.ScratchRepairInfo{Switch: off()}
	}
	amount(&v.ScratchRepairInfo.Intensity)
	def(&v.ScratchRepairInfo.Type, "normal")
	if v.ArtifactRepairInfo == nil {
		v.ArtifactRepairInfo = &vodapi.ArtifactRepairInfo{Switch: off()}
	}
	def(&v.ArtifactRepairInfo.Type, "weak")

	if t.RebuildAudioInfo == nil {
		t.RebuildAudioInfo = &vodapi.RebuildAudioInfo{}
	}
	if t.RebuildAudioInfo.AudioDenoiseInfo == nil {
		t.RebuildAudioInfo.AudioDenoiseInfo = &vodapi.AudioDenoiseInfo{Switch: off()}
	}
	def(&t.RebuildAudioInfo.AudioDenoiseInfo.Type, "normal")

	if t.TargetVideoInfo == nil {
		t.TargetVideoInfo = &vodapi.RebuildMediaTargetVideoStream{}
	}
	tv := t.TargetVideoInfo
	def(&tv.Codec, "libx264")
	num(&tv.Bitrate, 0)
	num(&tv.Fps, 0)
	def(&tv.ResolutionAdaptive, "open")
	num(&tv.Width, 0)
	num(&tv.Height, 0)
	def(&tv.FillType, "black")
	num(&tv.Gop, 0)
	if t.TargetAudioInfo == nil {
		t.TargetAudioInfo = &vodapi.RebuildMediaTargetAudioStream{}
	}
	ta := t.TargetAudioInfo
	def(&ta.Codec, "libfdk_aac")
	num(&ta.Bitrate, 0)
	num(&ta.SampleRate, 0)
	num(&ta.AudioChannel, 0)
	def(&t.Container, "mp4")
	num(&t.RemoveVideo, 0)
	num(&t.RemoveAudio, 0)
}

// switchCheck is one switch struct of the settings, for checkRebuild.
type switchCheck struct {
	name  string
	sw    *string
	typ   *string  // nil when the struct has no Type
	types []string // the Type values allowed
	amt   *float64 // nil when the struct has no Intensity
}

func rebuildSwitches(t *vodapi.RebuildMediaTemplate) []switchCheck {
	v, a := t.RebuildVideoInfo, t.RebuildAudioInfo
	return []switchCheck{
		{"RepairInfo", v.RepairInfo.Switch, v.RepairInfo.Type, []string{"weak", "normal", "strong"}, nil},
		{"VideoFrameInterpolationInfo", v.VideoFrameInterpolationInfo.Switch, nil, nil, nil},
		{"SuperResolutionInfo", v.SuperResolutionInfo.Switch, v.SuperResolutionInfo.Type, []string{"lq", "hq"}, nil},
		{"HDRInfo", v.HDRInfo.Switch, v.HDRInfo.Type, []string{"hdr10", "hlg"}, nil},
		{"VideoDenoiseInfo", v.VideoDenoiseInfo.Switch, v.VideoDenoiseInfo.Type, []string{"weak", "strong"}, nil},
		{"ColorInfo", v.ColorInfo.Switch, v.ColorInfo.Type, []string{"weak", "normal", "strong"}, nil},
		{"SharpInfo", v.SharpInfo.Switch, nil, nil, v.SharpInfo.Intensity},
		{"FaceInfo", v.FaceInfo.Switch, nil, nil, v.FaceInfo.Intensity},
		{"LowLightInfo", v.LowLightInfo.Switch, v.LowLightInfo.Type, []string{"normal"}, nil},
		{"ScratchRepairInfo", v.ScratchRepairInfo.Switch, v.ScratchRepairInfo.Type, []string{"normal"}, v.ScratchRepairInfo.Intensity},
		{"ArtifactRepairInfo", v.ArtifactRepairInfo.Switch, v.ArtifactRepairInfo.Type, []string{"weak", "strong"}, nil},
		{"AudioDenoiseInfo", a.AudioDenoiseInfo.Switch, a.AudioDenoiseInfo.Type, []string{"normal"}, nil},
	}
}

func isOn(sw *string) bool { return vodapi.Val(sw) == "ON" }

// checkRebuild validates filled settings. HDR and face enhancement have no
// honest ffmpeg counterpart and answer UnsupportedOperation.
func checkRebuild(t *vodapi.RebuildMediaTemplate) error {
	for _, c := range rebuildSwitches(t) {
		if !oneOf(vodapi.Val(c.sw), "ON", "OFF") {
			return tcapi.Errorf("InvalidParameterValue", "%s.Switch must be ON or OFF, got %q", c.name, vodapi.Val(c.sw))
		}
		if c.typ != nil && !oneOf(*c.typ, c.types...) {
			return tcapi.Errorf("InvalidParameterValue", "%s.Type must be one of %s, got %q", c.name, strings.Join(c.types, ", "), *c.typ)
		}
		if c.amt != nil && (*c.amt < 0 || *c.amt > 1) {
			return tcapi.Errorf("InvalidParameterValue", "%s.Intensity must be between 0.0 and 1.0", c.name)
		}
	}
	v := t.RebuildVideoInfo
	switch {
	case isOn(v.HDRInfo.Switch):
		return tcapi.Errorf("UnsupportedOperation", "HDRInfo: SDR to HDR conversion is not supported by this server")
	case isOn(v.FaceInfo.Switch):
		return tcapi.Errorf("UnsupportedOperation", "FaceInfo: face enhancement is not supported by this server")
	}
	if f := vodapi.Val(v.VideoFrameInterpolationInfo.Fps); f < 0 || f > 120 {
		return tcapi.Errorf("InvalidParameterValue.Fps", "VideoFrameInterpolationInfo.Fps must be between 0 (double the source's rate) and 120")
	}
	if n := vodapi.Val(v.SuperResolutionInfo.Size); n < 2 || n > 4 {
		return tcapi.Errorf("InvalidParameterValue.Size", "SuperResolutionInfo.Size must be 2, 3 or 4")
	}
	return checkRebuildTarget(t)
}

// checkRebuildTarget validates the container and the target streams.
func checkRebuildTarget(t *vodapi.RebuildMediaTemplate) error {
	switch c := strings.ToLower(vodapi.Val(t.Container)); c {
	case "mp4", "flv":
	case "hls":
		return tcapi.Errorf("UnsupportedOperation", "Container hls is not supported for restored media; use mp4 and transcode it afterwards")
	default:
		return tcapi.Errorf("InvalidParameterValue.Container", "Container must be mp4 or flv, got %q", c)
	}
	tv, ta := t.TargetVideoInfo, t.TargetAudioInfo
	switch {
	case !oneOf(strings.ToLower(vodapi.Val(tv.Codec)), "libx264", "h264", "libx265", "h265", "hevc"):
		return tcapi.Errorf("InvalidParameterValue.Codec", "TargetVideoInfo.Codec must be libx264 or libx265, got %q", vodapi.Val(tv.Codec))
	case strings.EqualFold(vodapi.Val(t.Container), "flv") && !oneOf(strings.ToLower(vodapi.Val(tv.Codec)), "libx264", "h264"):
		return tcapi.Errorf("InvalidParameterValue.Codec", "flv holds H.264 video only")
	case vodapi.Val(tv.Bitrate) != 0 && (vodapi.Val(tv.Bitrate) < 128 || vodapi.Val(tv.Bitrate) > 35000):
		return tcapi.Errorf("InvalidParameterValue.Bitrate", "TargetVideoInfo.Bitrate must be 0 (constant quality) or 128 to 35000 kbps")
	case vodapi.Val(tv.Fps) < 0 || vodapi.Val(tv.Fps) > 120:
		return tcapi.Errorf("InvalidParameterValue.Fps", "TargetVideoInfo.Fps must be between 0 (keep) and 120")
	case !oneOf(vodapi.Val(tv.ResolutionAdaptive), "open", "close"):
		return tcapi.Errorf("InvalidParameterValue.ResolutionAdaptive", "ResolutionAdaptive must be open or close")
	case badSize(vodapi.Val(tv.Width)) || badSize(vodapi.Val(tv.Height)):
		return tcapi.Errorf("InvalidParameterValue.Width", "TargetVideoInfo.Width and Height must be 0 or 128 to 4096")
	case !oneOf(vodapi.Val(tv.FillType), "stretch", "black", "white", "gauss"):
		return tcapi.Errorf("InvalidParameterValue.FillType", "FillType must be stretch, black, white or gauss")
	case vodapi.Val(tv.Gop) < 0 || vodapi.Val(tv.Gop) > 100000:
		return tcapi.Errorf("InvalidParameterValue.Gop", "TargetVideoInfo.Gop must be between 0 and 100000 frames")
	case !oneOf(strings.ToLower(vodapi.Val(ta.Codec)), "libfdk_aac", "aac", "libmp3lame", "mp3"):
		return tcapi.Errorf("InvalidParameterValue.Codec", "TargetAudioInfo.Codec must be libfdk_aac or libmp3lame, got %q", vodapi.Val(ta.Codec))
	case vodapi.Val(ta.Bitrate) != 0 && (vodapi.Val(ta.Bitrate) < 26 || vodapi.Val(ta.Bitrate) > 256):
		return tcapi.Errorf("InvalidParameterValue.AudioBitrate", "TargetAudioInfo.Bitrate must be 0 or 26 to 256 kbps")
	case !slices.Contains([]int64{0, 32000, 44100, 48000}, vodapi.Val(ta.SampleRate)):
		return tcapi.Errorf("InvalidParameterValue.SampleRate", "TargetAudioInfo.SampleRate must be 0 (keep), 32000, 44100 or 48000")
	case !slices.Contains([]int64{0, 1, 2}, vodapi.Val(ta.AudioChannel)):
		return tcapi.Errorf("InvalidParameterValue.AudioChannel", "TargetAudioInfo.AudioChannel must be 0 (keep), 1 or 2")
	case !slices.Contains([]int64{0, 1}, vodapi.Val(t.RemoveVideo)):
		return tcapi.Errorf("InvalidParameterValue.RemoveVideo", "RemoveVideo must be 0 or 1")
	case !slices.Contains([]int64{0, 1}, vodapi.Val(t.RemoveAudio)):
		return tcapi.Errorf("InvalidParameterValue.RemoveAudio", "RemoveAudio must be 0 or 1")
	case vodapi.Val(t.RemoveVideo) == 1 && vodapi.Val(t.RemoveAudio) == 1:
		return tcapi.Errorf("InvalidParameterValue.RemoveAudio", "RemoveVideo and RemoveAudio cannot both be 1: nothing would be left")
	}
	return nil
}

func badSize(n int64) bool { return n != 0 && (n < 128 || n > 4096) }

// checkSomethingOn refuses settings whose switches are all OFF: a task
// would only re-encode, which is what transcoding is for.
func checkSomethingOn(t *vodapi.RebuildMediaTemplate) error {
	for _, c := range rebuildSwitches(t) {
		if isOn(c.sw) {
			return nil
		}
	}
	return tcapi.Errorf("InvalidParameter", "every enhancement switch is OFF: nothing to do (turn on at least one, e.g. VideoDenoiseInfo)")
}

// level maps a switch and its Type to a media.Level.
func level(sw, typ *string) media.Level {
	if !isOn(sw) {
		return media.LevelOff
	}
	switch vodapi.Val(typ) {
	case "strong":
		return media.LevelStrong
	case "normal":
		return media.LevelNormal
	}
	return media.LevelWeak
}

// enhanceSpec turns filled, checked settings into the media package's
// spec. sourceFps is the source's frame rate, which frame interpolation
// doubles when it names no rate.
func enhanceSpec(t *vodapi.RebuildMediaTemplate, path string, start, end, sourceFps float64) media.EnhanceSpec {
	v, tv, ta := t.RebuildVideoInfo, t.TargetVideoInfo, t.TargetAudioInfo
	s := media.EnhanceSpec{Path: path, Container: media.Container(strings.ToLower(vodapi.Val(t.Container))), Start: start, End: end,
		Denoise:  level(v.VideoDenoiseInfo.Switch, v.VideoDenoiseInfo.Type),
		Repair:   level(v.RepairInfo.Switch, v.RepairInfo.Type),
		Deblock:  level(v.ArtifactRepairInfo.Switch, v.ArtifactRepairInfo.Type),
		Scratch:  media.Amount{On: isOn(v.ScratchRepairInfo.Switch), Value: vodapi.Val(v.ScratchRepairInfo.Intensity)},
		LowLight: level(v.LowLightInfo.Switch, v.LowLightInfo.Type),
		Color:    level(v.ColorInfo.Switch, v.ColorInfo.Type),
		Sharpen:  media.Amount{On: isOn(v.SharpInfo.Switch), Value: vodapi.Val(v.SharpInfo.Intensity)},
		Video: media.VideoSpec{Codec: vodapi.Val(tv.Codec), Bitrate: vodapi.Val(tv.Bitrate) * 1000, Fps: float64(vodapi.Val(tv.Fps)),
			Gop: int(vodapi.Val(tv.Gop)), Scale: media.Scale{Width: int(vodapi.Val(tv.Width)), Height: int(vodapi.Val(tv.Height)),
				ResolutionAdaptive: vodapi.Val(tv.ResolutionAdaptive) != "close", Fill: media.FillType(vodapi.Val(tv.FillType))}},
		Audio: media.AudioSpec{Codec: vodapi.Val(ta.Codec), Bitrate: vodapi.Val(ta.Bitrate) * 1000,
			SampleRate: int(vodapi.Val(ta.SampleRate)), Channels: int(vodapi.Val(ta.AudioChannel))},
		RemoveVideo: vodapi.Val(t.RemoveVideo) == 1, RemoveAudio: vodapi.Val(t.RemoveAudio) == 1,
	}
	if isOn(v.SuperResolutionInfo.Switch) {
		s.SuperResolution = int(vodapi.Val(v.SuperResolutionInfo.Size))
	}
	if isOn(v.VideoFrameInterpolationInfo.Switch) {
		s.InterpolateFps = float64(vodapi.Val(v.VideoFrameInterpolationInfo.Fps))
		if s.InterpolateFps == 0 {
			s.InterpolateFps = 2 * sourceFps
		}
	}
	// Audio denoise is a speech clean-up: remove the noise floor, then
	// bring the level to the streaming loudness target.
	s.AudioDenoise = isOn(t.RebuildAudioInfo.AudioDenoiseInfo.Switch)
	s.Loudness = s.AudioDenoise
	return s
}

package vod

import (
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// This file turns templates (wire structs, kbps) into media specs (bps).

// scaleOf converts a template's size rules.
func scaleOf(w, h *uint64, adaptive, fill *string) media.Scale {
	s := media.Scale{Width: int(vodapi.Val(w)), Height: int(vodapi.Val(h)), ResolutionAdaptive: vodapi.Val(adaptive) != "close"}
	switch f := vodapi.Val(fill); f {
	case "", "black":
		s.Fill = media.FillBlack
	default:
		s.Fill = media.FillType(f)
	}
	return s
}

func videoCodec(c string) string {
	switch c {
	case codecH265:
		return media.CodecH265
	case codecAV1:
		return media.CodecAV1
	case "vp9", "libvpx-vp9":
		return media.CodecVP9
	}
	return media.CodecH264
}

func audioCodec(c string) string {
	switch c {
	case codecAAC, "aac", "":
		return ""
	case codecMP3:
		return "mp3"
	case "pcm16":
		return "pcm"
	}
	return c
}

func videoSpec(v *vodapi.VideoTemplateInfo) media.VideoSpec {
	if v == nil {
		return media.VideoSpec{}
	}
	s := media.VideoSpec{
		Codec: videoCodec(vodapi.Val(v.Codec)), Bitrate: int64(vodapi.Val(v.Bitrate)) * 1000, CRF: int(vodapi.Val(v.Vcrf)),
		Fps: float64(vodapi.Val(v.Fps)), Scale: scaleOf(v.Width, v.Height, v.ResolutionAdaptive, v.FillType),
		Profile: vodapi.Val(v.VideoProfile), CodecTag: vodapi.Val(v.CodecTag),
	}
	if vodapi.Val(v.GopUnit) == "second" {
		s.GopSeconds = float64(vodapi.Val(v.Gop))
	} else {
		s.Gop = int(vodapi.Val(v.Gop))
	}
	if v.Bframes != nil {
		b := int(*v.Bframes)
		s.BFrames = &b
	}
	return s
}

func audioSpec(a *vodapi.AudioTemplateInfo) media.AudioSpec {
	if a == nil {
		return media.AudioSpec{}
	}
	return media.AudioSpec{Codec: audioCodec(vodapi.Val(a.Codec)), Bitrate: int64(vodapi.Val(a.Bitrate)) * 1000,
		SampleRate: int(vodapi.Val(a.SampleRate)), Channels: int(vodapi.Val(a.AudioChannel))}
}

// containerOf maps a template container to the media package's.
func containerOf(c string) media.Container {
	switch strings.ToLower(c) {
	case "m4a":
		return media.ContainerM4A
	case "hls", "m3u8":
		return media.ContainerHLS
	}
	return media.Container(strings.ToLower(c))
}

// extOfContainer is the file extension of a transcode output.
func extOfContainer(c media.Container) string {
	if c == media.ContainerHLS {
		return "m3u8"
	}
	return string(c)
}

// transcodeSpec converts a transcode template and the task's input into an
// output spec writing to path.
func transcodeSpec(t *vodapi.TranscodeTemplate, in *vodapi.TranscodeTaskInput, path string) media.OutputSpec {
	c := containerOf(vodapi.Val(t.Container))
	o := media.OutputSpec{Path: path, Container: c, Video: videoSpec(t.VideoTemplate), Audio: audioSpec(t.AudioTemplate),
		RemoveVideo: vodapi.Val(t.RemoveVideo) == 1, RemoveAudio: vodapi.Val(t.RemoveAudio) == 1,
		Start: vodapi.Val(in.StartTimeOffset), End: vodapi.Val(in.EndTimeOffset)}
	if t.VideoTemplate != nil && vodapi.Val(t.VideoTemplate.Codec) == codecCopy {
		o.Remux = true
	}
	if c == media.ContainerHLS {
		o.HLS.SegmentType = hlsSegmentType(vodapi.Val(t.SegmentType))
		if t.VideoTemplate != nil {
			o.HLS.SegmentSeconds = float64(vodapi.Val(t.VideoTemplate.HlsTime))
		}
	}
	return o
}

func hlsSegmentType(s string) string {
	if strings.EqualFold(s, "fmp4") || strings.EqualFold(s, "mp4") {
		return "fmp4"
	}
	return "ts"
}

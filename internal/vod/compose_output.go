package vod

import (
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// composeCanvas sets the canvas: its colour, and its size, by default the
// display size of the first clip of the first video track (or the first
// sticker), one side following the other's shape when only one is given.
func composeCanvas(spec *media.ComposeSpec, c *vodapi.Canvas) *tcapi.Error {
	if c == nil {
		c = &vodapi.Canvas{}
	}
	switch col := vodapi.Val(c.Color); col {
	case "", "Black":
		spec.Background = "black"
	case "White":
		spec.Background = "white"
	default:
		return tcapi.Errorf("InvalidParameterValue", "Canvas.Color %q is not Black or White", col)
	}
	w, h := vodapi.Val(c.Width), vodapi.Val(c.Height)
	if w < 0 || h < 0 || w > composeMaxCanvas || h > composeMaxCanvas {
		return tcapi.Errorf("InvalidParameterValue", "Canvas.Width and Canvas.Height must be between 0 and %d, got %dx%d", composeMaxCanvas, w, h)
	}
	spec.Width, spec.Height = int(w), int(h)
	if w > 0 && h > 0 {
		return nil
	}
	first := firstPicture(spec)
	if first == nil || first.Width <= 0 || first.Height <= 0 {
		return nil // no picture: resolved once sources are known, or audio only
	}
	switch {
	case w == 0 && h == 0:
		spec.Width, spec.Height = first.Width, first.Height
	case w == 0:
		spec.Width = int(float64(h)*float64(first.Width)/float64(first.Height) + 0.5)
	default:
		spec.Height = int(float64(w)*float64(first.Height)/float64(first.Width) + 0.5)
	}
	return nil
}

// firstPicture is the source of the first clip of the first video track
// or, without one, of the first sticker.
func firstPicture(spec *media.ComposeSpec) *media.ComposeSource {
	for _, kind := range []media.TrackKind{media.TrackVideo, media.TrackSticker} {
		for i := range spec.Tracks {
			if spec.Tracks[i].Kind != kind {
				continue
			}
			for k := range spec.Tracks[i].Items {
				if it := &spec.Tracks[i].Items[k]; it.Kind == media.ItemMedia {
					return &it.Source
				}
			}
		}
	}
	return nil
}

// composeOutput sets the output's container, streams and encoding.
func composeOutput(spec *media.ComposeSpec, o *vodapi.ComposeMediaOutput) *tcapi.Error {
	if o == nil {
		return tcapi.Errorf("MissingParameter", "Output is required")
	}
	switch c := vodapi.Val(o.Container); c {
	case "", "mp4":
	case "mp3":
		spec.AudioOnly = true
	default:
		return tcapi.Errorf("InvalidParameterValue", "Output.Container %q is not mp4 or mp3", c)
	}
	rv, ra := vodapi.Val(o.RemoveVideo), vodapi.Val(o.RemoveAudio)
	if (rv != 0 && rv != 1) || (ra != 0 && ra != 1) {
		return tcapi.Errorf("InvalidParameterValue", "Output.RemoveVideo and Output.RemoveAudio must be 0 or 1")
	}
	spec.NoVideo, spec.NoAudio = rv == 1, ra == 1
	if (spec.AudioOnly || spec.NoVideo) && spec.NoAudio {
		return tcapi.Errorf("InvalidParameterValue", "the output would hold neither video nor audio")
	}
	spec.Fps = 0
	if v := o.VideoStream; v != nil {
		if c := vodapi.Val(v.Codec); c != "" && c != "libx264" {
			return tcapi.Errorf("InvalidParameterValue", "Output.VideoStream.Codec %q is not libx264", c)
		}
		if f := vodapi.Val(v.Fps); f < 0 || f > 60 {
			return tcapi.Errorf("InvalidParameterValue", "Output.VideoStream.Fps must be between 0 and 60, got %d", f)
		}
		spec.Fps = int(vodapi.Val(v.Fps))
	}
	spec.SampleRate, spec.Channels = 16000, 2
	if a := o.AudioStream; a != nil {
		if c := vodapi.Val(a.Codec); c != "" && c != "libfdk_aac" && !(spec.AudioOnly && c == "libmp3lame") {
			return tcapi.Errorf("InvalidParameterValue", "Output.AudioStream.Codec %q is not libfdk_aac", c)
		}
		if r := vodapi.Val(a.SampleRate); r != 0 {
			if !composeSampleRates[r] {
				return tcapi.Errorf("InvalidParameterValue", "Output.AudioStream.SampleRate %d is not 16000, 32000, 44100 or 48000", r)
			}
			spec.SampleRate = int(r)
		}
		switch ch := vodapi.Val(a.AudioChannel); ch {
		case 0:
		case 1, 2:
			spec.Channels = int(ch)
		default:
			return tcapi.Errorf("InvalidParameterValue", "Output.AudioStream.AudioChannel must be 1 or 2, got %d", ch)
		}
		if b := vodapi.Val(a.Bitrate); b != 0 && (b < 8 || b > 320) {
			return tcapi.Errorf("InvalidParameterValue", "Output.AudioStream.Bitrate must be between 8 and 320 kbps, got %d", b)
		} else {
			spec.AudioBitrate = int(b)
		}
	}
	return nil
}

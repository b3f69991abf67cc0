package media

import (
	"errors"
	"fmt"
	"strconv"
)

// Settings of the bitrate reduction: a constant-quality encode at a slower
// (better compressing) x264/x265 preset than uploads are usually made with.
// CRF 23 is x264's own "visually transparent for most viewers" default; the
// preset is where the saving comes from.
const (
	ReduceCRF    = 23
	reducePreset = "slow"
)

// PlanReduceBitrate plans a re-encode of the first video stream of in to
// out (mp4) at the same size and frame rate, at constant quality with a
// slower preset, capped at the source's video bitrate so the encode never
// spends more than the source did. H.265 sources stay H.265, everything
// else becomes H.264. The first audio stream is copied unchanged when mp4
// can hold it, else encoded to AAC at its bitrate.
func PlanReduceBitrate(in, out string, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan reduce bitrate: no probe of the source")
	}
	if len(p.Video) == 0 {
		return nil, fmt.Errorf("%w: bitrate reduction needs a video stream", ErrNoStream)
	}
	v := p.Video[0]
	codec := CodecH264
	if v.Codec == "hevc" {
		codec = CodecH265
	}
	maxrate := v.Bitrate
	if maxrate <= 0 {
		maxrate = p.Bitrate
	}
	va, err := videoArgs(VideoSpec{CRF: ReduceCRF, Preset: reducePreset}, codec, ContainerMP4, ":v", v.FpsExact, 0, maxrate)
	if err != nil {
		return nil, err
	}
	args := inputArgs(in, 0, 0)
	args = append(args, "-map", "0:"+strconv.Itoa(v.Index))
	args = append(args, va...)
	args = append(args, "-pix_fmt", "yuv420p")
	w, h, err := displaySize(p) // ffmpeg turns rotated pictures upright
	if err != nil {
		return nil, err
	}
	o := Output{Path: out, Video: true, Width: w, Height: h, Fps: v.FpsExact}
	if len(p.Audio) > 0 {
		a := p.Audio[0]
		args = append(args, "-map", "0:"+strconv.Itoa(a.Index))
		switch a.Codec {
		case "aac", "mp3", "ac3":
			args = append(args, "-c:a", "copy")
		default:
			args = append(args, audioArgs(AudioSpec{Bitrate: a.Bitrate}, CodecAAC, ":a")...)
		}
		o.Audio = true
	}
	args = append(args, "-map_metadata", "0", "-movflags", "+faststart", "-f", "mp4", out)
	return &Plan{Args: args, Duration: sourceDuration(p), Outputs: []Output{o}}, nil
}

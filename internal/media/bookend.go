package media

import (
	"fmt"
	"strings"
)

// JoinSpec describes clips played one after another as one video: a
// transcode's head and tail clips around its source. Every part is fitted
// into the frame of the part named Main, at its frame rate, so that the
// parts, whatever their sizes, rates and codecs, join into one stream.
type JoinSpec struct {
	// Parts are the local files, in playing order, and their probes.
	Parts []JoinPart

	// Main is the index in Parts of the part whose frame and frame rate
	// the others take.
	Main int

	// Fill says how a part of another shape fills the frame (the head/tail
	// template's FillType); empty means FillGauss.
	Fill FillType

	// Path is the output file. The join is an intermediate: it is encoded
	// near-losslessly and fast, in Matroska, for a transcode to read.
	Path string
}

// JoinPart is one clip of a join: a file, its probe, and optionally the
// window of it to play (End 0: to the end).
type JoinPart struct {
	Path       string
	Probe      *Probe
	Start, End float64
}

// PlanJoin plans the join: one ffmpeg run decoding every part, fitting its
// picture into the main part's display frame, resampling its audio (or
// making silence for a part without audio) and concatenating them. The
// output has audio when the main part has.
func PlanJoin(s JoinSpec) (*Plan, error) {
	if len(s.Parts) < 2 || s.Main < 0 || s.Main >= len(s.Parts) {
		return nil, fmt.Errorf("%w: a join needs at least two parts and a main part", ErrInvalidSpec)
	}
	main := s.Parts[s.Main].Probe
	if len(main.Video) == 0 {
		return nil, fmt.Errorf("%w: head and tail clips need a source with video", ErrNoStream)
	}
	w, h, err := displaySize(main)
	if err != nil {
		return nil, err
	}
	w, h = evenDown(w), evenDown(h)
	fps := main.Video[0].FpsExact
	if fps <= 0 || fps > 240 {
		fps = 25
	}
	fill := s.Fill
	if fill == "" {
		fill = FillGauss
	}
	audio := len(main.Audio) > 0
	var args, graph, concatIn []string
	var total float64
	for k, part := range s.Parts {
		p := part.Probe
		d := p.Duration
		if len(p.Video) > 0 && p.VideoDuration > 0 {
			d = p.VideoDuration
		}
		if part.End > 0 && part.End < d {
			d = part.End
		}
		if part.Start >= d && part.Start > 0 {
			return nil, fmt.Errorf("%w: part %d starts at %gs, past its end (%gs)", ErrOffsetBeyondDuration, k, part.Start, d)
		}
		d -= part.Start
		if d <= 0 {
			return nil, fmt.Errorf("%w: part %d has no duration", ErrNoStream, k)
		}
		total += d
		args = append(args, inputArgs(part.Path, part.Start, part.End)...)
		v, a := fmt.Sprintf("jv%d", k), fmt.Sprintf("ja%d", k)
		post := []string{"setsar=1", "fps=" + formatRatioFps(fps), "format=yuv420p", "trim=duration=" + formatSeconds(d), "setpts=PTS-STARTPTS"}
		if len(p.Video) == 0 {
			graph = append(graph, fmt.Sprintf("color=c=black:s=%dx%d:r=%s:d=%s,format=yuv420p[%s]", w, h, formatRatioFps(fps), formatSeconds(d), v))
		} else {
			sw, sh, err := displaySize(p)
			if err != nil {
				return nil, err
			}
			g, err := Scale{Width: w, Height: h, Fill: fill, Upscale: true}.geometry(sw, sh, true)
			if err != nil {
				return nil, err
			}
			graph = append(graph, g.filters(fmt.Sprintf("%d:%d", k, p.Video[0].Index), v, fmt.Sprintf("j%d", k), nil, post))
		}
		concatIn = append(concatIn, "["+v+"]")
		if audio {
			if len(p.Audio) == 0 {
				graph = append(graph, fmt.Sprintf("anullsrc=r=48000:cl=stereo,atrim=duration=%s[%s]", formatSeconds(d), a))
			} else {
				graph = append(graph, fmt.Sprintf("[%d:%d]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=%s,asetpts=PTS-STARTPTS[%s]",
					k, p.Audio[0].Index, formatSeconds(d), a))
			}
			concatIn = append(concatIn, "["+a+"]")
		}
	}
	na := 0
	if audio {
		na = 1
	}
	graph = append(graph, fmt.Sprintf("%sconcat=n=%d:v=1:a=%d[jv]", strings.Join(concatIn, ""), len(s.Parts), na)+ifAudio(audio, "[ja]"))
	args = append(args, "-filter_complex", strings.Join(graph, ";"), "-map", "[jv]")
	if audio {
		args = append(args, "-map", "[ja]", "-c:a", "pcm_s16le")
	}
	args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-f", "matroska", s.Path)
	return &Plan{Args: args, Duration: total, Outputs: []Output{{Path: s.Path, Width: w, Height: h, Video: true, Audio: audio, Fps: fps}}}, nil
}

func ifAudio(audio bool, s string) string {
	if audio {
		return s
	}
	return ""
}

// formatRatioFps writes a frame rate for ffmpeg, to the thousandth.
func formatRatioFps(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%.3f", f), ".000") }

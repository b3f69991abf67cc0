package media

import (
	"fmt"
	"strconv"
	"strings"
)

// JoinSpec describes a head + main + tail concatenation (head/tail
// templates): every part is brought to the main part's picture size,
// frame rate and audio sample rate, then the parts are played one after
// the other into one file that later packaging reads as its source.
type JoinSpec struct {
	// Parts are the local files in play order; Probes their probes.
	Parts  []string
	Probes []*Probe

	// Main is the index in Parts of the main media, whose size, frame rate
	// and sample rate every part takes.
	Main int

	// Fills say, part by part, how a part of another shape fills the main
	// frame (stretch, black, white or gauss, the templates' FillType);
	// empty or missing is black.
	Fills []FillType

	// Out is the file written: an MP4 with H.264 at near-lossless quality
	// and AAC (it is an intermediate, encoded again by the packaging).
	Out string
}

// joinAudioRate is the sample rate of the join when the main part has no
// audio of its own to copy it from.
const joinAudioRate = 48000

// PlanJoin plans the one ffmpeg run of s: one decode of each part, each
// normalised (scale and fill, fps, setsar, yuv420p; audio resampled to
// stereo at the main rate and cut or padded with silence to the part's
// video length so that picture and sound stay in step across the joins;
// parts without audio get silence), then the concat filter. The plan's
// Duration is the sum of the parts' video lengths.
func PlanJoin(s JoinSpec) (*Plan, error) {
	plan, err := planJoin(s)
	if err != nil {
		return nil, fmt.Errorf("plan head/tail join: %w", err)
	}
	return plan, nil
}

func planJoin(s JoinSpec) (*Plan, error) {
	if len(s.Parts) < 2 || len(s.Parts) != len(s.Probes) || s.Main < 0 || s.Main >= len(s.Parts) {
		return nil, fmt.Errorf("%w: a join needs the main part and at least a head or a tail, each probed", ErrInvalidSpec)
	}
	if s.Out == "" {
		return nil, fmt.Errorf("%w: no output file", ErrInvalidSpec)
	}
	mp := s.Probes[s.Main]
	if mp == nil || len(mp.Video) == 0 {
		return nil, fmt.Errorf("%w: the main media has no video", ErrNoStream)
	}
	w, h, err := displaySize(mp)
	if err != nil {
		return nil, err
	}
	w, h = w&^1, h&^1 // yuv420p wants even sizes
	fps := mp.Video[0].FpsExact
	if fps <= 0 {
		fps = 25
	}
	rate := joinAudioRate
	if len(mp.Audio) > 0 && mp.Audio[0].SampleRate > 0 {
		rate = mp.Audio[0].SampleRate
	}
	var args, graph, concatIn []string
	var total float64
	for i, in := range s.Parts {
		p := s.Probes[i]
		if p == nil || len(p.Video) == 0 {
			return nil, fmt.Errorf("part %d: %w: it has no video to join", i, ErrNoStream)
		}
		sw, sh, err := displaySize(p)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i, err)
		}
		scale := Scale{Width: w, Height: h, Upscale: true}
		if i < len(s.Fills) {
			scale.Fill = s.Fills[i]
		}
		g, err := scale.geometry(sw, sh, true)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i, err)
		}
		d := p.VideoDuration
		if d <= 0 {
			return nil, fmt.Errorf("part %d: %w: its length is unknown", i, ErrNoStream)
		}
		total += d
		args = append(args, inputArgs(in, 0, 0)...)
		id := strconv.Itoa(i)
		graph = append(graph, g.filters(streamRef(i, p.Video[0].Index), "jv"+id, "jg"+id,
			[]string{"fps=" + formatSeconds(fps)}, []string{"setsar=1", "format=yuv420p"}))
		norm := fmt.Sprintf("aresample=%d,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_dur=%s,atrim=end=%s",
			rate, formatSeconds(d), formatSeconds(d))
		if len(p.Audio) > 0 {
			graph = append(graph, "["+streamRef(i, p.Audio[0].Index)+"]"+norm+"[ja"+id+"]")
		} else {
			graph = append(graph, fmt.Sprintf("anullsrc=r=%d:cl=stereo,atrim=end=%s[ja%s]", rate, formatSeconds(d), id))
		}
		concatIn = append(concatIn, "[jv"+id+"][ja"+id+"]")
	}
	graph = append(graph, strings.Join(concatIn, "")+fmt.Sprintf("concat=n=%d:v=1:a=1[jv][ja]", len(s.Parts)))
	args = append(args, "-filter_complex", strings.Join(graph, ";"),
		"-map", "[jv]", "-map", "[ja]",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "256k", "-ar", strconv.Itoa(rate),
		"-movflags", "+faststart", "-f", "mp4", s.Out)
	return &Plan{Args: args, Duration: total,
		Outputs: []Output{{Path: s.Out, Width: w, Height: h, Video: true, Audio: true, Fps: fps}}}, nil
}

// JoinedProbe describes the file a PlanJoin plan writes, so that a plan
// reading it can be made before it exists (the Procedure plans every run
// of a task up front): H.264 video of the main part's size and rate,
// stereo AAC at the main rate, as long as the parts together.
func JoinedProbe(p *Plan) *Probe {
	o := p.Outputs[0]
	rate := joinAudioRate
	for i, a := range p.Args {
		if a == "-ar" && i+1 < len(p.Args) {
			rate, _ = strconv.Atoi(p.Args[i+1])
		}
	}
	d := p.Duration
	return &Probe{Container: "mp4", FormatName: "mov,mp4,m4a,3gp,3g2,mj2", Duration: d, Width: o.Width, Height: o.Height,
		VideoDuration: d, AudioDuration: d,
		Video: []VideoStream{{Index: 0, Codec: "h264", CodecTag: "avc1", Width: o.Width, Height: o.Height,
			Fps: int(o.Fps + 0.5), FpsExact: o.Fps, PixFmt: "yuv420p", Duration: d, Frames: int64(d*o.Fps + 0.5)}},
		Audio: []AudioStream{{Index: 1, Codec: "aac", SampleRate: rate, Channels: 2, Duration: d}},
	}
}

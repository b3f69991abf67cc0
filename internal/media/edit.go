package media

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// ConcatInput is one input of a concatenation: a window of a local file.
type ConcatInput struct {
	// Path is the local file, Probe its probe.
	Path  string
	Probe *Probe
	// Start and End select [Start, End) seconds of the file, as in
	// OutputSpec: negative values count from the end, End 0 means the end.
	Start, End float64
	// Name labels the input in errors; empty means the file's name.
	Name string
}

// ConcatSpec describes the one output of a concatenation.
type ConcatSpec struct {
	// Path is the output file; for HLS, the media playlist.
	Path string
	// Container is the output format; empty means mp4.
	Container Container
	// Video says how the video is encoded. Its Scale sets the canvas every
	// input is fitted into (scaled keeping its shape and padded); left at
	// zero, the canvas is the reference input's display size. Fps 0 takes
	// the reference input's rate.
	Video VideoSpec
	// Audio says how the audio is encoded; SampleRate 0 takes the first
	// input with sound's rate (the reference's when it has sound).
	Audio AudioSpec
	// HLS holds the options of HLS outputs.
	HLS HLSOptions
	// Reference is the index of the input whose size and rates the output
	// follows where Video and Audio leave them open.
	Reference int
}

// defaultConcatFps and defaultConcatRate apply when no input tells.
const (
	defaultConcatFps  = 25
	defaultConcatRate = 44100
)

// ReferenceInput picks the input a concatenation follows: the one with
// the most pixels, or with byBitrate the one with the highest bitrate;
// the first on a tie.
func ReferenceInput(ins []ConcatInput, byBitrate bool) int {
	best, score := 0, int64(-1)
	for i, in := range ins {
		var s int64
		switch {
		case in.Probe == nil:
		case byBitrate:
			s = in.Probe.Bitrate
		case len(in.Probe.Video) > 0:
			w, h, _ := displaySize(in.Probe)
			s = int64(w) * int64(h)
		}
		if s > score {
			best, score = i, s
		}
	}
	return best
}

// concatPart is an input resolved against its probe.
type concatPart struct {
	in           ConcatInput
	start, dur   float64
	video, audio bool
	sw, sh       int // display size of the picture
}

// PlanConcat plans one ffmpeg run that cuts the window of each input and
// joins them, in order, into one output. Inputs may differ in size, frame
// rate, sample rate and codecs: one -filter_complex graph fits each
// picture into a common canvas (scale and pad), sets a common frame rate,
// resamples the sound to a common rate and layout, fills an input without
// sound with silence (and one without picture with black), and feeds the
// pieces to a concat filter. The output carries video when any input has
// some and the container holds video, and always carries audio.
//
// Errors match ErrInvalidSpec, ErrNoStream (an input with neither audio
// nor video) or ErrOffsetBeyondDuration, and name the input by index.
func PlanConcat(ins []ConcatInput, s ConcatSpec) (*Plan, error) {
	if len(ins) == 0 {
		return nil, fmt.Errorf("plan concat: %w: no inputs", ErrInvalidSpec)
	}
	if s.Path == "" {
		return nil, fmt.Errorf("plan concat: %w: no output path", ErrInvalidSpec)
	}
	if s.Reference < 0 || s.Reference >= len(ins) {
		return nil, fmt.Errorf("plan concat: %w: reference input %d of %d", ErrInvalidSpec, s.Reference, len(ins))
	}
	c := Container(strings.ToLower(string(s.Container)))
	if c == "" {
		c = ContainerMP4
	}
	if _, ok := containerCodecs[c]; !ok {
		return nil, fmt.Errorf("plan concat: %w: container %q is not supported", ErrInvalidSpec, s.Container)
	}
	parts, anyVideo, err := concatParts(ins)
	if err != nil {
		return nil, err
	}
	video := anyVideo && !c.AudioOnly()
	acodec, err := audioCodec(s.Audio.Codec, c)
	if err != nil {
		return nil, fmt.Errorf("plan concat: %w", err)
	}
	vcodec := ""
	if video {
		if vcodec, err = videoCodec(s.Video.Codec); err != nil {
			return nil, fmt.Errorf("plan concat: %w", err)
		}
	}
	if err := checkCodecs(c, s.HLS, vcodec, acodec); err != nil {
		return nil, fmt.Errorf("plan concat: %w", err)
	}
	ref := ins[s.Reference].Probe
	var w, h int
	var fps float64
	if video {
		if w, h, err = concatCanvas(s.Video.Scale, parts, s.Reference); err != nil {
			return nil, fmt.Errorf("plan concat: %w", err)
		}
		fps = concatFps(s.Video.Fps, ref, parts)
	}
	rate := concatRate(s.Audio, acodec, parts, s.Reference)

	var args []string
	for _, p := range parts {
		end := 0.0
		if p.in.End != 0 {
			end = p.start + p.dur
		}
		args = append(args, inputArgs(p.in.Path, p.start, end)...)
	}
	graph := concatGraph(parts, video, w, h, fps, rate, s.Audio.Channels)
	args = append(args, "-filter_complex", strings.Join(graph, ";"))

	plan := &Plan{Outputs: []Output{{Path: s.Path, Audio: true}}}
	if video {
		keyEvery := 0.0
		if c == ContainerHLS {
			keyEvery = hlsSegment(s.HLS)
		}
		va, err := videoArgs(s.Video, vcodec, c, ":v", fps, keyEvery, 0)
		if err != nil {
			return nil, fmt.Errorf("plan concat: %w", err)
		}
		args = append(args, "-map", "[vout]")
		args = append(args, va...)
		plan.Outputs[0].Video, plan.Outputs[0].Width, plan.Outputs[0].Height, plan.Outputs[0].Fps = true, w, h, fps
	}
	a := s.Audio
	a.SampleRate, a.Channels = 0, 0 // the graph already set them
	args = append(args, "-map", "[aout]")
	args = append(args, audioArgs(a, acodec, ":a")...)
	ca, err := containerArgs(c, s.Path, s.HLS)
	if err != nil {
		return nil, fmt.Errorf("plan concat: %w", err)
	}
	args = append(args, ca...)
	plan.Args = append(args, s.Path)
	for _, p := range parts {
		plan.Duration += p.dur
	}
	return plan, nil
}

// concatParts resolves each input's window; it reports whether any input
// has video.
func concatParts(ins []ConcatInput) ([]concatPart, bool, error) {
	parts := make([]concatPart, len(ins))
	anyVideo := false
	for i, in := range ins {
		name := in.Name
		if name == "" {
			name = filepath.Base(in.Path)
		}
		if in.Probe == nil {
			return nil, false, fmt.Errorf("plan concat: input %d (%s): no probe", i, name)
		}
		p := concatPart{in: in, video: len(in.Probe.Video) > 0, audio: len(in.Probe.Audio) > 0}
		if !p.video && !p.audio {
			return nil, false, fmt.Errorf("plan concat: input %d (%s): %w: it has neither video nor audio", i, name, ErrNoStream)
		}
		d := sourceDuration(in.Probe)
		if d <= 0 {
			return nil, false, fmt.Errorf("plan concat: input %d (%s): %w: its duration is unknown", i, name, ErrInvalidSpec)
		}
		start, end, err := resolveTrim(in.Start, in.End, d)
		if err != nil {
			return nil, false, fmt.Errorf("plan concat: input %d (%s): %w", i, name, err)
		}
		if end == 0 {
			end = d
		}
		p.start, p.dur = start, end-start
		if p.video {
			if p.sw, p.sh, err = displaySize(in.Probe); err != nil {
				return nil, false, fmt.Errorf("plan concat: input %d (%s): %w", i, name, err)
			}
		}
		anyVideo = anyVideo || p.video
		parts[i] = p
	}
	return parts, anyVideo, nil
}

// concatCanvas resolves the output frame: the Scale applied to the
// reference input's display size (the first input with video when the
// reference has none).
func concatCanvas(sc Scale, parts []concatPart, ref int) (int, int, error) {
	if !parts[ref].video {
		for i, p := range parts {
			if p.video {
				ref = i
				break
			}
		}
	}
	sc.Upscale = true // an explicit canvas is what the caller asked for
	g, err := sc.geometry(parts[ref].sw, parts[ref].sh, true)
	if err != nil {
		return 0, 0, err
	}
	return g.w, g.h, nil
}

// concatFps is the output frame rate: the spec's, else the reference's,
// else the first input with video's.
func concatFps(spec float64, ref *Probe, parts []concatPart) float64 {
	if spec > 0 {
		return spec
	}
	if len(ref.Video) > 0 && ref.Video[0].FpsExact > 0 {
		return ref.Video[0].FpsExact
	}
	for _, p := range parts {
		if p.video && p.in.Probe.Video[0].FpsExact > 0 {
			return p.in.Probe.Video[0].FpsExact
		}
	}
	return defaultConcatFps
}

// concatRate is the output sample rate.
func concatRate(a AudioSpec, codec string, parts []concatPart, ref int) int {
	switch {
	case codec == CodecOpus:
		return 48000
	case a.SampleRate > 0:
		return a.SampleRate
	case parts[ref].audio && parts[ref].in.Probe.Audio[0].SampleRate > 0:
		return parts[ref].in.Probe.Audio[0].SampleRate
	}
	for _, p := range parts {
		if p.audio && p.in.Probe.Audio[0].SampleRate > 0 {
			return p.in.Probe.Audio[0].SampleRate
		}
	}
	return defaultConcatRate
}

// channelLayout names the layout of a channel count (stereo by default).
func channelLayout(n int) string {
	switch n {
	case 1:
		return "mono"
	case 6:
		return "5.1"
	}
	return "stereo"
}

// concatGraph builds the filter graph: one video and one audio chain per
// input, each exactly as long as the input's window, then concat.
func concatGraph(parts []concatPart, video bool, w, h int, fps float64, rate, channels int) []string {
	var graph []string
	var joins strings.Builder
	layout := channelLayout(channels)
	for i, p := range parts {
		d := formatSeconds(p.dur)
		id := strconv.Itoa(i)
		if video {
			if p.video {
				g, _ := Scale{Width: w, Height: h, Upscale: true}.geometry(p.sw, p.sh, true)
				graph = append(graph, g.filters(streamRef(i, p.in.Probe.Video[0].Index), "v"+id, "c"+id,
					[]string{"setpts=PTS-STARTPTS", "fps=" + formatSeconds(fps)},
					[]string{"setsar=1", "format=yuv420p", "trim=duration=" + d, "setpts=PTS-STARTPTS"}))
			} else {
				graph = append(graph, fmt.Sprintf("color=c=black:s=%dx%d:r=%s:d=%s,format=yuv420p,setsar=1[v%s]",
					w, h, formatSeconds(fps), d, id))
			}
			joins.WriteString("[v" + id + "]")
		}
		format := fmt.Sprintf("aformat=sample_fmts=fltp:sample_rates=%d:channel_layouts=%s", rate, layout)
		if p.audio {
			graph = append(graph, fmt.Sprintf("[%s]aresample=%d,%s,asetpts=PTS-STARTPTS,apad,atrim=duration=%s[a%s]",
				streamRef(i, p.in.Probe.Audio[0].Index), rate, format, d, id))
		} else {
			graph = append(graph, fmt.Sprintf("anullsrc=r=%d:cl=%s,atrim=duration=%s,%s[a%s]", rate, layout, d, format, id))
		}
		joins.WriteString("[a" + id + "]")
	}
	v, outs := 0, "[aout]"
	if video {
		v, outs = 1, "[vout][aout]"
	}
	return append(graph, fmt.Sprintf("%sconcat=n=%d:v=%d:a=1%s", joins.String(), len(parts), v, outs))
}

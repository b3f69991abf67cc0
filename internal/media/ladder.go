package media

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// defaultHLSSegment is the segment length of HLS transcodes, in seconds.
const defaultHLSSegment = 10

// rendition is an OutputSpec resolved against the source's probe.
type rendition struct {
	spec           OutputSpec
	container      Container
	video, audio   bool   // the output carries video / audio
	vcodec, acodec string // canonical codecs; empty for a remux
	start, end     float64
	geom           frameGeometry
	fps            float64 // output frame rate
	fpsFilter      float64 // rate for the fps filter; 0 for none
}

// span is a trim of the source: [start, end) seconds, end 0 for the end.
type span struct{ start, end float64 }

// PlanLadder plans one ffmpeg run that writes every output of outs from
// the source in (probed as p), decoding it once: a -filter_complex graph
// splits the decoded video (split) and audio (asplit) into one chain per
// output, which scales, pads, changes the frame rate and trims as its spec
// says, and each chain feeds that output's own encoders and muxer. Outputs
// that the source's streams or the container rule out lose that kind of
// stream (a video source without sound gives video-only files; mp3 outputs
// take only audio).
//
// Remux outputs copy the source's streams: they map them straight from an
// input, which ffmpeg demuxes alongside the decoded one; a remux trimmed
// differently from the encoded outputs gets its own input of the same
// file, seeking to its start, so that copying starts at a keyframe.
//
// When every encoded output has the same trim, the input seeks to it
// (-ss and -to before -i); otherwise each chain trims itself.
//
// Errors match ErrInvalidSpec (a spec this package cannot carry out),
// ErrNoStream (an output that would carry nothing: an mp3 from a silent
// video) or ErrOffsetBeyondDuration (a trim starting at or past the end),
// and name the output by index and file name.
func PlanLadder(in string, outs []OutputSpec, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan ladder: no probe of the source")
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("plan ladder: %w: no outputs", ErrInvalidSpec)
	}
	rs := make([]*rendition, len(outs))
	for i, o := range outs {
		r, err := newRendition(o, p)
		if err != nil {
			return nil, fmt.Errorf("plan ladder: output %d (%s): %w", i, filepath.Base(o.Path), err)
		}
		rs[i] = r
	}

	// Inputs: the encoded outputs read input 0, seeking to their trim when
	// they share one; each remux reads an input with its own trim.
	var inputs []span
	shared := true
	for _, r := range rs {
		if r.spec.Remux {
			continue
		}
		s := span{r.start, r.end}
		if len(inputs) == 0 {
			inputs = append(inputs, s)
		} else if inputs[0] != s {
			shared = false
		}
	}
	encoded := len(inputs) > 0
	if encoded && !shared {
		inputs[0] = span{}
	}
	remuxInput := make([]int, len(rs))
	for i, r := range rs {
		if !r.spec.Remux {
			continue
		}
		k := slices.Index(inputs, span{r.start, r.end})
		if k < 0 {
			inputs = append(inputs, span{r.start, r.end})
			k = len(inputs) - 1
		}
		remuxInput[i] = k
	}
	var args []string
	for _, s := range inputs {
		args = append(args, inputArgs(in, s.start, s.end)...)
	}
	// Overlay images follow, one input each, in the order of the outputs.
	imageInput := make([]int, len(rs))
	next := len(inputs)
	for i, r := range rs {
		if r.spec.Remux || !r.video {
			continue
		}
		imageInput[i] = next
		for _, o := range r.spec.Overlays {
			if o.Image != "" {
				args = append(args, inputArgs(o.Image, 0, 0)...)
				next++
			}
		}
	}

	graph, maps := ladderGraph(rs, p, !shared, imageInput)
	if len(graph) > 0 {
		args = append(args, "-filter_complex", strings.Join(graph, ";"))
	}

	plan := &Plan{Outputs: make([]Output, len(rs))}
	duration := sourceDuration(p)
	for i, r := range rs {
		if r.spec.Remux {
			k := remuxInput[i]
			if r.video {
				args = append(args, "-map", streamRef(k, p.Video[0].Index))
			}
			if r.audio {
				args = append(args, "-map", streamRef(k, p.Audio[0].Index))
			}
			args = append(args, "-c", "copy")
		} else {
			keyEvery := 0.0
			if r.container == ContainerHLS {
				keyEvery = hlsSegment(r.spec.HLS)
			}
			if r.video {
				va, err := videoArgs(r.spec.Video, r.vcodec, r.container, ":v", r.fps, keyEvery, 0)
				if err != nil {
					return nil, fmt.Errorf("plan ladder: output %d (%s): %w", i, filepath.Base(r.spec.Path), err)
				}
				args = append(args, "-map", maps[i].video)
				args = append(args, va...)
			}
			if r.audio {
				args = append(args, "-map", maps[i].audio)
				args = append(args, audioArgs(r.spec.Audio, r.acodec, ":a")...)
			}
		}
		ca, err := containerArgs(r.container, r.spec.Path, r.spec.HLS)
		if err != nil {
			return nil, fmt.Errorf("plan ladder: output %d (%s): %w", i, filepath.Base(r.spec.Path), err)
		}
		args = append(args, ca...)
		args = append(args, r.spec.Path)

		end := r.end
		if end == 0 {
			end = duration
		}
		plan.Duration = max(plan.Duration, end-r.start)
		o := Output{Path: r.spec.Path, Video: r.video, Audio: r.audio}
		if r.video {
			o.Width, o.Height, o.Fps = r.geom.w, r.geom.h, r.fps
		}
		plan.Outputs[i] = o
	}
	plan.Args = args
	return plan, nil
}

// outputMaps are the -map values of an encoded output's streams.
type outputMaps struct{ video, audio string }

// ladderGraph builds the filter graph of the encoded outputs of a ladder
// reading input 0, and the -map value of each of their streams. trim says
// whether each chain trims itself (the outputs' trims differ).
//
// An output with overlays ends its chain at a label of its own, which the
// overlays' graph draws on; its image overlays read the inputs numbered
// from imageInput[i] on.
func ladderGraph(rs []*rendition, p *Probe, trim bool, imageInput []int) ([]string, []outputMaps) {
	var graph []string
	maps := make([]outputMaps, len(rs))
	var vUsers, aUsers []int
	for i, r := range rs {
		if r.spec.Remux {
			continue
		}
		if r.video {
			vUsers = append(vUsers, i)
		}
		if r.audio {
			aUsers = append(aUsers, i)
		}
	}
	if len(vUsers) > 0 {
		chains := make([]videoChain, len(vUsers))
		for j, i := range vUsers {
			r := rs[i]
			var pre []string
			if trim {
				pre = trimFilters("", r.start, r.end)
			}
			if r.fpsFilter > 0 {
				pre = append(pre, "fps="+formatSeconds(r.fpsFilter))
			}
			out := "v" + strconv.Itoa(i)
			maps[i].video = "[" + out + "]"
			if len(r.spec.Overlays) > 0 {
				out += "u" // the scaled picture, under the overlays
			}
			chains[j] = videoChain{out: out, pre: pre, g: r.geom, post: []string{"setsar=1", "format=yuv420p"}}
		}
		videoChains(&graph, streamRef(0, p.Video[0].Index), chains)
		for _, i := range vUsers {
			if r := rs[i]; len(r.spec.Overlays) > 0 {
				out := "v" + strconv.Itoa(i)
				graph = append(graph, overlayGraph(out+"u", out, out, r.spec.Overlays, r.geom.w, r.geom.h, imageInput[i])...)
			}
		}
	}
	if len(aUsers) > 0 {
		in := streamRef(0, p.Audio[0].Index)
		src := splitInputs(&graph, in, "asplit", "as", len(aUsers))
		for j, i := range aUsers {
			r := rs[i]
			var pre []string
			if trim {
				pre = trimFilters("a", r.start, r.end)
			}
			switch {
			case len(pre) > 0:
				out := "a" + strconv.Itoa(i)
				graph = append(graph, "["+src[j]+"]"+strings.Join(pre, ",")+"["+out+"]")
				maps[i].audio = "[" + out + "]"
			case len(aUsers) > 1:
				maps[i].audio = "[" + src[j] + "]"
			default:
				maps[i].audio = in // straight from the decoder, no filter
			}
		}
	}
	return graph, maps
}

// splitInputs adds a split (or asplit) of the stream in into n labels
// named prefix0, prefix1, ... to the graph and returns the labels; with a
// single user it adds nothing and returns in itself.
func splitInputs(graph *[]string, in, filter, prefix string, n int) []string {
	if n == 1 {
		return []string{in}
	}
	labels := make([]string, n)
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]%s=%d", in, filter, n)
	for j := range labels {
		labels[j] = prefix + strconv.Itoa(j)
		b.WriteString("[" + labels[j] + "]")
	}
	*graph = append(*graph, b.String())
	return labels
}

// trimFilters returns the filters keeping [start, end) of a stream and
// restarting its timestamps at zero; kind is "" for video, "a" for audio.
// No trim gives no filters.
func trimFilters(kind string, start, end float64) []string {
	var opts []string
	if start > 0 {
		opts = append(opts, "start="+formatSeconds(start))
	}
	if end > 0 {
		opts = append(opts, "end="+formatSeconds(end))
	}
	if len(opts) == 0 {
		return nil
	}
	return []string{kind + "trim=" + strings.Join(opts, ":"), kind + "setpts=PTS-STARTPTS"}
}

// newRendition resolves an OutputSpec against the source's probe.
func newRendition(o OutputSpec, p *Probe) (*rendition, error) {
	c := Container(strings.ToLower(string(o.Container)))
	if c == "" {
		c = ContainerMP4
	}
	if _, ok := containerCodecs[c]; !ok {
		return nil, fmt.Errorf("%w: container %q is not supported", ErrInvalidSpec, o.Container)
	}
	if o.Path == "" {
		return nil, fmt.Errorf("%w: no output path", ErrInvalidSpec)
	}
	r := &rendition{spec: o, container: c}
	wantVideo := !o.RemoveVideo && !c.AudioOnly()
	wantAudio := !o.RemoveAudio
	r.video = wantVideo && len(p.Video) > 0
	r.audio = wantAudio && len(p.Audio) > 0
	if !r.video && !r.audio {
		switch {
		case !wantVideo && !wantAudio:
			return nil, fmt.Errorf("%w: the output removes both video and audio", ErrInvalidSpec)
		case !wantVideo:
			return nil, fmt.Errorf("%w: the source has no audio for a %s output", ErrNoStream, c)
		case !wantAudio:
			return nil, fmt.Errorf("%w: the source has no video for a video-only output", ErrNoStream)
		}
		return nil, fmt.Errorf("%w: the source has neither video nor audio", ErrNoStream)
	}
	var err error
	if r.start, r.end, err = resolveTrim(o.Start, o.End, sourceDuration(p)); err != nil {
		return nil, err
	}
	if r.video {
		r.fps = p.Video[0].FpsExact
	}
	for k, ov := range o.Overlays {
		if err := ov.check(); err != nil {
			return nil, fmt.Errorf("overlay %d: %w", k, err)
		}
	}
	if o.Remux {
		if len(o.Overlays) > 0 && r.video {
			return nil, fmt.Errorf("%w: overlays need the video re-encoded, not copied", ErrInvalidSpec)
		}
		if r.video {
			r.geom.w, r.geom.h, _ = displaySize(p)
		}
		return r, nil
	}
	if r.video {
		if r.vcodec, err = videoCodec(o.Video.Codec); err != nil {
			return nil, err
		}
		sw, sh, err := displaySize(p)
		if err != nil {
			return nil, err
		}
		if r.geom, err = o.Video.Scale.geometry(sw, sh, true); err != nil {
			return nil, err
		}
		r.fps, r.fpsFilter = outputFps(o.Video.Fps, p.Video[0].FpsExact)
	}
	if r.audio {
		if r.acodec, err = audioCodec(o.Audio.Codec, c); err != nil {
			return nil, err
		}
	}
	if err := checkCodecs(c, o.HLS, r.vcodec, r.acodec); err != nil {
		return nil, err
	}
	return r, nil
}

// resolveTrim turns a trim whose offsets may count from the end into
// [start, end) from the start; end 0 means the end of the source.
func resolveTrim(start, end, duration float64) (float64, float64, error) {
	s := resolveOffset(start, duration)
	if duration > 0 && s >= duration {
		return 0, 0, fmt.Errorf("%w: start %ss, duration %ss", ErrOffsetBeyondDuration,
			formatSeconds(s), formatSeconds(duration))
	}
	if end == 0 {
		return s, 0, nil
	}
	e := end
	if e < 0 {
		e += duration
	}
	if e <= s {
		return 0, 0, fmt.Errorf("%w: trim ends (%gs) before it starts (%gs)", ErrInvalidSpec, end, start)
	}
	if duration > 0 && e >= duration {
		e = 0
	}
	return s, e, nil
}

// sourceDuration is the length of the source in seconds.
func sourceDuration(p *Probe) float64 {
	if p.Duration > 0 {
		return p.Duration
	}
	return max(p.VideoDuration, p.AudioDuration)
}

// hlsSegment returns the segment length of an HLS output.
func hlsSegment(h HLSOptions) float64 {
	if h.SegmentSeconds > 0 {
		return h.SegmentSeconds
	}
	return defaultHLSSegment
}

// containerArgs returns the muxer options of an output at path.
func containerArgs(c Container, path string, h HLSOptions) ([]string, error) {
	switch c {
	case ContainerMP4, ContainerM4A:
		// The index up front, so players can start before the download ends.
		return []string{"-f", c.muxer(), "-movflags", "+faststart"}, nil
	case ContainerHLS:
		return hlsArgs(path, h)
	}
	return []string{"-f", c.muxer()}, nil
}

// hlsArgs returns the hls muxer's options for a VOD media playlist at path.
func hlsArgs(path string, h HLSOptions) ([]string, error) {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	a := []string{"-f", "hls", "-hls_time", formatSeconds(hlsSegment(h)), "-hls_playlist_type", "vod"}
	ext := ".ts"
	switch strings.ToLower(h.SegmentType) {
	case "", "ts":
	case "fmp4":
		ext = ".m4s"
		a = append(a, "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", filepath.Base(base)+"_init.mp4")
	default:
		return nil, fmt.Errorf("%w: HLS segment type %q", ErrInvalidSpec, h.SegmentType)
	}
	pattern := h.SegmentPattern
	if pattern == "" {
		pattern = base + "_%05d" + ext
	}
	a = append(a, "-hls_segment_filename", pattern)
	if h.Key != nil {
		a = append(a, "-hls_key_info_file", h.Key.InfoFile)
	}
	return a, nil
}

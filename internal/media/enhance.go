package media

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Level is the strength of a restoration filter, as the rebuild switches
// name it (weak, normal, strong); LevelOff leaves the filter out.
type Level int

// The levels of a restoration filter.
const (
	LevelOff Level = iota
	LevelWeak
	LevelNormal
	LevelStrong
)

// Amount is a switch with an intensity: On turns the filter on, Value in
// [0, 1] says how hard it works (0 still applies a light touch, as the
// API's default intensity 0.0 with the switch ON asks for something).
type Amount struct {
	On    bool
	Value float64
}

// Loudness targets of the audio clean-up: EBU R128 integrated loudness in
// LUFS, true peak in dBTP and loudness range in LU. -16 LUFS is the usual
// level of web and mobile streaming services.
const (
	LoudnessTarget = -16.0
	loudnessPeak   = -1.5
	loudnessRange  = 11.0
)

// EnhanceSpec describes a restoration re-encode into one file: ffmpeg
// filters standing in for the API's AI restoration switches (denoise,
// artifact and scratch repair, colour, low light, sharpening, super
// resolution, frame interpolation, audio denoise), then one encode.
//
// The filters run in a fixed order: cleaning (denoise, repair, deblock,
// scratches) on the source pixels, then tone (low light, colour), then
// time (interpolation) and size (super resolution, the target Scale), and
// sharpening last, on the final pixels.
type EnhanceSpec struct {
	// Path is the output file.
	Path string
	// Container is mp4 (the default) or flv.
	Container Container
	// Start and End trim the source as OutputSpec's do.
	Start, End float64

	// Denoise is VideoDenoise: hqdn3d when weak, nlmeans when strong.
	Denoise Level
	// Repair is the overall RepairInfo: a light hqdn3d plus deblock,
	// harder with the level.
	Repair Level
	// Deblock is ArtifactRepair: the deblock filter, weak or strong.
	Deblock Level
	// Scratch is ScratchRepair: removegrain's spot removal (mode 2) below
	// intensity 0.5, its 3×3 median (mode 4) from 0.5.
	Scratch Amount
	// LowLight lifts the shadows (eq gamma and brightness).
	LowLight Level
	// Color is ColorEnhance: eq saturation and contrast.
	Color Level
	// Sharpen is SharpEnhance: an unsharp mask on luma, amount 0.3 to 1.5.
	Sharpen Amount

	// InterpolateFps, when above zero, makes the video that many frames
	// per second by motion-compensated interpolation (minterpolate).
	InterpolateFps float64
	// SuperResolution, when above 1, multiplies the picture's size by it
	// with lanczos scaling before the target Scale applies.
	SuperResolution int

	// AudioDenoise removes stationary noise (afftdn) and Loudness then
	// normalises the loudness to LoudnessTarget (loudnorm).
	AudioDenoise, Loudness bool

	// Video and Audio say how to encode; Video.Scale and Video.Fps are the
	// target size and rate (Fps is ignored when InterpolateFps is set).
	// Video.CRF 0 and Video.Bitrate 0 mean CRF 20.
	Video VideoSpec
	Audio AudioSpec
	// RemoveVideo and RemoveAudio drop that kind of stream.
	RemoveVideo, RemoveAudio bool
}

// defaultEnhanceCRF is the constant quality of an enhance encode without a
// bitrate: visually close to lossless, since the point is a better picture.
const defaultEnhanceCRF = 20

// PlanEnhance plans the ffmpeg run of spec on the local file in probed as p.
// Errors match ErrInvalidSpec, ErrNoStream or ErrOffsetBeyondDuration.
func PlanEnhance(in string, spec EnhanceSpec, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan enhance: no probe of the source")
	}
	c := spec.Container
	if c == "" {
		c = ContainerMP4
	}
	if c != ContainerMP4 && c != ContainerFLV {
		return nil, fmt.Errorf("%w: enhance output container %q (mp4 or flv)", ErrInvalidSpec, c)
	}
	video := !spec.RemoveVideo && len(p.Video) > 0
	audio := !spec.RemoveAudio && len(p.Audio) > 0
	if !video && !audio {
		return nil, fmt.Errorf("%w: the output would hold neither video nor audio", ErrNoStream)
	}
	vcodec, err := videoCodec(spec.Video.Codec)
	if err != nil {
		return nil, err
	}
	acodec, err := audioCodec(spec.Audio.Codec, c)
	if err != nil {
		return nil, err
	}
	if err := checkCodecs(c, HLSOptions{}, vcodec, acodec); err != nil {
		return nil, err
	}
	start, end, err := resolveTrim(spec.Start, spec.End, sourceDuration(p))
	if err != nil {
		return nil, err
	}
	out := Output{Path: spec.Path, Video: video, Audio: audio}
	args := inputArgs(in, start, end)
	var graph []string
	if video {
		chain, w, h, fps, err := enhanceVideoChain(spec, p)
		if err != nil {
			return nil, err
		}
		graph = append(graph, chain)
		out.Width, out.Height, out.Fps = w, h, fps
	}
	if audio {
		graph = append(graph, "["+streamRef(0, p.Audio[0].Index)+"]"+strings.Join(enhanceAudioFilters(spec), ",")+"[a]")
	}
	args = append(args, "-filter_complex", strings.Join(graph, ";"))
	if video {
		v := spec.Video
		if v.CRF <= 0 && v.Bitrate <= 0 {
			v.CRF = defaultEnhanceCRF
		}
		va, err := videoArgs(v, vcodec, c, ":v", out.Fps, 0, 0)
		if err != nil {
			return nil, err
		}
		args = append(args, "-map", "[v]")
		args = append(args, va...)
	}
	if audio {
		a := spec.Audio
		if a.SampleRate == 0 && spec.Loudness {
			// loudnorm resamples to 192 kHz, more than AAC and MP3 carry:
			// go back to the source's rate (48 kHz when unknown).
			a.SampleRate = cmp.Or(p.Audio[0].SampleRate, 48000)
		}
		args = append(args, "-map", "[a]")
		args = append(args, audioArgs(a, acodec, ":a")...)
	}
	if c == ContainerMP4 {
		args = append(args, "-movflags", "+faststart")
	}
	args = append(args, "-f", c.muxer(), spec.Path)
	dur := sourceDuration(p) - start
	if end > 0 {
		dur = end - start
	}
	return &Plan{Args: args, Duration: max(dur, 0), Outputs: []Output{out}}, nil
}

// enhanceVideoChain returns the video filter graph from the source's first
// video stream to the label [v], with the frame size and rate it makes.
func enhanceVideoChain(spec EnhanceSpec, p *Probe) (string, int, int, float64, error) {
	var pre []string
	pre = append(pre, denoiseFilters(spec.Denoise, spec.Repair)...)
	if f := deblockFilter(spec.Deblock, spec.Repair); f != "" {
		pre = append(pre, f)
	}
	if spec.Scratch.On {
		mode := 2
		if spec.Scratch.Value >= 0.5 {
			mode = 4
		}
		pre = append(pre, "removegrain=m0="+strconv.Itoa(mode)+":m1="+strconv.Itoa(mode)+":m2="+strconv.Itoa(mode))
	}
	if f := toneFilter(spec.LowLight, spec.Color); f != "" {
		pre = append(pre, f)
	}
	src := p.Video[0]
	fps := src.FpsExact
	switch {
	case spec.InterpolateFps > 0:
		fps = spec.InterpolateFps
		// minterpolate stops at the last source frame; fps then holds
		// that frame to the source's end so no time is lost.
		pre = append(pre, "minterpolate=fps="+formatRate(fps)+":mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1",
			"fps="+formatRate(fps))
	case spec.Video.Fps > 0:
		fps = spec.Video.Fps
		pre = append(pre, "fps="+formatRate(fps))
	}
	sw, sh, err := displaySize(p)
	if err != nil {
		return "", 0, 0, 0, err
	}
	if k := spec.SuperResolution; k > 1 {
		sw, sh = sw*k, sh*k
		pre = append(pre, fmt.Sprintf("scale=%d:%d:flags=lanczos", sw, sh))
	}
	sc := spec.Video.Scale
	sc.Upscale = true // enhancement may enlarge on purpose
	g, err := sc.geometry(sw, sh, true)
	if err != nil {
		return "", 0, 0, 0, err
	}
	var post []string
	if spec.Sharpen.On {
		amount := 0.3 + 1.2*clamp01(spec.Sharpen.Value)
		post = append(post, "unsharp=5:5:"+strconv.FormatFloat(amount, 'f', 2, 64)+":5:5:0")
	}
	post = append(post, "format=yuv420p")
	return g.filters(streamRef(0, src.Index), "v", "enh", pre, post), g.w, g.h, fps, nil
}

// denoiseFilters returns the denoisers of VideoDenoise and of the overall
// repair. nlmeans is much slower than hqdn3d, so it is kept for the strong
// setting, which asks for it.
func denoiseFilters(denoise, repair Level) []string {
	var f []string
	switch denoise {
	case LevelWeak, LevelNormal:
		f = append(f, "hqdn3d=6:4:9:6")
	case LevelStrong:
		f = append(f, "nlmeans=s=8:p=7:r=9")
	}
	switch repair {
	case LevelWeak:
		f = append(f, "hqdn3d=2:1.5:3:2.5")
	case LevelNormal:
		f = append(f, "hqdn3d=3:2:4:3")
	case LevelStrong:
		f = append(f, "hqdn3d=5:4:7:5")
	}
	return f
}

// deblockFilter returns the deblock filter of ArtifactRepair, or of the
// overall repair when ArtifactRepair is off ("" for neither).
func deblockFilter(artifact, repair Level) string {
	l := artifact
	if l == LevelOff {
		l = repair
	}
	switch l {
	case LevelWeak:
		return "deblock=filter=weak:block=8"
	case LevelNormal, LevelStrong:
		return "deblock=filter=strong:block=8"
	}
	return ""
}

// toneFilter returns one eq filter for low light and colour ("" for none).
func toneFilter(lowLight, color Level) string {
	var opts []string
	if lowLight != LevelOff {
		opts = append(opts, "gamma=1.3", "brightness=0.03")
	}
	switch color {
	case LevelWeak:
		opts = append(opts, "saturation=1.15", "contrast=1.03")
	case LevelNormal:
		opts = append(opts, "saturation=1.3", "contrast=1.06")
	case LevelStrong:
		opts = append(opts, "saturation=1.5", "contrast=1.1")
	}
	if len(opts) == 0 {
		return ""
	}
	return "eq=" + strings.Join(opts, ":")
}

// enhanceAudioFilters returns the audio filters (at least a null filter,
// so the graph always has the chain the output maps).
func enhanceAudioFilters(spec EnhanceSpec) []string {
	var f []string
	if spec.AudioDenoise {
		f = append(f, "afftdn=nr=20:nf=-40")
	}
	if spec.Loudness {
		f = append(f, fmt.Sprintf("loudnorm=I=%g:TP=%g:LRA=%g", LoudnessTarget, loudnessPeak, loudnessRange))
	}
	if len(f) == 0 {
		f = append(f, "anull")
	}
	return f
}

// formatRate writes a frame rate for a filter option.
func formatRate(fps float64) string { return strconv.FormatFloat(fps, 'f', -1, 64) }

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

package media

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// videoCodec returns the canonical name of a video codec or encoder name.
func videoCodec(name string) (string, error) {
	switch strings.ToLower(name) {
	case "", "h264", "h.264", "avc", "libx264":
		return CodecH264, nil
	case "h265", "h.265", "hevc", "libx265":
		return CodecH265, nil
	case "vp9", "libvpx-vp9":
		return CodecVP9, nil
	case "av1", "libaom-av1", "libsvtav1":
		return CodecAV1, nil
	}
	return "", fmt.Errorf("%w: video codec %q is not supported", ErrInvalidSpec, name)
}

// audioCodec returns the canonical name of an audio codec or encoder name;
// empty picks the container's usual codec.
func audioCodec(name string, c Container) (string, error) {
	switch strings.ToLower(name) {
	case "":
		switch c {
		case ContainerMP3:
			return CodecMP3, nil
		case ContainerFLAC, ContainerOGG:
			return CodecFLAC, nil
		case ContainerWAV:
			return CodecPCM, nil
		case ContainerWebM:
			return CodecOpus, nil
		}
		return CodecAAC, nil
	case "aac", "libfdk_aac":
		return CodecAAC, nil
	case "mp3", "libmp3lame":
		return CodecMP3, nil
	case "flac":
		return CodecFLAC, nil
	case "opus", "libopus":
		return CodecOpus, nil
	case "vorbis", "libvorbis":
		return CodecVorbis, nil
	case "ac3":
		return CodecAC3, nil
	case "mp2":
		return CodecMP2, nil
	case "pcm", "pcm_s16le", "wav":
		return CodecPCM, nil
	}
	return "", fmt.Errorf("%w: audio codec %q is not supported", ErrInvalidSpec, name)
}

// containerCodecs lists the video and audio codecs each container can hold.
var containerCodecs = map[Container]struct{ video, audio []string }{
	ContainerMP4:  {[]string{CodecH264, CodecH265, CodecVP9, CodecAV1}, []string{CodecAAC, CodecMP3, CodecAC3}},
	ContainerHLS:  {[]string{CodecH264, CodecH265}, []string{CodecAAC, CodecMP3, CodecAC3}},
	ContainerFLV:  {[]string{CodecH264}, []string{CodecAAC, CodecMP3}},
	ContainerWebM: {[]string{CodecVP9, CodecAV1}, []string{CodecOpus, CodecVorbis}},
	ContainerMP3:  {nil, []string{CodecMP3}},
	ContainerM4A:  {nil, []string{CodecAAC}},
	ContainerAAC:  {nil, []string{CodecAAC}},
	ContainerFLAC: {nil, []string{CodecFLAC}},
	ContainerOGG:  {nil, []string{CodecFLAC, CodecVorbis, CodecOpus}},
	ContainerWAV:  {nil, []string{CodecPCM}},
}

// checkCodecs reports whether container c can hold the codecs; an empty
// codec is a stream the output does not have.
func checkCodecs(c Container, hls HLSOptions, video, audio string) error {
	cc, ok := containerCodecs[c]
	if !ok {
		return fmt.Errorf("%w: container %q is not supported", ErrInvalidSpec, c)
	}
	vs := cc.video
	if c == ContainerHLS && hls.SegmentType == "fmp4" {
		vs = append(slices.Clip(vs), CodecAV1)
	}
	if video != "" && !slices.Contains(vs, video) {
		return fmt.Errorf("%w: %s cannot hold %s video", ErrInvalidSpec, c, video)
	}
	if audio != "" && !slices.Contains(cc.audio, audio) {
		return fmt.Errorf("%w: %s cannot hold %s audio", ErrInvalidSpec, c, audio)
	}
	return nil
}

// x264Presets are the speed presets, fastest first.
var x264Presets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast",
	"medium", "slow", "slower", "veryslow", "placebo"}

// videoArgs returns the encoder options of a video stream encoded from v
// at fps frames per second into container c. st is the stream specifier
// the options apply to (":v" for the only video stream of an output,
// ":v:1" for the second). keyEvery, if above zero, forces a keyframe every
// that many seconds (segment boundaries); maxrate, if above zero, caps the
// rate of a constant-quality encode so playlists can state a bandwidth.
func videoArgs(v VideoSpec, codec string, c Container, st string, fps, keyEvery float64, maxrate int64) ([]string, error) {
	preset := strings.ToLower(v.Preset)
	if preset == "" {
		preset = DefaultPreset
	}
	speed := slices.Index(x264Presets, preset)
	if speed < 0 {
		return nil, fmt.Errorf("%w: preset %q", ErrInvalidSpec, v.Preset)
	}
	var a []string
	switch codec {
	case CodecH264:
		a = append(a, "-c"+st, "libx264", "-preset"+st, preset)
	case CodecH265:
		a = append(a, "-c"+st, "libx265", "-preset"+st, preset, "-x265-params"+st, "log-level=error")
	case CodecVP9:
		// libvpx's realtime deadline for the two fastest presets, else good
		// quality at a cpu-used from 5 (veryfast) down to 1.
		deadline, cpu := "good", max(1, 5-max(0, speed-2))
		if speed < 2 {
			deadline, cpu = "realtime", 8
		}
		a = append(a, "-c"+st, "libvpx-vp9", "-deadline"+st, deadline,
			"-cpu-used"+st, strconv.Itoa(cpu), "-row-mt"+st, "1")
	case CodecAV1:
		// SVT-AV1 presets run from 13 (fastest) to 0; veryfast is 10.
		a = append(a, "-c"+st, "libsvtav1", "-preset"+st, strconv.Itoa(max(0, 12-speed)))
	}
	if p := strings.ToLower(v.Profile); p != "" && p != "default" {
		a = append(a, "-profile"+st, p)
	}
	switch {
	case v.CRF > 0:
		a = append(a, "-crf"+st, strconv.Itoa(v.CRF))
		if codec == CodecVP9 && maxrate == 0 {
			a = append(a, "-b"+st, "0") // libvpx: constant quality, not constrained
		}
	case v.Bitrate > 0:
		a = append(a, "-b"+st, strconv.FormatInt(v.Bitrate, 10))
		maxrate = 0
	case codec == CodecVP9:
		// libvpx would target 256 kb/s; use constant quality like x264's default.
		a = append(a, "-crf"+st, "32")
		if maxrate == 0 {
			a = append(a, "-b"+st, "0")
		}
	}
	if maxrate > 0 {
		if codec == CodecVP9 {
			a = append(a, "-b"+st, strconv.FormatInt(maxrate, 10))
		} else {
			a = append(a, "-maxrate"+st, strconv.FormatInt(maxrate, 10),
				"-bufsize"+st, strconv.FormatInt(2*maxrate, 10))
		}
	}
	gop := v.Gop
	if gop <= 0 && v.GopSeconds > 0 && fps > 0 {
		gop = max(1, int(math.Round(v.GopSeconds*fps)))
	}
	if gop <= 0 && keyEvery > 0 && fps > 0 {
		gop = max(1, int(math.Round(keyEvery*fps)))
	}
	if gop > 0 {
		a = append(a, "-g"+st, strconv.Itoa(gop))
	}
	if v.BFrames != nil {
		a = append(a, "-bf"+st, strconv.Itoa(max(0, *v.BFrames)))
	}
	if keyEvery > 0 {
		a = append(a, "-force_key_frames"+st, "expr:gte(t,n_forced*"+formatSeconds(keyEvery)+")")
	}
	if codec == CodecH265 && (c == ContainerMP4 || c == ContainerHLS) {
		tag := v.CodecTag
		if tag == "" {
			tag = "hvc1"
		}
		a = append(a, "-tag"+st, tag)
	}
	return a, nil
}

// audioArgs returns the encoder options of an audio stream encoded from a
// with codec; st is the stream specifier, as for videoArgs.
func audioArgs(a AudioSpec, codec string, st string) []string {
	enc := map[string]string{
		CodecAAC: "aac", CodecMP3: "libmp3lame", CodecFLAC: "flac", CodecOpus: "libopus",
		CodecVorbis: "libvorbis", CodecAC3: "ac3", CodecMP2: "mp2", CodecPCM: "pcm_s16le",
	}[codec]
	args := []string{"-c" + st, enc}
	if a.Bitrate > 0 && codec != CodecFLAC && codec != CodecPCM {
		args = append(args, "-b"+st, strconv.FormatInt(a.Bitrate, 10))
	}
	rate := a.SampleRate
	if codec == CodecOpus {
		rate = 48000 // the only rate that suits every source
	}
	if rate > 0 {
		args = append(args, "-ar"+st, strconv.Itoa(rate))
	}
	if a.Channels > 0 {
		args = append(args, "-ac"+st, strconv.Itoa(a.Channels))
	}
	return args
}

// outputFps returns the frame rate a video output gets (spec 0 keeps the
// source's, and a rate is never raised), and the rate the fps filter must
// set, 0 when none is needed.
func outputFps(spec, source float64) (out, filter float64) {
	switch {
	case spec <= 0:
		return source, 0
	case source > 0 && spec >= source-0.01:
		return source, 0
	}
	return spec, spec
}

// autoBitrate estimates a bitrate for a w×h picture at fps frames per
// second, for outputs that must state one (HLS and DASH variants) when the
// spec leaves the rate to constant quality: 0.1 bit per pixel, roughly what
// x264's default quality spends on ordinary footage.
func autoBitrate(w, h int, fps float64) int64 {
	if fps <= 0 {
		fps = 25
	}
	return max(int64(float64(w*h)*fps*0.1), 100_000)
}

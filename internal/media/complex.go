package media

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// ComplexSpec describes a multi-language adaptive package (the
// CreateComplexAdaptiveDynamicStreamingTask of one template): a video
// ladder without sound, and audio renditions side by side, each from its
// own file, that players pick by language. HLS lists the audio
// renditions as one #EXT-X-MEDIA group every variant refers to; DASH
// gives each its own AdaptationSet with its language.
type ComplexSpec struct {
	// Format, Dir, Manifest, SegmentSeconds and Key are as in AdaptiveSpec.
	Format         string
	Dir            string
	Manifest       string
	SegmentSeconds float64
	Key            *HLSKey

	// Streams are the video renditions; their Audio and RemoveAudio are
	// ignored, and renditions with RemoveVideo are left out by the caller.
	Streams []AdaptiveStream

	// Audio is the encoding of every audio rendition.
	Audio AudioSpec

	// Audios are the audio renditions, in the order the manifest lists
	// them.
	Audios []ComplexAudio
}

// ComplexAudio is one audio rendition: an audio stream of a file, placed
// on the package's timeline.
type ComplexAudio struct {
	// Input is the file; empty means the package's source itself.
	Input string
	// Index is the stream index of the audio stream in Input.
	Index int

	// Delay is the silence before the track (the length of a head that
	// was joined to the video); Length, if above zero, cuts or pads the
	// track to that many seconds (the main video's length); Total, if
	// above zero, pads the end with silence up to that length.
	Delay, Length, Total float64

	// Name, Language and Default describe the rendition in the manifest.
	Name, Language string
	Default        bool
}

// ComplexResult tells, after a run, where each rendition's playlist is.
type ComplexResult struct {
	// VideoPlaylists and AudioPlaylists are the HLS media playlists' file
	// names inside Dir, in the order of Streams and Audios.
	VideoPlaylists, AudioPlaylists []string
}

// PlanComplex plans the ffmpeg run that packages s from the source in
// (probed as p): one decode of the video, split into the ladder as
// PlanAdaptive does, and one decode of each audio rendition. For HLS,
// ffmpeg writes the variant playlists and a first master playlist that
// FinishComplexHLS then rewrites with the renditions' names, languages
// and defaults (ffmpeg 5's hls muxer has no field for the NAME
// attribute). For DASH, ffmpeg writes the whole MPD, each audio
// rendition in an AdaptationSet of its own with its lang.
func PlanComplex(in string, s ComplexSpec, p *Probe) (*Plan, *ComplexResult, error) {
	if p == nil {
		return nil, nil, fmt.Errorf("plan complex adaptive streaming: no probe of the source")
	}
	plan, res, err := planComplex(in, s, p)
	if err != nil {
		return nil, nil, fmt.Errorf("plan complex adaptive streaming: %w", err)
	}
	return plan, res, nil
}

func planComplex(in string, s ComplexSpec, p *Probe) (*Plan, *ComplexResult, error) {
	format := strings.ToLower(s.Format)
	c := ContainerHLS
	switch format {
	case FormatHLS:
	case FormatDASH, "mpeg-dash":
		format, c = FormatDASH, ContainerMP4
	default:
		return nil, nil, fmt.Errorf("%w: format %q", ErrInvalidSpec, s.Format)
	}
	if s.Dir == "" || len(s.Streams) == 0 {
		return nil, nil, fmt.Errorf("%w: no output directory or no video rendition", ErrInvalidSpec)
	}
	if len(p.Video) == 0 {
		return nil, nil, fmt.Errorf("%w: the source has no video", ErrNoStream)
	}
	if s.Key != nil && format != FormatHLS {
		return nil, nil, fmt.Errorf("%w: AES-128 encryption is for HLS only", ErrInvalidSpec)
	}
	manifest := s.Manifest
	if manifest == "" {
		manifest = map[string]string{FormatHLS: "master.m3u8", FormatDASH: "manifest.mpd"}[format]
	}
	if strings.ContainsAny(manifest, `/\%$`) {
		return nil, nil, fmt.Errorf("%w: manifest name %q", ErrInvalidSpec, manifest)
	}
	base := strings.TrimSuffix(manifest, filepath.Ext(manifest))
	seg := s.SegmentSeconds
	if seg <= 0 {
		seg = defaultAdaptiveSegment
	}
	sw, sh, err := displaySize(p)
	if err != nil {
		return nil, nil, err
	}
	var acodec string
	if len(s.Audios) > 0 {
		if acodec, err = audioCodec(s.Audio.Codec, c); err != nil {
			return nil, nil, err
		}
	}

	args := inputArgs(in, 0, 0)
	// Audio renditions from other files are inputs 1, 2, ... (one input
	// per rendition: a file named twice is decoded twice, which keeps each
	// rendition's cut and delay its own).
	inputOf := make([]int, len(s.Audios))
	next := 1
	for k, a := range s.Audios {
		if a.Input == "" {
			continue
		}
		args = append(args, inputArgs(a.Input, 0, 0)...)
		inputOf[k] = next
		next++
	}

	var graph []string
	chains := make([]videoChain, len(s.Streams))
	fps := make([]float64, len(s.Streams))
	geoms := make([]frameGeometry, len(s.Streams))
	for i, st := range s.Streams {
		vcodec, err := videoCodec(st.Video.Codec)
		if err != nil {
			return nil, nil, fmt.Errorf("stream %d: %w", i, err)
		}
		if err := checkCodecs(c, HLSOptions{}, vcodec, acodec); err != nil {
			return nil, nil, fmt.Errorf("stream %d: %w", i, err)
		}
		if geoms[i], err = st.Video.Scale.geometry(sw, sh, true); err != nil {
			return nil, nil, fmt.Errorf("stream %d: %w", i, err)
		}
		var pre []string
		var filt float64
		fps[i], filt = outputFps(st.Video.Fps, p.Video[0].FpsExact)
		if filt > 0 {
			pre = append(pre, "fps="+formatSeconds(filt))
		}
		post := []string{"setsar=1", "format=yuv420p"}
		if format == FormatDASH {
			// One AdaptationSet holds every rendition, and ffmpeg's dash
			// muxer wants them of one aspect ratio: even rounding makes
			// 170x128 next to 320x240 differ, so the samples are made a
			// hair non-square to show the source's shape exactly.
			g := gcd(sw, sh)
			post[0] = "setdar=" + strconv.Itoa(sw/g) + "/" + strconv.Itoa(sh/g)
		}
		chains[i] = videoChain{out: "v" + strconv.Itoa(i), pre: pre, g: geoms[i], post: post}
	}
	videoChains(&graph, streamRef(0, p.Video[0].Index), chains)
	for k, a := range s.Audios {
		graph = append(graph, "["+streamRef(inputOf[k], a.Index)+"]"+audioPlacement(a)+"[a"+strconv.Itoa(k)+"]")
	}
	args = append(args, "-filter_complex", strings.Join(graph, ";"))
	for i, st := range s.Streams {
		vcodec, _ := videoCodec(st.Video.Codec)
		v := st.Video
		var maxrate int64
		if v.Bitrate <= 0 {
			auto := autoBitrate(geoms[i].w, geoms[i].h, fps[i])
			if v.CRF > 0 {
				maxrate = auto
			} else {
				v.Bitrate = auto
			}
		}
		va, err := videoArgs(v, vcodec, c, ":v:"+strconv.Itoa(i), fps[i], seg, maxrate)
		if err != nil {
			return nil, nil, fmt.Errorf("stream %d: %w", i, err)
		}
		args = append(args, "-map", "[v"+strconv.Itoa(i)+"]")
		args = append(args, va...)
	}
	for k, a := range s.Audios {
		st := ":a:" + strconv.Itoa(k)
		args = append(args, "-map", "[a"+strconv.Itoa(k)+"]")
		args = append(args, audioArgs(s.Audio, acodec, st)...)
		if a.Language != "" {
			args = append(args, "-metadata:s"+st, "language="+a.Language)
		}
	}

	plan := &Plan{Manifest: filepath.Join(s.Dir, manifest), Duration: sourceDuration(p)}
	res := &ComplexResult{}
	for i := range s.Streams {
		o := Output{Path: plan.Manifest, Video: true, Width: geoms[i].w, Height: geoms[i].h, Fps: fps[i]}
		if format == FormatHLS {
			name := base + "_" + strconv.Itoa(i) + ".m3u8"
			o.Path = filepath.Join(s.Dir, name)
			res.VideoPlaylists = append(res.VideoPlaylists, name)
		}
		plan.Outputs = append(plan.Outputs, o)
	}
	for k := range s.Audios {
		o := Output{Path: plan.Manifest, Audio: true}
		if format == FormatHLS {
			name := base + "_" + strconv.Itoa(len(s.Streams)+k) + ".m3u8"
			o.Path = filepath.Join(s.Dir, name)
			res.AudioPlaylists = append(res.AudioPlaylists, name)
		}
		plan.Outputs = append(plan.Outputs, o)
	}

	if format == FormatHLS {
		var vsm []string
		group := ""
		if len(s.Audios) > 0 {
			group = ",agroup:" + complexAudioGroup
		}
		for i := range s.Streams {
			vsm = append(vsm, "v:"+strconv.Itoa(i)+group)
		}
		for k := range s.Audios {
			vsm = append(vsm, "a:"+strconv.Itoa(k)+group)
		}
		args = append(args, hlsPackageArgs(s.Dir, base, manifest, seg, vsm, s.Key)...)
	} else {
		sets := []string{"id=0,streams=v"}
		for k := range s.Audios {
			sets = append(sets, "id="+strconv.Itoa(k+1)+",streams="+strconv.Itoa(len(s.Streams)+k))
		}
		args = append(args, "-f", "dash", "-dash_segment_type", "mp4", "-seg_duration", formatSeconds(seg),
			"-use_template", "1", "-use_timeline", "1", "-adaptation_sets", strings.Join(sets, " "),
			"-init_seg_name", base+"-init-$RepresentationID$.m4s",
			"-media_seg_name", base+"-chunk-$RepresentationID$-$Number%05d$.m4s",
			plan.Manifest)
	}
	plan.Args = args
	return plan, res, nil
}

// complexAudioGroup is the GROUP-ID of the audio renditions.
const complexAudioGroup = "audio"

// audioPlacement returns the filters that put an audio rendition on the
// package's timeline: stereo float samples, cut or padded to Length,
// delayed by Delay, padded up to Total.
func audioPlacement(a ComplexAudio) string {
	f := []string{"aformat=sample_fmts=fltp:channel_layouts=stereo"}
	if a.Length > 0 {
		f = append(f, "apad=whole_dur="+formatSeconds(a.Length), "atrim=end="+formatSeconds(a.Length))
	}
	if a.Delay > 0 {
		f = append(f, "adelay=delays="+strconv.FormatInt(int64(a.Delay*1000+0.5), 10)+":all=1")
	}
	if a.Total > 0 {
		f = append(f, "apad=whole_dur="+formatSeconds(a.Total), "atrim=end="+formatSeconds(a.Total))
	}
	return strings.Join(f, ",")
}

// gcd is the greatest common divisor of two positive numbers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

package media

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Adaptive streaming formats.
const (
	FormatHLS  = "hls"
	FormatDASH = "dash"
)

// defaultAdaptiveSegment is the segment length of adaptive streaming, in
// seconds: the templates' SegmentDuration default.
const defaultAdaptiveSegment = 6

// AdaptiveSpec describes adaptive streaming: several renditions of the
// source, segmented in step, behind an HLS master playlist or a DASH
// manifest (an AdaptiveDynamicStreaming template).
type AdaptiveSpec struct {
	// Format is FormatHLS or FormatDASH ("mpeg-dash" is accepted).
	Format string

	// Dir is the directory that receives the manifest, the variant
	// playlists and every segment; it must exist. Files are named after
	// Manifest, so several packagings can share a directory.
	Dir string

	// Manifest is the file name of the master playlist or MPD inside Dir;
	// empty means "master.m3u8" or "manifest.mpd". HLS variant playlists
	// are named after it: "adp.10.m3u8" has "adp.10_0.m3u8", ...
	Manifest string

	// SegmentSeconds is the segment length; 0 means 6. Every rendition
	// gets a keyframe at each multiple, so all segment at the same times.
	SegmentSeconds float64

	// Streams are the renditions, in the order the manifest lists them.
	Streams []AdaptiveStream

	// Start and End trim the source as in OutputSpec.
	Start, End float64

	// Key, if not nil, encrypts HLS segments with AES-128 (SimpleAES).
	// DASH has no such scheme here.
	Key *HLSKey

	// Overlays are drawn over every video rendition after it is scaled,
	// as OutputSpec.Overlays; each rendition reads its own copies of the
	// images, extra inputs of the run.
	Overlays []Overlay
}

// AdaptiveStream is one rendition of adaptive streaming (an
// AdaptiveStreamTemplate). A rendition never upscales unless its Scale
// allows it; to skip renditions above the source instead (the templates'
// DisableHigherVideoResolution), leave out those whose Scale.Upscales.
type AdaptiveStream struct {
	Video                    VideoSpec
	Audio                    AudioSpec
	RemoveVideo, RemoveAudio bool
}

// adaptiveStream is an AdaptiveStream resolved against the source.
type adaptiveStream struct {
	spec           AdaptiveStream
	video, audio   bool
	vcodec, acodec string
	geom           frameGeometry
	fps, fpsFilter float64
	audioEnc       int // index of the audio encode it uses
}

// PlanAdaptive plans one ffmpeg run that packages the source in (probed as
// p) for adaptive streaming, decoding it once: the decoded video is split
// into one scaled chain per rendition, each encoded with keyframes forced
// at every segment boundary, so that all renditions cut their segments at
// the same times.
//
// HLS writes a master playlist (-master_pl_name) listing one variant per
// rendition (-var_stream_map), each a media playlist with MPEG-TS segments
// carrying its video and its audio together, which every HLS player
// accepts; with a Key, segments are AES-128 encrypted and the playlists
// carry #EXT-X-KEY. DASH writes an MPD with one adaptation set for video
// and one for audio, in fMP4 segments; renditions with identical audio
// share one audio encode.
//
// The plan's Manifest is the master playlist or MPD; its Outputs follow
// Streams, each with its size and its media playlist (HLS) or the MPD
// (DASH). A video rendition without a bitrate is given one from its
// size (constant-quality renditions get it as a cap), since manifests must
// state each variant's bandwidth. Errors are those of PlanLadder.
func PlanAdaptive(in string, s AdaptiveSpec, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan adaptive streaming: no probe of the source")
	}
	plan, err := planAdaptive(in, s, p)
	if err != nil {
		return nil, fmt.Errorf("plan adaptive streaming: %w", err)
	}
	return plan, nil
}

func planAdaptive(in string, s AdaptiveSpec, p *Probe) (*Plan, error) {
	format := strings.ToLower(s.Format)
	var c Container
	switch format {
	case FormatHLS:
		c = ContainerHLS
	case FormatDASH, "mpeg-dash":
		format, c = FormatDASH, ContainerMP4
	default:
		return nil, fmt.Errorf("%w: format %q", ErrInvalidSpec, s.Format)
	}
	if s.Dir == "" {
		return nil, fmt.Errorf("%w: no output directory", ErrInvalidSpec)
	}
	if len(s.Streams) == 0 {
		return nil, fmt.Errorf("%w: no streams", ErrInvalidSpec)
	}
	if s.Key != nil && format != FormatHLS {
		return nil, fmt.Errorf("%w: AES-128 encryption is for HLS only", ErrInvalidSpec)
	}
	manifest := s.Manifest
	if manifest == "" {
		manifest = map[string]string{FormatHLS: "master.m3u8", FormatDASH: "manifest.mpd"}[format]
	}
	if strings.ContainsAny(manifest, `/\%$`) {
		return nil, fmt.Errorf("%w: manifest name %q", ErrInvalidSpec, manifest)
	}
	base := strings.TrimSuffix(manifest, filepath.Ext(manifest))
	seg := s.SegmentSeconds
	if seg <= 0 {
		seg = defaultAdaptiveSegment
	}
	duration := sourceDuration(p)
	start, end, err := resolveTrim(s.Start, s.End, duration)
	if err != nil {
		return nil, err
	}

	// Resolve the streams, and the audio encodes they need: one per HLS
	// variant, one per distinct spec for DASH.
	streams := make([]adaptiveStream, len(s.Streams))
	var audioEncs []adaptiveStream
	for i, as := range s.Streams {
		st := adaptiveStream{spec: as, audioEnc: -1}
		st.video = !as.RemoveVideo && len(p.Video) > 0
		st.audio = !as.RemoveAudio && len(p.Audio) > 0
		if !st.video && !st.audio {
			if as.RemoveVideo && as.RemoveAudio {
				return nil, fmt.Errorf("stream %d: %w: it removes both video and audio", i, ErrInvalidSpec)
			}
			return nil, fmt.Errorf("stream %d: %w: the source has neither video nor audio for it", i, ErrNoStream)
		}
		if st.video {
			if st.vcodec, err = videoCodec(as.Video.Codec); err != nil {
				return nil, fmt.Errorf("stream %d: %w", i, err)
			}
			sw, sh, err := displaySize(p)
			if err != nil {
				return nil, fmt.Errorf("stream %d: %w", i, err)
			}
			if st.geom, err = as.Video.Scale.geometry(sw, sh, true); err != nil {
				return nil, fmt.Errorf("stream %d: %w", i, err)
			}
			st.fps, st.fpsFilter = outputFps(as.Video.Fps, p.Video[0].FpsExact)
		}
		if st.audio {
			if st.acodec, err = audioCodec(as.Audio.Codec, c); err != nil {
				return nil, fmt.Errorf("stream %d: %w", i, err)
			}
			st.audioEnc = slices.IndexFunc(audioEncs, func(e adaptiveStream) bool {
				return format == FormatDASH && e.acodec == st.acodec && e.spec.Audio == as.Audio
			})
			if st.audioEnc < 0 {
				audioEncs = append(audioEncs, st)
				st.audioEnc = len(audioEncs) - 1
			}
		}
		if err := checkCodecs(c, HLSOptions{}, st.vcodec, st.acodec); err != nil {
			return nil, fmt.Errorf("stream %d: %w", i, err)
		}
		streams[i] = st
	}

	for k, o := range s.Overlays {
		if err := o.check(); err != nil {
			return nil, fmt.Errorf("overlay %d: %w", k, err)
		}
	}
	args := inputArgs(in, start, end)
	var graph []string
	var videoUsers []int
	for i, st := range streams {
		if st.video {
			videoUsers = append(videoUsers, i)
		}
	}
	// Overlay images follow the source, one input each, rendition by
	// rendition.
	imageInput := make([]int, len(streams))
	next := 1
	for _, i := range videoUsers {
		imageInput[i] = next
		for _, o := range s.Overlays {
			if o.Image != "" {
				args = append(args, inputArgs(o.Image, 0, 0)...)
				next++
			}
		}
	}
	if len(videoUsers) > 0 {
		chains := make([]videoChain, len(videoUsers))
		// ffmpeg's dash muxer puts every rendition in one adaptation set
		// and refuses renditions of different aspect ratios; even rounding
		// makes 170x128 beside 320x240 differ, so in DASH every rendition
		// shows the largest one's shape (the least rounded), with samples a
		// hair off square.
		sar := "setsar=1"
		if format == FormatDASH {
			big := streams[videoUsers[0]].geom
			for _, i := range videoUsers {
				if g := streams[i].geom; g.w*g.h > big.w*big.h {
					big = g
				}
			}
			d := gcd(big.w, big.h)
			sar = "setdar=" + strconv.Itoa(big.w/d) + "/" + strconv.Itoa(big.h/d)
		}
		for j, i := range videoUsers {
			st := streams[i]
			var pre []string
			if st.fpsFilter > 0 {
				pre = append(pre, "fps="+formatSeconds(st.fpsFilter))
			}
			out := "v" + strconv.Itoa(i)
			if len(s.Overlays) > 0 {
				out += "u" // the scaled picture, under the overlays
			}
			chains[j] = videoChain{out: out, pre: pre, g: st.geom, post: []string{sar, "format=yuv420p"}}
		}
		videoChains(&graph, streamRef(0, p.Video[0].Index), chains)
		if len(s.Overlays) > 0 {
			for _, i := range videoUsers {
				out := "v" + strconv.Itoa(i)
				graph = append(graph, overlayGraph(out+"u", out, out, s.Overlays, streams[i].geom.w, streams[i].geom.h, imageInput[i])...)
			}
		}
	}
	audioIn := ""
	var audioSrc []string
	if len(audioEncs) > 0 {
		audioIn = streamRef(0, p.Audio[0].Index)
		audioSrc = splitInputs(&graph, audioIn, "asplit", "as", len(audioEncs))
	}
	if len(graph) > 0 {
		args = append(args, "-filter_complex", strings.Join(graph, ";"))
	}

	// Streams of the output, in order: each rendition's video, then the
	// audio encodes. vi and ai count them per kind, as stream specifiers do.
	for vi, i := range videoUsers {
		st := streams[i]
		v := st.spec.Video
		var maxrate int64
		if v.Bitrate <= 0 {
			auto := autoBitrate(st.geom.w, st.geom.h, st.fps)
			if v.CRF > 0 {
				maxrate = auto
			} else {
				v.Bitrate = auto
			}
		}
		va, err := videoArgs(v, st.vcodec, c, ":v:"+strconv.Itoa(vi), st.fps, seg, maxrate)
		if err != nil {
			return nil, fmt.Errorf("stream %d: %w", i, err)
		}
		args = append(args, "-map", "[v"+strconv.Itoa(i)+"]")
		args = append(args, va...)
	}
	for ai, e := range audioEncs {
		m := audioIn
		if len(audioEncs) > 1 {
			m = "[" + audioSrc[ai] + "]"
		}
		args = append(args, "-map", m)
		args = append(args, audioArgs(e.spec.Audio, e.acodec, ":a:"+strconv.Itoa(ai))...)
	}

	plan := &Plan{Manifest: filepath.Join(s.Dir, manifest), Outputs: make([]Output, len(streams))}
	plan.Duration = duration - start
	if end > 0 {
		plan.Duration = end - start
	}
	for i, st := range streams {
		o := Output{Path: plan.Manifest, Video: st.video, Audio: st.audio}
		if st.video {
			o.Width, o.Height, o.Fps = st.geom.w, st.geom.h, st.fps
		}
		if format == FormatHLS {
			o.Path = filepath.Join(s.Dir, base+"_"+strconv.Itoa(i)+".m3u8")
		}
		plan.Outputs[i] = o
	}

	if format == FormatHLS {
		var vsm []string
		vi := 0
		for _, st := range streams {
			var parts []string
			if st.video {
				parts = append(parts, "v:"+strconv.Itoa(vi))
				vi++
			}
			if st.audio {
				parts = append(parts, "a:"+strconv.Itoa(st.audioEnc))
			}
			vsm = append(vsm, strings.Join(parts, ","))
		}
		args = append(args, hlsPackageArgs(s.Dir, base, manifest, seg, vsm, s.Key)...)
	} else {
		var sets []string
		if len(videoUsers) > 0 {
			sets = append(sets, "id=0,streams=v")
		}
		if len(audioEncs) > 0 {
			sets = append(sets, "id="+strconv.Itoa(len(sets))+",streams=a")
		}
		args = append(args, "-f", "dash", "-dash_segment_type", "mp4", "-seg_duration", formatSeconds(seg),
			"-use_template", "1", "-use_timeline", "1", "-adaptation_sets", strings.Join(sets, " "),
			"-init_seg_name", base+"-init-$RepresentationID$.m4s",
			"-media_seg_name", base+"-chunk-$RepresentationID$-$Number%05d$.m4s",
			plan.Manifest)
	}
	plan.Args = args
	return plan, nil
}

// hlsPackageArgs are the hls muxer options of an adaptive package in dir:
// one media playlist per var_stream_map entry (base_N.m3u8) with its
// segments (base_N_00000.ts), the master playlist manifest, and the
// SimpleAES key when there is one.
func hlsPackageArgs(dir, base, manifest string, seg float64, vsm []string, key *HLSKey) []string {
	a := []string{"-f", "hls", "-hls_time", formatSeconds(seg), "-hls_playlist_type", "vod",
		"-hls_segment_filename", filepath.Join(dir, base+"_%v_%05d.ts"),
		"-master_pl_name", manifest, "-var_stream_map", strings.Join(vsm, " ")}
	if key != nil {
		a = append(a, "-hls_key_info_file", key.InfoFile)
	}
	return append(a, filepath.Join(dir, base+"_%v.m3u8"))
}

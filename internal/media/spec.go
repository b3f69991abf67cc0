package media

import (
	"fmt"
	"math"
	"strings"
)

// Container names the format of an output file. The values are the
// transcode template's Container words (lower case), so a caller converts
// with media.Container(strings.ToLower(tpl.Container)).
type Container string

// The containers an OutputSpec may name.
const (
	ContainerMP4  Container = "mp4"
	ContainerHLS  Container = "hls" // a media playlist and MPEG-TS (or fMP4) segments
	ContainerFLV  Container = "flv"
	ContainerWebM Container = "webm"
	ContainerMP3  Container = "mp3"  // audio only
	ContainerM4A  Container = "m4a"  // audio only: AAC in MP4
	ContainerAAC  Container = "aac"  // audio only: raw ADTS
	ContainerFLAC Container = "flac" // audio only
	ContainerOGG  Container = "ogg"  // audio only
	ContainerWAV  Container = "wav"  // audio only: 16-bit PCM
)

// AudioOnly reports whether the container holds audio only, so that
// outputs in it never carry video.
func (c Container) AudioOnly() bool {
	switch c {
	case ContainerMP3, ContainerM4A, ContainerAAC, ContainerFLAC, ContainerOGG, ContainerWAV:
		return true
	}
	return false
}

// muxer returns the -f name of ffmpeg's muxer for the container.
func (c Container) muxer() string {
	switch c {
	case ContainerM4A:
		return "ipod"
	case ContainerAAC:
		return "adts"
	}
	return string(c)
}

// Video codecs, as VideoSpec.Codec names them. The encoder names
// (libx264, libx265, libvpx-vp9, libaom-av1, libsvtav1) and "hevc" are
// accepted too; every AV1 output is encoded by libsvtav1, the fastest
// AV1 encoder Debian's ffmpeg has.
const (
	CodecH264 = "h264"
	CodecH265 = "h265"
	CodecVP9  = "vp9"
	CodecAV1  = "av1"
)

// Audio codecs, as AudioSpec.Codec names them. The encoder names
// (libfdk_aac, which Debian lacks and which maps to ffmpeg's native AAC
// encoder, libmp3lame, libopus, libvorbis, pcm_s16le) are accepted too.
const (
	CodecAAC    = "aac"
	CodecMP3    = "mp3"
	CodecFLAC   = "flac"
	CodecOpus   = "opus"
	CodecVorbis = "vorbis"
	CodecAC3    = "ac3"
	CodecMP2    = "mp2"
	CodecPCM    = "pcm" // 16-bit little-endian PCM
)

// DefaultPreset is the x264/x265 speed preset used when a VideoSpec has
// none: fast enough that a ladder runs several times faster than real time
// on two cores, at a modest cost in bitrate.
const DefaultPreset = "veryfast"

// OutputSpec describes one rendition of a transcode: one file (or, for
// HLS, one media playlist and its segments) written by a ladder.
//
// The zero value beyond Path and Container is H.264 and AAC at the
// source's size, frame rate, sample rate and channels, with the encoders'
// default quality.
type OutputSpec struct {
	// Path is the output file; for HLS, the media playlist (.m3u8).
	Path string

	// Container is the output format; empty means mp4.
	Container Container

	// Video and Audio say how to encode each kind of stream. They are
	// ignored for a kind the output does not carry: one removed below, one
	// the container cannot hold, one the source lacks.
	Video VideoSpec
	Audio AudioSpec

	// RemoveVideo and RemoveAudio drop that kind of stream from the output
	// (the template's RemoveVideo/RemoveAudio).
	RemoveVideo, RemoveAudio bool

	// Remux copies the source's first video and audio streams without
	// re-encoding (the template's container change, ids 875/876): Video
	// and Audio are ignored, RemoveVideo and RemoveAudio still apply. A
	// remux whose codecs the container cannot hold fails when it runs.
	Remux bool

	// Start and End trim the output to [Start, End) seconds of the source.
	// Negative values count from the end of the source; End 0 (or past the
	// end) means to the end. A Start at or past the end is
	// ErrOffsetBeyondDuration.
	Start, End float64

	// HLS holds the options of HLS outputs.
	HLS HLSOptions

	// Overlays are drawn, in order, over the video after it is scaled and
	// padded (watermarks, mosaics). A remux cannot carry them; an output
	// without video ignores them.
	Overlays []Overlay
}

// HLSOptions are the options of an HLS output.
type HLSOptions struct {
	// SegmentSeconds is the target segment duration; 0 means 10. Keyframes
	// are forced at every multiple of it so segments have that length.
	SegmentSeconds float64

	// SegmentType is "ts" (the default: MPEG-TS segments) or "fmp4"
	// (fragmented MP4 segments with an init file).
	SegmentType string

	// SegmentPattern is the segments' file name pattern, with one %d-style
	// verb for the sequence number; empty means the playlist's path without
	// its extension followed by "_%05d.ts" (or ".m4s"). Segments should sit
	// beside the playlist, which names them by base name.
	SegmentPattern string

	// Key, if not nil, encrypts the segments with AES-128 (SimpleAES).
	Key *HLSKey
}

// VideoSpec says how to encode a video stream: a transcode template's
// VideoTemplateInfo with bitrates in bits per second.
type VideoSpec struct {
	// Codec is h264 (the default), h265, vp9 or av1; see CodecH264.
	Codec string

	// Bitrate is the target average bitrate in bits per second; 0 leaves
	// the rate to CRF or to the encoder's default quality.
	Bitrate int64

	// CRF, when above zero, encodes at constant quality (-crf) and
	// Bitrate is ignored (the template's Vcrf).
	CRF int

	// Fps is the output frame rate; 0 keeps the source's. A rate above the
	// source's is not applied: frames are never duplicated.
	Fps float64

	// Scale says how big the frames are. Sizes are made even, as the
	// yuv420p pictures every encoder receives require.
	Scale

	// Gop is the keyframe interval in frames; 0 lets the encoder choose
	// (segmented outputs force keyframes at segment boundaries anyway).
	// GopSeconds, when above zero and Gop is 0, gives it in seconds of
	// output (the template's GopUnit "second").
	Gop        int
	GopSeconds float64

	// Preset is an x264 speed preset name, ultrafast to veryslow; empty
	// means DefaultPreset. VP9 and AV1 map it to their own speed settings.
	Preset string

	// Profile is the codec profile (-profile:v), e.g. baseline, main or
	// high for H.264; empty or "default" leaves it to the encoder.
	Profile string

	// BFrames, if not nil, is the number of consecutive B-frames (-bf).
	BFrames *int

	// CodecTag is the fourcc written for H.265 in MP4 files: "hvc1" (the
	// default, which Apple players need) or "hev1".
	CodecTag string
}

// AudioSpec says how to encode an audio stream: a transcode template's
// AudioTemplateInfo with bitrates in bits per second.
type AudioSpec struct {
	// Codec is aac, mp3, flac, opus, vorbis, ac3, mp2 or pcm; empty means
	// the container's usual one (aac; mp3 in mp3, flac in flac and ogg,
	// pcm in wav, opus in webm).
	Codec string

	// Bitrate in bits per second; 0 means the encoder's default.
	Bitrate int64

	// SampleRate in Hz; 0 keeps the source's (Opus always runs at 48 kHz).
	SampleRate int

	// Channels is 1, 2 or 6; 0 keeps the source's.
	Channels int
}

// FillType says how a picture fills an output frame whose shape differs
// from the source's. The values are the templates' FillType words.
type FillType string

// The fill types. The empty FillType is FillBlack, the templates' default.
const (
	// FillBlack fits the picture inside the frame and pads with black bars.
	FillBlack FillType = "black"
	// FillWhite fits the picture inside the frame and pads with white.
	FillWhite FillType = "white"
	// FillStretch scales the picture to the frame, changing its shape.
	FillStretch FillType = "stretch"
	// FillGauss fits the picture inside the frame over a blurred copy of
	// itself that covers the whole frame.
	FillGauss FillType = "gauss"
	// FillCrop scales the picture to cover the frame and crops the
	// overflow, centred (the API's "smarttailor").
	FillCrop FillType = "smarttailor"
)

// Scale says how big output pictures are, following the templates' rules.
// Width and Height are both 0 to keep the source's display size (rotation
// applied); one of them 0 to derive it from the other by the source's
// aspect ratio; both set for an exact frame, which Fill says how to fill.
type Scale struct {
	Width, Height int

	// ResolutionAdaptive makes Width the long side and Height the short
	// side, so a portrait source gets a portrait frame (the templates'
	// ResolutionAdaptive "open", their default; callers converting a
	// template set it unless the template says "close").
	ResolutionAdaptive bool

	// Fill applies when Width and Height are both set; empty means
	// FillBlack.
	Fill FillType

	// Upscale allows pictures larger than the source. Without it, a frame
	// that would enlarge the picture is shrunk, keeping its shape, until the
	// picture is at most the source's size.
	Upscale bool
}

// Size returns the width and height of the video frames an output with
// this Scale gets from the source p: rotation applied, even.
func (s Scale) Size(p *Probe) (width, height int, err error) {
	sw, sh, err := displaySize(p)
	if err != nil {
		return 0, 0, err
	}
	g, err := s.geometry(sw, sh, true)
	if err != nil {
		return 0, 0, err
	}
	return g.w, g.h, nil
}

// Upscales reports whether the requested size would enlarge the source's
// picture, which Upscale allows and otherwise prevents: the test for a
// template's DisableHigherVideoResolution. A Scale that keeps the source
// size never upscales.
func (s Scale) Upscales(p *Probe) bool {
	sw, sh, err := displaySize(p)
	if err != nil {
		return false
	}
	up := s
	up.Upscale = true
	g, err := up.geometry(sw, sh, false)
	if err != nil {
		return false
	}
	return g.cw > sw || g.ch > sh
}

// frameGeometry is a resolved Scale: the output frame and the size the
// picture is scaled to inside it.
type frameGeometry struct {
	sw, sh int // source display size
	w, h   int // output frame
	cw, ch int // scaled picture: w×h when stretched, inside for pad fills, covering for crop
	fill   FillType
}

// geometry resolves s for a source whose display size is sw×sh. even makes
// every size even (for yuv420p video).
func (s Scale) geometry(sw, sh int, even bool) (frameGeometry, error) {
	if s.Width < 0 || s.Height < 0 {
		return frameGeometry{}, fmt.Errorf("%w: negative size %dx%d", ErrInvalidSpec, s.Width, s.Height)
	}
	fill, err := s.fillType()
	if err != nil {
		return frameGeometry{}, err
	}
	if sw <= 0 || sh <= 0 {
		return frameGeometry{}, fmt.Errorf("%w: the source's picture size is unknown", ErrNoStream)
	}
	w, h := float64(s.Width), float64(s.Height)
	if s.ResolutionAdaptive && sh > sw {
		w, h = h, w
	}
	fw, fh := float64(sw), float64(sh)
	var cw, ch float64
	switch {
	case w == 0 && h == 0:
		w, h, fill = fw, fh, FillStretch
	case w == 0:
		w, fill = fw*h/fh, FillStretch
	case h == 0:
		h, fill = fh*w/fw, FillStretch
	}
	switch fill {
	case FillStretch:
		cw, ch = w, h
	case FillCrop:
		r := max(w/fw, h/fh)
		cw, ch = fw*r, fh*r
	default:
		r := min(w/fw, h/fh)
		cw, ch = fw*r, fh*r
	}
	if !s.Upscale {
		if f := max(cw/fw, ch/fh); f > 1 {
			w, h, cw, ch = w/f, h/f, cw/f, ch/f
		}
	}
	g := frameGeometry{sw: sw, sh: sh, fill: fill,
		w: roundSize(w, even), h: roundSize(h, even),
		cw: roundSize(cw, even), ch: roundSize(ch, even)}
	if !s.Upscale {
		// Rounding must not make the picture larger than the source.
		g.cw, g.ch = min(g.cw, floorSize(sw, even)), min(g.ch, floorSize(sh, even))
	}
	switch fill {
	case FillStretch:
		g.w, g.h = g.cw, g.ch
	case FillCrop:
		g.cw, g.ch = max(g.cw, g.w), max(g.ch, g.h)
	default:
		g.cw, g.ch = min(g.cw, g.w), min(g.ch, g.h)
	}
	return g, nil
}

// fillType returns s.Fill checked, with its default applied.
func (s Scale) fillType() (FillType, error) {
	switch f := FillType(strings.ToLower(string(s.Fill))); f {
	case "":
		return FillBlack, nil
	case FillBlack, FillWhite, FillStretch, FillGauss, FillCrop:
		return f, nil
	}
	return "", fmt.Errorf("%w: fill type %q", ErrInvalidSpec, s.Fill)
}

// filters returns the filter graph text that turns the picture at label in
// into the frame at label out: pre's filters first, then the scaling and
// filling, then post's. id makes the labels of a gauss background unique.
// A chain with nothing to do is "null".
func (g frameGeometry) filters(in, out, id string, pre, post []string) string {
	chain := append([]string(nil), pre...)
	scaled := g.cw != g.sw || g.ch != g.sh
	switch g.fill {
	case FillGauss:
		if g.cw != g.w || g.ch != g.h {
			// Blur radius within what boxblur allows for a 4:2:0 chroma plane.
			r := max(1, min(g.w, g.h)/20)
			bw, bh := cover(g.sw, g.sh, g.w, g.h)
			bg, fg, blurred, front := "["+id+"bg]", "["+id+"fg]", "["+id+"bgb]", "["+id+"fgs]"
			chain = append(chain, "split"+bg+fg)
			head := "[" + in + "]" + strings.Join(chain, ",")
			back := bg + fmt.Sprintf("scale=%d:%d,crop=%d:%d,boxblur=%d:1", bw, bh, g.w, g.h, r) + blurred
			pic := fg + fmt.Sprintf("scale=%d:%d", g.cw, g.ch) + front
			over := blurred + front + fmt.Sprintf("overlay=%d:%d", (g.w-g.cw)/2, (g.h-g.ch)/2)
			if len(post) > 0 {
				over += "," + strings.Join(post, ",")
			}
			return head + ";" + back + ";" + pic + ";" + over + "[" + out + "]"
		}
		if scaled {
			chain = append(chain, fmt.Sprintf("scale=%d:%d", g.cw, g.ch))
		}
	case FillCrop:
		if scaled {
			chain = append(chain, fmt.Sprintf("scale=%d:%d", g.cw, g.ch))
		}
		if g.cw != g.w || g.ch != g.h {
			chain = append(chain, fmt.Sprintf("crop=%d:%d", g.w, g.h))
		}
	default:
		if scaled {
			chain = append(chain, fmt.Sprintf("scale=%d:%d", g.cw, g.ch))
		}
		if g.cw != g.w || g.ch != g.h {
			color := "black"
			if g.fill == FillWhite {
				color = "white"
			}
			chain = append(chain, fmt.Sprintf("pad=%d:%d:%d:%d:%s", g.w, g.h, (g.w-g.cw)/2, (g.h-g.ch)/2, color))
		}
	}
	chain = append(chain, post...)
	if len(chain) == 0 {
		chain = []string{"null"}
	}
	return "[" + in + "]" + strings.Join(chain, ",") + "[" + out + "]"
}

// cover returns the even size at which an sw×sh picture covers a w×h frame.
func cover(sw, sh, w, h int) (int, int) {
	r := max(float64(w)/float64(sw), float64(h)/float64(sh))
	return max(roundSize(float64(sw)*r, true), w), max(roundSize(float64(sh)*r, true), h)
}

// roundSize rounds a picture dimension to the nearest whole (or even)
// number of pixels, at least 1 (or 2).
func roundSize(x float64, even bool) int {
	if even {
		return max(2, int(math.Round(x/2))*2)
	}
	return max(1, int(math.Round(x)))
}

// floorSize is the largest whole (or even) size not above n.
func floorSize(n int, even bool) int {
	if even {
		return max(2, n&^1)
	}
	return max(1, n)
}

// displaySize returns the size at which the first video stream of p is
// shown: its coded size with the rotation applied, as ffmpeg's automatic
// rotation hands it to the filters.
func displaySize(p *Probe) (int, int, error) {
	if p == nil || len(p.Video) == 0 {
		return 0, 0, fmt.Errorf("%w: the source has no video", ErrNoStream)
	}
	w, h := p.Video[0].Width, p.Video[0].Height
	if p.Rotate%180 == 90 {
		w, h = h, w
	}
	return w, h, nil
}

// resolveOffset turns an offset that may count from the end of a
// duration-long source into one from its start, never below zero.
func resolveOffset(at, duration float64) float64 {
	if at < 0 {
		at += duration
	}
	return max(at, 0)
}

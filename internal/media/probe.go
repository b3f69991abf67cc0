package media

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// localProtocols is the protocol whitelist for reading inputs: local files
// only, so an uploaded playlist cannot make ffmpeg fetch URLs (SSRF).
const localProtocols = "file,crypto,data"

// Probe is what ffprobe reports about a media file.
type Probe struct {
	Size int64 // bytes, as ffprobe reports them (for HLS: the playlist's)

	// Container is a short container name: "mp4", "mov", "m4a", "3gp",
	// "mkv", "webm", "hls", "ts", "flv", "mp3", "jpg", ... ffprobe names the
	// whole family ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"), so the
	// member comes from the file extension, then the mp4 major brand or the
	// codecs (VP8/VP9/AV1 with Vorbis/Opus is webm).
	Container string

	FormatName string  // ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Bitrate    int64   // overall bits per second; from size and duration when ffprobe has none
	Duration   float64 // seconds

	// Width and Height are the first video stream's coded display size,
	// with Rotate NOT applied: a portrait phone video is 1920x1080, Rotate 90.
	Width, Height int

	// Rotate is the clockwise rotation, in degrees, a player applies to the
	// first video stream for display: 0, 90, 180 or 270. It comes from the
	// display matrix (whose ffprobe "rotation" is counter-clockwise, so a
	// portrait phone video shows -90 there and 90 here) or the legacy
	// "rotate" tag.
	Rotate int

	// Video lists the video streams, without cover art (attached pictures).
	Video []VideoStream
	Audio []AudioStream

	// VideoDuration and AudioDuration are the first video and audio
	// stream's duration in seconds, or the container's when the stream has
	// none; zero without such a stream.
	VideoDuration, AudioDuration float64
}

// VideoStream describes one video stream.
type VideoStream struct {
	Index    int     // stream index in the file
	Codec    string  // codec_name, e.g. "h264"; empty when ffprobe does not know it
	CodecTag string  // codec_tag_string, e.g. "avc1"
	Width    int     // coded display width, rotation not applied
	Height   int     // coded display height, rotation not applied
	Bitrate  int64   // bits per second; 0 when unknown
	Fps      int     // FpsExact rounded
	FpsExact float64 // avg_frame_rate, or r_frame_rate when that is unknown
	PixFmt   string  // e.g. "yuv420p"
	Duration float64 // seconds; 0 when unknown
	Frames   int64   // nb_frames; 0 when unknown
	HDR      string  // "hdr10" (PQ), "hlg", or "" for SDR
}

// AudioStream describes one audio stream.
type AudioStream struct {
	Index      int    // stream index in the file
	Codec      string // codec_name, e.g. "aac"; empty when ffprobe does not know it
	Bitrate    int64  // bits per second; 0 when unknown
	SampleRate int    // Hz
	Channels   int
	Duration   float64 // seconds; 0 when unknown
}

// HasMedia reports whether the probe found at least one audio or video
// stream in a codec ffmpeg knows.
func (p *Probe) HasMedia() bool {
	for _, v := range p.Video {
		if v.Codec != "" {
			return true
		}
	}
	for _, a := range p.Audio {
		if a.Codec != "" {
			return true
		}
	}
	return false
}

// Probe runs ffprobe on the local file at path and returns what it found.
//
// A file that is not usable media gives an error matching ErrInvalidMedia
// whose *InvalidMediaError reason says why: "empty file", or "not a
// readable media file: " and ffprobe's words ("moov atom not found; Invalid
// data found when processing input" for an mp4 cut before its index). A
// file ffprobe reads but that has no audio or video stream returns the
// probe and an error matching ErrNoMedia (and ErrInvalidMedia). A missing
// file, a missing ffprobe or a cancelled ctx are other errors.
//
// Probe reads container headers only: a file cut short after its header
// probes fine; Verify finds that.
func (r *Runner) Probe(ctx context.Context, path string) (*Probe, error) {
	abs, err := inputFile(path)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	args := []string{"-v", "error", "-protocol_whitelist", localProtocols,
		"-print_format", "json", "-show_format", "-show_streams", abs}
	var out bytes.Buffer
	err = r.exec(ctx, "ffprobe", r.ffprobePath(), args, func(rd io.Reader) {
		_, _ = io.Copy(&out, io.LimitReader(rd, maxProbeOutput))
	})
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, invalidMedia(err, "not a readable media file: "))
	}
	p, err := parseProbe(out.Bytes(), abs)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	if !p.HasMedia() {
		return p, fmt.Errorf("probe %s: %w", path, &InvalidMediaError{
			Reason: "no audio or video stream (format " + p.FormatName + ")",
			Err:    ErrNoMedia,
		})
	}
	return p, nil
}

// inputFile checks that path names a non-empty regular file and returns
// its absolute path: ffmpeg reads "a:b.mp4" as protocol "a", never
// "/dir/a:b.mp4".
func inputFile(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() == 0 {
		return "", &InvalidMediaError{Reason: "empty file"}
	}
	return abs, nil
}

// invalidMedia turns a failed run into an *InvalidMediaError: a program
// that exited with an error status rejected its input. Deaths by signal,
// cancellation and failures to start are passed through.
func invalidMedia(err error, prefix string) error {
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Signal != 0 {
		return err
	}
	return &InvalidMediaError{Reason: prefix + ee.reason(), Err: ee}
}

// ffprobe's JSON output, the parts Probe uses.
type ffprobeOutput struct {
	Streams []ffprobeStream `json:"streams"`
	Format  struct {
		FormatName string            `json:"format_name"`
		Duration   string            `json:"duration"`
		Size       string            `json:"size"`
		BitRate    string            `json:"bit_rate"`
		Tags       map[string]string `json:"tags"`
	} `json:"format"`
}

type ffprobeStream struct {
	Index         int               `json:"index"`
	CodecName     string            `json:"codec_name"`
	CodecType     string            `json:"codec_type"`
	CodecTag      string            `json:"codec_tag_string"`
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	PixFmt        string            `json:"pix_fmt"`
	ColorTransfer string            `json:"color_transfer"`
	AvgFrameRate  string            `json:"avg_frame_rate"`
	RFrameRate    string            `json:"r_frame_rate"`
	Duration      string            `json:"duration"`
	BitRate       string            `json:"bit_rate"`
	NbFrames      string            `json:"nb_frames"`
	SampleRate    string            `json:"sample_rate"`
	Channels      int               `json:"channels"`
	Disposition   map[string]int    `json:"disposition"`
	Tags          map[string]string `json:"tags"`
	SideData      []struct {
		Type     string   `json:"side_data_type"`
		Rotation *float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// parseProbe turns ffprobe's JSON about the file at path into a Probe.
func parseProbe(data []byte, path string) (*Probe, error) {
	var out ffprobeOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("parse ffprobe output: %w", err)
	}
	f := out.Format
	p := &Probe{
		FormatName: f.FormatName,
		Size:       parseInt(f.Size),
		Bitrate:    parseInt(f.BitRate),
		Duration:   parseFloat(f.Duration),
	}
	if p.Size == 0 {
		if fi, err := os.Stat(path); err == nil {
			p.Size = fi.Size()
		}
	}
	if p.Bitrate == 0 && p.Duration > 0 {
		p.Bitrate = int64(math.Round(float64(p.Size) * 8 / p.Duration))
	}
	rotateSet := false
	for _, s := range out.Streams {
		switch s.CodecType {
		case "video":
			if s.Disposition["attached_pic"] != 0 {
				continue // cover art of an audio file
			}
			p.Video = append(p.Video, videoStream(s))
			if !rotateSet {
				p.Rotate = rotation(s)
				rotateSet = true
			}
		case "audio":
			p.Audio = append(p.Audio, AudioStream{
				Index:      s.Index,
				Codec:      s.CodecName,
				Bitrate:    streamBitrate(s),
				SampleRate: int(parseInt(s.SampleRate)),
				Channels:   s.Channels,
				Duration:   streamDuration(s),
			})
		}
	}
	if len(p.Video) > 0 {
		p.Width, p.Height = p.Video[0].Width, p.Video[0].Height
		p.VideoDuration = cmp.Or(p.Video[0].Duration, p.Duration)
	}
	if len(p.Audio) > 0 {
		p.AudioDuration = cmp.Or(p.Audio[0].Duration, p.Duration)
	}
	p.Container = containerName(p, filepath.Ext(path), f.Tags["major_brand"])
	return p, nil
}

func videoStream(s ffprobeStream) VideoStream {
	fps := parseRate(s.AvgFrameRate)
	if fps == 0 {
		fps = parseRate(s.RFrameRate)
	}
	frames := parseInt(s.NbFrames)
	if frames == 0 {
		frames = parseInt(tag(s.Tags, "NUMBER_OF_FRAMES"))
	}
	v := VideoStream{
		Index:    s.Index,
		Codec:    s.CodecName,
		CodecTag: s.CodecTag,
		Width:    s.Width,
		Height:   s.Height,
		Bitrate:  streamBitrate(s),
		Fps:      int(math.Round(fps)),
		FpsExact: fps,
		PixFmt:   s.PixFmt,
		Duration: streamDuration(s),
		Frames:   frames,
	}
	switch s.ColorTransfer {
	case "smpte2084":
		v.HDR = "hdr10"
	case "arib-std-b67":
		v.HDR = "hlg"
	}
	if strings.HasPrefix(v.CodecTag, "[") { // "[0][0][0][0]": no tag
		v.CodecTag = ""
	}
	return v
}

// rotation returns the clockwise display rotation of a video stream.
func rotation(s ffprobeStream) int {
	for _, sd := range s.SideData {
		if sd.Type == "Display Matrix" && sd.Rotation != nil {
			return normalizeRotation(-*sd.Rotation) // ffprobe's angle is counter-clockwise
		}
	}
	if t, ok := s.Tags["rotate"]; ok { // before ffmpeg 5.0: clockwise degrees
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return normalizeRotation(f)
		}
	}
	return 0
}

// normalizeRotation rounds degrees to a quarter turn in [0, 360).
func normalizeRotation(deg float64) int {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	r := int(math.Round(deg/90)) * 90 % 360
	if r < 0 {
		r += 360
	}
	return r
}

// containerName picks the short container name; see Probe.Container.
func containerName(p *Probe, ext, majorBrand string) string {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	first, _, _ := strings.Cut(p.FormatName, ",")
	switch first {
	case "mov": // mov,mp4,m4a,3gp,3g2,mj2
		switch ext {
		case "mp4", "m4v":
			return "mp4"
		case "mov", "qt":
			return "mov"
		case "m4a", "3gp", "3g2", "mj2":
			return ext
		}
		switch brand := strings.TrimSpace(majorBrand); {
		case brand == "qt":
			return "mov"
		case brand == "M4A" || brand == "M4B":
			return "m4a"
		case strings.HasPrefix(brand, "3g2"):
			return "3g2"
		case strings.HasPrefix(brand, "3gp"):
			return "3gp"
		}
		return "mp4"
	case "matroska": // matroska,webm
		switch ext {
		case "webm":
			return "webm"
		case "mkv", "mka", "mk3d":
			return "mkv"
		}
		if isWebM(p) {
			return "webm"
		}
		return "mkv"
	case "mpegts":
		return "ts"
	case "mpeg":
		return "mpg"
	case "asf":
		if ext == "wma" || ext == "asf" {
			return ext
		}
		return "wmv"
	case "image2":
		if ext != "" {
			return ext
		}
	}
	name := strings.TrimSuffix(first, "_pipe") // jpeg_pipe, png_pipe, ...
	if name == "jpeg" {
		return "jpg"
	}
	return name
}

// isWebM reports whether a Matroska file keeps to WebM's codecs.
func isWebM(p *Probe) bool {
	if len(p.Video)+len(p.Audio) == 0 {
		return false
	}
	for _, v := range p.Video {
		switch v.Codec {
		case "vp8", "vp9", "av1":
		default:
			return false
		}
	}
	for _, a := range p.Audio {
		switch a.Codec {
		case "vorbis", "opus":
		default:
			return false
		}
	}
	return true
}

// streamBitrate is bit_rate, or Matroska's BPS statistics tag.
func streamBitrate(s ffprobeStream) int64 {
	if b := parseInt(s.BitRate); b > 0 {
		return b
	}
	return parseInt(tag(s.Tags, "BPS"))
}

// streamDuration is duration, or Matroska's DURATION tag (HH:MM:SS.nnn).
func streamDuration(s ffprobeStream) float64 {
	if d := parseFloat(s.Duration); d > 0 {
		return d
	}
	if d, ok := parseClock(tag(s.Tags, "DURATION")); ok && d > 0 {
		return d
	}
	return 0
}

// tag finds a tag by name regardless of case, also in its language-suffixed
// form ("BPS-eng") that mkvmerge writes.
func tag(tags map[string]string, name string) string {
	for k, v := range tags {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range tags {
		if len(k) > len(name) && k[len(name)] == '-' && strings.EqualFold(k[:len(name)], name) {
			return v
		}
	}
	return ""
}

// parseRate parses "30000/1001" or "25"; "0/0" and garbage give 0.
func parseRate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		return parseFloat(s)
	}
	n, d := parseFloat(num), parseFloat(den)
	if d == 0 {
		return 0
	}
	return n / d
}

// parseFloat parses a number, giving 0 for "N/A", NaN and garbage.
func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// parseInt parses an integer, giving 0 for "N/A" and garbage.
func parseInt(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// DetectParams says which quality detectors one ffmpeg pass runs over a
// media file (DetectArgs) and with what thresholds. Event detectors
// (black, freeze, silence) see every frame; the per-frame measures (blur,
// luma, crop) see StatsFPS frames a second, which bounds the size of their
// log on long files.
type DetectParams struct {
	Input string

	// Video and Audio say which of the first video and audio stream to
	// analyse; at least one must be set.
	Video, Audio bool

	// Black runs blackdetect: a stretch of at least BlackMinDuration
	// seconds where BlackPixelRatio of the pixels are darker than
	// BlackPixelThreshold (0–1 of the luma range).
	Black               bool
	BlackMinDuration    float64
	BlackPixelRatio     float64
	BlackPixelThreshold float64

	// Freeze runs freezedetect: FreezeMinDuration seconds of frames that
	// differ from each other by less than FreezeNoiseDB.
	Freeze            bool
	FreezeMinDuration float64
	FreezeNoiseDB     float64

	// Blur (blurdetect), Luma (signalstats YAVG) and Crop (cropdetect)
	// measure sampled frames. CropLimit is the luma (0–255) at or below
	// which cropdetect counts a pixel as part of a black edge.
	Blur, Luma, Crop bool
	CropLimit        int
	StatsFPS         float64

	// Silence runs silencedetect: SilenceMinDuration seconds quieter than
	// SilenceNoiseDB. Loudness runs ebur128 for the integrated loudness.
	Silence            bool
	SilenceMinDuration float64
	SilenceNoiseDB     float64
	Loudness           bool

	// EventLog, StatsLog and AudioLog are the files the metadata filters
	// print into; they must be plain paths (see safeFilterPath).
	EventLog, StatsLog, AudioLog string
}

func (p DetectParams) videoEvents() bool { return p.Video && (p.Black || p.Freeze) }
func (p DetectParams) videoStats() bool  { return p.Video && (p.Blur || p.Luma || p.Crop) }
func (p DetectParams) audio() bool       { return p.Audio && (p.Silence || p.Loudness) }

// safeFilterPath reports whether a path can go into a filter graph option
// as is: only characters that mean nothing to the graph or option parsers.
func safeFilterPath(p string) bool {
	if p == "" {
		return false
	}
	for _, c := range p {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_.-+", c)
		if !ok {
			return false
		}
	}
	return true
}

// DetectArgs builds the ffmpeg arguments of one detection pass: a filter
// graph with a branch per stream, each ending in a metadata printer that
// writes the detectors' findings to a log file, and null outputs.
func DetectArgs(p DetectParams) ([]string, error) {
	if !p.videoEvents() && !p.videoStats() && !p.audio() {
		return nil, errors.New("detect: no detector to run")
	}
	for _, f := range []struct {
		path string
		used bool
	}{{p.EventLog, p.videoEvents()}, {p.StatsLog, p.videoStats()}, {p.AudioLog, p.audio()}} {
		if f.used && !safeFilterPath(f.path) {
			return nil, fmt.Errorf("detect: log path %q has characters a filter graph cannot take", f.path)
		}
	}
	var chains, maps []string
	if p.videoEvents() || p.videoStats() {
		chains, maps = append(chains, detectVideoChains(p)...), append(maps, detectVideoMaps(p)...)
	}
	if p.audio() {
		chains, maps = append(chains, detectAudioChain(p)), append(maps, "[a]")
	}
	args := []string{"-protocol_whitelist", localProtocols, "-i", p.Input, "-filter_complex", strings.Join(chains, ";")}
	for _, m := range maps {
		args = append(args, "-map", m)
	}
	return append(args, "-f", "null", "-"), nil
}

// detectVideoChains is the video branch: the event detectors on every frame, a
// split, and the measures on sampled frames.
func detectVideoChains(p DetectParams) []string {
	head := "[0:v:0]format=yuv420p"
	var events []string
	if p.Black {
		events = append(events, fmt.Sprintf("blackdetect=d=%s:pic_th=%s:pix_th=%s", detectNum(p.BlackMinDuration),
			detectNum(p.BlackPixelRatio), detectNum(p.BlackPixelThreshold)))
	}
	if p.Freeze {
		events = append(events, fmt.Sprintf("freezedetect=n=%sdB:d=%s", detectNum(p.FreezeNoiseDB), detectNum(p.FreezeMinDuration)))
	}
	var stats []string
	if p.videoStats() {
		stats = append(stats, "fps="+detectNum(p.StatsFPS))
	}
	if p.Blur {
		stats = append(stats, "blurdetect")
	}
	if p.Luma {
		stats = append(stats, "signalstats")
	}
	if p.Crop {
		stats = append(stats, fmt.Sprintf("cropdetect=limit=%d:round=2:skip=0:reset=1", p.CropLimit))
	}
	var out []string
	switch {
	case len(events) > 0 && len(stats) > 0:
		out = append(out, head+","+strings.Join(events, ",")+",split[ve][vs]",
			"[ve]"+detectPrinter("metadata", p.EventLog)+"[v]",
			"[vs]"+strings.Join(stats, ",")+","+detectPrinter("metadata", p.StatsLog)+"[s]")
	case len(events) > 0:
		out = append(out, head+","+strings.Join(events, ",")+","+detectPrinter("metadata", p.EventLog)+"[v]")
	default:
		out = append(out, head+","+strings.Join(stats, ",")+","+detectPrinter("metadata", p.StatsLog)+"[s]")
	}
	return out
}

func detectVideoMaps(p DetectParams) []string {
	var m []string
	if p.videoEvents() {
		m = append(m, "[v]")
	}
	if p.videoStats() {
		m = append(m, "[s]")
	}
	return m
}

// detectAudioChain runs ebur128 first: it re-cuts the audio into 100 ms frames,
// which would drop the metadata silencedetect put on the frames before it.
func detectAudioChain(p DetectParams) string {
	var f []string
	if p.Loudness {
		f = append(f, "ebur128=metadata=1")
	}
	if p.Silence {
		f = append(f, fmt.Sprintf("silencedetect=n=%sdB:d=%s", detectNum(p.SilenceNoiseDB), detectNum(p.SilenceMinDuration)))
	}
	return "[0:a:0]" + strings.Join(f, ",") + "," + detectPrinter("ametadata", p.AudioLog) + "[a]"
}

func detectPrinter(filter, file string) string { return filter + "=mode=print:file=" + file }

// num writes a threshold for a filter option: plain decimal, no exponent.
func detectNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Interval is a stretch of a media in seconds.
type Interval struct{ Start, End float64 }

// Sample is one measure of a sampled frame.
type Sample struct {
	Time  float64
	Value float64
}

// Rect is a box of pixels: X1,Y1 the top-left, X2,Y2 the bottom-right
// pixel, both inside it.
type Rect struct{ X1, Y1, X2, Y2 int }

// Width and Height of the box.
func (r Rect) Width() int  { return r.X2 - r.X1 + 1 }
func (r Rect) Height() int { return r.Y2 - r.Y1 + 1 }

// Detection is what a detection pass found. Intervals are closed at the
// media's end when a detector was still in its state there.
type Detection struct {
	Black, Freeze, Silence []Interval
	Blur, Luma             []Sample // Blur: blurdetect's value; Luma: mean luma 0–255
	// Content is the union of the boxes cropdetect found outside black
	// edges; ok false when no sampled frame had content.
	Content   Rect
	ContentOK bool
	// Loudness is the integrated loudness in LUFS; LoudnessOK false when
	// ebur128 did not measure any (no audio, or only silence).
	Loudness   float64
	LoudnessOK bool
}

// Detect runs the detection pass of p and parses its logs; duration (the
// media's, in seconds) closes intervals still open at the end.
func (r *Runner) Detect(ctx context.Context, p DetectParams, duration float64, onProgress func(Progress)) (*Detection, error) {
	args, err := DetectArgs(p)
	if err != nil {
		return nil, err
	}
	if err := r.Run(ctx, args, onProgress); err != nil {
		return nil, fmt.Errorf("detect %s: %w", p.Input, invalidMedia(err, "decoding failed: "))
	}
	d := &Detection{}
	for _, l := range []struct {
		path  string
		used  bool
		parse func(io.Reader, *Detection, float64) error
	}{{p.EventLog, p.videoEvents(), parseVideoEvents}, {p.StatsLog, p.videoStats(), parseVideoStats}, {p.AudioLog, p.audio(), parseAudio}} {
		if !l.used {
			continue
		}
		if err := parseDetectLog(l.path, d, duration, l.parse); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseDetectLog(path string, d *Detection, duration float64, parse func(io.Reader, *Detection, float64) error) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // the printer writes nothing (not even the file) without events
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return parse(f, d, duration)
}

// detectFrame is one frame of a metadata printer's log.
type detectFrame struct {
	time float64
	keys map[string]string
}

// readDetectMeta calls fn with each frame of a metadata printer's log:
//
//	frame:0    pts:0       pts_time:0
//	lavfi.black_start=2
func readDetectMeta(r io.Reader, fn func(detectFrame)) error {
	sc := bufio.NewScanner(r)
	var cur *detectFrame
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "frame:") {
			if cur != nil {
				fn(*cur)
			}
			cur = &detectFrame{time: detectFrameTime(line), keys: map[string]string{}}
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && cur != nil {
			cur.keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if cur != nil {
		fn(*cur)
	}
	return sc.Err()
}

func detectFrameTime(header string) float64 {
	for _, f := range strings.Fields(header) {
		if v, ok := strings.CutPrefix(f, "pts_time:"); ok {
			return parseFloat(v)
		}
	}
	return 0
}

// value reads a numeric key; NaN ("-nan", "nan") and missing keys are not
// values.
func (m detectFrame) value(key string) (float64, bool) {
	s, ok := m.keys[key]
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// detectPairer turns start/end events into intervals.
type detectPairer struct {
	open  bool
	start float64
	out   []Interval
}

func (p *detectPairer) begin(t float64) {
	if !p.open {
		p.open, p.start = true, t
	}
}

func (p *detectPairer) end(t float64) {
	if p.open && t > p.start {
		p.out = append(p.out, Interval{p.start, t})
	}
	p.open = false
}

// close ends an interval still open at the end of the media.
func (p *detectPairer) close(duration float64) []Interval {
	if p.open {
		p.end(max(duration, p.start))
	}
	if p.out == nil {
		return []Interval{}
	}
	return p.out
}

func parseVideoEvents(r io.Reader, d *Detection, duration float64) error {
	var black, freeze detectPairer
	err := readDetectMeta(r, func(f detectFrame) {
		if v, ok := f.value("lavfi.black_start"); ok {
			black.begin(v)
		}
		if v, ok := f.value("lavfi.black_end"); ok {
			black.end(v)
		}
		if v, ok := f.value("lavfi.freezedetect.freeze_start"); ok {
			freeze.begin(v)
		}
		if v, ok := f.value("lavfi.freezedetect.freeze_end"); ok {
			freeze.end(v)
		}
	})
	d.Black, d.Freeze = black.close(duration), freeze.close(duration)
	return err
}

func parseVideoStats(r io.Reader, d *Detection, _ float64) error {
	return readDetectMeta(r, func(f detectFrame) {
		if v, ok := f.value("lavfi.blur"); ok {
			d.Blur = append(d.Blur, Sample{f.time, v})
		}
		if v, ok := f.value("lavfi.signalstats.YAVG"); ok {
			d.Luma = append(d.Luma, Sample{f.time, v})
		}
		d.addCrop(f)
	})
}

// addCrop grows the content box by one frame's cropdetect box; a frame
// with no content (all black) gives an empty box and is skipped.
func (d *Detection) addCrop(f detectFrame) {
	var c [4]float64
	for i, k := range []string{"x1", "y1", "x2", "y2"} {
		v, ok := f.value("lavfi.cropdetect." + k)
		if !ok {
			return
		}
		c[i] = v
	}
	b := Rect{int(c[0]), int(c[1]), int(c[2]), int(c[3])}
	if b.X2 < b.X1 || b.Y2 < b.Y1 {
		return
	}
	if !d.ContentOK {
		d.Content, d.ContentOK = b, true
		return
	}
	d.Content = Rect{min(d.Content.X1, b.X1), min(d.Content.Y1, b.Y1), max(d.Content.X2, b.X2), max(d.Content.Y2, b.Y2)}
}

func parseAudio(r io.Reader, d *Detection, duration float64) error {
	var silence detectPairer
	err := readDetectMeta(r, func(f detectFrame) {
		if v, ok := f.value("lavfi.silence_start"); ok {
			silence.begin(max(v, 0))
		}
		if v, ok := f.value("lavfi.silence_end"); ok {
			silence.end(v)
		}
		// The integrated loudness so far; the last frame's is the file's.
		// ebur128 prints -70 (its gate) before it has measured anything.
		if v, ok := f.value("lavfi.r128.I"); ok && v > -70 {
			d.Loudness, d.LoudnessOK = v, true
		}
	})
	d.Silence = silence.close(duration)
	return err
}

// DecodeCheckArgs builds a decode of one stream ("v" or "a": the first
// video or audio stream) that stops at the first error.
func DecodeCheckArgs(input, stream string) []string {
	return []string{"-xerror", "-protocol_whitelist", localProtocols, "-i", input,
		"-map", "0:" + stream + ":0", "-f", "null", "-"}
}

// DecodeCheck decodes one stream of the file at path (see DecodeCheckArgs)
// and returns ffmpeg's words about the first error, or "" when the stream
// decodes cleanly. Other failures (a cancelled ctx) are errors.
func (r *Runner) DecodeCheck(ctx context.Context, path, stream string) (string, error) {
	err := r.Run(ctx, DecodeCheckArgs(path, stream), nil)
	if err == nil {
		return "", nil
	}
	var inv *InvalidMediaError
	if errors.As(invalidMedia(err, ""), &inv) {
		return inv.Reason, nil
	}
	return "", fmt.Errorf("decode check %s: %w", path, err)
}

package media

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

const (
	// snapshotsPerRun bounds the snapshots of one ffmpeg run: each is an
	// input of its own, with its own demuxer and decoder.
	snapshotsPerRun = 8

	// maxSheetSide bounds a sprite sheet's width and height in pixels:
	// WebP's limit, and above the templates' 15000.
	maxSheetSide = 16383

	// selectSlack is how far before its sampling time, in seconds, a frame
	// still counts as on time, so that frames exactly on a multiple of the
	// interval are not lost to rounding.
	selectSlack = 0.001
)

// ImageSpec says how still images are made: their size, following the
// templates' rules (the source size by default; never larger than the
// source unless Scale.Upscale), and their format.
type ImageSpec struct {
	Scale

	// Format is jpg (the default), png or webp.
	Format string

	// Overlays are drawn over each image after it is scaled; image
	// overlays are extra inputs of the run.
	Overlays []Overlay
}

// overlayImages returns the number of image overlays of s, checking all.
func (s ImageSpec) overlayImages() (int, error) {
	n := 0
	for k, o := range s.Overlays {
		if err := o.check(); err != nil {
			return 0, fmt.Errorf("overlay %d: %w", k, err)
		}
		if o.Image != "" {
			n++
		}
	}
	return n, nil
}

// overlayInputs returns the input arguments of the overlays' images.
func (s ImageSpec) overlayInputs() []string {
	var args []string
	for _, o := range s.Overlays {
		if o.Image != "" {
			args = append(args, inputArgs(o.Image, 0, 0)...)
		}
	}
	return args
}

// withOverlays returns graph, whose chain ends at label out, with the
// overlays drawn at its end: the chain then ends at out+"u" and the
// overlays read the image inputs numbered from input on.
func (s ImageSpec) withOverlays(chain func(out string) string, out string, w, h, input int) string {
	if len(s.Overlays) == 0 {
		return chain(out)
	}
	graph := append([]string{chain(out + "u")}, overlayGraph(out+"u", out, out, s.Overlays, w, h, input)...)
	return strings.Join(graph, ";")
}

// encoderArgs returns the image encoder's options.
func (s ImageSpec) encoderArgs() ([]string, error) {
	switch strings.ToLower(s.Format) {
	case "", "jpg", "jpeg":
		return []string{"-c:v", "mjpeg", "-q:v", "3"}, nil // ffmpeg's default quality is far lower
	case "png":
		return []string{"-c:v", "png"}, nil
	case "webp":
		return []string{"-c:v", "libwebp", "-quality", "80"}, nil
	}
	return nil, fmt.Errorf("%w: image format %q", ErrInvalidSpec, s.Format)
}

// Snapshot is one still image to take from the source.
type Snapshot struct {
	// At is the time in seconds from the start of the source. Templates
	// give percentages too: convert them with the video duration,
	// p.VideoDuration*percent/100.
	At float64

	// Path is the image file to write.
	Path string
}

// PlanSnapshots plans the runs that take the snapshots (by time offset,
// or a cover) from the source in (probed as p), in as few ffmpeg runs as
// practical: each snapshot is its own input seeking before -i to its time,
// so ffmpeg decodes from the keyframe before it instead of from the start,
// and one run holds up to 8 of them. The plans' Outputs follow shots, with
// Offset the time actually used.
//
// A time past the end of the video is ErrOffsetBeyondDuration; one
// between the last frame and the end takes the last frame, since ffmpeg
// would otherwise write nothing. A source without video is ErrNoStream.
func PlanSnapshots(in string, shots []Snapshot, img ImageSpec, p *Probe) ([]*Plan, error) {
	if p == nil {
		return nil, errors.New("plan snapshots: no probe of the source")
	}
	if len(shots) == 0 {
		return nil, fmt.Errorf("plan snapshots: %w: no snapshots", ErrInvalidSpec)
	}
	enc, err := img.encoderArgs()
	if err != nil {
		return nil, fmt.Errorf("plan snapshots: %w", err)
	}
	g, err := imageGeometry(img.Scale, p)
	if err != nil {
		return nil, fmt.Errorf("plan snapshots: %w", err)
	}
	nimg, err := img.overlayImages()
	if err != nil {
		return nil, fmt.Errorf("plan snapshots: %w", err)
	}
	var plans []*Plan
	for first := 0; first < len(shots); first += snapshotsPerRun {
		batch := shots[first:min(first+snapshotsPerRun, len(shots))]
		plan := &Plan{}
		var inputs, graph, outputs []string
		for k, s := range batch {
			at, err := snapshotTime(s.At, p)
			if err != nil {
				return nil, fmt.Errorf("plan snapshots: snapshot %d: %w", first+k, err)
			}
			if s.Path == "" {
				return nil, fmt.Errorf("plan snapshots: snapshot %d: %w: no path", first+k, ErrInvalidSpec)
			}
			out := "s" + strconv.Itoa(k)
			inputs = append(inputs, inputArgs(in, at, 0)...)
			src := streamRef(k, p.Video[0].Index)
			graph = append(graph, img.withOverlays(func(o string) string {
				return g.filters(src, o, out, nil, []string{"setsar=1"})
			}, out, g.w, g.h, len(batch)+k*nimg))
			outputs = append(outputs, "-map", "["+out+"]", "-frames:v", "1")
			outputs = append(outputs, enc...)
			outputs = append(outputs, "-f", "image2", "-update", "1", s.Path)
			plan.Outputs = append(plan.Outputs, Output{Path: s.Path, Width: g.w, Height: g.h, Video: true, Offset: at})
		}
		// Each snapshot's overlay images are inputs of their own, after
		// the snapshots' inputs.
		for range batch {
			inputs = append(inputs, img.overlayInputs()...)
		}
		plan.Args = append(append(inputs, "-filter_complex", strings.Join(graph, ";")), outputs...)
		plans = append(plans, plan)
	}
	return plans, nil
}

// snapshotTime checks a snapshot time against the video's length and
// moves a time after the last frame back onto it.
func snapshotTime(at float64, p *Probe) (float64, error) {
	at = max(at, 0)
	d := videoDuration(p)
	if d > 0 && at > d+selectSlack {
		return 0, fmt.Errorf("%w: %ss, duration %ss", ErrOffsetBeyondDuration, formatSeconds(at), formatSeconds(d))
	}
	return min(at, lastFrameTime(p)), nil
}

// videoDuration is the length of the source's video in seconds.
func videoDuration(p *Probe) float64 {
	if p.VideoDuration > 0 {
		return p.VideoDuration
	}
	return sourceDuration(p)
}

// lastFrameTime returns a time, to the millisecond, at which a seek lands
// on the last frame of the video: just before its timestamp, one frame
// before the end.
func lastFrameTime(p *Probe) float64 {
	d := videoDuration(p)
	if d <= 0 {
		return math.Inf(1)
	}
	return max(0, math.Floor((d-1/sourceFps(p))*1000-1)/1000)
}

// sourceFps is the frame rate of the source's video, 25 when unknown.
func sourceFps(p *Probe) float64 {
	if len(p.Video) > 0 && p.Video[0].FpsExact > 0 {
		return p.Video[0].FpsExact
	}
	return 25
}

// imageGeometry resolves the size of still images from the source.
func imageGeometry(s Scale, p *Probe) (frameGeometry, error) {
	sw, sh, err := displaySize(p)
	if err != nil {
		return frameGeometry{}, err
	}
	return s.geometry(sw, sh, false)
}

// SampleType says how a sampling interval is measured.
type SampleType string

// The sample types, as the templates name them.
const (
	SampleTime    SampleType = "Time"    // Interval is in seconds
	SamplePercent SampleType = "Percent" // Interval is a percentage of the duration
)

// Sampling picks frames at a regular interval, the first frame first: the
// k-th image is the first frame at or after k×Interval.
type Sampling struct {
	Type     SampleType // empty means SampleTime
	Interval float64
}

// seconds returns the interval in seconds for a video of duration d.
func (s Sampling) seconds(d float64) (float64, error) {
	var iv float64
	switch SampleType(strings.ToLower(string(s.Type))) {
	case "", "time":
		iv = s.Interval
	case "percent":
		iv = d * s.Interval / 100
	default:
		return 0, fmt.Errorf("%w: sample type %q", ErrInvalidSpec, s.Type)
	}
	if !(iv > 0) || math.IsInf(iv, 0) {
		return 0, fmt.Errorf("%w: sampling interval %g %s", ErrInvalidSpec, s.Interval, s.Type)
	}
	return iv, nil
}

// sampleFilters returns the filters that sample a video at interval iv
// seconds: timestamps restarted at zero, then select.
func sampleFilters(iv float64) []string {
	return []string{"setpts=PTS-STARTPTS",
		fmt.Sprintf("select='gte(t,selected_n*%s-%s)'", strconv.FormatFloat(iv, 'f', -1, 64), formatSeconds(selectSlack))}
}

// sampleCount returns how many frames sampling at iv seconds picks from
// the source's video, by playing the selection over its frame times.
func sampleCount(p *Probe, iv float64) int {
	fps := sourceFps(p)
	frames := int(math.Round(videoDuration(p) * fps))
	n := 0
	for j := range frames {
		if float64(j)/fps >= float64(n)*iv-selectSlack {
			n++
		}
	}
	return max(n, 1)
}

// SampleSpec describes sample snapshots: images at a regular interval,
// numbered from 0 (a SampleSnapshot template).
type SampleSpec struct {
	// Pattern is the images' file name pattern, with one %d.
	Pattern string

	Image ImageSpec
	Sampling
}

// PlanSampleSnapshots plans the run that writes sample snapshots of the
// source in (probed as p): one decode, with select keeping the first frame
// and then one frame per interval. The plan's only Output is the
// sequence: list its files after the run with SequenceFiles.
func PlanSampleSnapshots(in string, s SampleSpec, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan sample snapshots: no probe of the source")
	}
	plan, err := planSequence(in, s.Pattern, s.Image, s.Sampling, nil, p)
	if err != nil {
		return nil, fmt.Errorf("plan sample snapshots: %w", err)
	}
	return plan, nil
}

// SpriteSpec describes image sprites: thumbnails at a regular interval,
// tiled Columns×Rows per sheet (an ImageSprite template).
type SpriteSpec struct {
	// Pattern is the sheets' file name pattern, with one %d.
	Pattern string

	// Image gives the cell size and the sheets' format. Cells always have
	// the size asked for, enlarging a smaller source, since players place
	// them by it.
	Image ImageSpec

	Sampling
	Columns, Rows int
}

// SpriteLayout is where a sprite plan puts its thumbnails: what SpriteVTT
// needs besides the sheets' URLs.
type SpriteLayout struct {
	Columns, Rows         int
	CellWidth, CellHeight int
	Interval              float64 // seconds between thumbnails
	Count                 int     // thumbnails in all sheets
	Sheets                int     // sheets, the last one possibly part empty
}

// PlanSprites plans the run that writes the sprite sheets of the source
// in (probed as p): one decode, select picking a frame per interval, each
// scaled to the cell size and tiled into sheets by the tile filter (a
// last, incomplete sheet keeps the full size, its spare cells black). The
// plan's only Output is the sequence of sheets.
func PlanSprites(in string, s SpriteSpec, p *Probe) (*Plan, SpriteLayout, error) {
	if p == nil {
		return nil, SpriteLayout{}, errors.New("plan sprites: no probe of the source")
	}
	if s.Columns <= 0 || s.Rows <= 0 {
		return nil, SpriteLayout{}, fmt.Errorf("plan sprites: %w: %d columns × %d rows", ErrInvalidSpec, s.Columns, s.Rows)
	}
	img := s.Image
	img.Upscale = true
	plan, err := planSequence(in, s.Pattern, img, s.Sampling, []string{fmt.Sprintf("tile=%dx%d", s.Columns, s.Rows)}, p)
	if err != nil {
		return nil, SpriteLayout{}, fmt.Errorf("plan sprites: %w", err)
	}
	o := &plan.Outputs[0]
	l := SpriteLayout{Columns: s.Columns, Rows: s.Rows, CellWidth: o.Width, CellHeight: o.Height}
	if o.Width*s.Columns > maxSheetSide || o.Height*s.Rows > maxSheetSide {
		return nil, SpriteLayout{}, fmt.Errorf("plan sprites: %w: a sheet of %dx%d px is too large",
			ErrInvalidSpec, o.Width*s.Columns, o.Height*s.Rows)
	}
	o.Width, o.Height = o.Width*s.Columns, o.Height*s.Rows
	l.Interval, _ = s.seconds(videoDuration(p))
	l.Count = sampleCount(p, l.Interval)
	l.Sheets = (l.Count + s.Columns*s.Rows - 1) / (s.Columns * s.Rows)
	return plan, l, nil
}

// planSequence plans one decode that samples the video and writes the
// images, after the post filters, as a numbered sequence.
func planSequence(in, pattern string, img ImageSpec, smp Sampling, post []string, p *Probe) (*Plan, error) {
	if strings.Count(pattern, "%") != 1 {
		return nil, fmt.Errorf("%w: file name pattern %q needs exactly one %%d", ErrInvalidSpec, pattern)
	}
	enc, err := img.encoderArgs()
	if err != nil {
		return nil, err
	}
	g, err := imageGeometry(img.Scale, p)
	if err != nil {
		return nil, err
	}
	iv, err := smp.seconds(videoDuration(p))
	if err != nil {
		return nil, err
	}
	if _, err := img.overlayImages(); err != nil {
		return nil, err
	}
	var graph string
	if len(img.Overlays) > 0 {
		// The overlays go on each sampled image, before any tiling.
		graph = img.withOverlays(func(o string) string {
			return g.filters(streamRef(0, p.Video[0].Index), o, "o", sampleFilters(iv), []string{"setsar=1"})
		}, "w", g.w, g.h, 1)
		if len(post) > 0 {
			graph += ";[w]" + strings.Join(post, ",") + "[o]"
		} else {
			graph += ";[w]null[o]"
		}
	} else {
		graph = g.filters(streamRef(0, p.Video[0].Index), "o", "o", sampleFilters(iv), append([]string{"setsar=1"}, post...))
	}
	args := inputArgs(in, 0, 0)
	args = append(args, img.overlayInputs()...)
	args = append(args, "-filter_complex", graph, "-map", "[o]", "-fps_mode", "vfr")
	args = append(args, enc...)
	args = append(args, "-start_number", "0", "-f", "image2", pattern)
	return &Plan{
		Args:     args,
		Duration: videoDuration(p),
		Outputs:  []Output{{Path: pattern, Sequence: true, Width: g.w, Height: g.h, Video: true}},
	}, nil
}

// AnimationSpec describes an animated GIF or WebP cut from the source (an
// AnimatedGraphics template and task).
type AnimationSpec struct {
	Path string

	// Format is gif (the default) or webp.
	Format string

	// Fps is the frame rate; 0 keeps the source's, and a rate above the
	// source's is not applied.
	Fps float64

	Scale

	// Start and End select the part of the source, as in OutputSpec.
	Start, End float64

	// Quality is WebP's quality, 1 to 100; 0 means 75.
	Quality float64
}

// PlanAnimation plans the run that writes an animated GIF or WebP from
// the source in (probed as p). The input seeks to Start and stops at End.
// GIFs get a palette made for the clip (palettegen, then paletteuse in the
// same graph); WebPs are encoded by libwebp_anim. Both loop forever.
func PlanAnimation(in string, s AnimationSpec, p *Probe) (*Plan, error) {
	if p == nil {
		return nil, errors.New("plan animation: no probe of the source")
	}
	plan, err := planAnimation(in, s, p)
	if err != nil {
		return nil, fmt.Errorf("plan animation: %w", err)
	}
	return plan, nil
}

func planAnimation(in string, s AnimationSpec, p *Probe) (*Plan, error) {
	if s.Path == "" {
		return nil, fmt.Errorf("%w: no output path", ErrInvalidSpec)
	}
	g, err := imageGeometry(s.Scale, p)
	if err != nil {
		return nil, err
	}
	duration := videoDuration(p)
	start, end, err := resolveTrim(s.Start, s.End, duration)
	if err != nil {
		return nil, err
	}
	fps, fpsFilter := outputFps(s.Fps, p.Video[0].FpsExact)
	var pre []string
	if fpsFilter > 0 {
		pre = append(pre, "fps="+formatSeconds(fpsFilter))
	}
	src := streamRef(0, p.Video[0].Index)
	var graph string
	var enc []string
	switch strings.ToLower(s.Format) {
	case "", "gif":
		graph = g.filters(src, "g", "g", pre, []string{"setsar=1"}) +
			";[g]split[g0][g1];[g0]palettegen=stats_mode=diff[pal]" +
			";[g1][pal]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[o]"
		enc = []string{"-loop", "0", "-f", "gif"}
	case "webp":
		graph = g.filters(src, "o", "o", pre, []string{"setsar=1"})
		q := s.Quality
		if q <= 0 {
			q = 75
		}
		enc = []string{"-c:v", "libwebp_anim", "-quality", formatSeconds(min(q, 100)), "-loop", "0", "-f", "webp"}
	default:
		return nil, fmt.Errorf("%w: animation format %q", ErrInvalidSpec, s.Format)
	}
	args := inputArgs(in, start, end)
	args = append(args, "-filter_complex", graph, "-map", "[o]")
	args = append(args, enc...)
	args = append(args, s.Path)
	if end == 0 {
		end = duration
	}
	return &Plan{
		Args:     args,
		Duration: end - start,
		Outputs:  []Output{{Path: s.Path, Width: g.w, Height: g.h, Video: true, Fps: fps}},
	}, nil
}

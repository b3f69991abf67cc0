package media

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ComposeArgs returns the ffmpeg arguments that render s into the file out
// (mp4, or mp3 when s.AudioOnly), and the output's duration in seconds.
//
// Each media item is one input, cut to its part of the source with -ss and
// -t (a still picture is held by the loop filter). A video track becomes one
// canvas-sized picture with transparency: each clip is scaled, turned and
// placed on a transparent layer of the canvas, gaps are transparent
// layers, and the pieces are joined by concat or, across a transition, by
// xfade. The tracks are overlaid in order on a plain canvas lasting the
// whole timeline, stickers directly at their place and time. Every sound
// (audio items, and the sound of video clips) is cut, sped up or slowed
// down, set to its gain, crossfaded across audio transitions, delayed to
// its start and mixed without normalisation over silence of the whole
// length.
func ComposeArgs(s ComposeSpec, out string) ([]string, float64, error) {
	if err := s.check(); err != nil {
		return nil, 0, err
	}
	tl, err := s.layout()
	if err != nil {
		return nil, 0, err
	}
	s.Width, s.Height = s.Width&^1, s.Height&^1
	g := &composeGraph{s: s, tl: tl}
	for _, lt := range tl.tracks {
		for _, c := range lt.clips {
			c.input = len(g.inputs)
			g.inputs = append(g.inputs, g.inputArgs(c))
		}
	}
	var args []string
	for _, in := range g.inputs {
		args = append(args, in...)
	}
	var maps []string
	if s.wantVideo() {
		g.video()
		maps = append(maps, "-map", "[vout]", "-c:v", "libx264", "-preset", DefaultPreset, "-crf", "23",
			"-pix_fmt", "yuv420p", "-r", strconv.Itoa(s.Fps))
	}
	if s.wantAudio() {
		g.audio()
		enc := "aac"
		if s.AudioOnly {
			enc = "libmp3lame"
		}
		maps = append(maps, "-map", "[aout]", "-c:a", enc, "-ar", strconv.Itoa(s.SampleRate), "-ac", strconv.Itoa(s.Channels))
		if s.AudioBitrate > 0 {
			maps = append(maps, "-b:a", strconv.Itoa(s.AudioBitrate)+"k")
		}
	}
	args = append(args, "-filter_complex", strings.Join(g.graph, ";"))
	args = append(args, maps...)
	args = append(args, "-t", fmtNum(tl.duration))
	if s.AudioOnly {
		args = append(args, "-f", "mp3", out)
	} else {
		args = append(args, "-movflags", "+faststart", "-f", "mp4", out)
	}
	return args, tl.duration, nil
}

// Duration validates s as ComposeArgs does, without sources on disk, and
// returns the length of its output in seconds; errors match
// ErrInvalidSpec, ErrNoStream or ErrOffsetBeyondDuration.
func (s ComposeSpec) Duration() (float64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	tl, err := s.layout()
	if err != nil {
		return 0, err
	}
	return tl.duration, nil
}

// check validates the output settings of s.
func (s ComposeSpec) check() error {
	if !s.wantVideo() && !s.wantAudio() {
		return fmt.Errorf("%w: the output would have neither video nor audio", ErrInvalidSpec)
	}
	if s.wantVideo() {
		if s.Width < 2 || s.Height < 2 || s.Width > 4096 || s.Height > 4096 {
			return fmt.Errorf("%w: canvas %dx%d", ErrInvalidSpec, s.Width, s.Height)
		}
		if s.Fps < 1 || s.Fps > 60 {
			return fmt.Errorf("%w: frame rate %d", ErrInvalidSpec, s.Fps)
		}
		if !validColor(s.Background) {
			return fmt.Errorf("%w: canvas colour %q", ErrInvalidSpec, s.Background)
		}
	}
	if s.wantAudio() && (s.SampleRate < 8000 || s.SampleRate > 96000 || (s.Channels != 1 && s.Channels != 2)) {
		return fmt.Errorf("%w: audio %d Hz, %d channels", ErrInvalidSpec, s.SampleRate, s.Channels)
	}
	return nil
}

// validColor accepts colour names and 0xRRGGBB only: the value goes into
// the filter graph.
func validColor(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (s ComposeSpec) wantVideo() bool { return !s.AudioOnly && !s.NoVideo }
func (s ComposeSpec) wantAudio() bool { return !s.NoAudio }

// composeGraph collects the inputs and the filter graph of a composition.
type composeGraph struct {
	s      ComposeSpec
	tl     *timeline
	inputs [][]string
	graph  []string
	n      int // label counter
}

// label returns a new unique stream label.
func (g *composeGraph) label(prefix string) string {
	g.n++
	return prefix + strconv.Itoa(g.n)
}

// inputArgs returns the input options of a clip's source.
func (g *composeGraph) inputArgs(c *clip) []string {
	src := c.it.Source
	if src.Still {
		// Held by the loop filter: -loop is an option of the image2
		// demuxer only, and a GIF or a file without an extension has
		// another.
		return []string{"-protocol_whitelist", localProtocols, "-i", src.Path}
	}
	var a []string
	if c.it.From > 0 {
		a = append(a, "-ss", fmtNum(c.it.From))
	}
	return append(a, "-t", fmtNum(c.take), "-protocol_whitelist", localProtocols, "-i", src.Path)
}

// video builds the picture: the canvas, then each track over it in order,
// ending at label vout.
func (g *composeGraph) video() {
	s := g.s
	cur := g.label("v")
	g.graph = append(g.graph, fmt.Sprintf("color=c=%s:s=%dx%d:r=%d:d=%s,format=yuv420p[%s]",
		s.Background, s.Width, s.Height, s.Fps, fmtNum(g.tl.duration), cur))
	for _, lt := range g.tl.tracks {
		switch lt.kind {
		case TrackVideo:
			if trk := g.videoTrack(lt); trk != "" {
				next := g.label("v")
				g.graph = append(g.graph, fmt.Sprintf("[%s][%s]overlay=eof_action=pass:format=auto[%s]", cur, trk, next))
				cur = next
			}
		case TrackSticker:
			for _, c := range lt.clips {
				cur = g.sticker(cur, c)
			}
		}
	}
	g.graph = append(g.graph, fmt.Sprintf("[%s]format=yuv420p,setsar=1[vout]", cur))
}

// videoTrack joins the pieces of a video track into one transparent
// canvas-sized picture starting at 0, and returns its label ("" for a
// track without clips). Each piece ends on the frame nearest its end on
// the timeline, so that pieces of fractional frames do not push the ones
// after them out of step with their sound.
func (g *composeGraph) videoTrack(lt laidTrack) string {
	if len(lt.clips) == 0 {
		return ""
	}
	frame := func(t float64) int { return int(math.Round(t * float64(g.s.Fps))) }
	var (
		cur    string
		frames int     // frames joined so far
		pos    float64 // where the joined pieces end on the timeline
	)
	for _, seg := range lt.segs {
		start, end := pos, pos+seg.gap
		if seg.clip != nil {
			start, end = seg.clip.start, seg.clip.start+seg.clip.length
		}
		n := max(1, frame(end)-frame(start))
		var piece string
		if seg.clip == nil {
			piece = g.label("g")
			g.graph = append(g.graph, g.transparent(n)+",settb=AVTB["+piece+"]")
		} else {
			piece = g.layer(seg.clip, n)
		}
		pos = end
		if cur == "" {
			cur, frames = piece, n
			continue
		}
		next := g.label("j")
		if seg.xfade == "" {
			g.graph = append(g.graph, fmt.Sprintf("[%s][%s]concat=n=2:v=1:a=0[%s]", cur, piece, next))
			frames += n
			cur = next
			continue
		}
		tr := "transition=" + seg.xfade
		if seg.xfade == "cut" {
			tr = "transition=custom:expr=B"
		}
		overlap := min(max(1, frame(seg.clip.start+seg.overlap)-frame(start)), frames, n)
		// The transition starts on the first frame of the overlap: half a
		// frame earlier is safe from rounding.
		g.graph = append(g.graph, fmt.Sprintf("[%s][%s]xfade=%s:duration=%s:offset=%s[%s]",
			cur, piece, tr, g.frameTime(float64(overlap)), g.frameTime(max(0, float64(frames-overlap)-0.5)), next))
		frames += n - overlap
		cur = next
	}
	return cur
}

// frameTime writes the time of n frames, to the microsecond.
func (g *composeGraph) frameTime(n float64) string {
	return strconv.FormatFloat(math.Round(n/float64(g.s.Fps)*1e6)/1e6, 'f', -1, 64)
}

// transparent is a source of n transparent canvas-sized frames (color
// makes frames while their time is below d: half a frame less than n is
// n, whatever the rounding).
func (g *composeGraph) transparent(n int) string {
	return fmt.Sprintf("color=c=black@0:s=%dx%d:r=%d:d=%s,format=yuva420p", g.s.Width, g.s.Height, g.s.Fps, g.frameTime(float64(n)-0.5))
}

// layer draws clip c at its place on a transparent canvas layer of n
// frames, and returns the layer's label.
func (g *composeGraph) layer(c *clip, n int) string {
	pic, w, h := g.picture(c)
	x, y := g.position(c.it, w, h)
	bg, out := g.label("l"), g.label("s")
	g.graph = append(g.graph, g.transparent(n)+"["+bg+"]",
		fmt.Sprintf("[%s][%s]overlay=x=%d:y=%d:eof_action=pass:format=auto,format=yuva420p,settb=AVTB[%s]", bg, pic, x, y, out))
	return out
}

// sticker draws clip c over the picture at label cur for its time on the
// timeline and returns the new picture's label.
func (g *composeGraph) sticker(cur string, c *clip) string {
	pic, w, h := g.picture(c)
	x, y := g.position(c.it, w, h)
	moved, next := g.label("m"), g.label("v")
	g.graph = append(g.graph, fmt.Sprintf("[%s]setpts=PTS+%s/TB[%s]", pic, fmtNum(c.start), moved),
		fmt.Sprintf("[%s][%s]overlay=x=%d:y=%d:eof_action=pass:format=auto:enable='between(t,%s,%s)'[%s]",
			cur, moved, x, y, fmtNum(c.start), fmtNum(c.start+c.length), next))
	return next
}

// picture builds the frames of clip c, timed from 0, scaled, flipped and
// turned, with transparency around a turned picture; it returns their
// label and size.
func (g *composeGraph) picture(c *clip) (string, int, int) {
	it, s := c.it, g.s
	chain := []string{fmt.Sprintf("[%d:v]trim=duration=%s", c.input, fmtNum(c.take)), "setpts=PTS-STARTPTS"}
	if it.Source.Still {
		chain = []string{fmt.Sprintf("[%d:v]loop=loop=-1:size=1,setpts=N/%d/TB,trim=duration=%s", c.input, s.Fps, fmtNum(c.take))}
	}
	if !it.Source.Still && math.Abs(c.length-c.take) > 1e-6 {
		chain = append(chain, "setpts="+fmtNum(c.length/c.take)+"*PTS")
	}
	w, h := itemSize(it, s.Width, s.Height)
	chain = append(chain, "fps="+strconv.Itoa(s.Fps), fmt.Sprintf("scale=%d:%d", w, h), "setsar=1", "format=yuva420p")
	if it.FlipH {
		chain = append(chain, "hflip")
	}
	if it.FlipV {
		chain = append(chain, "vflip")
	}
	if a := math.Mod(it.Rotate, 360); a != 0 {
		rad := a * math.Pi / 180
		bw := int(math.Ceil(math.Abs(float64(w)*math.Cos(rad)) + math.Abs(float64(h)*math.Sin(rad)) - 1e-9))
		bh := int(math.Ceil(math.Abs(float64(w)*math.Sin(rad)) + math.Abs(float64(h)*math.Cos(rad)) - 1e-9))
		chain = append(chain, fmt.Sprintf("rotate=a=%s*PI/180:ow=%d:oh=%d:c=none", fmtNum(a), bw, bh))
		w, h = bw, bh
	}
	out := g.label("p")
	g.graph = append(g.graph, strings.Join(chain, ",")+"["+out+"]")
	return out, w, h
}

// itemSize resolves an item's drawn size on a w×h canvas: its Width and
// Height, one of them from the other and the source's shape, or the
// source's own size.
func itemSize(it *ComposeItem, cw, ch int) (int, int) {
	w, h := it.Width.pixels(cw, cw, ch), it.Height.pixels(ch, cw, ch)
	sw, sh := it.Source.Width, it.Source.Height
	switch {
	case w <= 0 && h <= 0:
		w, h = sw, sh
	case w <= 0 && sh > 0:
		w = int(math.Round(float64(h) * float64(sw) / float64(sh)))
	case h <= 0 && sw > 0:
		h = int(math.Round(float64(w) * float64(sh) / float64(sw)))
	}
	return max(1, w), max(1, h)
}

// position returns the top-left corner of a w×h picture whose centre is
// moved by the item's X and Y from the canvas centre.
func (g *composeGraph) position(it *ComposeItem, w, h int) (int, int) {
	cw, ch := g.s.Width, g.s.Height
	x := float64(cw)/2 + float64(it.X.pixels(cw, cw, ch)) - float64(w)/2
	y := float64(ch)/2 + float64(it.Y.pixels(ch, cw, ch)) - float64(h)/2
	return int(math.Round(x)), int(math.Round(y))
}

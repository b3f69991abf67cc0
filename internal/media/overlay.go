package media

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Origin is the corner of the frame an overlay's position counts from: the
// templates' CoordinateOrigin words. The empty Origin is OriginTopLeft.
type Origin string

// The origins.
const (
	OriginTopLeft     Origin = "topLeft"
	OriginTopRight    Origin = "topRight"
	OriginBottomLeft  Origin = "bottomLeft"
	OriginBottomRight Origin = "bottomRight"
)

// Length is an offset or size on the output frame: pixels, or a percentage
// of the frame's width (for X and Width) or height (for Y and Height), or,
// with Of set, of the dimension Of names.
type Length struct {
	Value   float64
	Percent bool
	// Of is the dimension a percentage is of, as SVG watermark sizes say:
	// 'W' width, 'H' height, 'S' the shorter side, 'L' the longer side; 0
	// means the dimension the length lies along.
	Of byte
}

// ParseLength parses the API's "10%", "20px" and "10W%" (also H%, S%, L%)
// strings; the empty string is zero.
func ParseLength(s string) (Length, error) {
	var l Length
	num := s
	switch {
	case s == "":
		return l, nil
	case len(s) > 2 && strings.HasSuffix(s, "%") && strings.IndexByte("WHSL", s[len(s)-2]) >= 0:
		l.Percent, l.Of, num = true, s[len(s)-2], s[:len(s)-2]
	case strings.HasSuffix(s, "%"):
		l.Percent, num = true, strings.TrimSuffix(s, "%")
	case strings.HasSuffix(s, "px"):
		num = strings.TrimSuffix(s, "px")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return Length{}, fmt.Errorf("%w: length %q is not like \"10%%\" or \"20px\"", ErrInvalidSpec, s)
	}
	l.Value = v
	return l, nil
}

// pixels resolves l on a frame dimension of n pixels (w×h the frame).
func (l Length) pixels(n, w, h int) int {
	if !l.Percent {
		return int(math.Round(l.Value))
	}
	switch l.Of {
	case 'W':
		n = w
	case 'H':
		n = h
	case 'S':
		n = min(w, h)
	case 'L':
		n = max(w, h)
	}
	return int(math.Round(l.Value * float64(n) / 100))
}

// Overlay is something drawn over an output's video after it is scaled:
// an image (a watermark picture), text, or a mosaic (a pixelated box).
// Exactly one of Image, Text and Mosaic is set.
type Overlay struct {
	// Image is the local path of a picture (PNG, JPEG, GIF, SVG). It becomes an
	// input of the run; its first frame is drawn for the whole window.
	Image string

	// Text, if not nil, draws a line of text.
	Text *TextOverlay

	// Mosaic pixelates the Width×Height box at the position.
	Mosaic bool

	// Origin is the corner X and Y count from, towards the frame's centre;
	// they place the overlay's corner of the same name.
	Origin Origin
	X, Y   Length

	// Width and Height are the image's drawn size (one of them zero keeps
	// its shape; both zero keep its own size) or the mosaic's box (both
	// required). Text ignores them.
	Width, Height Length

	// Transparency is an image's transparency in percent, 0 (opaque) to
	// 100.
	Transparency int

	// Start and End are the window of output time, in seconds, in which the
	// overlay shows; End 0 means to the end.
	Start, End float64
}

// TextOverlay is the text of an Overlay.
type TextOverlay struct {
	// Text is drawn as given: no % expansion.
	Text string

	// FontFile is the path of a TrueType or OpenType font; required, since
	// drawtext's built-in default depends on fontconfig.
	FontFile string

	// Size is the font size in pixels.
	Size int

	// Color is 0xRRGGBB (or an ffmpeg colour name); empty means white.
	Color string

	// Alpha is the text's opacity, above 0 to 1; 0 means 1.
	Alpha float64
}

// check validates o.
func (o Overlay) check() error {
	n := 0
	if o.Image != "" {
		n++
	}
	if o.Text != nil {
		n++
	}
	if o.Mosaic {
		n++
	}
	if n != 1 {
		return fmt.Errorf("%w: an overlay needs exactly one of an image, text or a mosaic", ErrInvalidSpec)
	}
	switch o.Origin {
	case "", OriginTopLeft, OriginTopRight, OriginBottomLeft, OriginBottomRight:
	default:
		return fmt.Errorf("%w: overlay origin %q", ErrInvalidSpec, o.Origin)
	}
	if o.Start < 0 || o.End < 0 || (o.End > 0 && o.End <= o.Start) {
		return fmt.Errorf("%w: overlay window %gs to %gs", ErrInvalidSpec, o.Start, o.End)
	}
	if o.Transparency < 0 || o.Transparency > 100 {
		return fmt.Errorf("%w: overlay transparency %d%%", ErrInvalidSpec, o.Transparency)
	}
	if t := o.Text; t != nil {
		switch {
		case t.FontFile == "":
			return fmt.Errorf("%w: text overlays need a font file", ErrInvalidSpec)
		case t.Size <= 0:
			return fmt.Errorf("%w: text overlay font size %d", ErrInvalidSpec, t.Size)
		case t.Alpha < 0 || t.Alpha > 1:
			return fmt.Errorf("%w: text overlay alpha %g", ErrInvalidSpec, t.Alpha)
		}
	}
	if o.Mosaic && (o.Width.Value <= 0 || o.Height.Value <= 0) {
		return fmt.Errorf("%w: a mosaic needs a width and a height", ErrInvalidSpec)
	}
	return nil
}

// overlayGraph returns the filter graph text that draws ovs, in order, over
// the w×h picture at label in and ends at label out. Image overlays read
// the video of the inputs numbered from input on, one each, in order; id
// makes the graph's labels unique.
func overlayGraph(in, out, id string, ovs []Overlay, w, h, input int) []string {
	var graph []string
	cur := in
	for k, o := range ovs {
		next := fmt.Sprintf("%so%d", id, k)
		if k == len(ovs)-1 {
			next = out
		}
		enable := enableOption(o.Start, o.End)
		x, y := o.X.pixels(w, w, h), o.Y.pixels(h, w, h)
		right := o.Origin == OriginTopRight || o.Origin == OriginBottomRight
		bottom := o.Origin == OriginBottomLeft || o.Origin == OriginBottomRight
		pos := func(wv, hv string) string {
			xs, ys := strconv.Itoa(x), strconv.Itoa(y)
			if right {
				xs = wv + "-" + xs
			}
			if bottom {
				ys = hv + "-" + ys
			}
			return "x=" + xs + ":y=" + ys
		}
		switch {
		case o.Image != "":
			var chain []string
			if iw, ih := o.Width.pixels(w, w, h), o.Height.pixels(h, w, h); iw > 0 || ih > 0 {
				chain = append(chain, fmt.Sprintf("scale=%d:%d", orKeep(iw), orKeep(ih)))
			}
			if o.Transparency > 0 {
				chain = append(chain, "format=rgba", "colorchannelmixer=aa="+formatRatio(1-float64(o.Transparency)/100))
			}
			if len(chain) == 0 {
				chain = []string{"null"}
			}
			pic := fmt.Sprintf("%si%d", id, k)
			graph = append(graph, fmt.Sprintf("[%d:v]%s[%s]", input, strings.Join(chain, ","), pic),
				fmt.Sprintf("[%s][%s]overlay=%s%s[%s]", cur, pic, pos("main_w-overlay_w", "main_h-overlay_h"), enable, next))
			input++
		case o.Text != nil:
			t := o.Text
			color := t.Color
			if color == "" {
				color = "white"
			}
			if t.Alpha > 0 && t.Alpha < 1 {
				color += "@" + formatRatio(t.Alpha)
			}
			graph = append(graph, fmt.Sprintf("[%s]drawtext=fontfile=%s:text=%s:expansion=none:fontsize=%d:fontcolor=%s:%s%s[%s]",
				cur, escapeFilterValue(t.FontFile), escapeFilterValue(t.Text), t.Size, color, pos("w-text_w", "h-text_h"), enable, next))
		case o.Mosaic:
			bw, bh := min(evenDown(o.Width.pixels(w, w, h)), evenDown(w)), min(evenDown(o.Height.pixels(h, w, h)), evenDown(h))
			if right {
				x = w - bw - x
			}
			if bottom {
				y = h - bh - y
			}
			x, y = evenDown(min(max(x, 0), w-bw)), evenDown(min(max(y, 0), h-bh))
			// Pixelate: shrink the box to blocks of about a tenth of its
			// shorter side, then enlarge it back without smoothing.
			block := max(2, min(bw, bh)/10)
			sw, sh := max(1, (bw+block-1)/block), max(1, (bh+block-1)/block)
			base, box, mos := fmt.Sprintf("%sm%db", id, k), fmt.Sprintf("%sm%dc", id, k), fmt.Sprintf("%sm%dp", id, k)
			graph = append(graph, fmt.Sprintf("[%s]split[%s][%s]", cur, base, box),
				fmt.Sprintf("[%s]crop=%d:%d:%d:%d,scale=%d:%d,scale=%d:%d:flags=neighbor[%s]", box, bw, bh, x, y, sw, sh, bw, bh, mos),
				fmt.Sprintf("[%s][%s]overlay=x=%d:y=%d%s[%s]", base, mos, x, y, enable, next))
		}
		cur = next
	}
	return graph
}

// enableOption returns the timeline option showing a filter in [start,
// end) seconds, with its leading colon; none for the whole output.
func enableOption(start, end float64) string {
	switch {
	case end > 0:
		return fmt.Sprintf(":enable='between(t,%s,%s)'", formatSeconds(start), formatSeconds(end))
	case start > 0:
		return fmt.Sprintf(":enable='gte(t,%s)'", formatSeconds(start))
	}
	return ""
}

// orKeep turns a zero size into scale's "keep the shape" value.
func orKeep(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// evenDown is the largest even number not above n, at least 2.
func evenDown(n int) int { return max(2, n&^1) }

// formatRatio formats a number between 0 and 1 with at most three decimals.
func formatRatio(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}

// escapeFilterValue escapes an option value for a filter graph: once for
// the filter's option parser (\ ' :) and once for the graph's parser
// (\ ' [ ] , ;), as ffmpeg-filters' "Notes on filtergraph escaping" say.
func escapeFilterValue(s string) string {
	return escapeChars(escapeChars(s, `\':`), `\'[],;`)
}

func escapeChars(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

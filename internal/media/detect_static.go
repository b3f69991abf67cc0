package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
)

// StaticParams says how to look for a static overlay (a logo or caption
// burnt into every frame) in a video: Frames grey frames of Width x Height
// (the display size scaled down), spread evenly over Duration seconds.
type StaticParams struct {
	Input         string
	Width, Height int
	Frames        int
	Duration      float64
}

// StaticFrameArgs builds the ffmpeg arguments that write the sampled grey
// frames of p, one after the other, to standard output.
func StaticFrameArgs(p StaticParams) []string {
	rate := float64(p.Frames) / max(p.Duration, 0.1)
	return []string{"-protocol_whitelist", localProtocols, "-i", p.Input, "-map", "0:v:0",
		"-vf", fmt.Sprintf("fps=%s,scale=%d:%d:flags=area,format=gray", detectNum(rate), p.Width, p.Height),
		"-frames:v", fmt.Sprint(p.Frames), "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"}
}

// Static analysis thresholds, in grey levels of the sampled frames.
const (
	// staticMaxStdDev is the most a pixel of an overlay varies over time:
	// an overlay is the same in every frame, up to compression noise.
	staticMaxStdDev = 6.0
	// staticMinMoving is the share of pixels that must change for the
	// picture to count as moving; on a still picture nothing stands out.
	staticMinMoving = 0.5
	// staticMaxSide bounds an overlay's box to this share of the frame's
	// width and of its height: a larger static area is scenery.
	staticMaxSide = 0.45
	// staticMinArea is the least share of the frame an overlay covers.
	staticMinArea = 0.001
	// staticEdge is the least difference, across a pixel of the mean
	// picture, that makes an edge; staticEdgeReach how far (in sampled
	// pixels) from an edge a still pixel may be to belong to an overlay.
	// Overlays have outlines; still flat areas (black bars, a plain
	// background) do not, and without this they would swallow a logo
	// drawn over them.
	staticEdge      = 24.0
	staticEdgeReach = 1
)

// StaticRegion samples the frames of p and returns the box, in the sampled
// frames' pixels, of the largest region that stays still while the rest of
// the picture moves; found is false when there is none. It holds two
// float64 planes of the sampled size and one frame, whatever the input.
func (r *Runner) StaticRegion(ctx context.Context, p StaticParams) (box Rect, found bool, err error) {
	if p.Width < 8 || p.Height < 8 || p.Frames < 3 {
		return Rect{}, false, errors.New("static region: the sample is too small")
	}
	a := newStaticAnalyzer(p.Width, p.Height)
	var readErr error
	full := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, withThreads(StaticFrameArgs(p), r.Threads)...)
	err = r.exec(ctx, "ffmpeg", r.ffmpegPath(), full, func(rd io.Reader) {
		frame := make([]byte, p.Width*p.Height)
		for {
			if _, err := io.ReadFull(rd, frame); err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					readErr = err
				}
				return
			}
			a.add(frame)
		}
	})
	if err != nil {
		return Rect{}, false, fmt.Errorf("static region %s: %w", p.Input, invalidMedia(err, "decoding failed: "))
	}
	if readErr != nil {
		return Rect{}, false, readErr
	}
	box, found = a.region()
	return box, found, nil
}

// staticAnalyzer keeps each pixel's running mean and sum of squared
// deviations (Welford), so that frames are seen once and not kept.
type staticAnalyzer struct {
	w, h     int
	n        int
	mean, m2 []float64
}

func newStaticAnalyzer(w, h int) *staticAnalyzer {
	return &staticAnalyzer{w: w, h: h, mean: make([]float64, w*h), m2: make([]float64, w*h)}
}

func (a *staticAnalyzer) add(frame []byte) {
	a.n++
	for i, b := range frame {
		v := float64(b)
		d := v - a.mean[i]
		a.mean[i] += d / float64(a.n)
		a.m2[i] += d * (v - a.mean[i])
	}
}

// staticMask marks the pixels whose standard deviation over the frames is
// at most staticMaxStdDev and that lie near an edge of the mean picture,
// and returns the share of pixels that vary more.
func (a *staticAnalyzer) staticMask() ([]bool, float64) {
	near := a.nearEdges()
	mask := make([]bool, len(a.m2))
	moving := 0
	for i, m2 := range a.m2 {
		if math.Sqrt(m2/float64(a.n)) > staticMaxStdDev {
			moving++
		} else if near[i] {
			mask[i] = true
		}
	}
	return mask, float64(moving) / float64(len(mask))
}

// nearEdges marks the pixels within staticEdgeReach of an edge of the
// mean picture (a central difference of at least staticEdge across or
// down).
func (a *staticAnalyzer) nearEdges() []bool {
	w, h := a.w, a.h
	at := func(x, y int) float64 { return a.mean[min(max(y, 0), h-1)*w+min(max(x, 0), w-1)] }
	near := make([]bool, w*h)
	for y := range h {
		for x := range w {
			if math.Abs(at(x+1, y)-at(x-1, y)) < staticEdge && math.Abs(at(x, y+1)-at(x, y-1)) < staticEdge {
				continue
			}
			for ny := max(y-staticEdgeReach, 0); ny <= min(y+staticEdgeReach, h-1); ny++ {
				for nx := max(x-staticEdgeReach, 0); nx <= min(x+staticEdgeReach, w-1); nx++ {
					near[ny*w+nx] = true
				}
			}
		}
	}
	return near
}

// region finds the largest 8-connected static staticComponent whose box is
// small enough to be an overlay, on a picture that mostly moves.
func (a *staticAnalyzer) region() (Rect, bool) {
	if a.n < 3 {
		return Rect{}, false
	}
	mask, moving := a.staticMask()
	if moving < staticMinMoving {
		return Rect{}, false
	}
	best, bestArea := Rect{}, 0
	for _, c := range staticComponents(mask, a.w, a.h) {
		b := c.box
		if float64(b.Width()) > staticMaxSide*float64(a.w) || float64(b.Height()) > staticMaxSide*float64(a.h) {
			continue
		}
		if float64(c.area) < staticMinArea*float64(a.w*a.h) || c.area <= bestArea {
			continue
		}
		best, bestArea = b, c.area
	}
	return best, bestArea > 0
}

type staticComponent struct {
	box  Rect
	area int
}

// staticComponents labels the 8-connected regions of set pixels with an
// explicit stack (no recursion on large masks).
func staticComponents(mask []bool, w, h int) []staticComponent {
	seen := make([]bool, len(mask))
	var out []staticComponent
	var stack []int
	for start, set := range mask {
		if !set || seen[start] {
			continue
		}
		c := staticComponent{box: Rect{w, h, -1, -1}}
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			c.area++
			c.box = Rect{min(c.box.X1, x), min(c.box.Y1, y), max(c.box.X2, x), max(c.box.Y2, y)}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					if j := ny*w + nx; mask[j] && !seen[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

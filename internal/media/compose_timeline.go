package media

import (
	"fmt"
	"math"
)

// Speed changes (Duration over TargetDuration) are bounded so that audio
// needs a short chain of atempo filters and video stays watchable.
const (
	minComposeTempo = 0.1
	maxComposeTempo = 10
)

// MaxComposeDuration bounds a composition's output, in seconds (12 h): a
// stray gap of days would otherwise keep an encoder busy for as long.
const MaxComposeDuration = 12 * 3600

// clip is a media item placed on the output timeline.
type clip struct {
	it     *ComposeItem
	kind   TrackKind
	start  float64 // on the output timeline, seconds
	length float64 // on the output timeline
	take   float64 // seconds read from the source
	// fadeIn and fadeOut are the sound crossfades at its ends.
	fadeIn, fadeOut float64
	input           int // ffmpeg input number, set by ComposeArgs
}

// segment is a piece of a video track's picture: a clip or a gap, joined
// to the piece before it by a cut or, when xfade is set, a transition of
// overlap seconds.
type segment struct {
	clip    *clip // nil for a gap
	gap     float64
	xfade   string
	overlap float64
}

// laidTrack is a track placed on the timeline.
type laidTrack struct {
	kind  TrackKind
	segs  []segment // video tracks
	clips []*clip
	end   float64
}

// timeline is a composition placed on the output timeline.
type timeline struct {
	tracks   []laidTrack
	duration float64
}

// layout places every item of s on the output timeline: items of a track
// follow each other, empty items leave gaps, a transition pulls the next
// item back over the one before it, and a sticker with a start time is
// placed there.
func (s ComposeSpec) layout() (*timeline, error) {
	tl := &timeline{}
	for i := range s.Tracks {
		lt, err := layTrack(&s.Tracks[i])
		if err != nil {
			return nil, fmt.Errorf("Tracks[%d].%w", i, err)
		}
		tl.tracks = append(tl.tracks, lt)
		tl.duration = math.Max(tl.duration, lt.end)
	}
	if tl.duration <= 0 {
		return nil, fmt.Errorf("%w: the tracks hold nothing to compose", ErrInvalidSpec)
	}
	if tl.duration > MaxComposeDuration {
		return nil, fmt.Errorf("%w: the output would last %gs, more than %d s", ErrInvalidSpec, tl.duration, MaxComposeDuration)
	}
	return tl, nil
}

// layTrack places the items of one track.
func layTrack(tr *ComposeTrack) (laidTrack, error) {
	lt := laidTrack{kind: tr.Kind}
	switch tr.Kind {
	case TrackVideo, TrackAudio, TrackSticker:
	default:
		return lt, fmt.Errorf("Type: %w: unknown track type %q", ErrInvalidSpec, tr.Kind)
	}
	var (
		cursor  float64
		prev    *clip        // the media item just before, if the last item was one
		pending *ComposeItem // a transition waiting for its second item
	)
	for k := range tr.Items {
		it := &tr.Items[k]
		fail := func(format string, a ...any) error {
			return fmt.Errorf("TrackItems[%d]: %w: "+format, append([]any{k, ErrInvalidSpec}, a...)...)
		}
		switch it.Kind {
		case ItemEmpty:
			if it.Duration <= 0 {
				return lt, fail("an empty item needs a Duration above 0")
			}
			if pending != nil {
				return lt, fail("a transition must stand between two media items")
			}
			cursor += it.Duration
			lt.segs = append(lt.segs, segment{gap: it.Duration})
			prev = nil
		case ItemTransition:
			if tr.Kind == TrackSticker {
				return lt, fail("sticker tracks have no transitions")
			}
			if prev == nil || pending != nil {
				return lt, fail("a transition must stand between two media items")
			}
			if it.Duration <= 0 {
				return lt, fail("a transition needs a Duration above 0")
			}
			pending = it
		case ItemMedia:
			c, err := newClip(it, tr.Kind)
			if err != nil {
				return lt, fmt.Errorf("TrackItems[%d]: %w", k, err)
			}
			c.start = cursor
			if tr.Kind == TrackSticker && it.HasAt {
				c.start = it.At
			}
			seg := segment{clip: c}
			if pending != nil {
				d := pending.Duration
				if d > prev.length || d > c.length {
					return lt, fail("the transition (%gs) is longer than an item it joins (%gs, %gs)", d, prev.length, c.length)
				}
				c.start = cursor - d
				if pending.AudioFade {
					prev.fadeOut, c.fadeIn = d, d
				}
				seg.xfade, seg.overlap = pending.Transition, d
				if seg.xfade == "" {
					seg.xfade = "cut" // the next picture covers the overlap at once
				}
				pending = nil
			}
			cursor = c.start + c.length
			lt.clips = append(lt.clips, c)
			lt.segs = append(lt.segs, seg)
			lt.end = math.Max(lt.end, cursor)
			prev = c
		default:
			return lt, fail("unknown item type %q", it.Kind)
		}
	}
	if pending != nil {
		return lt, fmt.Errorf("TrackItems[%d]: %w: a transition cannot end a track", len(tr.Items)-1, ErrInvalidSpec)
	}
	return lt, nil
}

// newClip works out how much of its source a media item takes and how
// long it lasts on the timeline.
func newClip(it *ComposeItem, kind TrackKind) (*clip, error) {
	src := it.Source
	switch {
	case kind == TrackAudio && !src.HasAudio:
		return nil, fmt.Errorf("%w: an audio item's source has no sound", ErrNoStream)
	case kind != TrackAudio && !src.HasVideo && !src.Still:
		return nil, fmt.Errorf("%w: a %s item's source has no picture", ErrNoStream, kind)
	case it.From < 0 || it.Duration < 0 || it.TargetDuration < 0:
		return nil, fmt.Errorf("%w: negative time", ErrInvalidSpec)
	}
	c := &clip{it: it, kind: kind}
	if src.Still {
		c.take = it.Duration
		if it.TargetDuration > 0 {
			c.take = it.TargetDuration
		}
		if c.take <= 0 {
			return nil, fmt.Errorf("%w: a picture needs a Duration above 0", ErrInvalidSpec)
		}
		c.length = c.take
		return c, nil
	}
	avail := src.Duration - it.From
	if src.Duration > 0 && avail <= 0 {
		return nil, fmt.Errorf("%w: the clip starts at %gs, the source lasts %gs", ErrOffsetBeyondDuration, it.From, src.Duration)
	}
	c.take = it.Duration
	if c.take == 0 || (src.Duration > 0 && c.take > avail) {
		c.take = avail
	}
	if c.take <= 0 {
		return nil, fmt.Errorf("%w: the clip has no length", ErrInvalidSpec)
	}
	c.length = c.take
	if it.TargetDuration > 0 {
		c.length = it.TargetDuration
	}
	if t := c.take / c.length; t < minComposeTempo || t > maxComposeTempo {
		return nil, fmt.Errorf("%w: a speed change of %gx (Duration %gs over TargetDuration %gs) is outside %g to %g",
			ErrInvalidSpec, t, c.take, c.length, float64(minComposeTempo), float64(maxComposeTempo))
	}
	return c, nil
}

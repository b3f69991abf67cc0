package media

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ComposeSpec describes a timeline composition (the ComposeMedia action):
// tracks of clips, pictures and gaps laid on one output timeline, drawn
// over a plain canvas and mixed into one sound track. ComposeArgs turns it
// into a single ffmpeg run.
type ComposeSpec struct {
	// Width and Height are the canvas (the output frame) in pixels; they
	// are rounded down to even sizes, which H.264 needs.
	Width, Height int

	// Background is the canvas colour: an ffmpeg colour name ("black").
	Background string

	// Fps is the output frame rate; required unless NoVideo.
	Fps int

	// Tracks are drawn in order: a later track covers an earlier one.
	// Every sound of every track is mixed.
	Tracks []ComposeTrack

	// AudioOnly writes an mp3 file with the mix alone; otherwise the output
	// is an mp4 file.
	AudioOnly bool

	// NoVideo and NoAudio leave a stream kind out of an mp4 output.
	NoVideo, NoAudio bool

	// SampleRate (Hz), Channels (1 or 2) and AudioBitrate (kbit/s, 0 for
	// the encoder's default) shape the mixed sound.
	SampleRate, Channels, AudioBitrate int
}

// TrackKind is what a track holds: the API's MediaTrack.Type words.
type TrackKind string

// The track kinds.
const (
	TrackVideo   TrackKind = "Video"
	TrackAudio   TrackKind = "Audio"
	TrackSticker TrackKind = "Sticker"
)

// ItemKind is what a track item is.
type ItemKind string

// The item kinds. A media item is a clip of a source (a video clip, a
// sound, a picture held on screen); an empty item is a gap; a transition
// overlaps the media items on either side of it by its Duration.
const (
	ItemMedia      ItemKind = "Media"
	ItemEmpty      ItemKind = "Empty"
	ItemTransition ItemKind = "Transition"
)

// ComposeTrack is one track of a composition.
type ComposeTrack struct {
	Kind  TrackKind
	Items []ComposeItem
}

// ComposeSource is a local media file used by media items, as probed.
type ComposeSource struct {
	Path string
	// Still is a picture: one frame held for the item's Duration.
	Still bool
	// Width and Height are the picture's display size (rotation applied).
	Width, Height int
	// Duration is the file's length in seconds (0 for a still).
	Duration float64
	// HasVideo and HasAudio say which streams the file has.
	HasVideo, HasAudio bool
	// Fps is the picture's frame rate, 0 when unknown; it sets the output's
	// frame rate when the caller has none.
	Fps float64
}

// ComposeItem is one item of a track. Which fields count depends on Kind
// and on the track's kind.
type ComposeItem struct {
	Kind ItemKind

	// Source is the media item's file.
	Source ComposeSource

	// From is where the clip starts in the source, in seconds.
	From float64

	// Duration is the length taken from the source (0: to its end); for
	// an empty item the gap, for a transition the overlap, in seconds.
	Duration float64

	// TargetDuration is the clip's length on the output timeline when it
	// differs from Duration (a speed change); 0 keeps Duration.
	TargetDuration float64

	// At, when HasAt, is a sticker's start on the output timeline;
	// otherwise it follows the item before it.
	At    float64
	HasAt bool

	// X and Y move the item's centre from the canvas centre (percentages
	// of the canvas width and height, or pixels; negative is left or up).
	X, Y Length

	// Width and Height are the drawn size; one of them zero keeps the
	// source's shape, both zero keep its size.
	Width, Height Length

	// Rotate turns the picture clockwise by degrees around its centre;
	// FlipH mirrors it left to right, FlipV top to bottom (before Rotate).
	Rotate       float64
	FlipH, FlipV bool

	// Mute drops the item's sound; Gain, if above zero, multiplies it.
	Mute bool
	Gain float64

	// Transition is the xfade transition between the pictures on either
	// side of a transition item ("" for none); AudioFade crossfades their
	// sounds.
	Transition string
	AudioFade  bool
}

// ParseOffset parses a position of the API: "10%", "-25%", "100px" or
// "-80px"; the empty string is zero.
func ParseOffset(s string) (Length, error) {
	neg := strings.HasPrefix(s, "-")
	l, err := ParseLength(strings.TrimPrefix(s, "-"))
	if err != nil || (neg && len(s) == 1) {
		return Length{}, fmt.Errorf("%w: position %q is not like \"10%%\", \"-10%%\" or \"20px\"", ErrInvalidSpec, s)
	}
	if neg {
		l.Value = -l.Value
	}
	return l, nil
}

// transitions maps the API's picture transition names to ffmpeg's xfade
// transitions that draw the same effect. The API's other names
// (BowTieHorizontal, Cube, Heart, ...) are WebGL shaders ffmpeg has no
// counterpart for.
var transitions = map[string]string{
	"ImageFadeInFadeOut": "fade",
	"WipeLeft":           "wipeleft",
	"WipeRight":          "wiperight",
	"WipeUp":             "wipeup",
	"WipeDown":           "wipedown",
	"Circleopen":         "circleopen",
	"CircleCrop":         "circlecrop",
	"Radial":             "radial",
	"Squeeze":            "squeezev",
	"DreamyZoom":         "zoomin",
	"Mosaic":             "pixelize",
}

// XfadeTransition returns the xfade transition drawing the API's picture
// transition name, and whether there is one.
func XfadeTransition(name string) (string, bool) {
	t, ok := transitions[name]
	return t, ok
}

// SupportedTransitions lists the API's picture transition names
// XfadeTransition knows, for error messages.
func SupportedTransitions() string {
	return "ImageFadeInFadeOut, WipeLeft, WipeRight, WipeUp, WipeDown, Circleopen, CircleCrop, Radial, Squeeze, DreamyZoom, Mosaic"
}

// fmtNum writes a number for a filter graph with at most three decimals.
func fmtNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}

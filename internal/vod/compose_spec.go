package vod

import (
	"fmt"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Limits of a ComposeMedia request (spec/TASKS.md §5).
const (
	composeMaxTracksPerKind = 10
	composeMaxItems         = 500
	composeMaxCanvas        = 3840
	composeDefaultFps       = 25
)

// composeSampleRates are the output sample rates OutputAudioStream allows.
var composeSampleRates = map[int64]bool{16000: true, 32000: true, 44100: true, 48000: true}

// composeSpec turns a ComposeMedia input into the media package's spec.
// srcs holds the sources known so far, by SourceMedia; an item whose
// source is missing gets an empty one, and the spec is then only good for
// the checks of the request's own fields. The error is the API's.
func composeSpec(in *vodapi.ComposeMediaTaskInput, srcs map[string]media.ComposeSource) (media.ComposeSpec, *tcapi.Error) {
	var spec media.ComposeSpec
	if len(in.Tracks) == 0 {
		return spec, tcapi.Errorf("InvalidParameter", "Tracks must hold at least one track")
	}
	perKind, items := map[string]int{}, 0
	for i, tr := range in.Tracks {
		if tr == nil {
			return spec, tcapi.Errorf("InvalidParameter", "Tracks[%d] is null", i)
		}
		kind := vodapi.Val(tr.Type)
		if kind != "Video" && kind != "Audio" && kind != "Sticker" {
			return spec, tcapi.Errorf("InvalidParameterValue", "Tracks[%d].Type %q is not Video, Audio or Sticker", i, kind)
		}
		if perKind[kind]++; perKind[kind] > composeMaxTracksPerKind {
			return spec, tcapi.Errorf("InvalidParameter", "at most %d tracks of Type %s", composeMaxTracksPerKind, kind)
		}
		if len(tr.TrackItems) == 0 {
			return spec, tcapi.Errorf("InvalidParameter", "Tracks[%d].TrackItems must hold at least one item", i)
		}
		if items += len(tr.TrackItems); items > composeMaxItems {
			return spec, tcapi.Errorf("InvalidParameter", "the tracks hold more than %d items", composeMaxItems)
		}
		ct := media.ComposeTrack{Kind: media.TrackKind(kind)}
		for k, it := range tr.TrackItems {
			ci, err := composeItem(kind, it, srcs)
			if err != nil {
				err.Message = fmt.Sprintf("Tracks[%d].TrackItems[%d]: %s", i, k, err.Message)
				return spec, err
			}
			ct.Items = append(ct.Items, ci)
		}
		spec.Tracks = append(spec.Tracks, ct)
	}
	if err := composeCanvas(&spec, in.Canvas); err != nil {
		return spec, err
	}
	if err := composeOutput(&spec, in.Output); err != nil {
		return spec, err
	}
	if firstPicture(&spec) == nil {
		// Only sounds: an mp4 of the mix alone rather than a blank picture.
		if spec.NoVideo = true; spec.NoAudio {
			return spec, tcapi.Errorf("InvalidParameterValue", "the tracks hold no picture and Output.RemoveAudio drops the sound")
		}
	}
	if spec.Fps == 0 {
		spec.Fps = composeDefaultFps
		if first := firstPicture(&spec); first != nil && first.Fps >= 1 {
			spec.Fps = min(60, int(first.Fps+0.5))
		}
	}
	return spec, nil
}

// composeItem converts one track item.
func composeItem(track string, it *vodapi.MediaTrackItem, srcs map[string]media.ComposeSource) (media.ComposeItem, *tcapi.Error) {
	var ci media.ComposeItem
	if it == nil {
		return ci, tcapi.Errorf("InvalidParameter", "the item is null")
	}
	typ := vodapi.Val(it.Type)
	allowed := map[string]string{"Video": "Video Transition Empty", "Audio": "Audio Transition Empty", "Sticker": "Sticker Empty"}[track]
	if !strings.Contains(" "+allowed+" ", " "+typ+" ") {
		return ci, tcapi.Errorf("InvalidParameterValue", "Type %q does not belong on a %s track (allowed: %s)", typ, track, allowed)
	}
	missing := tcapi.Errorf("InvalidParameter", "an item of Type %s needs its %sItem", typ, typ)
	switch typ {
	case "Video":
		v := it.VideoItem
		if v == nil {
			return ci, missing
		}
		return visualItem(srcs, v.SourceMedia, v.SourceMediaStartTime, v.Duration, v.TargetDuration, v.CoordinateOrigin,
			[4]*string{v.XPos, v.YPos, v.Width, v.Height}, v.AudioOperations, v.ImageOperations)
	case "Sticker":
		v := it.StickerItem
		if v == nil {
			return ci, missing
		}
		if vodapi.Val(v.Duration) <= 0 {
			return ci, tcapi.Errorf("InvalidParameterValue.ClipDuration", "a sticker needs a Duration above 0")
		}
		ci, err := visualItem(srcs, v.SourceMedia, nil, v.Duration, nil, v.CoordinateOrigin,
			[4]*string{v.XPos, v.YPos, v.Width, v.Height}, nil, v.ImageOperations)
		if err != nil || v.StartTime == nil {
			return ci, err
		}
		if ci.At, ci.HasAt = *v.StartTime, true; ci.At < 0 {
			return ci, tcapi.Errorf("InvalidParameterValue", "StartTime must not be negative")
		}
		return ci, nil
	case "Audio":
		a := it.AudioItem
		if a == nil {
			return ci, missing
		}
		ci, err := timedItem(srcs, a.SourceMedia, a.SourceMediaStartTime, a.Duration, a.TargetDuration)
		if err == nil {
			err = audioOperations(&ci, a.AudioOperations)
		}
		return ci, err
	case "Transition":
		if it.TransitionItem == nil {
			return ci, missing
		}
		return transitionItem(track, it.TransitionItem)
	default: // Empty
		if it.EmptyItem == nil {
			return ci, missing
		}
		if d := vodapi.Val(it.EmptyItem.Duration); d <= 0 {
			return ci, tcapi.Errorf("InvalidParameterValue.ClipDuration", "an empty item needs a Duration above 0, got %g", d)
		}
		return media.ComposeItem{Kind: media.ItemEmpty, Duration: *it.EmptyItem.Duration}, nil
	}
}

// timedItem converts the source and times of a media item.
func timedItem(srcs map[string]media.ComposeSource, source *string, from, dur, target *float64) (media.ComposeItem, *tcapi.Error) {
	ci := media.ComposeItem{Kind: media.ItemMedia, Source: srcs[vodapi.Val(source)],
		From: vodapi.Val(from), Duration: vodapi.Val(dur), TargetDuration: vodapi.Val(target)}
	if vodapi.Val(source) == "" {
		return ci, tcapi.Errorf("InvalidParameter", "SourceMedia is empty")
	}
	if ci.From < 0 {
		return ci, tcapi.Errorf("InvalidParameterValue", "SourceMediaStartTime must not be negative")
	}
	if ci.Duration < 0 || ci.TargetDuration < 0 {
		return ci, tcapi.Errorf("InvalidParameterValue.ClipDuration", "Duration and TargetDuration must not be negative")
	}
	return ci, nil
}

// visualItem converts a video or sticker item: times, place, size and
// operations.
func visualItem(srcs map[string]media.ComposeSource, source *string, from, dur, target *float64, origin *string,
	geo [4]*string, audio []*vodapi.AudioTransform, image []*vodapi.ImageTransform) (media.ComposeItem, *tcapi.Error) {
	ci, err := timedItem(srcs, source, from, dur, target)
	if err != nil {
		return ci, err
	}
	if o := vodapi.Val(origin); o != "" && o != "Center" {
		return ci, tcapi.Errorf("InvalidParameterValue", "CoordinateOrigin %q is not Center", o)
	}
	names := [4]string{"XPos", "YPos", "Width", "Height"}
	var ls [4]media.Length
	for n, p := range geo {
		var e error
		if n < 2 {
			ls[n], e = media.ParseOffset(vodapi.Val(p))
		} else {
			ls[n], e = media.ParseLength(vodapi.Val(p))
		}
		if e != nil {
			return ci, tcapi.Errorf("InvalidParameterValue", "%s %q must be a percentage of the canvas like \"50%%\" or pixels like \"100px\"", names[n], vodapi.Val(p))
		}
	}
	ci.X, ci.Y, ci.Width, ci.Height = ls[0], ls[1], ls[2], ls[3]
	if err := audioOperations(&ci, audio); err != nil {
		return ci, err
	}
	return ci, imageOperations(&ci, image)
}

// audioOperations applies the Volume operations of an item.
func audioOperations(ci *media.ComposeItem, ops []*vodapi.AudioTransform) *tcapi.Error {
	for _, op := range ops {
		if op == nil || vodapi.Val(op.Type) != "Volume" {
			return tcapi.Errorf("InvalidParameterValue", "AudioOperations Type must be Volume")
		}
		if p := op.VolumeParam; p != nil {
			switch m := vodapi.Val(p.Mute); m {
			case 0:
			case 1:
				ci.Mute = true
			default:
				return tcapi.Errorf("InvalidParameterValue", "VolumeParam.Mute must be 0 or 1, got %d", m)
			}
			g := vodapi.Val(p.Gain)
			if g < 0 || g > 10 {
				return tcapi.Errorf("InvalidParameterValue", "VolumeParam.Gain must be between 0 and 10, got %g", g)
			}
			if g > 0 {
				ci.Gain = g
			}
		}
	}
	return nil
}

// imageOperations applies the Rotate and Flip operations of an item.
func imageOperations(ci *media.ComposeItem, ops []*vodapi.ImageTransform) *tcapi.Error {
	for _, op := range ops {
		if op == nil {
			return tcapi.Errorf("InvalidParameterValue", "ImageOperations holds a null")
		}
		switch vodapi.Val(op.Type) {
		case "Rotate":
			a := vodapi.Val(op.RotateAngle)
			if a < 0 || a > 360 {
				return tcapi.Errorf("InvalidParameterValue", "RotateAngle must be between 0 and 360, got %g", a)
			}
			ci.Rotate += a
		case "Flip":
			switch f := vodapi.Val(op.Flip); f {
			case "Horizental", "Horizontal":
				ci.FlipH = !ci.FlipH
			case "Vertical":
				ci.FlipV = !ci.FlipV
			default:
				return tcapi.Errorf("InvalidParameterValue", "Flip %q is not Horizental or Vertical", f)
			}
		default:
			return tcapi.Errorf("InvalidParameterValue", "ImageOperations Type %q is not Rotate or Flip", vodapi.Val(op.Type))
		}
	}
	return nil
}

// knownTransitions are the TransitionOperation types of the API.
var knownTransitions = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`ImageFadeInFadeOut BowTieHorizontal BowTieVertical ButterflyWaveScrawler
		Cannabisleaf Circle CircleCrop Circleopen Crosswarp Cube DoomScreenTransition Doorway Dreamy DreamyZoom
		FilmBurn GlitchMemories Heart InvertedPageCurl Luma Mosaic Pinwheel PolarFunction PolkaDotsCurtain Radial
		RotateScaleFade Squeeze Swap Swirl UndulatingBurnOutSwirl Windowblinds WipeDown WipeLeft WipeRight WipeUp
		ZoomInCircles AudioFadeInFadeOut`) {
		knownTransitions[n] = true
	}
}

// transitionItem converts a transition: at most one picture and one sound
// operation, from MediaTransitions or the older Transitions.
func transitionItem(track string, t *vodapi.MediaTransitionItem) (media.ComposeItem, *tcapi.Error) {
	ci := media.ComposeItem{Kind: media.ItemTransition, Duration: vodapi.Val(t.Duration)}
	if ci.Duration <= 0 {
		return ci, tcapi.Errorf("InvalidParameterValue.ClipDuration", "a transition needs a Duration above 0")
	}
	var types []string
	for _, op := range t.MediaTransitions {
		if op != nil {
			types = append(types, vodapi.Val(op.Type))
		}
	}
	if len(types) == 0 {
		for _, op := range t.Transitions {
			if op != nil {
				types = append(types, vodapi.Val(op.Type))
			}
		}
	}
	picture := false
	for _, typ := range types {
		switch {
		case !knownTransitions[typ]:
			return ci, tcapi.Errorf("InvalidParameterValue", "transition type %q is not a TransitionOperation type", typ)
		case typ == "AudioFadeInFadeOut":
			if ci.AudioFade {
				return ci, tcapi.Errorf("InvalidParameterValue", "a transition holds at most one sound operation")
			}
			ci.AudioFade = true
		case track != "Video":
			return ci, tcapi.Errorf("InvalidParameterValue", "the picture transition %s cannot join audio items", typ)
		case picture:
			return ci, tcapi.Errorf("InvalidParameterValue", "a transition holds at most one picture operation")
		default:
			x, ok := media.XfadeTransition(typ)
			if !ok {
				return ci, tcapi.Errorf("UnsupportedOperation", "the transition %s is not supported by this server; supported: %s, AudioFadeInFadeOut", typ, media.SupportedTransitions())
			}
			ci.Transition, picture = x, true
		}
	}
	return ci, nil
}

package vod

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// composeInput decodes a ComposeMedia input from JSON.
func composeInput(t *testing.T, s string) *vodapi.ComposeMediaTaskInput {
	t.Helper()
	var in vodapi.ComposeMediaTaskInput
	require.NoError(t, json.Unmarshal([]byte(s), &in))
	return &in
}

// TestComposeSpecDefaults checks what a request leaves out: the canvas
// takes the first clip's display size (a portrait clip turned upright) and
// frame rate, the sound 16 kHz stereo, and a timeline of sounds alone
// makes no picture.
func TestComposeSpecDefaults(t *testing.T) {
	t.Parallel()
	srcs := map[string]media.ComposeSource{
		"1": {Width: 720, Height: 1280, Fps: 29.97, HasVideo: true, Duration: 5},
		"2": {HasAudio: true, Duration: 5},
	}
	spec, err := composeSpec(composeInput(t, `{"Tracks":[{"Type":"Audio","TrackItems":[{"Type":"Audio","AudioItem":{"SourceMedia":"2"}}]},
		{"Type":"Video","TrackItems":[{"Type":"Video","VideoItem":{"SourceMedia":"1","XPos":"-10%","Width":"50%"}}]}],
		"Output":{"FileName":"x"}}`), srcs)
	require.Nil(t, err)
	require.Equal(t, [3]int{720, 1280, 30}, [3]int{spec.Width, spec.Height, spec.Fps})
	require.Equal(t, "black", spec.Background)
	require.Equal(t, [2]int{16000, 2}, [2]int{spec.SampleRate, spec.Channels})
	require.False(t, spec.NoVideo)
	it := spec.Tracks[1].Items[0]
	require.Equal(t, media.Length{Value: -10, Percent: true}, it.X)
	require.Equal(t, media.Length{Value: 50, Percent: true}, it.Width)

	spec, err = composeSpec(composeInput(t, `{"Tracks":[{"Type":"Video","TrackItems":[{"Type":"Video","VideoItem":{"SourceMedia":"1"}}]}],
		"Canvas":{"Color":"White","Width":360},"Output":{"FileName":"x","VideoStream":{"Fps":12}}}`), srcs)
	require.Nil(t, err)
	require.Equal(t, [3]int{360, 640, 12}, [3]int{spec.Width, spec.Height, spec.Fps}, "the height follows the clip's shape")
	require.Equal(t, "white", spec.Background)

	spec, err = composeSpec(composeInput(t, `{"Tracks":[{"Type":"Audio","TrackItems":[{"Type":"Audio","AudioItem":{"SourceMedia":"2"}}]}],
		"Output":{"FileName":"x"}}`), srcs)
	require.Nil(t, err)
	require.True(t, spec.NoVideo)
}

// TestComposeSpecTransitions checks how transition operations map.
func TestComposeSpecTransitions(t *testing.T) {
	t.Parallel()
	conv := func(track, ops string) (media.ComposeItem, string) {
		var tr vodapi.MediaTransitionItem
		require.NoError(t, json.Unmarshal([]byte(`{"Duration":1,`+ops+`}`), &tr))
		ci, err := transitionItem(track, &tr)
		if err != nil {
			return ci, err.Code
		}
		return ci, ""
	}
	ci, code := conv("Video", `"MediaTransitions":[{"Type":"WipeUp"},{"Type":"AudioFadeInFadeOut"}]`)
	require.Empty(t, code)
	require.Equal(t, "wipeup", ci.Transition)
	require.True(t, ci.AudioFade)
	ci, code = conv("Video", `"Transitions":[{"Type":"ImageFadeInFadeOut"}]`)
	require.Empty(t, code, "the older field still counts")
	require.Equal(t, "fade", ci.Transition)
	ci, code = conv("Audio", `"MediaTransitions":[{"Type":"AudioFadeInFadeOut"}]`)
	require.Empty(t, code)
	require.True(t, ci.AudioFade)
	_, code = conv("Audio", `"MediaTransitions":[{"Type":"WipeUp"}]`)
	require.Equal(t, "InvalidParameterValue", code)
	_, code = conv("Video", `"MediaTransitions":[{"Type":"WipeUp"},{"Type":"WipeDown"}]`)
	require.Equal(t, "InvalidParameterValue", code)
	_, code = conv("Video", `"MediaTransitions":[{"Type":"Cube"}]`)
	require.Equal(t, "UnsupportedOperation", code)
	_, code = conv("Video", `"MediaTransitions":[{"Type":"cube"}]`)
	require.Equal(t, "InvalidParameterValue", code)
}

// TestComposeSpecErrors checks the request fields refused, with their
// codes.
func TestComposeSpecErrors(t *testing.T) {
	t.Parallel()
	item := `{"Type":"Video","VideoItem":{"SourceMedia":"1"%s}}`
	cases := []struct{ name, tracks, extra, code string }{
		{"no tracks", `[]`, ``, "InvalidParameter"},
		{"track type", `[{"Type":"Image","TrackItems":[]}]`, ``, "InvalidParameterValue"},
		{"origin", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, `,"CoordinateOrigin":"TopLeft"`) + `]}]`, ``, "InvalidParameterValue"},
		{"negative width", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, `,"Width":"-10px"`) + `]}]`, ``, "InvalidParameterValue"},
		{"negative start", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, `,"SourceMediaStartTime":-1`) + `]}]`, ``, "InvalidParameterValue"},
		{"gain", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, `,"AudioOperations":[{"Type":"Volume","VolumeParam":{"Gain":11}}]`) + `]}]`, ``, "InvalidParameterValue"},
		{"flip", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, `,"ImageOperations":[{"Type":"Flip","Flip":"Diagonal"}]`) + `]}]`, ``, "InvalidParameterValue"},
		{"sticker duration", `[{"Type":"Sticker","TrackItems":[{"Type":"Sticker","StickerItem":{"SourceMedia":"1"}}]}]`, ``, "InvalidParameterValue.ClipDuration"},
		{"empty duration", `[{"Type":"Video","TrackItems":[{"Type":"Empty","EmptyItem":{"Duration":0}}]}]`, ``, "InvalidParameterValue.ClipDuration"},
		{"sample rate", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, ``) + `]}]`, `,"AudioStream":{"SampleRate":22050}`, "InvalidParameterValue"},
		{"fps", `[{"Type":"Video","TrackItems":[` + fmt.Sprintf(item, ``) + `]}]`, `,"VideoStream":{"Fps":120}`, "InvalidParameterValue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := composeSpec(composeInput(t, `{"Tracks":`+tc.tracks+`,"Output":{"FileName":"x"`+tc.extra+`}}`), nil)
			require.NotNil(t, err)
			require.Equal(t, tc.code, err.Code, err.Message)
		})
	}
}

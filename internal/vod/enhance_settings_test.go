package vod

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

func TestEnhancePresetsAreValid(t *testing.T) {
	t.Parallel()
	for _, f := range []*family[*vodapi.RebuildMediaTemplate]{enhanceMediaFamily(), rebuildMediaFamily()} {
		presets := presetDefinitions(t, f)
		require.Len(t, presets, 3)
		for def, p := range presets {
			require.NoError(t, checkRebuild(p), "%s %d", f.kind, def)
			require.NoError(t, checkSomethingOn(p), "%s %d", f.kind, def)
			require.Equal(t, "Preset", vodapi.Val(p.Type))
			require.Less(t, def, f.first)
		}
	}
}

func TestEnhanceSpecMapping(t *testing.T) {
	t.Parallel()
	on := vodapi.Ptr("ON")
	tpl := &vodapi.RebuildMediaTemplate{
		RebuildVideoInfo: &vodapi.RebuildVideoInfo{
			VideoDenoiseInfo:            &vodapi.VideoDenoiseInfo{Switch: on, Type: vodapi.Ptr("strong")},
			RepairInfo:                  &vodapi.RepairInfo{Switch: on}, // weak by default
			VideoFrameInterpolationInfo: &vodapi.VideoFrameInterpolationInfo{Switch: on},
			SuperResolutionInfo:         &vodapi.SuperResolutionInfo{Switch: on, Size: vodapi.Ptr(int64(3))},
			SharpInfo:                   &vodapi.SharpEnhanceInfo{Switch: vodapi.Ptr("OFF"), Intensity: vodapi.Ptr(0.9)},
		},
		RebuildAudioInfo: &vodapi.RebuildAudioInfo{AudioDenoiseInfo: &vodapi.AudioDenoiseInfo{Switch: on}},
		TargetVideoInfo:  &vodapi.RebuildMediaTargetVideoStream{Bitrate: vodapi.Ptr(int64(800)), ResolutionAdaptive: vodapi.Ptr("close")},
		TargetAudioInfo:  &vodapi.RebuildMediaTargetAudioStream{Bitrate: vodapi.Ptr(int64(64))},
		RemoveAudio:      vodapi.Ptr(int64(0)),
	}
	fillRebuild(tpl)
	require.NoError(t, checkRebuild(tpl))
	got := enhanceSpec(tpl, "/o.mp4", 1, 2, 12.5)
	want := media.EnhanceSpec{Path: "/o.mp4", Container: media.ContainerMP4, Start: 1, End: 2,
		Denoise: media.LevelStrong, Repair: media.LevelWeak, InterpolateFps: 25, SuperResolution: 3,
		Sharpen:      media.Amount{On: false, Value: 0.9},
		AudioDenoise: true, Loudness: true,
		Video: media.VideoSpec{Codec: "libx264", Bitrate: 800_000, Scale: media.Scale{Fill: media.FillBlack}},
		Audio: media.AudioSpec{Codec: "libfdk_aac", Bitrate: 64_000}}
	require.Equal(t, want, got, "interpolation without Fps doubles the source's rate; OFF switches stay off")
}

func TestEnhanceCheckRebuild(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*vodapi.RebuildMediaTemplate)
		code string
	}{
		{"defaults are valid", func(*vodapi.RebuildMediaTemplate) {}, ""},
		{"unknown type", func(t *vodapi.RebuildMediaTemplate) {
			t.RebuildVideoInfo.ArtifactRepairInfo.Type = vodapi.Ptr("normal")
		}, "InvalidParameterValue"},
		{"scratch intensity", func(t *vodapi.RebuildMediaTemplate) {
			t.RebuildVideoInfo.ScratchRepairInfo.Intensity = vodapi.Ptr(-0.1)
		}, "InvalidParameterValue"},
		{"super resolution ×8", func(t *vodapi.RebuildMediaTemplate) {
			t.RebuildVideoInfo.SuperResolutionInfo.Size = vodapi.Ptr(int64(8))
		}, "InvalidParameterValue.Size"},
		{"flv with H.265", func(t *vodapi.RebuildMediaTemplate) {
			t.Container, t.TargetVideoInfo.Codec = vodapi.Ptr("flv"), vodapi.Ptr("libx265")
		}, "InvalidParameterValue.Codec"},
		{"tiny width", func(t *vodapi.RebuildMediaTemplate) { t.TargetVideoInfo.Width = vodapi.Ptr(int64(64)) }, "InvalidParameterValue.Width"},
		{"odd sample rate", func(t *vodapi.RebuildMediaTemplate) { t.TargetAudioInfo.SampleRate = vodapi.Ptr(int64(22050)) }, "InvalidParameterValue.SampleRate"},
		{"HLG", func(t *vodapi.RebuildMediaTemplate) { t.RebuildVideoInfo.HDRInfo.Switch = vodapi.Ptr("ON") }, "UnsupportedOperation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tpl := &vodapi.RebuildMediaTemplate{}
			fillRebuild(tpl)
			tc.edit(tpl)
			err := checkRebuild(tpl)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			var e *tcapi.Error
			require.True(t, errors.As(err, &e), "%v", err)
			require.Equal(t, tc.code, e.Code, e.Message)
		})
	}
}

package vod

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// presetDefinitions returns the definitions of a family's presets and
// checks each is there once.
func presetDefinitions[T any](t *testing.T, f *family[T]) map[int64]T {
	t.Helper()
	out := map[int64]T{}
	for _, p := range f.presets() {
		d := f.definition(p)
		_, dup := out[d]
		require.False(t, dup, "%s preset %d listed twice", f.kind, d)
		out[d] = p
	}
	return out
}

func TestPresetTranscodeTemplates(t *testing.T) {
	t.Parallel()
	f := transcodeFamily()
	presets := presetDefinitions(t, f)
	want := []int64{
		100010, 100020, 100030, 100040, 100070, 100080, 100210, 100220, 100230, 100240, 100270, 100280,
		1100, 1110, 1120, 1130, 1140, 1010, 1020,
		100800, 100810, 100820, 100830, 100840, 875, 876,
		10, 20, 30, 40, 70, 80, 210, 220, 230, 240, 270, 280, 10046, 10047, 10048, 10049, 370, 380,
		510, 520, 530, 540, 570, 580, 610, 620, 630, 640, 670, 680, 710, 720, 730, 740, 770, 780,
	}
	require.Len(t, presets, len(want))
	for _, d := range want {
		require.Contains(t, presets, d)
	}

	fhd := presets[100040]
	require.Equal(t, "100040", vodapi.Val(fhd.Definition))
	require.Equal(t, "Preset", vodapi.Val(fhd.Type))
	require.Equal(t, "mp4", vodapi.Val(fhd.Container))
	require.Equal(t, "Video", vodapi.Val(fhd.ContainerType))
	require.Equal(t, codecH264, vodapi.Val(fhd.VideoTemplate.Codec))
	require.Equal(t, uint64(2500), vodapi.Val(fhd.VideoTemplate.Bitrate))
	require.Equal(t, uint64(1080), vodapi.Val(fhd.VideoTemplate.Height))
	require.Equal(t, uint64(25), vodapi.Val(fhd.VideoTemplate.Fps))
	require.Equal(t, uint64(128), vodapi.Val(fhd.AudioTemplate.Bitrate))
	require.Equal(t, uint64(44100), vodapi.Val(fhd.AudioTemplate.SampleRate))

	mp3 := presets[1020]
	require.Equal(t, "PureAudio", vodapi.Val(mp3.ContainerType))
	require.Nil(t, mp3.VideoTemplate)
	require.Equal(t, int64(1), vodapi.Val(mp3.RemoveVideo))
	require.Equal(t, codecMP3, vodapi.Val(mp3.AudioTemplate.Codec))

	require.Equal(t, "TEHD-100", vodapi.Val(presets[100830].TEHDConfig.Type))
	require.Equal(t, codecCopy, vodapi.Val(presets[876].VideoTemplate.Codec))
	require.Equal(t, "hls", vodapi.Val(presets[876].Container))
	require.Equal(t, codecMP3, vodapi.Val(presets[10046].AudioTemplate.Codec))
	require.Equal(t, codecH265, vodapi.Val(presets[640].VideoTemplate.Codec))
	require.Equal(t, uint64(320), vodapi.Val(presets[10].VideoTemplate.Width))

	// Every preset but the remuxes passes the checks custom templates get,
	// and the checks change nothing in it.
	for d, p := range presets {
		if d == 875 || d == 876 {
			continue
		}
		before, _ := json.Marshal(p)
		require.NoError(t, checkTranscode(p), "preset %d", d)
		after, _ := json.Marshal(p)
		require.JSONEq(t, string(before), string(after), "preset %d", d)
	}

	// Each call hands out new values.
	p, ok := f.preset(100040)
	require.True(t, ok)
	p.VideoTemplate.Bitrate = vodapi.Ptr(uint64(1))
	p, _ = f.preset(100040)
	require.Equal(t, uint64(2500), vodapi.Val(p.VideoTemplate.Bitrate))
}

func TestPresetOtherTemplates(t *testing.T) {
	t.Parallel()
	snap := presetDefinitions(t, snapshotByTimeOffsetFamily())
	require.Len(t, snap, 1)
	require.NoError(t, checkSnapshot(snap[10]))
	require.Equal(t, "stretch", vodapi.Val(snap[10].FillType))

	sample := presetDefinitions(t, sampleSnapshotFamily())
	require.NoError(t, checkSample(sample[10]))
	require.Equal(t, "Percent", vodapi.Val(sample[10].SampleType))
	require.Equal(t, uint64(10), vodapi.Val(sample[10].SampleInterval))

	sprite := presetDefinitions(t, imageSpriteFamily())
	require.Equal(t, uint64(142), vodapi.Val(sprite[10].Width))
	require.Equal(t, uint64(80), vodapi.Val(sprite[10].Height))
	require.Equal(t, uint64(10), vodapi.Val(sprite[10].RowCount))

	anim := presetDefinitions(t, animatedGraphicsFamily())
	require.Len(t, anim, 2)
	require.Equal(t, "gif", vodapi.Val(anim[20000].Format))
	require.Equal(t, "webp", vodapi.Val(anim[20001].Format))
	for d, p := range anim {
		require.NoError(t, checkAnimated(p), "preset %d", d)
	}

	adaptive := presetDefinitions(t, adaptiveDynamicStreamingFamily())
	require.Len(t, adaptive, 3)
	require.Equal(t, "SimpleAES", vodapi.Val(adaptive[12].DrmType))
	require.Equal(t, "MPEG-DASH", vodapi.Val(adaptive[20].Format))
	require.Equal(t, uint64(1), vodapi.Val(adaptive[10].DisableHigherVideoResolution))
	require.Equal(t, uint64(0), vodapi.Val(adaptive[20].DisableHigherVideoResolution))
	for d, p := range adaptive {
		require.Len(t, p.StreamInfos, 6)
		before, _ := json.Marshal(p)
		require.NoError(t, checkAdaptive(p), "preset %d", d)
		after, _ := json.Marshal(p)
		require.JSONEq(t, string(before), string(after), "preset %d", d)
	}

	// The preset procedure names only preset templates.
	for _, p := range presetProcedureTemplates() {
		refs := procedureRefs(p)
		require.NotEmpty(t, refs)
		for _, r := range refs {
			require.True(t, isPresetRef(r), "%s refers to %s %d", vodapi.Val(p.Name), r.Kind, r.Definition)
		}
	}
}

func TestCustomDefinitionsSkipPresets(t *testing.T) {
	t.Parallel()
	alloc := transcodeFamily().alloc()
	require.Equal(t, int64(1008), alloc.First)
	require.Equal(t, 100, alloc.Quota)
	for _, d := range []int64{1010, 1020, 1100, 10046, 100010} {
		require.True(t, alloc.SkipFunc(d), "%d", d)
	}
	require.False(t, alloc.SkipFunc(1008))
	require.True(t, animatedGraphicsFamily().alloc().SkipFunc(20000))
	require.False(t, watermarkFamily().alloc().SkipFunc(10001))
}

func TestProcedureRefs(t *testing.T) {
	t.Parallel()
	u := func(v uint64) *uint64 { return &v }
	p := &vodapi.ProcedureTemplate{
		MediaProcessTask: &vodapi.MediaProcessTaskInput{
			TranscodeTaskSet: []*vodapi.TranscodeTaskInput{{Definition: u(1008),
				WatermarkSet: []*vodapi.WatermarkInput{{Definition: u(10001)}}}},
			CoverBySnapshotTaskSet: []*vodapi.CoverBySnapshotTaskInput{{Definition: u(10)}},
		},
		AiAnalysisTask: &vodapi.AiAnalysisTaskInput{Definition: u(20)},
	}
	require.Equal(t, []templateRef{
		{kindTranscode, 1008, "MediaProcessTask.TranscodeTaskSet[0].Definition"},
		{kindWatermark, 10001, "MediaProcessTask.TranscodeTaskSet[0].WatermarkSet[0].Definition"},
		{kindSnapshotByTimeOffset, 10, "MediaProcessTask.CoverBySnapshotTaskSet[0].Definition"},
		{kindAiAnalysis, 20, "AiAnalysisTask.Definition"},
	}, procedureRefs(p))
}

func TestCheckTranscode(t *testing.T) {
	t.Parallel()
	video := func() *vodapi.VideoTemplateInfo {
		return &vodapi.VideoTemplateInfo{Codec: vodapi.Ptr("libx264"), Fps: vodapi.Ptr(uint64(25)), Bitrate: vodapi.Ptr(uint64(1000))}
	}
	audio := func() *vodapi.AudioTemplateInfo {
		return &vodapi.AudioTemplateInfo{Codec: vodapi.Ptr("libfdk_aac"), Bitrate: vodapi.Ptr(uint64(128)), SampleRate: vodapi.Ptr(uint64(44100))}
	}
	for _, tc := range []struct {
		name string
		edit func(t *vodapi.TranscodeTemplate)
		code string
	}{
		{"ok", func(t *vodapi.TranscodeTemplate) {}, ""},
		{"container", func(t *vodapi.TranscodeTemplate) { t.Container = vodapi.Ptr("avi") }, "InvalidParameterValue.Container"},
		{"video codec", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.Codec = vodapi.Ptr("h264") }, "InvalidParameterValue.VideoCodec"},
		{"fps", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.Fps = vodapi.Ptr(uint64(120)) }, "InvalidParameterValue.Fps"},
		{"bitrate", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.Bitrate = vodapi.Ptr(uint64(50)) }, "InvalidParameterValue.VideoBitrate"},
		{"width", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.Width = vodapi.Ptr(uint64(5000)) }, "InvalidParameterValue.Width"},
		{"fill", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.FillType = vodapi.Ptr("blue") }, "InvalidParameterValue.FillType"},
		{"adaptive", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.ResolutionAdaptive = vodapi.Ptr("on") }, "InvalidParameterValue.ResolutionAdaptive"},
		{"vcrf", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate.Vcrf = vodapi.Ptr(uint64(52)) }, "InvalidParameterValue.Vcrf"},
		{"audio codec", func(t *vodapi.TranscodeTemplate) { t.AudioTemplate.Codec = vodapi.Ptr("flac") }, "InvalidParameterValue.AudioCodec"},
		{"sample rate", func(t *vodapi.TranscodeTemplate) { t.AudioTemplate.SampleRate = vodapi.Ptr(uint64(22050)) }, "InvalidParameterValue.AudioSampleRate"},
		{"channels", func(t *vodapi.TranscodeTemplate) { t.AudioTemplate.AudioChannel = vodapi.Ptr(int64(4)) }, "InvalidParameterValue.AudioChannel"},
		{"no video", func(t *vodapi.TranscodeTemplate) { t.VideoTemplate = nil }, "MissingParameter"},
		{"both removed", func(t *vodapi.TranscodeTemplate) {
			t.RemoveVideo, t.RemoveAudio = vodapi.Ptr(int64(1)), vodapi.Ptr(int64(1))
		}, "InvalidParameterValue.RemoveAudio"},
		{"tehd", func(t *vodapi.TranscodeTemplate) { t.TEHDConfig = &vodapi.TEHDConfig{Type: vodapi.Ptr("x")} }, "InvalidParameterValue.TEHDType"},
		{"audio only drops video", func(t *vodapi.TranscodeTemplate) {
			t.Container = vodapi.Ptr("mp3")
			t.AudioTemplate.Codec = vodapi.Ptr("libmp3lame")
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tt := &vodapi.TranscodeTemplate{Container: vodapi.Ptr("mp4"), VideoTemplate: video(), AudioTemplate: audio()}
			tc.edit(tt)
			err := checkTranscode(tt)
			if tc.code == "" {
				require.NoError(t, err)
				require.NotNil(t, tt.AudioTemplate.AudioChannel)
				if vodapi.Val(tt.ContainerType) == "PureAudio" {
					require.Nil(t, tt.VideoTemplate)
					require.Equal(t, int64(1), vodapi.Val(tt.RemoveVideo))
				} else {
					require.Equal(t, "open", vodapi.Val(tt.VideoTemplate.ResolutionAdaptive))
				}
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.code+":")
		})
	}
}

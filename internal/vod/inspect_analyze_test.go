package vod

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

func TestInspectSubtract(t *testing.T) {
	t.Parallel()
	in := []media.Interval{{Start: 0, End: 10}, {Start: 12, End: 14}}
	cut := []media.Interval{{Start: 2, End: 3}, {Start: 9, End: 13}}
	require.Equal(t, []media.Interval{{Start: 0, End: 2}, {Start: 3, End: 9}, {Start: 13, End: 14}}, subtract(in, cut))
	require.Equal(t, in, subtract(in, nil))
}

func TestInspectSampleSegments(t *testing.T) {
	t.Parallel()
	var samples []media.Sample
	for i := range 24 { // 6 s at 4 a second; blurred from 1 s to 2.5 s and at 4 s
		v := 5.0
		if i >= 4 && i < 10 || i == 16 {
			v = 20
		}
		samples = append(samples, media.Sample{Time: float64(i) / 4, Value: v})
	}
	hit := func(v float64) (bool, float64) { return v > 10, (v - 10) / 10 }
	segs := sampleSegments(samples, nil, 6, 1, hit)
	require.Len(t, segs, 1, "the 0.25 s stretch at 4 s is shorter than 1 s")
	require.Equal(t, media.Interval{Start: 1, End: 2.5}, segs[0].Interval)
	require.InDelta(t, 100, segs[0].Confidence, 1e-9)
	// Black frames in the middle split the stretch.
	segs = sampleSegments(samples, []media.Interval{{Start: 1.5, End: 2}}, 6, 0.25, hit)
	require.Len(t, segs, 3)
	require.Equal(t, media.Interval{Start: 1, End: 1.5}, segs[0].Interval)
	require.Equal(t, media.Interval{Start: 2, End: 2.5}, segs[1].Interval)
}

func TestInspectScoreAndOutput(t *testing.T) {
	t.Parallel()
	f := inspectFrame{Width: 320, Height: 240, Duration: 6, Video: true, Audio: true}
	s := resolveInspect(inspectTemplate(t, map[string]string{"VoiceConfigure": "ON", "QualityEvaluationConfigure": "ON"}))
	d := &media.Detection{
		Black:   []media.Interval{{Start: 2, End: 3}},
		Freeze:  []media.Interval{{Start: 2, End: 3}, {Start: 4, End: 5}},
		Silence: []media.Interval{{Start: 1, End: 2}, {Start: 5.8, End: 6}}, // the second is too short
	}
	found := inspectFindings(d, s, f)
	require.Len(t, found["SolidColorScreen"], 1)
	require.Equal(t, []inspectSegment{{Interval: media.Interval{Start: 4, End: 5}, Confidence: 100}}, found["VideoFreezedFrame"])
	require.Len(t, found["NoVoice"], 1)
	// 100 - 40/6 - 30/6 - 20/6 - 20·(1-240/720) = 71.67
	require.Equal(t, 72, inspectScore(found, f))
	out := inspectOutput(found, s, f)
	require.EqualValues(t, 72, vodapi.Val(out.QualityEvaluationScore))
	require.InDelta(t, 3.88, vodapi.Val(out.QualityEvaluationMeanOpinionScore), 1e-9)
	require.Len(t, out.QualityInspectResultSet, 3, "72 is not under the default 60: no LowEvaluation")
	require.Equal(t, "SolidColorScreen", vodapi.Val(out.QualityInspectResultSet[0].Type))
	require.Equal(t, []int64{}, out.QualityInspectResultSet[0].SegmentSet[0].AreaCoordSet)

	// An HD picture with nothing wrong scores 100.
	require.Equal(t, 100, inspectScore(map[string][]inspectSegment{}, inspectFrame{Width: 1920, Height: 1080, Duration: 6, Video: true}))
}

func TestInspectResolve(t *testing.T) {
	t.Parallel()
	tpl := inspectTemplate(t, map[string]string{"AbnormalLightingConfigure": "ON"})
	tpl.Configs = []*vodapi.QualityInspectConfig{{Type: vodapi.Ptr("LowLighting"), Threshold: vodapi.Ptr("30"), Duration: vodapi.Ptr(int64(3))},
		{Type: vodapi.Ptr("SolidColorScreen"), Switch: vodapi.Ptr("OFF")}}
	require.NoError(t, checkInspectTemplate(tpl))
	s := resolveInspect(tpl)
	require.Equal(t, inspectCheck{On: true, Threshold: 30, Duration: 3}, s["LowLighting"])
	require.Equal(t, inspectCheck{On: true, Threshold: 225, Duration: 1}, s["HighLighting"])
	require.False(t, s["SolidColorScreen"].On)
	require.True(t, s["VideoFreezedFrame"].On)
	require.False(t, s["Blur"].On)
}

// inspectTemplate is a checked template with the given switches on.
func inspectTemplate(t *testing.T, on map[string]string) *vodapi.QualityInspectTemplateItem {
	t.Helper()
	tpl := &vodapi.QualityInspectTemplateItem{}
	for field, v := range on {
		switch field {
		case "VoiceConfigure":
			tpl.VoiceConfigure = &vodapi.VoiceConfigureInfo{Switch: vodapi.Ptr(v)}
		case "QualityEvaluationConfigure":
			tpl.QualityEvaluationConfigure = &vodapi.QualityEvaluationConfigureInfo{Switch: vodapi.Ptr(v)}
		case "AbnormalLightingConfigure":
			tpl.AbnormalLightingConfigure = &vodapi.AbnormalLightingConfigureInfo{Switch: vodapi.Ptr(v)}
		}
	}
	require.NoError(t, checkInspectTemplate(tpl))
	return tpl
}

package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPlanJoinRun joins a video-only portrait head (rotated) and a 160x120
// tail without audio around a 320x240 main with audio: one 320x240 stream
// at the main's rate, audio the whole way, duration the sum.
func TestPlanJoinRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	main, mp := e.source(t, "av")
	head, hp := e.source(t, "rotated")
	tail := e.make(t, "tail.mp4", []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=1"}, x264)
	plan, err := PlanJoin(JoinSpec{Parts: []JoinPart{{Path: head, Probe: hp}, {Path: main, Probe: mp}, {Path: tail, Probe: e.probe(t, tail)}}, Main: 1,
		Fill: FillBlack, Path: e.path("joined.mkv")})
	require.NoError(t, err)
	require.InDelta(t, 5.0, plan.Duration, 0.1)
	require.NoError(t, e.r.RunPlan(t.Context(), plan, nil))
	q := e.probe(t, e.path("joined.mkv"))
	requireVideo(t, q, "h264", 320, 240, 25)
	require.Len(t, q.Audio, 1)
	require.InDelta(t, 5.0, q.Duration, 0.15)
	require.InDelta(t, 5.0, q.AudioDuration, 0.15)
}

func TestPlanJoinNeedsVideoAndParts(t *testing.T) {
	t.Parallel()
	_, ap := (&env{}).source(t, "audio")
	_, vp := (&env{}).source(t, "av")
	_, err := PlanJoin(JoinSpec{Parts: []JoinPart{{Path: "a", Probe: vp}}, Path: "x.mkv"})
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, err = PlanJoin(JoinSpec{Parts: []JoinPart{{Path: "a", Probe: vp}, {Path: "b", Probe: ap}}, Main: 1, Path: "x.mkv"})
	require.ErrorIs(t, err, ErrNoStream)
}

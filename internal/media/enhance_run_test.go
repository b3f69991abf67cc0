package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEnhanceRuns runs every restoration filter at once through ffmpeg,
// then a bitrate reduction, and probes what they wrote: the plans' filter
// graphs must be accepted by this ffmpeg, not only look right.
func TestEnhanceRuns(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.av(t, "src.mp4", "-r", "25")
	p, err := e.r.Probe(t.Context(), src)
	require.NoError(t, err)

	spec := EnhanceSpec{Path: e.path("all.mp4"), Denoise: LevelWeak, Repair: LevelWeak, Deblock: LevelWeak,
		Scratch: Amount{On: true, Value: 0.2}, LowLight: LevelNormal, Color: LevelNormal, Sharpen: Amount{On: true, Value: 1},
		InterpolateFps: 30, SuperResolution: 2, AudioDenoise: true, Loudness: true,
		Video: VideoSpec{Codec: "libx265", Scale: Scale{Width: 400, Height: 200, Fill: FillGauss}}}
	plan, err := PlanEnhance(src, spec, p)
	require.NoError(t, err)
	e.run(t, plan)
	out, err := e.r.Probe(t.Context(), spec.Path)
	require.NoError(t, err)
	require.Equal(t, "hevc", out.Video[0].Codec)
	require.Equal(t, []int{400, 200}, []int{out.Video[0].Width, out.Video[0].Height})
	require.InDelta(t, 30, out.Video[0].FpsExact, 0.01)
	require.Equal(t, 48000, out.Audio[0].SampleRate, "back to the source's rate after loudnorm")

	red := e.path("reduced.mp4")
	plan, err = PlanReduceBitrate(src, red, p)
	require.NoError(t, err)
	e.run(t, plan)
	out, err = e.r.Probe(t.Context(), red)
	require.NoError(t, err)
	require.Equal(t, []int{160, 120}, []int{out.Video[0].Width, out.Video[0].Height})
	require.Equal(t, "aac", out.Audio[0].Codec)
}

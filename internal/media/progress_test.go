package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadProgress(t *testing.T) {
	t.Parallel()
	// Blocks as ffmpeg 5.1 writes them: N/A before the first packet, the
	// misnamed out_time_ms in microseconds, a final progress=end.
	const stream = `frame=0
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=0
out_time_us=N/A
out_time_ms=N/A
out_time=N/A
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
frame=31
fps=0.00
stream_0_0_q=28.0
bitrate=   1.4kbits/s
total_size=48
out_time_us=1240000
out_time_ms=1240000
out_time=00:00:01.240000
dup_frames=0
drop_frames=0
speed=2.47x
progress=continue
frame=75
fps=60.5
total_size=102400
out_time_ms=3000000
out_time=00:00:03.000000
speed=2.5x
progress=end
`
	var got []Progress
	require.NoError(t, readProgress(strings.NewReader(stream), func(p Progress) { got = append(got, p) }))
	require.Equal(t, []Progress{
		{},
		{Frame: 31, OutTime: 1.24, Size: 48, Speed: 2.47},
		{Frame: 75, FPS: 60.5, OutTime: 3, Size: 102400, Speed: 2.5, Done: true},
	}, got)

	// out_time alone, and a negative start, which ffmpeg prints before
	// the first timestamp of some inputs.
	got = nil
	require.NoError(t, readProgress(strings.NewReader("out_time=-00:00:00.500000\nprogress=continue\nout_time=01:02:03.500000\nprogress=continue\n"),
		func(p Progress) { got = append(got, p) }))
	require.Equal(t, []Progress{{}, {OutTime: 3723.5}}, got)

	require.NoError(t, readProgress(strings.NewReader(stream), nil), "a nil callback only drains")
}

package e2e

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/openvod/openvod/internal/vodapi"
	"github.com/stretchr/testify/require"
)

// unwatermarkMoving is 4 s of a 320x240 window panning across a 640x480
// testsrc2, so that every part of the picture changes.
const unwatermarkMoving = "crop=320:240:x='t*70':y='t*50'"

// unwatermarkLogo is where the test burns a white box in: x 240–299, y 10–39.
var unwatermarkLogo = [4]int{240, 10, 60, 30}

func unwatermarkSources(t *testing.T, dir string) {
	t.Helper()
	src := []string{"-f", "lavfi", "-i", "testsrc2=s=640x480:r=25:d=4", "-f", "lavfi", "-i", "sine=f=440:d=4"}
	enc := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"}
	l := unwatermarkLogo
	ffmpeg(t, append(append(append([]string{}, src...), "-vf", fmt.Sprintf("%s,drawbox=x=%d:y=%d:w=%d:h=%d:c=white:t=fill",
		unwatermarkMoving, l[0], l[1], l[2], l[3])), append(enc, inspectPath(dir, "logo.mp4"))...)...)
	ffmpeg(t, append(append(append([]string{}, src...), "-vf", unwatermarkMoving), append(enc, inspectPath(dir, "plain.mp4"))...)...)
	ffmpeg(t, "-f", "lavfi", "-i", "sine=f=440:d=1", "-c:a", "aac", inspectPath(dir, "tone.m4a"))
}

// unwatermarkRun submits RemoveWatermark and returns the finished result.
func unwatermarkRun(t *testing.T, s *server, fileID string) *vodapi.RemoveWatermarkTask {
	t.Helper()
	var resp vodapi.RemoveWatermarkResponse
	require.NoError(t, s.callInto(t, "RemoveWatermark", map[string]any{"FileId": fileID, "SessionContext": "rw"}, &resp))
	d, raw := inspectDetail(t, s, vodapi.Val(resp.TaskId))
	require.Equal(t, "RemoveWatermarkTask", vodapi.Val(d.TaskType))
	require.Equal(t, "FINISH", vodapi.Val(d.Status))
	r := d.RemoveWatermarkTask
	require.NotNil(t, r)
	require.EqualValues(t, 0, vodapi.Val(r.ErrCode), vodapi.Val(r.Message))
	require.Equal(t, "", vodapi.Val(r.ErrCodeExt))
	require.Equal(t, fileID, vodapi.Val(r.Input.FileId))
	require.Equal(t, "rw", vodapi.Val(r.SessionContext))
	requireNoNulls(t, raw["RemoveWatermarkTask"].(map[string]any), "RemoveWatermarkTask")
	out := r.Output
	require.NotNil(t, out)
	require.NotEqual(t, fileID, vodapi.Val(out.FileId), "the result is a new media")
	require.NotEmpty(t, vodapi.Val(out.FileUrl))
	// The new media exists and shows the same FileUrl.
	info := describeMedia(t, s.client(), nil, vodapi.Val(out.FileId))
	require.Len(t, info.Response.MediaInfoSet, 1)
	require.Equal(t, vodapi.Val(out.FileUrl), *info.Response.MediaInfoSet[0].BasicInfo.MediaUrl)
	return r
}

// unwatermarkBox reads "x=.. y=.. w=.. h=.." from the task's message.
func unwatermarkBox(t *testing.T, msg string) [4]int {
	t.Helper()
	var b [4]int
	for i, k := range []string{"x=", "y=", "w=", "h="} {
		at := strings.Index(msg, k)
		require.GreaterOrEqual(t, at, 0, msg)
		f := strings.Fields(msg[at+2:])
		v, err := strconv.Atoi(f[0])
		require.NoError(t, err, msg)
		b[i] = v
	}
	return b
}

// iou is the intersection over union of two x,y,w,h boxes.
func iou(a, b [4]int) float64 {
	ix := max(0, min(a[0]+a[2], b[0]+b[2])-max(a[0], b[0]))
	iy := max(0, min(a[1]+a[3], b[1]+b[3])-max(a[1], b[1]))
	inter := float64(ix * iy)
	return inter / (float64(a[2]*a[3]+b[2]*b[3]) - inter)
}

func TestUnwatermark(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	unwatermarkSources(t, dir)
	logo := ingestFile(t, s, filepath.Join(dir, "logo.mp4"))
	plain := ingestFile(t, s, filepath.Join(dir, "plain.mp4"))
	tone := ingestFile(t, s, filepath.Join(dir, "tone.m4a"))

	t.Run("logo", func(t *testing.T) {
		r := unwatermarkRun(t, s, logo)
		msg := vodapi.Val(r.Message)
		require.Contains(t, msg, "removed")
		t.Logf("message: %s", msg)
		box := unwatermarkBox(t, msg)
		require.GreaterOrEqual(t, iou(box, unwatermarkLogo), 0.5, "found %v, placed %v", box, unwatermarkLogo)
		out := r.Output
		require.Equal(t, "mp4", vodapi.Val(out.FileType))
		require.EqualValues(t, 320, vodapi.Val(out.MetaData.Width))
		require.EqualValues(t, 240, vodapi.Val(out.MetaData.Height))

		file := fetch(t, t.TempDir(), vodapi.Val(out.FileUrl))
		p := ffprobe(t, file)
		require.Len(t, p.Streams, 2)
		require.Equal(t, "h264", p.Streams[0].CodecName)
		require.Equal(t, 320, p.Streams[0].Width)
		require.Equal(t, 240, p.Streams[0].Height)
		require.Equal(t, "100", p.Streams[0].NbFrames)
		require.Equal(t, "aac", p.Streams[1].CodecName)
		d, err := strconv.ParseFloat(p.Format.Duration, 64)
		require.NoError(t, err)
		require.InDelta(t, 4, d, 0.1)

		// The white box is gone: the middle of where it was is no longer
		// white (the source's is).
		l := unwatermarkLogo
		before := region(t, inspectPath(dir, "logo.mp4"), 2, l[0]+10, l[1]+8, l[2]-20, l[3]-16)
		after := region(t, file, 2, l[0]+10, l[1]+8, l[2]-20, l[3]-16)
		r0, g0, b0 := meanRGB(before)
		require.Greater(t, min(r0, g0, b0), 235.0)
		r1, g1, b1 := meanRGB(after)
		require.Less(t, min(r1, g1, b1), 200.0, "the logo area is still white")
	})

	t.Run("no watermark", func(t *testing.T) {
		r := unwatermarkRun(t, s, plain)
		require.Contains(t, vodapi.Val(r.Message), "no watermark found")
		file := fetch(t, t.TempDir(), vodapi.Val(r.Output.FileUrl))
		p := ffprobe(t, file)
		require.Len(t, p.Streams, 2)
		require.Equal(t, "100", p.Streams[0].NbFrames)
		require.Equal(t, readFile(t, inspectPath(dir, "plain.mp4")), readFile(t, file), "an unchanged copy")
	})

	t.Run("events", func(t *testing.T) {
		evs := inspectEvents(t, s, "RemoveWatermark", "RemoveWatermarkCompleteEvent")
		require.Len(t, evs, 2, "one event for each finished task")
		for _, e := range evs {
			require.Contains(t, e["TaskId"], "-RemoveWatermark-")
			require.Equal(t, "FINISH", e["Status"])
		}
	})

	t.Run("bad inputs", func(t *testing.T) {
		before := inspectTaskCount(t, s, tone)
		_, err := s.call("RemoveWatermark", map[string]any{"FileId": "5285485487985271487"})
		requireRawCode(t, err, "ResourceNotFound.FileNotExist")
		_, err = s.call("RemoveWatermark", map[string]any{"FileId": tone})
		requireRawCode(t, err, "InvalidParameterValue.FileId")
		_, err = s.call("RemoveWatermark", map[string]any{})
		requireRawCode(t, err, "MissingParameter")
		require.Equal(t, before, inspectTaskCount(t, s, tone), "no task was created")
	})
}

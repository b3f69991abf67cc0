package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// enhSource writes a 2 s clip of size at fps frames per second with a
// quiet 440 Hz tone (about -32 LUFS); noisy adds strong temporal noise to
// the picture and pink noise to the sound. It returns the file's path.
func enhSource(t *testing.T, dir, name, size string, fps int, noisy bool) string {
	t.Helper()
	p := filepath.Join(dir, name)
	video := "testsrc2=size=" + size + ":rate=" + strconv.Itoa(fps) + ":duration=2"
	audio := "sine=frequency=440:sample_rate=44100:duration=2,volume=0.05"
	if noisy {
		video += ",noise=alls=40:allf=t+u"
		audio = "sine=frequency=440:sample_rate=44100:duration=2,volume=0.05[s];" +
			"anoisesrc=color=pink:amplitude=0.01:sample_rate=44100:duration=2[n];[s][n]amix=inputs=2:normalize=0"
	}
	ffmpeg(t, "-f", "lavfi", "-i", video, "-filter_complex", audio,
		"-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-c:a", "aac", "-b:a", "128k", "-shortest", p)
	return p
}

// enhUpload pulls the local file at path into the server and returns its
// FileId.
func enhUpload(t *testing.T, s *server, path string) string {
	t.Helper()
	src := mediaServer(t, filepath.Dir(path))
	return *pullMedia(t, s.client(), src.URL+"/"+filepath.Base(path), nil).FileId
}

// enhSubmit calls a task-creating action and returns its TaskId.
func enhSubmit(t *testing.T, s *server, action string, params map[string]any) string {
	t.Helper()
	var resp struct{ TaskId *string }
	require.NoError(t, s.callInto(t, action, params, &resp), action)
	require.NotNil(t, resp.TaskId)
	return *resp.TaskId
}

// enhDetail polls DescribeTaskDetail (through the project's own types, which
// hold the result fields the old SDK lacks) until the task ends.
func enhDetail(t *testing.T, s *server, taskID string) *vodapi.DescribeTaskDetailResponse {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var d vodapi.DescribeTaskDetailResponse
		require.NoError(t, s.callInto(t, "DescribeTaskDetail", map[string]any{"TaskId": taskID}, &d))
		if st := vodapi.Val(d.Status); st == "FINISH" || st == "ABORTED" {
			return &d
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still %s after 90s", taskID, vodapi.Val(d.Status))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// enhRawDetail returns the task's detail as generic JSON, for checks of the
// exact JSON types and nulls.
func enhRawDetail(t *testing.T, s *server, taskID string) map[string]any {
	t.Helper()
	r, err := s.call("DescribeTaskDetail", map[string]any{"TaskId": taskID})
	require.NoError(t, err)
	return r
}

// enhVideoFacts are what ffprobe counts of the first video stream.
type enhVideoFacts struct {
	Width, Height int
	Rate          string // r_frame_rate, e.g. "30/1"
	Frames        int    // decoded frames
}

func enhProbeVideo(t *testing.T, path string) enhVideoFacts {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=width,height,r_frame_rate,nb_read_frames", "-of", "csv=p=0", path).Output()
	require.NoError(t, err, path)
	f := strings.Split(strings.TrimSpace(string(out)), ",")
	require.Len(t, f, 4, "%s", out)
	var v enhVideoFacts
	v.Width, _ = strconv.Atoi(f[0])
	v.Height, _ = strconv.Atoi(f[1])
	v.Rate = f[2]
	v.Frames, _ = strconv.Atoi(f[3])
	return v
}

var (
	enhLufsRE = regexp.MustCompile(`I:\s+(-?[0-9.]+) LUFS`)
	enhSSIMRE = regexp.MustCompile(`All:([0-9.]+)`)
	enhPSNRRE = regexp.MustCompile(`average:([0-9.]+|inf)`)
)

// enhLoudness measures the integrated loudness (EBU R128) of a file's audio.
func enhLoudness(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostats", "-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := enhLufsRE.FindAllSubmatch(out, -1)
	require.NotEmpty(t, m, "%s", out)
	v, err := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	require.NoError(t, err)
	return v
}

// enhCompare runs ffmpeg's ssim or psnr filter on the video of a against b
// (scaled to a's size first) and returns the average over all frames.
func enhCompare(t *testing.T, filter, a, b string) float64 {
	t.Helper()
	graph := "[1:v][0:v]scale2ref[bs][as];[as][bs]" + filter
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostats", "-i", a, "-i", b, "-filter_complex", graph, "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "%s", out)
	re := enhSSIMRE
	if filter == "psnr" {
		re = enhPSNRRE
	}
	m := re.FindSubmatch(out)
	require.NotNil(t, m, "%s", out)
	if string(m[1]) == "inf" {
		return 100
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	return v
}

// enhEvents returns the events waiting in the pull queue, by TaskId of
// the task each one reports (events of other kinds are left out).
func enhEvents(t *testing.T, s *server) map[string]*vodapi.EventContent {
	t.Helper()
	var resp vodapi.PullEventsResponse
	require.NoError(t, s.callInto(t, "PullEvents", map[string]any{}, &resp))
	out := map[string]*vodapi.EventContent{}
	for _, e := range resp.EventSet {
		switch {
		case e.RebuildMediaCompleteEvent != nil:
			out[vodapi.Val(e.RebuildMediaCompleteEvent.TaskId)] = e
		case e.QualityEnhanceCompleteEvent != nil:
			out[vodapi.Val(e.QualityEnhanceCompleteEvent.TaskId)] = e
		case e.ReduceMediaBitrateCompleteEvent != nil:
			out[vodapi.Val(e.ReduceMediaBitrateCompleteEvent.TaskId)] = e
		}
	}
	return out
}

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHealthAndMetrics checks the operational endpoints the README
// promises: /healthz, and /metrics with requests by action and code, tasks
// by type and status, and the queue depth.
func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	resp, err := http.Get(s.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	c := s.client()
	ingestClip(t, s, c, 1)
	_, err = s.call("DescribeTaskDetail", map[string]any{"TaskId": "nope"})
	require.Error(t, err)

	resp, err = http.Get(s.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := string(body)
	require.Contains(t, m, `openvod_api_requests_total{action="PullUpload",code=""}`)
	require.Contains(t, m, `openvod_api_requests_total{action="DescribeTaskDetail",code="InvalidParameterValue.TaskId"} 1`)
	require.Contains(t, m, `openvod_tasks{status="FINISH",type="PullUpload"} 1`)
	require.Contains(t, m, `openvod_queue_depth{state="waiting"} 0`)
	require.Contains(t, m, `openvod_tasks_finished_total{status="FINISH",type="PullUpload"} 1`)
}

// TestCLICallWait drives `openvod call ... --wait` as a user would.
func TestCLICallWait(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "clip.mp4"), 1)
	src := mediaServer(t, dir)

	cmd := exec.Command(binPath, "call", "PullUpload", "--MediaUrl", src.URL+"/clip.mp4", "--ClassId", "0", "--wait", "--endpoint", s.Addr)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+s.SecretID, "OPENVOD_SECRET_KEY="+s.SecretKey)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	require.Contains(t, stderr.String(), "100%", "the progress bar reaches the end")
	require.Contains(t, stderr.String(), "FINISH")

	// Two JSON documents: the TaskId answer, then the final detail.
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var first, final map[string]any
	require.NoError(t, dec.Decode(&first))
	require.NoError(t, dec.Decode(&final))
	require.Regexp(t, `-pull-`, first["TaskId"])
	require.Equal(t, "FINISH", final["Status"])
	require.EqualValues(t, 0, final["PullUploadTask"].(map[string]any)["ErrCode"])

	// The extension action ReduceMediaBitrate is known to the CLI too.
	fileID := final["PullUploadTask"].(map[string]any)["FileId"].(string)
	cmd = exec.Command(binPath, "call", "ReduceMediaBitrate", "--FileId", fileID, "--wait", "--endpoint", s.Addr)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+s.SecretID, "OPENVOD_SECRET_KEY="+s.SecretKey)
	out, _ = cmd.Output()
	dec = json.NewDecoder(strings.NewReader(string(out)))
	require.NoError(t, dec.Decode(&first), string(out))
	require.NoError(t, dec.Decode(&final), string(out))
	require.Regexp(t, `-ReduceMediaBitrate-`, first["TaskId"])
	require.Equal(t, "ReduceMediaBitrate", final["TaskType"])
	require.Equal(t, "FINISH", final["Status"])

	// An API error is printed with its code and a non-zero status.
	cmd = exec.Command(binPath, "call", "DescribeTaskDetail", "--TaskId", "nope", "--endpoint", s.Addr)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+s.SecretID, "OPENVOD_SECRET_KEY="+s.SecretKey)
	msg, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(msg), "InvalidParameterValue.TaskId")
}

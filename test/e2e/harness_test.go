package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/tcapi"
)

// binPath is the openvod binary built once for the whole package.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "openvod-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "openvod")
	build := exec.Command("go", "build", "-o", binPath, "github.com/openvod/openvod/cmd/openvod")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build openvod:", err)
		os.Exit(1)
	}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(os.Stderr, "%s is required by the end-to-end tests (apt-get install ffmpeg)\n", tool)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running openvod process.
type server struct {
	t         *testing.T
	Addr      string // host:port
	URL       string // http://host:port
	SecretID  string
	SecretKey string
	AppID     uint64
	DataDir   string
	Args      []string
	Env       []string

	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan struct{}
}

// serverOpts tweak startServer.
type serverOpts struct {
	Args    []string // extra flags
	Env     []string // extra environment
	DataDir string   // reuse a data directory (restart tests)
	// NoPrivatePull starts the server without --allow-private-pull, so
	// PullUpload refuses loopback sources as a default server does.
	NoPrivatePull bool
}

// startServer runs openvod serve on a free port with fresh credentials and
// waits until it accepts requests. It is stopped when the test ends.
func startServer(t *testing.T, o serverOpts) *server {
	t.Helper()
	s := &server{t: t, SecretID: "AKID" + randHex(16), SecretKey: randHex(16), AppID: 1250000001, DataDir: o.DataDir}
	if s.DataDir == "" {
		s.DataDir = t.TempDir()
	}
	s.Args = []string{"serve", "--listen", "127.0.0.1:0", "--data", s.DataDir, "--log-level", "debug"}
	if !o.NoPrivatePull {
		s.Args = append(s.Args, "--allow-private-pull")
	}
	s.Args = append(s.Args, o.Args...)
	s.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+s.SecretID, "OPENVOD_SECRET_KEY="+s.SecretKey,
		fmt.Sprintf("OPENVOD_APP_ID=%d", s.AppID))
	s.Env = append(s.Env, o.Env...)
	s.start()
	t.Cleanup(s.stop)
	return s
}

var listenRE = regexp.MustCompile(`msg="openvod serving" listen=(\S+)`)

func (s *server) start() {
	t := s.t
	t.Helper()
	s.logs = &syncBuffer{}
	s.exited = make(chan struct{})
	s.cmd = exec.Command(binPath, s.Args...)
	s.cmd.Env = s.Env
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := s.cmd.StderrPipe()
	require.NoError(t, err)
	s.cmd.Stdout = s.logs
	require.NoError(t, s.cmd.Start())
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { s.cmd.Wait(); close(s.exited) }()
	select {
	case a := <-addr:
		s.Addr, s.URL = a, "http://"+a
	case <-s.exited:
		t.Fatalf("openvod exited before serving:\n%s", s.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("openvod did not start in 30s:\n%s", s.logs.String())
	}
}

// stop ends the server gracefully (SIGTERM), then kills what is left.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	if s.t.Failed() {
		s.t.Logf("openvod logs:\n%s", s.logs.String())
	}
}

// kill9 kills the server and everything it started, as a crash would.
func (s *server) kill9() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
}

// restart starts a new process on the same data directory and port 0.
func (s *server) restart() {
	s.start()
}

// client is the official Go SDK pointed at the server.
func (s *server) client() *vod.Client {
	s.t.Helper()
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = s.Addr
	prof.HttpProfile.Scheme = "HTTP"
	c, err := vod.NewClient(common.NewCredential(s.SecretID, s.SecretKey), "", prof)
	require.NoError(s.t, err)
	return c
}

// raw is the project's own signed client, for actions the SDK v1.0.162
// does not have and for exact JSON checks.
func (s *server) raw() *tcapi.Client {
	return &tcapi.Client{Endpoint: s.URL, SecretID: s.SecretID, SecretKey: s.SecretKey, Version: "2018-07-17"}
}

// call sends a raw API call and returns the inner Response JSON.
func (s *server) call(action string, params any) (map[string]any, error) {
	var out map[string]any
	err := s.raw().Call(context.Background(), action, params, &out)
	return out, err
}

// rawBody posts params and returns the exact response body.
func (s *server) rawBody(t *testing.T, action string, params string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(params))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", "2018-07-17")
	tcapi.SignTC3(req, []byte(params), s.SecretID, s.SecretKey, "vod", time.Now())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return b
}

// waitTask polls DescribeTaskDetail until the task ends (FINISH or
// ABORTED) and returns the last response.
func waitTask(t *testing.T, c *vod.Client, taskID string, subAppID *uint64) *vod.DescribeTaskDetailResponse {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		req := vod.NewDescribeTaskDetailRequest()
		req.TaskId = common.StringPtr(taskID)
		req.SubAppId = subAppID
		resp, err := c.DescribeTaskDetail(req)
		require.NoError(t, err)
		if st := *resp.Response.Status; st == "FINISH" || st == "ABORTED" {
			return resp
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still %s after 90s", taskID, *resp.Response.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStatus polls until the task reaches status (or fails the test).
func waitStatus(t *testing.T, c *vod.Client, taskID, status string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req := vod.NewDescribeTaskDetailRequest()
		req.TaskId = common.StringPtr(taskID)
		resp, err := c.DescribeTaskDetail(req)
		require.NoError(t, err)
		if *resp.Response.Status == status {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("task %s never reached %s", taskID, status)
}

// mediaServer serves files from dir over HTTP on loopback.
func mediaServer(t *testing.T, dir string) *httptest.Server {
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

// ffmpeg runs ffmpeg with args (an argument list, no shell).
func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-v", "error", "-y"}, args...)...).CombinedOutput()
	require.NoError(t, err, "ffmpeg %v: %s", args, out)
}

// makeMP4 writes a small H.264/AAC test clip of the given length.
func makeMP4(t *testing.T, path string, seconds int) {
	t.Helper()
	d := fmt.Sprint(seconds)
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", path)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/tcapi"
)

// uuidRE matches the RequestId of every response.
var uuidRE = `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`

// fixtureFiles are the source files the tests pull and upload. They are made
// once per package run (ffmpeg is the expensive part of most tests) and
// only ever read.
type fixtureFiles struct {
	Dir       string
	Clip      string // clip.mp4: 2 s, 320x240 H.264 + AAC
	Clip2     string // clip2.mp4: 1 s, 320x240 H.264 + AAC, different bytes
	Tone      string // tone.m4a: 1 s AAC, no video
	Text      string // text.txt: not media
	Empty     string // empty.mp4: zero bytes
	Truncated string // truncated.mp4: the first 40% of clip.mp4
	Cover     []byte // a small PNG image
}

var (
	fixtureOnce sync.Once
	fixture     fixtureFiles
	fixtureErr  error
)

// fixtures returns the shared source files, making them on first use.
func fixtures(t *testing.T) fixtureFiles {
	t.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = makeFixtures() })
	require.NoError(t, fixtureErr)
	return fixture
}

func makeFixtures() (fixtureFiles, error) {
	// The directory lives next to the binary, which TestMain removes.
	dir := filepath.Join(filepath.Dir(binPath), "fixtures")
	f := fixtureFiles{Dir: dir, Clip: filepath.Join(dir, "clip.mp4"), Clip2: filepath.Join(dir, "clip2.mp4"),
		Tone: filepath.Join(dir, "tone.m4a"), Text: filepath.Join(dir, "text.txt"), Empty: filepath.Join(dir, "empty.mp4"),
		Truncated: filepath.Join(dir, "truncated.mp4")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	run := func(args ...string) error {
		out, err := runFFmpeg(args...)
		if err != nil {
			return fmt.Errorf("ffmpeg %v: %w: %s", args, err, out)
		}
		return nil
	}
	clip := func(path, seconds, freq string) error {
		return run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration="+seconds,
			"-f", "lavfi", "-i", "sine=frequency="+freq+":duration="+seconds,
			"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", path)
	}
	if err := clip(f.Clip, "2", "440"); err != nil {
		return f, err
	}
	if err := clip(f.Clip2, "1", "880"); err != nil {
		return f, err
	}
	if err := run("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", f.Tone); err != nil {
		return f, err
	}
	if err := os.WriteFile(f.Text, []byte(strings.Repeat("this is a text file, not a video\n", 200)), 0o644); err != nil {
		return f, err
	}
	if err := os.WriteFile(f.Empty, nil, 0o644); err != nil {
		return f, err
	}
	b, err := os.ReadFile(f.Clip)
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(f.Truncated, b[:len(b)*4/10], 0o644); err != nil {
		return f, err
	}
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for x := 0; x < 16; x++ {
		for y := 0; y < 9; y++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 16), G: uint8(y * 28), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return f, err
	}
	f.Cover = buf.Bytes()
	return f, nil
}

// runFFmpeg runs ffmpeg with args (an argument list, no shell).
func runFFmpeg(args ...string) ([]byte, error) {
	return exec.Command("ffmpeg", append([]string{"-hide_banner", "-v", "error", "-y"}, args...)...).CombinedOutput()
}

// readFile reads a fixture or fails the test.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// sdkCode returns the API error code of an SDK error ("" for nil).
func sdkCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *sdkerrors.TencentCloudSDKError
	require.True(t, errors.As(err, &e), "not an SDK error: %v", err)
	return e.GetCode()
}

// requireCode asserts that err is an SDK error with the given code, a
// message and a RequestId.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err, "want error %s", code)
	var e *sdkerrors.TencentCloudSDKError
	require.True(t, errors.As(err, &e), "not an SDK error: %v", err)
	require.Equal(t, code, e.GetCode(), e.GetMessage())
	require.NotEmpty(t, e.GetMessage())
	require.Regexp(t, uuidRE, e.GetRequestId())
}

// requireRawCode asserts that err (from s.call) is an API error with code.
func requireRawCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err, "want error %s", code)
	var e *tcapi.Error
	require.True(t, errors.As(err, &e), "not an API error: %v", err)
	require.Equal(t, code, e.Code, e.Message)
}

// clientWith is the official SDK client with a profile tweaked by fn and
// the given credentials.
func (s *server) clientWith(secretID, secretKey string, fn func(p *profile.ClientProfile)) *vod.Client {
	s.t.Helper()
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = s.Addr
	prof.HttpProfile.Scheme = "HTTP"
	if fn != nil {
		fn(prof)
	}
	c, err := vod.NewClient(common.NewCredential(secretID, secretKey), "", prof)
	require.NoError(s.t, err)
	return c
}

// callInto sends a raw signed call and decodes the inner Response into out.
func (s *server) callInto(t *testing.T, action string, params, out any) error {
	t.Helper()
	return s.raw().Call(context.Background(), action, params, out)
}

// rawResponse is one HTTP exchange with the API endpoint.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// send signs (unless sign is false) and sends a request with the given
// method, headers and body, and returns what came back.
func (s *server) send(t *testing.T, method string, header map[string]string, body string, sign bool) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if sign {
		tcapi.SignTC3(req, []byte(body), s.SecretID, s.SecretKey, "vod", time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// apiHeaders are the headers of a TC3 POST JSON call of action.
func apiHeaders(action string) map[string]string {
	return map[string]string{"Content-Type": "application/json", "X-TC-Action": action, "X-TC-Version": "2018-07-17"}
}

// envelope decodes {"Response":{...}} into the inner object's members.
func envelope(t *testing.T, body []byte) map[string]json.RawMessage {
	t.Helper()
	var outer map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &outer), "%s", body)
	require.Len(t, outer, 1, "%s", body)
	var inner map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(outer["Response"], &inner), "%s", body)
	return inner
}

// errorCode returns Response.Error.Code of a raw body ("" on success).
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Response struct{ Error struct{ Code string } }
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	return e.Response.Error.Code
}

// pull submits a PullUpload of url and returns its TaskId.
func pull(t *testing.T, c *vod.Client, url string, fn func(r *vod.PullUploadRequest)) string {
	t.Helper()
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr(url)
	if fn != nil {
		fn(req)
	}
	resp, err := c.PullUpload(req)
	require.NoError(t, err)
	return *resp.Response.TaskId
}

// pullMedia pulls url to the end and returns the successful task result.
func pullMedia(t *testing.T, c *vod.Client, url string, fn func(r *vod.PullUploadRequest)) *vod.PullUploadTask {
	t.Helper()
	id := pull(t, c, url, fn)
	var sub *uint64
	if fn != nil { // wait in the application the pull went to
		req := vod.NewPullUploadRequest()
		fn(req)
		sub = req.SubAppId
	}
	d := waitTask(t, c, id, sub)
	require.Equal(t, "FINISH", *d.Response.Status)
	p := d.Response.PullUploadTask
	require.NotNil(t, p)
	require.Equal(t, int64(0), *p.ErrCode, *p.Message)
	return p
}

// taskStatus reads a task's status once.
func taskStatus(t *testing.T, c *vod.Client, taskID string) *vod.DescribeTaskDetailResponse {
	t.Helper()
	req := vod.NewDescribeTaskDetailRequest()
	req.TaskId = common.StringPtr(taskID)
	resp, err := c.DescribeTaskDetail(req)
	require.NoError(t, err)
	return resp
}

// describeMedia calls DescribeMediaInfos for ids.
func describeMedia(t *testing.T, c *vod.Client, sub *uint64, ids ...string) *vod.DescribeMediaInfosResponse {
	t.Helper()
	req := vod.NewDescribeMediaInfosRequest()
	req.FileIds = common.StringPtrs(ids)
	req.SubAppId = sub
	resp, err := c.DescribeMediaInfos(req)
	require.NoError(t, err)
	return resp
}

// searchMedia runs SearchMedia with the filters fn sets.
func searchMedia(t *testing.T, c *vod.Client, fn func(r *vod.SearchMediaRequest)) *vod.SearchMediaResponse {
	t.Helper()
	req := vod.NewSearchMediaRequest()
	if fn != nil {
		fn(req)
	}
	resp, err := c.SearchMedia(req)
	require.NoError(t, err)
	return resp
}

// httpGet fetches url with optional headers.
func httpGet(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// eventually polls cond every 50 ms until it is true or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// source is an HTTP origin for PullUpload: it serves the fixture files
// (and anything added with put) and, while slow, sends them in small chunks
// with a pause after each, so a pull stays PROCESSING for seconds. It
// records the paths requested, in order.
type source struct {
	*httptest.Server
	slow  atomic.Bool
	chunk atomic.Int64 // bytes sent between pauses while slow; default 8 KiB
	pause time.Duration

	mu    sync.Mutex
	files map[string][]byte
	hits  []string
	done  map[string]chan struct{} // closed when a response to the path ends
}

// newSource starts a source serving every fixture file under its base name.
func newSource(t *testing.T) *source {
	t.Helper()
	fx := fixtures(t)
	src := &source{pause: 200 * time.Millisecond, files: map[string][]byte{}, done: map[string]chan struct{}{}}
	src.chunk.Store(8 << 10)
	for _, p := range []string{fx.Clip, fx.Clip2, fx.Tone, fx.Text, fx.Empty, fx.Truncated} {
		src.files["/"+filepath.Base(p)] = readFile(t, p)
	}
	src.Server = httptest.NewServer(http.HandlerFunc(src.serve))
	t.Cleanup(src.Close)
	return src
}

// put adds (or replaces) a file at path.
func (s *source) put(path string, b []byte) {
	s.mu.Lock()
	s.files[path] = b
	s.mu.Unlock()
}

// hitCount says how many requests path received.
func (s *source) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		if h == path {
			n++
		}
	}
	return n
}

// order returns the requested paths in arrival order.
func (s *source) order() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

// ended returns a channel closed once a response to path has ended.
func (s *source) ended(path string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done[path] == nil {
		s.done[path] = make(chan struct{})
	}
	return s.done[path]
}

func (s *source) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits = append(s.hits, r.URL.Path)
	b, ok := s.files[r.URL.Path]
	if s.done[r.URL.Path] == nil {
		s.done[r.URL.Path] = make(chan struct{})
	}
	done := s.done[r.URL.Path]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		select {
		case <-done:
		default:
			close(done)
		}
		s.mu.Unlock()
	}()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	flusher, _ := w.(http.Flusher)
	for len(b) > 0 {
		n := len(b)
		if s.slow.Load() {
			n = min(n, int(s.chunk.Load()))
		}
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		b = b[n:]
		if flusher != nil {
			flusher.Flush()
		}
		if s.slow.Load() && len(b) > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(s.pause):
			}
		}
	}
}

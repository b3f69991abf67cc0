package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/events"
)

// pullTask runs a PullUpload of a fresh clip to its end and returns its id.
func pullTask(t *testing.T, s *server, c *vod.Client) string {
	t.Helper()
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "clip.mp4"), 1)
	src := mediaServer(t, dir)
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr(src.URL + "/clip.mp4")
	req.SessionContext = common.StringPtr("event-ctx")
	resp, err := c.PullUpload(req)
	require.NoError(t, err)
	waitTask(t, c, *resp.Response.TaskId, nil)
	return *resp.Response.TaskId
}

func pullEvents(t *testing.T, c *vod.Client) ([]*vod.EventContent, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := c.PullEvents(vod.NewPullEventsRequest())
	require.NoError(t, err)
	return resp.Response.EventSet, time.Since(start)
}

func confirm(c *vod.Client, handles ...string) error {
	req := vod.NewConfirmEventsRequest()
	req.EventHandles = common.StringPtrs(handles)
	_, err := c.ConfirmEvents(req)
	return err
}

func TestEventsPullQueue(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	cfg, err := c.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
	require.NoError(t, err)
	require.Equal(t, "PULL", *cfg.Response.Mode, "events wait in the pull queue by default")

	first := pullTask(t, s, c)
	second := pullTask(t, s, c)
	state, err := c.DescribeEventsState(vod.NewDescribeEventsStateRequest())
	require.NoError(t, err)
	require.EqualValues(t, 2, *state.Response.CountOfEventsToPull)

	evs, _ := pullEvents(t, c)
	require.Len(t, evs, 2)
	byTask := map[string]*vod.EventContent{}
	for _, e := range evs {
		require.Equal(t, "PullComplete", *e.EventType)
		require.NotEmpty(t, *e.EventHandle)
		byTask[*e.PullCompleteEvent.TaskId] = e
	}
	require.Contains(t, byTask, first)
	require.Contains(t, byTask, second)
	// The payload is the task's result as DescribeTaskDetail shows it.
	d := waitTask(t, c, first, nil)
	got, _ := json.Marshal(byTask[first].PullCompleteEvent)
	want, _ := json.Marshal(d.Response.PullUploadTask)
	require.JSONEq(t, string(want), string(got))
	require.Equal(t, "event-ctx", *byTask[first].PullCompleteEvent.SessionContext)

	// Confirm one; leave the other unconfirmed.
	require.NoError(t, confirm(c, *byTask[first].EventHandle))
	evs, waited := pullEvents(t, c)
	require.Empty(t, evs, "nothing is pullable while the unconfirmed event is hidden")
	require.GreaterOrEqual(t, waited, 4*time.Second, "PullEvents waits up to 5 s for an event")

	// After 30 s the unconfirmed event comes back with a new handle; the
	// confirmed one never does.
	oldHandle := *byTask[second].EventHandle
	deadline := time.Now().Add(45 * time.Second)
	for {
		evs, _ = pullEvents(t, c)
		if len(evs) > 0 || time.Now().After(deadline) {
			break
		}
	}
	require.Len(t, evs, 1)
	require.Equal(t, second, *evs[0].PullCompleteEvent.TaskId)
	require.NotEqual(t, oldHandle, *evs[0].EventHandle)
	err = confirm(c, oldHandle)
	var apiErr *sdkerr.TencentCloudSDKError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "InvalidParameterValue", apiErr.GetCode(), "a superseded handle is refused")
	require.NoError(t, confirm(c, *evs[0].EventHandle))
	state, err = c.DescribeEventsState(vod.NewDescribeEventsStateRequest())
	require.NoError(t, err)
	require.EqualValues(t, 0, *state.Response.CountOfEventsToPull)
}

// receiver is a PUSH endpoint on loopback that records the callbacks it
// gets and answers as told.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	calls    []callback
	failNext atomic.Int32 // answer 500 to this many more calls
	down     atomic.Bool  // answer 503 while set
	delay    atomic.Int64 // nanoseconds to wait before answering
}

type callback struct {
	header http.Header
	body   []byte
	ok     bool
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if d := r.delay.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		status := http.StatusOK
		switch {
		case r.down.Load():
			status = http.StatusServiceUnavailable
		case r.failNext.Add(-1) >= 0:
			status = http.StatusInternalServerError
		}
		r.mu.Lock()
		r.calls = append(r.calls, callback{header: req.Header.Clone(), body: body, ok: status == http.StatusOK})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// delivered returns the callbacks answered 200 once there are n of them.
func (r *receiver) delivered(t *testing.T, n int, within time.Duration) []callback {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r.mu.Lock()
		var ok []callback
		for _, c := range r.calls {
			if c.ok {
				ok = append(ok, c)
			}
		}
		total := len(r.calls)
		r.mu.Unlock()
		if len(ok) >= n {
			return ok
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d callbacks delivered after %s (%d attempts)", len(ok), n, within, total)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *receiver) attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func setPush(t *testing.T, c *vod.Client, url string) {
	t.Helper()
	req := vod.NewModifyEventConfigRequest()
	req.Mode = common.StringPtr("PUSH")
	req.NotificationUrl = common.StringPtr(url)
	_, err := c.ModifyEventConfig(req)
	require.NoError(t, err)
}

func TestEventsPushRetriesAndSignature(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	r := newReceiver(t)
	r.failNext.Store(2)
	setPush(t, c, r.srv.URL+"/hook")

	taskID := pullTask(t, s, c)
	got := r.delivered(t, 1, 30*time.Second)
	require.GreaterOrEqual(t, r.attempts(), 3, "two failures, then success")
	cb := got[0]
	require.Equal(t, "application/json", cb.header.Get("Content-Type"))
	ts := cb.header.Get(events.HeaderTimestamp)
	require.Equal(t, events.Sign(s.SecretKey, ts, cb.body), cb.header.Get(events.HeaderSignature),
		"signed with the account SecretKey when the application has no SignKey")
	var body map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(cb.body, &body))
	require.NotContains(t, body, "EventHandle", "PUSH bodies carry no handle")
	require.JSONEq(t, `"PullComplete"`, string(body["EventType"]))
	var task struct{ TaskId string }
	require.NoError(t, json.Unmarshal(body["PullCompleteEvent"], &task))
	require.Equal(t, taskID, task.TaskId)

	// With a SignKey: the Tencent-style Sign and T fields, and the header
	// signature keyed by the SignKey.
	_, err := s.call("ModifyEventConfig", map[string]any{"SignKey": "abc123XYZ"})
	require.NoError(t, err)
	pullTask(t, s, c)
	got = r.delivered(t, 2, 30*time.Second)
	cb = got[1]
	require.Equal(t, events.Sign("abc123XYZ", cb.header.Get(events.HeaderTimestamp), cb.body), cb.header.Get(events.HeaderSignature))
	require.NoError(t, json.Unmarshal(cb.body, &body))
	require.Contains(t, body, "Sign")
	require.Contains(t, body, "T")
}

func TestEventsSlowReceiverIsRetried(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--event-timeout", "1s"}})
	c := s.client()
	r := newReceiver(t)
	r.delay.Store(int64(1500 * time.Millisecond))
	setPush(t, c, r.srv.URL)
	pullTask(t, s, c)
	// The first answer comes too late; once the receiver is fast again the
	// retry gets through.
	deadline := time.Now().Add(20 * time.Second)
	for r.attempts() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	r.delay.Store(0)
	r.delivered(t, 1, 30*time.Second)
}

func TestEventsSurviveKill9(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	r := newReceiver(t)
	r.down.Store(true)
	setPush(t, c, r.srv.URL)
	taskID := pullTask(t, s, c)
	deadline := time.Now().Add(20 * time.Second)
	for r.attempts() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.NotZero(t, r.attempts(), "the callback was tried while the receiver was down")

	s.kill9()
	r.down.Store(false)
	s.restart()
	got := r.delivered(t, 1, 60*time.Second)
	require.Contains(t, string(got[0].body), taskID, "the event outlived the crash and was delivered")
}

func TestEventSwitchesAndConfig(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	for _, bad := range []map[string]any{
		{"Mode": "EMAIL"},
		{"NotificationUrl": "ftp://x"},
		{"UploadMediaCompleteEventSwitch": "YES"},
		{"SignKey": "not alnum!"},
	} {
		_, err := s.call("ModifyEventConfig", bad)
		require.Error(t, err, "%v", bad)
		require.Contains(t, err.Error(), "InvalidParameter")
	}

	_, err := s.call("ModifyEventConfig", map[string]any{"UploadMediaCompleteEventSwitch": "ON", "DeleteMediaCompleteEventSwitch": "ON"})
	require.NoError(t, err)
	cfg, err := c.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
	require.NoError(t, err)
	require.Equal(t, "ON", *cfg.Response.UploadMediaCompleteEventSwitch)
	require.Equal(t, "ON", *cfg.Response.DeleteMediaCompleteEventSwitch)
	require.Equal(t, "PULL", *cfg.Response.Mode, "fields left out keep their value")

	// NewFileUpload after CommitUpload, FileDeleted after DeleteMedia.
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "up.mp4"), 1)
	apply := vod.NewApplyUploadRequest()
	apply.MediaType = common.StringPtr("mp4")
	ar, err := c.ApplyUpload(apply)
	require.NoError(t, err)
	putFile(t, s.URL+"/upload"+*ar.Response.MediaStoragePath, *ar.Response.TempCertificate.Token, filepath.Join(dir, "up.mp4"))
	commit := vod.NewCommitUploadRequest()
	commit.VodSessionKey = ar.Response.VodSessionKey
	cr, err := c.CommitUpload(commit)
	require.NoError(t, err)
	fileID := *cr.Response.FileId
	del := vod.NewDeleteMediaRequest()
	del.FileId = common.StringPtr(fileID)
	_, err = c.DeleteMedia(del)
	require.NoError(t, err)

	evs, _ := pullEvents(t, c)
	require.Len(t, evs, 2)
	require.Equal(t, "NewFileUpload", *evs[0].EventType)
	require.Equal(t, fileID, *evs[0].FileUploadEvent.FileId)
	require.Equal(t, "FileDeleted", *evs[1].EventType)
	require.Equal(t, []*string{common.StringPtr(fileID)}, evs[1].FileDeleteEvent.FileIdSet)
}

// putFile uploads a file to an ApplyUpload target.
func putFile(t *testing.T, url, token, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	req, err := http.NewRequest(http.MethodPut, url, f)
	require.NoError(t, err)
	req.Header.Set("x-cos-security-token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

package e2e

import (
	"bytes"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestRestartMidTask(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		stop func(s *server)
	}{
		{"kill -9", (*server).kill9},
		{"SIGTERM", func(s *server) {
			begin := time.Now()
			s.stop()
			require.Less(s.t, time.Since(begin), 10*time.Second, "a graceful stop waited too long for the running task")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testRestartMidTask(t, tc.stop)
		})
	}
}

// testRestartMidTask stops the server with stop while a slow pull runs and
// another waits, restarts it on the same data directory, and checks that
// both tasks end well and leave exactly their media behind.
func testRestartMidTask(t *testing.T, stop func(s *server)) {
	s := startServer(t, serverOpts{Args: []string{"--workers", "1"}})
	src := newSource(t)
	src.chunk.Store(4 << 10)
	src.slow.Store(true) // clip.mp4 now takes about 10 s to download
	fx := fixtures(t)
	c := s.client()

	running := pull(t, c, src.URL+"/clip.mp4", func(r *vod.PullUploadRequest) {
		r.MediaName = common.StringPtr("survivor")
		r.SessionContext = common.StringPtr("ctx-running")
		r.SessionId = common.StringPtr("sess-running")
	})
	waitStatus(t, c, running, "PROCESSING")
	waiting := pull(t, c, src.URL+"/clip2.mp4", nil)
	require.Equal(t, "WAITING", *taskStatus(t, c, waiting).Response.Status)
	eventually(t, 10*time.Second, "download under way", func() bool { return src.hitCount("/clip.mp4") == 1 })

	// Progress moves while the download runs (the old SDK has no Progress
	// field: read it raw).
	eventually(t, 10*time.Second, "progress reported", func() bool {
		var d struct{ PullUploadTask struct{ Progress int64 } }
		require.NoError(t, s.callInto(t, "DescribeTaskDetail", map[string]any{"TaskId": running}, &d))
		require.Less(t, d.PullUploadTask.Progress, int64(100))
		return d.PullUploadTask.Progress > 0
	})

	// Mid-task nothing of the output is visible.
	p := taskStatus(t, c, running).Response.PullUploadTask
	require.Empty(t, *p.FileId)
	require.Empty(t, *p.FileUrl)
	require.Equal(t, uint64(0), *searchMedia(t, c, nil).Response.TotalCount)
	require.Empty(t, storedFiles(t, filepath.Join(s.DataDir, "media")))

	stop(s)
	src.slow.Store(false)
	s.restart()
	c = s.client() // the restarted server listens on another port

	// The interrupted task runs again to a clean end; so does the waiting one.
	d := waitTask(t, c, running, nil).Response
	require.Equal(t, "FINISH", *d.Status)
	p = d.PullUploadTask
	require.Equal(t, int64(0), *p.ErrCode, *p.Message)
	require.Equal(t, "ctx-running", *p.SessionContext)
	require.Equal(t, "sess-running", *p.SessionId)
	require.Equal(t, "survivor", *p.MediaBasicInfo.Name)
	w := waitTask(t, c, waiting, nil).Response
	require.Equal(t, "FINISH", *w.Status)
	require.Equal(t, int64(0), *w.PullUploadTask.ErrCode, *w.PullUploadTask.Message)
	require.Equal(t, 2, src.hitCount("/clip.mp4"), "the interrupted pull should have been retried once")

	// Its media is whole and served from the new address.
	info := describeMedia(t, c, nil, *p.FileId).Response
	require.Len(t, info.MediaInfoSet, 1)
	require.Equal(t, "survivor", *info.MediaInfoSet[0].BasicInfo.Name)
	res, got := httpGet(t, *p.FileUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.True(t, bytes.Equal(readFile(t, fx.Clip), got))

	// Exactly the two media exist: no duplicate and no stray file from the
	// stopped attempt, in storage or in the scratch space.
	require.Equal(t, uint64(2), *searchMedia(t, c, nil).Response.TotalCount)
	files := storedFiles(t, filepath.Join(s.DataDir, "media"))
	require.Len(t, files, 2, "%v", files)
	for _, f := range files {
		require.Equal(t, "f0.mp4", filepath.Base(f))
	}
	require.Empty(t, storedFiles(t, filepath.Join(s.DataDir, "work")), "the stopped attempt's scratch files are left over")

	// The SessionId stays taken across the restart.
	pr := vod.NewPullUploadRequest()
	pr.MediaUrl = common.StringPtr(src.URL + "/clip.mp4")
	pr.SessionId = common.StringPtr("sess-running")
	_, err := c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SessionId")
}

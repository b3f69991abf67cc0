package e2e

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// listTasks pages through DescribeTasks with limit per page and returns
// every TaskId in the order listed and the number of pages.
func listTasks(t *testing.T, c *vod.Client, limit uint64, fn func(r *vod.DescribeTasksRequest)) ([]*vod.TaskSimpleInfo, int) {
	t.Helper()
	var out []*vod.TaskSimpleInfo
	token := ""
	for pages := 1; ; pages++ {
		req := vod.NewDescribeTasksRequest()
		req.Limit = common.Uint64Ptr(limit)
		if token != "" {
			req.ScrollToken = common.StringPtr(token)
		}
		if fn != nil {
			fn(req)
		}
		resp, err := c.DescribeTasks(req)
		require.NoError(t, err)
		require.LessOrEqual(t, len(resp.Response.TaskSet), int(limit))
		out = append(out, resp.Response.TaskSet...)
		token = *resp.Response.ScrollToken
		if token == "" {
			return out, pages
		}
		require.Less(t, pages, 100, "ScrollToken paging does not end")
	}
}

func taskIDs(ts []*vod.TaskSimpleInfo) []string {
	var out []string
	for _, t := range ts {
		out = append(out, *t.TaskId)
	}
	return out
}

// abortTask sends ManageTask Abort.
func abortTask(c *vod.Client, taskID string) error {
	req := vod.NewManageTaskRequest()
	req.TaskId = common.StringPtr(taskID)
	req.OperationType = common.StringPtr("Abort")
	_, err := c.ManageTask(req)
	return err
}

func TestDescribeTasks(t *testing.T) {
	t.Parallel()
	// Paging one task at a time goes over DescribeTasks' 20 calls a second.
	s := startServer(t, serverOpts{Args: []string{"--no-rate-limit"}})
	src := newSource(t)
	c := s.client()
	p := pullMedia(t, c, src.URL+"/clip2.mp4", nil)

	// Six more tasks, created one after the other.
	created := []string{*p.TaskId}
	for i := range 6 {
		var out struct{ TaskId string }
		require.NoError(t, s.callInto(t, "DescribeFileAttributes", map[string]any{"FileId": *p.FileId,
			"SessionId": fmt.Sprint("sess-", i), "SessionContext": fmt.Sprint("ctx-", i)}, &out))
		created = append(created, out.TaskId)
	}
	for _, id := range created {
		waitTask(t, c, id, nil)
	}

	// Paging returns every task exactly once, newest first by default.
	all, pages := listTasks(t, c, 3, nil)
	require.Equal(t, 3, pages)
	newestFirst := slices.Clone(created)
	slices.Reverse(newestFirst)
	require.Equal(t, newestFirst, taskIDs(all))
	// The same with pages of one and of exactly the number of tasks.
	one, pages := listTasks(t, c, 1, nil)
	require.Equal(t, newestFirst, taskIDs(one))
	require.GreaterOrEqual(t, pages, 7)
	exact, _ := listTasks(t, c, 7, nil)
	require.Equal(t, newestFirst, taskIDs(exact))

	asc, _ := listTasks(t, c, 2, func(r *vod.DescribeTasksRequest) {
		r.Sort = &vod.SortBy{Field: common.StringPtr("CreateTime"), Order: common.StringPtr("Asc")}
	})
	require.Equal(t, created, taskIDs(asc))
	byFinish, _ := listTasks(t, c, 4, func(r *vod.DescribeTasksRequest) {
		r.Sort = &vod.SortBy{Field: common.StringPtr("FinishTime"), Order: common.StringPtr("Desc")}
	})
	require.ElementsMatch(t, created, taskIDs(byFinish))
	for i := 1; i < len(byFinish); i++ {
		require.GreaterOrEqual(t, *byFinish[i-1].FinishTime, *byFinish[i].FinishTime)
	}

	// The fields of a listed task.
	for _, ti := range all {
		require.Equal(t, "FINISH", *ti.Status)
		require.Regexp(t, timeRE, *ti.CreateTime)
		require.Regexp(t, timeRE, *ti.BeginProcessTime)
		require.Regexp(t, timeRE, *ti.FinishTime)
		if *ti.TaskId == *p.TaskId {
			require.Equal(t, "PullUpload", *ti.TaskType)
			require.Equal(t, *p.FileId, *ti.FileId, "a pull lists the media it made")
			continue
		}
		i := slices.Index(created, *ti.TaskId) - 1
		require.Equal(t, "DescribeFileAttributesTask", *ti.TaskType)
		require.Equal(t, *p.FileId, *ti.FileId)
		require.Equal(t, fmt.Sprint("sess-", i), *ti.SessionId)
		require.Equal(t, fmt.Sprint("ctx-", i), *ti.SessionContext)
	}

	// Filters.
	finished, _ := listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) { r.Status = common.StringPtr("FINISH") })
	require.Len(t, finished, 7)
	for _, st := range []string{"WAITING", "PROCESSING", "ABORTED"} {
		none, _ := listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) { r.Status = common.StringPtr(st) })
		require.Empty(t, none, st)
	}
	byFile, _ := listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) { r.FileId = p.FileId })
	require.ElementsMatch(t, created, taskIDs(byFile), "the pull that made the media and the tasks on it")
	none, _ := listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) { r.FileId = common.StringPtr("5285890812345678901") })
	require.Empty(t, none)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	none, _ = listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) {
		r.CreateTime = &vod.TimeRange{After: common.StringPtr(future)}
	})
	require.Empty(t, none)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	recent, _ := listTasks(t, c, 100, func(r *vod.DescribeTasksRequest) {
		r.CreateTime = &vod.TimeRange{After: common.StringPtr(past), Before: common.StringPtr(future)}
	})
	require.Len(t, recent, 7)

	// Bad parameters.
	for _, tc := range []struct {
		name string
		set  func(r *vod.DescribeTasksRequest)
		code string
	}{
		{"Status", func(r *vod.DescribeTasksRequest) { r.Status = common.StringPtr("DONE") }, "InvalidParameterValue.Status"},
		{"Limit 0", func(r *vod.DescribeTasksRequest) { r.Limit = common.Uint64Ptr(0) }, "InvalidParameterValue"},
		{"Limit 101", func(r *vod.DescribeTasksRequest) { r.Limit = common.Uint64Ptr(101) }, "InvalidParameterValue"},
		{"ScrollToken", func(r *vod.DescribeTasksRequest) { r.ScrollToken = common.StringPtr("not-a-token") }, "InvalidParameterValue"},
		{"Sort", func(r *vod.DescribeTasksRequest) {
			r.Sort = &vod.SortBy{Field: common.StringPtr("Name"), Order: common.StringPtr("Asc")}
		}, "InvalidParameterValue"},
		{"CreateTime", func(r *vod.DescribeTasksRequest) { r.CreateTime = &vod.TimeRange{After: common.StringPtr("yesterday")} }, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := vod.NewDescribeTasksRequest()
			tc.set(req)
			_, err := c.DescribeTasks(req)
			requireCode(t, err, tc.code)
		})
	}
}

func TestSessionIDAndContext(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	c := s.client()

	id := pull(t, c, src.URL+"/clip2.mp4", func(r *vod.PullUploadRequest) {
		r.SessionId = common.StringPtr("once")
		r.SessionContext = common.StringPtr(`{"user":42,"note":"échos & <tags>"}`)
	})
	// The same SessionId is refused at once, whatever the rest of the request.
	pr := vod.NewPullUploadRequest()
	pr.MediaUrl = common.StringPtr(src.URL + "/clip.mp4")
	pr.SessionId = common.StringPtr("once")
	_, err := c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SessionId")

	d := waitTask(t, c, id, nil).Response.PullUploadTask
	require.Equal(t, int64(0), *d.ErrCode, *d.Message)
	require.Equal(t, "once", *d.SessionId)
	require.Equal(t, `{"user":42,"note":"échos & <tags>"}`, *d.SessionContext)
	// Still refused after the first task ended.
	_, err = c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SessionId")
	ts, _ := listTasks(t, c, 10, nil)
	require.Len(t, ts, 1)
	require.Equal(t, "once", *ts[0].SessionId)
	require.Equal(t, `{"user":42,"note":"échos & <tags>"}`, *ts[0].SessionContext)

	pr.SessionId = common.StringPtr(strings.Repeat("s", 51))
	_, err = c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SessionIdTooLong")
	pr.SessionId = nil
	pr.SessionContext = common.StringPtr(strings.Repeat("c", 1001))
	_, err = c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SessionContextTooLong")
	// No SessionId: no de-duplication.
	pr.SessionContext = nil
	a, err := c.PullUpload(pr)
	require.NoError(t, err)
	b, err := c.PullUpload(pr)
	require.NoError(t, err)
	require.NotEqual(t, *a.Response.TaskId, *b.Response.TaskId)
	waitTask(t, c, *a.Response.TaskId, nil)
	waitTask(t, c, *b.Response.TaskId, nil)
}

// slowBlob is a payload big enough that, sent slowly, a pull of it never
// ends by itself during a test.
func slowBlob(t *testing.T) []byte {
	b := make([]byte, 8<<20)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func TestManageTaskAbort(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--workers", "1"}})
	src := newSource(t)
	src.put("/slow.bin", slowBlob(t))
	src.slow.Store(true)
	c := s.client()

	running := pull(t, c, src.URL+"/slow.bin", nil)
	waitStatus(t, c, running, "PROCESSING")
	waiting := pull(t, c, src.URL+"/clip.mp4", nil)
	w := taskStatus(t, c, waiting).Response
	require.Equal(t, "WAITING", *w.Status, "one worker is busy: the second task must wait")
	require.Equal(t, "", *w.BeginProcessTime)
	require.Equal(t, "", *w.FinishTime)

	// A waiting task ends ABORTED at once.
	require.NoError(t, abortTask(c, waiting))
	w = taskStatus(t, c, waiting).Response
	require.Equal(t, "ABORTED", *w.Status)
	require.Regexp(t, timeRE, *w.FinishTime)
	require.Equal(t, "", *w.BeginProcessTime)
	requireOnlyResult(t, s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+waiting+`"}`), "PullUploadTask")
	require.Equal(t, "PROCESSING", *taskStatus(t, c, running).Response.Status)

	// A running task stops within seconds, and its download with it.
	begin := time.Now()
	require.NoError(t, abortTask(c, running))
	eventually(t, 5*time.Second, "running task ABORTED", func() bool {
		return *taskStatus(t, c, running).Response.Status == "ABORTED"
	})
	select {
	case <-src.ended("/slow.bin"):
	case <-time.After(5 * time.Second):
		t.Fatal("the aborted task's download is still open")
	}
	t.Logf("running task aborted in %s", time.Since(begin))
	r := taskStatus(t, c, running).Response
	require.Regexp(t, timeRE, *r.BeginProcessTime)
	require.Regexp(t, timeRE, *r.FinishTime)
	require.Equal(t, "", *r.PullUploadTask.FileId)

	// Ended tasks cannot be aborted.
	requireCode(t, abortTask(c, waiting), "InvalidParameterValue.TaskId")
	requireCode(t, abortTask(c, running), "InvalidParameterValue.TaskId")

	// The worker is free again; the aborted waiting task never ran.
	src.slow.Store(false)
	next := pullMedia(t, c, src.URL+"/clip2.mp4", nil)
	require.Equal(t, 0, src.hitCount("/clip.mp4"), "an aborted waiting task was run")
	require.Equal(t, "ABORTED", *taskStatus(t, c, waiting).Response.Status)
	requireCode(t, abortTask(c, *next.TaskId), "InvalidParameterValue.TaskId")

	// Only the finished task made a media.
	sr := searchMedia(t, c, nil)
	require.Equal(t, uint64(1), *sr.Response.TotalCount)
	require.Equal(t, *next.FileId, *sr.Response.MediaInfoSet[0].FileId)
	aborted, _ := listTasks(t, c, 10, func(r *vod.DescribeTasksRequest) { r.Status = common.StringPtr("ABORTED") })
	require.ElementsMatch(t, []string{running, waiting}, taskIDs(aborted))

	// Bad requests.
	req := vod.NewManageTaskRequest()
	req.TaskId = next.TaskId
	req.OperationType = common.StringPtr("Pause")
	_, err := c.ManageTask(req)
	requireCode(t, err, "InvalidParameterValue.InvalidOperationType")
	requireCode(t, abortTask(c, "1250000001-pull-00000000000000000000000000000000t0"), "InvalidParameterValue.TaskId")
}

func TestTasksPriority(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--workers", "1"}})
	src := newSource(t)
	src.put("/slow.bin", slowBlob(t))
	src.slow.Store(true)
	c := s.client()

	blocker := pull(t, c, src.URL+"/slow.bin", nil)
	waitStatus(t, c, blocker, "PROCESSING")

	// Submitted low first; the engine must start the highest first. The old
	// SDK has no TasksPriority: send it raw.
	submit := func(path string, prio int) string {
		var out struct{ TaskId string }
		require.NoError(t, s.callInto(t, "PullUpload", map[string]any{"MediaUrl": src.URL + path, "TasksPriority": prio}, &out))
		return out.TaskId
	}
	low := submit("/clip.mp4", -5)
	mid := submit("/tone.m4a", 0)
	high := submit("/clip2.mp4", 10)
	for _, id := range []string{low, mid, high} {
		require.Equal(t, "WAITING", *taskStatus(t, c, id).Response.Status)
	}

	require.NoError(t, abortTask(c, blocker))
	src.slow.Store(false)
	var begins []string
	for _, id := range []string{high, mid, low} {
		d := waitTask(t, c, id, nil).Response
		require.Equal(t, int64(0), *d.PullUploadTask.ErrCode, *d.PullUploadTask.Message)
		begins = append(begins, *d.BeginProcessTime)
	}
	require.Equal(t, []string{"/slow.bin", "/clip2.mp4", "/tone.m4a", "/clip.mp4"}, src.order(), "tasks ran out of priority order")
	require.True(t, slices.IsSorted(begins), "BeginProcessTime high ≤ mid ≤ low: %v", begins)

	// The range is -10..10.
	err := s.callInto(t, "PullUpload", map[string]any{"MediaUrl": src.URL + "/clip.mp4", "TasksPriority": 11}, nil)
	requireRawCode(t, err, "InvalidParameterValue")
	err = s.callInto(t, "PullUpload", map[string]any{"MediaUrl": src.URL + "/clip.mp4", "TasksPriority": -11}, nil)
	requireRawCode(t, err, "InvalidParameterValue")
}

func TestManyPulls(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--workers", "3"}})
	src := newSource(t)
	c := s.client()

	const n = 12
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = pull(t, c, src.URL+"/clip2.mp4", func(r *vod.PullUploadRequest) {
				r.MediaName = common.StringPtr(fmt.Sprint("copy ", i))
			})
		}()
	}
	wg.Wait()
	files := map[string]bool{}
	for _, id := range ids {
		p := waitTask(t, c, id, nil).Response.PullUploadTask
		require.Equal(t, int64(0), *p.ErrCode, *p.Message)
		files[*p.FileId] = true
	}
	require.Len(t, files, n, "every pull makes its own media")
	require.Equal(t, uint64(n), *searchMedia(t, c, nil).Response.TotalCount)
	require.Equal(t, n, src.hitCount("/clip2.mp4"))
}

package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// createApp creates an application and returns its SubAppId.
func createApp(t *testing.T, c *vod.Client, name string) uint64 {
	t.Helper()
	req := vod.NewCreateSubAppIdRequest()
	req.Name = common.StringPtr(name)
	req.Description = common.StringPtr("about " + name)
	resp, err := c.CreateSubAppId(req)
	require.NoError(t, err)
	return *resp.Response.SubAppId
}

func TestSubAppIsolation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	c := s.client()

	a, b := createApp(t, c, "app-a"), createApp(t, c, "app-b")
	require.NotEqual(t, a, b)
	require.NotEqual(t, s.AppID, a)

	// A media and its task in application a.
	taskID := pull(t, c, src.URL+"/clip.mp4", func(r *vod.PullUploadRequest) {
		r.SubAppId = common.Uint64Ptr(a)
		r.SessionId = common.StringPtr("shared-session")
	})
	d := waitTask(t, c, taskID, common.Uint64Ptr(a))
	require.Equal(t, int64(0), *d.Response.PullUploadTask.ErrCode, *d.Response.PullUploadTask.Message)
	fileID := *d.Response.PullUploadTask.FileId

	// Seen from a.
	resp := describeMedia(t, c, common.Uint64Ptr(a), fileID).Response
	require.Len(t, resp.MediaInfoSet, 1)
	require.Empty(t, resp.NotExistFileIdSet)
	sr := searchMedia(t, c, func(r *vod.SearchMediaRequest) { r.SubAppId = common.Uint64Ptr(a) })
	require.Equal(t, uint64(1), *sr.Response.TotalCount)
	lr := vod.NewDescribeTasksRequest()
	lr.SubAppId = common.Uint64Ptr(a)
	tasks, err := c.DescribeTasks(lr)
	require.NoError(t, err)
	require.Len(t, tasks.Response.TaskSet, 1)

	// Invisible from b and from the default application (nil and explicit).
	for name, sub := range map[string]*uint64{"b": common.Uint64Ptr(b), "default": nil, "default by id": common.Uint64Ptr(s.AppID)} {
		t.Run(name, func(t *testing.T) {
			dt := vod.NewDescribeTaskDetailRequest()
			dt.TaskId = common.StringPtr(taskID)
			dt.SubAppId = sub
			_, err := c.DescribeTaskDetail(dt)
			requireCode(t, err, "InvalidParameterValue.TaskId")

			resp := describeMedia(t, c, sub, fileID).Response
			require.Empty(t, resp.MediaInfoSet)
			require.Equal(t, common.StringPtrs([]string{fileID}), resp.NotExistFileIdSet)

			sr := searchMedia(t, c, func(r *vod.SearchMediaRequest) { r.SubAppId = sub })
			require.Equal(t, uint64(0), *sr.Response.TotalCount)
			require.Empty(t, sr.Response.MediaInfoSet)
			sr = searchMedia(t, c, func(r *vod.SearchMediaRequest) {
				r.SubAppId = sub
				r.FileIds = common.StringPtrs([]string{fileID})
			})
			require.Equal(t, uint64(0), *sr.Response.TotalCount)

			lr := vod.NewDescribeTasksRequest()
			lr.SubAppId = sub
			tasks, err := c.DescribeTasks(lr)
			require.NoError(t, err)
			require.Empty(t, tasks.Response.TaskSet)

			del := vod.NewDeleteMediaRequest()
			del.FileId = common.StringPtr(fileID)
			del.SubAppId = sub
			_, err = c.DeleteMedia(del)
			requireCode(t, err, "ResourceNotFound.FileNotExist")

			mod := vod.NewModifyMediaInfoRequest()
			mod.FileId = common.StringPtr(fileID)
			mod.SubAppId = sub
			mod.Name = common.StringPtr("hijacked")
			_, err = c.ModifyMediaInfo(mod)
			requireCode(t, err, "ResourceNotFound.FileNotExist")

			mt := vod.NewManageTaskRequest()
			mt.TaskId = common.StringPtr(taskID)
			mt.OperationType = common.StringPtr("Abort")
			mt.SubAppId = sub
			_, err = c.ManageTask(mt)
			requireCode(t, err, "InvalidParameterValue.TaskId")

			err = s.callInto(t, "DescribeFileAttributes", map[string]any{"FileId": fileID, "SubAppId": subOr(sub, 0)}, nil)
			requireRawCode(t, err, "ResourceNotFound.FileNotExist")
		})
	}
	// Still intact in a.
	resp = describeMedia(t, c, common.Uint64Ptr(a), fileID).Response
	require.Len(t, resp.MediaInfoSet, 1)
	require.Equal(t, "clip", *resp.MediaInfoSet[0].BasicInfo.Name)

	// SessionIds are per application: b may reuse a's.
	other := pull(t, c, src.URL+"/clip2.mp4", func(r *vod.PullUploadRequest) {
		r.SubAppId = common.Uint64Ptr(b)
		r.SessionId = common.StringPtr("shared-session")
	})
	waitTask(t, c, other, common.Uint64Ptr(b))
	// The media of b is not visible in a.
	sr = searchMedia(t, c, func(r *vod.SearchMediaRequest) { r.SubAppId = common.Uint64Ptr(a) })
	require.Equal(t, uint64(1), *sr.Response.TotalCount)
	require.Equal(t, fileID, *sr.Response.MediaInfoSet[0].FileId)
}

// subOr returns *p, or def when p is nil.
func subOr(p *uint64, def uint64) uint64 {
	if p == nil {
		return def
	}
	return *p
}

func TestSubAppLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()

	// The default application exists from the start.
	list := func() map[uint64]*vod.SubAppIdInfo {
		resp, err := c.DescribeSubAppIds(vod.NewDescribeSubAppIdsRequest())
		require.NoError(t, err)
		require.Equal(t, uint64(len(resp.Response.SubAppIdInfoSet)), *resp.Response.TotalCount)
		out := map[uint64]*vod.SubAppIdInfo{}
		for _, a := range resp.Response.SubAppIdInfoSet {
			out[*a.SubAppId] = a
		}
		return out
	}
	apps := list()
	require.Len(t, apps, 1)
	require.Contains(t, apps, s.AppID)
	require.Equal(t, "On", *apps[s.AppID].Status)

	a, b := createApp(t, c, "first"), createApp(t, c, "second")
	apps = list()
	require.Len(t, apps, 3)
	require.Equal(t, "first", *apps[a].Name)
	require.Equal(t, "about first", *apps[a].Description)
	require.Equal(t, "On", *apps[a].Status)
	require.Regexp(t, timeRE, *apps[a].CreateTime)
	require.Equal(t, "second", *apps[b].Name)

	// Rename.
	mi := vod.NewModifySubAppIdInfoRequest()
	mi.SubAppId = common.Uint64Ptr(a)
	mi.Name = common.StringPtr("first renamed")
	_, err := c.ModifySubAppIdInfo(mi)
	require.NoError(t, err)
	mi.Name, mi.Description = nil, common.StringPtr("new words")
	_, err = c.ModifySubAppIdInfo(mi)
	require.NoError(t, err)
	apps = list()
	require.Equal(t, "first renamed", *apps[a].Name)
	require.Equal(t, "new words", *apps[a].Description)
	byName := vod.NewDescribeSubAppIdsRequest()
	byName.Name = common.StringPtr("first renamed")
	named, err := c.DescribeSubAppIds(byName)
	require.NoError(t, err)
	require.Len(t, named.Response.SubAppIdInfoSet, 1)
	require.Equal(t, a, *named.Response.SubAppIdInfoSet[0].SubAppId)

	// Unknown applications are refused by every action.
	const unknown = 1599999999
	dt := vod.NewDescribeTaskDetailRequest()
	dt.TaskId = common.StringPtr("x")
	dt.SubAppId = common.Uint64Ptr(unknown)
	_, err = c.DescribeTaskDetail(dt)
	requireCode(t, err, "InvalidParameterValue.SubAppId")
	_, err = c.SearchMedia(func() *vod.SearchMediaRequest {
		r := vod.NewSearchMediaRequest()
		r.SubAppId = common.Uint64Ptr(unknown)
		return r
	}())
	requireCode(t, err, "InvalidParameterValue.SubAppId")
	mi.SubAppId = common.Uint64Ptr(unknown)
	_, err = c.ModifySubAppIdInfo(mi)
	requireCode(t, err, "InvalidParameterValue.SubAppId")

	// Switched off: every call naming it fails; back on: works again.
	status := func(id uint64, st string) error {
		r := vod.NewModifySubAppIdStatusRequest()
		r.SubAppId = common.Uint64Ptr(id)
		r.Status = common.StringPtr(st)
		_, err := c.ModifySubAppIdStatus(r)
		return err
	}
	require.NoError(t, status(b, "Off"))
	require.Equal(t, "Off", *list()[b].Status)
	search := func(id uint64) error {
		r := vod.NewSearchMediaRequest()
		r.SubAppId = common.Uint64Ptr(id)
		_, err := c.SearchMedia(r)
		return err
	}
	requireCode(t, search(b), "InvalidParameterValue.SubAppId")
	pr := vod.NewPullUploadRequest()
	pr.MediaUrl = common.StringPtr("http://127.0.0.1:1/x.mp4")
	pr.SubAppId = common.Uint64Ptr(b)
	_, err = c.PullUpload(pr)
	requireCode(t, err, "InvalidParameterValue.SubAppId")
	dt.SubAppId = common.Uint64Ptr(b)
	_, err = c.DescribeTaskDetail(dt)
	requireCode(t, err, "InvalidParameterValue.SubAppId")
	require.NoError(t, search(a), "switching b off touched a")
	require.NoError(t, status(b, "On"))
	require.NoError(t, search(b))
	require.Equal(t, "On", *list()[b].Status)

	// Bad status values; the default application stays on.
	requireCode(t, status(a, "Paused"), "InvalidParameterValue")
	requireCode(t, status(s.AppID, "Off"), "InvalidParameterValue")
	requireCode(t, status(unknown, "Off"), "InvalidParameterValue.SubAppId")

	// Names are checked.
	cr := vod.NewCreateSubAppIdRequest()
	cr.Name = common.StringPtr("")
	_, err = c.CreateSubAppId(cr)
	requireCode(t, err, "InvalidParameterValue.Name")
	cr.Name = common.StringPtr("0123456789012345678901234567890123456789x")
	_, err = c.CreateSubAppId(cr)
	requireCode(t, err, "InvalidParameterValue.Name")
}

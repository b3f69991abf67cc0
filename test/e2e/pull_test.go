package e2e

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestPullUploadEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "clip.mp4"), 2)
	src := mediaServer(t, dir)

	c := s.client()
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr(src.URL + "/clip.mp4")
	req.SessionContext = common.StringPtr("ctx-1")
	resp, err := c.PullUpload(req)
	require.NoError(t, err)
	taskID := *resp.Response.TaskId
	require.Regexp(t, `^1250000001-pull-[0-9a-f]{32}t0$`, taskID)

	d := waitTask(t, c, taskID, nil)
	require.Equal(t, "FINISH", *d.Response.Status)
	require.Equal(t, "PullUpload", *d.Response.TaskType)
	p := d.Response.PullUploadTask
	require.NotNil(t, p)
	require.Equal(t, int64(0), *p.ErrCode, *p.Message)
	require.Equal(t, "ctx-1", *p.SessionContext)
	require.Regexp(t, `^[1-9][0-9]{18}$`, *p.FileId)
	require.Equal(t, int64(320), *p.MetaData.Width)
	require.Equal(t, "h264", *p.MetaData.VideoStreamSet[0].Codec)
	require.InDelta(t, 2.0, *p.MetaData.Duration, 0.1)
}

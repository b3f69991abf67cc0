package e2e

import (
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// A persisted clip is a media at once, playing its source's segments
// until its copy task gives it copies of its own. When the source is
// deleted before that task runs, the copies cannot be made: the task ends
// and the clip's media is dropped rather than left pointing at nothing.
func TestEditPersistedClipDroppedWhenItsCopyFails(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	src, _, full := editHLS(t, s, c)

	// The same port (stored URLs name it), no workers: the copy task waits.
	s.stop()
	at := slices.Index(s.Args, "--listen")
	s.Args[at+1] = s.Addr
	withWorkers := slices.Clone(s.Args)
	s.Args = append(s.Args, "--workers", "0")
	s.restart()
	var pr vodapi.SimpleHlsClipResponse
	require.NoError(t, s.callInto(t, "SimpleHlsClip", map[string]any{"Url": full, "StartTimeOffset": 0, "EndTimeOffset": 3,
		"IsPersistence": 1}, &pr))
	require.Len(t, describeMedia(t, c, nil, *pr.FileId).Response.MediaInfoSet, 1, "the clip is a media at once")
	del := vod.NewDeleteMediaRequest()
	del.FileId = &src
	_, err := c.DeleteMedia(del)
	require.NoError(t, err)

	s.stop()
	s.Args = withWorkers
	s.restart()
	d := waitTask(t, c, *pr.TaskId, nil).Response
	require.Equal(t, "FINISH", *d.Status)
	m := describeMedia(t, c, nil, *pr.FileId).Response
	require.Empty(t, m.MediaInfoSet)
	require.Equal(t, []*string{pr.FileId}, m.NotExistFileIdSet)
	resp, _ := httpGet(t, *pr.Url, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "the clip's playlist is gone with it")
}

package e2e

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// A media whose ExpireTime passes is deleted as DeleteMedia would delete
// it: row, files and a FileDeleted event; a media without one stays.
func TestMediaExpires(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--expire-every", "200ms"}})
	c := s.client()
	_, err := s.call("ModifyEventConfig", map[string]any{"DeleteMediaCompleteEventSwitch": "ON"})
	require.NoError(t, err)
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "clip.mp4"), 1)
	src := mediaServer(t, dir)

	expireAt := time.Now().UTC().Add(3 * time.Second).Truncate(time.Second)
	short := pullMedia(t, c, src.URL+"/clip.mp4", func(r *vod.PullUploadRequest) {
		r.ExpireTime = common.StringPtr(expireAt.Format(time.RFC3339))
	})
	kept := pullMedia(t, c, src.URL+"/clip.mp4", nil)
	m := describeMedia(t, c, nil, *short.FileId).Response.MediaInfoSet
	require.Len(t, m, 1, "not expired yet")
	require.Equal(t, expireAt.Format(time.RFC3339), *m[0].BasicInfo.ExpireTime)

	eventually(t, 15*time.Second, "the media expires", func() bool {
		return len(describeMedia(t, c, nil, *short.FileId).Response.MediaInfoSet) == 0
	})
	require.False(t, time.Now().Before(expireAt), "not before its ExpireTime")
	resp, _ := httpGet(t, *short.FileUrl, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "its files are gone")
	require.Len(t, describeMedia(t, c, nil, *kept.FileId).Response.MediaInfoSet, 1, "a media without ExpireTime stays")

	evs, _ := pullEvents(t, c)
	var deleted []string
	for _, e := range evs {
		if *e.EventType == "FileDeleted" {
			deleted = append(deleted, *e.FileDeleteEvent.FileIdSet[0])
		}
	}
	require.Equal(t, []string{*short.FileId}, deleted)
}

package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// putUpload PUTs body to the server's upload endpoint at storagePath with
// the given token header value and returns the HTTP status.
func putUpload(t *testing.T, s *server, storagePath, token string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.URL+"/upload"+storagePath, bytes.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("x-cos-security-token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func applyUpload(t *testing.T, c *vod.Client, fn func(r *vod.ApplyUploadRequest)) *vod.ApplyUploadResponse {
	t.Helper()
	req := vod.NewApplyUploadRequest()
	req.MediaType = common.StringPtr("mp4")
	if fn != nil {
		fn(req)
	}
	resp, err := c.ApplyUpload(req)
	require.NoError(t, err)
	return resp
}

func commitUpload(c *vod.Client, sessionKey string, sub *uint64) (*vod.CommitUploadResponse, error) {
	req := vod.NewCommitUploadRequest()
	req.VodSessionKey = common.StringPtr(sessionKey)
	req.SubAppId = sub
	return c.CommitUpload(req)
}

func TestApplyCommitUpload(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fx := fixtures(t)
	clip := readFile(t, fx.Clip)
	c := s.client()

	ap := applyUpload(t, c, func(r *vod.ApplyUploadRequest) {
		r.MediaName = common.StringPtr("uploaded clip")
		r.CoverType = common.StringPtr("png")
		r.ExpireTime = common.StringPtr("2035-01-01T00:00:00Z")
	}).Response
	require.NotEmpty(t, *ap.VodSessionKey)
	require.NotEmpty(t, *ap.StorageBucket)
	require.NotEmpty(t, *ap.StorageRegion)
	require.True(t, strings.HasPrefix(*ap.MediaStoragePath, "/"), *ap.MediaStoragePath)
	require.True(t, strings.HasSuffix(*ap.MediaStoragePath, ".mp4"), *ap.MediaStoragePath)
	require.True(t, strings.HasSuffix(*ap.CoverStoragePath, ".png"), *ap.CoverStoragePath)
	tok := *ap.TempCertificate.Token
	require.NotEmpty(t, tok)
	require.Positive(t, *ap.TempCertificate.ExpiredTime)

	// Committing before anything was uploaded fails and leaves the session usable.
	_, err := commitUpload(c, *ap.VodSessionKey, nil)
	requireCode(t, err, "ResourceNotFound")

	// The token is checked; paths outside the session are not accepted.
	require.Equal(t, http.StatusForbidden, putUpload(t, s, *ap.MediaStoragePath, "wrong-token", clip))
	require.Equal(t, http.StatusForbidden, putUpload(t, s, *ap.MediaStoragePath, "", clip))
	require.Equal(t, http.StatusNotFound, putUpload(t, s, "/"+randHex(16)+"/f0.mp4", tok, clip), "no ApplyUpload")
	require.Equal(t, http.StatusNotFound, putUpload(t, s, "/"+*ap.VodSessionKey+"/other.mp4", tok, clip))
	// Staged uploads are not served.
	res, _ := httpGet(t, s.URL+"/upload"+*ap.MediaStoragePath, nil)
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)

	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, tok, clip))
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.CoverStoragePath, tok, fx.Cover))

	cm, err := commitUpload(c, *ap.VodSessionKey, nil)
	require.NoError(t, err)
	fileID := *cm.Response.FileId
	require.Regexp(t, `^[1-9][0-9]{18}$`, fileID)
	res, got := httpGet(t, *cm.Response.MediaUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "video/mp4", res.Header.Get("Content-Type"))
	require.True(t, bytes.Equal(clip, got))
	res, got = httpGet(t, *cm.Response.CoverUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, fx.Cover, got)

	info := describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0]
	require.Equal(t, "uploaded clip", *info.BasicInfo.Name)
	require.Equal(t, "mp4", *info.BasicInfo.Type)
	require.Equal(t, "2035-01-01T00:00:00Z", *info.BasicInfo.ExpireTime)
	require.Equal(t, *cm.Response.MediaUrl, *info.BasicInfo.MediaUrl)
	require.Equal(t, *cm.Response.CoverUrl, *info.BasicInfo.CoverUrl)
	require.Equal(t, int64(320), *info.MetaData.Width)
	require.Equal(t, int64(len(clip)), *info.MetaData.Size)

	// A session commits once, and takes no more uploads.
	_, err = commitUpload(c, *ap.VodSessionKey, nil)
	requireCode(t, err, "InvalidParameterValue.VodSessionKey")
	require.Equal(t, http.StatusGone, putUpload(t, s, *ap.MediaStoragePath, tok, clip))
	sr := searchMedia(t, c, nil)
	require.Equal(t, uint64(1), *sr.Response.TotalCount)

	_, err = commitUpload(c, "no-such-session", nil)
	requireCode(t, err, "InvalidParameterValue.VodSessionKey")

	// ApplyUpload checks its parameters.
	for _, tc := range []struct {
		name string
		set  func(r *vod.ApplyUploadRequest)
		code string
	}{
		{"no MediaType", func(r *vod.ApplyUploadRequest) { r.MediaType = nil }, "MissingParameter"},
		{"bad MediaType", func(r *vod.ApplyUploadRequest) { r.MediaType = common.StringPtr("../mp4") }, "InvalidParameterValue.MediaType"},
		{"bad CoverType", func(r *vod.ApplyUploadRequest) { r.CoverType = common.StringPtr("p/ng") }, "InvalidParameterValue.CoverType"},
		{"bad ExpireTime", func(r *vod.ApplyUploadRequest) { r.ExpireTime = common.StringPtr("soon") }, "InvalidParameterValue.ExpireTime"},
		{"unknown SubAppId", func(r *vod.ApplyUploadRequest) { r.SubAppId = common.Uint64Ptr(1599999999) }, "InvalidParameterValue.SubAppId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := vod.NewApplyUploadRequest()
			req.MediaType = common.StringPtr("mp4")
			tc.set(req)
			_, err := c.ApplyUpload(req)
			requireCode(t, err, tc.code)
		})
	}
}

func TestUploadNotMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fx := fixtures(t)
	c := s.client()

	ap := applyUpload(t, c, nil).Response
	tok := *ap.TempCertificate.Token
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, tok, readFile(t, fx.Text)))
	_, err := commitUpload(c, *ap.VodSessionKey, nil)
	requireCode(t, err, "FailedOperation.MediaType")
	sr := searchMedia(t, c, nil)
	require.Equal(t, uint64(0), *sr.Response.TotalCount)

	// A truncated video is not media either.
	ap = applyUpload(t, c, nil).Response
	tok = *ap.TempCertificate.Token
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, tok, readFile(t, fx.Truncated)))
	_, err = commitUpload(c, *ap.VodSessionKey, nil)
	requireCode(t, err, "FailedOperation.MediaType")

	// The same session can still be completed with a good file.
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, tok, readFile(t, fx.Clip2)))
	cm, err := commitUpload(c, *ap.VodSessionKey, nil)
	require.NoError(t, err)
	require.Len(t, describeMedia(t, c, nil, *cm.Response.FileId).Response.MediaInfoSet, 1)
}

func TestUploadSubApp(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fx := fixtures(t)
	c := s.client()
	a := createApp(t, c, "uploads")

	ap := applyUpload(t, c, func(r *vod.ApplyUploadRequest) { r.SubAppId = common.Uint64Ptr(a) }).Response
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, *ap.TempCertificate.Token, readFile(t, fx.Clip2)))
	// Another application cannot commit it.
	_, err := commitUpload(c, *ap.VodSessionKey, nil)
	requireCode(t, err, "InvalidParameterValue.VodSessionKey")
	cm, err := commitUpload(c, *ap.VodSessionKey, common.Uint64Ptr(a))
	require.NoError(t, err)
	require.Len(t, describeMedia(t, c, common.Uint64Ptr(a), *cm.Response.FileId).Response.MediaInfoSet, 1)
	require.Empty(t, describeMedia(t, c, nil, *cm.Response.FileId).Response.MediaInfoSet)
}

func TestCommitUploadConcurrent(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	fx := fixtures(t)
	clip := readFile(t, fx.Clip2)
	c := s.client()

	ap := applyUpload(t, c, nil).Response
	require.Equal(t, http.StatusOK, putUpload(t, s, *ap.MediaStoragePath, *ap.TempCertificate.Token, clip))

	// A client retrying CommitUpload on a timeout sends it twice at once:
	// one wins, and the loser must not take the winner's file with it.
	const n = 4
	results := make(chan *vod.CommitUploadResponse, n)
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := commitUpload(c, *ap.VodSessionKey, nil)
			if err != nil {
				codes <- sdkCode(t, err)
				return
			}
			results <- r
		}()
	}
	wg.Wait()
	close(results)
	close(codes)
	require.Len(t, results, 1, "exactly one commit succeeds")
	for code := range codes {
		require.Equal(t, "InvalidParameterValue.VodSessionKey", code)
	}
	cm := <-results
	res, got := httpGet(t, *cm.Response.MediaUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "the committed media's file is gone")
	require.True(t, bytes.Equal(clip, got))
	require.Equal(t, uint64(1), *searchMedia(t, c, nil).Response.TotalCount)
}

package e2e

import (
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// storedFiles lists the regular files under dir (relative paths).
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestPullBadMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	// An origin that promises more bytes than it sends.
	short := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(make([]byte, 1000))
	}))
	t.Cleanup(short.Close)
	c := s.client()

	cases := []struct {
		name, url, msg string
	}{
		{"empty file", src.URL + "/empty.mp4", "empty"},
		{"text file", src.URL + "/text.txt", "not usable media"},
		{"truncated mp4", src.URL + "/truncated.mp4", "not usable media"},
		{"404", src.URL + "/missing.mp4", "404"},
		{"connection cut", short.URL + "/short.mp4", "downloading MediaUrl failed"},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		ids[i] = pull(t, c, tc.url, nil)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := waitTask(t, c, ids[i], nil).Response
			require.Equal(t, "FINISH", *d.Status)
			p := d.PullUploadTask
			require.Equal(t, "FINISH", *p.Status)
			t.Logf("ErrCode %d, Message %q", *p.ErrCode, *p.Message)
			require.Equal(t, int64(60000), *p.ErrCode, *p.Message)
			require.NotEqual(t, "SUCCESS", *p.Message)
			require.Contains(t, *p.Message, tc.msg)
			require.Empty(t, *p.FileId)
			require.Empty(t, *p.FileUrl)
			require.Nil(t, p.MetaData)
		})
	}

	// Nothing of the failed pulls is left behind.
	sr := searchMedia(t, c, nil)
	require.Equal(t, uint64(0), *sr.Response.TotalCount)
	require.Empty(t, storedFiles(t, filepath.Join(s.DataDir, "media")), "failed pulls left files in storage")
	require.Empty(t, storedFiles(t, filepath.Join(s.DataDir, "work")), "failed pulls left scratch files")

	// The server is fine afterwards.
	p := pullMedia(t, c, src.URL+"/clip2.mp4", nil)
	require.NotEmpty(t, *p.FileId)
}

func TestPullURLChecks(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{NoPrivatePull: true})
	src := newSource(t)
	port := src.Listener.Addr().(*net.TCPAddr).Port
	c := s.client()

	for _, u := range []string{
		src.URL + "/clip.mp4", // 127.0.0.1
		"http://[::1]:" + strconv.Itoa(port) + "/clip.mp4",
		"http://10.1.2.3/clip.mp4",
		"http://192.168.0.1/clip.mp4",
		"http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0:" + strconv.Itoa(port) + "/clip.mp4",
		"ftp://example.com/clip.mp4",
		"file:///etc/passwd",
		"/clip.mp4",
		"http:///clip.mp4",
		"http://user:secret@example.com/clip.mp4",
		"not a url",
	} {
		t.Run(u, func(t *testing.T) {
			req := vod.NewPullUploadRequest()
			req.MediaUrl = common.StringPtr(u)
			_, err := c.PullUpload(req)
			requireCode(t, err, "InvalidParameterValue.MediaUrl")
		})
	}
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr("https://example.com/clip.mp4")
	req.CoverUrl = common.StringPtr(src.URL + "/cover.png")
	_, err := c.PullUpload(req)
	requireCode(t, err, "InvalidParameterValue.CoverUrl")
	_, err = c.PullUpload(vod.NewPullUploadRequest())
	requireCode(t, err, "MissingParameter")

	// A host name that resolves to loopback passes the synchronous check
	// but is stopped when connecting: the source never sees a request.
	id := pull(t, c, "http://localhost:"+strconv.Itoa(port)+"/clip.mp4", nil)
	p := waitTask(t, c, id, nil).Response.PullUploadTask
	require.Equal(t, int64(40000), *p.ErrCode, *p.Message)
	require.Contains(t, *p.Message, "--allow-private-pull")
	require.Zero(t, src.hitCount("/clip.mp4"))
	require.Empty(t, src.order())

	// Nothing was accepted.
	lr, err := c.DescribeTasks(vod.NewDescribeTasksRequest())
	require.NoError(t, err)
	require.Len(t, lr.Response.TaskSet, 1)
}

func TestPullSchemeChecksWithPrivatePull(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	for _, u := range []string{"ftp://127.0.0.1/clip.mp4", "gopher://127.0.0.1/x", "file:///etc/passwd"} {
		req := vod.NewPullUploadRequest()
		req.MediaUrl = common.StringPtr(u)
		_, err := c.PullUpload(req)
		requireCode(t, err, "InvalidParameterValue.MediaUrl")
	}
	// The other parameters of the new media are checked too.
	req := vod.NewPullUploadRequest()
	req.MediaUrl = common.StringPtr("http://127.0.0.1:1/clip")
	req.MediaName = common.StringPtr(strings.Repeat("n", 65))
	_, err := c.PullUpload(req)
	requireCode(t, err, "InvalidParameterValue")
	req.MediaName = nil
	req.ExpireTime = common.StringPtr("next week")
	_, err = c.PullUpload(req)
	requireCode(t, err, "InvalidParameterValue.ExpireTime")
	req.ExpireTime = nil
	req.Procedure = common.StringPtr("no-such-procedure")
	_, err = c.PullUpload(req)
	requireCode(t, err, "InvalidParameter.ProcedureNameNotExist")
}

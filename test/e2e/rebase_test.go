package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Output URLs are recorded with the server's public URL. Restarted under
// another one (here: another port), the server rebases them, so every
// recorded output is still reachable.
func TestPublicURLChangeRebasesStoredURLs(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 2)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": 100010}}}})
	require.Equal(t, "SUCCESS", subtasks(t, d)["Transcode"][0]["Status"])
	before := s.URL

	s.stop()
	s.restart() // listens on a new port: a new public URL
	require.NotEqual(t, before, s.URL)
	require.Contains(t, s.logs.String(), "stored output URLs rebased")
	m := describeMedia(t, s.client(), nil, fileID).Response.MediaInfoSet[0]
	u := *m.TranscodeInfo.TranscodeSet[0].Url
	require.True(t, strings.HasPrefix(u, s.URL+"/files/"), u)
	resp, _ := httpGet(t, u, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(*m.BasicInfo.MediaUrl, s.URL+"/files/"))
}

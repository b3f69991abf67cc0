package e2e

import (
	"net/http"
	"regexp"
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
		"TranscodeTaskSet":                []any{map[string]any{"Definition": 100010}},
		"ImageSpriteTaskSet":              []any{map[string]any{"Definition": 10}},
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 12}}}})
	for typ, subs := range subtasks(t, d) {
		require.Equal(t, "SUCCESS", subs[0]["Status"], typ)
	}
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

	// The encrypted stream still plays: its playlists name the key
	// relative to themselves.
	master := *m.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet[0].Url
	require.True(t, strings.HasPrefix(master, s.URL+"/files/"), master)
	variant := resolve(master, playlistURIs(fetchOK(t, master))[0])
	key := regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(fetchOK(t, variant))
	require.NotNil(t, key)
	require.Len(t, fetchOK(t, resolve(variant, key[1])), 16)
	// And the sprite index leads to its sheets.
	vttURL := *m.ImageSpriteInfo.ImageSpriteSet[0].WebVttUrl
	vtt := fetchOK(t, vttURL)
	sheet := regexp.MustCompile(`(?m)^([^\s#]+\.jpg)#xywh=`).FindStringSubmatch(vtt)
	require.NotNil(t, sheet, vtt)
	fetchOK(t, resolve(vttURL, sheet[1]))
}

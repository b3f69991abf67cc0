package e2e

import (
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func getBody(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, b := httpGet(t, u, nil)
	return resp.StatusCode, b
}

func TestProcessMediaAdaptiveSimpleAES(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 3)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 12}},
	}})
	r := subtasks(t, d)["AdaptiveDynamicStreaming"][0]
	require.Equal(t, "SUCCESS", r["Status"], r["Message"])
	out := r["Output"].(map[string]any)
	require.Equal(t, "SimpleAES", out["DrmType"])
	require.Equal(t, "HLS", out["Package"])
	master := out["Url"].(string)

	// Every media playlist names the key, served by the server.
	media := firstEntry(t, master)
	code, pl := getBody(t, media)
	require.Equal(t, http.StatusOK, code)
	m := regexp.MustCompile(`#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"`).FindStringSubmatch(string(pl))
	require.NotNil(t, m, "media playlist:\n%s", pl)
	// Relative, so the stream survives a change of the public URL.
	require.Regexp(t, `^(\.\./)+keys/[0-9]+/[0-9a-f]{32}$`, m[1])
	keyURL := resolve(media, m[1])
	require.True(t, strings.HasPrefix(keyURL, s.URL+"/keys/"), keyURL)
	code, key := getBody(t, keyURL)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, key, 16)

	// The key is not a published file, and the segments are encrypted:
	// what a player decodes needs the key.
	require.NotContains(t, string(pl), ".key\n")
	private := s.URL + "/files/_private/keys/" + strings.TrimPrefix(keyURL, s.URL+"/keys/") + ".key"
	code, _ = getBody(t, private)
	require.Equal(t, http.StatusNotFound, code, "keys are never files")
	code, _ = getBody(t, keyURL[:len(keyURL)-1]+"0")
	if !strings.HasSuffix(keyURL, "0") {
		require.Equal(t, http.StatusNotFound, code, "an unknown key id")
	}
	seg := firstEntry(t, media)
	_, segBytes := getBody(t, seg)
	require.NotEqual(t, byte(0x47), segBytes[0], "a clear MPEG-TS segment would start with a sync byte")

	// ffmpeg plays the stream over HTTP, fetching the key.
	outp, err := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-allowed_extensions", "ALL",
		"-i", media, "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, "%s", outp)
	require.Empty(t, strings.TrimSpace(string(outp)))
	probe := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", master)
	dur, err := probe.Output()
	require.NoError(t, err)
	secs, err := strconv.ParseFloat(strings.TrimSpace(string(dur)), 64)
	require.NoError(t, err)
	require.InDelta(t, 3.0, secs, 0.5)

	// Deleting the stream deletes its key too.
	_, err = s.call("DeleteMedia", map[string]any{"FileId": fileID,
		"DeleteParts": []any{map[string]any{"Type": "AdaptiveDynamicStreamingFiles", "Definition": 12}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, statusOf(t, master))
	require.Equal(t, http.StatusNotFound, statusOf(t, keyURL))

	// And so does deleting the whole media.
	d = processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 12}},
	}})
	r = subtasks(t, d)["AdaptiveDynamicStreaming"][0]
	require.Equal(t, "SUCCESS", r["Status"], r["Message"])
	_, pl = getBody(t, firstEntry(t, r["Output"].(map[string]any)["Url"].(string)))
	m = regexp.MustCompile(`#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"`).FindStringSubmatch(string(pl))
	require.NotNil(t, m)
	second := resolve(r["Output"].(map[string]any)["Url"].(string), m[1])
	require.NotEqual(t, keyURL, second, "a new key per task")
	require.Equal(t, http.StatusOK, statusOf(t, second))
	_, err = s.call("DeleteMedia", map[string]any{"FileId": fileID})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, statusOf(t, second))
}

package e2e

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// Running the same subtasks again replaces their outputs whole: HLS
// segments the new run did not write, the old SimpleAES key and the old
// cover are deleted once the new outputs are recorded.
func TestProcessMediaRerunRemovesLeftovers(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 4)
	var tpl vodapi.CreateTranscodeTemplateResponse
	require.NoError(t, s.callInto(t, "CreateTranscodeTemplate", map[string]any{"Container": "hls", "Name": "hls1s",
		"VideoTemplate": map[string]any{"Codec": "libx264", "Fps": 25, "Bitrate": 200, "Height": 128, "HlsTime": 1},
		"AudioTemplate": map[string]any{"Codec": "libfdk_aac", "Bitrate": 64, "SampleRate": 44100}}, &tpl))
	run := func(end float64) (hls, key, cover string) {
		t.Helper()
		d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
			"TranscodeTaskSet":                []any{map[string]any{"Definition": *tpl.Definition, "EndTimeOffset": end}},
			"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 12}},
			"CoverBySnapshotTaskSet":          []any{map[string]any{"Definition": 10, "PositionType": "Time", "PositionValue": 1}},
		}})
		subs := subtasks(t, d)
		for typ, r := range subs {
			require.Equal(t, "SUCCESS", r[0]["Status"], typ)
		}
		variant := resolve(subs["AdaptiveDynamicStreaming"][0]["Output"].(map[string]any)["Url"].(string),
			playlistURIs(fetchOK(t, subs["AdaptiveDynamicStreaming"][0]["Output"].(map[string]any)["Url"].(string)))[0])
		m := regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(fetchOK(t, variant))
		require.NotNil(t, m)
		return subs["Transcode"][0]["Output"].(map[string]any)["Url"].(string), resolve(variant, m[1]),
			subs["CoverBySnapshot"][0]["Output"].(map[string]any)["CoverUrl"].(string)
	}
	segments := func(playlist string) []string {
		var out []string
		for _, u := range playlistURIs(fetchOK(t, playlist)) {
			out = append(out, resolve(playlist, u))
		}
		return out
	}

	hls1, key1, cover1 := run(0)
	old := segments(hls1)
	require.GreaterOrEqual(t, len(old), 4, "4 s in 1 s segments")
	hls2, key2, cover2 := run(1.5)
	require.Equal(t, hls1, hls2, "the same playlist, rewritten")
	kept := segments(hls2)
	require.Less(t, len(kept), len(old))
	for _, u := range old {
		want := http.StatusNotFound
		if slices.Contains(kept, u) {
			want = http.StatusOK
		}
		require.Equal(t, want, statusOf(t, u), u)
	}
	require.NotEqual(t, key1, key2)
	require.Equal(t, http.StatusNotFound, statusOf(t, key1), "the replaced stream's key")
	require.Equal(t, http.StatusOK, statusOf(t, key2))
	require.NotEqual(t, cover1, cover2)
	eventually(t, 10*time.Second, "the replaced cover is deleted", func() bool { return statusOf(t, cover1) == http.StatusNotFound })
	require.Equal(t, http.StatusOK, statusOf(t, cover2))
}

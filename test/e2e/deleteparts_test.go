package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// firstEntry returns the first URI a playlist lists, resolved against its
// URL.
func firstEntry(t *testing.T, playlist string) string {
	t.Helper()
	resp, err := http.Get(playlist)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, playlist)
	for _, line := range strings.Split(string(body), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			base, err := url.Parse(playlist)
			require.NoError(t, err)
			ref, err := url.Parse(line)
			require.NoError(t, err)
			return base.ResolveReference(ref).String()
		}
	}
	t.Fatalf("playlist %s lists nothing:\n%s", playlist, body)
	return ""
}

func statusOf(t *testing.T, u string) int {
	t.Helper()
	resp, _ := httpGet(t, u, nil)
	return resp.StatusCode
}

func TestDeleteMediaOutputParts(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 3)
	d := processMedia(t, s, map[string]any{"FileId": fileID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet":                []any{map[string]any{"Definition": 100010}, map[string]any{"Definition": 100210}},
		"AdaptiveDynamicStreamingTaskSet": []any{map[string]any{"Definition": 10}},
		"SnapshotByTimeOffsetTaskSet":     []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}}},
	}})
	subs := subtasks(t, d)
	for typ, list := range subs {
		for _, r := range list {
			require.Equal(t, "SUCCESS", r["Status"], "%s: %v", typ, r["Message"])
		}
	}
	out := func(typ string, i int) map[string]any { return subs[typ][i]["Output"].(map[string]any) }
	mp4 := out("Transcode", 0)["Url"].(string)
	hls := out("Transcode", 1)["Url"].(string)
	hlsSeg := firstEntry(t, hls)
	master := out("AdaptiveDynamicStreaming", 0)["Url"].(string)
	media := firstEntry(t, master)
	adpSeg := firstEntry(t, media)
	snap := out("SnapshotByTimeOffset", 0)["PicInfoSet"].([]any)[0].(map[string]any)["Url"].(string)
	info := describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0]
	original := *info.BasicInfo.MediaUrl
	for _, u := range []string{mp4, hls, hlsSeg, master, media, adpSeg, snap, original} {
		require.Equal(t, http.StatusOK, statusOf(t, u), u)
	}
	del := func(parts ...map[string]any) {
		t.Helper()
		_, err := s.call("DeleteMedia", map[string]any{"FileId": fileID, "DeleteParts": parts})
		require.NoError(t, err)
	}
	transcodes := func() []int64 {
		var defs []int64
		if ti := describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0].TranscodeInfo; ti != nil {
			for _, it := range ti.TranscodeSet {
				defs = append(defs, *it.Definition)
			}
		}
		return defs
	}

	// One transcode: the HLS playlist and its segments go, the MP4 stays.
	del(map[string]any{"Type": "TranscodeFiles", "Definition": 100210})
	require.Equal(t, http.StatusNotFound, statusOf(t, hls))
	require.Equal(t, http.StatusNotFound, statusOf(t, hlsSeg))
	require.Equal(t, http.StatusOK, statusOf(t, mp4))
	require.Equal(t, []int64{100010}, transcodes())

	// Every adaptive stream: the whole folder goes; nothing else.
	del(map[string]any{"Type": "AdaptiveDynamicStreamingFiles", "Definition": 0})
	for _, u := range []string{master, media, adpSeg} {
		require.Equal(t, http.StatusNotFound, statusOf(t, u), u)
	}
	info = describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0]
	if ai := info.AdaptiveDynamicStreamingInfo; ai != nil {
		require.Empty(t, ai.AdaptiveDynamicStreamingSet)
	}
	require.Equal(t, []int64{100010}, transcodes())

	// Every transcode (Definition omitted means 0).
	del(map[string]any{"Type": "TranscodeFiles"})
	require.Equal(t, http.StatusNotFound, statusOf(t, mp4))
	require.Empty(t, transcodes())

	// The other parts are untouched.
	info = describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0]
	require.Len(t, info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet, 1)
	require.Equal(t, http.StatusOK, statusOf(t, snap))
	require.Equal(t, http.StatusOK, statusOf(t, original))

	// Unknown kinds are refused.
	_, err := s.call("DeleteMedia", map[string]any{"FileId": fileID, "DeleteParts": []any{map[string]any{"Type": "SnapshotFiles"}}})
	require.ErrorContains(t, err, "InvalidParameterValue")
}

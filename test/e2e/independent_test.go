package e2e

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// OutputAsIndependentMedia ON: each transcode output is a new media of its
// own, with its own FileId and URL; other outputs stay on the source.
func TestProcessMediaOutputAsIndependentMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	c := s.client()
	fileID := ingestClip(t, s, c, 2)

	_, err := s.call("ProcessMedia", map[string]any{"FileId": fileID, "OutputAsIndependentMedia": "MAYBE",
		"MediaProcessTask": map[string]any{"TranscodeTaskSet": []any{map[string]any{"Definition": 100010}}}})
	requireRawCode(t, err, "InvalidParameterValue")

	d := processMedia(t, s, map[string]any{"FileId": fileID, "OutputAsIndependentMedia": "ON", "MediaProcessTask": map[string]any{
		"TranscodeTaskSet":            []any{map[string]any{"Definition": 100010}, map[string]any{"Definition": 100210}},
		"SnapshotByTimeOffsetTaskSet": []any{map[string]any{"Definition": 10, "TimeOffsetSet": []any{500}}},
	}})
	subs := subtasks(t, d)
	require.Len(t, subs["Transcode"], 2)
	dir := t.TempDir()
	var ids []string
	for k, r := range subs["Transcode"] {
		require.Equal(t, "SUCCESS", r["Status"], r["Message"])
		out := r["Output"].(map[string]any)
		id := out["FileId"].(string)
		require.Regexp(t, `^[0-9]+$`, id)
		require.NotEqual(t, fileID, id)
		ids = append(ids, id)

		// The new media's original is the output, with its own metadata.
		m := describeMedia(t, c, nil, id).Response.MediaInfoSet[0]
		require.Equal(t, out["Url"], *m.BasicInfo.MediaUrl)
		require.Equal(t, "VideoProcessing", *m.BasicInfo.SourceInfo.SourceType)
		require.InDelta(t, 2.0, *m.MetaData.Duration, 0.3)
		if k == 0 {
			p := ffprobe(t, fetch(t, dir, out["Url"].(string)))
			dur, err := strconv.ParseFloat(p.Format.Duration, 64)
			require.NoError(t, err)
			require.InDelta(t, 2.0, dur, 0.3)
		}
	}
	require.NotEqual(t, ids[0], ids[1])
	require.Equal(t, "SUCCESS", subs["SnapshotByTimeOffset"][0]["Status"])

	// The source keeps its snapshots but gains no transcodes.
	src := describeMedia(t, c, nil, fileID).Response.MediaInfoSet[0]
	require.True(t, src.TranscodeInfo == nil || len(src.TranscodeInfo.TranscodeSet) == 0)
	require.Len(t, src.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet, 1)

	// Deleting the source leaves the independent media whole.
	del := vod.NewDeleteMediaRequest()
	del.FileId = &fileID
	_, err = c.DeleteMedia(del)
	require.NoError(t, err)
	m := describeMedia(t, c, nil, ids[0]).Response.MediaInfoSet[0]
	resp, _ := httpGet(t, *m.BasicInfo.MediaUrl, nil)
	require.Equal(t, 200, resp.StatusCode)
}

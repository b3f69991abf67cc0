package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestComplexProcessMediaHeadTail transcodes a 2 s media (440 Hz) with a
// head/tail template (1 s head at 220 Hz in a square frame, 1 s tail at
// 660 Hz) next to a plain transcode, and checks that the joined output
// lasts head + main + tail at the main size and plays the three sounds
// in order, while the plain one is untouched.
func TestComplexProcessMediaHeadTail(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	mainID := ingestTone(t, s, "main.mp4", "testsrc2=size=320x240:rate=25", 2, 440)
	headID := ingestTone(t, s, "head.mp4", "color=red:size=160x160:rate=30", 1, 220)
	tailID := ingestTone(t, s, "tail.mp4", "color=blue:size=320x240:rate=25", 1, 660)
	ht, err := s.call("CreateHeadTailTemplate", map[string]any{"Name": "ht", "HeadCandidateSet": []string{headID},
		"TailCandidateSet": []string{tailID}, "FillType": "gauss"})
	require.NoError(t, err)

	d := processMedia(t, s, map[string]any{"FileId": mainID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{
			map[string]any{"Definition": 100010, "HeadTailSet": []any{map[string]any{"Definition": ht["Definition"]}}},
			map[string]any{"Definition": 100210},
		}}})
	subs := subtasks(t, d)["Transcode"]
	require.Len(t, subs, 2)
	for _, r := range subs {
		require.Equal(t, "SUCCESS", r["Status"], r["Message"])
	}
	dir := t.TempDir()
	joined := subs[0]["Output"].(map[string]any)
	require.EqualValues(t, 100010, joined["Definition"])
	file := fetch(t, dir, joined["Url"].(string))
	require.InDelta(t, 4.0, duration(t, file), 0.3, "head + main + tail")
	require.InDelta(t, 4.0, joined["Duration"].(float64), 0.3)
	p := ffprobe(t, file)
	require.Equal(t, 320, p.Streams[0].Width)
	require.Equal(t, 240, p.Streams[0].Height)
	require.InDelta(t, 220, toneHz(t, file, 0.2, 0.8), 15, "the head first")
	require.InDelta(t, 440, toneHz(t, file, 1.2, 2.8), 15, "then the media")
	require.InDelta(t, 660, toneHz(t, file, 3.2, 3.8), 15, "then the tail")

	plain := subs[1]["Output"].(map[string]any)
	require.InDelta(t, 2.0, plain["Duration"].(float64), 0.3, "a transcode without HeadTailSet is the media alone")

	// A template whose head was deleted fails its transcode with a reason.
	_, err = s.call("DeleteMedia", map[string]any{"FileId": headID})
	require.NoError(t, err)
	d = processMedia(t, s, map[string]any{"FileId": mainID, "MediaProcessTask": map[string]any{
		"TranscodeTaskSet": []any{map[string]any{"Definition": 100010, "HeadTailSet": []any{map[string]any{"Definition": ht["Definition"]}}}}}})
	r := subtasks(t, d)["Transcode"][0]
	require.Equal(t, "FAIL", r["Status"])
	require.Equal(t, "InvalidInput", r["ErrCodeExt"])
	require.Contains(t, r["Message"], "none of its head media exists")
}

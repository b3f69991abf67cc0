package media

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestComplexHLSJoinAndAudioGroup joins a 1 s head to the main video,
// packages it with two audio renditions (the joined file's own audio and
// an 880 Hz track from another file, delayed by the head) and a subtitle,
// and checks the rewritten master playlist and the renditions' lengths.
func TestComplexHLSJoinAndAudioGroup(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	head := e.make(t, "head.mp4", []string{"-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast"})
	other := e.make(t, "fr.m4a", []string{"-f", "lavfi", "-i", "sine=frequency=880:duration=5", "-c:a", "aac"})
	joined := e.path("joined.mp4")
	jp, err := PlanJoin(JoinSpec{Parts: []string{head, src}, Probes: []*Probe{e.probe(t, head), p}, Main: 1, Fills: []FillType{FillGauss}, Out: joined})
	require.NoError(t, err)
	e.run(t, jp)
	jprobe := e.probe(t, joined)
	require.InDelta(t, 1+p.VideoDuration, jprobe.Duration, 0.3)
	require.Len(t, jprobe.Audio, 1)
	w, h, _ := displaySize(p)
	require.Equal(t, w, jprobe.Video[0].Width)
	require.Equal(t, h, jprobe.Video[0].Height)

	out := filepath.Join(e.dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	audios := []ComplexAudio{
		{Index: jprobe.Audio[0].Index, Name: "English", Language: "en"},
		{Input: other, Index: 0, Delay: 1, Length: p.VideoDuration, Total: jprobe.Duration, Name: `Fran"cais`, Language: "fr", Default: true},
	}
	streams := adaptiveStreams()
	plan, res, err := PlanComplex(joined, ComplexSpec{Format: FormatHLS, Dir: out, SegmentSeconds: 1, Streams: streams,
		Audio: streams[0].Audio, Audios: audios}, jprobe)
	require.NoError(t, err)
	e.run(t, plan)
	b, err := os.ReadFile(plan.Manifest)
	require.NoError(t, err)
	master := FinishComplexHLS(string(b), res, audios, []SubtitleRendition{{URI: "subs_en.m3u8", Name: "English subs", Language: "en", Default: true}})
	require.Contains(t, master, `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="master_2.m3u8"`)
	require.Contains(t, master, `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Fran'cais",LANGUAGE="fr",DEFAULT=YES,AUTOSELECT=YES,URI="master_3.m3u8"`)
	require.Contains(t, master, `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English subs",LANGUAGE="en",DEFAULT=YES`)
	require.Equal(t, 2, strings.Count(master, `AUDIO="audio",SUBTITLES="subs"`), master)
	require.NotContains(t, master, "group_audio")
	for _, pl := range append(res.VideoPlaylists, res.AudioPlaylists...) {
		pp := e.probe(t, filepath.Join(out, pl))
		require.InDelta(t, jprobe.Duration, pp.Duration, 0.3, pl)
	}
	require.Len(t, e.probe(t, filepath.Join(out, res.VideoPlaylists[0])).Audio, 0, "video variants carry no sound")
	require.Equal(t, master, SetHLSSubtitles(SetHLSSubtitles(master, nil), []SubtitleRendition{{URI: "subs_en.m3u8", Name: "English subs", Language: "en", Default: true}}))
}

// TestComplexVTT shifts cues and rejects what is not WebVTT.
func TestComplexVTT(t *testing.T) {
	t.Parallel()
	got, err := ShiftVTT("WEBVTT\n\n1\n00:00.500 --> 00:01.000 align:start\nhello\n\n00:00:01.000 --> 00:00:02.000\nbye\n", 1.5)
	require.NoError(t, err)
	require.Equal(t, "WEBVTT\n\n1\n00:00:02.000 --> 00:00:02.500 align:start\nhello\n\n00:00:02.500 --> 00:00:03.500\nbye\n", got)
	require.ErrorIs(t, CheckVTT("1\n00:00:01,000 --> 00:00:02,000\nsrt\n"), ErrInvalidSpec)
	require.ErrorIs(t, CheckVTT("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nbad\n"), ErrInvalidSpec)
}

package media

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

const editPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:2.000000,
s_00000.ts
#EXTINF:2.000000,
s_00001.ts
#EXTINF:2.000000,
s_00002.ts
#EXTINF:1.500000,
s_00003.ts
#EXT-X-ENDLIST
`

func TestEditHLSClip(t *testing.T) {
	t.Parallel()
	p, err := ParseHLSPlaylist(editPlaylist)
	require.NoError(t, err)
	require.InDelta(t, 7.5, p.Duration(), 1e-9)
	uris := func(segs []HLSSegment) []string {
		var out []string
		for _, s := range segs {
			out = append(out, s.URI)
		}
		return out
	}
	cases := []struct {
		name       string
		start, end float64
		exclusive  bool
		want       []string
	}{
		{"whole", 0, 0, false, []string{"s_00000.ts", "s_00001.ts", "s_00002.ts", "s_00003.ts"}},
		{"inside one segment", 2.5, 3.5, false, []string{"s_00001.ts"}},
		{"across a boundary", 1, 4.5, false, []string{"s_00000.ts", "s_00001.ts", "s_00002.ts"}},
		{"end on a boundary takes nothing after it", 0, 4, false, []string{"s_00000.ts", "s_00001.ts"}},
		{"end exclusive drops the segment the end cuts", 1, 4.5, true, []string{"s_00000.ts", "s_00001.ts"}},
		{"counted from the end", -1, 0, false, []string{"s_00003.ts"}},
		{"end past the end", 6.5, 100, false, []string{"s_00003.ts"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			segs, err := p.Clip(c.start, c.end, c.exclusive)
			require.NoError(t, err)
			require.Equal(t, c.want, uris(segs))
		})
	}
	_, err = p.Clip(7.5, 0, false)
	require.True(t, errors.Is(err, ErrOffsetBeyondDuration), "%v", err)
	_, err = p.Clip(3, 2, false)
	require.True(t, errors.Is(err, ErrInvalidSpec), "%v", err)
	_, err = p.Clip(2.5, 3.5, true)
	require.True(t, errors.Is(err, ErrOffsetBeyondDuration), "%v", err)
}

func TestEditHLSParseErrors(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"not a playlist": "hello",
		"master":         "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n",
		"no segments":    "#EXTM3U\n#EXT-X-ENDLIST\n",
		"no EXTINF":      "#EXTM3U\na.ts\n",
	} {
		_, err := ParseHLSPlaylist(text)
		require.True(t, errors.Is(err, ErrNotMediaPlaylist), "%s: %v", name, err)
	}
}

func TestEditHLSWrite(t *testing.T) {
	t.Parallel()
	a, err := ParseHLSPlaylist(editPlaylist)
	require.NoError(t, err)
	b, err := ParseHLSPlaylist("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
		"#EXTINF:4.2,\nx0.m4s\n#EXTINF:3,\nx1.m4s\n#EXT-X-ENDLIST\n")
	require.NoError(t, err)
	b.Rewrite(func(u string) string { return "http://h/b/" + u })
	sa, err := a.Clip(0, 3, false)
	require.NoError(t, err)
	want := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
		"#EXTINF:2.000000,\ns_00000.ts\n#EXTINF:2.000000,\ns_00001.ts\n" +
		"#EXT-X-DISCONTINUITY\n#EXT-X-KEY:METHOD=AES-128,URI=\"http://h/b/k1\"\n#EXT-X-MAP:URI=\"http://h/b/init.mp4\"\n" +
		"#EXTINF:4.200000,\nhttp://h/b/x0.m4s\n#EXTINF:3.000000,\nhttp://h/b/x1.m4s\n" +
		"#EXT-X-DISCONTINUITY\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2.000000,\ns_00000.ts\n" +
		"#EXT-X-ENDLIST\n"
	got := WriteHLSPlaylist(7, sa, b.Segments, sa[:1])
	require.Equal(t, want, got)
	back, err := ParseHLSPlaylist(got)
	require.NoError(t, err)
	require.InDelta(t, 4+7.2+2, back.Duration(), 1e-6)
}

func TestEditPlanHLSRemux(t *testing.T) {
	t.Parallel()
	p := probeAV(320, 240, 25, 6)
	p.Audio[0].Codec = "aac"
	plan, err := PlanHLSRemux("/w/c.m3u8", "/w/c.mp4", p)
	require.NoError(t, err)
	require.Equal(t, []string{"-protocol_whitelist", "file,crypto,data", "-i", "/w/c.m3u8", "-map", "0:0", "-map", "0:1",
		"-c", "copy", "-bsf:a", "aac_adtstoasc", "-f", "mp4", "-movflags", "+faststart", "/w/c.mp4"}, plan.Args)
	require.InDelta(t, 6, plan.Duration, 1e-9)
	_, err = PlanHLSRemux("/w/c.m3u8", "/w/c.mp4", &Probe{Duration: 1})
	require.True(t, errors.Is(err, ErrNoStream), "%v", err)
}

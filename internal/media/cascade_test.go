package media

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVideoChains(t *testing.T) {
	t.Parallel()
	// geo is a 1920x1080 source scaled (or not) to a w×h frame holding a
	// cw×ch picture.
	geo := func(w, h, cw, ch int, fill FillType) frameGeometry {
		return frameGeometry{sw: 1920, sh: 1080, w: w, h: h, cw: cw, ch: ch, fill: fill}
	}
	plain := func(w, h int) frameGeometry { return geo(w, h, w, h, FillStretch) }
	post := []string{"format=yuv420p"}
	cases := []struct {
		name   string
		chains []videoChain
		want   []string
	}{
		{
			name:   "one chain reads the source",
			chains: []videoChain{{out: "v0", g: plain(1280, 720), post: post}},
			want:   []string{"[0:0]scale=1280:720,format=yuv420p[v0]"},
		},
		{
			name: "the same size scales once",
			chains: []videoChain{
				{out: "v0", g: plain(1280, 720), post: post},
				{out: "v1", g: plain(1280, 720), post: post},
			},
			want: []string{"[0:0]scale=1280:720,split=2[v0p][v0c0]", "[v0p]format=yuv420p[v0]", "[v0c0]format=yuv420p[v1]"},
		},
		{
			name: "smaller pictures scale from the closest larger one, whatever the order",
			chains: []videoChain{
				{out: "v0", g: plain(640, 360), post: post},
				{out: "v1", g: plain(1920, 1080), post: post}, // the source's size: read from the source
				{out: "v2", g: plain(1280, 720), post: post},
				{out: "v3", g: plain(854, 480), post: post},
			},
			want: []string{
				"[0:0]split=2[vs0][vs1]",
				"[v3c0]scale=640:360,format=yuv420p[v0]",
				"[vs0]format=yuv420p[v1]",
				"[vs1]scale=1280:720,split=2[v2p][v2c0]", "[v2p]format=yuv420p[v2]",
				"[v2c0]scale=854:480,split=2[v3p][v3c0]", "[v3p]format=yuv420p[v3]",
			},
		},
		{
			name: "a padded picture feeds others before its bars",
			chains: []videoChain{
				{out: "v0", g: geo(1280, 1280, 1280, 720, FillBlack), post: post},
				{out: "v1", g: geo(640, 640, 640, 360, FillWhite), post: post},
			},
			want: []string{
				"[0:0]scale=1280:720,split=2[v0p][v0c0]",
				"[v0p]pad=1280:1280:0:280:black,format=yuv420p[v0]",
				"[v0c0]scale=640:360,pad=640:640:0:140:white,format=yuv420p[v1]",
			},
		},
		{
			name: "a gauss fill feeds nobody; different frame rates do not share",
			chains: []videoChain{
				{out: "v0", g: geo(1280, 1280, 1280, 720, FillGauss), post: post},
				{out: "v1", pre: []string{"fps=15"}, g: plain(854, 480), post: post},
				{out: "v2", g: plain(640, 360), post: post},
			},
			want: []string{
				"[0:0]split=3[vs0][vs1][vs2]",
				"[vs0]split[v0bg][v0fg]", "[v0bg]scale=2276:1280,crop=1280:1280,boxblur=64:1[v0bgb]",
				"[v0fg]scale=1280:720[v0fgs]", "[v0bgb][v0fgs]overlay=0:280,format=yuv420p[v0]",
				"[vs1]fps=15,scale=854:480,format=yuv420p[v1]",
				"[vs2]scale=640:360,format=yuv420p[v2]",
			},
		},
		{
			name: "a trimmed parent hands on trimmed frames",
			chains: []videoChain{
				{out: "v0", pre: []string{"trim=start=5", "setpts=PTS-STARTPTS"}, g: geo(1280, 720, 1280, 960, FillCrop), post: post},
				{out: "v1", pre: []string{"trim=start=5", "setpts=PTS-STARTPTS"}, g: plain(640, 360), post: post},
			},
			want: []string{
				"[0:0]trim=start=5,setpts=PTS-STARTPTS,scale=1280:960,split=2[v0p][v0c0]",
				"[v0p]crop=1280:720,format=yuv420p[v0]",
				"[v0c0]scale=640:360,format=yuv420p[v1]",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var graph []string
			videoChains(&graph, "0:0", tc.chains)
			require.Equal(t, tc.want, strings.Split(strings.Join(graph, ";"), ";"))
		})
	}
}

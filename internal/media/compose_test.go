package media

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	composeClip  = ComposeSource{Path: "/w/a.mp4", Width: 640, Height: 360, Duration: 10, HasVideo: true, HasAudio: true}
	composeSound = ComposeSource{Path: "/w/s.m4a", Duration: 5, HasAudio: true}
	composePic   = ComposeSource{Path: "/w/p.png", Width: 100, Height: 50, Still: true, HasVideo: true}
)

// TestComposeArgs checks the argument list of a small composition: one
// input per item, the track joined with a transition on a transparent
// layer, the sticker at its time, and the sounds delayed and mixed.
func TestComposeArgs(t *testing.T) {
	t.Parallel()
	spec := ComposeSpec{Width: 320, Height: 180, Background: "black", Fps: 25, SampleRate: 16000, Channels: 2,
		Tracks: []ComposeTrack{
			{Kind: TrackVideo, Items: []ComposeItem{
				{Kind: ItemMedia, Source: composeClip, From: 1, Duration: 2, Width: Length{Value: 100, Percent: true}},
				{Kind: ItemTransition, Duration: 0.5, Transition: "fade", AudioFade: true},
				{Kind: ItemEmpty, Duration: 1},
			}[:2:2]},
		}}
	// A transition must be followed by a media item.
	_, _, err := ComposeArgs(spec, "/w/o.mp4")
	require.ErrorIs(t, err, ErrInvalidSpec)
	require.ErrorContains(t, err, "Tracks[0].TrackItems[1]")

	spec.Tracks[0].Items = append(spec.Tracks[0].Items,
		ComposeItem{Kind: ItemMedia, Source: composeClip, Duration: 1, X: Length{Value: -10}, Gain: 2})
	spec.Tracks = append(spec.Tracks,
		ComposeTrack{Kind: TrackSticker, Items: []ComposeItem{{Kind: ItemMedia, Source: composePic, Duration: 1, HasAt: true, At: 0.5, FlipH: true}}},
		ComposeTrack{Kind: TrackAudio, Items: []ComposeItem{{Kind: ItemEmpty, Duration: 0.25}, {Kind: ItemMedia, Source: composeSound, Duration: 1, TargetDuration: 2}}})
	args, d, err := ComposeArgs(spec, "/w/o.mp4")
	require.NoError(t, err)
	require.InDelta(t, 2.5, d, 1e-9)
	graph := strings.Join([]string{
		"color=c=black:s=320x180:r=25:d=2.5,format=yuv420p[v1]",
		"[0:v]trim=duration=2,setpts=PTS-STARTPTS,fps=25,scale=320:180,setsar=1,format=yuva420p[p2]",
		"color=c=black@0:s=320x180:r=25:d=1.98,format=yuva420p[l3]",
		"[l3][p2]overlay=x=0:y=0:eof_action=pass:format=auto,format=yuva420p,settb=AVTB[s4]",
		"[1:v]trim=duration=1,setpts=PTS-STARTPTS,fps=25,scale=640:360,setsar=1,format=yuva420p[p5]",
		"color=c=black@0:s=320x180:r=25:d=0.98,format=yuva420p[l6]",
		"[l6][p5]overlay=x=-170:y=-90:eof_action=pass:format=auto,format=yuva420p,settb=AVTB[s7]",
		"[s4][s7]xfade=transition=fade:duration=0.48:offset=1.5[j8]", // 1.5 s is frame 37.5: 12 frames overlap,
		"[v1][j8]overlay=eof_action=pass:format=auto[v9]",
		"[2:v]loop=loop=-1:size=1,setpts=N/25/TB,trim=duration=1,fps=25,scale=100:50,setsar=1,format=yuva420p,hflip[p10]",
		"[p10]setpts=PTS+0.5/TB[m11]",
		"[v9][m11]overlay=x=110:y=65:eof_action=pass:format=auto:enable='between(t,0.5,1.5)'[v12]",
		"[v12]format=yuv420p,setsar=1[vout]",
		"anullsrc=r=16000:cl=stereo,atrim=duration=2.5[a13]",
		"[0:a]atrim=duration=2,asetpts=PTS-STARTPTS,aresample=16000,aformat=sample_fmts=fltp:sample_rates=16000:channel_layouts=stereo,afade=t=out:st=1.5:d=0.5[s14]",
		"[1:a]atrim=duration=1,asetpts=PTS-STARTPTS,aresample=16000,aformat=sample_fmts=fltp:sample_rates=16000:channel_layouts=stereo,volume=2,afade=t=in:st=0:d=0.5,adelay=delays=1500:all=1[s15]",
		"[3:a]atrim=duration=1,asetpts=PTS-STARTPTS,atempo=0.500000,asetpts=N/SR/TB,aresample=16000,aformat=sample_fmts=fltp:sample_rates=16000:channel_layouts=stereo,adelay=delays=250:all=1[s16]",
		"[a13][s14][s15][s16]amix=inputs=4:normalize=0:duration=first[aout]",
	}, ";")
	want := slices.Concat(
		[]string{"-ss", "1", "-t", "2", "-protocol_whitelist", localProtocols, "-i", "/w/a.mp4"},
		[]string{"-t", "1", "-protocol_whitelist", localProtocols, "-i", "/w/a.mp4"},
		[]string{"-protocol_whitelist", localProtocols, "-i", "/w/p.png"},
		[]string{"-t", "1", "-protocol_whitelist", localProtocols, "-i", "/w/s.m4a"},
		[]string{"-filter_complex", graph},
		[]string{"-map", "[vout]", "-c:v", "libx264", "-preset", DefaultPreset, "-crf", "23", "-pix_fmt", "yuv420p", "-r", "25"},
		[]string{"-map", "[aout]", "-c:a", "aac", "-ar", "16000", "-ac", "2"},
		[]string{"-t", "2.5", "-movflags", "+faststart", "-f", "mp4", "/w/o.mp4"},
	)
	require.Equal(t, want, args)
}

// TestComposeArgsAudioOnly checks that an mp3 output has no picture graph
// and takes the mix alone.
func TestComposeArgsAudioOnly(t *testing.T) {
	t.Parallel()
	spec := ComposeSpec{AudioOnly: true, SampleRate: 44100, Channels: 1, AudioBitrate: 96,
		Tracks: []ComposeTrack{{Kind: TrackAudio, Items: []ComposeItem{{Kind: ItemMedia, Source: composeSound}}}}}
	args, d, err := ComposeArgs(spec, "/w/o.mp3")
	require.NoError(t, err)
	require.InDelta(t, 5, d, 1e-9)
	require.Equal(t, slices.Concat(
		[]string{"-t", "5", "-protocol_whitelist", localProtocols, "-i", "/w/s.m4a", "-filter_complex",
			"anullsrc=r=44100:cl=mono,atrim=duration=5[a1];" +
				"[0:a]atrim=duration=5,asetpts=PTS-STARTPTS,aresample=44100,aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=mono[s2];" +
				"[a1][s2]amix=inputs=2:normalize=0:duration=first[aout]"},
		[]string{"-map", "[aout]", "-c:a", "libmp3lame", "-ar", "44100", "-ac", "1", "-b:a", "96k", "-t", "5", "-f", "mp3", "/w/o.mp3"},
	), args)
}

// TestComposeLayout checks where items land on the timeline and the
// timelines that are refused.
func TestComposeLayout(t *testing.T) {
	t.Parallel()
	media := func(src ComposeSource, from, dur float64) ComposeItem {
		return ComposeItem{Kind: ItemMedia, Source: src, From: from, Duration: dur}
	}
	gap := func(d float64) ComposeItem { return ComposeItem{Kind: ItemEmpty, Duration: d} }
	fade := func(d float64) ComposeItem { return ComposeItem{Kind: ItemTransition, Duration: d, Transition: "fade"} }
	cases := []struct {
		name  string
		kind  TrackKind
		items []ComposeItem
		want  float64 // the track's end
		err   error
	}{
		{"rest of the source", TrackVideo, []ComposeItem{media(composeClip, 4, 0)}, 6, nil},
		{"clamped to the source", TrackVideo, []ComposeItem{media(composeClip, 8, 5)}, 2, nil},
		{"gaps add up", TrackAudio, []ComposeItem{gap(1), media(composeSound, 0, 1), gap(2), media(composeSound, 0, 1)}, 5, nil},
		{"transition overlaps", TrackVideo, []ComposeItem{media(composeClip, 0, 3), fade(1), media(composeClip, 0, 3)}, 5, nil},
		{"speed change", TrackAudio, []ComposeItem{{Kind: ItemMedia, Source: composeSound, Duration: 2, TargetDuration: 1}}, 1, nil},
		{"picture needs a duration", TrackVideo, []ComposeItem{media(composePic, 0, 0)}, 0, ErrInvalidSpec},
		{"start past the end", TrackVideo, []ComposeItem{media(composeClip, 10, 1)}, 0, ErrOffsetBeyondDuration},
		{"sound without sound", TrackAudio, []ComposeItem{media(composePic, 0, 1)}, 0, ErrNoStream},
		{"transition too long", TrackVideo, []ComposeItem{media(composeClip, 0, 1), fade(2), media(composeClip, 0, 3)}, 0, ErrInvalidSpec},
		{"transition first", TrackVideo, []ComposeItem{fade(1), media(composeClip, 0, 3)}, 0, ErrInvalidSpec},
		{"transition after a gap", TrackVideo, []ComposeItem{media(composeClip, 0, 3), gap(1), fade(1), media(composeClip, 0, 3)}, 0, ErrInvalidSpec},
		{"gap of nothing", TrackVideo, []ComposeItem{gap(0)}, 0, ErrInvalidSpec},
		{"too fast", TrackAudio, []ComposeItem{{Kind: ItemMedia, Source: composeSound, Duration: 5, TargetDuration: 0.1}}, 0, ErrInvalidSpec},
	}
	_, err := ComposeSpec{Tracks: []ComposeTrack{{Kind: TrackAudio, Items: []ComposeItem{gap(MaxComposeDuration), media(composeSound, 0, 1)}}}}.layout()
	require.ErrorIs(t, err, ErrInvalidSpec, "longer than the limit")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lt, err := layTrack(&ComposeTrack{Kind: tc.kind, Items: tc.items})
			if tc.err != nil {
				require.True(t, errors.Is(err, tc.err), "got %v", err)
				return
			}
			require.NoError(t, err)
			require.InDelta(t, tc.want, lt.end, 1e-9)
		})
	}
}

// TestComposeOffsetsAndSizes checks the API's position and size strings
// and where a picture's corner lands.
func TestComposeOffsetsAndSizes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Length{"": {}, "-80px": {Value: -80}, "25%": {Value: 25, Percent: true}, "-12.5%": {Value: -12.5, Percent: true}} {
		got, err := ParseOffset(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"-", "abc", "--5px", "5 px"} {
		_, err := ParseOffset(bad)
		require.ErrorIs(t, err, ErrInvalidSpec, bad)
	}
	g := &composeGraph{s: ComposeSpec{Width: 320, Height: 240}}
	it := &ComposeItem{Source: composeClip, Height: Length{Value: 50, Percent: true}, X: Length{Value: -25, Percent: true}}
	w, h := itemSize(it, 320, 240)
	require.Equal(t, [2]int{213, 120}, [2]int{w, h}, "the width follows the source's shape")
	x, y := g.position(it, w, h)
	require.Equal(t, [2]int{-27, 60}, [2]int{x, y}, "centre moved left by a quarter of the canvas")
}

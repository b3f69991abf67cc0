package media

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestComplexPlanArgs(t *testing.T) {
	t.Parallel()
	src := probeAV(640, 480, 25, 10)
	aac := AudioSpec{Bitrate: 64_000, SampleRate: 44100, Channels: 2}
	streams := []AdaptiveStream{
		{Video: VideoSpec{Bitrate: 200_000, Scale: Scale{Height: 240, ResolutionAdaptive: true}}},
		{Video: VideoSpec{Bitrate: 800_000}},
	}
	audios := []ComplexAudio{
		{Index: 1, Name: "English", Language: "en"},
		{Input: "/w/fr.m4a", Index: 0, Delay: 1.5, Length: 10, Total: 12, Name: "French", Language: "fr", Default: true},
	}
	plan, res, err := PlanComplex("/w/in.mp4", ComplexSpec{Format: FormatHLS, Dir: "/w/out", SegmentSeconds: 2,
		Streams: streams, Audio: aac, Audios: audios}, src)
	require.NoError(t, err)
	want := slices.Concat(input("/w/in.mp4"), input("/w/fr.m4a"),
		[]string{"-filter_complex", "[0:0]split=2[vs0][vs1];[vs0]scale=320:240,setsar=1,format=yuv420p[v0];" +
			"[vs1]setsar=1,format=yuv420p[v1];" +
			"[0:1]aformat=sample_fmts=fltp:channel_layouts=stereo[a0];" +
			"[1:0]aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_dur=10,atrim=end=10,adelay=delays=1500:all=1,apad=whole_dur=12,atrim=end=12[a1]"},
		[]string{"-map", "[v0]", "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-b:v:0", "200000", "-g:v:0", "50", "-force_key_frames:v:0", "expr:gte(t,n_forced*2)"},
		[]string{"-map", "[v1]", "-c:v:1", "libx264", "-preset:v:1", "veryfast", "-b:v:1", "800000", "-g:v:1", "50", "-force_key_frames:v:1", "expr:gte(t,n_forced*2)"},
		[]string{"-map", "[a0]", "-c:a:0", "aac", "-b:a:0", "64000", "-ar:a:0", "44100", "-ac:a:0", "2", "-metadata:s:a:0", "language=en"},
		[]string{"-map", "[a1]", "-c:a:1", "aac", "-b:a:1", "64000", "-ar:a:1", "44100", "-ac:a:1", "2", "-metadata:s:a:1", "language=fr"},
		[]string{"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", "/w/out/master_%v_%05d.ts",
			"-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,agroup:audio v:1,agroup:audio a:0,agroup:audio a:1,agroup:audio",
			"/w/out/master_%v.m3u8"})
	require.Equal(t, want, plan.Args)
	require.Equal(t, []string{"master_0.m3u8", "master_1.m3u8"}, res.VideoPlaylists)
	require.Equal(t, []string{"master_2.m3u8", "master_3.m3u8"}, res.AudioPlaylists)

	dash, _, err := PlanComplex("/w/in.mp4", ComplexSpec{Format: "MPEG-DASH", Dir: "/w/out", Streams: streams, Audio: aac, Audios: audios}, src)
	require.NoError(t, err)
	graph := dash.Args[slices.Index(dash.Args, "-filter_complex")+1]
	require.Contains(t, graph, "[vs0]scale=320:240,setdar=4/3,format=yuv420p[v0]", "one aspect ratio for the DASH set")
	require.Equal(t, []string{"-adaptation_sets", "id=0,streams=v id=1,streams=2 id=2,streams=3"},
		dash.Args[slices.Index(dash.Args, "-adaptation_sets"):slices.Index(dash.Args, "-adaptation_sets")+2])

	_, _, err = PlanComplex("/w/in.mp4", ComplexSpec{Format: FormatDASH, Dir: "/w/out", Streams: streams, Key: &HLSKey{}}, src)
	require.ErrorIs(t, err, ErrInvalidSpec)
	noVideo := probeAV(0, 0, 0, 10)
	noVideo.Video = nil
	_, _, err = PlanComplex("/w/in.mp4", ComplexSpec{Format: FormatHLS, Dir: "/w/out", Streams: streams}, noVideo)
	require.ErrorIs(t, err, ErrNoStream)
}

func TestComplexJoinArgs(t *testing.T) {
	t.Parallel()
	head := probeAV(320, 320, 30, 1)
	head.Audio = nil
	main := probeAV(640, 480, 25, 10)
	plan, err := PlanJoin(JoinSpec{Parts: []string{"/w/h.mp4", "/w/m.mp4"}, Probes: []*Probe{head, main}, Main: 1,
		Fills: []FillType{FillBlack}, Out: "/w/j.mp4"})
	require.NoError(t, err)
	want := slices.Concat(input("/w/h.mp4"), input("/w/m.mp4"),
		[]string{"-filter_complex", "[0:0]fps=25,scale=480:480,pad=640:480:80:0:black,setsar=1,format=yuv420p[jv0];" +
			"anullsrc=r=48000:cl=stereo,atrim=end=1[ja0];" +
			"[1:0]fps=25,setsar=1,format=yuv420p[jv1];" +
			"[1:1]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_dur=10,atrim=end=10[ja1];" +
			"[jv0][ja0][jv1][ja1]concat=n=2:v=1:a=1[jv][ja]",
			"-map", "[jv]", "-map", "[ja]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
			"-c:a", "aac", "-b:a", "256k", "-ar", "48000", "-movflags", "+faststart", "-f", "mp4", "/w/j.mp4"})
	require.Equal(t, want, plan.Args)
	require.InDelta(t, 11, plan.Duration, 1e-9)

	_, err = PlanJoin(JoinSpec{Parts: []string{"/w/m.mp4"}, Probes: []*Probe{main}, Out: "/w/j.mp4"})
	require.ErrorIs(t, err, ErrInvalidSpec)
	music := probeAV(0, 0, 0, 3)
	music.Video = nil
	_, err = PlanJoin(JoinSpec{Parts: []string{"/w/a.m4a", "/w/m.mp4"}, Probes: []*Probe{music, main}, Main: 1, Out: "/w/j.mp4"})
	require.ErrorIs(t, err, ErrNoStream)
}

func TestComplexSetSubtitles(t *testing.T) {
	t.Parallel()
	master := "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2\nv_0.m3u8\n"
	subs := []SubtitleRendition{{URI: "subtitles/a.m3u8", Name: `A "x"`, Language: "en"}, {URI: "subtitles/b.m3u8", Name: "B", Default: true}}
	got := SetHLSSubtitles(master, subs)
	require.Equal(t, "#EXTM3U\n#EXT-X-VERSION:3\n"+
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="A 'x'",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,FORCED=NO,URI="subtitles/a.m3u8"`+"\n"+
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="B",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="subtitles/b.m3u8"`+"\n"+
		`#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2,SUBTITLES="subs"`+"\nv_0.m3u8\n", got)
	require.Equal(t, master, SetHLSSubtitles(got, nil), "detaching all gives the playlist back")

	mpd := "<MPD>\n\t<Period id=\"0\">\n\t\t<AdaptationSet id=\"0\" contentType=\"video\">\n\t\t</AdaptationSet>\n" +
		"\t\t<AdaptationSet id=\"1\" contentType=\"audio\">\n\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n"
	withSubs, err := SetDASHSubtitles(mpd, []SubtitleRendition{{URI: "../s/a&b.vtt", Name: "A<", Language: "fr", Default: true}})
	require.NoError(t, err)
	require.Contains(t, withSubs, "\t\t<AdaptationSet id=\"2\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"fr\">\n\t\t\t<Label>A&lt;</Label>\n"+
		"\t\t\t<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>\n")
	require.Contains(t, withSubs, "<BaseURL>../s/a&amp;b.vtt</BaseURL>\n\t\t\t</Representation>\n\t\t</AdaptationSet>\n\t</Period>")
	again, err := SetDASHSubtitles(withSubs, nil)
	require.NoError(t, err)
	require.Equal(t, mpd, again)
	_, err = SetDASHSubtitles("<MPD/>", nil)
	require.Error(t, err)
}

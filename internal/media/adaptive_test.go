package media

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlanAdaptiveArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	aac := AudioSpec{Bitrate: 48_000, SampleRate: 44100, Channels: 2}
	ladder := []AdaptiveStream{
		{Video: VideoSpec{Fps: 24, Bitrate: 256_000, Scale: Scale{Height: 240, ResolutionAdaptive: true}}, Audio: aac},
		{Video: VideoSpec{Fps: 24, Bitrate: 1_024_000, Scale: Scale{Height: 1080, ResolutionAdaptive: true}}, Audio: aac},
	}
	cases := []struct {
		name string
		spec AdaptiveSpec
		want [][]string
		outs []Output
	}{
		{
			name: "encrypted HLS, audio in every variant",
			spec: AdaptiveSpec{Format: FormatHLS, Dir: "/w/out", Manifest: "adp.12.m3u8", Streams: ladder, Start: 2,
				Key: &HLSKey{InfoFile: "/w/k.keyinfo"}},
			want: [][]string{
				{"-ss", "2"}, input("/w/in.mp4"),
				{"-filter_complex", "[0:0]split=2[vs0][vs1];" +
					"[vs0]fps=24,scale=426:240,setsar=1,format=yuv420p[v0];" +
					"[vs1]fps=24,setsar=1,format=yuv420p[v1];" +
					"[0:1]asplit=2[as0][as1]"},
				{"-map", "[v0]", "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-b:v:0", "256000",
					"-g:v:0", "144", "-force_key_frames:v:0", "expr:gte(t,n_forced*6)"},
				{"-map", "[v1]", "-c:v:1", "libx264", "-preset:v:1", "veryfast", "-b:v:1", "1024000",
					"-g:v:1", "144", "-force_key_frames:v:1", "expr:gte(t,n_forced*6)"},
				{"-map", "[as0]", "-c:a:0", "aac", "-b:a:0", "48000", "-ar:a:0", "44100", "-ac:a:0", "2"},
				{"-map", "[as1]", "-c:a:1", "aac", "-b:a:1", "48000", "-ar:a:1", "44100", "-ac:a:1", "2"},
				{"-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod",
					"-hls_segment_filename", "/w/out/adp.12_%v_%05d.ts",
					"-master_pl_name", "adp.12.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1",
					"-hls_key_info_file", "/w/k.keyinfo", "/w/out/adp.12_%v.m3u8"},
			},
			outs: []Output{
				{Path: "/w/out/adp.12_0.m3u8", Width: 426, Height: 240, Video: true, Audio: true, Fps: 24},
				{Path: "/w/out/adp.12_1.m3u8", Width: 1920, Height: 1080, Video: true, Audio: true, Fps: 24},
			},
		},
		{
			name: "DASH shares one audio encode; constant quality gets a cap",
			spec: AdaptiveSpec{Format: "MPEG-DASH", Dir: "/w/out", SegmentSeconds: 4, Streams: []AdaptiveStream{
				ladder[0],
				{Video: VideoSpec{Codec: "h265", CRF: 26, Scale: Scale{Height: 720, ResolutionAdaptive: true}}, Audio: aac},
				{RemoveVideo: true, Audio: AudioSpec{Bitrate: 128_000}},
			}},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]split=2[vs0][vs1];" +
					"[vs0]fps=24,scale=426:240,setdar=16/9,format=yuv420p[v0];" +
					"[vs1]scale=1280:720,setdar=16/9,format=yuv420p[v1];" +
					"[0:1]asplit=2[as0][as1]"},
				{"-map", "[v0]", "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-b:v:0", "256000",
					"-g:v:0", "96", "-force_key_frames:v:0", "expr:gte(t,n_forced*4)"},
				{"-map", "[v1]", "-c:v:1", "libx265", "-preset:v:1", "veryfast", "-x265-params:v:1", "log-level=error",
					"-crf:v:1", "26", "-maxrate:v:1", "2304000", "-bufsize:v:1", "4608000",
					"-g:v:1", "100", "-force_key_frames:v:1", "expr:gte(t,n_forced*4)", "-tag:v:1", "hvc1"},
				{"-map", "[as0]", "-c:a:0", "aac", "-b:a:0", "48000", "-ar:a:0", "44100", "-ac:a:0", "2"},
				{"-map", "[as1]", "-c:a:1", "aac", "-b:a:1", "128000"},
				{"-f", "dash", "-dash_segment_type", "mp4", "-seg_duration", "4", "-use_template", "1", "-use_timeline", "1",
					"-adaptation_sets", "id=0,streams=v id=1,streams=a",
					"-init_seg_name", "manifest-init-$RepresentationID$.m4s",
					"-media_seg_name", "manifest-chunk-$RepresentationID$-$Number%05d$.m4s",
					"/w/out/manifest.mpd"},
			},
			outs: []Output{
				{Path: "/w/out/manifest.mpd", Width: 426, Height: 240, Video: true, Audio: true, Fps: 24},
				{Path: "/w/out/manifest.mpd", Width: 1280, Height: 720, Video: true, Audio: true, Fps: 25},
				{Path: "/w/out/manifest.mpd", Audio: true},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanAdaptive("/w/in.mp4", tc.spec, hd)
			require.NoError(t, err)
			require.Equal(t, slices.Concat(tc.want...), plan.Args)
			require.Equal(t, tc.outs, plan.Outputs)
		})
	}
}

func TestPlanAdaptiveSourceKinds(t *testing.T) {
	t.Parallel()
	streams := []AdaptiveStream{
		{Video: VideoSpec{Bitrate: 256_000, Scale: Scale{Height: 240}}},
		{Video: VideoSpec{Bitrate: 512_000, Scale: Scale{Height: 480}}},
	}
	music := probeAV(0, 0, 0, 60)
	music.Video = nil
	music.Audio[0].Index = 0
	plan, err := PlanAdaptive("/w/in.m4a", AdaptiveSpec{Format: FormatHLS, Dir: "/w", Streams: streams}, music)
	require.NoError(t, err)
	require.Equal(t, slices.Concat(
		input("/w/in.m4a"),
		[]string{"-filter_complex", "[0:0]asplit=2[as0][as1]",
			"-map", "[as0]", "-c:a:0", "aac", "-map", "[as1]", "-c:a:1", "aac",
			"-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod", "-hls_segment_filename", "/w/master_%v_%05d.ts",
			"-master_pl_name", "master.m3u8", "-var_stream_map", "a:0 a:1", "/w/master_%v.m3u8"},
	), plan.Args)
	require.Equal(t, 60.0, plan.Duration)

	silent := probeAV(640, 480, 30, 60)
	silent.Audio = nil
	plan, err = PlanAdaptive("/w/in.mp4", AdaptiveSpec{Format: FormatDASH, Dir: "/w", Streams: streams}, silent)
	require.NoError(t, err)
	require.Contains(t, plan.Args, "id=0,streams=v")
	require.NotContains(t, plan.Args, "-c:a:0")
}

func TestPlanAdaptiveErrors(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	one := []AdaptiveStream{{}}
	cases := []struct {
		name string
		spec AdaptiveSpec
		want error
		msg  string
	}{
		{"unknown format", AdaptiveSpec{Format: "smooth", Dir: "/w", Streams: one}, ErrInvalidSpec, `format "smooth"`},
		{"no directory", AdaptiveSpec{Format: FormatHLS, Streams: one}, ErrInvalidSpec, "no output directory"},
		{"no streams", AdaptiveSpec{Format: FormatHLS, Dir: "/w"}, ErrInvalidSpec, "no streams"},
		{"AES on DASH", AdaptiveSpec{Format: FormatDASH, Dir: "/w", Streams: one, Key: &HLSKey{}}, ErrInvalidSpec, "HLS only"},
		{"manifest with a path", AdaptiveSpec{Format: FormatHLS, Dir: "/w", Manifest: "a/b.m3u8", Streams: one}, ErrInvalidSpec, "manifest name"},
		{"stream with nothing", AdaptiveSpec{Format: FormatHLS, Dir: "/w", Streams: []AdaptiveStream{{}, {RemoveVideo: true, RemoveAudio: true}}}, ErrInvalidSpec, "stream 1"},
		{"VP9 in TS segments", AdaptiveSpec{Format: FormatHLS, Dir: "/w", Streams: []AdaptiveStream{{Video: VideoSpec{Codec: CodecVP9}}}}, ErrInvalidSpec, "hls cannot hold vp9"},
		{"start past the end", AdaptiveSpec{Format: FormatHLS, Dir: "/w", Streams: one, Start: 61}, ErrOffsetBeyondDuration, "start 61s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := PlanAdaptive("/w/in.mp4", tc.spec, hd)
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

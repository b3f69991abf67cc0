package media

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// input is the argument group of an unseeking input.
func input(path string) []string {
	return []string{"-protocol_whitelist", "file,crypto,data", "-i", path}
}

func TestPlanLadderArgs(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	silent := probeAV(1920, 1080, 25, 60)
	silent.Audio = nil
	music := probeAV(0, 0, 0, 60)
	music.Video = nil
	music.Audio[0].Index = 0
	aac := AudioSpec{Bitrate: 128_000, SampleRate: 44100, Channels: 2}
	bframes := 0

	cases := []struct {
		name string
		p    *Probe
		outs []OutputSpec
		want [][]string
	}{
		{
			name: "defaults: H.264 and AAC at the source size",
			p:    hd,
			outs: []OutputSpec{{Path: "/w/out.mp4"}},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]setsar=1,format=yuv420p[v0]"},
				{"-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast"},
				{"-map", "0:1", "-c:a", "aac"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/out.mp4"},
			},
		},
		{
			name: "three renditions from one decode, each scaled from the next larger",
			p:    hd,
			outs: []OutputSpec{
				{Path: "/w/720.mp4", Video: VideoSpec{Bitrate: 2_500_000, Scale: Scale{Height: 720, ResolutionAdaptive: true}}, Audio: aac},
				{Path: "/w/480.mp4", Video: VideoSpec{Bitrate: 1_200_000, Scale: Scale{Height: 480, ResolutionAdaptive: true}}, Audio: aac},
				{Path: "/w/360.mp4", Video: VideoSpec{Bitrate: 700_000, Scale: Scale{Height: 360, ResolutionAdaptive: true}}, Audio: aac},
			},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]scale=1280:720,split=2[v0p][v0c0];[v0p]setsar=1,format=yuv420p[v0];" +
					"[v0c0]scale=854:480,split=2[v1p][v1c0];[v1p]setsar=1,format=yuv420p[v1];" +
					"[v1c0]scale=640:360,setsar=1,format=yuv420p[v2];" +
					"[0:1]asplit=3[as0][as1][as2]"},
				{"-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast", "-b:v", "2500000"},
				{"-map", "[as0]", "-c:a", "aac", "-b:a", "128000", "-ar:a", "44100", "-ac:a", "2"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/720.mp4"},
				{"-map", "[v1]", "-c:v", "libx264", "-preset:v", "veryfast", "-b:v", "1200000"},
				{"-map", "[as1]", "-c:a", "aac", "-b:a", "128000", "-ar:a", "44100", "-ac:a", "2"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/480.mp4"},
				{"-map", "[v2]", "-c:v", "libx264", "-preset:v", "veryfast", "-b:v", "700000"},
				{"-map", "[as2]", "-c:a", "aac", "-b:a", "128000", "-ar:a", "44100", "-ac:a", "2"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/360.mp4"},
			},
		},
		{
			name: "same trim seeks the input; a remux reads its own",
			p:    hd,
			outs: []OutputSpec{
				{Path: "/w/hls.m3u8", Container: "HLS", Start: 1, End: 11, HLS: HLSOptions{SegmentSeconds: 4},
					Video: VideoSpec{Fps: 15, Scale: Scale{Height: 360, ResolutionAdaptive: true}}},
				{Path: "/w/a.mp3", Container: ContainerMP3, Start: 1, End: 11},
				{Path: "/w/copy.mp4", Remux: true},
			},
			want: [][]string{
				{"-ss", "1", "-to", "11"}, input("/w/in.mp4"),
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]fps=15,scale=640:360,setsar=1,format=yuv420p[v0];[0:1]asplit=2[as0][as1]"},
				{"-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast", "-g:v", "60", "-force_key_frames:v", "expr:gte(t,n_forced*4)"},
				{"-map", "[as0]", "-c:a", "aac"},
				{"-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_filename", "/w/hls_%05d.ts", "/w/hls.m3u8"},
				{"-map", "[as1]", "-c:a", "libmp3lame", "-f", "mp3", "/w/a.mp3"},
				{"-map", "1:0", "-map", "1:1", "-c", "copy", "-f", "mp4", "-movflags", "+faststart", "/w/copy.mp4"},
			},
		},
		{
			name: "different trims trim each chain",
			p:    hd,
			outs: []OutputSpec{
				{Path: "/w/a.mp4", Start: 0.5, End: 1.5, Video: VideoSpec{Scale: Scale{Height: 360}}},
				{Path: "/w/b.mp4", Start: -10},
				{Path: "/w/c.flv", Container: ContainerFLV, Remux: true, Start: -10, RemoveAudio: true},
			},
			want: [][]string{
				input("/w/in.mp4"),
				{"-ss", "50"}, input("/w/in.mp4"),
				{"-filter_complex", "[0:0]split=2[vs0][vs1];" +
					"[vs0]trim=start=0.5:end=1.5,setpts=PTS-STARTPTS,scale=640:360,setsar=1,format=yuv420p[v0];" +
					"[vs1]trim=start=50,setpts=PTS-STARTPTS,setsar=1,format=yuv420p[v1];" +
					"[0:1]asplit=2[as0][as1];" +
					"[as0]atrim=start=0.5:end=1.5,asetpts=PTS-STARTPTS[a0];" +
					"[as1]atrim=start=50,asetpts=PTS-STARTPTS[a1]"},
				{"-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast", "-map", "[a0]", "-c:a", "aac"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/a.mp4"},
				{"-map", "[v1]", "-c:v", "libx264", "-preset:v", "veryfast", "-map", "[a1]", "-c:a", "aac"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/b.mp4"},
				{"-map", "1:0", "-c", "copy", "-f", "flv", "/w/c.flv"},
			},
		},
		{
			name: "silent source: video only",
			p:    silent,
			outs: []OutputSpec{{Path: "/w/v.mp4", Video: VideoSpec{Scale: Scale{Width: 1280, Height: 720}}}},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]scale=1280:720,setsar=1,format=yuv420p[v0]"},
				{"-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/v.mp4"},
			},
		},
		{
			name: "audio source: audio only, in any container",
			p:    music,
			outs: []OutputSpec{
				{Path: "/w/a.mp4", Audio: AudioSpec{Bitrate: 96_000}},
				{Path: "/w/a.m4a", Container: ContainerM4A},
				{Path: "/w/a.flac", Container: ContainerFLAC, Audio: AudioSpec{Bitrate: 96_000, SampleRate: 48000}},
			},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]asplit=3[as0][as1][as2]"},
				{"-map", "[as0]", "-c:a", "aac", "-b:a", "96000", "-f", "mp4", "-movflags", "+faststart", "/w/a.mp4"},
				{"-map", "[as1]", "-c:a", "aac", "-f", "ipod", "-movflags", "+faststart", "/w/a.m4a"},
				{"-map", "[as2]", "-c:a", "flac", "-ar:a", "48000", "-f", "flac", "/w/a.flac"},
			},
		},
		{
			name: "codecs and their options",
			p:    hd,
			outs: []OutputSpec{
				{Path: "/w/hevc.mp4", RemoveAudio: true, Video: VideoSpec{Codec: "H265", CRF: 28, Profile: "main",
					GopSeconds: 2, BFrames: &bframes, Preset: "medium"}},
				{Path: "/w/vp9.webm", Container: ContainerWebM, Video: VideoSpec{Codec: "vp9"}, Audio: AudioSpec{SampleRate: 44100}},
				{Path: "/w/av1.mp4", RemoveAudio: true, Video: VideoSpec{Codec: "av1", Bitrate: 1_000_000, Gop: 120}},
				{Path: "/w/vp9-fast.webm", Container: ContainerWebM, RemoveAudio: true, Video: VideoSpec{Codec: "libvpx-vp9", Preset: "ultrafast", Bitrate: 500_000}},
			},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]split=4[vs0][vs1][vs2][vs3];" +
					"[vs0]setsar=1,format=yuv420p[v0];[vs1]setsar=1,format=yuv420p[v1];" +
					"[vs2]setsar=1,format=yuv420p[v2];[vs3]setsar=1,format=yuv420p[v3]"},
				{"-map", "[v0]", "-c:v", "libx265", "-preset:v", "medium", "-x265-params:v", "log-level=error",
					"-profile:v", "main", "-crf:v", "28", "-g:v", "50", "-bf:v", "0", "-tag:v", "hvc1"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/hevc.mp4"},
				{"-map", "[v1]", "-c:v", "libvpx-vp9", "-deadline:v", "good", "-cpu-used:v", "5", "-row-mt:v", "1",
					"-crf:v", "32", "-b:v", "0"},
				{"-map", "0:1", "-c:a", "libopus", "-ar:a", "48000", "-f", "webm", "/w/vp9.webm"},
				{"-map", "[v2]", "-c:v", "libsvtav1", "-preset:v", "10", "-b:v", "1000000", "-g:v", "120"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/av1.mp4"},
				{"-map", "[v3]", "-c:v", "libvpx-vp9", "-deadline:v", "realtime", "-cpu-used:v", "8", "-row-mt:v", "1",
					"-b:v", "500000", "-f", "webm", "/w/vp9-fast.webm"},
			},
		},
		{
			name: "encrypted fMP4 HLS",
			p:    silent,
			outs: []OutputSpec{{Path: "/w/out.m3u8", Container: ContainerHLS, Video: VideoSpec{Codec: "hevc", CodecTag: "hev1"},
				HLS: HLSOptions{SegmentType: "fmp4", Key: &HLSKey{InfoFile: "/k/k.keyinfo"}}}},
			want: [][]string{
				input("/w/in.mp4"),
				{"-filter_complex", "[0:0]setsar=1,format=yuv420p[v0]"},
				{"-map", "[v0]", "-c:v", "libx265", "-preset:v", "veryfast", "-x265-params:v", "log-level=error",
					"-g:v", "250", "-force_key_frames:v", "expr:gte(t,n_forced*10)", "-tag:v", "hev1"},
				{"-f", "hls", "-hls_time", "10", "-hls_playlist_type", "vod",
					"-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "out_init.mp4",
					"-hls_segment_filename", "/w/out_%05d.m4s", "-hls_key_info_file", "/k/k.keyinfo", "/w/out.m3u8"},
			},
		},
		{
			name: "a lone remux copies from the only input",
			p:    hd,
			outs: []OutputSpec{{Path: "/w/copy.m3u8", Container: ContainerHLS, Remux: true, Start: 5,
				HLS: HLSOptions{SegmentPattern: "/w/seg-%d.ts"}}},
			want: [][]string{
				{"-ss", "5"}, input("/w/in.mp4"),
				{"-map", "0:0", "-map", "0:1", "-c", "copy",
					"-f", "hls", "-hls_time", "10", "-hls_playlist_type", "vod", "-hls_segment_filename", "/w/seg-%d.ts", "/w/copy.m3u8"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanLadder("/w/in.mp4", tc.outs, tc.p)
			require.NoError(t, err)
			require.Equal(t, slices.Concat(tc.want...), plan.Args)
			require.Len(t, plan.Outputs, len(tc.outs))
		})
	}
}

func TestPlanLadderOutputs(t *testing.T) {
	t.Parallel()
	plan, err := PlanLadder("/w/in.mp4", []OutputSpec{
		{Path: "/w/a.mp4", Video: VideoSpec{Fps: 50, Scale: Scale{Height: 480, ResolutionAdaptive: true}}, Start: 10, End: 40},
		{Path: "/w/b.mp3", Container: ContainerMP3, Start: 30},
		{Path: "/w/c.mp4", Remux: true, RemoveAudio: true},
	}, probeAV(1920, 1080, 25, 60))
	require.NoError(t, err)
	require.Equal(t, []Output{
		{Path: "/w/a.mp4", Width: 854, Height: 480, Video: true, Audio: true, Fps: 25},
		{Path: "/w/b.mp3", Audio: true},
		{Path: "/w/c.mp4", Width: 1920, Height: 1080, Video: true, Fps: 25},
	}, plan.Outputs)
	require.Equal(t, 60.0, plan.Duration)
}

func TestPlanLadderErrors(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	silent := probeAV(1920, 1080, 25, 60)
	silent.Audio = nil
	cases := []struct {
		name string
		p    *Probe
		outs []OutputSpec
		want error
		msg  string
	}{
		{"no outputs", hd, nil, ErrInvalidSpec, "no outputs"},
		{"unknown container", hd, []OutputSpec{{Path: "/w/a.avi", Container: "avi"}}, ErrInvalidSpec, `output 0 (a.avi): invalid output spec: container "avi"`},
		{"unknown video codec", hd, []OutputSpec{{Path: "/w/a.mp4", Video: VideoSpec{Codec: "H.266"}}}, ErrInvalidSpec, `video codec "H.266"`},
		{"unknown audio codec", hd, []OutputSpec{{Path: "/w/a.mp4", Audio: AudioSpec{Codec: "dts"}}}, ErrInvalidSpec, `audio codec "dts"`},
		{"codec the container cannot hold", hd, []OutputSpec{{Path: "/w/a.webm", Container: ContainerWebM, Video: VideoSpec{Codec: CodecH264}}}, ErrInvalidSpec, "webm cannot hold h264 video"},
		{"audio the container cannot hold", hd, []OutputSpec{{Path: "/w/a.flv", Container: ContainerFLV, Audio: AudioSpec{Codec: "opus"}}}, ErrInvalidSpec, "flv cannot hold opus audio"},
		{"unknown preset", hd, []OutputSpec{{Path: "/w/a.mp4", Video: VideoSpec{Preset: "warp"}}}, ErrInvalidSpec, `preset "warp"`},
		{"unknown fill", hd, []OutputSpec{{Path: "/w/a.mp4", Video: VideoSpec{Scale: Scale{Width: 10, Height: 10, Fill: "tile"}}}}, ErrInvalidSpec, `fill type "tile"`},
		{"unknown segment type", hd, []OutputSpec{{Path: "/w/a.m3u8", Container: ContainerHLS, HLS: HLSOptions{SegmentType: "cmaf"}}}, ErrInvalidSpec, `segment type "cmaf"`},
		{"removes everything", hd, []OutputSpec{{Path: "/w/a.mp4", RemoveAudio: true, RemoveVideo: true}}, ErrInvalidSpec, "removes both"},
		{"no path", hd, []OutputSpec{{}}, ErrInvalidSpec, "no output path"},
		{"mp3 of a silent video", silent, []OutputSpec{{Path: "/w/ok.mp4"}, {Path: "/w/a.mp3", Container: ContainerMP3}}, ErrNoStream, "output 1 (a.mp3)"},
		{"start past the end", hd, []OutputSpec{{Path: "/w/a.mp4", Start: 60}}, ErrOffsetBeyondDuration, "start 60s, duration 60s"},
		{"end before start", hd, []OutputSpec{{Path: "/w/a.mp4", Start: 10, End: 5}}, ErrInvalidSpec, "trim ends"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := PlanLadder("/w/in.mp4", tc.outs, tc.p)
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	_, err := PlanLadder("/w/in.mp4", []OutputSpec{{Path: "/w/a.mp4"}}, nil)
	require.ErrorContains(t, err, "no probe")
}

// TestPlanThreads: Runner.Threads finds every input and output of a plan,
// whatever option values it holds (filter graphs, stream maps, flags).
func TestPlanThreads(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	ladder, err := PlanLadder("/w/in.mp4", []OutputSpec{
		{Path: "/w/a.mp4", Video: VideoSpec{Codec: "h265", Scale: Scale{Height: 720}}},
		{Path: "/w/b.m3u8", Container: ContainerHLS, HLS: HLSOptions{Key: &HLSKey{InfoFile: "/w/k"}}},
		{Path: "/w/c.mp4", Remux: true, Start: 5},
	}, hd)
	require.NoError(t, err)
	adaptive, err := PlanAdaptive("/w/in.mp4", AdaptiveSpec{Format: FormatDASH, Dir: "/w", Streams: []AdaptiveStream{{}, {}}}, hd)
	require.NoError(t, err)
	snaps, err := PlanSnapshots("/w/in.mp4", []Snapshot{{At: 1, Path: "/w/1.jpg"}, {At: 2, Path: "/w/2.jpg"}}, ImageSpec{}, hd)
	require.NoError(t, err)
	for name, c := range map[string]struct {
		plan  *Plan
		files []string // inputs and outputs, in order
	}{
		"ladder":    {ladder, []string{"/w/in.mp4", "/w/in.mp4", "/w/a.mp4", "/w/b.m3u8", "/w/c.mp4"}},
		"adaptive":  {adaptive, []string{"/w/in.mp4", "/w/manifest.mpd"}},
		"snapshots": {snaps[0], []string{"/w/in.mp4", "/w/in.mp4", "/w/1.jpg", "/w/2.jpg"}},
	} {
		args := withThreads(c.plan.Args, 1)
		var limited []string // what each "-threads 1" comes before
		for i, a := range args {
			if a != "-threads" {
				continue
			}
			next := args[i+2]
			if next == "-i" {
				next = args[i+3]
			}
			limited = append(limited, next)
		}
		require.Equal(t, c.files, limited, name)
	}
}

package media

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEditPlanConcatArgs(t *testing.T) {
	t.Parallel()
	big := probeAV(320, 240, 25, 4)
	small := probeAV(160, 120, 30, 3)
	small.Audio = nil
	tone := probeAV(0, 0, 0, 2)
	tone.Video = nil
	tone.Audio[0].Index = 0
	tone.Audio[0].SampleRate = 44100

	cases := []struct {
		name string
		ins  []ConcatInput
		spec ConcatSpec
		want [][]string
	}{
		{
			name: "different sizes and rates, the second silent: scaled, padded, silence added",
			ins:  []ConcatInput{{Path: "/w/a.mp4", Probe: big, Start: 1, End: 3}, {Path: "/w/b.mp4", Probe: small, Start: 0.5}},
			spec: ConcatSpec{Path: "/w/out.mp4", Video: VideoSpec{Preset: "ultrafast"}},
			want: [][]string{
				{"-ss", "1", "-to", "3", "-protocol_whitelist", "file,crypto,data", "-i", "/w/a.mp4"},
				{"-ss", "0.5", "-protocol_whitelist", "file,crypto,data", "-i", "/w/b.mp4"},
				{"-filter_complex",
					"[0:0]setpts=PTS-STARTPTS,fps=25,setsar=1,format=yuv420p,trim=duration=2,setpts=PTS-STARTPTS[v0];" +
						"[0:1]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,asetpts=PTS-STARTPTS,apad,atrim=duration=2[a0];" +
						"[1:0]setpts=PTS-STARTPTS,fps=25,scale=320:240,setsar=1,format=yuv420p,trim=duration=2.5,setpts=PTS-STARTPTS[v1];" +
						"anullsrc=r=48000:cl=stereo,atrim=duration=2.5,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[a1];" +
						"[v0][a0][v1][a1]concat=n=2:v=1:a=1[vout][aout]"},
				{"-map", "[vout]", "-c:v", "libx264", "-preset:v", "ultrafast"},
				{"-map", "[aout]", "-c:a", "aac"},
				{"-f", "mp4", "-movflags", "+faststart", "/w/out.mp4"},
			},
		},
		{
			name: "explicit canvas, frame rate and bitrate; a sound-only input becomes black",
			ins:  []ConcatInput{{Path: "/w/b.mp4", Probe: small}, {Path: "/w/t.m4a", Probe: tone, End: -0.5}},
			spec: ConcatSpec{Path: "/w/out.m3u8", Container: ContainerHLS, HLS: HLSOptions{SegmentSeconds: 2},
				Video: VideoSpec{Bitrate: 500_000, Fps: 15, Scale: Scale{Width: 640, Height: 360}}, Audio: AudioSpec{SampleRate: 22050, Channels: 1}},
			want: [][]string{
				{"-protocol_whitelist", "file,crypto,data", "-i", "/w/b.mp4"},
				{"-to", "1.5", "-protocol_whitelist", "file,crypto,data", "-i", "/w/t.m4a"},
				{"-filter_complex",
					"[0:0]setpts=PTS-STARTPTS,fps=15,scale=480:360,pad=640:360:80:0:black,setsar=1,format=yuv420p,trim=duration=3,setpts=PTS-STARTPTS[v0];" +
						"anullsrc=r=22050:cl=mono,atrim=duration=3,aformat=sample_fmts=fltp:sample_rates=22050:channel_layouts=mono[a0];" +
						"color=c=black:s=640x360:r=15:d=1.5,format=yuv420p,setsar=1[v1];" +
						"[1:0]aresample=22050,aformat=sample_fmts=fltp:sample_rates=22050:channel_layouts=mono,asetpts=PTS-STARTPTS,apad,atrim=duration=1.5[a1];" +
						"[v0][a0][v1][a1]concat=n=2:v=1:a=1[vout][aout]"},
				{"-map", "[vout]", "-c:v", "libx264", "-preset:v", "veryfast", "-b:v", "500000", "-g:v", "30",
					"-force_key_frames:v", "expr:gte(t,n_forced*2)"},
				{"-map", "[aout]", "-c:a", "aac"},
				{"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", "/w/out_%05d.ts", "/w/out.m3u8"},
			},
		},
		{
			name: "an audio-only container takes only the sound",
			ins:  []ConcatInput{{Path: "/w/a.mp4", Probe: big}, {Path: "/w/t.m4a", Probe: tone}},
			spec: ConcatSpec{Path: "/w/out.mp3", Container: ContainerMP3, Reference: 1},
			want: [][]string{
				{"-protocol_whitelist", "file,crypto,data", "-i", "/w/a.mp4"},
				{"-protocol_whitelist", "file,crypto,data", "-i", "/w/t.m4a"},
				{"-filter_complex",
					"[0:1]aresample=44100,aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo,asetpts=PTS-STARTPTS,apad,atrim=duration=4[a0];" +
						"[1:0]aresample=44100,aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo,asetpts=PTS-STARTPTS,apad,atrim=duration=2[a1];" +
						"[a0][a1]concat=n=2:v=0:a=1[aout]"},
				{"-map", "[aout]", "-c:a", "libmp3lame"},
				{"-f", "mp3", "/w/out.mp3"},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanConcat(c.ins, c.spec)
			require.NoError(t, err)
			require.Equal(t, slices.Concat(c.want...), plan.Args)
		})
	}
}

func TestEditPlanConcatErrors(t *testing.T) {
	t.Parallel()
	p := probeAV(320, 240, 25, 2)
	empty := &Probe{Duration: 2}
	cases := []struct {
		name string
		ins  []ConcatInput
		spec ConcatSpec
		want error
	}{
		{"no inputs", nil, ConcatSpec{Path: "/o.mp4"}, ErrInvalidSpec},
		{"start past the end", []ConcatInput{{Path: "/a", Probe: p, Start: 2}}, ConcatSpec{Path: "/o.mp4"}, ErrOffsetBeyondDuration},
		{"inverted window", []ConcatInput{{Path: "/a", Probe: p, Start: 1.5, End: 1}}, ConcatSpec{Path: "/o.mp4"}, ErrInvalidSpec},
		{"nothing to take", []ConcatInput{{Path: "/a", Probe: empty}}, ConcatSpec{Path: "/o.mp4"}, ErrNoStream},
		{"codec the container cannot hold", []ConcatInput{{Path: "/a", Probe: p}}, ConcatSpec{Path: "/o.webm", Container: ContainerWebM}, ErrInvalidSpec},
		{"reference out of range", []ConcatInput{{Path: "/a", Probe: p}}, ConcatSpec{Path: "/o.mp4", Reference: 1}, ErrInvalidSpec},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := PlanConcat(c.ins, c.spec)
			require.True(t, errors.Is(err, c.want), "%v", err)
		})
	}
}

func TestEditReferenceInput(t *testing.T) {
	t.Parallel()
	a, b := probeAV(320, 240, 25, 2), probeAV(640, 480, 25, 2)
	a.Bitrate, b.Bitrate = 900_000, 300_000
	ins := []ConcatInput{{Probe: a}, {Probe: b}}
	require.Equal(t, 1, ReferenceInput(ins, false))
	require.Equal(t, 0, ReferenceInput(ins, true))
}

// TestEditConcatRun joins a 320x240 25 fps clip with sound and a 160x120
// 30 fps clip without, and checks the result with ffprobe.
func TestEditConcatRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.make(t, "a.mp4", []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3"},
		[]string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=3"}, x264, []string{"-c:a", "aac", "-shortest"})
	b := e.make(t, "b.mp4", []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=2"}, x264)
	ins := []ConcatInput{{Path: a, Probe: e.probe(t, a), Start: 0.5, End: 2}, {Path: b, Probe: e.probe(t, b), Start: 1}}
	plan, err := PlanConcat(ins, ConcatSpec{Path: e.path("out.mp4"), Video: VideoSpec{Preset: "ultrafast"}})
	require.NoError(t, err)
	require.NoError(t, e.r.RunPlan(t.Context(), plan, nil))
	q := e.probe(t, e.path("out.mp4"))
	requireVideo(t, q, "h264", 320, 240, 25)
	require.Len(t, q.Audio, 1)
	require.Equal(t, 44100, q.Audio[0].SampleRate)
	require.InDelta(t, 2.5, q.Duration, 0.1)
	require.InDelta(t, 2.5, q.VideoDuration, 0.1)
	require.InDelta(t, 2.5, q.AudioDuration, 0.1)
	require.InDelta(t, 2.5, plan.Duration, 0.001)
}

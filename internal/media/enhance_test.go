package media

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// enhanceProbe is a 160x120 15 fps source with stereo AAC at 44.1 kHz.
func enhanceProbe() *Probe {
	return &Probe{Duration: 2, Width: 160, Height: 120,
		Video: []VideoStream{{Index: 0, Codec: "h264", Width: 160, Height: 120, Fps: 15, FpsExact: 15, Bitrate: 900_000}},
		Audio: []AudioStream{{Index: 1, Codec: "aac", SampleRate: 44100, Channels: 2, Bitrate: 128_000}}}
}

// argAfter returns the word after the first occurrence of name.
func argAfter(t *testing.T, args []string, name string) string {
	t.Helper()
	i := slices.Index(args, name)
	require.GreaterOrEqual(t, i, 0, "%s missing from %q", name, args)
	require.Less(t, i+1, len(args))
	return args[i+1]
}

func TestEnhanceAllFilters(t *testing.T) {
	t.Parallel()
	spec := EnhanceSpec{Path: "/out/e.mp4", Denoise: LevelWeak, Repair: LevelNormal, Deblock: LevelStrong,
		Scratch: Amount{On: true, Value: 0.7}, LowLight: LevelNormal, Color: LevelWeak, Sharpen: Amount{On: true, Value: 0.5},
		InterpolateFps: 30, SuperResolution: 2, AudioDenoise: true, Loudness: true}
	p, err := PlanEnhance("/in/s.mp4", spec, enhanceProbe())
	require.NoError(t, err)
	require.Equal(t, []string{"-protocol_whitelist", localProtocols, "-i", "/in/s.mp4"}, p.Args[:4])
	graph := argAfter(t, p.Args, "-filter_complex")
	require.Equal(t, "[0:0]hqdn3d=6:4:9:6,hqdn3d=3:2:4:3,deblock=filter=strong:block=8,removegrain=m0=4:m1=4:m2=4,"+
		"eq=gamma=1.3:brightness=0.03:saturation=1.15:contrast=1.03,"+
		"minterpolate=fps=30:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1,fps=30,scale=320:240:flags=lanczos,"+
		"unsharp=5:5:0.90:5:5:0,format=yuv420p[v];"+
		"[0:1]afftdn=nr=20:nf=-40,loudnorm=I=-16:TP=-1.5:LRA=11[a]", graph)
	require.Equal(t, "libx264", argAfter(t, p.Args, "-c:v"))
	require.Equal(t, "20", argAfter(t, p.Args, "-crf:v"), "constant quality by default")
	require.Equal(t, "44100", argAfter(t, p.Args, "-ar:a"), "back to the source rate after loudnorm")
	require.Equal(t, []string{"-f", "mp4", "/out/e.mp4"}, p.Args[len(p.Args)-3:])
	require.Equal(t, []Output{{Path: "/out/e.mp4", Video: true, Audio: true, Width: 320, Height: 240, Fps: 30}}, p.Outputs)
	require.Equal(t, 2.0, p.Duration)
}

func TestEnhanceLevels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		spec EnhanceSpec
		want string // the video chain between the input label and format
	}{
		{"nothing", EnhanceSpec{}, ""},
		{"strong denoise is nlmeans", EnhanceSpec{Denoise: LevelStrong}, "nlmeans=s=8:p=7:r=9,"},
		{"repair alone deblocks too", EnhanceSpec{Repair: LevelWeak}, "hqdn3d=2:1.5:3:2.5,deblock=filter=weak:block=8,"},
		{"light scratches", EnhanceSpec{Scratch: Amount{On: true}}, "removegrain=m0=2:m1=2:m2=2,"},
		{"strong colour", EnhanceSpec{Color: LevelStrong}, "eq=saturation=1.5:contrast=1.1,"},
		{"sharpen at 0", EnhanceSpec{Sharpen: Amount{On: true}}, "unsharp=5:5:0.30:5:5:0,"},
		{"target fps", EnhanceSpec{Video: VideoSpec{Fps: 10}}, "fps=10,"},
		{"super resolution then target size", EnhanceSpec{SuperResolution: 3, Video: VideoSpec{Scale: Scale{Width: 400}}},
			"scale=480:360:flags=lanczos,scale=400:300,"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Path = "/o.mp4"
			tc.spec.RemoveAudio = true
			p, err := PlanEnhance("/s.mp4", tc.spec, enhanceProbe())
			require.NoError(t, err)
			require.Equal(t, "[0:0]"+tc.want+"format=yuv420p[v]", argAfter(t, p.Args, "-filter_complex"))
			require.NotContains(t, p.Args, "[a]")
		})
	}
}

func TestEnhanceTrimAndAudioOnly(t *testing.T) {
	t.Parallel()
	p, err := PlanEnhance("/s.mp4", EnhanceSpec{Path: "/o.flv", Container: ContainerFLV, Start: 0.5, End: 1.5,
		RemoveVideo: true, AudioDenoise: true}, enhanceProbe())
	require.NoError(t, err)
	require.Equal(t, []string{"-ss", "0.5", "-to", "1.5", "-protocol_whitelist", localProtocols, "-i", "/s.mp4",
		"-filter_complex", "[0:1]afftdn=nr=20:nf=-40[a]", "-map", "[a]", "-c:a", "aac", "-f", "flv", "/o.flv"}, p.Args)
	require.Equal(t, 1.0, p.Duration)
}

func TestEnhanceRefusals(t *testing.T) {
	t.Parallel()
	silent := enhanceProbe()
	silent.Audio = nil
	cases := []struct {
		name string
		spec EnhanceSpec
		p    *Probe
		want error
	}{
		{"hls", EnhanceSpec{Container: ContainerHLS}, enhanceProbe(), ErrInvalidSpec},
		{"nothing left", EnhanceSpec{RemoveVideo: true}, silent, ErrNoStream},
		{"start past the end", EnhanceSpec{Start: 5}, enhanceProbe(), ErrOffsetBeyondDuration},
		{"vp9 in mp4 is fine but not in flv", EnhanceSpec{Container: ContainerFLV, Video: VideoSpec{Codec: "vp9"}}, enhanceProbe(), ErrInvalidSpec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Path = "/o"
			_, err := PlanEnhance("/s.mp4", tc.spec, tc.p)
			require.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}

func TestEnhanceReduceBitrate(t *testing.T) {
	t.Parallel()
	p, err := PlanReduceBitrate("/s.mp4", "/o.mp4", enhanceProbe())
	require.NoError(t, err)
	require.Equal(t, []string{"-protocol_whitelist", localProtocols, "-i", "/s.mp4",
		"-map", "0:0", "-c:v", "libx264", "-preset:v", "slow", "-crf:v", "23", "-maxrate:v", "900000", "-bufsize:v", "1800000",
		"-pix_fmt", "yuv420p", "-map", "0:1", "-c:a", "copy",
		"-map_metadata", "0", "-movflags", "+faststart", "-f", "mp4", "/o.mp4"}, p.Args)

	hevc := enhanceProbe()
	hevc.Video[0].Codec = "hevc"
	hevc.Audio[0].Codec = "opus"
	p, err = PlanReduceBitrate("/s.mkv", "/o.mp4", hevc)
	require.NoError(t, err)
	require.Equal(t, "libx265", argAfter(t, p.Args, "-c:v"), "H.265 stays H.265")
	require.Equal(t, "hvc1", argAfter(t, p.Args, "-tag:v"))
	require.Equal(t, "aac", argAfter(t, p.Args, "-c:a"), "mp4 cannot hold this audio: re-encoded")

	noVideo := enhanceProbe()
	noVideo.Video = nil
	_, err = PlanReduceBitrate("/s.m4a", "/o.mp4", noVideo)
	require.ErrorIs(t, err, ErrNoStream)
}

func TestEnhanceLoudnessRate(t *testing.T) {
	t.Parallel()
	unknown := enhanceProbe()
	unknown.Audio[0].SampleRate = 0
	p, err := PlanEnhance("/s.mp4", EnhanceSpec{Path: "/o.mp4", Loudness: true}, unknown)
	require.NoError(t, err)
	require.Equal(t, "48000", argAfter(t, p.Args, "-ar:a"), "never loudnorm's 192 kHz")
	p, err = PlanEnhance("/s.mp4", EnhanceSpec{Path: "/o.mp4", Loudness: true, Audio: AudioSpec{SampleRate: 32000}}, enhanceProbe())
	require.NoError(t, err)
	require.Equal(t, "32000", argAfter(t, p.Args, "-ar:a"), "the target's rate wins")
	p, err = PlanEnhance("/s.mp4", EnhanceSpec{Path: "/o.mp4", Color: LevelWeak}, enhanceProbe())
	require.NoError(t, err)
	require.NotContains(t, p.Args, "-ar:a", "without loudnorm the rate is kept as it is")
}

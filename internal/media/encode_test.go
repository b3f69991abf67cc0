package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCodecNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": CodecH264, "libx264": CodecH264, "H.264": CodecH264, "hevc": CodecH265, "libx265": CodecH265,
		"libvpx-vp9": CodecVP9, "libaom-av1": CodecAV1, "libsvtav1": CodecAV1,
	} {
		got, err := videoCodec(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, c := range []struct {
		in        string
		container Container
		want      string
	}{
		{"", ContainerMP4, CodecAAC}, {"", ContainerHLS, CodecAAC}, {"", ContainerMP3, CodecMP3},
		{"", ContainerOGG, CodecFLAC}, {"", ContainerWAV, CodecPCM}, {"", ContainerWebM, CodecOpus},
		{"libfdk_aac", ContainerMP4, CodecAAC}, {"libmp3lame", ContainerFLV, CodecMP3}, {"libvorbis", ContainerOGG, CodecVorbis},
	} {
		got, err := audioCodec(c.in, c.container)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, "%q in %s", c.in, c.container)
	}
}

func TestAudioArgs(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"-c:a", "libopus", "-b:a", "64000", "-ar:a", "48000", "-ac:a", "2"},
		audioArgs(AudioSpec{Bitrate: 64_000, SampleRate: 44100, Channels: 2}, CodecOpus, ":a"), "Opus runs at 48 kHz")
	require.Equal(t, []string{"-c:a:1", "pcm_s16le", "-ar:a:1", "16000", "-ac:a:1", "1"},
		audioArgs(AudioSpec{Bitrate: 64_000, SampleRate: 16000, Channels: 1}, CodecPCM, ":a:1"), "PCM has no bitrate")
}

func TestOutputFps(t *testing.T) {
	t.Parallel()
	cases := []struct{ spec, source, out, filter float64 }{
		{0, 25, 25, 0},
		{24, 25, 24, 24},
		{30, 25, 25, 0},                         // never raised
		{30, 30000.0 / 1001, 30000.0 / 1001, 0}, // 29.97 is "30"
		{15, 0, 15, 15},                         // unknown source rate
	}
	for _, tc := range cases {
		out, filter := outputFps(tc.spec, tc.source)
		require.Equal(t, []float64{tc.out, tc.filter}, []float64{out, filter}, "%+v", tc)
	}
}

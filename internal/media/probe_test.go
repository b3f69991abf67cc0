package media

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProbeAudioVideo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	path := e.av(t, "av.mp4")

	p, err := e.r.Probe(t.Context(), path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)

	require.Equal(t, fi.Size(), p.Size)
	require.Equal(t, "mp4", p.Container)
	require.Equal(t, "mov,mp4,m4a,3gp,3g2,mj2", p.FormatName)
	require.InDelta(t, 2.0, p.Duration, 0.1)
	require.Positive(t, p.Bitrate)
	require.Equal(t, 160, p.Width)
	require.Equal(t, 120, p.Height)
	require.Zero(t, p.Rotate)
	require.True(t, p.HasMedia())

	require.Len(t, p.Video, 1)
	v := p.Video[0]
	require.Equal(t, 0, v.Index)
	require.Equal(t, "h264", v.Codec)
	require.Equal(t, "avc1", v.CodecTag)
	require.Equal(t, 160, v.Width)
	require.Equal(t, 120, v.Height)
	require.Equal(t, 25, v.Fps)
	require.InDelta(t, 25.0, v.FpsExact, 1e-9)
	require.Equal(t, "yuv420p", v.PixFmt)
	require.Equal(t, int64(50), v.Frames)
	require.Positive(t, v.Bitrate)
	require.InDelta(t, 2.0, v.Duration, 0.1)
	require.Empty(t, v.HDR)

	require.Len(t, p.Audio, 1)
	a := p.Audio[0]
	require.Equal(t, 1, a.Index)
	require.Equal(t, "aac", a.Codec)
	require.Equal(t, 48000, a.SampleRate)
	require.Equal(t, 1, a.Channels)
	require.Positive(t, a.Bitrate)
	require.InDelta(t, 2.0, a.Duration, 0.1)

	require.InDelta(t, 2.0, p.VideoDuration, 0.1)
	require.InDelta(t, 2.0, p.AudioDuration, 0.1)
}

func TestProbeOneKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		file      string
		args      [][]string
		container string
		video     bool
		codec     string // of the only stream
	}{
		{"m4a", "a.m4a", [][]string{audioSrc, {"-c:a", "aac"}}, "m4a", false, "aac"},
		{"m4a without extension", "a", [][]string{audioSrc, {"-c:a", "aac", "-f", "ipod"}}, "m4a", false, "aac"},
		{"mp3", "a.mp3", [][]string{audioSrc, {"-c:a", "libmp3lame"}}, "mp3", false, "mp3"},
		{"video only", "v.mp4", [][]string{videoSrc, x264}, "mp4", true, "h264"},
		{"mov", "v.mov", [][]string{videoSrc, x264}, "mov", true, "h264"},
		{"mkv", "v.mkv", [][]string{videoSrc, x264}, "mkv", true, "h264"},
		{"webm without extension", "v", [][]string{videoSrc, {"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm"}}, "webm", true, "vp9"},
		{"mpegts", "v.ts", [][]string{videoSrc, x264}, "ts", true, "h264"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			path := e.make(t, tc.file, tc.args...)

			p, err := e.r.Probe(t.Context(), path)
			require.NoError(t, err)
			require.Equal(t, tc.container, p.Container)
			require.InDelta(t, 2.0, p.Duration, 0.15)
			require.Positive(t, p.Bitrate)
			if tc.video {
				require.Empty(t, p.Audio)
				require.Len(t, p.Video, 1)
				require.Equal(t, tc.codec, p.Video[0].Codec)
				require.Equal(t, 25, p.Video[0].Fps)
				require.InDelta(t, 2.0, p.VideoDuration, 0.15)
				require.Zero(t, p.AudioDuration)
			} else {
				require.Empty(t, p.Video)
				require.Len(t, p.Audio, 1)
				require.Equal(t, tc.codec, p.Audio[0].Codec)
				require.Equal(t, 48000, p.Audio[0].SampleRate)
				require.Zero(t, p.Width)
				require.InDelta(t, 2.0, p.AudioDuration, 0.15)
			}
		})
	}
}

// TestProbeRotation: ffmpeg 5.1 turns "-metadata:s:v rotate=N" into a
// display matrix that turns the picture N degrees counter-clockwise (the
// opposite of the legacy tag, and of what ffmpeg 4 wrote), so rotate=270
// makes what a phone records held upright: ffprobe rotation -90, Rotate 90.
func TestProbeRotation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tag    string
		rotate int
	}{
		{"270", 90},
		{"180", 180},
		{"90", 270},
	}
	e := setup(t)
	src := e.make(t, "src.mp4", videoSrc, x264)
	for _, tc := range cases {
		t.Run("rotate="+tc.tag, func(t *testing.T) {
			t.Parallel()
			path := e.make(t, "r"+tc.tag+".mp4", []string{"-i", src, "-c", "copy", "-metadata:s:v", "rotate=" + tc.tag})
			p, err := e.r.Probe(t.Context(), path)
			require.NoError(t, err)
			require.Equal(t, tc.rotate, p.Rotate)
			require.Equal(t, 160, p.Width, "rotation is not applied")
			require.Equal(t, 120, p.Height, "rotation is not applied")
		})
	}
}

func TestProbeInvalid(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.av(t, "src.mp4")
	data, err := os.ReadFile(src)
	require.NoError(t, err)

	cases := []struct {
		name   string
		path   string
		reason string
	}{
		{"empty", write(t, e.dir, "empty.mp4", nil), "empty file"},
		{"text", write(t, e.dir, "notes.txt", []byte("hello, this is not a video\n")),
			"not a readable media file: Invalid data found when processing input"},
		{"truncated mp4 without moov", write(t, e.dir, "cut.mp4", data[:len(data)*3/10]),
			"not a readable media file: moov atom not found; Invalid data found when processing input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := e.r.Probe(t.Context(), tc.path)
			require.Nil(t, p)
			require.ErrorIs(t, err, ErrInvalidMedia)
			require.NotErrorIs(t, err, ErrNoMedia)
			var ime *InvalidMediaError
			require.ErrorAs(t, err, &ime)
			require.Equal(t, tc.reason, ime.Reason)
			require.NotContains(t, ime.Reason, e.dir, "the reason must not leak local paths")
			require.Equal(t, "probe "+tc.path+": invalid media: "+tc.reason, err.Error())
		})
	}
}

func TestProbeNoMedia(t *testing.T) {
	t.Parallel()
	e := setup(t)
	path := filepath.Join(e.dir, "subs.srt")
	require.NoError(t, os.WriteFile(path, []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n"), 0o600))

	p, err := e.r.Probe(t.Context(), path)
	require.ErrorIs(t, err, ErrNoMedia)
	require.ErrorIs(t, err, ErrInvalidMedia)
	require.NotNil(t, p)
	require.False(t, p.HasMedia())
	require.Equal(t, "srt", p.Container)
	var ime *InvalidMediaError
	require.ErrorAs(t, err, &ime)
	require.Equal(t, "no audio or video stream (format srt)", ime.Reason)
}

func TestProbeNotMediaErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)

	_, err := e.r.Probe(t.Context(), filepath.Join(e.dir, "missing.mp4"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NotErrorIs(t, err, ErrInvalidMedia)

	_, err = e.r.Probe(t.Context(), e.dir)
	require.ErrorContains(t, err, "not a regular file")
	require.NotErrorIs(t, err, ErrInvalidMedia)

	path := write(t, e.dir, "x.mp4", []byte("x"))
	noProbe := &Runner{FFprobe: filepath.Join(e.dir, "no-ffprobe")}
	_, err = noProbe.Probe(t.Context(), path)
	require.ErrorContains(t, err, "apt-get install ffmpeg")
	require.NotErrorIs(t, err, ErrInvalidMedia)
}

// TestProbeRemotePlaylist: a playlist pointing at a URL is not fetched.
func TestProbeRemotePlaylist(t *testing.T) {
	t.Parallel()
	e := setup(t)
	path := write(t, e.dir, "evil.m3u8", []byte("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n"))
	_, err := e.r.Probe(t.Context(), path)
	require.ErrorIs(t, err, ErrInvalidMedia)
}

func TestProbeHLS(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.av(t, "src.mp4")
	playlist := e.make(t, "index.m3u8", []string{"-i", src, "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod"})
	p, err := e.r.Probe(t.Context(), playlist)
	require.NoError(t, err)
	require.Equal(t, "hls", p.Container)
	require.InDelta(t, 2.0, p.Duration, 0.15)
	require.Len(t, p.Video, 1)
	require.Len(t, p.Audio, 1)
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func TestParseProbe(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		json string
		want func(t *testing.T, p *Probe)
	}{
		{
			name: "phone portrait display matrix",
			json: `{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":1920,"height":1080,
				"side_data_list":[{"side_data_type":"Display Matrix","displaymatrix":"...","rotation":-90}]}],
				"format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","tags":{"major_brand":"qt  "}}}`,
			want: func(t *testing.T, p *Probe) {
				require.Equal(t, 90, p.Rotate)
				require.Equal(t, 1920, p.Width)
				require.Equal(t, "mov", p.Container) // by brand: the path has no extension
			},
		},
		{
			name: "legacy rotate tag",
			json: `{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","tags":{"rotate":"90"}}],"format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2"}}`,
			want: func(t *testing.T, p *Probe) { require.Equal(t, 90, p.Rotate) },
		},
		{
			name: "hdr and matroska tags",
			json: `{"streams":[
				{"index":0,"codec_type":"video","codec_name":"hevc","color_transfer":"smpte2084","avg_frame_rate":"0/0","r_frame_rate":"30000/1001",
				 "codec_tag_string":"[0][0][0][0]","tags":{"BPS-eng":"4000000","DURATION-eng":"00:01:02.500000000","NUMBER_OF_FRAMES-eng":"1873"}},
				{"index":1,"codec_type":"video","codec_name":"vp9","color_transfer":"arib-std-b67"},
				{"index":2,"codec_type":"audio","codec_name":"opus","sample_rate":"48000","channels":2,"tags":{"DURATION":"00:01:02.000000000"}}],
				"format":{"format_name":"matroska,webm","duration":"62.5","size":"1000"}}`,
			want: func(t *testing.T, p *Probe) {
				v := p.Video[0]
				require.Equal(t, "hdr10", v.HDR)
				require.Equal(t, "hlg", p.Video[1].HDR)
				require.Equal(t, 30, v.Fps)
				require.InDelta(t, 29.97, v.FpsExact, 0.001)
				require.Equal(t, int64(4000000), v.Bitrate)
				require.InDelta(t, 62.5, v.Duration, 1e-9)
				require.Equal(t, int64(1873), v.Frames)
				require.Empty(t, v.CodecTag)
				require.InDelta(t, 62.0, p.AudioDuration, 1e-9)
				require.Equal(t, int64(128), p.Bitrate) // 1000 bytes over 62.5 s
				require.Equal(t, "mkv", p.Container)    // hevc is not WebM
			},
		},
		{
			name: "cover art is not video",
			json: `{"streams":[{"index":0,"codec_type":"audio","codec_name":"mp3","sample_rate":"44100","channels":2},
				{"index":1,"codec_type":"video","codec_name":"mjpeg","width":500,"height":500,"disposition":{"attached_pic":1}}],
				"format":{"format_name":"mp3","duration":"3.0"}}`,
			want: func(t *testing.T, p *Probe) {
				require.Empty(t, p.Video)
				require.Zero(t, p.Width)
				require.True(t, p.HasMedia())
				require.InDelta(t, 3.0, p.AudioDuration, 1e-9)
			},
		},
		{
			name: "unknown codec is not media",
			json: `{"streams":[{"index":0,"codec_type":"video"}],"format":{"format_name":"avi"}}`,
			want: func(t *testing.T, p *Probe) {
				require.Len(t, p.Video, 1)
				require.False(t, p.HasMedia())
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := parseProbe([]byte(tc.json), "/nonexistent/source")
			require.NoError(t, err)
			tc.want(t, p)
		})
	}

	_, err := parseProbe([]byte("{"), "x")
	require.Error(t, err)
}

func TestNormalizeRotation(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]int{0: 0, 90: 90, -90: 270, 180: 180, -180: 180, 270: 270, 360: 0, 89.6: 90, -270: 90, 450: 90} {
		require.Equal(t, want, normalizeRotation(in), "%v", in)
	}
}

func TestContainerName(t *testing.T) {
	t.Parallel()
	mov := "mov,mp4,m4a,3gp,3g2,mj2"
	vp9 := []VideoStream{{Codec: "vp9"}}
	cases := []struct {
		format, ext, brand string
		video              []VideoStream
		audio              []AudioStream
		want               string
	}{
		{mov, ".mp4", "isom", nil, nil, "mp4"},
		{mov, ".MOV", "qt  ", nil, nil, "mov"},
		{mov, ".m4a", "M4A ", nil, nil, "m4a"},
		{mov, "", "M4A ", nil, nil, "m4a"},
		{mov, "", "3gp4", nil, nil, "3gp"},
		{mov, "", "isom", nil, nil, "mp4"},
		{mov, ".bin", "", nil, nil, "mp4"},
		{"matroska,webm", ".mkv", "", vp9, nil, "mkv"},
		{"matroska,webm", "", "", vp9, []AudioStream{{Codec: "opus"}}, "webm"},
		{"matroska,webm", "", "", vp9, []AudioStream{{Codec: "aac"}}, "mkv"},
		{"hls", ".m3u8", "", nil, nil, "hls"},
		{"mpegts", ".ts", "", nil, nil, "ts"},
		{"flv", ".flv", "", nil, nil, "flv"},
		{"mp3", ".mp3", "", nil, nil, "mp3"},
		{"jpeg_pipe", ".jpg", "", nil, nil, "jpg"},
		{"png_pipe", "", "", nil, nil, "png"},
		{"image2", ".jpeg", "", nil, nil, "jpeg"},
		{"asf", ".wma", "", nil, nil, "wma"},
		{"asf", "", "", nil, nil, "wmv"},
		{"avi", ".avi", "", nil, nil, "avi"},
	}
	for _, tc := range cases {
		p := &Probe{FormatName: tc.format, Video: tc.video, Audio: tc.audio}
		require.Equal(t, tc.want, containerName(p, tc.ext, tc.brand), "%+v", tc)
	}
}

func TestInvalidMediaErrorMatching(t *testing.T) {
	t.Parallel()
	xe := &ExitError{Program: "ffprobe", ExitCode: 1, Stderr: "x"}
	err := error(&InvalidMediaError{Reason: "r", Err: xe})
	require.ErrorIs(t, err, ErrInvalidMedia)
	require.NotErrorIs(t, err, ErrNoMedia)
	var got *ExitError
	require.ErrorAs(t, err, &got)
	require.Same(t, xe, got)
	require.True(t, errors.Is(ErrNoMedia, ErrInvalidMedia))
}

package media

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // for imageSize
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Sources for the plan tests: 2 s of 320x240 video at 25 fps and a stereo
// 48 kHz tone, small enough that a whole ladder runs in about a second.
var (
	planVideoSrc = []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"}
	planAudioSrc = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2", "-ac", "2"}
)

// source returns a generated source of the given kind and its probe:
// "av" (H.264 + AAC mp4), "video" (no audio), "audio" (AAC m4a) or
// "rotated" (av, shown turned a quarter clockwise: Rotate 90, displayed
// 240x320). Each kind is made once per test binary, on first use, and
// shared: tests must not change it.
func (e *env) source(t *testing.T, kind string) (string, *Probe) {
	t.Helper()
	make, ok := sharedSources[kind]
	require.True(t, ok, "unknown source kind %q", kind)
	s, err := make()
	require.NoError(t, err, "generate %s source", kind)
	return s.path, s.probe
}

// generated is a shared source.
type generated struct {
	path  string
	probe *Probe
}

var (
	// sourceDir holds the shared sources; TestMain removes it.
	sourceDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "openvod-media-test-") })

	avSource = sync.OnceValues(func() (generated, error) {
		return generate("av.mp4", planVideoSrc, planAudioSrc, x264, []string{"-c:a", "aac", "-shortest"})
	})

	sharedSources = map[string]func() (generated, error){
		"av":    avSource,
		"video": sync.OnceValues(func() (generated, error) { return generate("video.mp4", planVideoSrc, x264) }),
		"audio": sync.OnceValues(func() (generated, error) {
			return generate("audio.m4a", planAudioSrc, []string{"-c:a", "aac"})
		}),
		"rotated": sync.OnceValues(func() (generated, error) {
			av, err := avSource()
			if err != nil {
				return generated{}, err
			}
			return generate("rotated.mp4", []string{"-i", av.path, "-c", "copy", "-metadata:s:v", "rotate=270"})
		}),
	}
)

// generate writes a shared source with ffmpeg from the argument groups
// given, and probes it.
func generate(name string, groups ...[]string) (generated, error) {
	dir, err := sourceDir()
	if err != nil {
		return generated{}, err
	}
	var r Runner
	out := filepath.Join(dir, name)
	if err := r.Run(context.Background(), slices.Concat(slices.Concat(groups...), []string{out}), nil); err != nil {
		return generated{}, err
	}
	p, err := r.Probe(context.Background(), out)
	return generated{out, p}, err
}

// removeSources deletes the shared sources, if any were made.
func removeSources() {
	if dir, err := sourceDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
}

// probe probes an output and fails the test on error.
func (e *env) probe(t *testing.T, path string) *Probe {
	t.Helper()
	p, err := e.r.Probe(t.Context(), path)
	require.NoError(t, err, "probe %s", filepath.Base(path))
	return p
}

// imageSize decodes the header of a JPEG, PNG or GIF file and returns its
// format and size, without the cost of a process.
func imageSize(t *testing.T, path string) (string, int, int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	c, format, err := image.DecodeConfig(f)
	require.NoError(t, err, "decode %s", filepath.Base(path))
	return format, c.Width, c.Height
}

// run runs a plan and fails the test on error.
func (e *env) run(t *testing.T, p *Plan) {
	t.Helper()
	require.NoError(t, e.r.RunPlan(t.Context(), p, nil), "args %q", p.Args)
}

// path returns a file name inside the test directory.
func (e *env) path(name string) string { return filepath.Join(e.dir, name) }

// playlistEntries returns the URIs a media playlist lists (its non-tag
// lines) and its tag lines.
func playlistEntries(t *testing.T, path string) (uris, tags []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			tags = append(tags, line)
		default:
			uris = append(uris, line)
		}
	}
	return uris, tags
}

// requireVideo checks the first video stream of a probe.
func requireVideo(t *testing.T, p *Probe, codec string, w, h, fps int) {
	t.Helper()
	require.Len(t, p.Video, 1)
	v := p.Video[0]
	require.Equal(t, codec, v.Codec)
	require.Equal(t, w, v.Width, "width")
	require.Equal(t, h, v.Height, "height")
	if fps > 0 {
		require.Equal(t, fps, v.Fps, "fps")
	}
	require.Zero(t, p.Rotate)
}

// webpFrames counts the frames (ANMF chunks) of an animated WebP file by
// walking its RIFF chunks.
func webpFrames(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP", "not a WebP file")
	n := 0
	for i := 12; i+8 <= len(b); {
		id := string(b[i : i+4])
		size := int(b[i+4]) | int(b[i+5])<<8 | int(b[i+6])<<16 | int(b[i+7])<<24
		if id == "ANMF" {
			n++
		}
		i += 8 + size + size%2
	}
	return n
}

// mpdCount counts the occurrences of a regular expression in a file.
func mpdCount(t *testing.T, path, expr string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return len(regexp.MustCompile(expr).FindAll(b, -1))
}

// countFiles counts the files in dir whose names match a glob pattern.
func countFiles(t *testing.T, dir, glob string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, glob))
	require.NoError(t, err)
	return len(m)
}

func TestRunPlanEmptyOutput(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, _ := e.source(t, "video")
	out := e.path("never.jpg")
	// ffmpeg seeks past the end, writes nothing and exits 0.
	p := &Plan{Args: []string{"-ss", "5", "-i", src, "-frames:v", "1", out}, Outputs: []Output{{Path: out}}}
	err := e.r.RunPlan(t.Context(), p, nil)
	require.ErrorIs(t, err, ErrEmptyOutput)
	require.ErrorContains(t, err, "never.jpg")
}

func TestSequenceFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 3 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "s_"+strconv.Itoa(i)+".jpg"), []byte("x"), 0o600))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s_4.jpg"), []byte("x"), 0o600)) // after a gap
	got, err := SequenceFiles(filepath.Join(dir, "s_%d.jpg"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "s_0.jpg"), filepath.Join(dir, "s_1.jpg"), filepath.Join(dir, "s_2.jpg")}, got)

	_, err = SequenceFiles(filepath.Join(dir, "s.jpg"))
	require.ErrorIs(t, err, ErrInvalidSpec)
}

// notTS reports whether a file does not start like an MPEG-TS packet.
func notTS(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, b)
	return b[0] != 0x47 || !bytes.Equal(b[188:189], []byte{0x47})
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

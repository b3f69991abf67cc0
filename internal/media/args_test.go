package media

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSnapshotArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		at   float64
		out  string
		want []string
	}{
		{"fraction", "/w/in.mp4", 1.5, "/w/s.jpg", []string{"-ss", "1.5", "-i", "/w/in.mp4", "-frames:v", "1", "/w/s.jpg"}},
		{"whole second", "/w/in.mp4", 2, "/w/s.png", []string{"-ss", "2", "-i", "/w/in.mp4", "-frames:v", "1", "/w/s.png"}},
		{"millisecond rounding", "/w/in.mp4", 12.34567, "/w/s.jpg", []string{"-ss", "12.346", "-i", "/w/in.mp4", "-frames:v", "1", "/w/s.jpg"}},
		{"start", "/w/in.mp4", 0, "/w/s.jpg", []string{"-ss", "0", "-i", "/w/in.mp4", "-frames:v", "1", "/w/s.jpg"}},
		{"negative clamps", "/w/in.mp4", -3, "/w/s.jpg", []string{"-ss", "0", "-i", "/w/in.mp4", "-frames:v", "1", "/w/s.jpg"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, SnapshotArgs(tc.in, tc.at, tc.out))
		})
	}
}

func TestVerifyArgs(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"-xerror", "-protocol_whitelist", "file,crypto,data",
		"-i", "/w/in.mp4", "-map", "0:v?", "-map", "0:a?", "-f", "null", "-"}, VerifyArgs("/w/in.mp4"))
}

func TestWithThreads(t *testing.T) {
	t.Parallel()
	global := []string{"-filter_threads", "2", "-filter_complex_threads", "2"}
	cases := []struct {
		name string
		args []string
		want []string // after the global options
	}{
		{
			name: "one input one output",
			args: []string{"-i", "in.mp4", "-c:v", "libx264", "out.mp4"},
			want: []string{"-threads", "2", "-i", "in.mp4", "-c:v", "libx264", "-threads", "2", "out.mp4"},
		},
		{
			name: "input options, flags, negative value, pipe output",
			args: []string{"-re", "-itsoffset", "-0.5", "-f", "lavfi", "-i", "testsrc", "-an", "-shortest", "-f", "null", "-"},
			want: []string{"-re", "-itsoffset", "-0.5", "-f", "lavfi", "-threads", "2", "-i", "testsrc",
				"-an", "-shortest", "-f", "null", "-threads", "2", "-"},
		},
		{
			name: "ladder: two inputs, two outputs, complex filter",
			args: []string{"-i", "v.mp4", "-i", "a.m4a", "-filter_complex", "[0:v]split=2[a][b]",
				"-map", "[a]", "-s", "1280x720", "hi.mp4", "-map", "[b]", "-vn", "lo.mp4"},
			want: []string{"-threads", "2", "-i", "v.mp4", "-threads", "2", "-i", "a.m4a", "-filter_complex", "[0:v]split=2[a][b]",
				"-map", "[a]", "-s", "1280x720", "-threads", "2", "hi.mp4", "-map", "[b]", "-vn", "-threads", "2", "lo.mp4"},
		},
		{
			name: "caller's -threads wins for its file only",
			args: []string{"-threads", "1", "-i", "in.mp4", "-threads:v", "4", "a.mp4", "b.mp4"},
			want: []string{"-threads", "1", "-i", "in.mp4", "-threads:v", "4", "a.mp4", "-threads", "2", "b.mp4"},
		},
		{
			name: "no-prefixed flags take no value",
			args: []string{"-noautorotate", "-i", "in.mp4", "-nostdin", "out.mp4"},
			want: []string{"-noautorotate", "-threads", "2", "-i", "in.mp4", "-nostdin", "-threads", "2", "out.mp4"},
		},
		{
			name: "unknown flag before an output only hides that output",
			args: []string{"-i", "in.mp4", "-someflag", "out.mp4"},
			want: []string{"-threads", "2", "-i", "in.mp4", "-someflag", "out.mp4"},
		},
		{
			name: "unknown flag before an option does not shift values",
			args: []string{"-i", "in.mp4", "-someflag", "-c:v", "libx264", "out.mp4"},
			want: []string{"-threads", "2", "-i", "in.mp4", "-someflag", "-c:v", "libx264", "-threads", "2", "out.mp4"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, append(append([]string{}, global...), tc.want...), withThreads(tc.args, 2))
		})
	}

	args := []string{"-i", "in.mp4", "out.mp4"}
	require.Equal(t, args, withThreads(args, 0), "no limit leaves args alone")
}

func TestSnapshotRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src := e.av(t, "src.mp4")
	out := filepath.Join(e.dir, "shot.jpg")
	require.NoError(t, e.r.Run(t.Context(), SnapshotArgs(src, 1.2, out), nil))
	p, err := e.r.Probe(t.Context(), out)
	require.NoError(t, err)
	require.Equal(t, "jpg", p.Container)
	require.Equal(t, 160, p.Width)
	require.Equal(t, 120, p.Height)
}

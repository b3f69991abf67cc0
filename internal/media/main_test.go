package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// helperMarker in the arguments turns the test binary into a stand-in for
// ffmpeg (see runHelper), so tests can run children that misbehave in ways
// real ffmpeg does not.
const helperMarker = "openvod-media-test-helper"

func TestMain(m *testing.M) {
	if i := slices.Index(os.Args, helperMarker); i >= 0 {
		os.Exit(runHelper(os.Args[i+1:]))
	}
	code := m.Run()
	removeSources()
	os.Exit(code)
}

// runHelper is the stand-in's main.
//
//	stubborn PIDFILE: ignore SIGINT, start a grandchild (in the same process
//	group, holding the same stdout) that ignores it too, write
//	"<pid> <grandchild pid>" to PIDFILE, report one progress block, sleep.
//	sleep: ignore SIGINT and sleep.
func runHelper(args []string) int {
	signal.Ignore(os.Interrupt)
	if len(args) == 2 && args[0] == "stubborn" {
		self, err := os.Executable()
		if err != nil {
			return 2
		}
		child, err := os.StartProcess(self, []string{self, helperMarker, "sleep"},
			&os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}})
		if err != nil {
			return 2
		}
		tmp := args[1] + ".tmp"
		if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d", os.Getpid(), child.Pid), 0o600); err != nil {
			return 2
		}
		if err := os.Rename(tmp, args[1]); err != nil {
			return 2
		}
		fmt.Println("frame=1\nprogress=continue")
	}
	time.Sleep(time.Hour)
	return 0
}

// env is the per-test bundle: a Runner logging to the test, and a
// directory for media.
type env struct {
	r   *Runner
	dir string
}

func setup(t *testing.T) *env {
	t.Helper()
	return &env{
		r:   &Runner{Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))},
		dir: t.TempDir(),
	}
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Sources for generated media: tiny, fast, and deterministic.
var (
	videoSrc = []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2"}
	audioSrc = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"}
	x264     = []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
)

// make writes the file name in the test directory with ffmpeg, from the
// argument groups given, and returns its path.
func (e *env) make(t *testing.T, name string, groups ...[]string) string {
	t.Helper()
	out := filepath.Join(e.dir, name)
	args := slices.Concat(slices.Concat(groups...), []string{out})
	require.NoError(t, e.r.Run(t.Context(), args, nil), "generate %s", name)
	return out
}

// av writes a 2 s 160x120 25 fps H.264 + 48 kHz AAC mp4 (moov at the end).
func (e *env) av(t *testing.T, name string, extra ...string) string {
	t.Helper()
	return e.make(t, name, videoSrc, audioSrc, x264, []string{"-c:a", "aac", "-shortest"}, extra)
}

// procStat returns the fields of /proc/<pid>/stat after the command name:
// [0] is the state (field 3 in proc(5)), [2] the process group, [16] the
// niceness.
func procStat(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	require.Positive(t, i, "stat %q", s)
	return strings.Fields(s[i+1:])
}

// requireGone waits until pid no longer exists, or fails. SIGKILL takes
// effect asynchronously, and a zombie whose new parent has not reaped it
// yet (the reparented grandchild) counts as gone.
func requireGone(t *testing.T, pid int) {
	t.Helper()
	eventually(t, 5*time.Second, func() bool {
		if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			return true
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return errors.Is(err, os.ErrNotExist)
		}
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		return i > 0 && strings.HasPrefix(st[i+1:], " Z")
	}, fmt.Sprintf("process %d still exists", pid))
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", d, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// progressSignal returns an onProgress callback and a channel closed at
// the first progress block.
func progressSignal() (func(Progress), <-chan struct{}) {
	ch := make(chan struct{})
	closed := false
	return func(Progress) {
		if !closed {
			closed = true
			close(ch)
		}
	}, ch
}

// runAsync runs ffmpeg in the background and returns the channel its
// result arrives on.
func runAsync(ctx context.Context, r *Runner, args []string, onProgress func(Progress)) <-chan error {
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, args, onProgress) }()
	return done
}

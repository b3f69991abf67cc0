package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	e := setup(t)

	v, err := e.r.Check(t.Context())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(v, "ffmpeg version "), v)
	require.NotContains(t, v, "Copyright")

	missing := &Runner{FFmpeg: filepath.Join(e.dir, "no-ffmpeg")}
	_, err = missing.Check(t.Context())
	require.ErrorContains(t, err, "apt-get install ffmpeg")

	notFFprobe := &Runner{FFprobe: "true"} // runs, prints nothing
	_, err = notFFprobe.Check(t.Context())
	require.ErrorContains(t, err, "is not ffprobe")
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	e := setup(t)
	out := filepath.Join(e.dir, "out.mp4")

	var got []Progress
	err := e.r.Run(t.Context(), []string{
		"-stats_period", "0.1",
		"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", out,
	}, func(p Progress) { got = append(got, p) })
	require.NoError(t, err)

	require.GreaterOrEqual(t, len(got), 2, "progress blocks: %+v", got)
	last := got[len(got)-1]
	require.True(t, last.Done, "last block: %+v", last)
	require.Equal(t, int64(75), last.Frame)
	require.InDelta(t, 3.0, last.OutTime, 0.1)
	require.Positive(t, last.Size)
	for i, p := range got[:len(got)-1] {
		require.False(t, p.Done, "block %d", i)
		require.LessOrEqual(t, p.OutTime, got[i+1].OutTime, "block %d", i)
	}
}

func TestRunExitError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		reason string // first meaningful line, in Error()
		stderr string // somewhere in the tail
	}{
		{
			name:   "unknown encoder",
			args:   []string{"-c:v", "nosuchcodec"},
			reason: "Unknown encoder 'nosuchcodec'",
		},
		{
			name:   "bad preset",
			args:   []string{"-c:v", "libx264", "-preset", "nosuchpreset"},
			reason: "x264 [error]: invalid preset 'nosuchpreset'",
			stderr: "[libx264 @ 0x",
		},
		{
			name:   "bad filter",
			args:   []string{"-vf", "scale=abc"},
			reason: "[Parsed_scale_0] Invalid size 'abc'",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			args := append([]string{"-f", "lavfi", "-i", "testsrc2=size=160x120:duration=1"}, tc.args...)
			err := e.r.Run(t.Context(), append(args, filepath.Join(e.dir, "out.mp4")), nil)

			var xe *ExitError
			require.ErrorAs(t, err, &xe)
			require.Equal(t, "ffmpeg", xe.Program)
			require.Equal(t, 1, xe.ExitCode)
			require.Zero(t, xe.Signal)
			require.Equal(t, "ffmpeg exited with status 1: "+tc.reason, xe.Error())
			require.Contains(t, xe.Stderr, tc.stderr)
			require.NotErrorIs(t, err, ErrInvalidMedia)
		})
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.r.KillGrace = 10 * time.Second // SIGINT alone must stop ffmpeg
	var pid atomic.Int64
	e.r.OnStartFunc = func(program string, p int) { pid.Store(int64(p)) }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	onProgress, running := progressSignal()
	done := runAsync(ctx, e.r, []string{"-re", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25",
		"-f", "null", "-"}, onProgress)
	select {
	case <-running:
	case err := <-done:
		t.Fatalf("ffmpeg ended early: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no progress from ffmpeg")
	}

	begin := time.Now()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		var xe *ExitError
		require.False(t, errors.As(err, &xe), "cancellation is not an ExitError: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of cancellation")
	}
	require.Less(t, time.Since(begin), 5*time.Second)
	requireGone(t, int(pid.Load()))
}

// TestRunCancelKillsGroup uses a child that ignores SIGINT and has a
// grandchild doing the same: after KillGrace both must be killed and the
// call must return.
func TestRunCancelKillsGroup(t *testing.T) {
	t.Parallel()
	e := setup(t)
	self, err := os.Executable()
	require.NoError(t, err)
	e.r.FFmpeg = self
	e.r.KillGrace = 300 * time.Millisecond
	pidFile := filepath.Join(e.dir, "pids")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	onProgress, running := progressSignal()
	done := runAsync(ctx, e.r, []string{helperMarker, "stubborn", pidFile}, onProgress)
	select {
	case <-running:
	case err := <-done:
		t.Fatalf("helper ended early: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no progress from helper")
	}
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pids := strings.Fields(string(b))
	require.Len(t, pids, 2)

	begin := time.Now()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of cancellation")
	}
	require.GreaterOrEqual(t, time.Since(begin), e.r.KillGrace, "SIGKILL came before the grace ran out")
	for _, p := range pids {
		n, err := strconv.Atoi(p)
		require.NoError(t, err)
		requireGone(t, n)
	}
}

func TestRunContextDoneBeforeStart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	started := false
	e.r.OnStartFunc = func(string, int) { started = true }
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := e.r.Run(ctx, []string{"-f", "lavfi", "-i", "testsrc", "-f", "null", "-"}, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, started)
}

func TestRunNice(t *testing.T) {
	t.Parallel()
	e := setup(t)
	self := procStat(t, "/proc/self/stat")
	ownNice, err := strconv.Atoi(self[16])
	require.NoError(t, err)
	e.r.Nice = 7
	want := strconv.Itoa(max(ownNice, 7))
	pids := make(chan int, 1)
	e.r.OnStartFunc = func(program string, p int) { pids <- p }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	done := runAsync(ctx, e.r, slices.Concat(
		[]string{"-re"}, videoSrc[:3], []string{"testsrc2=size=320x240:rate=25"}, x264, []string{"-f", "null", "-"},
	), nil)
	p := <-pids
	dir := "/proc/" + strconv.Itoa(p)

	// Inherited at fork: niced before ffmpeg runs an instruction.
	st := procStat(t, dir+"/stat")
	require.Equal(t, want, st[16], "niceness of ffmpeg")
	require.Equal(t, strconv.Itoa(p), st[2], "ffmpeg leads its own process group")

	// And so are the threads it starts (niceness is per thread on Linux).
	var tasks []string
	eventually(t, time.Minute, func() bool {
		tasks, err = filepath.Glob(dir + "/task/*/stat")
		return err == nil && len(tasks) > 1
	}, "libx264 should start threads")
	for _, task := range tasks {
		require.Equal(t, want, procStat(t, task)[16], "niceness of %s", task)
	}
	require.Equal(t, self[16], procStat(t, "/proc/self/stat")[16], "the test process keeps its niceness")

	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestRunThreads(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.r.Threads = 1
	var pid atomic.Int64
	e.r.OnStartFunc = func(program string, p int) { pid.Store(int64(p)) }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	onProgress, running := progressSignal()
	done := runAsync(ctx, e.r, slices.Concat(
		[]string{"-re"}, videoSrc[:3], []string{"testsrc2=size=320x240:rate=25"}, x264, []string{"-f", "null", "-"},
	), onProgress)
	select {
	case <-running:
	case err := <-done:
		t.Fatalf("ffmpeg ended early: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no progress from ffmpeg")
	}
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(int(pid.Load())) + "/task/*")
	require.NoError(t, err)
	// Unlimited, libx264 alone starts 1.5 threads per core plus a lookahead
	// thread; with -threads 1 on the output, ffmpeg has its main thread and
	// libx264 at most a lookahead and a filter thread.
	require.LessOrEqual(t, len(tasks), 4, "threads with Threads=1")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// A run with several inputs and outputs still works with limits inserted.
	a, b := filepath.Join(e.dir, "a.mp4"), filepath.Join(e.dir, "b.mp4")
	require.NoError(t, e.r.Run(t.Context(), slices.Concat(videoSrc, audioSrc,
		[]string{"-map", "0:v", "-map", "1:a"}, x264, []string{"-c:a", "aac", "-shortest", a},
		[]string{"-map", "0:v", "-vf", "scale=80:60"}, x264, []string{"-an", b}), nil))
	pa, err := e.r.Probe(t.Context(), a)
	require.NoError(t, err)
	require.Len(t, pa.Audio, 1)
	pb, err := e.r.Probe(t.Context(), b)
	require.NoError(t, err)
	require.Equal(t, 80, pb.Width)
	require.Empty(t, pb.Audio)
}

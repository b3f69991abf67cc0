package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// defaultKillGrace is how long a cancelled run may take to stop after
	// SIGINT (ffmpeg finishes its outputs) before the group gets SIGKILL.
	defaultKillGrace = 3 * time.Second

	// pipeDrainTimeout bounds the wait for the child's pipes to reach EOF
	// after its whole process group is dead; only a descendant that left
	// the group can hold them open longer.
	pipeDrainTimeout = time.Second

	// maxProbeOutput bounds the JSON read from ffprobe.
	maxProbeOutput = 32 << 20

	installHint = "install ffmpeg: apt-get install ffmpeg"
)

// Runner runs ffmpeg and ffprobe. Every run is an argument list executed
// directly (never through a shell), in its own process group, and is
// reaped before the call returns; cancelling the context sends SIGINT to
// the group, then SIGKILL after KillGrace. The zero Runner is ready to use;
// a Runner is safe for concurrent use and must not be changed while in use.
type Runner struct {
	// FFmpeg and FFprobe are the programs' paths, or names looked up on PATH.
	// Empty means "ffmpeg" and "ffprobe".
	FFmpeg, FFprobe string

	// Nice, if above zero, is the niceness children run at, so that the API
	// stays responsive while encodes saturate the CPU. The child inherits it
	// from the thread that starts it, so every thread ffmpeg creates has it
	// from the first instruction. A process already nicer keeps its niceness.
	Nice int

	// Threads, if above zero, bounds the threads of each decoder, encoder
	// and filter graph of Run: -threads N goes into the options of every
	// input and every output (ffmpeg's -threads is per file; once before the
	// first input it would bound only that decoder, and libx264 would still
	// use all cores), with -filter_threads and -filter_complex_threads N.
	Threads int

	// KillGrace is how long a cancelled run has to exit after SIGINT
	// before its process group is killed. Zero means 3 s.
	KillGrace time.Duration

	// Logger receives debug records of each run and warnings; nil discards.
	Logger *slog.Logger

	// OnStartFunc, if set, is called with the program name ("ffmpeg" or
	// "ffprobe") and the child's pid, which is also its process group id,
	// right after the child starts. It must return quickly.
	OnStartFunc func(program string, pid int)
}

// Check verifies that both ffmpeg and ffprobe run, and returns ffmpeg's
// version line (e.g. "ffmpeg version 5.1.9-0+deb12u1"). Call it at startup
// to fail fast: when a program is missing, the error says how to install it.
func (r *Runner) Check(ctx context.Context) (string, error) {
	ffmpegVersion, err := r.version(ctx, "ffmpeg", r.ffmpegPath())
	if err != nil {
		return "", err
	}
	ffprobeVersion, err := r.version(ctx, "ffprobe", r.ffprobePath())
	if err != nil {
		return "", err
	}
	v1 := strings.TrimPrefix(ffmpegVersion, "ffmpeg version ")
	v2 := strings.TrimPrefix(ffprobeVersion, "ffprobe version ")
	if v1 != v2 {
		r.logger().Warn("media: ffmpeg and ffprobe versions differ", "ffmpeg", v1, "ffprobe", v2)
	}
	return ffmpegVersion, nil
}

// version runs "<program> -version" and returns its first line without
// the copyright notice.
func (r *Runner) version(ctx context.Context, program, path string) (string, error) {
	var out bytes.Buffer
	err := r.exec(ctx, program, path, []string{"-version"}, func(rd io.Reader) {
		_, _ = io.Copy(&out, io.LimitReader(rd, 64<<10))
	})
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%s at %q does not work (%w); %s", program, path, err, installHint)
		}
		return "", err
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	line, _, _ = strings.Cut(line, " Copyright")
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, program+" version") {
		return "", fmt.Errorf("%s at %q is not %s: -version printed %q; %s", program, path, program, line, installHint)
	}
	return line, nil
}

// Run runs ffmpeg with args and waits for it. Before args it puts
// -hide_banner -nostdin -y -loglevel error -progress pipe:1 -nostats (the
// caller may override the log level), and the thread limits when Threads is
// set. The outputs in args must not write to stdout, which carries progress.
//
// onProgress, if not nil, is called with each progress block as it
// arrives, from a goroutine of Run, never after Run returns; it must be
// quick, since ffmpeg waits while it runs. A run that finishes normally
// ends with a block whose Done is true.
//
// A non-zero exit returns an *ExitError. When ctx is done, ffmpeg's process
// group gets SIGINT, then SIGKILL after KillGrace, and Run returns an error
// wrapping ctx.Err() once the process is reaped.
func (r *Runner) Run(ctx context.Context, args []string, onProgress func(Progress)) error {
	if len(args) == 0 {
		return errors.New("ffmpeg: no arguments")
	}
	full := make([]string, 0, len(args)+20)
	full = append(full, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
		"-progress", "pipe:1", "-nostats")
	full = append(full, withThreads(args, r.Threads)...)
	return r.exec(ctx, "ffmpeg", r.ffmpegPath(), full, func(rd io.Reader) {
		_ = readProgress(rd, onProgress)
	})
}

// exec runs one program to completion. stdout, if not nil, reads the
// child's standard output until EOF; whatever it leaves is discarded.
// Standard error goes to a bounded tail kept for the *ExitError.
func (r *Runner) exec(ctx context.Context, program, path string, args []string, stdout func(io.Reader)) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", program, err)
	}
	// Pipes made here rather than by os/exec: with *os.File ends, Wait does
	// not copy anything, so nothing waits on a pipe a stray process holds.
	outR, outW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("%s: %w", program, err)
	}
	defer outR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return fmt.Errorf("%s: %w", program, err)
	}
	defer errR.Close()

	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true, // its own group, so cancellation reaches all of it
		// If the server dies, so does ffmpeg. The signal follows the
		// starting thread, which startAndWait keeps until the child is reaped.
		Pdeathsig: syscall.SIGKILL,
	}
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = r.killGrace() // then os/exec kills the leader; startAndWait the rest

	started := make(chan error, 1)
	waited := make(chan error, 1)
	begin := time.Now()
	go r.startAndWait(cmd, started, waited)
	err = <-started
	outW.Close()
	errW.Close()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("%s: cannot run %q: %w; %s", program, path, err, installHint)
		}
		return fmt.Errorf("%s: start: %w", program, err)
	}
	pid := cmd.Process.Pid
	log := r.logger().With("program", program, "pid", pid)
	log.Debug("media: started", "args", args)
	if r.OnStartFunc != nil {
		r.OnStartFunc(program, pid)
	}

	tail := newTailBuffer(stderrTailBytes)
	var readers sync.WaitGroup
	readers.Go(func() {
		if stdout != nil {
			stdout(outR)
		}
		_, _ = io.Copy(io.Discard, outR)
	})
	readers.Go(func() { _, _ = io.Copy(tail, errR) })

	waitErr := <-waited
	// The group is dead by now, so both pipes reach EOF at once unless a
	// descendant that left the group holds them; closing unblocks readers.
	drained := make(chan struct{})
	go func() { readers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(pipeDrainTimeout):
		outR.Close()
		errR.Close()
		<-drained
	}
	log.Debug("media: exited", "elapsed", time.Since(begin), "err", waitErr)

	if waitErr == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", program, ctxErr)
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		return fmt.Errorf("%s: %w", program, waitErr)
	}
	xe := &ExitError{Program: program, Args: args, ExitCode: ee.ExitCode(), Stderr: tail.String(stderrTailLines)}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		xe.Signal = ws.Signal()
		xe.ExitCode = -1
	}
	return xe
}

// startAndWait starts cmd and waits for it on one locked OS thread. The
// child inherits that thread's niceness, so lowering it here (and only
// here) runs every ffmpeg thread at Runner.Nice with no window at full
// priority; and Pdeathsig, which fires when the starting thread ends, stays
// armed for the child's whole life. After the child is reaped, whatever is
// left in its process group is killed.
func (r *Runner) startAndWait(cmd *exec.Cmd, started, waited chan<- error) {
	runtime.LockOSThread()
	if r.Nice > 0 && syscall.Gettid() == syscall.Getpid() {
		// The main thread: the runtime cannot end it, so reniced it would
		// stay nice for the process's life (and /proc/<pid>/stat, which
		// shows it, would say the whole server is). While this goroutine
		// holds it, another goroutine runs on another thread.
		done := make(chan struct{})
		go func() { defer close(done); r.startAndWait(cmd, started, waited) }()
		<-done
		runtime.UnlockOSThread()
		return
	}
	// An unprivileged thread cannot raise its priority back, so a reniced
	// thread stays locked: the runtime ends it when this goroutine returns.
	if !r.reniceThread() {
		defer runtime.UnlockOSThread()
	}
	if err := cmd.Start(); err != nil {
		started <- err
		return
	}
	started <- nil
	err := cmd.Wait()
	_ = signalGroup(cmd.Process.Pid, syscall.SIGKILL)
	waited <- err
}

// reniceThread lowers the calling thread's priority to Runner.Nice and
// reports whether it changed anything.
func (r *Runner) reniceThread() bool {
	if r.Nice <= 0 {
		return false
	}
	tid := syscall.Gettid()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err == nil && 20-prio >= r.Nice { // the raw syscall returns 20-nice
		return false
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, r.Nice); err != nil {
		r.logger().Warn("media: cannot lower ffmpeg priority", "nice", r.Nice, "err", err)
		return false
	}
	return true
}

// signalGroup sends sig to the process group pgid. A group already gone
// counts as done.
func signalGroup(pgid int, sig syscall.Signal) error {
	err := syscall.Kill(-pgid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

func (r *Runner) ffmpegPath() string {
	if r.FFmpeg != "" {
		return r.FFmpeg
	}
	return "ffmpeg"
}

func (r *Runner) ffprobePath() string {
	if r.FFprobe != "" {
		return r.FFprobe
	}
	return "ffprobe"
}

func (r *Runner) killGrace() time.Duration {
	if r.KillGrace > 0 {
		return r.KillGrace
	}
	return defaultKillGrace
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/openvod/openvod/bench/internal/benchkit"
)

// The shared pieces, under the names this program uses.
type (
	creds      = benchkit.Creds
	server     = benchkit.Server
	tailBuffer = benchkit.TailBuffer
)

var (
	newCreds = benchkit.NewCreds
	spawn    = benchkit.Spawn
)

// serverParams are the options of startServer.
type serverParams struct {
	Bin     string
	DataDir string
	Role    string // all or api
	Creds   creds
}

// startServer runs openvod serve on a free loopback port without rate
// limits and waits until it serves.
func startServer(ctx context.Context, p serverParams) (*server, error) {
	return benchkit.StartServer(ctx, p.Bin, p.Creds, "--data", p.DataDir, "--no-rate-limit", "--allow-private-pull", "--role", p.Role)
}

// encoder is an ffmpeg process encoding an endless synthetic 720p source
// with libx264 -preset medium to nowhere, at a lower scheduling priority:
// the CPU load a running transcode puts next to the API.
type encoder struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	stderr  *tailBuffer
	once    sync.Once
}

// encoderArgs is the encode the benchmark runs under load.
func encoderArgs() []string {
	return []string{"-hide_banner", "-nostdin", "-v", "error",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
		"-c:v", "libx264", "-preset", "medium", "-f", "null", "-"}
}

func startEncoder(ffmpeg string, nice int) (*encoder, error) {
	cmd := exec.Command(ffmpeg, encoderArgs()...)
	e := &encoder{cmd: cmd, exited: make(chan struct{}), stderr: benchkit.NewTailBuffer(8 << 10)}
	cmd.Stderr = e.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	done, err := spawn(cmd, nice)
	if err != nil {
		return nil, fmt.Errorf("start ffmpeg encode: %w", err)
	}
	go func() { e.waitErr = <-done; close(e.exited) }()
	return e, nil
}

// PID is the encoder's process id.
func (e *encoder) PID() int { return e.cmd.Process.Pid }

// Alive reports an error when ffmpeg has exited on its own.
func (e *encoder) Alive() error {
	select {
	case <-e.exited:
		return fmt.Errorf("the ffmpeg encode ended early (%v): %s", e.waitErr, e.stderr.String())
	default:
		return nil
	}
}

// Stop kills the encode and waits for it. It is idempotent.
func (e *encoder) Stop() {
	e.once.Do(func() {
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.exited
	})
}

// makeClip writes a 2-second H.264/AAC MP4 with ffmpeg's lavfi sources.
func makeClip(ctx context.Context, ffmpeg, path string) error {
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", path}
	out, err := exec.CommandContext(ctx, ffmpeg, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// rssBytes reads VmRSS of a process from /proc.
func rssBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v) // "12345 kB"
			if len(f) != 2 || f[1] != "kB" {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				break
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

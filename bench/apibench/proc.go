package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// creds is the API key pair and application the benchmark runs openvod with.
type creds struct {
	SecretID, SecretKey string
	AppID               uint64
}

func newCreds() creds {
	return creds{SecretID: "AKID" + randHex(16), SecretKey: randHex(16), AppID: 1250000001}
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// spawn starts cmd from a goroutine locked to its OS thread and keeps that
// thread alive until the child exits. Children inherit the starting
// thread's niceness, so with nice > 0 the thread is reniced first and every
// thread of the child runs at that niceness from its first instruction; and
// Pdeathsig, which fires when the starting thread ends, stays armed for the
// child's whole life (a crashed benchmark leaves nothing running). The
// returned channel receives cmd.Wait's result.
func spawn(cmd *exec.Cmd, nice int) (<-chan error, error) {
	started := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if nice > 0 {
			// An unprivileged thread cannot raise its priority again, so a
			// reniced thread stays locked and the runtime ends it with
			// this goroutine.
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice); err != nil {
				started <- fmt.Errorf("renice: %w", err)
				return
			}
		} else {
			defer runtime.UnlockOSThread()
		}
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		done <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return done, nil
}

// server is a running `openvod serve` process.
type server struct {
	Addr string // host:port
	URL  string // http://host:port
	Role string

	cmd     *exec.Cmd
	logs    *tailBuffer
	exited  chan struct{}
	waitErr error
	stop    sync.Once
}

// serverParams are the options of startServer.
type serverParams struct {
	Bin     string
	DataDir string
	Role    string // all or api
	Creds   creds
}

var listenRE = regexp.MustCompile(`msg="openvod serving" listen=(\S+)`)

// startServer runs openvod serve on a free loopback port and waits until
// it logs the address it serves on.
func startServer(ctx context.Context, p serverParams) (*server, error) {
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data", p.DataDir, "--no-rate-limit",
		"--allow-private-pull", "--role", p.Role}
	cmd := exec.Command(p.Bin, args...)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+p.Creds.SecretID, "OPENVOD_SECRET_KEY="+p.Creds.SecretKey,
		"OPENVOD_APP_ID="+strconv.FormatUint(p.Creds.AppID, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{Role: p.Role, cmd: cmd, logs: &tailBuffer{max: 64 << 10}, exited: make(chan struct{})}
	cmd.Stdout = s.logs
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	done, err := spawn(cmd, 0)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", p.Bin, err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.waitErr = <-done; close(s.exited) }()

	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	select {
	case a := <-addr:
		s.Addr, s.URL = a, "http://"+a
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("openvod exited before serving (%v); its log:\n%s", s.waitErr, s.logs.String())
	case <-timeout.C:
		s.Stop()
		return nil, fmt.Errorf("openvod did not log its address within 30s; its log:\n%s", s.logs.String())
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
}

// PID is the server's process id.
func (s *server) PID() int { return s.cmd.Process.Pid }

// Alive reports an error when the process has exited.
func (s *server) Alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("openvod exited unexpectedly (%v); its log:\n%s", s.waitErr, s.logs.String())
	default:
		return nil
	}
}

// Stop ends the server with SIGTERM, then kills its process group if it has
// not exited within 15 s. It is idempotent and waits for the exit.
func (s *server) Stop() {
	s.stop.Do(func() {
		select {
		case <-s.exited:
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(15 * time.Second)
		defer t.Stop()
		select {
		case <-s.exited:
		case <-t.C:
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	})
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
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
	e := &encoder{cmd: cmd, exited: make(chan struct{}), stderr: &tailBuffer{max: 8 << 10}}
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

// Package benchkit holds what the benchmark programs share: credentials,
// starting child processes at a chosen niceness, and running a real
// `openvod serve` on a free loopback port.
package benchkit

import (
	"bufio"
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
	"sync"
	"syscall"
	"time"
)

// Creds is the API key pair and application a benchmark runs openvod with.
type Creds struct {
	SecretID, SecretKey string
	AppID               uint64
}

// NewCreds makes a fresh key pair.
func NewCreds() Creds {
	return Creds{SecretID: "AKID" + RandHex(16), SecretKey: RandHex(16), AppID: 1250000001}
}

// RandHex returns n random bytes in hex.
func RandHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// Spawn starts cmd from a goroutine locked to its OS thread and keeps that
// thread alive until the child exits. Children inherit the starting
// thread's niceness, so with nice > 0 the thread is reniced first and every
// thread of the child runs at that niceness from its first instruction; and
// Pdeathsig, which fires when the starting thread ends, stays armed for the
// child's whole life (a crashed benchmark leaves nothing running). The
// returned channel receives cmd.Wait's result.
func Spawn(cmd *exec.Cmd, nice int) (<-chan error, error) {
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

// Server is a running `openvod serve` process.
type Server struct {
	Addr string // host:port
	URL  string // http://host:port

	cmd     *exec.Cmd
	logs    *TailBuffer
	exited  chan struct{}
	waitErr error
	stop    sync.Once
}

var listenRE = regexp.MustCompile(`msg="openvod serving" listen=(\S+)`)

// StartServer runs `openvod serve --listen 127.0.0.1:0 FLAGS...` with the
// credentials in its environment (its ffmpeg children at the server's own
// --nice) and waits until it logs the address it serves on. It is started
// through Spawn, so Pdeathsig stays armed: a crashed benchmark leaves no
// server running.
func StartServer(ctx context.Context, bin string, c Creds, flags ...string) (*Server, error) {
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, flags...)...)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+c.SecretID, "OPENVOD_SECRET_KEY="+c.SecretKey,
		"OPENVOD_APP_ID="+strconv.FormatUint(c.AppID, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &Server{cmd: cmd, logs: NewTailBuffer(64 << 10), exited: make(chan struct{})}
	cmd.Stdout = s.logs
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	done, err := Spawn(cmd, 0)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
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
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Alive reports an error when the process has exited.
func (s *Server) Alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("openvod exited unexpectedly (%v); its log:\n%s", s.waitErr, s.logs.String())
	default:
		return nil
	}
}

// Stop ends the server with SIGTERM, then kills its process group if it has
// not exited within 15 s. It is idempotent and waits for the exit.
func (s *Server) Stop() {
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

// TailBuffer keeps the last bytes written to it.
type TailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

// NewTailBuffer keeps the last max bytes.
func NewTailBuffer(max int) *TailBuffer { return &TailBuffer{max: max} }

func (t *TailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *TailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

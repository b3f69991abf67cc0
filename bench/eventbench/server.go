package main

import (
	"bufio"
	"context"
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

// creds is the API key pair and account the server runs with.
type creds struct {
	SecretID, SecretKey string
	AppID               uint64
}

// server is a running `openvod serve` process.
type server struct {
	Addr string // host:port
	URL  string // http://host:port

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
	DB      string // --db: a SQLite path or a postgres:// URL
	Creds   creds
}

var listenRE = regexp.MustCompile(`msg="openvod serving" listen=(\S+)`)

// startServer runs `openvod serve --role api` (no workers, no dispatcher:
// the PULL queue needs neither) on a free loopback port, without rate
// limits, and waits until it logs the address it serves on.
func startServer(ctx context.Context, p serverParams) (*server, error) {
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data", p.DataDir, "--db", p.DB, "--no-rate-limit", "--role", "api"}
	cmd := exec.Command(p.Bin, args...)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+p.Creds.SecretID, "OPENVOD_SECRET_KEY="+p.Creds.SecretKey,
		"OPENVOD_APP_ID="+strconv.FormatUint(p.Creds.AppID, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{cmd: cmd, logs: &tailBuffer{max: 64 << 10}, exited: make(chan struct{})}
	cmd.Stdout = s.logs
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	done, err := spawn(cmd)
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

// spawn starts cmd from a goroutine locked to its OS thread and keeps that
// thread alive until the child exits: Pdeathsig fires when the starting
// thread ends, so it stays armed for the child's whole life (a crashed
// benchmark leaves no server running). The channel receives cmd.Wait's
// result.
func spawn(cmd *exec.Cmd) (<-chan error, error) {
	started := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
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

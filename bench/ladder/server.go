package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

// creds is the API key pair and application the server runs with.
type creds struct {
	SecretID, SecretKey string
	AppID               uint64
}

func newCreds() creds {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return creds{SecretID: "AKID" + hex.EncodeToString(b[:16]), SecretKey: hex.EncodeToString(b[16:]), AppID: 1250000001}
}

// server is a running `openvod serve` process.
type server struct {
	Addr, URL string

	cmd     *exec.Cmd
	logs    *tailBuffer
	exited  chan struct{}
	waitErr error
	stop    sync.Once
}

var listenRE = regexp.MustCompile(`msg="openvod serving" listen=(\S+)`)

// startServer runs `openvod serve` on a free loopback port with one worker
// and waits until it logs its address. The process is started from a
// goroutine locked to its OS thread, which stays alive until the server
// exits, so Pdeathsig (tied to the starting thread) stays armed: a crashed
// benchmark leaves no server running.
func startServer(ctx context.Context, bin, dataDir string, nice int, c creds) (*server, error) {
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data", dataDir, "--no-rate-limit",
		"--allow-private-pull", "--workers", "1", "--role", "all", "--nice", strconv.Itoa(nice)}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "OPENVOD_SECRET_ID="+c.SecretID, "OPENVOD_SECRET_KEY="+c.SecretKey,
		"OPENVOD_APP_ID="+strconv.FormatUint(c.AppID, 10))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s := &server{cmd: cmd, logs: &tailBuffer{max: 64 << 10}, exited: make(chan struct{})}
	cmd.Stdout = s.logs
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
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

// Stop ends the server with SIGTERM, then kills its process group if it
// has not exited within 15 s. It is idempotent and waits for the exit.
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

// clockTicks is USER_HZ, the unit of the CPU times in /proc; 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// treeCPU reads the CPU time (user+system) of a process and of its
// children that it has waited for (cutime+cstime) from /proc/<pid>/stat.
// The server waits for every ffmpeg it runs, so the difference over a
// transcode is the server's own work plus all of its ffmpeg's.
func treeCPU(pid int) (time.Duration, error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; the fields after
	// the last ')' start at field 3 (state); utime, stime, cutime and
	// cstime are fields 14 to 17.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed " + path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, errors.New("malformed " + path)
	}
	var ticks int64
	for _, k := range []int{11, 12, 13, 14} {
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			return 0, errors.New("malformed " + path)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// machineBusy reads the CPU time every process of the machine has used
// (the first line of /proc/stat, all but idle and iowait).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var ticks int64
	for i, v := range f {
		if i == 0 || i == 4 || i == 5 || i > 8 {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

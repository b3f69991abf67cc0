package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// bareServer is the baseline: a plain net/http server, with the default
// http.Server settings, whose handler reads the request body and answers
// fixed JSON bytes, as the cheapest possible JSON POST endpoint would. It
// runs inside apibench, or with -bare-proc in a child process of its own,
// like openvod (a diagnostic: it shows what the process boundary costs).
type bareServer struct {
	URL string
	PID int // the child's process id; 0 when in-process

	srv    *http.Server
	cmd    *exec.Cmd
	stdin  io.Closer
	exited chan struct{}
}

// bareHandler answers body to every request.
func bareHandler(body []byte) http.Handler {
	ctype := []string{"application/json"}
	clen := []string{strconv.Itoa(len(body))}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(io.LimitReader(r.Body, 1<<20)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		hdr := w.Header()
		hdr["Content-Type"] = ctype
		hdr["Content-Length"] = clen
		_, _ = w.Write(body)
	})
}

// startBare starts the baseline server answering body, in-process or, with
// subprocess, as a child running this program again (bodyPath holds the
// body for it).
func startBare(body []byte, subprocess bool, bodyPath string) (*bareServer, error) {
	if !subprocess {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		b := &bareServer{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: bareHandler(body)}}
		go func() { _ = b.srv.Serve(ln) }()
		return b, nil
	}

	if err := os.WriteFile(bodyPath, body, 0o644); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), bareChildEnv+"="+bodyPath)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	done, err := spawn(cmd, 0)
	if err != nil {
		return nil, fmt.Errorf("start the bare server process: %w", err)
	}
	b := &bareServer{PID: cmd.Process.Pid, cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	go func() { <-done; close(b.exited) }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listen=")
	if err != nil || !ok {
		b.Close()
		return nil, fmt.Errorf("the bare server process did not report its address (%q, %v)", line, err)
	}
	b.URL = "http://" + addr
	return b, nil
}

// Close stops the server (for a child: closes its stdin, then kills it if
// it lingers) and waits for it.
func (b *bareServer) Close() {
	if b.srv != nil {
		_ = b.srv.Close()
		return
	}
	_ = b.stdin.Close()
	select {
	case <-b.exited:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
}

// bareChildEnv, when set to a file holding the response body, makes this
// program the bare server child of -bare-proc.
const bareChildEnv = "APIBENCH_BARE_BODY"

// serveBareChild is the child's main: it serves the body on a free
// loopback port, prints "listen=ADDR" and exits when its stdin closes.
func serveBareChild(bodyPath string) int {
	body, err := os.ReadFile(bodyPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apibench bare server:", err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "apibench bare server:", err)
		return 1
	}
	srv := &http.Server{Handler: bareHandler(body)}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listen=%s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	return 0
}

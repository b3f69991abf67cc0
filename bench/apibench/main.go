// Command apibench measures OpenVOD against the speed targets of
// DESIGN.md ("Speed targets"), each as a figure or a ratio against a
// baseline measured in the same run on the same machine:
//
//   - DescribeTaskDetail through the whole stack (a real `openvod serve`
//     process, TC3-signed requests over keep-alive HTTP/1.1) against a bare
//     net/http server answering the same bytes: req/s ratio and p99;
//   - the same call's p99 while an ffmpeg encode saturates the CPU, against
//     its idle p99;
//   - task submissions per second on an API-only server;
//   - the idle RSS of the server.
//
// Usage, from the module root:
//
//	go run ./bench/apibench [-duration 10s] [-conns 64] [-bin path/to/openvod]
//
// It prints a table and one PASS/FAIL line per target. Missed targets do
// not change the exit status (benchmarks inform); failures to run (the
// server does not start, requests fail) exit 1. See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
)

// options are apibench's flags.
type options struct {
	Bin            string        // openvod binary; built from this module when empty
	FFmpeg         string        // ffmpeg binary
	Duration       time.Duration // measured time of each DescribeTaskDetail run
	Warmup         time.Duration // unrecorded lead-in of each run
	Conns          int           // connections of the throughput runs
	LoadConns      int           // connections of the idle/under-encode p99 runs
	SubmitDuration time.Duration // measured time of the submission run
	SubmitConns    int           // concurrent submitters; default Conns
	Nice           int           // niceness of the background encode
	KeepData       bool          // keep the temporary data directory
	BareProc       bool          // run the bare server in a process of its own
}

func main() {
	if path := os.Getenv(bareChildEnv); path != "" {
		os.Exit(serveBareChild(path))
	}
	var o options
	flag.StringVar(&o.Bin, "bin", "", "openvod binary to benchmark (default: go build ./cmd/openvod into a temporary directory)")
	flag.StringVar(&o.FFmpeg, "ffmpeg", "ffmpeg", "ffmpeg binary, for the test clip and the background encode")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time of each DescribeTaskDetail run")
	flag.DurationVar(&o.Warmup, "warmup", time.Second, "unrecorded warm-up before each run")
	flag.IntVar(&o.Conns, "conns", 64, "keep-alive connections for the throughput runs")
	flag.IntVar(&o.LoadConns, "load-conns", 16, "connections for the p99-under-encode runs")
	flag.DurationVar(&o.SubmitDuration, "submit-duration", 5*time.Second, "measured time of the task submission run")
	flag.IntVar(&o.SubmitConns, "submit-conns", 0, "concurrent submitters (default: -conns)")
	flag.IntVar(&o.Nice, "nice", 10, "niceness of the background ffmpeg encode (openvod's --nice default)")
	flag.BoolVar(&o.KeepData, "keep", false, "keep the temporary data directory")
	flag.BoolVar(&o.BareProc, "bare-proc", false, "run the bare net/http baseline in a child process, like openvod, instead of in-process (diagnostic)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "apibench: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if o.SubmitConns == 0 {
		o.SubmitConns = o.Conns
	}
	if o.Conns < 1 || o.LoadConns < 1 || o.SubmitConns < 1 || o.Duration <= 0 || o.SubmitDuration <= 0 || o.Warmup < 0 {
		fmt.Fprintln(os.Stderr, "apibench: -conns, -load-conns and -submit-conns must be positive, durations positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apibench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	log := benchkit.NewProgress(stderr)
	loadStart := benchkit.LoadAverage()
	tmp, err := os.MkdirTemp("", "apibench-")
	if err != nil {
		return err
	}
	if o.KeepData {
		log.Printf("data kept in %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if _, err := exec.LookPath(o.FFmpeg); err != nil {
		return fmt.Errorf("ffmpeg is required (apt-get install ffmpeg): %w", err)
	}
	if o.Bin == "" {
		o.Bin = filepath.Join(tmp, "openvod")
		log.Printf("building openvod")
		version := "dev"
		if out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
			version = strings.TrimSpace(string(out))
		}
		build := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X github.com/openvod/openvod/internal/cli.Version="+version,
			"-o", o.Bin, "github.com/openvod/openvod/cmd/openvod")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/openvod (run apibench from the module, or pass -bin): %w", err)
		}
	}

	b := &bench{o: o, log: log, tmp: tmp, creds: newCreds(), rep: &report{}}
	b.rep.env = benchkit.Environment(o.Bin)
	b.rep.loadStart = loadStart
	defer b.cleanup()
	if err := b.run(ctx); err != nil {
		return err
	}
	b.rep.print(stdout, o)
	return nil
}

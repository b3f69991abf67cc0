// Command eventbench measures how many events per second OpenVOD's event
// outbox moves, each figure against a baseline measured in the same run on
// the same machine:
//
//   - recording: events written with tx.InsertEvent, in batches, one
//     transaction per batch;
//   - PUSH: an events.Dispatcher delivering callbacks to a loopback
//     receiver, against the same bodies POSTed to the same receiver by as
//     many goroutines with a plain http.Client and no database;
//   - PULL: consumers calling store.PullEvents then store.ConfirmEvents
//     until every event is confirmed, and the same through the whole HTTP
//     stack (a real `openvod serve`, TC3-signed PullEvents and
//     ConfirmEvents calls), with the store-level figure as its baseline.
//
// Every run checks delivery: each event must arrive at least once (a
// missing one is an error), and duplicates are counted and reported.
//
// Usage, from the module root:
//
//	go run ./bench/eventbench [-events 5000] [-db postgres://...]
//
// The database is embedded SQLite in a temporary directory unless -db names
// a PostgreSQL server, on which each phase gets a fresh schema (dropped at
// the end). Slow figures do not change the exit status (benchmarks
// inform); failures to run and lost events exit 1. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
)

// options are eventbench's flags.
type options struct {
	Events    int             // events per run
	DB        string          // "" for SQLite in the temp dir, or a postgres:// URL
	Batch     int             // events per insert transaction
	Parallel  int             // dispatcher Parallel, and goroutines of the PUSH baseline
	Poll      time.Duration   // dispatcher Poll
	Consumers int             // PULL consumers
	Phases    map[string]bool // push, pull, http: the phases to run
	Bin       string          // openvod binary for it; built from this module when empty
	Timeout   time.Duration   // bound of one run; events still missing then are lost
	Keep      bool            // keep the temporary directory (and PostgreSQL schemas)
	CPUProf   string          // write a CPU profile of this process here
}

func main() {
	var o options
	flag.IntVar(&o.Events, "events", 5000, "events per run")
	flag.StringVar(&o.DB, "db", "", "database: empty for embedded SQLite in a temporary directory, or a postgres:// URL (a fresh schema per phase)")
	flag.IntVar(&o.Batch, "batch", 100, "events per insert transaction")
	flag.IntVar(&o.Parallel, "parallel", 16, "dispatcher Parallel, and goroutines of the PUSH baseline")
	flag.DurationVar(&o.Poll, "poll", 50*time.Millisecond, "dispatcher Poll")
	flag.IntVar(&o.Consumers, "consumers", 4, "concurrent PULL consumers")
	phases := flag.String("phases", "push,pull,http", "phases to run: push, pull (at the store), http (PULL through a real openvod server; it needs ffmpeg, which the server checks for)")
	flag.StringVar(&o.Bin, "bin", "", "openvod binary for the HTTP-level run (default: go build ./cmd/openvod into a temporary directory)")
	flag.DurationVar(&o.Timeout, "timeout", 20*time.Minute, "bound of one run: events still undelivered then count as lost")
	flag.BoolVar(&o.Keep, "keep", false, "keep the temporary directory and PostgreSQL schemas")
	flag.StringVar(&o.CPUProf, "cpuprofile", "", "write a CPU profile of this process (dispatcher, store, consumers) to this file")
	flag.Parse()
	o.Phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		o.Phases[strings.TrimSpace(p)] = true
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "eventbench: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "eventbench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "eventbench:", err)
		os.Exit(1)
	}
}

func (o options) validate() error {
	for p := range o.Phases {
		if p != "push" && p != "pull" && p != "http" {
			return fmt.Errorf("-phases: unknown phase %q (push, pull, http)", p)
		}
	}
	switch {
	case len(o.Phases) == 0:
		return errors.New("-phases names no phase")
	case o.Events < 1:
		return fmt.Errorf("-events must be positive, got %d", o.Events)
	case o.Batch < 1:
		return fmt.Errorf("-batch must be positive, got %d", o.Batch)
	case o.Parallel < 1:
		return fmt.Errorf("-parallel must be positive, got %d", o.Parallel)
	case o.Poll <= 0:
		return fmt.Errorf("-poll must be positive, got %s", o.Poll)
	case o.Consumers < 1:
		return fmt.Errorf("-consumers must be positive, got %d", o.Consumers)
	case o.Timeout <= 0:
		return fmt.Errorf("-timeout must be positive, got %s", o.Timeout)
	case o.DB != "" && !strings.HasPrefix(o.DB, "postgres://") && !strings.HasPrefix(o.DB, "postgresql://"):
		return fmt.Errorf("-db must be a postgres:// URL (SQLite is the default), got %q", o.DB)
	}
	return nil
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	log := benchkit.NewProgress(stderr)
	loadStart := benchkit.LoadAverage()
	tmp, err := os.MkdirTemp("", "eventbench-")
	if err != nil {
		return err
	}
	if o.Keep {
		log.Printf("data kept in %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if o.CPUProf != "" {
		f, err := os.Create(o.CPUProf)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.Phases["http"] && o.Bin == "" {
		o.Bin = filepath.Join(tmp, "openvod")
		log.Printf("building openvod")
		if err := buildOpenVOD(ctx, o.Bin, stderr); err != nil {
			return err
		}
	}

	target, err := newDBTarget(ctx, o.DB, tmp, o.Keep)
	if err != nil {
		return err
	}
	defer target.cleanup(log)

	b := &bench{o: o, log: log, tmp: tmp, db: target, key: randHex(16),
		slog: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		rep:  &report{loadStart: loadStart, database: target.describe(ctx)}}
	b.rep.env = benchkit.Environment(o.Bin)
	defer b.cleanup()
	if err := b.run(ctx); err != nil {
		return err
	}
	b.rep.print(stdout, o)
	if err := b.rep.verdict(); err != nil {
		return err
	}
	return nil
}

// buildOpenVOD builds ./cmd/openvod of this module into bin.
func buildOpenVOD(ctx context.Context, bin string, stderr io.Writer) error {
	version := "dev"
	if out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
		version = strings.TrimSpace(string(out))
	}
	build := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X github.com/openvod/openvod/internal/cli.Version="+version,
		"-o", bin, "github.com/openvod/openvod/cmd/openvod")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/openvod (run eventbench from the module, pass -bin, or leave http out of -phases): %w", err)
	}
	return nil
}

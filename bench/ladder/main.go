// Command ladder measures a three-rendition transcode ladder (720p 2500k,
// 480p 1200k, 360p 700k, H.264/AAC in MP4) three ways, in one run on the
// same machine:
//
//   - A: three sequential ffmpeg runs, one per rendition (three decodes);
//   - B: one hand-written ffmpeg run that decodes once and splits the
//     picture into three encoders;
//   - C: OpenVOD: a real `openvod serve` process (one worker) given the
//     three renditions as custom transcode templates in one ProcessMedia
//     call, timed from submission to FINISH.
//
// The runs go in the order A B C C B A and the better run of each is kept.
// The baselines run at the niceness the server gives its own ffmpeg
// children (-nice, 10 by default, passed to the server as --nice too).
// Every output is checked with ffprobe (H.264, the right height, the
// source's duration within 0.2 s); a wrong output ends the run with exit
// status 1.
//
// Usage, from the module root:
//
//	go run ./bench/ladder [-seconds 60] [-bin path/to/openvod]
//
// See bench/README.md.
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

	"github.com/openvod/openvod/bench/internal/benchkit"
	"github.com/openvod/openvod/internal/media"
)

// options are the benchmark's flags.
type options struct {
	Seconds int    // length of the generated source
	Bin     string // openvod binary; built from this module when empty
	FFmpeg  string
	FFprobe string
	Nice    int  // niceness of the baselines and of the server's ffmpeg
	Keep    bool // keep the temporary directory
}

// rendition is one rung of the ladder.
type rendition struct {
	Height     int
	VideoKbps  int
	AudioKbps  int
	SampleRate int
	Channels   int
	FrameRate  int
}

// ladder is the ladder every contestant produces.
var ladder = []rendition{
	{Height: 720, VideoKbps: 2500, AudioKbps: 128, SampleRate: 44100, Channels: 2, FrameRate: 30},
	{Height: 480, VideoKbps: 1200, AudioKbps: 128, SampleRate: 44100, Channels: 2, FrameRate: 30},
	{Height: 360, VideoKbps: 700, AudioKbps: 128, SampleRate: 44100, Channels: 2, FrameRate: 30},
}

// preset is the x264 preset of the baselines: the server's default, which
// its transcode templates cannot change.
const preset = media.DefaultPreset

func main() {
	var o options
	flag.IntVar(&o.Seconds, "seconds", 60, "length of the generated 1080p30 source, in seconds")
	flag.StringVar(&o.Bin, "bin", "", "openvod binary to benchmark (default: go build ./cmd/openvod into a temporary directory)")
	flag.StringVar(&o.FFmpeg, "ffmpeg", "ffmpeg", "ffmpeg binary")
	flag.StringVar(&o.FFprobe, "ffprobe", "ffprobe", "ffprobe binary")
	flag.IntVar(&o.Nice, "nice", 10, "niceness of the baseline ffmpeg runs and of the server's ffmpeg (--nice)")
	flag.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (source, outputs, server data)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "ladder: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if o.Seconds < 1 || o.Nice < 0 || o.Nice > 19 {
		fmt.Fprintln(os.Stderr, "ladder: -seconds must be at least 1, -nice between 0 and 19")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ladder: FAIL:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	log := benchkit.NewProgress(stderr)
	for _, bin := range []string{o.FFmpeg, o.FFprobe, "nice"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s is required: %w", bin, err)
		}
	}
	tmp, err := os.MkdirTemp("", "ladderbench-")
	if err != nil {
		return err
	}
	if o.Keep {
		log.Printf("data kept in %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
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
			return fmt.Errorf("go build ./cmd/openvod (run from the module, or pass -bin): %w", err)
		}
	}
	b := &bench{o: o, log: log, tmp: tmp, creds: newCreds()}
	defer b.cleanup()
	rep, err := b.run(ctx)
	if err != nil {
		return err
	}
	rep.env = environment(o.Bin)
	rep.print(stdout)
	return nil
}

// environment describes the machine and build, for the report header.
func environment(bin string) string {
	ff := "ffmpeg (unknown version)"
	if out, err := exec.Command("ffmpeg", "-hide_banner", "-version").Output(); err == nil {
		ff, _, _ = strings.Cut(string(out), "\n")
		if f := strings.Fields(ff); len(f) >= 3 {
			ff = f[0] + " " + f[2]
		}
	}
	return benchkit.Environment(bin) + ", " + ff
}

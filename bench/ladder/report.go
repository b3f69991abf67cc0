package main

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report gathers the runs and prints them.
type report struct {
	o                  options
	env                string
	srcDuration        float64
	loadStart, loadEnd float64
	runs               []result
}

// best returns the fastest run of a contestant.
func (r *report) best(label string) result {
	var b result
	for _, x := range r.runs {
		if x.Label == label && (b.Wall == 0 || x.Wall < b.Wall) {
			b = x
		}
	}
	return b
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "ladder: 1080p30 → 720p 2500k / 480p 1200k / 360p 700k, H.264 + AAC 128k in MP4\n")
	fmt.Fprintf(w, "%s\n", r.env)
	fmt.Fprintf(w, "source: %d s generated clip (%.3f s), 1920x1080 30 fps H.264 + AAC\n", r.o.Seconds, r.srcDuration)
	fmt.Fprintf(w, "x264 preset: %s in A and B, the server's default (media.DefaultPreset); transcode templates cannot set a preset\n", preset)
	fmt.Fprintf(w, "niceness: A and B run ffmpeg through `nice -n %d`; openvod runs its ffmpeg at --nice %d: the same priority on both sides\n", r.o.Nice, r.o.Nice)
	fmt.Fprintf(w, "load average: %.2f at the start of the runs, %.2f at the end (%d CPUs)\n", r.loadStart, r.loadEnd, runtime.NumCPU())
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tcontestant\twall s\tCPU s\tothers (cores)\t")
	for i, x := range r.runs {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.1f\t%.2f\t\n", i+1, name(x.Label), x.Wall.Seconds(), x.CPU.Seconds(), x.Others)
	}
	tw.Flush()
	fmt.Fprintln(w, "  (CPU: A and B the ffmpeg processes; C the server plus the ffmpeg/ffprobe it ran. others: every other process on the machine)")
	fmt.Fprintln(w)

	a, b, c := r.best("A"), r.best("B"), r.best("C")
	fmt.Fprintln(w, "best of two:")
	fmt.Fprintf(w, "  A  three sequential ffmpeg     %7.2f s wall  %6.1f s CPU\n", a.Wall.Seconds(), a.CPU.Seconds())
	fmt.Fprintf(w, "  B  one ffmpeg, split=3         %7.2f s wall  %6.1f s CPU\n", b.Wall.Seconds(), b.CPU.Seconds())
	fmt.Fprintf(w, "  C  openvod ProcessMedia        %7.2f s wall  %6.1f s CPU  (submission → FINISH seen, polled every %v)\n",
		c.Wall.Seconds(), c.CPU.Seconds(), pollEvery)
	fmt.Fprintf(w, "     task BeginProcessTime → FinishTime: %.0f s (the API's times have 1 s resolution)\n", c.Span.Seconds())
	r.timeline(w, c)
	fmt.Fprintln(w)

	fmt.Fprintln(w, "ratios (wall, best runs):")
	verdict(w, "C/B openvod / one-decode ffmpeg", ratio(c.Wall, b.Wall), "≤ 1.05", ratio(c.Wall, b.Wall) <= 1.05)
	verdict(w, "C/A openvod / three ffmpeg runs", ratio(c.Wall, a.Wall), "≤ 0.75", ratio(c.Wall, a.Wall) <= 0.75)
	fmt.Fprintf(w, "  %-34s %5.2f    (informational; DESIGN.md measured 0.72–0.80)\n", "B/A one decode / three decodes", ratio(b.Wall, a.Wall))
	fmt.Fprintln(w, "CPU time ratios (less sensitive to other load):")
	fmt.Fprintf(w, "  %-34s %5.2f\n", "C/B", ratio(c.CPU, b.CPU))
	fmt.Fprintf(w, "  %-34s %5.2f\n", "C/A", ratio(c.CPU, a.CPU))
	fmt.Fprintf(w, "  %-34s %5.2f\n", "B/A", ratio(b.CPU, a.CPU))
	lo, hi := min(a.Others, b.Others, c.Others), max(a.Others, b.Others, c.Others)
	if hi-lo > 0.3 {
		fmt.Fprintf(w, "WARNING: the best runs competed with very different loads (others %.2f / %.2f / %.2f cores for A / B / C): the wall ratios are unreliable; rerun on a quieter machine\n",
			a.Others, b.Others, c.Others)
	}
	if busy := slices.MaxFunc(r.runs, func(x, y result) int { return cmpF(x.Others, y.Others) }); busy.Others > 0.25 {
		fmt.Fprintf(w, "note: other processes used up to %.2f cores during a run; the machine was shared, so wall times are noisy\n", busy.Others)
	}
}

// timeline prints the server's child processes of a C run, with their
// start and length from the submission, and what is left outside them.
func (r *report) timeline(w io.Writer, c result) {
	if len(c.Kids) == 0 {
		return
	}
	fmt.Fprintln(w, "     the server's child processes (sampled every 10 ms; start and length from the submission):")
	var inKids time.Duration
	var end time.Time
	afterLadder := false
	for _, k := range c.Kids {
		d := k.Last.Sub(k.First)
		// Overlapping children count once.
		switch {
		case k.First.After(end):
			inKids += d
			end = k.Last
		case k.Last.After(end):
			inKids += k.Last.Sub(end)
			end = k.Last
		}
		fmt.Fprintf(w, "       +%6.2f s  %6.2f s  %s\n", k.First.Sub(c.start()).Seconds(), d.Seconds(), describe(k.Args, afterLadder))
		afterLadder = afterLadder || slices.Contains(k.Args, "-filter_complex")
	}
	fmt.Fprintf(w, "     outside any child process: %.2f s of %.2f s (queue pick-up, probe parsing, upload/publish, commit, polling)\n",
		(c.Wall - inKids).Seconds(), c.Wall.Seconds())
	for _, k := range c.Kids {
		if slices.Contains(k.Args, "-filter_complex") {
			fmt.Fprintf(w, "     server's ladder command: %s\n", strings.Join(shorten(k.Args), " "))
			break
		}
	}
}

// start is when a C run was submitted.
func (x result) start() time.Time { return x.Submitted }

// describe names a child process by its program and its role.
func describe(args []string, afterLadder bool) string {
	if len(args) == 0 {
		return "(exited before its command line was read)"
	}
	prog := filepath.Base(args[0])
	switch {
	case slices.Contains(args, "-filter_complex"):
		return prog + " (the ladder: one decode, split)"
	case prog == "ffprobe" && afterLadder:
		return prog + " (probe of an output)"
	case prog == "ffprobe":
		return prog + " (probe of the source)"
	case slices.Contains(args, "null"):
		return prog + " (decode check)"
	}
	return prog
}

// shorten replaces the paths of a command line with their base names.
func shorten(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "/") {
			a = ".../" + filepath.Base(a)
		}
		out[i] = a
	}
	return out
}

func verdict(w io.Writer, what string, got float64, target string, ok bool) {
	v := "FAIL"
	if ok {
		v = "PASS"
	}
	fmt.Fprintf(w, "  %-34s %5.2f    target %s  %s\n", what, got, target, v)
}

func name(label string) string {
	switch label {
	case "A":
		return "A three ffmpeg"
	case "B":
		return "B ffmpeg split"
	}
	return "C openvod"
}

func ratio(x, y time.Duration) float64 {
	if y <= 0 {
		return 0
	}
	return x.Seconds() / y.Seconds()
}

func cmpF(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

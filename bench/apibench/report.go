package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of DESIGN.md, "Speed targets".
const (
	targetRatio      = 0.60                  // openvod/bare DescribeTaskDetail req/s, at least
	targetP99        = 10 * time.Millisecond // DescribeTaskDetail p99 at 64 connections, at most
	targetLoadedP99  = 3.0                   // p99 under encode / idle p99, at most
	targetSubmitRate = 1000.0                // tasks/s, at least
	targetRSS        = 40 << 20              // idle RSS, at most
)

// report collects the figures of a run.
type report struct {
	env       string
	loadStart float64 // 1-minute load average when the benchmark started
	bodyLen   int

	abab         []loadResult // A1 B1 A2 B2
	idle, loaded loadResult   // openvod at LoadConns, without and with the encode
	encAlone     float64      // cores the encode used on its own
	submit       loadResult
	rssIdle      int64 // after startup and 2 s idle
	rssAfter     int64 // after the DescribeTaskDetail runs and 2 s idle
}

// cost is the CPU time server and client together spent per successful
// request (the background encode excluded).
func (x loadResult) cost() time.Duration {
	if x.OK == 0 {
		return 0
	}
	var cores float64
	for i, c := range x.Cores {
		if x.CPUNames[i] != "ffmpeg" {
			cores += c
		}
	}
	return time.Duration(cores * float64(x.Window) / float64(x.OK))
}

// meanCost is the CPU time per request over every run of label.
func (r *report) meanCost(label string) time.Duration {
	var cpu time.Duration
	var n int
	for _, x := range r.abab {
		if x.Label == label {
			cpu += x.cost() * time.Duration(x.OK)
			n += x.OK
		}
	}
	if n == 0 {
		return 0
	}
	return cpu / time.Duration(n)
}

// busiest returns the most CPU other processes used in any run.
func (r *report) busiest() float64 {
	var m float64
	for _, x := range append(append([]loadResult{}, r.abab...), r.idle, r.loaded, r.submit) {
		m = max(m, x.Others)
	}
	return m
}

// best returns the run of label with the highest req/s.
func (r *report) best(label string) loadResult {
	var b loadResult
	for _, x := range r.abab {
		if x.Label == label && x.RPS > b.RPS {
			b = x
		}
	}
	return b
}

func (r *report) print(w io.Writer, o options) {
	fmt.Fprintf(w, "\nOpenVOD apibench: %s\n", r.env)
	fmt.Fprintf(w, "Load average (1 min) at start: %.2f on %d CPUs.", r.loadStart, runtime.NumCPU())
	if r.busiest() > 0.25 {
		fmt.Fprintf(w, " Other processes used up to %.2f cores during the runs (column \"others\"):\n"+
			"absolute figures are low and noisy; the side-by-side ratios suffer less.", r.busiest())
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Each run: %s warm-up, then %s measured (submissions %s); closed loop, keep-alive HTTP/1.1 on loopback.\n",
		o.Warmup, o.Duration, o.SubmitDuration)

	where := "in-process"
	if o.BareProc {
		where = "in a child process"
	}
	fmt.Fprintf(w, "\n== DescribeTaskDetail throughput, %d connections (A = bare net/http %s, B = openvod; same %d-byte response, same pre-signed TC3 request)\n",
		o.Conns, where, r.bodyLen)
	tw := newTable(w)
	for _, x := range r.abab {
		row(tw, x)
	}
	bare, ov := r.best("bare"), r.best("openvod")
	bare.Run, ov.Run = "best A", "best B"
	row(tw, bare)
	row(tw, ov)
	tw.Flush()
	ratio := ov.RPS / bare.RPS
	fmt.Fprintf(w, "openvod/bare req/s: %.2f\n", ratio)
	cb, co := r.meanCost("bare"), r.meanCost("openvod")
	fmt.Fprintf(w, "CPU per request (server + load generator, all runs): bare %.1fµs, openvod %.1fµs; "+
		"bare/openvod %.2f, the req/s ratio to expect when the CPU is the only limit\n",
		cb.Seconds()*1e6, co.Seconds()*1e6, cb.Seconds()/co.Seconds())

	fmt.Fprintf(w, "\n== DescribeTaskDetail on openvod, %d connections, idle and during an ffmpeg encode (libx264 -preset medium, 1280x720, nice %d)\n",
		o.LoadConns, o.Nice)
	tw = newTable(w)
	row(tw, r.idle)
	row(tw, r.loaded)
	tw.Flush()
	loadedRatio := float64(r.loaded.P99) / float64(r.idle.P99)
	fmt.Fprintf(w, "the encode alone used %.2f cores; p99 encoding/idle: %.2f×\n", r.encAlone, loadedRatio)
	if r.encAlone < 0.75*float64(runtime.NumCPU()) {
		fmt.Fprintf(w, "note: the encode did not saturate the %d CPUs on its own (processes at normal priority took the rest), so this figure understates the load\n",
			runtime.NumCPU())
	}

	fmt.Fprintf(w, "\n== Task submission: DescribeFileAttributes on openvod --role api, %d connections, each request signed afresh\n",
		r.submit.Conns)
	tw = newTable(w)
	row(tw, r.submit)
	tw.Flush()

	fmt.Fprintf(w, "\n== Memory (VmRSS of openvod serve --role all)\n")
	fmt.Fprintf(w, "idle after startup (2 s):                   %s\n", mib(r.rssIdle))
	fmt.Fprintf(w, "after the DescribeTaskDetail runs (2 s idle): %s (informational)\n", mib(r.rssAfter))

	fmt.Fprintf(w, "\n== Targets (DESIGN.md, Speed targets)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	verdict(tw, ratio >= targetRatio, errNote(ov, bare), "DescribeTaskDetail req/s openvod/bare",
		fmt.Sprintf("%.2f", ratio), fmt.Sprintf("≥ %.2f", targetRatio))
	verdict(tw, ov.P99 <= targetP99, errNote(ov), fmt.Sprintf("DescribeTaskDetail p99 at %d conns", o.Conns),
		ms(ov.P99), "≤ "+ms(targetP99))
	verdict(tw, loadedRatio <= targetLoadedP99, errNote(r.idle, r.loaded), fmt.Sprintf("p99 during encode / idle p99 at %d conns", o.LoadConns),
		fmt.Sprintf("%.2f×", loadedRatio), fmt.Sprintf("≤ %.0f×", targetLoadedP99))
	verdict(tw, r.submit.RPS >= targetSubmitRate, errNote(r.submit), "task submissions (SQLite)",
		count(r.submit.RPS)+"/s", fmt.Sprintf("≥ %s/s", count(targetSubmitRate)))
	verdict(tw, r.rssIdle <= targetRSS, "", "idle RSS of openvod serve", mib(r.rssIdle), "≤ "+mib(targetRSS))
	tw.Flush()
}

func newTable(w io.Writer) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tserver\tconns\treq/s\tp50\tp90\tp99\tmax\terrors\tCPU µs/req\t CPU cores (measured window)\t")
	return tw
}

func row(tw io.Writer, x loadResult) {
	var cpu []string
	for i, c := range x.Cores {
		cpu = append(cpu, fmt.Sprintf("%s %.2f", x.CPUNames[i], c))
	}
	cpu = append(cpu, fmt.Sprintf("others %.2f", x.Others))
	fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%.1f\t %s\t\n", x.Run, x.Label, x.Conns, count(x.RPS),
		ms(x.P50), ms(x.P90), ms(x.P99), ms(x.Max), x.Errors, x.cost().Seconds()*1e6, strings.Join(cpu, ", "))
}

// verdict prints one target line. A target whose runs had failed requests
// is a FAIL whatever the figure: the figure is not trustworthy.
func verdict(w io.Writer, ok bool, errs, what, got, target string) {
	v := "PASS"
	if !ok || errs != "" {
		v = "FAIL"
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t(target %s)%s\n", v, what, got, target, errs)
}

// errNote says how many requests failed in the runs behind a figure.
func errNote(runs ...loadResult) string {
	n := 0
	var first error
	for _, r := range runs {
		n += r.Errors
		if first == nil {
			first = r.FirstErr
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("  %d failed requests, first: %.120v", n, first)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// count formats a rate with thousands separators: 51234.6 → "51,235".
func count(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

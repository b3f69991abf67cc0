package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// insertResult is the recording of one phase's events.
type insertResult struct {
	Phase   string
	Events  int
	Batch   int
	Elapsed time.Duration
	Note    string
}

func (x insertResult) Rate() float64 { return float64(x.Events) / x.Elapsed.Seconds() }

// report collects the figures of a run.
type report struct {
	env       string
	database  string
	loadStart float64 // 1-minute load average when the benchmark started
	bodyLen   int

	inserts []insertResult
	push    []result // A1 B A2
	pull    []result // store, http
}

// bestBaseline returns the PUSH baseline run with the highest rate.
func (r *report) bestBaseline() result {
	var b result
	for _, x := range r.push {
		if x.Run != "B" && x.Rate() > b.Rate() {
			b = x
		}
	}
	return b
}

func (r *report) find(runs []result, name string) (result, bool) {
	for _, x := range runs {
		if x.Run == name {
			return x, true
		}
	}
	return result{}, false
}

// busiest returns the most CPU other processes used in any run.
func (r *report) busiest() float64 {
	var m float64
	for _, x := range append(append([]result{}, r.push...), r.pull...) {
		m = max(m, x.Others)
	}
	return m
}

func (r *report) print(w io.Writer, o options) {
	fmt.Fprintf(w, "\nOpenVOD eventbench: %s\n", r.env)
	fmt.Fprintf(w, "Database: %s.\n", r.database)
	fmt.Fprintf(w, "Load average (1 min) at start: %.2f on %d CPUs.", r.loadStart, runtime.NumCPU())
	if r.busiest() > 0.25 {
		fmt.Fprintf(w, " Other processes used up to %.2f cores during the runs (column \"others\"):\n"+
			"absolute figures are low and noisy; the side-by-side ratios suffer less.", r.busiest())
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%s events per run, each a PullComplete EventContent of %s bytes.\n", count(float64(o.Events)), count(float64(r.bodyLen)))

	fmt.Fprintf(w, "\n== Recording: tx.InsertEvent, %d events per transaction\n", o.Batch)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tevents\ttime\tevents/s\t note\t")
	for _, x := range r.inserts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t %s\t\n", x.Phase, count(float64(x.Events)), secs(x.Elapsed), count(x.Rate()), x.Note)
	}
	tw.Flush()

	if len(r.push) > 0 {
		r.printPush(w, o)
	}
	if len(r.pull) > 0 {
		r.printPull(w)
	}
	fmt.Fprintf(w, "\n== Summary\n%s\n", r.summary())
}

func (r *report) printPush(w io.Writer, o options) {
	fmt.Fprintf(w, "\n== PUSH: callbacks to a loopback receiver (reads the body, checks %s and the TaskId, answers 200, counts by event id)\n",
		"X-OpenVOD-Signature")
	tw := newTable(w, "requests", "conns")
	for _, x := range r.push {
		row(tw, x, strconv.Itoa(x.Requests), strconv.FormatInt(x.Conns, 10))
	}
	tw.Flush()
	legend(w, r.push)
	base := r.bestBaseline()
	d, ok := r.find(r.push, "B")
	if ok && base.Rate() > 0 {
		fmt.Fprintf(w, "dispatcher/baseline events/s: %.3f (B / best A: %s / %s)\n", d.Rate()/base.Rate(), count(d.Rate()), count(base.Rate()))
	}
	if k, okK := r.find(r.push, "B*"); ok && okK && d.Rate() > 0 {
		fmt.Fprintf(w, "diagnostic: with %d keep-alive connections the dispatcher moves %.2f× as many events/s (B* / B: %s / %s)\n",
			o.Parallel, k.Rate()/d.Rate(), count(k.Rate()), count(d.Rate()))
	}

}

func (r *report) printPull(w io.Writer) {
	fmt.Fprintf(w, "\n== PULL: consumers pull (up to %d events, %s invisibility) and confirm until every event is confirmed\n",
		pullBatch, pullInvisible)
	tw := newTable(w, "pulls", "")
	for _, x := range r.pull {
		row(tw, x, strconv.Itoa(x.Requests), "")
	}
	tw.Flush()
	legend(w, r.pull)
	st, okS := r.find(r.pull, "store")
	ht, okH := r.find(r.pull, "http")
	if okS && okH && st.Rate() > 0 {
		fmt.Fprintf(w, "HTTP/store events/s: %.3f (%s / %s)\n", ht.Rate()/st.Rate(), count(ht.Rate()), count(st.Rate()))
	}
}

// summary is the one-line digest of the run.
func (r *report) summary() string {
	var parts []string
	base := r.bestBaseline()
	if d, ok := r.find(r.push, "B"); ok {
		parts = append(parts, fmt.Sprintf("PUSH %s events/s vs baseline %s/s (%.3f×)", count(d.Rate()), count(base.Rate()), d.Rate()/base.Rate()))
	}
	st, okS := r.find(r.pull, "store")
	if okS {
		s := fmt.Sprintf("PULL %s events/s at the store", count(st.Rate()))
		if ht, ok := r.find(r.pull, "http"); ok {
			s += fmt.Sprintf(", %s/s over HTTP (%.2f×)", count(ht.Rate()), ht.Rate()/st.Rate())
		}
		parts = append(parts, s)
	}
	var ins []string
	for _, x := range r.inserts {
		ins = append(ins, count(x.Rate()))
	}
	if len(ins) > 0 {
		parts = append(parts, "recording "+strings.Join(ins, "/")+" events/s")
	}
	var dups, lost, errs int
	for _, x := range append(append([]result{}, r.push...), r.pull...) {
		dups += x.Duplicates()
		lost += x.Lost()
		errs += x.Errors
	}
	parts = append(parts, fmt.Sprintf("duplicates %d, lost %d, errors %d", dups, lost, errs))
	return strings.Join(parts, "; ")
}

// verdict turns lost events, errors and a database that disagrees with the
// receiver into an error (exit 1). Slow figures are no error.
func (r *report) verdict() error {
	var errs []error
	for _, x := range append(append([]result{}, r.push...), r.pull...) {
		if x.Lost() > 0 {
			errs = append(errs, fmt.Errorf("run %s: %d of %d events lost (not delivered within -timeout)", x.Run, x.Lost(), x.Events))
		}
		if x.Errors > 0 {
			errs = append(errs, fmt.Errorf("run %s: %d errors, first: %v", x.Run, x.Errors, x.FirstErr))
		}
		if !x.CheckOK {
			errs = append(errs, fmt.Errorf("run %s: the database disagrees: %s", x.Run, x.Check))
		}
	}
	return errors.Join(errs...)
}

func newTable(w io.Writer, requests, conns string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "run\t events/s\t1st half → 2nd half\ttime\tdone\tduplicates\tlost\t%s\t%s\terrors\tCPU µs/event\t CPU cores\t check\t\n", requests, conns)
	return tw
}

func row(tw io.Writer, x result, requests, conns string) {
	var cpu []string
	for i, c := range x.Cores {
		cpu = append(cpu, fmt.Sprintf("%s %.2f", x.CPUNames[i], c))
	}
	cpu = append(cpu, fmt.Sprintf("others %.2f", x.Others))
	halves := "-"
	if h1, h2 := x.Halves(); h1 > 0 {
		halves = count(h1) + " → " + count(h2)
	}
	fmt.Fprintf(tw, "%s\t %s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%d\t%.0f\t %s\t %s\t\n", x.Run, count(x.Rate()), halves, secs(x.Elapsed),
		x.Done, x.Duplicates(), x.Lost(), requests, conns, x.Errors, x.cpuPerEvent().Seconds()*1e6,
		strings.Join(cpu, ", "), x.Check)
}

// legend names what each run of a table did, once per distinct label.
func legend(w io.Writer, runs []result) {
	seen := map[string]bool{}
	for _, x := range runs {
		if seen[x.Label] {
			continue
		}
		seen[x.Label] = true
		var names []string
		for _, y := range runs {
			if y.Label == x.Label {
				names = append(names, y.Run)
			}
		}
		fmt.Fprintf(w, "  %s: %s\n", strings.Join(names, ", "), x.Label)
	}
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "s" }

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

package benchkit

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Progress prints what a benchmark is doing, with the time since it
// started, to a writer of its own (stderr), so that stdout holds only the
// report.
type Progress struct {
	w  io.Writer
	t0 time.Time
}

// NewProgress starts the clock of a benchmark's progress lines.
func NewProgress(w io.Writer) Progress { return Progress{w: w, t0: time.Now()} }

// Printf prints one progress line.
func (p Progress) Printf(format string, args ...any) {
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.t0).Seconds(), fmt.Sprintf(format, args...))
}

// LoadAverage returns the 1-minute load average, or -1.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// Environment describes the machine and, when bin is set, the openvod
// build, for a report's header.
func Environment(bin string) string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimLeft(v, " \t:"))
				break
			}
		}
	}
	s := fmt.Sprintf("%s %s/%s, %d CPUs (%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model)
	if bin != "" {
		rev := "openvod (unknown version)"
		if out, err := exec.Command(bin, "version").Output(); err == nil {
			rev = strings.TrimSpace(string(out))
		}
		s += ", " + rev
	}
	return s
}

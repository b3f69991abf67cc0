// Package cpumeter measures the CPU time of processes and of the whole
// machine from /proc, so benchmarks can report how much of the 2 cores
// their contestants and everything else used during a run.
package cpumeter

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat; it
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// Time reads the user+system CPU time of a process (all its threads)
// from /proc/<pid>/stat; pid 0 means this process.
func Time(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; fields follow the
	// last ')': state is field 3, utime 14 and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed " + path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("malformed " + path)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed " + path)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// MachineBusy reads the CPU time all processes of the machine have used
// (the first line of /proc/stat: everything but idle and iowait).
func MachineBusy() time.Duration {
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

// Meter measures the cores a set of processes, and the rest of the
// machine, use over an interval.
type Meter struct {
	pids  []int
	start []time.Duration
	busy  time.Duration
	t0    time.Time
}

// Start begins measuring the given processes (0 means this one).
func Start(pids ...int) *Meter {
	m := &Meter{pids: pids, start: make([]time.Duration, len(pids)), t0: time.Now(), busy: MachineBusy()}
	for i, pid := range pids {
		m.start[i], _ = Time(pid)
	}
	return m
}

// Cores returns, per process, the CPU time used since Start divided by
// the wall time (1.0 is one core kept busy), and the same figure for every
// other process of the machine together.
func (m *Meter) Cores() (cores []float64, others float64) {
	wall := time.Since(m.t0).Seconds()
	cores = make([]float64, len(m.pids))
	if wall <= 0 {
		return cores, 0
	}
	var ours float64
	for i, pid := range m.pids {
		if t, err := Time(pid); err == nil {
			cores[i] = (t - m.start[i]).Seconds() / wall
			ours += cores[i]
		}
	}
	others = max((MachineBusy()-m.busy).Seconds()/wall-ours, 0)
	return cores, others
}

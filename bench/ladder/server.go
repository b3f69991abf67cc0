package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
	"github.com/openvod/openvod/bench/internal/cpumeter"
)

// The shared pieces, under the names this program uses.
type (
	creds  = benchkit.Creds
	server = benchkit.Server
)

var newCreds = benchkit.NewCreds

// startServer runs `openvod serve` on a free loopback port with one worker
// at the given niceness for its ffmpeg, and waits until it serves.
func startServer(ctx context.Context, bin, dataDir string, nice int, c creds) (*server, error) {
	return benchkit.StartServer(ctx, bin, c, "--data", dataDir, "--no-rate-limit", "--allow-private-pull",
		"--workers", "1", "--role", "all", "--nice", strconv.Itoa(nice))
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

// machineBusy is the CPU time every process of the machine has used.
var machineBusy = cpumeter.MachineBusy

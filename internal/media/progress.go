package media

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Progress is one block of ffmpeg's -progress output. ffmpeg writes a block
// every -stats_period (0.5 s by default) and a last one, with Done set, when
// it finishes normally.
type Progress struct {
	Frame   int64   // frames written to the first output so far
	FPS     float64 // current encoding rate in frames per second
	OutTime float64 // output position in seconds
	Size    int64   // bytes written so far (total_size)
	Speed   float64 // output seconds per wall-clock second; 0 when unknown
	Done    bool    // progress=end: ffmpeg finished its outputs
}

// readProgress parses ffmpeg's -progress key=value stream from r and calls
// fn once per block, until r ends. Keys it does not know are ignored, and
// values ffmpeg reports as N/A leave the previous value in place.
func readProgress(r io.Reader, fn func(Progress)) error {
	var (
		p       Progress
		haveUS  bool // out_time_us seen in this block: it wins over the rest
		scanner = bufio.NewScanner(r)
	)
	for scanner.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(scanner.Text()), "=")
		if !ok {
			continue
		}
		switch key {
		case "frame":
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				p.Frame = n
			}
		case "fps":
			if f, err := strconv.ParseFloat(val, 64); err == nil {
				p.FPS = f
			}
		case "total_size":
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				p.Size = n
			}
		case "out_time_us":
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				p.OutTime = max(float64(n)/1e6, 0)
				haveUS = true
			}
		case "out_time_ms":
			// Microseconds despite the name (ffmpeg keeps it for compatibility).
			if n, err := strconv.ParseInt(val, 10, 64); err == nil && !haveUS {
				p.OutTime = max(float64(n)/1e6, 0)
			}
		case "out_time":
			if t, ok := parseClock(val); ok && !haveUS {
				p.OutTime = max(t, 0)
			}
		case "speed":
			if f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), "x"), 64); err == nil {
				p.Speed = f
			} else {
				p.Speed = 0
			}
		case "progress":
			p.Done = val == "end"
			if fn != nil {
				fn(p)
			}
			haveUS = false
		}
	}
	return scanner.Err()
}

// parseClock parses [-]HH:MM:SS[.frac] into seconds.
func parseClock(s string) (float64, bool) {
	neg := strings.HasPrefix(s, "-")
	parts := strings.Split(strings.TrimPrefix(s, "-"), ":")
	if len(parts) != 3 {
		return 0, false
	}
	var t float64
	for _, part := range parts {
		f, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, false
		}
		t = t*60 + f
	}
	if neg {
		t = -t
	}
	return t, true
}

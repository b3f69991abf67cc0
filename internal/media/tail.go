package media

import (
	"bytes"
	"strings"
)

// Bounds of the stderr tail kept for an ExitError.
const (
	stderrTailBytes = 4 << 10
	stderrTailLines = 20
)

// tailBuffer is an io.Writer that keeps only the last max bytes written to
// it, so a chatty or endless stderr costs a fixed amount of memory. It is
// not safe for concurrent use.
type tailBuffer struct {
	max     int
	buf     []byte
	dropped bool // bytes were discarded from the front
}

func newTailBuffer(max int) *tailBuffer {
	return &tailBuffer{max: max, buf: make([]byte, 0, max)}
}

// Write keeps the newest bytes of p and of what was written before.
func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		t.dropped = true
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.dropped = true
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// String returns the last maxLines complete lines kept, without the partial
// line left at the front by discarding and without the final newline.
func (t *tailBuffer) String(maxLines int) string {
	b := bytes.ReplaceAll(t.buf, []byte("\r"), []byte("\n"))
	if t.dropped {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			b = nil
		}
	}
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	return strings.Join(lines, "\n")
}

package media

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

var (
	// ErrInvalidMedia matches every error saying that an input is not usable
	// media: empty, unreadable by ffprobe, truncated, failing to decode, or
	// holding no audio or video. Failures of the machine (ffmpeg missing, a
	// cancelled context, a signal) never match it.
	ErrInvalidMedia = errors.New("invalid media")

	// ErrNoMedia matches a file ffprobe reads but that has no audio or video
	// stream (a subtitle file, for instance). It also matches ErrInvalidMedia.
	ErrNoMedia = fmt.Errorf("%w: no audio or video stream", ErrInvalidMedia)

	// ErrInvalidSpec matches an output description this package cannot
	// carry out: an unknown codec, container or fill type, a codec the
	// container cannot hold, a trim that ends before it starts. Template
	// validation should have caught it; the message names the culprit.
	ErrInvalidSpec = errors.New("invalid output spec")

	// ErrNoStream matches an output that needs a kind of stream the source
	// lacks: an mp3 from a silent video, a snapshot of an audio file.
	ErrNoStream = errors.New("the source has no stream for the output")

	// ErrOffsetBeyondDuration matches a time offset (a snapshot, a trim
	// start, a cover position) at or past the end of the source, which
	// would otherwise make ffmpeg succeed without writing anything.
	ErrOffsetBeyondDuration = errors.New("time offset beyond the duration")

	// ErrEmptyOutput matches a run that exited with success but left an
	// output missing or empty.
	ErrEmptyOutput = errors.New("ffmpeg wrote no output")
)

// InvalidMediaError says why an input is not usable media. Reason is in
// ffmpeg's own words with local paths and log addresses removed, so it may
// be shown to the client that uploaded the file. It matches ErrInvalidMedia
// with errors.Is, and unwraps to the *ExitError of the failed run (or to
// ErrNoMedia) when there is one.
type InvalidMediaError struct {
	Reason string
	Err    error
}

// Error returns "invalid media: " and the reason.
func (e *InvalidMediaError) Error() string { return "invalid media: " + e.Reason }

// Is reports whether target is ErrInvalidMedia.
func (e *InvalidMediaError) Is(target error) bool { return target == ErrInvalidMedia }

// Unwrap returns the underlying failure, which may be nil.
func (e *InvalidMediaError) Unwrap() error { return e.Err }

// ExitError is an ffmpeg or ffprobe run that ended without success: a
// non-zero exit status or death by a signal. Stderr holds the last lines
// the program wrote (at most stderrTailBytes bytes and stderrTailLines
// lines), enough to say what went wrong without keeping a whole log.
type ExitError struct {
	Program  string         // "ffmpeg" or "ffprobe"
	Args     []string       // the arguments as run, without the program
	ExitCode int            // exit status; -1 when killed by a signal
	Signal   syscall.Signal // the signal that ended it, 0 if it exited
	Stderr   string         // tail of stderr
}

// Error is concise: "ffmpeg exited with status 1: Unknown encoder 'x'",
// naming the first meaningful stderr line, which with ffmpeg's error log
// level is the root cause rather than its consequences.
func (e *ExitError) Error() string {
	var b strings.Builder
	if e.Signal != 0 {
		fmt.Fprintf(&b, "%s killed by signal %d (%v)", e.Program, int(e.Signal), e.Signal)
	} else {
		fmt.Fprintf(&b, "%s exited with status %d", e.Program, e.ExitCode)
	}
	if lines := e.lines(true); len(lines) > 0 {
		b.WriteString(": ")
		b.WriteString(lines[0])
	}
	return b.String()
}

// reason summarises stderr for a client: up to three meaningful lines,
// without log contexts or any of the run's arguments (paths) in front.
func (e *ExitError) reason() string {
	lines := e.lines(false)
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	if len(lines) == 0 {
		return e.Error()
	}
	return strings.Join(lines, "; ")
}

func (e *ExitError) lines(keepContext bool) []string {
	return meaningfulLines(e.Stderr, e.Args, keepContext)
}

// meaningfulLines cleans an ffmpeg stderr tail: blank lines and generic
// trailers go, "[libx264 @ 0x55d0c3a1] msg" becomes "[libx264] msg" (or
// "msg" without keepContext), a leading "<arg>: " naming one of the run's
// arguments is dropped, and repeats of the previous line are skipped.
func meaningfulLines(stderr string, args []string, keepContext bool) []string {
	var out []string
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		if line == "" || line == "Conversion failed!" || strings.HasPrefix(line, "Svt[info]") {
			continue // SVT-AV1 prints its banner whatever the log level
		}
		line = cleanContext(line, keepContext)
		for _, a := range args {
			if len(a) > 1 && !isOption(a) && strings.HasPrefix(line, a+": ") {
				line = line[len(a)+2:]
				break
			}
		}
		if line == "" || (len(out) > 0 && out[len(out)-1] == line) {
			continue
		}
		out = append(out, line)
	}
	return out
}

// cleanContext rewrites the "[name @ 0xADDR] " prefix of an ffmpeg log line.
func cleanContext(line string, keep bool) string {
	if !strings.HasPrefix(line, "[") {
		return line
	}
	end := strings.Index(line, "] ")
	if end < 0 {
		return line
	}
	name, addr, ok := strings.Cut(line[1:end], " @ ")
	if !ok || !strings.HasPrefix(addr, "0x") {
		return line
	}
	rest := strings.TrimSpace(line[end+2:])
	if !keep {
		return rest
	}
	return "[" + name + "] " + rest
}

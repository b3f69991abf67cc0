// Package media runs ffmpeg and ffprobe for OpenVOD and reads what they say.
//
// One Runner executes every ffmpeg and ffprobe invocation: as an argument
// list (never through a shell), in its own process group, at a lower
// scheduling priority when asked, with progress read from -progress pipe:1
// and the tail of stderr kept for a typed *ExitError. Cancelling the
// context interrupts the whole group, kills it after a bounded grace and
// reaps it before the call returns, so no ffmpeg outlives its task.
//
// Argument lists are built by pure functions (see args.go) and checked by
// table tests that compare []string slices.
//
// Inputs that ffmpeg cannot use are reported as errors matching
// ErrInvalidMedia (and ErrNoMedia when a readable file holds no audio or
// video); *InvalidMediaError carries ffmpeg's reason with local paths
// removed, fit to show a client.
package media

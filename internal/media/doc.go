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
// The media processing of a task is planned the same way: a Plan* function
// turns a spec (this package's own types; the service converts templates
// into them) and the source's Probe into a Plan, the arguments of one
// ffmpeg run and the outputs it writes, which RunPlan runs and checks.
// PlanLadder writes every transcode of a source from one decode, split
// into a scaling chain per output inside -filter_complex; PlanAdaptive
// packages renditions as HLS (optionally AES-128 encrypted, see
// WriteHLSKey) or DASH, again from one decode; PlanSnapshots,
// PlanSampleSnapshots, PlanSprites (with SpriteVTT for the WebVTT index)
// and PlanAnimation make still and animated images. Errors match
// ErrInvalidSpec, ErrNoStream or ErrOffsetBeyondDuration before anything
// runs, and ErrEmptyOutput when ffmpeg succeeds without writing.
//
// Inputs that ffmpeg cannot use are reported as errors matching
// ErrInvalidMedia (and ErrNoMedia when a readable file holds no audio or
// video); *InvalidMediaError carries ffmpeg's reason with local paths
// removed, fit to show a client.
package media

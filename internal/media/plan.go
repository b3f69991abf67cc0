package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxSequenceFiles bounds SequenceFiles, far above any real sample or
// sprite count.
const maxSequenceFiles = 100_000

// Plan is one ffmpeg run and what it writes, as built by the Plan*
// functions from a spec and the source's probe. Run it with RunPlan.
type Plan struct {
	// Args is the argument list for Runner.Run.
	Args []string

	// Duration is the length in seconds of the longest output, the scale
	// of Progress.OutTime; 0 for image outputs.
	Duration float64

	// Outputs lists what the run writes, in the order of the spec.
	Outputs []Output

	// Manifest is the HLS master playlist or DASH manifest of an adaptive
	// streaming plan; empty otherwise.
	Manifest string
}

// Output is one file, playlist or numbered file sequence a Plan writes.
type Output struct {
	// Path is the file; for HLS, the media playlist beside its segments;
	// for a DASH rendition, the manifest; for a Sequence, the file name
	// pattern with one %d, numbered from 0.
	Path string

	// Sequence marks numbered files (sample snapshots, sprite sheets); list
	// them after the run with SequenceFiles.
	Sequence bool

	// Width and Height are the frame size of the video or images; 0 when
	// the output has no video.
	Width, Height int

	// Video and Audio report which kinds of stream the output carries.
	Video, Audio bool

	// Fps is the frame rate of the video; 0 when it keeps a variable rate.
	Fps float64

	// Offset is, for a snapshot, the time in the source the frame is taken
	// at: the requested time, moved back onto the last frame when it fell
	// between the last frame and the end.
	Offset float64
}

// RunPlan runs p with Run, then checks that every output exists and is
// not empty (for a sequence, its first file), so that ffmpeg's silent
// successes, such as a seek past the last frame, become errors matching
// ErrEmptyOutput.
func (r *Runner) RunPlan(ctx context.Context, p *Plan, onProgress func(Progress)) error {
	if err := r.Run(ctx, p.Args, onProgress); err != nil {
		return err
	}
	return p.check()
}

// check verifies that the plan's outputs exist and are not empty.
func (p *Plan) check() error {
	paths := make([]string, 0, len(p.Outputs)+1)
	if p.Manifest != "" {
		paths = append(paths, p.Manifest)
	}
	for _, o := range p.Outputs {
		if o.Sequence {
			paths = append(paths, fmt.Sprintf(o.Path, 0))
		} else {
			paths = append(paths, o.Path)
		}
	}
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() > 0 {
			continue
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return fmt.Errorf("%w: %s", ErrEmptyOutput, filepath.Base(path))
	}
	return nil
}

// SequenceFiles returns the files of a numbered sequence written by a
// plan: pattern formatted with 0, 1, 2, ... for as long as the files exist.
func SequenceFiles(pattern string) ([]string, error) {
	if strings.Count(pattern, "%") != 1 {
		return nil, fmt.Errorf("%w: sequence pattern %q needs exactly one %%d", ErrInvalidSpec, pattern)
	}
	var files []string
	for i := range maxSequenceFiles {
		path := fmt.Sprintf(pattern, i)
		_, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return files, nil
}

// inputArgs returns the options and -i of one input: local protocols
// only, and a seek to start and a stop at end seconds when above zero.
func inputArgs(in string, start, end float64) []string {
	var a []string
	if start > 0 {
		a = append(a, "-ss", formatSeconds(start))
	}
	if end > 0 {
		a = append(a, "-to", formatSeconds(end))
	}
	return append(a, "-protocol_whitelist", localProtocols, "-i", in)
}

// streamRef returns the input stream specifier "k:index" of a probed stream.
func streamRef(input, index int) string {
	return fmt.Sprintf("%d:%d", input, index)
}

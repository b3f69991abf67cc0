package media

import (
	"context"
	"fmt"
)

// Verify decodes every audio and video stream of the local file at path
// and fails at the first error, to find files that stop decoding partway:
// an upload cut short after its mp4 index, a damaged packet. It runs
// through Run (so at Nice, within Threads, cancellable) and costs one
// decode of the file with no encode, typically tens of times faster than
// real time.
//
// A file that fails gives an error matching ErrInvalidMedia whose
// *InvalidMediaError reason starts "decoding failed: " and gives ffmpeg's
// words, e.g. "decoding failed: Invalid NAL unit size (1233 > 756).;
// missing picture in access unit with size 760; corrupt input packet in
// stream 0". Missing files, a missing ffmpeg or a cancelled ctx are other
// errors.
func (r *Runner) Verify(ctx context.Context, path string) error {
	abs, err := inputFile(path)
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	err = r.Run(ctx, VerifyArgs(abs), nil)
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, invalidMedia(err, "decoding failed: "))
	}
	return nil
}

// Package blob stores media objects (sources, renditions, HLS/DASH segments,
// snapshots, subtitles) on a local directory or an S3-compatible bucket,
// builds their public URLs and serves them over HTTP with Range support.
//
// A Store wraps one gocloud.dev/blob bucket. Everything that must behave the
// same on every backend lives once in Store: key checks (ValidKey), error
// mapping (ErrNotFound, ErrInvalidKey), content types, atomic writes, staged
// publishing and the HTTP handler. What differs is small: a file:// store
// keeps objects as plain files, so it can hand their paths to ffmpeg
// (LocalPath), publish by renaming directories and serve with an *os.File;
// an s3:// store copies and deletes, and serves through ranged GETs.
//
// # Keys
//
// Keys are slash-separated relative paths such as
// "1500000001/5285890781234567890/f0.mp4". ValidKey rejects anything that
// could escape the bucket or name a backend's private file: every method
// checks its keys, and the Handler answers 404 for an invalid key.
//
// # Visibility
//
// Writes are atomic: a reader sees the previous object (or ErrNotFound) until
// the writer's Close succeeds, then the whole new object, never a prefix of
// it. A task writes its outputs under StagingPrefix and makes them visible
// with Publish once all are complete. The Handler never serves keys under
// StagingPrefix or PrivatePrefix, nor keys for which Config.HiddenFunc
// reports true, nor the temporary files that a file:// store keeps beside a
// key while writing it.
package blob

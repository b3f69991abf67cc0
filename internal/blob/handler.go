package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"

	"gocloud.dev/blob"
)

// Handler serves GET and HEAD of objects: the URL path after prefix (for
// example "/files") is the key. It answers Range requests (206 with
// Content-Range; several ranges give multipart/byteranges), conditional
// requests (If-None-Match, If-Modified-Since → 304; If-Match,
// If-Unmodified-Since → 412) with the object's ETag and Last-Modified, and
// sets Content-Type and X-Content-Type-Options: nosniff.
//
// It answers 404 for missing objects, for keys ValidKey rejects (traversal
// attempts, dot files, fileblob's ".attrs" sidecars, directories: a path
// ending in "/" is never a key), for keys under StagingPrefix or
// PrivatePrefix, for keys Config.HiddenFunc hides and for the temporary files
// of writes in progress; and 405 for any other method. A file store serves
// regular files only, never symbolic links.
//
// Mounted on an http.ServeMux, requests reach it with cleaned paths; it does
// not rely on that.
func (s *Store) Handler(prefix string) http.Handler {
	prefix = strings.TrimSuffix(prefix, "/") + "/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		key, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || ValidKey(key) != nil || s.isHidden(key) {
			http.NotFound(w, r)
			return
		}
		err := s.serve(w, r, key)
		switch {
		case err == nil:
		case errors.Is(err, ErrNotFound):
			http.NotFound(w, r)
		default:
			s.log.ErrorContext(r.Context(), "blob: serve failed", "key", key, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

// isHidden reports whether the Handler must not serve key.
func (s *Store) isHidden(key string) bool {
	return strings.HasPrefix(key, StagingPrefix) ||
		strings.HasPrefix(key, PrivatePrefix) ||
		isTempName(key) ||
		s.hidden != nil && s.hidden(key)
}

// serve writes the object at key; it returns an error only before it has
// written anything.
func (s *Store) serve(w http.ResponseWriter, r *http.Request, key string) error {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if path, ok := s.LocalPath(key); ok {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !fi.Mode().IsRegular() {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		defer f.Close()
		// Stat the open file: the path may have been replaced since Lstat.
		if fi, err = f.Stat(); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return ErrNotFound
		}
		h.Set("Content-Type", ContentType(key))
		h.Set("ETag", fileETag(fi.ModTime(), fi.Size()))
		http.ServeContent(w, r, "", fi.ModTime(), f)
		return nil
	}
	a, err := s.Attributes(r.Context(), key)
	if err != nil {
		return err
	}
	h.Set("Content-Type", a.ContentType)
	if a.ETag != "" {
		h.Set("ETag", a.ETag)
	}
	rs := &rangeReader{ctx: r.Context(), bucket: s.bucket, key: key, size: a.Size}
	defer rs.Close()
	http.ServeContent(w, r, "", a.ModTime, rs)
	return nil
}

// rangeReader is an io.ReadSeeker over a remote object of known size for
// http.ServeContent. Seeking is free; the first Read after a seek opens one
// ranged GET from that offset to the end of the object.
type rangeReader struct {
	ctx    context.Context
	bucket *blob.Bucket
	key    string
	size   int64
	off    int64
	r      *blob.Reader // open at off, or nil
}

func (rr *rangeReader) Read(p []byte) (int, error) {
	if rr.off >= rr.size {
		return 0, io.EOF
	}
	if rr.r == nil {
		r, err := rr.bucket.NewRangeReader(rr.ctx, rr.key, rr.off, rr.size-rr.off, nil)
		if err != nil {
			return 0, wrapErr("read", rr.key, err)
		}
		rr.r = r
	}
	n, err := rr.r.Read(p)
	rr.off += int64(n)
	return n, err
}

func (rr *rangeReader) Seek(offset int64, whence int) (int64, error) {
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += rr.off
	case io.SeekEnd:
		abs += rr.size
	default:
		return rr.off, fmt.Errorf("blob: seek %s: invalid whence %d", rr.key, whence)
	}
	if abs < 0 {
		return rr.off, fmt.Errorf("blob: seek %s: negative offset %d", rr.key, abs)
	}
	if abs != rr.off {
		rr.Close()
		rr.off = abs
	}
	return abs, nil
}

// Close closes the open GET, if any.
func (rr *rangeReader) Close() {
	if rr.r != nil {
		_ = rr.r.Close()
		rr.r = nil
	}
}

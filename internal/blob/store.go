package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Store holds media objects under keys like
// "1500000001/5285890781234567890/f0.mp4". It is safe for concurrent use.
type Store struct {
	bucket *blob.Bucket
	// dir is the directory holding the objects of a file:// store as plain
	// files ("" for S3).
	dir    string
	hidden func(key string) bool
	log    *slog.Logger
}

// Attrs describes a stored object.
type Attrs struct {
	// Size is the length in bytes.
	Size int64
	// ModTime is when the object was last written.
	ModTime time.Time
	// ContentType is the type stored with the object (S3) or the one its
	// extension implies (file stores, or S3 objects stored without one).
	ContentType string
	// ETag is a quoted entity tag that changes when the object does.
	ETag string
}

// parallelism bounds concurrent requests of bulk operations (DeletePrefix,
// Publish) on stores that work object by object.
const parallelism = 8

// Close releases the store's resources.
func (s *Store) Close() error {
	return s.bucket.Close()
}

// wrapErr adds op and key to err and maps the backend's "not found" to
// ErrNotFound.
func wrapErr(op, key string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound || errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}

// NewWriter returns a writer that stores what is written under key;
// contentType "" means ContentType(key). Nothing is visible under key until
// Close returns nil: a file store writes a temporary file beside the key and
// renames it on Close, S3 completes the upload on Close. To abort, cancel
// ctx and then call Close, which returns an error and leaves any previous
// object in place. Close must be called in either case. ctx must stay alive
// until Close returns.
func (s *Store) NewWriter(ctx context.Context, key, contentType string) (io.WriteCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, fmt.Errorf("blob: write: %w", err)
	}
	if contentType == "" {
		contentType = ContentType(key)
	}
	w, err := s.bucket.NewWriter(ctx, key, &blob.WriterOptions{ContentType: contentType})
	if err != nil {
		return nil, wrapErr("write", key, err)
	}
	return w, nil
}

// Put stores what r yields under key, atomically (see NewWriter), and returns
// the number of bytes stored. contentType "" means ContentType(key). When
// reading r fails, nothing is stored.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.NewWriter(ctx, key, contentType)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		cancel()
		_ = w.Close()
		return n, wrapErr("put", key, err)
	}
	if err := w.Close(); err != nil {
		return n, wrapErr("put", key, err)
	}
	return n, nil
}

// PutFile stores the local file at path under key (see Put), with the type
// ContentType(key).
func (s *Store) PutFile(ctx context.Context, key, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	defer f.Close()
	return s.Put(ctx, key, f, "")
}

// Get opens the object at key for reading; the caller closes it. A missing
// object gives an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, fmt.Errorf("blob: get: %w", err)
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, wrapErr("get", key, err)
	}
	return r, nil
}

// Download copies the object at key to the local file path, which appears
// only once complete (written beside it, then renamed).
func (s *Store) Download(ctx context.Context, key, path string) (err error) {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("blob: download: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("blob: download %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := s.bucket.Download(ctx, key, f, nil); err != nil {
		return wrapErr("download", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("blob: download %s: %w", key, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("blob: download %s: %w", key, err)
	}
	return nil
}

// LocalPath returns the file that holds key in a file:// store, so that
// ffmpeg can read it in place; the file need not exist. It returns false for
// S3 stores and for invalid keys.
func (s *Store) LocalPath(key string) (string, bool) {
	if s.dir == "" || ValidKey(key) != nil {
		return "", false
	}
	return s.filePath(key), true
}

// filePath is the file of key in a file store, for keys known to be safe.
func (s *Store) filePath(key string) string {
	return filepath.Join(s.dir, filepath.FromSlash(key))
}

// Attributes describes the object at key; a missing one gives an error
// wrapping ErrNotFound.
func (s *Store) Attributes(ctx context.Context, key string) (Attrs, error) {
	if err := ValidKey(key); err != nil {
		return Attrs{}, fmt.Errorf("blob: attributes: %w", err)
	}
	a, err := s.bucket.Attributes(ctx, key)
	if err != nil {
		return Attrs{}, wrapErr("attributes", key, err)
	}
	at := Attrs{Size: a.Size, ModTime: a.ModTime, ContentType: a.ContentType, ETag: a.ETag}
	if s.dir != "" {
		// fileblob reports a default type when it has no sidecar.
		at.ContentType = ContentType(key)
		at.ETag = fileETag(a.ModTime, a.Size)
	} else if at.ContentType == "" {
		at.ContentType = ContentType(key)
	}
	return at, nil
}

// fileETag is the entity tag of a file store's object: its modification time
// and size, as fileblob computes it.
func fileETag(mod time.Time, size int64) string {
	return fmt.Sprintf(`"%x-%x"`, mod.UnixNano(), size)
}

// Delete removes the object at key; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return s.delete(ctx, key)
}

func (s *Store) delete(ctx context.Context, key string) error {
	if err := s.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return wrapErr("delete", key, err)
	}
	return nil
}

// Copy stores a copy of the object at src under dst, replacing any object
// there. A missing src gives an error wrapping ErrNotFound.
func (s *Store) Copy(ctx context.Context, dst, src string) error {
	if err := ValidKey(src); err != nil {
		return fmt.Errorf("blob: copy: %w", err)
	}
	if err := ValidKey(dst); err != nil {
		return fmt.Errorf("blob: copy: %w", err)
	}
	if err := s.bucket.Copy(ctx, dst, src, nil); err != nil {
		return wrapErr("copy", src+" to "+dst, err)
	}
	return nil
}

// List returns the keys under prefix in lexical order; prefix "" lists the
// whole store. A non-empty prefix names a directory: "a/b" lists "a/b/..."
// and not "a/bc". Temporary files of writes in progress are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if prefix != "" {
		var err error
		if prefix, err = dirPrefix(prefix); err != nil {
			return nil, fmt.Errorf("blob: list: %w", err)
		}
	}
	all, err := s.list(ctx, prefix)
	if err != nil {
		return nil, err
	}
	keys := all[:0]
	for _, k := range all {
		if !isTempName(k) && ValidKey(k) == nil {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// list returns every key under prefix, temporary files included, sorted.
func (s *Store) list(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapErr("list", prefix, err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// DeletePrefix removes every object under prefix, which names a directory
// ("a/b" removes "a/b/..." but not "a/bc"); the whole store cannot be
// removed this way. On a file store it also removes the directories left
// empty, and fails the writes still in progress under prefix.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	prefix, err := dirPrefix(prefix)
	if err != nil {
		return fmt.Errorf("blob: delete prefix: %w", err)
	}
	keys, err := s.list(ctx, prefix)
	if err != nil {
		return err
	}
	err = forEach(ctx, keys, func(ctx context.Context, key string) error {
		return s.delete(ctx, key)
	})
	if dir, ok := s.LocalPath(strings.TrimSuffix(prefix, "/")); ok {
		pruneDirs(dir)
	}
	return err
}

// forEach calls fn for every key, up to parallelism at a time, and returns
// the first error; after an error no new call starts.
func forEach(ctx context.Context, keys []string, fn func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	sem := make(chan struct{}, parallelism)
	for _, key := range keys {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, key); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// pruneDirs removes the empty directories in the tree at root, root
// included. Directories that are not empty stay.
func pruneDirs(root string) {
	var dirs []string
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	for _, d := range slices.Backward(dirs) {
		_ = os.Remove(d)
	}
}

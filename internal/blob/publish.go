package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Publish moves every object under stagingPrefix to the same relative key
// under finalPrefix, replacing objects of the same name there; both prefixes
// name directories and must not overlap. A task writes its outputs under
// StagingPrefix and publishes them once all are complete, so that none is
// visible before the others.
//
// On a file store, when nothing exists at finalPrefix yet, the staging
// directory is renamed in one step, so the outputs appear together;
// otherwise each file is renamed. On S3 every object is copied, and the
// staged objects are deleted only once all copies succeeded. Either way
// Publish can be retried after a failure, and publishing an empty (or
// already published) staging prefix does nothing.
func (s *Store) Publish(ctx context.Context, stagingPrefix, finalPrefix string) error {
	from, err := dirPrefix(stagingPrefix)
	if err != nil {
		return fmt.Errorf("blob: publish: staging %w", err)
	}
	to, err := dirPrefix(finalPrefix)
	if err != nil {
		return fmt.Errorf("blob: publish: final %w", err)
	}
	if strings.HasPrefix(from, to) || strings.HasPrefix(to, from) {
		return fmt.Errorf("blob: publish %s to %s: %w: the prefixes overlap", from, to, ErrInvalidKey)
	}
	if s.dir != "" {
		return s.publishFiles(ctx, from, to)
	}
	keys, err := s.list(ctx, from)
	if err != nil {
		return err
	}
	if err := forEach(ctx, keys, func(ctx context.Context, key string) error {
		if isTempName(key) {
			return nil
		}
		dst := to + strings.TrimPrefix(key, from)
		if err := s.bucket.Copy(ctx, dst, key, nil); err != nil {
			return wrapErr("publish", key, err)
		}
		return nil
	}); err != nil {
		return err
	}
	return forEach(ctx, keys, func(ctx context.Context, key string) error {
		return s.delete(ctx, key)
	})
}

// publishFiles is Publish on a file store: renames, no copies.
func (s *Store) publishFiles(ctx context.Context, from, to string) error {
	src := s.filePath(strings.TrimSuffix(from, "/"))
	dst := s.filePath(strings.TrimSuffix(to, "/"))
	if fi, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir() {
		return nil // nothing staged
	}
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return fmt.Errorf("blob: publish %s: %w", to, err)
		}
		err := os.Rename(src, dst)
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			// Published, or nothing staged.
			return nil
		}
		// dst appeared meanwhile, or cannot take a rename: go file by file.
	}
	keys, err := s.list(ctx, from)
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("blob: publish %s: %w", from, err)
		}
		oldPath := s.filePath(key)
		if isTempName(key) {
			_ = os.Remove(oldPath)
			continue
		}
		newPath := filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(key, from)))
		if err := os.MkdirAll(filepath.Dir(newPath), 0o777); err != nil {
			return fmt.Errorf("blob: publish %s: %w", key, err)
		}
		if err := os.Rename(oldPath, newPath); err != nil {
			return wrapErr("publish", key, err)
		}
	}
	pruneDirs(src)
	return nil
}

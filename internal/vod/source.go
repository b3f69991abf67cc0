package vod

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
)

// localSource returns a local path of media m's original file: the stored
// file itself on local storage, else a download into work (which the
// caller removes).
func (s *Service) localSource(ctx context.Context, m *store.Media, work string) (string, error) {
	if src, ok := s.cfg.Blob.LocalPath(m.MediaKey); ok {
		return src, nil
	}
	src := filepath.Join(work, "source-"+m.FileID)
	if err := s.cfg.Blob.Download(ctx, m.MediaKey, src); err != nil {
		return "", task.SourceError("the original file of media %s cannot be read: %v", m.FileID, err)
	}
	return src, nil
}

// taskMedia loads a media a running task works on; a media deleted since
// the task was accepted fails the task as bad input.
func (s *Service) taskMedia(ctx context.Context, subAppID uint64, fileID string) (*store.Media, error) {
	m, err := s.cfg.DB.GetMedia(ctx, subAppID, fileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, task.InvalidInput("media %s was deleted before it was processed", fileID)
	}
	return m, err
}

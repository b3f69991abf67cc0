package vod

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
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

// mediaFailure turns a probe or ffmpeg run that rejected the source (a
// file of media fileID) into a source-file failure; other errors are
// internal (retried).
func mediaFailure(err error, fileID string) error {
	var inv *media.InvalidMediaError
	if errors.As(err, &inv) {
		return task.SourceError("the original file of media %s cannot be analysed: %s", fileID, inv.Reason)
	}
	return err
}

// probeLocal probes a local file of media fileID; a file that is not
// usable media fails the task as a source error (mediaFailure).
func (s *Service) probeLocal(ctx context.Context, local, fileID string) (*media.Probe, error) {
	p, err := s.cfg.Media.Probe(ctx, local)
	if err != nil {
		return nil, mediaFailure(err, fileID)
	}
	return p, nil
}

// localProbed returns a local path of media m's original file (perhaps a
// download into work) and its probe.
func (s *Service) localProbed(ctx context.Context, m *store.Media, work string) (string, *media.Probe, error) {
	local, err := s.localSource(ctx, m, work)
	if err != nil {
		return "", nil, err
	}
	p, err := s.probeLocal(ctx, local, m.FileID)
	if err != nil {
		return "", nil, err
	}
	return local, p, nil
}

// openSource makes a work folder for a task (named prefix followed by
// random characters) and returns it with a local path of media m's
// original file and its probe. The caller removes work; on an error
// there is nothing to remove.
func (s *Service) openSource(ctx context.Context, m *store.Media, prefix string) (work, local string, p *media.Probe, err error) {
	if work, err = os.MkdirTemp(s.cfg.WorkDir, prefix); err != nil {
		return "", "", nil, err
	}
	if local, p, err = s.localProbed(ctx, m, work); err != nil {
		os.RemoveAll(work)
		return "", "", nil, err
	}
	return work, local, p, nil
}

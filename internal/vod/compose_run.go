package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// Progress of a ComposeMedia task: fetching the sources takes it to
// composeFetched, rendering to composeRendered, storing the rest.
const (
	composeFetched  = 10
	composeRendered = 95
)

func (s *Service) composeType() *task.Type {
	return &task.Type{
		Name: "ComposeMedia",
		NewResult: func(t *store.Task) (any, error) {
			var p composeParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			return &vodapi.ComposeMediaTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCode: vodapi.Ptr(int64(0)), Message: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)), Input: p.Input,
				SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: s.runCompose,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.ComposeMediaTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				r.ErrCode, r.Message, r.Progress = vodapi.Ptr(int64(0)), vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100))
				return
			}
			r.ErrCode, r.Message = vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runCompose(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p composeParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.ComposeMediaTask)
	progress := func(pct int64) { x.Update(func() { r.Progress = vodapi.Ptr(pct) }) }
	dir, err := os.MkdirTemp(s.cfg.WorkDir, "compose-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	srcs, err := s.fetchComposeSources(ctx, x.Task.SubAppID, p.Input, dir, progress)
	if err != nil {
		return nil, err
	}
	spec, apiErr := composeSpec(p.Input, srcs)
	if apiErr != nil {
		return nil, task.InvalidInput("%s", apiErr.Message)
	}
	out := filepath.Join(dir, "composed."+p.Media.MediaType)
	args, total, err := media.ComposeArgs(spec, out)
	if errors.Is(err, media.ErrInvalidSpec) || errors.Is(err, media.ErrNoStream) || errors.Is(err, media.ErrOffsetBeyondDuration) {
		return nil, task.InvalidInput("%s", composeMessage(err))
	}
	if err != nil {
		return nil, err
	}
	err = s.cfg.Media.Run(ctx, args, func(pr media.Progress) {
		frac := min(1, max(0, pr.OutTime/total))
		progress(composeFetched + int64(frac*(composeRendered-composeFetched)))
	})
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	sum, err := fileMD5(out)
	if err != nil {
		return nil, err
	}
	m, err := s.ingest(ctx, out, p.Media, sum, "VideoProcessing")
	if err != nil {
		return nil, err
	}
	m.Description = p.Description
	x.Update(func() {
		r.Output = &vodapi.ComposeMediaTaskOutput{FileType: vodapi.Ptr(m.MediaType), FileId: vodapi.Ptr(m.FileID),
			FileUrl: vodapi.Ptr(s.url(m.MediaKey)), MediaName: vodapi.Ptr(m.Name), ClassId: vodapi.Ptr(m.ClassID),
			ExpireTime: vodapi.Ptr(expireString(m.ExpireAt))}
		json.Unmarshal(m.Meta, &r.MetaData)
	})
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		err := tx.InsertMedia(ctx, m)
		if errors.Is(err, store.ErrDuplicate) {
			err = tx.UpdateMedia(ctx, m) // an earlier attempt got this far
		}
		if err != nil {
			return err
		}
		return tx.SetTaskFileID(ctx, x.Task.TaskID, m.FileID)
	}, After: s.cfg.Engine.Notify}, nil
}

// fetchComposeSources makes every source of the timeline a local file and
// probes it: stored media from storage, URLs downloaded into dir.
func (s *Service) fetchComposeSources(ctx context.Context, subAppID uint64, in *vodapi.ComposeMediaTaskInput, dir string,
	progress func(int64)) (map[string]media.ComposeSource, error) {
	list := composeSourceList(in)
	srcs := map[string]media.ComposeSource{}
	for i, src := range list {
		path, err := s.composeLocal(ctx, subAppID, src, filepath.Join(dir, fmt.Sprintf("source%d", i)), dir)
		if err != nil {
			return nil, err
		}
		probe, err := s.cfg.Media.Probe(ctx, path)
		var inv *media.InvalidMediaError
		if errors.As(err, &inv) {
			return nil, task.SourceError("SourceMedia %s is not usable media: %s", src, inv.Reason)
		}
		if err != nil {
			return nil, err
		}
		srcs[src] = probedSource(path, probe)
		progress(int64((i + 1) * composeFetched / len(list)))
	}
	return srcs, nil
}

// composeLocal returns a local path of one source: a stored media's
// original, or a URL's download into dst.
func (s *Service) composeLocal(ctx context.Context, subAppID uint64, src, dst, work string) (string, error) {
	if !isSourceURL(src) {
		m, err := s.taskMedia(ctx, subAppID, src)
		if err != nil {
			return "", err
		}
		return s.localSource(ctx, m, work)
	}
	u, err := s.checkPullURL(src)
	if err != nil {
		return "", task.InvalidInput("SourceMedia %s %s", src, err)
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.PullTimeout)
	defer cancel()
	size, _, err := s.download(dctx, u.String(), dst, s.cfg.PullMaxBytes, nil)
	if err != nil {
		return "", pullFailure("SourceMedia "+src, err, ctx)
	}
	if size == 0 {
		return "", task.SourceError("SourceMedia %s is empty (0 bytes)", src)
	}
	return dst, nil
}

// probedSource describes a local source from its probe.
func probedSource(path string, p *media.Probe) media.ComposeSource {
	src := media.ComposeSource{Path: path, Still: category(p) == "Image", Duration: p.Duration,
		Width: p.Width, Height: p.Height, HasVideo: len(p.Video) > 0, HasAudio: len(p.Audio) > 0}
	if p.Rotate == 90 || p.Rotate == 270 {
		src.Width, src.Height = src.Height, src.Width
	}
	if len(p.Video) > 0 {
		src.Fps = p.Video[0].FpsExact
	}
	if src.Still {
		src.Duration = 0
	}
	return src
}

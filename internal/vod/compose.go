package vod

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// composeParams is a ComposeMedia task's stored input: the request's
// timeline as echoed in the result, and the new media, fixed at submit
// time so that a retried attempt writes to the same place.
type composeParams struct {
	Input       *vodapi.ComposeMediaTaskInput `json:"input"`
	Media       newMedia                      `json:"media"`
	Description string                        `json:"description,omitempty"`
}

// registerCompose installs the handlers of ComposeMedia.
func (s *Service) registerCompose(srv *tcapi.Server) {
	tcapi.HandleFunc(srv, "ComposeMedia", s.ComposeMedia)
}

// composeTypes lists the task types of ComposeMedia.
func (s *Service) composeTypes() []*task.Type { return []*task.Type{s.composeType()} }

// ComposeMedia accepts a task that renders tracks of clips, sounds and
// stickers into a new media. Everything the stored media tell is checked
// here, so that a bad timeline is answered before any task exists; sources
// given as URLs are checked once downloaded.
func (s *Service) ComposeMedia(ctx context.Context, req *vodapi.ComposeMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkSession(req.SessionId, req.SessionContext); err != nil {
		return nil, err
	}
	in := &vodapi.ComposeMediaTaskInput{Tracks: req.Tracks, Canvas: req.Canvas, Output: req.Output}
	if in.Canvas == nil {
		in.Canvas = &vodapi.Canvas{Color: vodapi.Ptr("Black"), Width: vodapi.Ptr(int64(0)), Height: vodapi.Ptr(int64(0))}
	}
	// The request's own fields first, then its sources.
	if _, err := composeSpec(in, nil); err != nil {
		return nil, err
	}
	srcs, known, err := s.composeSources(ctx, app, in)
	if err != nil {
		return nil, err
	}
	if known {
		spec, err := composeSpec(in, srcs)
		if err != nil {
			return nil, err
		}
		if _, err := spec.Duration(); err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue", "%s", composeMessage(err))
		}
	}
	p, err := s.composeNewMedia(ctx, app, req.Output)
	if err != nil {
		return nil, err
	}
	p.Input = in
	params, err := json.Marshal(p)
	if err != nil {
		return nil, errInternal("encode params", err)
	}
	t := &store.Task{TaskID: task.NewID(s.cfg.AppID, "ComposeMedia"), SubAppID: app.SubAppID, TaskType: "ComposeMedia",
		SessionID: vodapi.Val(req.SessionId), SessionContext: vodapi.Val(req.SessionContext), Params: params}
	if err := s.cfg.Engine.Submit(ctx, t, nil); err != nil {
		return nil, submitErr(err, t.SessionID)
	}
	return &vodapi.ComposeMediaResponse{TaskId: vodapi.Ptr(t.TaskID)}, nil
}

// composeNewMedia checks the Output fields that describe the new media
// and fixes its FileId and folder.
func (s *Service) composeNewMedia(ctx context.Context, app *store.App, o *vodapi.ComposeMediaOutput) (composeParams, error) {
	var p composeParams
	name := vodapi.Val(o.FileName)
	if name == "" {
		return p, tcapi.Errorf("InvalidParameterValue", "Output.FileName must not be empty")
	}
	if utf8.RuneCountInString(name) > 64 {
		return p, tcapi.Errorf("InvalidParameterValue", "Output.FileName must be at most 64 characters")
	}
	p.Description = vodapi.Val(o.Description)
	if utf8.RuneCountInString(p.Description) > 128 {
		return p, tcapi.Errorf("InvalidParameterValue", "Output.Description must be at most 128 characters")
	}
	nm, err := s.checkNewMedia(ctx, app, o.FileName, o.ExpireTime, nil, nil, o.ClassId, nil, nil)
	if err != nil {
		return p, err
	}
	nm.MediaType = composeExt(o)
	p.Media = nm
	return p, nil
}

// composeExt is the file type of a composition's output.
func composeExt(o *vodapi.ComposeMediaOutput) string {
	if vodapi.Val(o.Container) == "mp3" {
		return "mp3"
	}
	return "mp4"
}

// composeSources looks up every source of the timeline: a FileId must be
// a media of the application (its stored metadata stands in for the file),
// a URL must be one the server may fetch. known is false when a URL
// leaves a source to be learnt by the task.
func (s *Service) composeSources(ctx context.Context, app *store.App, in *vodapi.ComposeMediaTaskInput) (map[string]media.ComposeSource, bool, error) {
	srcs, known := map[string]media.ComposeSource{}, true
	for _, src := range composeSourceList(in) {
		if isSourceURL(src) {
			if _, err := s.checkPullURL(src); err != nil {
				return nil, false, tcapi.Errorf("InvalidParameterValue", "SourceMedia %q %s", src, err)
			}
			known = false
			continue
		}
		m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, src)
		if errors.Is(err, store.ErrNotFound) {
			return nil, false, tcapi.Errorf("InvalidParameterValue.FileId", "SourceMedia %q is neither a media of this application nor an http(s) URL", src)
		}
		if err != nil {
			return nil, false, errInternal("read media", err)
		}
		srcs[src] = storedSource(m)
	}
	return srcs, known, nil
}

// composeSourceList returns the distinct sources of a timeline in order.
func composeSourceList(in *vodapi.ComposeMediaTaskInput) []string {
	var list []string
	seen := map[string]bool{}
	for _, tr := range in.Tracks {
		for _, it := range tr.TrackItems {
			var src *string
			switch {
			case it.VideoItem != nil && vodapi.Val(it.Type) == "Video":
				src = it.VideoItem.SourceMedia
			case it.AudioItem != nil && vodapi.Val(it.Type) == "Audio":
				src = it.AudioItem.SourceMedia
			case it.StickerItem != nil && vodapi.Val(it.Type) == "Sticker":
				src = it.StickerItem.SourceMedia
			}
			if v := vodapi.Val(src); v != "" && !seen[v] {
				seen[v] = true
				list = append(list, v)
			}
		}
	}
	return list
}

// isSourceURL tells a SourceMedia URL from a FileId.
func isSourceURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// storedSource describes a stored media from its metadata.
func storedSource(m *store.Media) media.ComposeSource {
	var md vodapi.MediaMetaData
	_ = json.Unmarshal(m.Meta, &md)
	src := media.ComposeSource{Still: m.Category == "Image", Duration: vodapi.Val(md.Duration),
		Width: int(vodapi.Val(md.Width)), Height: int(vodapi.Val(md.Height)),
		HasVideo: len(md.VideoStreamSet) > 0, HasAudio: len(md.AudioStreamSet) > 0}
	if r := vodapi.Val(md.Rotate); r == 90 || r == 270 {
		src.Width, src.Height = src.Height, src.Width
	}
	if len(md.VideoStreamSet) > 0 {
		src.Fps = float64(vodapi.Val(md.VideoStreamSet[0].Fps))
	}
	if src.Still {
		src.Duration = 0
	}
	return src
}

// composeMessage words an error of the media package's timeline checks
// for the client.
func composeMessage(err error) string {
	return strings.ReplaceAll(err.Error(), media.ErrInvalidSpec.Error()+": ", "")
}

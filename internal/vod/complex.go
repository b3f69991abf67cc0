package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// registerComplex installs the handlers of CreateComplexAdaptiveDynamicStreamingTask and media subtitles.
func (s *Service) registerComplex(srv *tcapi.Server) {
	tcapi.HandleFunc(srv, "AttachMediaSubtitles", s.AttachMediaSubtitles)
	tcapi.HandleFunc(srv, "CreateComplexAdaptiveDynamicStreamingTask", s.CreateComplexAdaptiveDynamicStreamingTask)
}

// complexTypes lists the task types of CreateComplexAdaptiveDynamicStreamingTask and media subtitles.
func (s *Service) complexTypes() []*task.Type { return []*task.Type{s.complexType()} }

// Limits of CreateComplexAdaptiveDynamicStreamingTask.
const (
	maxComplexStreams   = 8
	maxComplexAudios    = 16
	maxComplexSubtitles = 16
	maxComplexHeadTails = 10
)

// complexParams is a ComplexAdaptiveDynamicStreaming task's stored input,
// fixed at submit time: the head and tail media chosen from the
// templates' candidates, every FileId checked.
type complexParams struct {
	FileID      string            `json:"fileId"`
	Definitions []uint64          `json:"definitions"`
	Heads       []complexPart     `json:"heads,omitempty"`
	Tails       []complexPart     `json:"tails,omitempty"`
	Audios      []complexAudio    `json:"audios,omitempty"`
	Subtitles   []complexSubtitle `json:"subtitles,omitempty"`
}

// complexPart is a head or tail media and how it fills the main frame.
type complexPart struct {
	FileID string `json:"fileId"`
	Fill   string `json:"fill"`
}

type complexAudio struct {
	FileID   string `json:"fileId"`
	Track    int    `json:"track"`
	Name     string `json:"name"`
	Language string `json:"language"`
	Default  bool   `json:"default"`
}

type complexSubtitle struct {
	ID      string `json:"id"`
	Default bool   `json:"default"`
}

// languageTag is what an audio rendition's Language may be: an RFC 5646
// tag's characters, which also keeps it safe inside playlist attributes.
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// CreateComplexAdaptiveDynamicStreamingTask accepts a task that packages
// a media once per adaptive streaming template, with audio renditions
// from other media, subtitles and head/tail media. Every parameter is
// checked before the task exists.
func (s *Service) CreateComplexAdaptiveDynamicStreamingTask(ctx context.Context, req *vodapi.CreateComplexAdaptiveDynamicStreamingTaskRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	m, err := s.complexMedia(ctx, app, vodapi.Val(req.FileId), "FileId")
	if err != nil {
		return nil, err
	}
	p := complexParams{FileID: m.FileID}
	if p.Definitions, err = s.checkComplexStreams(ctx, app, req.StreamParaSet); err != nil {
		return nil, err
	}
	if p.Heads, p.Tails, err = s.checkComplexHeadTails(ctx, app, req.HeadTailSet); err != nil {
		return nil, err
	}
	if p.Audios, err = s.checkComplexAudios(ctx, app, req.AudioSet); err != nil {
		return nil, err
	}
	if p.Subtitles, err = checkComplexSubtitles(m, req.SubtitleSet); err != nil {
		return nil, err
	}
	id, err := s.submit(ctx, taskSpec{Kind: "ComplexAdaptiveDynamicStreaming", Type: "ComplexAdaptiveDynamicStreaming",
		SubAppID: app.SubAppID, FileID: m.FileID, Params: p})
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateComplexAdaptiveDynamicStreamingTaskResponse{TaskId: vodapi.Ptr(id)}, nil
}

// complexMedia reads a media the request names, answering
// InvalidParameterValue.FileId when it does not exist.
func (s *Service) complexMedia(ctx context.Context, app *store.App, fileID, field string) (*store.Media, error) {
	m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, fileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "%s: media %q does not exist in this application", field, fileID)
	}
	if err != nil {
		return nil, errInternal("read media", err)
	}
	return m, nil
}

func (s *Service) checkComplexStreams(ctx context.Context, app *store.App, set []*vodapi.ComplexAdaptiveDynamicStreamingTaskStreamPara) ([]uint64, error) {
	if len(set) == 0 {
		return nil, tcapi.Errorf("InvalidParameter", "StreamParaSet must list at least one adaptive streaming template")
	}
	if len(set) > maxComplexStreams {
		return nil, tcapi.Errorf("InvalidParameterValue", "StreamParaSet may list at most %d templates", maxComplexStreams)
	}
	var defs []uint64
	for k, sp := range set {
		def := vodapi.Val(sp.Definition)
		if slices.Contains(defs, def) {
			return nil, tcapi.Errorf("InvalidParameterValue.Definition", "StreamParaSet[%d]: template %d is listed twice", k, def)
		}
		tpl, err := s.adaptiveDynamicStreamingTemplate(ctx, app, int64(def))
		if err != nil {
			return nil, err
		}
		switch drm := vodapi.Val(tpl.DrmType); drm {
		case "", "SimpleAES":
		default:
			return nil, tcapi.Errorf("UnsupportedOperation", "StreamParaSet[%d]: template %d encrypts with %s; this server packages clear or SimpleAES streams only", k, def, drm)
		}
		defs = append(defs, def)
	}
	return defs, nil
}

// checkComplexHeadTails picks, for each head/tail template, the first of
// its head and tail candidates that still exists.
func (s *Service) checkComplexHeadTails(ctx context.Context, app *store.App, set []*vodapi.HeadTailTaskInput) (heads, tails []complexPart, err error) {
	if len(set) > maxComplexHeadTails {
		return nil, nil, tcapi.Errorf("InvalidParameterValue", "HeadTailSet may list at most %d templates", maxComplexHeadTails)
	}
	pick := func(def int64, fill string, cands []string, what string) (*complexPart, error) {
		for _, id := range cands {
			_, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, errInternal("read media", err)
			}
			return &complexPart{FileID: id, Fill: fill}, nil
		}
		if len(cands) > 0 {
			return nil, tcapi.Errorf("InvalidParameterValue", "head/tail template %d: none of its %s media exists any more", def, what)
		}
		return nil, nil
	}
	for _, ht := range set {
		def := vodapi.Val(ht.Definition)
		tpl, err := headTailFamily().lookup(ctx, s.cfg.DB, app, def)
		if err != nil {
			return nil, nil, err
		}
		fill := vodapi.Val(tpl.FillType)
		h, err := pick(def, fill, tpl.HeadCandidateSet, "head")
		if err != nil {
			return nil, nil, err
		}
		t, err := pick(def, fill, tpl.TailCandidateSet, "tail")
		if err != nil {
			return nil, nil, err
		}
		if h != nil {
			heads = append(heads, *h)
		}
		if t != nil {
			tails = append(tails, *t)
		}
	}
	return heads, tails, nil
}

func (s *Service) checkComplexAudios(ctx context.Context, app *store.App, set []*vodapi.ComplexAdaptiveDynamicStreamingTaskAudioInput) ([]complexAudio, error) {
	if len(set) > maxComplexAudios {
		return nil, tcapi.Errorf("InvalidParameterValue", "AudioSet may list at most %d audio tracks", maxComplexAudios)
	}
	var out []complexAudio
	for k, a := range set {
		field := fmt.Sprintf("AudioSet[%d]", k)
		m, err := s.complexMedia(ctx, app, vodapi.Val(a.FileId), field+".FileId")
		if err != nil {
			return nil, err
		}
		if n := utf8.RuneCountInString(vodapi.Val(a.Name)); n == 0 || n > 64 {
			return nil, tcapi.Errorf("InvalidParameterValue", "%s.Name must be 1 to 64 characters", field)
		}
		if !languageTag.MatchString(vodapi.Val(a.Language)) {
			return nil, tcapi.Errorf("InvalidParameterValue", "%s.Language must be a language tag such as en or zh-CN", field)
		}
		dflt, err := yesNoParam(a.Default, field+".Default")
		if err != nil {
			return nil, err
		}
		track := vodapi.Val(a.AudioTrackIdx)
		var meta vodapi.MediaMetaData
		if json.Unmarshal(m.Meta, &meta) == nil && m.Meta != nil && uint64(len(meta.AudioStreamSet)) <= track {
			return nil, tcapi.Errorf("InvalidParameterValue", "%s: media %s has %d audio streams, so AudioTrackIdx %d does not exist", field, m.FileID, len(meta.AudioStreamSet), track)
		}
		out = append(out, complexAudio{FileID: m.FileID, Track: int(track), Name: vodapi.Val(a.Name),
			Language: vodapi.Val(a.Language), Default: dflt})
	}
	return out, nil
}

func checkComplexSubtitles(m *store.Media, set []*vodapi.ComplexAdaptiveDynamicStreamingTaskSubtitleInput) ([]complexSubtitle, error) {
	if len(set) > maxComplexSubtitles {
		return nil, tcapi.Errorf("InvalidParameterValue", "SubtitleSet may list at most %d subtitles", maxComplexSubtitles)
	}
	info := &vodapi.MediaInfo{}
	if len(set) > 0 {
		if err := json.Unmarshal(m.Info, info); err != nil {
			return nil, errInternal("read media info", err)
		}
	}
	var out []complexSubtitle
	for k, sub := range set {
		id := vodapi.Val(sub.Id)
		if findSubtitle(info, id) == nil {
			return nil, tcapi.Errorf("InvalidParameterValue", "SubtitleSet[%d]: media %s has no subtitle with Id %q (add it with ModifyMediaInfo AddSubtitles)", k, m.FileID, id)
		}
		if slices.ContainsFunc(out, func(c complexSubtitle) bool { return c.ID == id }) {
			return nil, tcapi.Errorf("InvalidParameterValue", "SubtitleSet[%d]: subtitle %q is listed twice", k, id)
		}
		dflt, err := yesNoParam(sub.Default, fmt.Sprintf("SubtitleSet[%d].Default", k))
		if err != nil {
			return nil, err
		}
		out = append(out, complexSubtitle{ID: id, Default: dflt})
	}
	return out, nil
}

// yesNoParam reads an optional YES/NO parameter; absent is NO.
func yesNoParam(v *string, field string) (bool, error) {
	switch vodapi.Val(v) {
	case "", "NO":
		return false, nil
	case "YES":
		return true, nil
	}
	return false, tcapi.Errorf("InvalidParameterValue", "%s must be YES or NO", field)
}

func (s *Service) complexType() *task.Type {
	return &task.Type{
		Name: "ComplexAdaptiveDynamicStreaming",
		NewResult: func(t *store.Task) (any, error) {
			var p complexParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			r := &vodapi.ComplexAdaptiveDynamicStreamingTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ComplexAdaptiveDynamicStreamingTaskResultSet: []*vodapi.ComplexAdaptiveDynamicStreamingTaskResult{}}
			for _, def := range p.Definitions {
				r.ComplexAdaptiveDynamicStreamingTaskResultSet = append(r.ComplexAdaptiveDynamicStreamingTaskResultSet,
					&vodapi.ComplexAdaptiveDynamicStreamingTaskResult{Status: vodapi.Ptr("PROCESSING"), ErrCodeExt: vodapi.Ptr(""),
						Message: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)),
						Input: &vodapi.ComplexAdaptiveDynamicStreamingTaskInput{StreamPara: &vodapi.ComplexAdaptiveDynamicStreamingTaskStreamPara{Definition: vodapi.Ptr(def)}}})
			}
			return r, nil
		},
		Run: s.runComplex,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.ComplexAdaptiveDynamicStreamingTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				return
			}
			// The whole task failed: every entry not yet ended fails with it.
			for _, e := range r.ComplexAdaptiveDynamicStreamingTaskResultSet {
				if vodapi.Val(e.Status) == "PROCESSING" {
					e.Status, e.ErrCodeExt, e.Message = vodapi.Ptr("FAIL"), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
				}
			}
		},
	}
}

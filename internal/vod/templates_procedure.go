package vod

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Procedure templates are named ProcessMedia bodies. They live in the
// templates table as kind "procedure", keyed by Name, with the whole
// ProcedureTemplate wire struct as body.

const procedureQuota = 50

// templateRef is a task input's reference to a template.
type templateRef struct {
	Kind       string
	Definition int64
	// Path says where the reference is, for messages:
	// "MediaProcessTask.TranscodeTaskSet[0].Definition".
	Path string
}

// mediaProcessRefs lists the templates a MediaProcessTaskInput refers to;
// prefix starts every Path ("MediaProcessTask" in a procedure template).
func mediaProcessRefs(m *vodapi.MediaProcessTaskInput, prefix string) []templateRef {
	if m == nil {
		return nil
	}
	var refs []templateRef
	add := func(kind string, def *uint64, path string, args ...any) {
		refs = append(refs, templateRef{Kind: kind, Definition: u64Def(def), Path: prefix + "." + fmt.Sprintf(path, args...)})
	}
	watermarks := func(ws []*vodapi.WatermarkInput, path string, i int) {
		for j, w := range ws {
			if w != nil {
				add(kindWatermark, w.Definition, "%s[%d].WatermarkSet[%d].Definition", path, i, j)
			}
		}
	}
	for i, t := range m.TranscodeTaskSet {
		if t == nil {
			continue
		}
		add(kindTranscode, t.Definition, "TranscodeTaskSet[%d].Definition", i)
		watermarks(t.WatermarkSet, "TranscodeTaskSet", i)
		for j, h := range t.HeadTailSet {
			if h != nil {
				refs = append(refs, templateRef{Kind: kindHeadTail, Definition: vodapi.Val(h.Definition),
					Path: fmt.Sprintf("%s.TranscodeTaskSet[%d].HeadTailSet[%d].Definition", prefix, i, j)})
			}
		}
		if t.BlindWatermark != nil {
			add(kindBlindWatermark, t.BlindWatermark.Definition, "TranscodeTaskSet[%d].BlindWatermark.Definition", i)
		}
	}
	for i, t := range m.AnimatedGraphicTaskSet {
		if t != nil {
			add(kindAnimatedGraphics, t.Definition, "AnimatedGraphicTaskSet[%d].Definition", i)
		}
	}
	for i, t := range m.SnapshotByTimeOffsetTaskSet {
		if t != nil {
			add(kindSnapshotByTimeOffset, t.Definition, "SnapshotByTimeOffsetTaskSet[%d].Definition", i)
			watermarks(t.WatermarkSet, "SnapshotByTimeOffsetTaskSet", i)
		}
	}
	for i, t := range m.SampleSnapshotTaskSet {
		if t != nil {
			add(kindSampleSnapshot, t.Definition, "SampleSnapshotTaskSet[%d].Definition", i)
			watermarks(t.WatermarkSet, "SampleSnapshotTaskSet", i)
		}
	}
	for i, t := range m.ImageSpriteTaskSet {
		if t != nil {
			add(kindImageSprite, t.Definition, "ImageSpriteTaskSet[%d].Definition", i)
		}
	}
	for i, t := range m.CoverBySnapshotTaskSet {
		if t != nil {
			add(kindSnapshotByTimeOffset, t.Definition, "CoverBySnapshotTaskSet[%d].Definition", i)
			watermarks(t.WatermarkSet, "CoverBySnapshotTaskSet", i)
		}
	}
	for i, t := range m.AdaptiveDynamicStreamingTaskSet {
		if t == nil {
			continue
		}
		add(kindAdaptiveDynamicStreaming, t.Definition, "AdaptiveDynamicStreamingTaskSet[%d].Definition", i)
		watermarks(t.WatermarkSet, "AdaptiveDynamicStreamingTaskSet", i)
		if t.BlindWatermark != nil {
			add(kindBlindWatermark, t.BlindWatermark.Definition, "AdaptiveDynamicStreamingTaskSet[%d].BlindWatermark.Definition", i)
		}
	}
	return refs
}

// u64Def converts a UInt definition; ids beyond Int range match nothing.
func u64Def(d *uint64) int64 {
	v := vodapi.Val(d)
	if v > 1<<62 {
		return -1
	}
	return int64(v)
}

// procedureRefs lists every template a procedure template refers to.
func procedureRefs(p *vodapi.ProcedureTemplate) []templateRef {
	refs := mediaProcessRefs(p.MediaProcessTask, "MediaProcessTask")
	if t := p.AiContentReviewTask; t != nil {
		refs = append(refs, templateRef{Kind: kindAiContentReview, Definition: u64Def(t.Definition), Path: "AiContentReviewTask.Definition"})
	}
	if t := p.AiAnalysisTask; t != nil {
		refs = append(refs, templateRef{Kind: kindAiAnalysis, Definition: u64Def(t.Definition), Path: "AiAnalysisTask.Definition"})
	}
	for i, t := range p.AiRecognitionTaskSet {
		if t != nil {
			refs = append(refs, templateRef{Kind: kindAiRecognition, Definition: u64Def(t.Definition), Path: fmt.Sprintf("AiRecognitionTaskSet[%d].Definition", i)})
		}
	}
	if t := p.AiRecognitionTask; t != nil {
		refs = append(refs, templateRef{Kind: kindAiRecognition, Definition: u64Def(t.Definition), Path: "AiRecognitionTask.Definition"})
	}
	if t := p.ReviewAudioVideoTask; t != nil {
		refs = append(refs, templateRef{Kind: kindReviewAudioVideo, Definition: u64Def(t.Definition), Path: "ReviewAudioVideoTask.Definition"})
	}
	for i, t := range p.ImportMediaKnowledgeTaskSet {
		if t != nil {
			refs = append(refs, templateRef{Kind: kindMediaKnowledge, Definition: u64Def(t.Definition), Path: fmt.Sprintf("ImportMediaKnowledgeTaskSet[%d].Definition", i)})
		}
	}
	return refs
}

// isPresetRef reports whether ref names a preset template.
func isPresetRef(ref templateRef) bool {
	switch ref.Kind {
	case kindTranscode:
		return transcodeFamily().isPreset(ref.Definition)
	case kindSnapshotByTimeOffset:
		return snapshotByTimeOffsetFamily().isPreset(ref.Definition)
	case kindSampleSnapshot:
		return sampleSnapshotFamily().isPreset(ref.Definition)
	case kindImageSprite:
		return imageSpriteFamily().isPreset(ref.Definition)
	case kindAnimatedGraphics:
		return animatedGraphicsFamily().isPreset(ref.Definition)
	case kindAdaptiveDynamicStreaming:
		return adaptiveDynamicStreamingFamily().isPreset(ref.Definition)
	case kindWatermark:
		return watermarkFamily().isPreset(ref.Definition)
	}
	return slices.Contains(presetAIDefinitions(ref.Kind), ref.Definition)
}

// refError is the error for a reference to a template that does not exist.
func refError(ref templateRef) error {
	code := codeDefinition
	switch ref.Kind {
	case kindAiContentReview:
		code = "InvalidParameterValue.AiContentReviewTaskDefinition"
	case kindAiAnalysis:
		code = "InvalidParameterValue.AiAnalysisTaskDefinition"
	case kindAiRecognition:
		code = "InvalidParameterValue.AiRecognitionTaskDefinition"
	}
	return tcapi.Errorf(code, "%s: there is no %s template %d in this application", ref.Path, ref.Kind, ref.Definition)
}

// checkTemplateRefs checks that every template refs name exists, as a
// preset or as a custom template of the application. With a transaction,
// the custom ones are also locked until it ends, so that none is deleted
// meanwhile. ProcessMedia can use it without one (tx nil).
func (s *Service) checkTemplateRefs(ctx context.Context, tx *store.Tx, app *store.App, refs []templateRef) error {
	for _, ref := range refs {
		if isPresetRef(ref) {
			continue
		}
		var err error
		if tx != nil {
			_, err = tx.LockTemplate(ctx, app.SubAppID, ref.Kind, ref.Definition)
		} else {
			_, err = s.cfg.DB.GetTemplate(ctx, app.SubAppID, ref.Kind, ref.Definition)
		}
		if errors.Is(err, store.ErrNotFound) {
			return refError(ref)
		}
		if err != nil {
			return errInternal("read template", err)
		}
	}
	return nil
}

// checkNotInUse fails with FailedOperation when a procedure template of the
// application refers to ref.
func checkNotInUse(ctx context.Context, tx *store.Tx, app *store.App, ref templateRef, label string) error {
	rows, err := tx.ListTemplates(ctx, store.TemplateFilter{SubAppID: app.SubAppID, Kind: kindProcedure})
	if err != nil {
		return err
	}
	for _, row := range rows {
		p, err := decodeProcedure(row)
		if err != nil {
			return err
		}
		for _, r := range procedureRefs(p) {
			if r.Kind == ref.Kind && r.Definition == ref.Definition {
				return tcapi.Errorf(codeTemplateInUse, "%s %d is used by procedure template %q (%s); change or delete that first",
					label, ref.Definition, row.Name, r.Path)
			}
		}
	}
	return nil
}

func decodeProcedure(row *store.Template) (*vodapi.ProcedureTemplate, error) {
	p := &vodapi.ProcedureTemplate{}
	if err := json.Unmarshal(row.Body, p); err != nil {
		return nil, errInternal("decode procedure template "+row.Name, err)
	}
	m := customMeta(row)
	p.Name, p.Type, p.Comment = vodapi.Ptr(row.Name), vodapi.Ptr(m.Type), vodapi.Ptr(row.Comment)
	p.CreateTime, p.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
	if p.AiRecognitionTaskSet == nil {
		p.AiRecognitionTaskSet = []*vodapi.AiRecognitionTaskInput{}
	}
	if p.ImportMediaKnowledgeTaskSet == nil {
		p.ImportMediaKnowledgeTaskSet = []*vodapi.ImportMediaKnowledgeTaskInput{}
	}
	return p, nil
}

func presetProcedure(name string) *vodapi.ProcedureTemplate {
	for _, p := range presetProcedureTemplates() {
		if vodapi.Val(p.Name) == name {
			return p
		}
	}
	return nil
}

// procedureTemplate returns the preset or custom procedure template name of
// the application, or InvalidParameterValue.ProcedureName. The result is
// the caller's own copy; every Definition in it existed when the template
// was last written.
func (s *Service) procedureTemplate(ctx context.Context, app *store.App, name string) (*vodapi.ProcedureTemplate, error) {
	if p := presetProcedure(name); p != nil {
		return p, nil
	}
	row, err := s.cfg.DB.GetTemplateByName(ctx, app.SubAppID, kindProcedure, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("InvalidParameterValue.ProcedureName", "procedure template %q does not exist in this application", name)
	}
	if err != nil {
		return nil, errInternal("read procedure template", err)
	}
	return decodeProcedure(row)
}

// procedureParams are the content fields of Create and Reset.
type procedureParams struct {
	MediaProcessTask            *vodapi.MediaProcessTaskInput
	AiContentReviewTask         *vodapi.AiContentReviewTaskInput
	AiAnalysisTask              *vodapi.AiAnalysisTaskInput
	AiRecognitionTaskSet        []*vodapi.AiRecognitionTaskInput
	AiRecognitionTask           *vodapi.AiRecognitionTaskInput
	ReviewAudioVideoTask        *vodapi.ProcedureReviewAudioVideoTaskInput
	ImportMediaKnowledgeTaskSet []*vodapi.ImportMediaKnowledgeTaskInput
}

func (pp procedureParams) template() *vodapi.ProcedureTemplate {
	return &vodapi.ProcedureTemplate{MediaProcessTask: pp.MediaProcessTask, AiContentReviewTask: pp.AiContentReviewTask,
		AiAnalysisTask: pp.AiAnalysisTask, AiRecognitionTaskSet: pp.AiRecognitionTaskSet, AiRecognitionTask: pp.AiRecognitionTask,
		ReviewAudioVideoTask: pp.ReviewAudioVideoTask, ImportMediaKnowledgeTaskSet: pp.ImportMediaKnowledgeTaskSet}
}

func checkProcedureName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 20 {
		return tcapi.Errorf("InvalidParameterValue.Name", "Name must be 1 to 20 characters")
	}
	return nil
}

// CreateProcedureTemplate stores a named procedure template after checking
// that every template it names exists.
func (s *Service) CreateProcedureTemplate(ctx context.Context, req *vodapi.CreateProcedureTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	name := vodapi.Val(req.Name)
	if err := checkProcedureName(name); err != nil {
		return nil, err
	}
	if err := checkNameComment(nil, req.Comment, 0); err != nil {
		return nil, err
	}
	if presetProcedure(name) != nil {
		return nil, tcapi.Errorf("InvalidParameter.ExistedProcedureName", "%q is the name of a preset procedure template", name)
	}
	p := procedureParams{req.MediaProcessTask, req.AiContentReviewTask, req.AiAnalysisTask, req.AiRecognitionTaskSet,
		req.AiRecognitionTask, req.ReviewAudioVideoTask, req.ImportMediaKnowledgeTaskSet}.template()
	body, err := json.Marshal(p)
	if err != nil {
		return nil, errInternal("encode procedure template", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	row := &store.Template{SubAppID: app.SubAppID, Kind: kindProcedure, Name: name, Comment: vodapi.Val(req.Comment),
		Body: body, CreatedAt: now, UpdatedAt: now}
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.checkTemplateRefs(ctx, tx, app, procedureRefs(p)); err != nil {
			return err
		}
		return tx.InsertTemplate(ctx, row, store.TemplateAlloc{First: 1, Quota: procedureQuota})
	})
	var apiErr *tcapi.Error
	switch {
	case err == nil:
		return &vodapi.CreateProcedureTemplateResponse{}, nil
	case errors.Is(err, store.ErrDuplicate):
		return nil, tcapi.Errorf("InvalidParameter.ExistedProcedureName", "a procedure template named %q exists already", name)
	case errors.Is(err, store.ErrLimitExceeded):
		return nil, tcapi.Errorf(codeTooMuchTemplate, "an application may have at most %d procedure templates", procedureQuota)
	case errors.As(err, &apiErr):
		return nil, apiErr
	}
	return nil, errInternal("create procedure template", err)
}

// ResetProcedureTemplate replaces the content of a custom procedure
// template: task fields not given become empty; Comment changes only when
// given.
func (s *Service) ResetProcedureTemplate(ctx context.Context, req *vodapi.ResetProcedureTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	name := vodapi.Val(req.Name)
	if err := checkNameComment(nil, req.Comment, 0); err != nil {
		return nil, err
	}
	if presetProcedure(name) != nil {
		return nil, tcapi.Errorf(codeModifyDefaultTemplate, "%q is a preset procedure template, which cannot be changed", name)
	}
	p := procedureParams{req.MediaProcessTask, req.AiContentReviewTask, req.AiAnalysisTask, req.AiRecognitionTaskSet,
		req.AiRecognitionTask, req.ReviewAudioVideoTask, req.ImportMediaKnowledgeTaskSet}.template()
	body, err := json.Marshal(p)
	if err != nil {
		return nil, errInternal("encode procedure template", err)
	}
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.LockTemplateByName(ctx, app.SubAppID, kindProcedure, name)
		if err != nil {
			return err
		}
		if err := s.checkTemplateRefs(ctx, tx, app, procedureRefs(p)); err != nil {
			return err
		}
		row.Body, row.UpdatedAt = body, time.Now().UTC().Truncate(time.Second)
		setIfValue(&row.Comment, req.Comment)
		return tx.UpdateTemplate(ctx, row)
	})
	if err := procedureWriteErr(err, "reset", name); err != nil {
		return nil, err
	}
	return &vodapi.ResetProcedureTemplateResponse{}, nil
}

func procedureWriteErr(err error, op, name string) error {
	var apiErr *tcapi.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return tcapi.Errorf(codeTemplateNotExist, "procedure template %q does not exist in this application", name)
	case errors.As(err, &apiErr):
		return apiErr
	}
	return errInternal(op+" procedure template", err)
}

// DeleteProcedureTemplate deletes a custom procedure template.
func (s *Service) DeleteProcedureTemplate(ctx context.Context, req *vodapi.DeleteProcedureTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	name := vodapi.Val(req.Name)
	if presetProcedure(name) != nil {
		return nil, tcapi.Errorf(codeDeleteDefaultTemplate, "%q is a preset procedure template, which cannot be deleted", name)
	}
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.LockTemplateByName(ctx, app.SubAppID, kindProcedure, name)
		if err != nil {
			return err
		}
		return tx.DeleteTemplate(ctx, app.SubAppID, kindProcedure, row.Definition)
	})
	if err := procedureWriteErr(err, "delete", name); err != nil {
		return nil, err
	}
	return &vodapi.DeleteProcedureTemplateResponse{}, nil
}

// DescribeProcedureTemplates lists the preset and custom procedure
// templates of the application: presets first, then by creation, unless
// SortBy CreateTime says otherwise.
func (s *Service) DescribeProcedureTemplates(ctx context.Context, req *vodapi.DescribeProcedureTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	offset, limit, err := checkListParams(req.Type, 0, req.Offset, req.Limit)
	if err != nil {
		return nil, err
	}
	if len(req.Names) > 100 {
		return nil, tcapi.Errorf("InvalidParameterValue.Names", "Names may list at most 100 templates")
	}
	desc := false
	for _, sb := range req.SortBy {
		if sb == nil || vodapi.Val(sb.Field) != "CreateTime" || !oneOf(vodapi.Val(sb.Order), "Asc", "Desc") {
			return nil, tcapi.Errorf("InvalidParameterValue.SortBy", "SortBy takes Field CreateTime with Order Asc or Desc")
		}
		desc = vodapi.Val(sb.Order) == "Desc"
	}
	typ := vodapi.Val(req.Type)
	var all []*vodapi.ProcedureTemplate
	if typ != "Custom" {
		for _, p := range presetProcedureTemplates() {
			if len(req.Names) == 0 || slices.Contains(req.Names, vodapi.Val(p.Name)) {
				all = append(all, p)
			}
		}
	}
	if typ != "Preset" {
		rows, err := s.cfg.DB.ListTemplates(ctx, store.TemplateFilter{SubAppID: app.SubAppID, Kind: kindProcedure, Names: req.Names})
		if err != nil {
			return nil, errInternal("list procedure templates", err)
		}
		for _, row := range rows {
			p, err := decodeProcedure(row)
			if err != nil {
				return nil, err
			}
			all = append(all, p)
		}
	}
	if len(req.SortBy) > 0 {
		slices.SortStableFunc(all, func(a, b *vodapi.ProcedureTemplate) int {
			c := cmp.Compare(vodapi.Val(a.CreateTime), vodapi.Val(b.CreateTime))
			if desc {
				return -c
			}
			return c
		})
	}
	resp := &vodapi.DescribeProcedureTemplatesResponse{TotalCount: vodapi.Ptr(uint64(len(all))), ProcedureTemplateSet: []*vodapi.ProcedureTemplate{}}
	if offset < len(all) {
		resp.ProcedureTemplateSet = all[offset:min(offset+limit, len(all))]
	}
	return resp, nil
}

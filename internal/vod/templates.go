package vod

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// registerTemplates installs the template actions (parameter templates and
// procedure templates).
func (s *Service) registerTemplates(srv *tcapi.Server) {
	tcapi.HandleFunc(srv, "CreateTranscodeTemplate", s.CreateTranscodeTemplate)
	tcapi.HandleFunc(srv, "ModifyTranscodeTemplate", s.ModifyTranscodeTemplate)
	tcapi.HandleFunc(srv, "DeleteTranscodeTemplate", s.DeleteTranscodeTemplate)
	tcapi.HandleFunc(srv, "DescribeTranscodeTemplates", s.DescribeTranscodeTemplates)

	tcapi.HandleFunc(srv, "CreateSnapshotByTimeOffsetTemplate", s.CreateSnapshotByTimeOffsetTemplate)
	tcapi.HandleFunc(srv, "ModifySnapshotByTimeOffsetTemplate", s.ModifySnapshotByTimeOffsetTemplate)
	tcapi.HandleFunc(srv, "DeleteSnapshotByTimeOffsetTemplate", s.DeleteSnapshotByTimeOffsetTemplate)
	tcapi.HandleFunc(srv, "DescribeSnapshotByTimeOffsetTemplates", s.DescribeSnapshotByTimeOffsetTemplates)

	tcapi.HandleFunc(srv, "CreateSampleSnapshotTemplate", s.CreateSampleSnapshotTemplate)
	tcapi.HandleFunc(srv, "ModifySampleSnapshotTemplate", s.ModifySampleSnapshotTemplate)
	tcapi.HandleFunc(srv, "DeleteSampleSnapshotTemplate", s.DeleteSampleSnapshotTemplate)
	tcapi.HandleFunc(srv, "DescribeSampleSnapshotTemplates", s.DescribeSampleSnapshotTemplates)

	tcapi.HandleFunc(srv, "CreateImageSpriteTemplate", s.CreateImageSpriteTemplate)
	tcapi.HandleFunc(srv, "ModifyImageSpriteTemplate", s.ModifyImageSpriteTemplate)
	tcapi.HandleFunc(srv, "DeleteImageSpriteTemplate", s.DeleteImageSpriteTemplate)
	tcapi.HandleFunc(srv, "DescribeImageSpriteTemplates", s.DescribeImageSpriteTemplates)

	tcapi.HandleFunc(srv, "CreateAnimatedGraphicsTemplate", s.CreateAnimatedGraphicsTemplate)
	tcapi.HandleFunc(srv, "ModifyAnimatedGraphicsTemplate", s.ModifyAnimatedGraphicsTemplate)
	tcapi.HandleFunc(srv, "DeleteAnimatedGraphicsTemplate", s.DeleteAnimatedGraphicsTemplate)
	tcapi.HandleFunc(srv, "DescribeAnimatedGraphicsTemplates", s.DescribeAnimatedGraphicsTemplates)

	tcapi.HandleFunc(srv, "CreateAdaptiveDynamicStreamingTemplate", s.CreateAdaptiveDynamicStreamingTemplate)
	tcapi.HandleFunc(srv, "ModifyAdaptiveDynamicStreamingTemplate", s.ModifyAdaptiveDynamicStreamingTemplate)
	tcapi.HandleFunc(srv, "DeleteAdaptiveDynamicStreamingTemplate", s.DeleteAdaptiveDynamicStreamingTemplate)
	tcapi.HandleFunc(srv, "DescribeAdaptiveDynamicStreamingTemplates", s.DescribeAdaptiveDynamicStreamingTemplates)

	tcapi.HandleFunc(srv, "CreateWatermarkTemplate", s.CreateWatermarkTemplate)
	tcapi.HandleFunc(srv, "ModifyWatermarkTemplate", s.ModifyWatermarkTemplate)
	tcapi.HandleFunc(srv, "DeleteWatermarkTemplate", s.DeleteWatermarkTemplate)
	tcapi.HandleFunc(srv, "DescribeWatermarkTemplates", s.DescribeWatermarkTemplates)

	tcapi.HandleFunc(srv, "CreateHeadTailTemplate", s.CreateHeadTailTemplate)
	tcapi.HandleFunc(srv, "ModifyHeadTailTemplate", s.ModifyHeadTailTemplate)
	tcapi.HandleFunc(srv, "DeleteHeadTailTemplate", s.DeleteHeadTailTemplate)
	tcapi.HandleFunc(srv, "DescribeHeadTailTemplates", s.DescribeHeadTailTemplates)

	tcapi.HandleFunc(srv, "CreateProcedureTemplate", s.CreateProcedureTemplate)
	tcapi.HandleFunc(srv, "ResetProcedureTemplate", s.ResetProcedureTemplate)
	tcapi.HandleFunc(srv, "DeleteProcedureTemplate", s.DeleteProcedureTemplate)
	tcapi.HandleFunc(srv, "DescribeProcedureTemplates", s.DescribeProcedureTemplates)
}

// Template kinds: the store's kind column, and the namespaces a template
// reference (templateRef) points into. Kinds without actions here (the AI
// and review ones) have presets only.
const (
	kindTranscode                = "transcode"
	kindSnapshotByTimeOffset     = "snapshotByTimeOffset"
	kindSampleSnapshot           = "sampleSnapshot"
	kindImageSprite              = "imageSprite"
	kindAnimatedGraphics         = "animatedGraphics"
	kindAdaptiveDynamicStreaming = "adaptiveDynamicStreaming"
	kindWatermark                = "watermark"
	kindProcedure                = "procedure"
	kindHeadTail                 = "headTail"
	kindBlindWatermark           = "blindWatermark"
	kindAiContentReview          = "aiContentReview"
	kindAiAnalysis               = "aiAnalysis"
	kindAiRecognition            = "aiRecognition"
	kindReviewAudioVideo         = "reviewAudioVideo"
	kindMediaKnowledge           = "mediaKnowledge"
)

// Error codes of the template actions (TEMPLATES.md).
const (
	codeTemplateNotExist      = "ResourceNotFound.TemplateNotExist"
	codeModifyDefaultTemplate = "InvalidParameterValue.ModifyDefaultTemplate"
	codeDeleteDefaultTemplate = "InvalidParameterValue.DeleteDefaultTemplate"
	codeTooMuchTemplate       = "LimitExceeded.TooMuchTemplate"
	codeDefinition            = "InvalidParameterValue.Definition"
	// codeTemplateInUse answers a delete of a template that a procedure
	// template refers to. The documented errors of the Delete*Template
	// actions hold no more specific code than FailedOperation.
	codeTemplateInUse = "FailedOperation"
)

// presetTime is the CreateTime and UpdateTime of every preset template.
const presetTime = "2018-07-17T00:00:00Z"

// family describes one kind of parameter template: its presets, how custom
// ones are numbered and limited, and how the wire struct T carries the
// fields every template has. The Create/Modify/Delete/Describe actions of
// all kinds share its methods.
type family[T any] struct {
	kind  string
	label string // for messages: "transcode template"
	first int64  // the first custom definition
	quota int
	// presets returns fresh copies: callers may change what they get.
	presets func() []T
	// definition reads a template's id.
	definition func(T) int64
	// setMeta writes the fields the store keeps in columns.
	setMeta func(T, templateMeta)
}

// templateMeta is what every template shows besides its parameters.
type templateMeta struct {
	Definition int64
	Type       string // Preset or Custom
	Name       string
	Comment    string
	CreateTime string
	UpdateTime string
}

func customMeta(t *store.Template) templateMeta {
	return templateMeta{Definition: t.Definition, Type: "Custom", Name: t.Name, Comment: t.Comment,
		CreateTime: task.FormatTime(t.CreatedAt), UpdateTime: task.FormatTime(t.UpdatedAt)}
}

// preset returns a fresh copy of the preset with definition def.
func (f *family[T]) preset(def int64) (T, bool) {
	for _, p := range f.presets() {
		if f.definition(p) == def {
			return p, true
		}
	}
	var zero T
	return zero, false
}

func (f *family[T]) isPreset(def int64) bool {
	_, ok := f.preset(def)
	return ok
}

// alloc says how the store numbers a new template of the family: custom
// definitions count up from first and never take a preset's.
func (f *family[T]) alloc() store.TemplateAlloc {
	defs := map[int64]bool{}
	for _, p := range f.presets() {
		defs[f.definition(p)] = true
	}
	return store.TemplateAlloc{First: f.first, Quota: f.quota, SkipFunc: func(d int64) bool { return defs[d] }}
}

// decode turns a stored template into its wire struct.
func (f *family[T]) decode(row *store.Template) (T, error) {
	var t T
	if err := json.Unmarshal(row.Body, &t); err != nil {
		return t, errInternal("decode "+f.label+" "+strconv.FormatInt(row.Definition, 10), err)
	}
	f.setMeta(t, customMeta(row))
	return t, nil
}

// lookup returns the preset or custom template def of the application, or
// InvalidParameterValue.Definition.
func (f *family[T]) lookup(ctx context.Context, db *store.DB, app *store.App, def int64) (T, error) {
	if p, ok := f.preset(def); ok {
		return p, nil
	}
	row, err := db.GetTemplate(ctx, app.SubAppID, f.kind, def)
	if errors.Is(err, store.ErrNotFound) {
		var zero T
		return zero, tcapi.Errorf(codeDefinition, "%s %d does not exist in this application", f.label, def)
	}
	if err != nil {
		var zero T
		return zero, errInternal("read "+f.label, err)
	}
	return f.decode(row)
}

// create validates nothing: the caller has. It stores t as a new custom
// template and returns its definition.
func (f *family[T]) create(ctx context.Context, db *store.DB, app *store.App, name, comment string, t T) (int64, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return 0, errInternal("encode "+f.label, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	row := &store.Template{SubAppID: app.SubAppID, Kind: f.kind, Name: name, Comment: comment, Body: body, CreatedAt: now, UpdatedAt: now}
	err = db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertTemplate(ctx, row, f.alloc()) })
	if errors.Is(err, store.ErrLimitExceeded) {
		return 0, tcapi.Errorf(codeTooMuchTemplate, "an application may have at most %d custom %ss", f.quota, f.label)
	}
	if err != nil {
		return 0, errInternal("create "+f.label, err)
	}
	return row.Definition, nil
}

// modify applies change to the custom template def under its row lock.
// change edits the template (its Name and Comment through meta) and
// validates the result; an error from it aborts the change.
func (f *family[T]) modify(ctx context.Context, db *store.DB, app *store.App, def int64, change func(t T, meta *templateMeta) error) error {
	if f.isPreset(def) {
		return tcapi.Errorf(codeModifyDefaultTemplate, "%s %d is a preset template, which cannot be modified", f.label, def)
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.LockTemplate(ctx, app.SubAppID, f.kind, def)
		if err != nil {
			return err
		}
		t, err := f.decode(row)
		if err != nil {
			return err
		}
		meta := customMeta(row)
		if err := change(t, &meta); err != nil {
			return err
		}
		if row.Body, err = json.Marshal(t); err != nil {
			return errInternal("encode "+f.label, err)
		}
		row.Name, row.Comment, row.UpdatedAt = meta.Name, meta.Comment, time.Now().UTC().Truncate(time.Second)
		return tx.UpdateTemplate(ctx, row)
	})
	return f.writeErr(err, "modify", def)
}

// remove deletes the custom template def unless a procedure template of
// the application refers to it. It returns what was deleted.
func (f *family[T]) remove(ctx context.Context, s *Service, app *store.App, def int64) (T, error) {
	var t T
	if f.isPreset(def) {
		return t, tcapi.Errorf(codeDeleteDefaultTemplate, "%s %d is a preset template, which cannot be deleted", f.label, def)
	}
	err := s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		row, err := tx.LockTemplate(ctx, app.SubAppID, f.kind, def)
		if err != nil {
			return err
		}
		if t, err = f.decode(row); err != nil {
			return err
		}
		// Delete first, then look for users: a procedure template created
		// concurrently either waits for this row (and then finds it gone)
		// or committed before, and is seen here.
		if err := tx.DeleteTemplate(ctx, app.SubAppID, f.kind, def); err != nil {
			return err
		}
		return checkNotInUse(ctx, tx, app, templateRef{Kind: f.kind, Definition: def}, f.label)
	})
	return t, f.writeErr(err, "delete", def)
}

func (f *family[T]) writeErr(err error, op string, def int64) error {
	var apiErr *tcapi.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return tcapi.Errorf(codeTemplateNotExist, "%s %d does not exist in this application", f.label, def)
	case errors.As(err, &apiErr):
		return apiErr
	}
	return errInternal(op+" "+f.label, err)
}

// listParams are the common parameters of the Describe*Templates actions.
type listParams struct {
	Type        *string
	Definitions []int64
	Offset      *uint64
	Limit       *uint64
}

// checkListParams validates the paging and Type filter of a Describe call
// and returns the offset and limit.
func checkListParams(typ *string, n int, offset, limit *uint64) (int, int, error) {
	switch vodapi.Val(typ) {
	case "", "Preset", "Custom":
	default:
		return 0, 0, tcapi.Errorf("InvalidParameterValue.Type", "Type must be Preset or Custom, got %q", vodapi.Val(typ))
	}
	if n > 100 {
		return 0, 0, tcapi.Errorf("InvalidParameterValue.Definitions", "Definitions may list at most 100 templates")
	}
	l := 10
	if v := vodapi.Val(limit); v > 100 {
		return 0, 0, tcapi.Errorf("InvalidParameterValue.Limit", "Limit must be between 1 and 100")
	} else if v > 0 {
		l = int(v)
	}
	o := vodapi.Val(offset)
	if o > 1<<31 {
		return 0, 0, tcapi.Errorf("InvalidParameterValue.Offset", "Offset is too large")
	}
	return int(o), l, nil
}

// list returns the page of presets and custom templates of the application
// that p selects, presets first, each by definition, and how many match in
// all. keep, when not nil, drops templates that other filters reject.
func (f *family[T]) list(ctx context.Context, db *store.DB, app *store.App, p listParams, keep func(T) bool) ([]T, uint64, error) {
	offset, limit, err := checkListParams(p.Type, len(p.Definitions), p.Offset, p.Limit)
	if err != nil {
		return nil, 0, err
	}
	typ := vodapi.Val(p.Type)
	if keep == nil {
		keep = func(T) bool { return true }
	}
	var all []T
	if typ != "Custom" {
		for _, t := range f.presets() {
			if (len(p.Definitions) == 0 || slices.Contains(p.Definitions, f.definition(t))) && keep(t) {
				all = append(all, t)
			}
		}
	}
	if typ != "Preset" {
		rows, err := db.ListTemplates(ctx, store.TemplateFilter{SubAppID: app.SubAppID, Kind: f.kind, Definitions: p.Definitions})
		if err != nil {
			return nil, 0, errInternal("list "+f.label+"s", err)
		}
		for _, row := range rows {
			t, err := f.decode(row)
			if err != nil {
				return nil, 0, err
			}
			if keep(t) {
				all = append(all, t)
			}
		}
	}
	total := uint64(len(all))
	if offset >= len(all) {
		return []T{}, total, nil
	}
	return all[offset:min(offset+limit, len(all))], total, nil
}

// uintDefs converts a [UInt] Definitions filter.
func uintDefs(defs []uint64) []int64 {
	out := make([]int64, 0, len(defs))
	for _, d := range defs {
		if d <= 1<<62 {
			out = append(out, int64(d))
		}
	}
	if len(out) == 0 && len(defs) > 0 {
		return []int64{-1} // nothing can match
	}
	return out
}

// checkNameComment validates the Name and Comment every template has.
func checkNameComment(name, comment *string, maxName int) error {
	if name != nil && utf8.RuneCountInString(*name) > maxName {
		return tcapi.Errorf("InvalidParameterValue.Name", "Name must be at most %d characters", maxName)
	}
	if comment != nil && utf8.RuneCountInString(*comment) > 256 {
		return tcapi.Errorf("InvalidParameterValue.Comment", "Comment must be at most 256 characters")
	}
	return nil
}

// setIf copies *from into *to when from is set.
func setIf[V any](to **V, from *V) {
	if from != nil {
		v := *from
		*to = &v
	}
}

// oneOf reports whether v is among the allowed values.
func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }

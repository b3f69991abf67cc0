package vod

import (
	"context"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// The image template families: snapshots at time offsets, sampled
// snapshots, image sprites and animated graphics.

func snapshotByTimeOffsetFamily() *family[*vodapi.SnapshotByTimeOffsetTemplate] {
	return &family[*vodapi.SnapshotByTimeOffsetTemplate]{
		kind: kindSnapshotByTimeOffset, label: "time-offset snapshot template", first: 10001, quota: 16,
		presets:    presetSnapshotByTimeOffsetTemplates,
		definition: func(t *vodapi.SnapshotByTimeOffsetTemplate) int64 { return int64(vodapi.Val(t.Definition)) },
		setMeta:    setSnapshotMeta,
	}
}

func setSnapshotMeta(t *vodapi.SnapshotByTimeOffsetTemplate, m templateMeta) {
	t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(uint64(m.Definition)), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

func sampleSnapshotFamily() *family[*vodapi.SampleSnapshotTemplate] {
	return &family[*vodapi.SampleSnapshotTemplate]{
		kind: kindSampleSnapshot, label: "sample snapshot template", first: 10001, quota: 16,
		presets:    presetSampleSnapshotTemplates,
		definition: func(t *vodapi.SampleSnapshotTemplate) int64 { return int64(vodapi.Val(t.Definition)) },
		setMeta:    setSampleMeta,
	}
}

func setSampleMeta(t *vodapi.SampleSnapshotTemplate, m templateMeta) {
	t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(uint64(m.Definition)), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

func imageSpriteFamily() *family[*vodapi.ImageSpriteTemplate] {
	return &family[*vodapi.ImageSpriteTemplate]{
		kind: kindImageSprite, label: "image sprite template", first: 10001, quota: 16,
		presets:    presetImageSpriteTemplates,
		definition: func(t *vodapi.ImageSpriteTemplate) int64 { return int64(vodapi.Val(t.Definition)) },
		setMeta:    setSpriteMeta,
	}
}

func setSpriteMeta(t *vodapi.ImageSpriteTemplate, m templateMeta) {
	t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(uint64(m.Definition)), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

func animatedGraphicsFamily() *family[*vodapi.AnimatedGraphicsTemplate] {
	return &family[*vodapi.AnimatedGraphicsTemplate]{
		kind: kindAnimatedGraphics, label: "animated graphics template", first: 10001, quota: 16,
		presets:    presetAnimatedGraphicsTemplates,
		definition: func(t *vodapi.AnimatedGraphicsTemplate) int64 { return int64(vodapi.Val(t.Definition)) },
		setMeta:    setAnimatedMeta,
	}
}

func setAnimatedMeta(t *vodapi.AnimatedGraphicsTemplate, m templateMeta) {
	t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(uint64(m.Definition)), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

// snapshotByTimeOffsetTemplate returns the preset or custom time-offset
// snapshot template def of the application (also CoverBySnapshot's), or
// InvalidParameterValue.Definition. The result is the caller's own copy.
func (s *Service) snapshotByTimeOffsetTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.SnapshotByTimeOffsetTemplate, error) {
	return snapshotByTimeOffsetFamily().lookup(ctx, s.cfg.DB, app, def)
}

// sampleSnapshotTemplate returns the preset or custom sample snapshot
// template def of the application, or InvalidParameterValue.Definition.
func (s *Service) sampleSnapshotTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.SampleSnapshotTemplate, error) {
	return sampleSnapshotFamily().lookup(ctx, s.cfg.DB, app, def)
}

// imageSpriteTemplate returns the preset or custom image sprite template
// def of the application, or InvalidParameterValue.Definition.
func (s *Service) imageSpriteTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.ImageSpriteTemplate, error) {
	return imageSpriteFamily().lookup(ctx, s.cfg.DB, app, def)
}

// animatedGraphicsTemplate returns the preset or custom animated graphics
// template def of the application, or InvalidParameterValue.Definition.
func (s *Service) animatedGraphicsTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.AnimatedGraphicsTemplate, error) {
	return animatedGraphicsFamily().lookup(ctx, s.cfg.DB, app, def)
}

// imageShape holds the output shape fields the image templates share.
type imageShape struct {
	Width, Height      **uint64
	ResolutionAdaptive **string
	Format             **string
	FillType           **string // nil for animated graphics
}

// check fills the defaults and validates: sizes 0 or [minSize, 4096].
func (sh imageShape) check(minSize uint64, formats, fills []string) error {
	for _, p := range []**uint64{sh.Width, sh.Height} {
		if *p == nil {
			*p = vodapi.Ptr(uint64(0))
		}
	}
	if *sh.ResolutionAdaptive == nil {
		*sh.ResolutionAdaptive = vodapi.Ptr("open")
	}
	if *sh.Format == nil {
		*sh.Format = vodapi.Ptr(formats[0])
	}
	if sh.FillType != nil && *sh.FillType == nil {
		*sh.FillType = vodapi.Ptr("black")
	}
	switch {
	case !zeroOrIn(**sh.Width, minSize, 4096):
		return tcapi.Errorf("InvalidParameterValue.Width", "Width must be 0 or between %d and 4096", minSize)
	case !zeroOrIn(**sh.Height, minSize, 4096):
		return tcapi.Errorf("InvalidParameterValue.Height", "Height must be 0 or between %d and 4096", minSize)
	case !oneOf(**sh.ResolutionAdaptive, "open", "close"):
		return tcapi.Errorf("InvalidParameterValue.ResolutionAdaptive", "ResolutionAdaptive must be open or close")
	case !oneOf(**sh.Format, formats...):
		return tcapi.Errorf("InvalidParameterValue.Format", "Format must be one of %v", formats)
	case sh.FillType != nil && !oneOf(**sh.FillType, fills...):
		return tcapi.Errorf("InvalidParameterValue.FillType", "FillType must be one of %v", fills)
	}
	return nil
}

func snapshotFormats() []string { return []string{"jpg", "png", "webp"} }

func allFillTypes() []string { return []string{"stretch", "black", "white", "gauss"} }

// checkSampling validates SampleType and SampleInterval.
func checkSampling(typ string, interval uint64) error {
	switch {
	case typ != "Percent" && typ != "Time":
		return tcapi.Errorf("InvalidParameterValue.SampleType", "SampleType must be Percent or Time")
	case interval == 0 || (typ == "Percent" && interval > 100):
		return tcapi.Errorf("InvalidParameterValue.SampleInterval", "SampleInterval must be 1 to 100 (percent) or at least 1 (seconds)")
	}
	return nil
}

func checkSnapshot(t *vodapi.SnapshotByTimeOffsetTemplate) error {
	return imageShape{&t.Width, &t.Height, &t.ResolutionAdaptive, &t.Format, &t.FillType}.check(32, snapshotFormats(), allFillTypes())
}

func checkSample(t *vodapi.SampleSnapshotTemplate) error {
	if err := (imageShape{&t.Width, &t.Height, &t.ResolutionAdaptive, &t.Format, &t.FillType}).check(32, snapshotFormats(), allFillTypes()); err != nil {
		return err
	}
	return checkSampling(vodapi.Val(t.SampleType), vodapi.Val(t.SampleInterval))
}

func checkSprite(t *vodapi.ImageSpriteTemplate) error {
	if err := (imageShape{&t.Width, &t.Height, &t.ResolutionAdaptive, &t.Format, &t.FillType}).check(128, snapshotFormats(), []string{"stretch", "black"}); err != nil {
		return err
	}
	if err := checkSampling(vodapi.Val(t.SampleType), vodapi.Val(t.SampleInterval)); err != nil {
		return err
	}
	rows, cols := vodapi.Val(t.RowCount), vodapi.Val(t.ColumnCount)
	switch {
	case rows == 0 || rows*vodapi.Val(t.Height) > 15000:
		return tcapi.Errorf("InvalidParameterValue.RowCount", "RowCount must be at least 1, and RowCount x Height at most 15000 px")
	case cols == 0 || cols*vodapi.Val(t.Width) > 15000:
		return tcapi.Errorf("InvalidParameterValue.ColumnCount", "ColumnCount must be at least 1, and ColumnCount x Width at most 15000 px")
	}
	return nil
}

func checkAnimated(t *vodapi.AnimatedGraphicsTemplate) error {
	if err := (imageShape{&t.Width, &t.Height, &t.ResolutionAdaptive, &t.Format, nil}).check(128, []string{"gif", "webp"}, nil); err != nil {
		return err
	}
	if t.Quality == nil {
		t.Quality = vodapi.Ptr(75.0)
	}
	switch fps, q := vodapi.Val(t.Fps), *t.Quality; {
	case fps < 1 || fps > 30:
		return tcapi.Errorf("InvalidParameterValue.Fps", "Fps must be between 1 and 30")
	case q < 1 || q > 100:
		return tcapi.Errorf("InvalidParameterValue.Quality", "Quality must be between 1 and 100")
	}
	return nil
}

// CreateSnapshotByTimeOffsetTemplate creates a custom time-offset snapshot
// template.
func (s *Service) CreateSnapshotByTimeOffsetTemplate(ctx context.Context, req *vodapi.CreateSnapshotByTimeOffsetTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.SnapshotByTimeOffsetTemplate{Width: req.Width, Height: req.Height, ResolutionAdaptive: req.ResolutionAdaptive,
		Format: req.Format, FillType: req.FillType}
	if err := checkSnapshot(t); err != nil {
		return nil, err
	}
	def, err := snapshotByTimeOffsetFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateSnapshotByTimeOffsetTemplateResponse{Definition: vodapi.Ptr(uint64(def))}, nil
}

// ModifySnapshotByTimeOffsetTemplate changes the fields given of a custom
// time-offset snapshot template.
func (s *Service) ModifySnapshotByTimeOffsetTemplate(ctx context.Context, req *vodapi.ModifySnapshotByTimeOffsetTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = snapshotByTimeOffsetFamily().modify(ctx, s.cfg.DB, app, int64(vodapi.Val(req.Definition)), func(t *vodapi.SnapshotByTimeOffsetTemplate, m *templateMeta) error {
		setIf(&t.Width, req.Width)
		setIf(&t.Height, req.Height)
		setIf(&t.ResolutionAdaptive, req.ResolutionAdaptive)
		setIf(&t.Format, req.Format)
		setIf(&t.FillType, req.FillType)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkSnapshot(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifySnapshotByTimeOffsetTemplateResponse{}, nil
}

// DeleteSnapshotByTimeOffsetTemplate deletes a custom time-offset snapshot
// template.
func (s *Service) DeleteSnapshotByTimeOffsetTemplate(ctx context.Context, req *vodapi.DeleteSnapshotByTimeOffsetTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := snapshotByTimeOffsetFamily().remove(ctx, s, app, int64(vodapi.Val(req.Definition))); err != nil {
		return nil, err
	}
	return &vodapi.DeleteSnapshotByTimeOffsetTemplateResponse{}, nil
}

// DescribeSnapshotByTimeOffsetTemplates lists the preset and custom
// time-offset snapshot templates of the application.
func (s *Service) DescribeSnapshotByTimeOffsetTemplates(ctx context.Context, req *vodapi.DescribeSnapshotByTimeOffsetTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := snapshotByTimeOffsetFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type,
		Definitions: uintDefs(req.Definitions), Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeSnapshotByTimeOffsetTemplatesResponse{TotalCount: vodapi.Ptr(total), SnapshotByTimeOffsetTemplateSet: items}, nil
}

// CreateSampleSnapshotTemplate creates a custom sample snapshot template.
func (s *Service) CreateSampleSnapshotTemplate(ctx context.Context, req *vodapi.CreateSampleSnapshotTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.SampleSnapshotTemplate{Width: req.Width, Height: req.Height, ResolutionAdaptive: req.ResolutionAdaptive,
		Format: req.Format, SampleType: req.SampleType, SampleInterval: req.SampleInterval, FillType: req.FillType}
	if err := checkSample(t); err != nil {
		return nil, err
	}
	def, err := sampleSnapshotFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateSampleSnapshotTemplateResponse{Definition: vodapi.Ptr(uint64(def))}, nil
}

// ModifySampleSnapshotTemplate changes the fields given of a custom sample
// snapshot template.
func (s *Service) ModifySampleSnapshotTemplate(ctx context.Context, req *vodapi.ModifySampleSnapshotTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = sampleSnapshotFamily().modify(ctx, s.cfg.DB, app, int64(vodapi.Val(req.Definition)), func(t *vodapi.SampleSnapshotTemplate, m *templateMeta) error {
		setIf(&t.Width, req.Width)
		setIf(&t.Height, req.Height)
		setIf(&t.ResolutionAdaptive, req.ResolutionAdaptive)
		setIf(&t.SampleType, req.SampleType)
		setIf(&t.SampleInterval, req.SampleInterval)
		setIf(&t.Format, req.Format)
		setIf(&t.FillType, req.FillType)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkSample(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifySampleSnapshotTemplateResponse{}, nil
}

// DeleteSampleSnapshotTemplate deletes a custom sample snapshot template.
func (s *Service) DeleteSampleSnapshotTemplate(ctx context.Context, req *vodapi.DeleteSampleSnapshotTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := sampleSnapshotFamily().remove(ctx, s, app, int64(vodapi.Val(req.Definition))); err != nil {
		return nil, err
	}
	return &vodapi.DeleteSampleSnapshotTemplateResponse{}, nil
}

// DescribeSampleSnapshotTemplates lists the preset and custom sample
// snapshot templates of the application.
func (s *Service) DescribeSampleSnapshotTemplates(ctx context.Context, req *vodapi.DescribeSampleSnapshotTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := sampleSnapshotFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type,
		Definitions: uintDefs(req.Definitions), Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeSampleSnapshotTemplatesResponse{TotalCount: vodapi.Ptr(total), SampleSnapshotTemplateSet: items}, nil
}

// CreateImageSpriteTemplate creates a custom image sprite template.
func (s *Service) CreateImageSpriteTemplate(ctx context.Context, req *vodapi.CreateImageSpriteTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.ImageSpriteTemplate{Width: req.Width, Height: req.Height, ResolutionAdaptive: req.ResolutionAdaptive,
		SampleType: req.SampleType, SampleInterval: req.SampleInterval, RowCount: req.RowCount, ColumnCount: req.ColumnCount,
		FillType: req.FillType, Format: req.Format}
	if err := checkSprite(t); err != nil {
		return nil, err
	}
	def, err := imageSpriteFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateImageSpriteTemplateResponse{Definition: vodapi.Ptr(uint64(def))}, nil
}

// ModifyImageSpriteTemplate changes the fields given of a custom image
// sprite template.
func (s *Service) ModifyImageSpriteTemplate(ctx context.Context, req *vodapi.ModifyImageSpriteTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = imageSpriteFamily().modify(ctx, s.cfg.DB, app, int64(vodapi.Val(req.Definition)), func(t *vodapi.ImageSpriteTemplate, m *templateMeta) error {
		setIf(&t.Width, req.Width)
		setIf(&t.Height, req.Height)
		setIf(&t.ResolutionAdaptive, req.ResolutionAdaptive)
		setIf(&t.SampleType, req.SampleType)
		setIf(&t.SampleInterval, req.SampleInterval)
		setIf(&t.RowCount, req.RowCount)
		setIf(&t.ColumnCount, req.ColumnCount)
		setIf(&t.FillType, req.FillType)
		setIf(&t.Format, req.Format)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkSprite(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyImageSpriteTemplateResponse{}, nil
}

// DeleteImageSpriteTemplate deletes a custom image sprite template.
func (s *Service) DeleteImageSpriteTemplate(ctx context.Context, req *vodapi.DeleteImageSpriteTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := imageSpriteFamily().remove(ctx, s, app, int64(vodapi.Val(req.Definition))); err != nil {
		return nil, err
	}
	return &vodapi.DeleteImageSpriteTemplateResponse{}, nil
}

// DescribeImageSpriteTemplates lists the preset and custom image sprite
// templates of the application.
func (s *Service) DescribeImageSpriteTemplates(ctx context.Context, req *vodapi.DescribeImageSpriteTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := imageSpriteFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type,
		Definitions: uintDefs(req.Definitions), Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeImageSpriteTemplatesResponse{TotalCount: vodapi.Ptr(total), ImageSpriteTemplateSet: items}, nil
}

// CreateAnimatedGraphicsTemplate creates a custom animated graphics
// template.
func (s *Service) CreateAnimatedGraphicsTemplate(ctx context.Context, req *vodapi.CreateAnimatedGraphicsTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.AnimatedGraphicsTemplate{Width: req.Width, Height: req.Height, ResolutionAdaptive: req.ResolutionAdaptive,
		Format: req.Format, Fps: req.Fps, Quality: req.Quality}
	if err := checkAnimated(t); err != nil {
		return nil, err
	}
	def, err := animatedGraphicsFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateAnimatedGraphicsTemplateResponse{Definition: vodapi.Ptr(uint64(def))}, nil
}

// ModifyAnimatedGraphicsTemplate changes the fields given of a custom
// animated graphics template.
func (s *Service) ModifyAnimatedGraphicsTemplate(ctx context.Context, req *vodapi.ModifyAnimatedGraphicsTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = animatedGraphicsFamily().modify(ctx, s.cfg.DB, app, int64(vodapi.Val(req.Definition)), func(t *vodapi.AnimatedGraphicsTemplate, m *templateMeta) error {
		setIf(&t.Width, req.Width)
		setIf(&t.Height, req.Height)
		setIf(&t.ResolutionAdaptive, req.ResolutionAdaptive)
		setIf(&t.Format, req.Format)
		setIf(&t.Fps, req.Fps)
		setIf(&t.Quality, req.Quality)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkAnimated(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyAnimatedGraphicsTemplateResponse{}, nil
}

// DeleteAnimatedGraphicsTemplate deletes a custom animated graphics
// template.
func (s *Service) DeleteAnimatedGraphicsTemplate(ctx context.Context, req *vodapi.DeleteAnimatedGraphicsTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := animatedGraphicsFamily().remove(ctx, s, app, int64(vodapi.Val(req.Definition))); err != nil {
		return nil, err
	}
	return &vodapi.DeleteAnimatedGraphicsTemplateResponse{}, nil
}

// DescribeAnimatedGraphicsTemplates lists the preset and custom animated
// graphics templates of the application.
func (s *Service) DescribeAnimatedGraphicsTemplates(ctx context.Context, req *vodapi.DescribeAnimatedGraphicsTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := animatedGraphicsFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type,
		Definitions: uintDefs(req.Definitions), Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeAnimatedGraphicsTemplatesResponse{TotalCount: vodapi.Ptr(total), AnimatedGraphicsTemplateSet: items}, nil
}

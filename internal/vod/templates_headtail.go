package vod

import (
	"context"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// maxHeadTailCandidates caps each of a head/tail template's candidate
// lists.
const maxHeadTailCandidates = 5

// headTailFamily has no presets: every head/tail template names media of
// its own application.
func headTailFamily() *family[*vodapi.HeadTailTemplate] {
	return &family[*vodapi.HeadTailTemplate]{
		kind: kindHeadTail, label: "head/tail template", first: 10001, quota: 1000,
		presets:    func() []*vodapi.HeadTailTemplate { return nil },
		definition: func(t *vodapi.HeadTailTemplate) int64 { return vodapi.Val(t.Definition) },
		setMeta: func(t *vodapi.HeadTailTemplate, m templateMeta) {
			t.Definition, t.Name, t.Comment = vodapi.Ptr(m.Definition), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
			t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
		},
	}
}

// checkHeadTail validates a whole head/tail template, fills its defaults
// and checks that every candidate is a media of the application.
func (s *Service) checkHeadTail(ctx context.Context, app *store.App, t *vodapi.HeadTailTemplate) error {
	if t.FillType == nil {
		t.FillType = vodapi.Ptr("gauss")
	}
	if !oneOf(*t.FillType, "stretch", "black", "white", "gauss") {
		return tcapi.Errorf("InvalidParameterValue.FillType", "FillType must be stretch, black, white or gauss")
	}
	if t.HeadCandidateSet == nil {
		t.HeadCandidateSet = []string{}
	}
	if t.TailCandidateSet == nil {
		t.TailCandidateSet = []string{}
	}
	for _, c := range []struct {
		set  []string
		name string
	}{{t.HeadCandidateSet, "HeadCandidateSet"}, {t.TailCandidateSet, "TailCandidateSet"}} {
		if len(c.set) > maxHeadTailCandidates {
			return tcapi.Errorf("InvalidParameterValue."+c.name, "%s may list at most %d media", c.name, maxHeadTailCandidates)
		}
		for _, id := range c.set {
			if id == "" {
				return tcapi.Errorf("InvalidParameterValue."+c.name, "%s holds an empty FileId", c.name)
			}
			if _, err := s.mediaOf(ctx, app, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateHeadTailTemplate creates a head/tail template.
func (s *Service) CreateHeadTailTemplate(ctx context.Context, req *vodapi.CreateHeadTailTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.HeadTailTemplate{HeadCandidateSet: req.HeadCandidateSet, TailCandidateSet: req.TailCandidateSet, FillType: req.FillType}
	if err := s.checkHeadTail(ctx, app, t); err != nil {
		return nil, err
	}
	def, err := headTailFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateHeadTailTemplateResponse{Definition: vodapi.Ptr(def)}, nil
}

// ModifyHeadTailTemplate changes the fields given of a head/tail template;
// a candidate list given replaces the old one.
func (s *Service) ModifyHeadTailTemplate(ctx context.Context, req *vodapi.ModifyHeadTailTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = headTailFamily().modify(ctx, s.cfg.DB, app, vodapi.Val(req.Definition), func(t *vodapi.HeadTailTemplate, m *templateMeta) error {
		if req.HeadCandidateSet != nil {
			t.HeadCandidateSet = req.HeadCandidateSet
		}
		if req.TailCandidateSet != nil {
			t.TailCandidateSet = req.TailCandidateSet
		}
		setIf(&t.FillType, req.FillType)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return s.checkHeadTail(ctx, app, t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyHeadTailTemplateResponse{}, nil
}

// DeleteHeadTailTemplate deletes a head/tail template no procedure
// template refers to.
func (s *Service) DeleteHeadTailTemplate(ctx context.Context, req *vodapi.DeleteHeadTailTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := headTailFamily().remove(ctx, s, app, vodapi.Val(req.Definition)); err != nil {
		return nil, err
	}
	return &vodapi.DeleteHeadTailTemplateResponse{}, nil
}

// DescribeHeadTailTemplates lists the head/tail templates of the
// application.
func (s *Service) DescribeHeadTailTemplates(ctx context.Context, req *vodapi.DescribeHeadTailTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := headTailFamily().list(ctx, s.cfg.DB, app, listParams{Definitions: req.Definitions,
		Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeHeadTailTemplatesResponse{TotalCount: vodapi.Ptr(total), HeadTailTemplateSet: items}, nil
}

// headTailTemplate returns the application's head/tail template def.
func (s *Service) headTailTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.HeadTailTemplate, error) {
	return headTailFamily().lookup(ctx, s.cfg.DB, app, def)
}

package vod

import (
	"context"
	"strconv"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Template kinds of the two restoration families. Both store a
// RebuildMediaTemplate; they number their definitions apart, as the API's
// two action families do.
const (
	kindEnhanceMedia = "enhanceMedia"
	kindRebuildMedia = "rebuildMedia"
)

// enhanceMediaFamily holds the templates of Create/Modify/Delete/
// DescribeEnhanceMediaTemplate(s), used by EnhanceMediaQuality and
// EnhanceMediaByTemplate.
func enhanceMediaFamily() *family[*vodapi.RebuildMediaTemplate] {
	return rebuildFamily(kindEnhanceMedia, "enhance media template")
}

// rebuildMediaFamily holds the templates of the *RebuildMediaTemplate(s)
// actions, used by RebuildMediaByTemplate.
func rebuildMediaFamily() *family[*vodapi.RebuildMediaTemplate] {
	return rebuildFamily(kindRebuildMedia, "rebuild media template")
}

// rebuildFamily: custom definitions start at 20001, as the API's examples
// show them; the quota is that of most parameter templates.
func rebuildFamily(kind, label string) *family[*vodapi.RebuildMediaTemplate] {
	return &family[*vodapi.RebuildMediaTemplate]{
		kind: kind, label: label, first: 20001, quota: 100,
		presets:    rebuildPresets,
		definition: func(t *vodapi.RebuildMediaTemplate) int64 { return vodapi.Val(t.Definition) },
		setMeta: func(t *vodapi.RebuildMediaTemplate, m templateMeta) {
			t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(m.Definition), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
			t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
		},
	}
}

// rebuildPresets are this server's preset restoration templates (the API
// publishes no preset ids for these families): 10 a general clean-up, 20
// a ×2 super resolution, 30 a repair of old, dark, scratched footage.
func rebuildPresets() []*vodapi.RebuildMediaTemplate {
	on := vodapi.Ptr("ON")
	mk := func(def int64, name, comment string, v *vodapi.RebuildVideoInfo, audio bool) *vodapi.RebuildMediaTemplate {
		t := &vodapi.RebuildMediaTemplate{Definition: vodapi.Ptr(def), Type: vodapi.Ptr("Preset"), Name: vodapi.Ptr(name),
			Comment: vodapi.Ptr(comment), Container: vodapi.Ptr("mp4"), RebuildVideoInfo: v,
			CreateTime: vodapi.Ptr(presetTime), UpdateTime: vodapi.Ptr(presetTime)}
		if audio {
			t.RebuildAudioInfo = &vodapi.RebuildAudioInfo{AudioDenoiseInfo: &vodapi.AudioDenoiseInfo{Switch: on}}
		}
		fillRebuild(t)
		return t
	}
	return []*vodapi.RebuildMediaTemplate{
		mk(10, "GeneralEnhance", "denoise, deblock, colour, light sharpening, audio clean-up", &vodapi.RebuildVideoInfo{
			VideoDenoiseInfo:   &vodapi.VideoDenoiseInfo{Switch: on, Type: vodapi.Ptr("weak")},
			ArtifactRepairInfo: &vodapi.ArtifactRepairInfo{Switch: on, Type: vodapi.Ptr("weak")},
			ColorInfo:          &vodapi.ColorEnhanceInfo{Switch: on, Type: vodapi.Ptr("weak")},
			SharpInfo:          &vodapi.SharpEnhanceInfo{Switch: on, Intensity: vodapi.Ptr(0.3)},
		}, true),
		mk(20, "SuperResolution2x", "doubles width and height (lanczos), light sharpening", &vodapi.RebuildVideoInfo{
			SuperResolutionInfo: &vodapi.SuperResolutionInfo{Switch: on, Type: vodapi.Ptr("lq"), Size: vodapi.Ptr(int64(2))},
			SharpInfo:           &vodapi.SharpEnhanceInfo{Switch: on, Intensity: vodapi.Ptr(0.2)},
		}, false),
		mk(30, "OldFootageRepair", "repair, scratch removal, low light and colour for old footage", &vodapi.RebuildVideoInfo{
			RepairInfo:        &vodapi.RepairInfo{Switch: on, Type: vodapi.Ptr("normal")},
			ScratchRepairInfo: &vodapi.ScratchRepairInfo{Switch: on, Intensity: vodapi.Ptr(0.6), Type: vodapi.Ptr("normal")},
			LowLightInfo:      &vodapi.LowLightEnhanceInfo{Switch: on, Type: vodapi.Ptr("normal")},
			ColorInfo:         &vodapi.ColorEnhanceInfo{Switch: on, Type: vodapi.Ptr("normal")},
		}, true),
	}
}

// rebuildRequest is what the Create and Modify actions of both families
// carry besides the template's id, name and comment.
type rebuildRequest struct {
	Video       *vodapi.RebuildVideoInfo
	Audio       *vodapi.RebuildAudioInfo
	TargetVideo *vodapi.RebuildMediaTargetVideoStream
	TargetAudio *vodapi.RebuildMediaTargetAudioStream
	Container   *string
	RemoveVideo *int64
	RemoveAudio *int64
}

// apply merges r into t: each switch struct and each target field given
// replaces the old one.
func (r rebuildRequest) apply(t *vodapi.RebuildMediaTemplate) {
	fillRebuild(t)
	if v := r.Video; v != nil {
		o := t.RebuildVideoInfo
		setIf(&o.RepairInfo, v.RepairInfo)
		setIf(&o.VideoFrameInterpolationInfo, v.VideoFrameInterpolationInfo)
		setIf(&o.SuperResolutionInfo, v.SuperResolutionInfo)
		setIf(&o.HDRInfo, v.HDRInfo)
		setIf(&o.VideoDenoiseInfo, v.VideoDenoiseInfo)
		setIf(&o.ColorInfo, v.ColorInfo)
		setIf(&o.SharpInfo, v.SharpInfo)
		setIf(&o.FaceInfo, v.FaceInfo)
		setIf(&o.LowLightInfo, v.LowLightInfo)
		setIf(&o.ScratchRepairInfo, v.ScratchRepairInfo)
		setIf(&o.ArtifactRepairInfo, v.ArtifactRepairInfo)
	}
	if a := r.Audio; a != nil {
		setIf(&t.RebuildAudioInfo.AudioDenoiseInfo, a.AudioDenoiseInfo)
	}
	if v := r.TargetVideo; v != nil {
		o := t.TargetVideoInfo
		setIf(&o.Codec, v.Codec)
		setIf(&o.Bitrate, v.Bitrate)
		setIf(&o.Fps, v.Fps)
		setIf(&o.ResolutionAdaptive, v.ResolutionAdaptive)
		setIf(&o.Width, v.Width)
		setIf(&o.Height, v.Height)
		setIf(&o.FillType, v.FillType)
		setIf(&o.Gop, v.Gop)
	}
	if a := r.TargetAudio; a != nil {
		o := t.TargetAudioInfo
		setIf(&o.Codec, a.Codec)
		setIf(&o.Bitrate, a.Bitrate)
		setIf(&o.SampleRate, a.SampleRate)
		setIf(&o.AudioChannel, a.AudioChannel)
	}
	setIf(&t.Container, r.Container)
	setIf(&t.RemoveVideo, r.RemoveVideo)
	setIf(&t.RemoveAudio, r.RemoveAudio)
	fillRebuild(t)
}

// removeAudioString reads CreateRebuildMediaTemplate's RemoveAudio, which
// the API types as a String.
func removeAudioString(v *string) (*int64, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(*v, 10, 64)
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameterValue.RemoveAudio", "RemoveAudio must be 0 or 1, got %q", *v)
	}
	return &n, nil
}

// createRebuild validates and stores a new template of family f.
func (s *Service) createRebuild(ctx context.Context, f *family[*vodapi.RebuildMediaTemplate], subAppID *uint64,
	name, comment *string, r rebuildRequest) (int64, error) {
	app, err := s.app(ctx, subAppID)
	if err != nil {
		return 0, err
	}
	if err := checkNameComment(name, comment, 64); err != nil {
		return 0, err
	}
	if vodapi.Val(r.Container) == "" {
		return 0, tcapi.Errorf("InvalidParameterValue.Container", "Container is required (mp4 or flv)")
	}
	t := &vodapi.RebuildMediaTemplate{}
	r.apply(t)
	if err := checkRebuild(t); err != nil {
		return 0, err
	}
	return f.create(ctx, s.cfg.DB, app, vodapi.Val(name), vodapi.Val(comment), t)
}

// modifyRebuild changes the fields given of a custom template of family f.
func (s *Service) modifyRebuild(ctx context.Context, f *family[*vodapi.RebuildMediaTemplate], subAppID *uint64,
	def *int64, name, comment *string, r rebuildRequest) error {
	app, err := s.app(ctx, subAppID)
	if err != nil {
		return err
	}
	if err := checkNameComment(name, comment, 64); err != nil {
		return err
	}
	return f.modify(ctx, s.cfg.DB, app, vodapi.Val(def), func(t *vodapi.RebuildMediaTemplate, m *templateMeta) error {
		r.apply(t)
		setIfValue(&m.Name, name)
		setIfValue(&m.Comment, comment)
		return checkRebuild(t)
	})
}

// listRebuild answers a Describe action of family f; its paging fields
// are Ints in these two actions.
func (s *Service) listRebuild(ctx context.Context, f *family[*vodapi.RebuildMediaTemplate], subAppID *uint64,
	defs []int64, typ *string, offset, limit *int64) (*int64, []*vodapi.RebuildMediaTemplate, error) {
	app, err := s.app(ctx, subAppID)
	if err != nil {
		return nil, nil, err
	}
	if vodapi.Val(offset) < 0 {
		return nil, nil, tcapi.Errorf("InvalidParameterValue.Offset", "Offset must not be negative")
	}
	if vodapi.Val(limit) < 0 {
		return nil, nil, tcapi.Errorf("InvalidParameterValue.Limit", "Limit must be between 1 and 100")
	}
	p := listParams{Type: typ, Definitions: defs}
	if offset != nil {
		p.Offset = vodapi.Ptr(uint64(*offset))
	}
	if limit != nil {
		p.Limit = vodapi.Ptr(uint64(*limit))
	}
	items, total, err := f.list(ctx, s.cfg.DB, app, p, nil)
	if err != nil {
		return nil, nil, err
	}
	return vodapi.Ptr(int64(total)), items, nil
}

// subAppOfInt converts the Int SubAppId of some rebuild actions.
func subAppOfInt(v *int64) (*uint64, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 {
		return nil, tcapi.Errorf("InvalidParameterValue.SubAppId", "SubAppId must not be negative")
	}
	return vodapi.Ptr(uint64(*v)), nil
}

// subAppOfString converts the String SubAppId of ModifyRebuildMediaTemplate
// and RebuildMediaByTemplate.
func subAppOfString(v *string) (*uint64, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(*v, 10, 64)
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameterValue.SubAppId", "SubAppId must be a number, got %q", *v)
	}
	return &n, nil
}

// CreateEnhanceMediaTemplate creates an enhance media template.
func (s *Service) CreateEnhanceMediaTemplate(ctx context.Context, req *vodapi.CreateEnhanceMediaTemplateRequest) (any, error) {
	def, err := s.createRebuild(ctx, enhanceMediaFamily(), req.SubAppId, req.Name, req.Comment, rebuildRequest{
		req.RebuildVideoInfo, req.RebuildAudioInfo, req.TargetVideoInfo, req.TargetAudioInfo, req.Container, req.RemoveVideo, req.RemoveAudio})
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateEnhanceMediaTemplateResponse{Definition: vodapi.Ptr(def)}, nil
}

// ModifyEnhanceMediaTemplate changes an enhance media template.
func (s *Service) ModifyEnhanceMediaTemplate(ctx context.Context, req *vodapi.ModifyEnhanceMediaTemplateRequest) (any, error) {
	err := s.modifyRebuild(ctx, enhanceMediaFamily(), req.SubAppId, req.Definition, req.Name, req.Comment, rebuildRequest{
		req.RebuildVideoInfo, req.RebuildAudioInfo, req.TargetVideoInfo, req.TargetAudioInfo, req.Container, req.RemoveVideo, req.RemoveAudio})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyEnhanceMediaTemplateResponse{}, nil
}

// DeleteEnhanceMediaTemplate deletes a custom enhance media template.
func (s *Service) DeleteEnhanceMediaTemplate(ctx context.Context, req *vodapi.DeleteEnhanceMediaTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := enhanceMediaFamily().remove(ctx, s, app, vodapi.Val(req.Definition)); err != nil {
		return nil, err
	}
	return &vodapi.DeleteEnhanceMediaTemplateResponse{}, nil
}

// DescribeEnhanceMediaTemplates lists the preset and custom enhance media
// templates.
func (s *Service) DescribeEnhanceMediaTemplates(ctx context.Context, req *vodapi.DescribeEnhanceMediaTemplatesRequest) (any, error) {
	total, items, err := s.listRebuild(ctx, enhanceMediaFamily(), req.SubAppId, req.Definitions, req.Type, req.Offset, req.Limit)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeEnhanceMediaTemplatesResponse{TotalCount: total, RebuildMediaTemplateSet: items}, nil
}

// CreateRebuildMediaTemplate creates a rebuild media template.
func (s *Service) CreateRebuildMediaTemplate(ctx context.Context, req *vodapi.CreateRebuildMediaTemplateRequest) (any, error) {
	removeAudio, err := removeAudioString(req.RemoveAudio)
	if err != nil {
		return nil, err
	}
	def, err := s.createRebuild(ctx, rebuildMediaFamily(), req.SubAppId, req.Name, req.Comment, rebuildRequest{
		req.RebuildVideoInfo, req.RebuildAudioInfo, req.TargetVideoInfo, req.TargetAudioInfo, req.Container, req.RemoveVideo, removeAudio})
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateRebuildMediaTemplateResponse{Definition: vodapi.Ptr(def)}, nil
}

// ModifyRebuildMediaTemplate changes a rebuild media template.
func (s *Service) ModifyRebuildMediaTemplate(ctx context.Context, req *vodapi.ModifyRebuildMediaTemplateRequest) (any, error) {
	sub, err := subAppOfString(req.SubAppId)
	if err != nil {
		return nil, err
	}
	err = s.modifyRebuild(ctx, rebuildMediaFamily(), sub, req.Definition, req.Name, req.Comment, rebuildRequest{
		req.RebuildVideoInfo, req.RebuildAudioInfo, req.TargetVideoInfo, req.TargetAudioInfo, req.Container, req.RemoveVideo, req.RemoveAudio})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyRebuildMediaTemplateResponse{}, nil
}

// DeleteRebuildMediaTemplate deletes a custom rebuild media template.
func (s *Service) DeleteRebuildMediaTemplate(ctx context.Context, req *vodapi.DeleteRebuildMediaTemplateRequest) (any, error) {
	sub, err := subAppOfInt(req.SubAppId)
	if err != nil {
		return nil, err
	}
	app, err := s.app(ctx, sub)
	if err != nil {
		return nil, err
	}
	if _, err := rebuildMediaFamily().remove(ctx, s, app, vodapi.Val(req.Definition)); err != nil {
		return nil, err
	}
	return &vodapi.DeleteRebuildMediaTemplateResponse{}, nil
}

// DescribeRebuildMediaTemplates lists the preset and custom rebuild media
// templates.
func (s *Service) DescribeRebuildMediaTemplates(ctx context.Context, req *vodapi.DescribeRebuildMediaTemplatesRequest) (any, error) {
	sub, err := subAppOfInt(req.SubAppId)
	if err != nil {
		return nil, err
	}
	total, items, err := s.listRebuild(ctx, rebuildMediaFamily(), sub, req.Definitions, req.Type, req.Offset, req.Limit)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeRebuildMediaTemplatesResponse{TotalCount: total, RebuildMediaTemplateSet: items}, nil
}

// rebuildTemplate resolves the template a by-template action names, or
// answers InvalidParameterValue.Definition.
func (s *Service) rebuildTemplate(ctx context.Context, f *family[*vodapi.RebuildMediaTemplate], app *store.App, def int64) (*vodapi.RebuildMediaTemplate, error) {
	return f.lookup(ctx, s.cfg.DB, app, def)
}

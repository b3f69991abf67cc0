package vod

import (
	"bytes"
	"context"
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// watermarkBody is how a watermark template is stored: the wire struct,
// whose ImageTemplate.ImageUrl stays empty, and the blob key of the image,
// from which the URL is made when the template is shown (so a change of the
// public URL changes every template).
type watermarkBody struct {
	*vodapi.WatermarkTemplate
	ImageKey string `json:"ImageKey,omitempty"`
}

func watermarkFamily() *family[*watermarkBody] {
	return &family[*watermarkBody]{
		kind: kindWatermark, label: "watermark template", first: 10001, quota: 1000,
		presets:    presetWatermarkTemplates,
		definition: func(t *watermarkBody) int64 { return vodapi.Val(t.Definition) },
		setMeta:    setWatermarkMeta,
	}
}

func setWatermarkMeta(t *watermarkBody, m templateMeta) {
	if t.WatermarkTemplate == nil {
		t.WatermarkTemplate = &vodapi.WatermarkTemplate{}
	}
	t.Definition, t.Name, t.Comment = vodapi.Ptr(m.Definition), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
	// Type is the watermark's kind (image, text, svg), not Preset/Custom.
}

// watermarkTemplate returns the watermark template def of the application
// and, for an image watermark, the blob key of its image (ImageUrl is that
// object's public URL); an unknown def is InvalidParameterValue.Definition.
// Type is image, text or svg; CoordinateOrigin is topLeft, topRight,
// bottomLeft or bottomRight; XPos, YPos and the sizes are "N%" or "Npx"
// strings as the API gives them.
func (s *Service) watermarkTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.WatermarkTemplate, string, error) {
	b, err := watermarkFamily().lookup(ctx, s.cfg.DB, app, def)
	if err != nil {
		return nil, "", err
	}
	return s.renderWatermark(b), b.ImageKey, nil
}

// renderWatermark makes the wire struct of a stored watermark.
func (s *Service) renderWatermark(b *watermarkBody) *vodapi.WatermarkTemplate {
	t := b.WatermarkTemplate
	if t.ImageTemplate != nil {
		t.ImageTemplate.ImageUrl = vodapi.Ptr(s.url(b.ImageKey))
	}
	return t
}

var (
	posRE      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(%|px)$`)
	svgSizeRE  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(px|%|W%|H%|S%|L%)$`)
	fontSizeRE = regexp.MustCompile(`^[0-9]+px$`)
	colorRE    = regexp.MustCompile(`^0x[0-9A-Fa-f]{6}$`)
)

// coordinateOrigin maps the accepted spellings to the one Describe shows.
func coordinateOrigin(v string) (string, bool) {
	for _, o := range []string{"topLeft", "topRight", "bottomLeft", "bottomRight"} {
		if v == o || v == strings.ToUpper(o[:1])+o[1:] {
			return o, true
		}
	}
	return "", false
}

// maxWatermarkImage caps a watermark image, decoded.
const maxWatermarkImage = 2 << 20

// decodeWatermarkImage checks ImageContent and returns the image and its
// file extension.
func decodeWatermarkImage(content string) ([]byte, string, error) {
	img, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		return nil, "", tcapi.Errorf("InvalidParameterValue.ImageContent", "ImageTemplate.ImageContent is not base64")
	}
	if len(img) > maxWatermarkImage {
		return nil, "", tcapi.Errorf("InvalidParameterValue.ImageContent", "the watermark image is larger than 2 MB")
	}
	ext := imageExt(img)
	if ext == "" {
		return nil, "", tcapi.Errorf("InvalidParameterValue.ImageContent", "the watermark image is not a JPEG, PNG or GIF image")
	}
	return img, ext, nil
}

// checkWatermark validates a whole watermark template and fills its
// defaults.
func checkWatermark(t *vodapi.WatermarkTemplate) error {
	typ := vodapi.Val(t.Type)
	if !oneOf(typ, "image", "text", "svg") {
		return tcapi.Errorf("InvalidParameterValue.Type", "Type must be image, text or svg")
	}
	origin, ok := coordinateOrigin(vodapi.Val(t.CoordinateOrigin))
	if t.CoordinateOrigin == nil {
		origin, ok = "topLeft", true
	}
	if !ok {
		return tcapi.Errorf("InvalidParameterValue.CoordinateOrigin", "CoordinateOrigin must be TopLeft, TopRight, BottomLeft or BottomRight")
	}
	t.CoordinateOrigin = vodapi.Ptr(origin)
	for _, p := range []struct {
		v    **string
		name string
	}{{&t.XPos, "XPos"}, {&t.YPos, "YPos"}} {
		if *p.v == nil {
			*p.v = vodapi.Ptr("0px")
		}
		if !posRE.MatchString(**p.v) {
			return tcapi.Errorf("InvalidParameterValue."+p.name, `%s must be like "10%%" or "100px"`, p.name)
		}
	}
	switch typ {
	case "image":
		t.TextTemplate, t.SvgTemplate = nil, nil
		it := t.ImageTemplate
		if it == nil {
			return tcapi.Errorf(tcapi.CodeMissingParameter, "ImageTemplate is required for an image watermark")
		}
		defaults := []struct {
			v    **string
			def  string
			name string
		}{{&it.Width, "10%", "Width"}, {&it.Height, "0px", "Height"}}
		for _, d := range defaults {
			if *d.v == nil {
				*d.v = vodapi.Ptr(d.def)
			}
			if !posRE.MatchString(**d.v) {
				return tcapi.Errorf("InvalidParameterValue."+d.name, `ImageTemplate.%s must be like "10%%" or "100px"`, d.name)
			}
		}
		if it.RepeatType == nil {
			it.RepeatType = vodapi.Ptr("repeat")
		}
		if !oneOf(*it.RepeatType, "once", "repeat_last_frame", "repeat") {
			return tcapi.Errorf("InvalidParameterValue.RepeatType", "RepeatType must be once, repeat_last_frame or repeat")
		}
		if it.Transparency == nil {
			it.Transparency = vodapi.Ptr(int64(0))
		}
		if *it.Transparency < 0 || *it.Transparency > 100 {
			return tcapi.Errorf("InvalidParameterValue.Transparency", "Transparency must be between 0 and 100")
		}
	case "text":
		t.ImageTemplate, t.SvgTemplate = nil, nil
		tt := t.TextTemplate
		switch {
		case tt == nil:
			return tcapi.Errorf(tcapi.CodeMissingParameter, "TextTemplate is required for a text watermark")
		case !oneOf(vodapi.Val(tt.FontType), "arial.ttf", "simkai.ttf"):
			return tcapi.Errorf("InvalidParameterValue.FontType", "FontType must be arial.ttf or simkai.ttf")
		case !fontSizeRE.MatchString(vodapi.Val(tt.FontSize)):
			return tcapi.Errorf("InvalidParameterValue.FontSize", `FontSize must be like "16px"`)
		case !colorRE.MatchString(vodapi.Val(tt.FontColor)):
			return tcapi.Errorf("InvalidParameterValue.FontColor", `FontColor must be like "0xFFFFFF"`)
		case vodapi.Val(tt.FontAlpha) <= 0 || vodapi.Val(tt.FontAlpha) > 1:
			return tcapi.Errorf("InvalidParameterValue.FontAlpha", "FontAlpha must be greater than 0 and at most 1")
		}
	case "svg":
		t.ImageTemplate, t.TextTemplate = nil, nil
		if t.SvgTemplate == nil {
			t.SvgTemplate = &vodapi.SvgWatermarkInput{}
		}
		defaults := []struct {
			v    **string
			def  string
			name string
		}{{&t.SvgTemplate.Width, "10W%", "Width"}, {&t.SvgTemplate.Height, "0px", "Height"}}
		for _, d := range defaults {
			if *d.v == nil {
				*d.v = vodapi.Ptr(d.def)
			}
			if !svgSizeRE.MatchString(**d.v) {
				return tcapi.Errorf("InvalidParameterValue."+d.name, `SvgTemplate.%s must be like "10W%%", "10%%" or "100px"`, d.name)
			}
		}
	}
	return nil
}

// putWatermarkImage stores a watermark image under a new servable key of
// the application and returns the key.
func (s *Service) putWatermarkImage(ctx context.Context, app *store.App, img []byte, ext string) (string, error) {
	key := u64(app.SubAppID) + "/templates/watermark-" + randomHex(8) + "." + ext
	if _, err := s.cfg.Blob.Put(ctx, key, bytes.NewReader(img), ""); err != nil {
		return "", errInternal("store watermark image", err)
	}
	return key, nil
}

// dropImage deletes an image no template refers to any more.
func (s *Service) dropImage(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := s.cfg.Blob.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.Error("delete watermark image; it is orphaned", "key", key, "err", err)
	}
}

// CreateWatermarkTemplate creates a watermark template; an image
// watermark's image is stored and its URL returned.
func (s *Service) CreateWatermarkTemplate(ctx context.Context, req *vodapi.CreateWatermarkTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.WatermarkTemplate{Type: req.Type, CoordinateOrigin: req.CoordinateOrigin, XPos: req.XPos, YPos: req.YPos,
		TextTemplate: req.TextTemplate, SvgTemplate: req.SvgTemplate}
	var img []byte
	var ext string
	if it := req.ImageTemplate; it != nil {
		t.ImageTemplate = &vodapi.ImageWatermarkTemplate{Width: it.Width, Height: it.Height, RepeatType: it.RepeatType, Transparency: it.Transparency}
	}
	if err := checkWatermark(t); err != nil {
		return nil, err
	}
	b := &watermarkBody{WatermarkTemplate: t}
	if t.ImageTemplate != nil {
		if img, ext, err = decodeWatermarkImage(vodapi.Val(req.ImageTemplate.ImageContent)); err != nil {
			return nil, err
		}
		if b.ImageKey, err = s.putWatermarkImage(ctx, app, img, ext); err != nil {
			return nil, err
		}
	}
	def, err := watermarkFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), b)
	if err != nil {
		s.dropImage(ctx, b.ImageKey)
		return nil, err
	}
	return &vodapi.CreateWatermarkTemplateResponse{Definition: vodapi.Ptr(def), ImageUrl: vodapi.Ptr(s.url(b.ImageKey))}, nil
}

// ModifyWatermarkTemplate changes the fields given of a watermark
// template. Its Type cannot change.
func (s *Service) ModifyWatermarkTemplate(ctx context.Context, req *vodapi.ModifyWatermarkTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	// A new image is stored before the change and dropped if it fails.
	var newKey string
	if it := req.ImageTemplate; it != nil && it.ImageContent != nil {
		img, ext, err := decodeWatermarkImage(*it.ImageContent)
		if err != nil {
			return nil, err
		}
		if newKey, err = s.putWatermarkImage(ctx, app, img, ext); err != nil {
			return nil, err
		}
	}
	var oldKey, imageKey string
	err = watermarkFamily().modify(ctx, s.cfg.DB, app, vodapi.Val(req.Definition), func(b *watermarkBody, m *templateMeta) error {
		t := b.WatermarkTemplate
		typ := vodapi.Val(t.Type)
		switch {
		case req.ImageTemplate != nil && typ != "image", req.TextTemplate != nil && typ != "text", req.SvgTemplate != nil && typ != "svg":
			return tcapi.Errorf("InvalidParameterValue.Type", "watermark template %d is of type %s; only its own sub-template can change", vodapi.Val(t.Definition), typ)
		}
		setIf(&t.CoordinateOrigin, req.CoordinateOrigin)
		setIf(&t.XPos, req.XPos)
		setIf(&t.YPos, req.YPos)
		if u := req.ImageTemplate; u != nil {
			setIf(&t.ImageTemplate.Width, u.Width)
			setIf(&t.ImageTemplate.Height, u.Height)
			setIf(&t.ImageTemplate.RepeatType, u.RepeatType)
			setIf(&t.ImageTemplate.Transparency, u.Transparency)
			if newKey != "" {
				oldKey, b.ImageKey = b.ImageKey, newKey
			}
		}
		if u := req.TextTemplate; u != nil {
			setIf(&t.TextTemplate.FontType, u.FontType)
			setIf(&t.TextTemplate.FontSize, u.FontSize)
			setIf(&t.TextTemplate.FontColor, u.FontColor)
			setIf(&t.TextTemplate.FontAlpha, u.FontAlpha)
		}
		if u := req.SvgTemplate; u != nil {
			setIf(&t.SvgTemplate.Width, u.Width)
			setIf(&t.SvgTemplate.Height, u.Height)
		}
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		imageKey = b.ImageKey
		return checkWatermark(t)
	})
	if err != nil {
		s.dropImage(ctx, newKey)
		return nil, err
	}
	s.dropImage(ctx, oldKey)
	return &vodapi.ModifyWatermarkTemplateResponse{ImageUrl: vodapi.Ptr(s.url(imageKey))}, nil
}

// DeleteWatermarkTemplate deletes a watermark template and its image.
func (s *Service) DeleteWatermarkTemplate(ctx context.Context, req *vodapi.DeleteWatermarkTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	b, err := watermarkFamily().remove(ctx, s, app, vodapi.Val(req.Definition))
	if err != nil {
		return nil, err
	}
	s.dropImage(ctx, b.ImageKey)
	return &vodapi.DeleteWatermarkTemplateResponse{}, nil
}

// DescribeWatermarkTemplates lists the watermark templates of the
// application. Type filters by the template's kind here (image, text, svg):
// watermark templates carry no Preset/Custom type.
func (s *Service) DescribeWatermarkTemplates(ctx context.Context, req *vodapi.DescribeWatermarkTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	typ := vodapi.Val(req.Type)
	if !oneOf(typ, "", "image", "text", "svg") {
		return nil, tcapi.Errorf("InvalidParameterValue.Type", "Type must be image, text or svg")
	}
	keep := func(b *watermarkBody) bool { return typ == "" || vodapi.Val(b.Type) == typ }
	items, total, err := watermarkFamily().list(ctx, s.cfg.DB, app, listParams{Definitions: req.Definitions,
		Offset: req.Offset, Limit: req.Limit}, keep)
	if err != nil {
		return nil, err
	}
	set := make([]*vodapi.WatermarkTemplate, 0, len(items))
	for _, b := range items {
		set = append(set, s.renderWatermark(b))
	}
	return &vodapi.DescribeWatermarkTemplatesResponse{TotalCount: vodapi.Ptr(total), WatermarkTemplateSet: set}, nil
}

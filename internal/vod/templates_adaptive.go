package vod

import (
	"context"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

func adaptiveDynamicStreamingFamily() *family[*vodapi.AdaptiveDynamicStreamingTemplate] {
	return &family[*vodapi.AdaptiveDynamicStreamingTemplate]{
		kind: kindAdaptiveDynamicStreaming, label: "adaptive streaming template", first: 1001, quota: 100,
		presets:    presetAdaptiveDynamicStreamingTemplates,
		definition: func(t *vodapi.AdaptiveDynamicStreamingTemplate) int64 { return int64(vodapi.Val(t.Definition)) },
		setMeta:    setAdaptiveMeta,
	}
}

func setAdaptiveMeta(t *vodapi.AdaptiveDynamicStreamingTemplate, m templateMeta) {
	t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(uint64(m.Definition)), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
	t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
}

// adaptiveDynamicStreamingTemplate returns the preset or custom adaptive
// streaming template def of the application, or
// InvalidParameterValue.Definition. The result is the caller's own copy.
// Format is HLS or MPEG-DASH; DrmType is "" or SimpleAES (HLS AES-128);
// every rendition has the first one's Fps; a rendition with RemoveVideo
// (RemoveAudio) 1 has no video (audio) stream, though its Video (Audio) is
// still filled in.
func (s *Service) adaptiveDynamicStreamingTemplate(ctx context.Context, app *store.App, def int64) (*vodapi.AdaptiveDynamicStreamingTemplate, error) {
	return adaptiveDynamicStreamingFamily().lookup(ctx, s.cfg.DB, app, def)
}

// checkAdaptive validates a whole adaptive streaming template and brings it
// into its stored form.
func checkAdaptive(t *vodapi.AdaptiveDynamicStreamingTemplate) error {
	format := vodapi.Val(t.Format)
	if format != "HLS" && format != "MPEG-DASH" {
		return tcapi.Errorf("InvalidParameterValue.Format", "Format must be HLS or MPEG-DASH")
	}
	switch drm := vodapi.Val(t.DrmType); {
	case drm == "":
		t.DrmType, t.DrmKeyProvider = vodapi.Ptr(""), vodapi.Ptr("")
	case drm == "SimpleAES" && format == "HLS":
		if vodapi.Val(t.DrmKeyProvider) == "" {
			t.DrmKeyProvider = vodapi.Ptr("VOD")
		}
		if vodapi.Val(t.DrmKeyProvider) != "VOD" {
			return tcapi.Errorf("InvalidParameterValue.DrmKeyProvider", "DrmKeyProvider must be VOD on this server")
		}
	case drm == "SimpleAES":
		return tcapi.Errorf("InvalidParameterValue.DrmType", "SimpleAES encryption needs the HLS format")
	default:
		return tcapi.Errorf("InvalidParameterValue.DrmType", "DrmType %q is not supported by this server (use SimpleAES, or none)", drm)
	}
	if t.DrmEncryptType == nil {
		t.DrmEncryptType = vodapi.Ptr("")
	}
	for _, p := range []struct {
		v    **uint64
		name string
	}{{&t.DisableHigherVideoBitrate, "DisableHigherVideoBitrate"}, {&t.DisableHigherVideoResolution, "DisableHigherVideoResolution"}} {
		if *p.v == nil {
			*p.v = vodapi.Ptr(uint64(0))
		}
		if **p.v > 1 {
			return tcapi.Errorf("InvalidParameterValue."+p.name, "%s must be 0 or 1", p.name)
		}
	}
	if t.SegmentType == nil {
		t.SegmentType = vodapi.Ptr("ts-segment")
		if format == "MPEG-DASH" {
			t.SegmentType = vodapi.Ptr("mp4-segment")
		}
	}
	segments := []string{"ts-segment", "mp4-segment", "ts-byterange", "mp4-byterange", "ts-packed-audio", "mp4-packed-audio"}
	if format == "MPEG-DASH" {
		segments = []string{"mp4-segment", "mp4-byterange"}
	}
	if !oneOf(*t.SegmentType, segments...) {
		return tcapi.Errorf("InvalidParameterValue.SegmentType", "SegmentType must be one of %v for %s", segments, format)
	}
	if t.SegmentDuration == nil {
		t.SegmentDuration = vodapi.Ptr(int64(6))
	}
	if d := *t.SegmentDuration; d < 1 || d > 10 {
		return tcapi.Errorf("InvalidParameterValue.SegmentDuration", "SegmentDuration must be between 1 and 10 seconds")
	}
	if n := len(t.StreamInfos); n == 0 || n > 10 {
		return tcapi.Errorf("InvalidParameterValue.StreamInfos", "StreamInfos must hold 1 to 10 renditions")
	}
	// The packagers' audio rules: AAC for HLS and DASH alike.
	container := "hls"
	var fps *uint64
	for _, st := range t.StreamInfos {
		if st == nil || st.Video == nil || st.Audio == nil {
			return tcapi.Errorf(tcapi.CodeMissingParameter, "every StreamInfos entry needs Video and Audio")
		}
		for _, p := range []struct {
			v    **uint64
			name string
		}{{&st.RemoveVideo, "RemoveVideo"}, {&st.RemoveAudio, "RemoveAudio"}} {
			if *p.v == nil {
				*p.v = vodapi.Ptr(uint64(0))
			}
			if **p.v > 1 {
				return tcapi.Errorf("InvalidParameterValue."+p.name, "%s must be 0 or 1", p.name)
			}
		}
		if *st.RemoveVideo == 1 && *st.RemoveAudio == 1 {
			return tcapi.Errorf("InvalidParameterValue.RemoveAudio", "a rendition cannot remove both video and audio")
		}
		completeVideo(st.Video)
		completeAudio(st.Audio)
		if err := checkVideo(st.Video, container); err != nil {
			return err
		}
		if err := checkAudio(st.Audio, container); err != nil {
			return err
		}
		if err := checkTEHD(st.TEHDConfig); err != nil {
			return err
		}
		// All renditions share one frame rate: the first one's.
		if fps == nil {
			fps = st.Video.Fps
		} else {
			st.Video.Fps = vodapi.Ptr(*fps)
		}
		if st.StdExtInfo == nil {
			st.StdExtInfo = vodapi.Ptr("")
		}
	}
	return nil
}

// CreateAdaptiveDynamicStreamingTemplate creates a custom adaptive
// streaming template.
func (s *Service) CreateAdaptiveDynamicStreamingTemplate(ctx context.Context, req *vodapi.CreateAdaptiveDynamicStreamingTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.AdaptiveDynamicStreamingTemplate{Format: req.Format, DrmType: req.DrmType, DrmKeyProvider: req.DrmKeyProvider,
		DrmEncryptType: req.DrmEncryptType, StreamInfos: req.StreamInfos, DisableHigherVideoBitrate: req.DisableHigherVideoBitrate,
		DisableHigherVideoResolution: req.DisableHigherVideoResolution, SegmentType: req.SegmentType, SegmentDuration: req.SegmentDuration}
	if err := checkAdaptive(t); err != nil {
		return nil, err
	}
	def, err := adaptiveDynamicStreamingFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateAdaptiveDynamicStreamingTemplateResponse{Definition: vodapi.Ptr(uint64(def))}, nil
}

// ModifyAdaptiveDynamicStreamingTemplate changes the fields given of a
// custom adaptive streaming template; StreamInfos, when given, replaces
// all renditions.
func (s *Service) ModifyAdaptiveDynamicStreamingTemplate(ctx context.Context, req *vodapi.ModifyAdaptiveDynamicStreamingTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = adaptiveDynamicStreamingFamily().modify(ctx, s.cfg.DB, app, int64(vodapi.Val(req.Definition)), func(t *vodapi.AdaptiveDynamicStreamingTemplate, m *templateMeta) error {
		if req.Format != nil && *req.Format != vodapi.Val(t.Format) {
			setIf(&t.Format, req.Format)
			if req.SegmentType == nil {
				t.SegmentType = nil // the new format's default
			}
		}
		setIf(&t.DisableHigherVideoBitrate, req.DisableHigherVideoBitrate)
		setIf(&t.DisableHigherVideoResolution, req.DisableHigherVideoResolution)
		if req.StreamInfos != nil {
			t.StreamInfos = req.StreamInfos
		}
		setIf(&t.SegmentType, req.SegmentType)
		setIf(&t.SegmentDuration, req.SegmentDuration)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkAdaptive(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyAdaptiveDynamicStreamingTemplateResponse{}, nil
}

// DeleteAdaptiveDynamicStreamingTemplate deletes a custom adaptive
// streaming template.
func (s *Service) DeleteAdaptiveDynamicStreamingTemplate(ctx context.Context, req *vodapi.DeleteAdaptiveDynamicStreamingTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if _, err := adaptiveDynamicStreamingFamily().remove(ctx, s, app, int64(vodapi.Val(req.Definition))); err != nil {
		return nil, err
	}
	return &vodapi.DeleteAdaptiveDynamicStreamingTemplateResponse{}, nil
}

// DescribeAdaptiveDynamicStreamingTemplates lists the preset and custom
// adaptive streaming templates of the application.
func (s *Service) DescribeAdaptiveDynamicStreamingTemplates(ctx context.Context, req *vodapi.DescribeAdaptiveDynamicStreamingTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	items, total, err := adaptiveDynamicStreamingFamily().list(ctx, s.cfg.DB, app, listParams{Type: req.Type,
		Definitions: uintDefs(req.Definitions), Offset: req.Offset, Limit: req.Limit}, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeAdaptiveDynamicStreamingTemplatesResponse{TotalCount: vodapi.Ptr(total), AdaptiveDynamicStreamingTemplateSet: items}, nil
}

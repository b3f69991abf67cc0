package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerInspect installs the handlers of InspectMediaQuality with its templates, and RemoveWatermark.
func (s *Service) registerInspect(srv *tcapi.Server) {
	tcapi.HandleFunc(srv, "InspectMediaQuality", s.InspectMediaQuality)
	tcapi.HandleFunc(srv, "CreateQualityInspectTemplate", s.CreateQualityInspectTemplate)
	tcapi.HandleFunc(srv, "ModifyQualityInspectTemplate", s.ModifyQualityInspectTemplate)
	tcapi.HandleFunc(srv, "DeleteQualityInspectTemplate", s.DeleteQualityInspectTemplate)
	tcapi.HandleFunc(srv, "DescribeQualityInspectTemplates", s.DescribeQualityInspectTemplates)
	tcapi.HandleFunc(srv, "RemoveWatermark", s.RemoveWatermark)
}

// inspectTypes lists the task types of InspectMediaQuality with its templates, and RemoveWatermark.
func (s *Service) inspectTypes() []*task.Type {
	return []*task.Type{s.qualityInspectType(), s.removeWatermarkType()}
}

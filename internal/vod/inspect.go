package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerInspect installs the handlers of InspectMediaQuality with its templates, and RemoveWatermark.
func (s *Service) registerInspect(srv *tcapi.Server) {}

// inspectTypes lists the task types of InspectMediaQuality with its templates, and RemoveWatermark.
func (s *Service) inspectTypes() []*task.Type { return nil }

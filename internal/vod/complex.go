package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerComplex installs the handlers of CreateComplexAdaptiveDynamicStreamingTask and media subtitles.
func (s *Service) registerComplex(srv *tcapi.Server) {}

// complexTypes lists the task types of CreateComplexAdaptiveDynamicStreamingTask and media subtitles.
func (s *Service) complexTypes() []*task.Type { return nil }

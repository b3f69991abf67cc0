package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerCompose installs the handlers of ComposeMedia.
func (s *Service) registerCompose(srv *tcapi.Server) {}

// composeTypes lists the task types of ComposeMedia.
func (s *Service) composeTypes() []*task.Type { return nil }

package vod

import "github.com/openvod/openvod/internal/tcapi"

// registerTemplates installs the template actions (parameter templates and
// procedure templates).
func (s *Service) registerTemplates(srv *tcapi.Server) {}

package vod

import (
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// registerEdit installs the handlers of EditMedia, SplitMedia, FastEditMedia and SimpleHlsClip.
func (s *Service) registerEdit(srv *tcapi.Server) {
	tcapi.HandleFunc(srv, "EditMedia", s.EditMedia)
	tcapi.HandleFunc(srv, "SplitMedia", s.SplitMedia)
	tcapi.HandleFunc(srv, "FastEditMedia", s.FastEditMedia)
	tcapi.HandleFunc(srv, "SimpleHlsClip", s.SimpleHlsClip)
}

// editTypes lists the task types of EditMedia, SplitMedia, FastEditMedia and SimpleHlsClip.
func (s *Service) editTypes() []*task.Type {
	return []*task.Type{s.editMediaType(), s.splitMediaType(), s.fastClipType()}
}

package vod

import (
	"fmt"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// imageOverlays turns the watermarks of image subtask i (snapshots,
// sample snapshots, a cover) into overlays, and returns the watermark
// definitions used. A still image has no timeline: the watermarks'
// time windows do not apply.
func (pr *procRun) imageOverlays(i int, ws []*vodapi.WatermarkInput) ([]media.Overlay, []int64, error) {
	var ovs []media.Overlay
	defs := []int64{}
	for k, w := range ws {
		o, err := pr.watermarkOverlay(i, k, w)
		if err != nil {
			return nil, nil, fmt.Errorf("WatermarkSet[%d]: %w", k, err)
		}
		o.Start, o.End = 0, 0
		ovs = append(ovs, o)
		defs = append(defs, int64(vodapi.Val(w.Definition)))
	}
	return ovs, defs, nil
}

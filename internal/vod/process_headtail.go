package vod

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// headTailJob plans transcode subtask i whose HeadTailSet puts clips
// before and after the source: the job first joins the heads, the source
// (its StartTimeOffset/EndTimeOffset window) and the tails, fitted to the
// source's frame as the template's FillType says, then transcodes the
// join. Each HeadTailSet entry adds its head before the source and its tail
// after it, in order.
func (pr *procRun) headTailJob(i int, in *vodapi.TranscodeTaskInput, root string) (*job, error) {
	var heads, tails []string
	fill := ""
	for k, ht := range in.HeadTailSet {
		def := int64(vodapi.Val(ht.Definition))
		tpl, err := pr.s.headTailTemplate(pr.ctx, pr.app, def)
		if err != nil {
			return nil, fmt.Errorf("%w: HeadTailSet[%d]: head/tail template %d: %v", media.ErrInvalidSpec, k, def, err)
		}
		if h := pr.closestAspect(tpl.HeadCandidateSet); h != "" {
			heads = append(heads, h)
		}
		if t := pr.closestAspect(tpl.TailCandidateSet); t != "" {
			tails = append(tails, t)
		}
		if fill == "" {
			fill = vodapi.Val(tpl.FillType)
		}
	}
	if len(heads)+len(tails) == 0 {
		return nil, fmt.Errorf("%w: the head/tail templates name no head or tail media that still exist", media.ErrInvalidSpec)
	}
	// The window applies to the source inside the join, not to the join.
	plain := *in
	plain.HeadTailSet, plain.StartTimeOffset, plain.EndTimeOffset = nil, nil, nil
	done, spec, err := pr.transcode(i, &plain)
	if err != nil {
		return nil, err
	}
	work := filepath.Dir(pr.out)
	joined := filepath.Join(work, fmt.Sprintf("joined-%d.mkv", i))
	main := media.JoinPart{Path: pr.src, Probe: pr.probe, Start: vodapi.Val(in.StartTimeOffset), End: vodapi.Val(in.EndTimeOffset)}
	prepare := func(ctx context.Context) ([]*media.Plan, error) {
		var parts []media.JoinPart
		for _, id := range heads {
			p, err := pr.joinPart(ctx, id, work)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
		mainAt := len(parts)
		parts = append(parts, main)
		for _, id := range tails {
			p, err := pr.joinPart(ctx, id, work)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
		plan, err := media.PlanJoin(media.JoinSpec{Parts: parts, Main: mainAt, Fill: media.FillType(fill), Path: joined})
		if err != nil {
			return nil, err
		}
		if err := pr.s.cfg.Media.RunPlan(ctx, plan, nil); err != nil {
			return nil, err
		}
		probe, err := pr.s.cfg.Media.Probe(ctx, joined)
		if err != nil {
			return nil, err
		}
		ladder, err := media.PlanLadder(joined, []media.OutputSpec{spec}, probe)
		if err != nil {
			return nil, err
		}
		return []*media.Plan{ladder}, nil
	}
	return &job{subs: []int{i}, root: root, prepare: prepare, done: done}, nil
}

// joinPart fetches and probes a head or tail media.
func (pr *procRun) joinPart(ctx context.Context, fileID, work string) (media.JoinPart, error) {
	m, err := pr.s.taskMedia(ctx, pr.x.Task.SubAppID, fileID)
	if err != nil {
		return media.JoinPart{}, err
	}
	src, err := pr.s.localSource(ctx, m, work)
	if err != nil {
		return media.JoinPart{}, err
	}
	p, err := pr.s.cfg.Media.Probe(ctx, src)
	if err != nil {
		return media.JoinPart{}, fmt.Errorf("head/tail media %s: %w", fileID, err)
	}
	return media.JoinPart{Path: src, Probe: p}, nil
}

// closestAspect picks, among candidate media, the one whose picture shape
// is closest to the source's (as the head/tail templates say), from their
// stored metadata; "" when none exists any more.
func (pr *procRun) closestAspect(candidates []string) string {
	want := aspect(pr.probe.Width, pr.probe.Height, pr.probe.Rotate)
	best, bestDiff := "", math.Inf(1)
	for _, id := range candidates {
		m, err := pr.s.cfg.DB.GetMedia(pr.ctx, pr.m.SubAppID, id)
		if err != nil {
			continue
		}
		var meta vodapi.MediaMetaData
		json.Unmarshal(m.Meta, &meta)
		a := aspect(int(vodapi.Val(meta.Width)), int(vodapi.Val(meta.Height)), int(vodapi.Val(meta.Rotate)))
		if d := math.Abs(math.Log(a / want)); d < bestDiff {
			best, bestDiff = id, d
		}
	}
	return best
}

// aspect is a picture's displayed width over height; 1 when unknown.
func aspect(w, h, rotate int) float64 {
	if w <= 0 || h <= 0 {
		return 1
	}
	if rotate%180 != 0 {
		w, h = h, w
	}
	return float64(w) / float64(h)
}

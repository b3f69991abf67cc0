package vod

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// planHeadTail plans the join of the heads, the main media (local file
// main, probed as mp) and the tails into out, each head and tail filling
// the main frame as its template says. It returns the heads' length: the
// main video starts that late in the join.
func (s *Service) planHeadTail(ctx context.Context, subAppID uint64, work string, heads, tails []complexPart, main string, mp *media.Probe, out string) (*media.Plan, float64, error) {
	spec := media.JoinSpec{Out: out}
	add := func(part complexPart) (float64, error) {
		m, err := s.taskMedia(ctx, subAppID, part.FileID)
		if err != nil {
			return 0, err
		}
		local, p, err := s.localProbed(ctx, m, work)
		if err != nil {
			return 0, err
		}
		spec.Parts, spec.Probes, spec.Fills = append(spec.Parts, local), append(spec.Probes, p), append(spec.Fills, media.FillType(part.Fill))
		return p.VideoDuration, nil
	}
	var head float64
	for _, h := range heads {
		d, err := add(h)
		if err != nil {
			return nil, 0, err
		}
		head += d
	}
	spec.Main = len(spec.Parts)
	spec.Parts, spec.Probes, spec.Fills = append(spec.Parts, main), append(spec.Probes, mp), append(spec.Fills, "")
	for _, t := range tails {
		if _, err := add(t); err != nil {
			return nil, 0, err
		}
	}
	plan, err := media.PlanJoin(spec)
	if err != nil {
		return nil, 0, runFailure(err)
	}
	return plan, head, nil
}

// headTailTranscode plans a ProcessMedia transcode with head/tail
// templates as a job of its own: the join of heads, source and tails
// first, then the transcode of the join (its watermarks, trims and
// outputs as any transcode's, on the joined timeline).
func (pr *procRun) headTailTranscode(i int, in *vodapi.TranscodeTaskInput) (*job, error) {
	heads, tails, err := pr.s.checkComplexHeadTails(pr.ctx, pr.app, in.HeadTailSet)
	var apiErr *tcapi.Error
	if errors.As(err, &apiErr) {
		return nil, fmt.Errorf("%w: HeadTailSet: %s", media.ErrInvalidSpec, apiErr.Message)
	}
	if err != nil {
		return nil, err
	}
	work := filepath.Dir(pr.out)
	join, _, err := pr.s.planHeadTail(pr.ctx, pr.app.SubAppID, work, heads, tails, pr.src, pr.probe,
		filepath.Join(work, fmt.Sprintf("headtail-%d.mp4", i)))
	var fail *task.Failure
	if errors.As(err, &fail) {
		return nil, fmt.Errorf("%w: %s", media.ErrInvalidSpec, fail.Message)
	}
	if err != nil {
		return nil, err
	}
	plain := *in
	plain.HeadTailSet = nil
	done, spec, err := pr.transcode(i, &plain)
	if err != nil {
		return nil, err
	}
	plan, err := media.PlanLadder(join.Outputs[0].Path, []media.OutputSpec{spec}, media.JoinedProbe(join))
	if err != nil {
		return nil, err
	}
	return &job{plans: []*media.Plan{join, plan}, owns: pr.transcodeOwns(i, in), done: done}, nil
}

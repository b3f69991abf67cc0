package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// maxSplitSegments is the documented limit of SplitMedia.
const maxSplitSegments = 100

// splitParams is a SplitMedia task's stored input.
type splitParams struct {
	FileID   string         `json:"fileId"`
	Segments []splitSegment `json:"segments"`
}

// splitSegment is one window of the source and the media it becomes.
type splitSegment struct {
	Start     float64         `json:"start"`
	End       float64         `json:"end"`
	Container media.Container `json:"container"`
	Media     newMedia        `json:"media"`
	Echo      json.RawMessage `json:"echo"` // the SplitMediaTaskInput shown in the result
}

// SplitMedia accepts a task that cuts one media into segments, each
// stored as a new media.
func (s *Service) SplitMedia(ctx context.Context, req *vodapi.SplitMediaRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	m, err := s.editSource(ctx, app, req.FileId)
	if err != nil {
		return nil, err
	}
	switch n := len(req.Segments); {
	case n == 0:
		return nil, tcapi.Errorf("InvalidParameter", "Segments must list at least one segment")
	case n > maxSplitSegments:
		return nil, tcapi.Errorf("InvalidParameterValue", "Segments lists %d segments; at most %d are allowed", n, maxSplitSegments)
	}
	d := storedDuration(m)
	p := splitParams{FileID: m.FileID}
	for i, seg := range req.Segments {
		what := fmt.Sprintf("Segments[%d]", i)
		if seg == nil {
			return nil, tcapi.Errorf("InvalidParameter", "%s is null", what)
		}
		if err := checkWindow(what, seg.StartTimeOffset, seg.EndTimeOffset, d); err != nil {
			return nil, err
		}
		oc := seg.OutputConfig
		if oc == nil {
			oc = &vodapi.SplitMediaOutputConfig{}
		}
		ps := splitSegment{Start: vodapi.Val(seg.StartTimeOffset), End: vodapi.Val(seg.EndTimeOffset)}
		if ps.Container, err = editContainer(oc.Type); err != nil {
			return nil, err
		}
		if ps.Media, err = s.checkNewMedia(ctx, app, oc.MediaName, oc.ExpireTime, nil, nil, oc.ClassId, nil, seg.ProcedureName); err != nil {
			return nil, err
		}
		if ps.Media.Name == "" {
			ps.Media.Name = defaultName(m.Name, fmt.Sprintf("_%d", i+1))
		}
		echo := &vodapi.SplitMediaTaskInput{FileId: vodapi.Ptr(m.FileID), StartTimeOffset: vodapi.Ptr(ps.Start),
			EndTimeOffset: vodapi.Ptr(ps.End), ProcedureName: vodapi.Ptr(ps.Media.Procedure),
			OutputConfig: &vodapi.SplitMediaOutputConfig{MediaName: vodapi.Ptr(ps.Media.Name), Type: vodapi.Ptr(fileType(ps.Container)),
				ClassId: vodapi.Ptr(ps.Media.ClassID), ExpireTime: vodapi.Ptr(expireString(ps.Media.ExpireAt))}}
		if ps.Echo, err = json.Marshal(echo); err != nil {
			return nil, errInternal("encode params", err)
		}
		p.Segments = append(p.Segments, ps)
	}
	id, err := s.submit(ctx, taskSpec{Kind: "SplitMedia", Type: "SplitMedia", SubAppID: app.SubAppID, FileID: m.FileID,
		SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority, Params: p})
	if err != nil {
		return nil, err
	}
	return &vodapi.SplitMediaResponse{TaskId: vodapi.Ptr(id)}, nil
}

func (s *Service) splitMediaType() *task.Type {
	return &task.Type{
		Name: "SplitMedia",
		NewResult: func(t *store.Task) (any, error) {
			var p splitParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			r := &vodapi.SplitMediaTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"), ErrCode: vodapi.Ptr(int64(0)),
				ErrCodeExt: vodapi.Ptr(""), Message: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)),
				FileInfoSet: []*vodapi.SplitMediaTaskSegmentInfo{}, SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}
			for _, seg := range p.Segments {
				info := &vodapi.SplitMediaTaskSegmentInfo{ProcedureTaskId: vodapi.Ptr(""), ReviewAudioVideoTaskId: vodapi.Ptr("")}
				if err := json.Unmarshal(seg.Echo, &info.Input); err != nil {
					return nil, err
				}
				r.FileInfoSet = append(r.FileInfoSet, info)
			}
			return r, nil
		},
		Run: s.runSplitMedia,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.SplitMediaTask)
			finishFields(&r.Status, &r.ErrCode, &r.ErrCodeExt, &r.Message, &r.Progress, f)
		},
	}
}

// runSplitMedia cuts the segments one after the other. A segment that
// fails leaves its Output null and the task's error naming it; the
// segments that succeeded are still stored.
func (s *Service) runSplitMedia(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p splitParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.SplitMediaTask)
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	work, src, probe, err := s.openSource(ctx, m, "split-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	type stored struct {
		m    *store.Media
		proc *store.Task
	}
	var made []stored
	var firstFail *task.Failure
	for i, seg := range p.Segments {
		nm, proc, err := s.splitOne(ctx, x, work, src, probe, i, len(p.Segments), seg)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var f *task.Failure
		if errors.As(err, &f) {
			if firstFail == nil {
				firstFail = &task.Failure{ErrCode: f.ErrCode, Ext: f.Ext, Message: fmt.Sprintf("segment %d: %s", i+1, f.Message)}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		made = append(made, stored{nm, proc})
		x.Update(func() {
			info := r.FileInfoSet[i]
			info.Output = &vodapi.TaskOutputMediaInfo{FileId: vodapi.Ptr(nm.FileID), MediaBasicInfo: s.basicInfo(nm)}
			if proc != nil {
				info.ProcedureTaskId = vodapi.Ptr(proc.TaskID)
			}
		})
	}
	if firstFail != nil {
		if len(made) == 0 {
			return nil, firstFail
		}
		x.Update(func() {
			r.ErrCode, r.ErrCodeExt, r.Message = vodapi.Ptr(int64(firstFail.ErrCode)), vodapi.Ptr(firstFail.Ext), vodapi.Ptr(firstFail.Message)
		})
	}
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		for _, st := range made {
			if err := s.insertEdited(ctx, tx, st.m, st.proc); err != nil {
				return err
			}
		}
		return nil
	}, After: s.cfg.Engine.Notify}, nil
}

// splitOne cuts segment i of n and stores it, returning the media row and
// its follow-up procedure.
func (s *Service) splitOne(ctx context.Context, x *task.Exec, work, src string, probe *media.Probe, i, n int, seg splitSegment) (*store.Media, *store.Task, error) {
	r := x.Result.(*vodapi.SplitMediaTask)
	out := filepath.Join(work, fmt.Sprintf("s%d", i), "f0."+extOfContainer(seg.Container))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, nil, err
	}
	plan, err := media.PlanLadder(src, []media.OutputSpec{{Path: out, Container: seg.Container, Start: seg.Start, End: seg.End}}, probe)
	if err != nil {
		return nil, nil, runFailure(err)
	}
	err = s.cfg.Media.RunPlan(ctx, plan, func(pg media.Progress) {
		if plan.Duration > 0 {
			pct := int64((float64(i) + math.Min(pg.OutTime/plan.Duration, 1)) / float64(n) * 95)
			x.Update(func() { r.Progress = vodapi.Ptr(max(pct, vodapi.Val(r.Progress))) })
		}
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, runFailure(err)
	}
	m, err := s.storeEdited(ctx, out, seg.Container, seg.Media)
	if err != nil {
		return nil, nil, err
	}
	proc, err := s.followUp(ctx, x.Task.SubAppID, m.FileID, seg.Media.Procedure, x.Task.Priority)
	return m, proc, err
}

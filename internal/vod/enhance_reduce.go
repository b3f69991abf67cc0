package vod

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// ReduceMediaBitrate is an OpenVOD extension action: the 2018-07-17 API
// keeps the ReduceMediaBitrateTask result and event but no action that
// starts one. It re-encodes a media's original at the same size, frame
// rate and audio, at constant quality with a slower preset, and records
// the result as a transcode of the same media under reduceDefinition.
//
// reduceDefinition is the TEHD "same as source" preset (100800): the
// output is what that template stands for, a same-resolution encode at a
// lower bitrate, so it takes that template's place among the media's
// transcodes (a later TEHD transcode replaces it, and the other way round).
const reduceDefinition = 100800

// reduceMinSaving is the least saving worth keeping: an output above 95 %
// of the source's size fails the task instead of being stored.
const reduceMinSaving = 0.05

// codeNoNeedToReduce is the ErrCodeExt of a source already compressed
// efficiently (the API's FailedOperation.NoNeedToReduceMediaBitrate).
const codeNoNeedToReduce = "FailedOperation.NoNeedToReduceMediaBitrate"

// ExtensionActions are the actions OpenVOD adds to the API version, for
// clients such as `openvod call` that type parameters by the schema.
func ExtensionActions() []vodapi.Action {
	return []vodapi.Action{{Name: "ReduceMediaBitrate",
		NewRequest:  func() any { return &ReduceMediaBitrateRequest{} },
		NewResponse: func() any { return &ReduceMediaBitrateResponse{} }}}
}

// ReduceMediaBitrateRequest holds the parameters of ReduceMediaBitrate.
type ReduceMediaBitrateRequest struct {
	FileId          *string `json:"FileId" vod:"required"`
	SubAppId        *uint64 `json:"SubAppId"`
	TasksPriority   *int64  `json:"TasksPriority"`
	TasksNotifyMode *string `json:"TasksNotifyMode"`
	SessionId       *string `json:"SessionId"`
	SessionContext  *string `json:"SessionContext"`
}

// ReduceMediaBitrateResponse is the answer of ReduceMediaBitrate.
type ReduceMediaBitrateResponse struct {
	TaskId *string `json:"TaskId"`
}

// reduceParams is a ReduceMediaBitrate task's stored input.
type reduceParams struct {
	FileID          string `json:"fileId"`
	TasksNotifyMode string `json:"tasksNotifyMode,omitempty"`
}

// ReduceMediaBitrate accepts a ReduceMediaBitrate task.
func (s *Service) ReduceMediaBitrate(ctx context.Context, req *ReduceMediaBitrateRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	mode := vodapi.Val(req.TasksNotifyMode)
	if !oneOf(mode, "", "Finish", "None") {
		return nil, tcapi.Errorf("InvalidParameterValue", "TasksNotifyMode must be Finish or None, got %q", mode)
	}
	m, err := s.enhanceSource(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	var meta vodapi.MediaMetaData
	if json.Unmarshal(m.Meta, &meta) == nil && meta.VideoStreamSet != nil && len(meta.VideoStreamSet) == 0 {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "media %q has no video stream to re-encode", m.FileID)
	}
	id, err := s.submit(ctx, taskSpec{Kind: "ReduceMediaBitrate", Type: "ReduceMediaBitrate", SubAppID: app.SubAppID,
		FileID: m.FileID, SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority,
		Params: reduceParams{FileID: m.FileID, TasksNotifyMode: mode}})
	if err != nil {
		return nil, err
	}
	return &ReduceMediaBitrateResponse{TaskId: vodapi.Ptr(id)}, nil
}

func (s *Service) reduceType() *task.Type {
	return &task.Type{
		Name: "ReduceMediaBitrate",
		NewResult: func(t *store.Task) (any, error) {
			var p reduceParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			in := &vodapi.TranscodeTaskInput{Definition: vodapi.Ptr(uint64(reduceDefinition)), WatermarkSet: []*vodapi.WatermarkInput{},
				MosaicSet: []*vodapi.MosaicInput{}, HeadTailSet: []*vodapi.HeadTailTaskInput{}, SubtitleInfoSet: []*vodapi.SubtitleInfoInput{},
				StartTimeOffset: vodapi.Ptr(0.0), EndTimeOffset: vodapi.Ptr(0.0)}
			sub := &vodapi.ReduceMediaBitrateTranscodeResult{Status: vodapi.Ptr("PROCESSING"), ErrCodeExt: vodapi.Ptr(""),
				Message: vodapi.Ptr(""), Input: in, Progress: vodapi.Ptr(int64(0)), BeginProcessTime: vodapi.Ptr(""), FinishTime: vodapi.Ptr("")}
			return &vodapi.ReduceMediaBitrateTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				FileId: vodapi.Ptr(p.FileID), FileName: vodapi.Ptr(""), FileUrl: vodapi.Ptr(""),
				MediaProcessResultSet: []*vodapi.ReduceMediaBitrateMediaProcessTaskResult{{Type: vodapi.Ptr("Transcode"), TranscodeTask: sub}},
				TasksPriority:         vodapi.Ptr(int64(t.Priority)), TasksNotifyMode: vodapi.Ptr(orDefault(p.TasksNotifyMode, "Finish")),
				SessionContext: vodapi.Ptr(t.SessionContext), SessionId: vodapi.Ptr(t.SessionID)}, nil
		},
		Run: s.runReduce,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.ReduceMediaBitrateTask)
			r.Status = vodapi.Ptr("FINISH")
			sub := r.MediaProcessResultSet[0].TranscodeTask
			sub.FinishTime = vodapi.Ptr(task.FormatTime(time.Now()))
			if vodapi.Val(sub.BeginProcessTime) == "" {
				sub.BeginProcessTime = sub.FinishTime
			}
			if f == nil {
				sub.Status, sub.Progress, sub.Message = vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100)), vodapi.Ptr("SUCCESS")
				return
			}
			sub.Status, sub.ErrCodeExt, sub.Message = vodapi.Ptr("FAIL"), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runReduce(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p reduceParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.ReduceMediaBitrateTask)
	sub := r.MediaProcessResultSet[0].TranscodeTask
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	x.Update(func() {
		r.FileName, r.FileUrl = vodapi.Ptr(m.Name), vodapi.Ptr(s.url(m.MediaKey))
		json.Unmarshal(m.Meta, &r.MetaData)
		sub.BeginProcessTime = vodapi.Ptr(task.FormatTime(time.Now()))
	})
	work, src, probe, err := s.openSource(ctx, m, "reduce-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if probe.Container == "hls" {
		return nil, task.InvalidInput("the original is an HLS playlist; only single-file media can be re-encoded")
	}
	rel := fmt.Sprintf("f0.f%d.mp4", reduceDefinition)
	out := filepath.Join(work, rel)
	plan, err := media.PlanReduceBitrate(src, out, probe)
	if err != nil {
		return nil, runFailure(err)
	}
	err = s.cfg.Media.RunPlan(ctx, plan, func(pg media.Progress) {
		if plan.Duration > 0 {
			x.Update(func() { sub.Progress = vodapi.Ptr(min(95, int64(pg.OutTime/plan.Duration*95))) })
		}
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, runFailure(err)
	}
	item, err := s.reducedItem(ctx, src, out, path.Dir(m.MediaKey)+"/"+rel)
	if err != nil {
		return nil, err
	}
	staging := "_staging/tasks/" + x.Task.TaskID
	if _, err := s.cfg.Blob.PutFile(ctx, staging+"/"+rel, out); err != nil {
		return nil, err
	}
	if err := s.cfg.Blob.Publish(ctx, staging, path.Dir(m.MediaKey)); err != nil {
		return nil, fmt.Errorf("publish output: %w", err)
	}
	x.Update(func() { sub.Output = item })
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		return addTranscode(ctx, tx, m, item)
	}}, nil
}

// reducedItem checks that out is worth keeping (at least reduceMinSaving
// smaller than src) and describes it as the transcode stored at key.
func (s *Service) reducedItem(ctx context.Context, src, out, key string) (*vodapi.MediaTranscodeItem, error) {
	si, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	sum, size, err := fileMD5Size(out)
	if err != nil {
		return nil, err
	}
	if float64(size) > float64(si.Size())*(1-reduceMinSaving) {
		return nil, &task.Failure{ErrCode: task.CodeInvalidInput, Ext: codeNoNeedToReduce, Message: fmt.Sprintf(
			"no need to reduce the bitrate: the source is already compressed efficiently (a re-encode at the same quality is %d bytes, %.0f%% of the source's %d)",
			size, 100*float64(size)/float64(si.Size()), si.Size())}
	}
	p, err := s.cfg.Media.Probe(ctx, out)
	if err != nil {
		return nil, err
	}
	meta := metaFromProbe(p, sum)
	return &vodapi.MediaTranscodeItem{Url: vodapi.Ptr(s.url(key)), Definition: vodapi.Ptr(int64(reduceDefinition)),
		Bitrate: meta.Bitrate, Height: meta.Height, Width: meta.Width, Size: vodapi.Ptr(size), Duration: meta.Duration,
		Md5: vodapi.Ptr(sum), Container: vodapi.Ptr("mp4"), VideoStreamSet: meta.VideoStreamSet, AudioStreamSet: meta.AudioStreamSet,
		DigitalWatermarkType: vodapi.Ptr("None"), CopyRightWatermarkText: vodapi.Ptr(""),
		BlindWatermarkDefinition: vodapi.Ptr(int64(0)), FileId: vodapi.Ptr("")}, nil
}

// addTranscode records item among the transcodes of media m, replacing an
// earlier output of the same definition, in the task's final transaction.
func addTranscode(ctx context.Context, tx *store.Tx, m *store.Media, item *vodapi.MediaTranscodeItem) error {
	_, err := mergeMediaInfo(ctx, tx, m, &vodapi.MediaInfo{TranscodeInfo: &vodapi.MediaTranscodeInfo{
		TranscodeSet: []*vodapi.MediaTranscodeItem{item}}}, nil)
	return err
}

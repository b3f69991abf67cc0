package vod

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// procParams is a Procedure task's stored input.
type procParams struct {
	FileID          string                        `json:"fileId"`
	Tasks           *vodapi.MediaProcessTaskInput `json:"tasks"`
	TasksNotifyMode string                        `json:"tasksNotifyMode,omitempty"`
	// Independent holds, with OutputAsIndependentMedia ON, the new media
	// each transcode subtask makes (FileId and folder fixed at submission,
	// so that a retried task makes the same media).
	Independent []newMedia `json:"independent,omitempty"`
}

// ProcessMedia accepts a Procedure task running media-processing subtasks
// on a stored media.
func (s *Service) ProcessMedia(ctx context.Context, req *vodapi.ProcessMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if req.AiContentReviewTask != nil || req.AiAnalysisTask != nil || req.AiRecognitionTask != nil {
		return nil, tcapi.Errorf("UnsupportedOperation", "AI review, analysis and recognition are not supported by this server")
	}
	var independent bool
	switch v := vodapi.Val(req.OutputAsIndependentMedia); v {
	case "", "OFF":
	case "ON":
		independent = true
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "OutputAsIndependentMedia must be ON or OFF, got %q", v)
	}
	if vodapi.Val(req.FileId) == "" {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "FileId is required")
	}
	id, err := s.submitProcedure(ctx, app, vodapi.Val(req.FileId), req.MediaProcessTask, req.TasksPriority,
		req.TasksNotifyMode, req.SessionId, req.SessionContext, independent)
	if err != nil {
		return nil, err
	}
	return &vodapi.ProcessMediaResponse{TaskId: vodapi.Ptr(id)}, nil
}

// ProcessMediaByProcedure runs a procedure template's subtasks on a media.
func (s *Service) ProcessMediaByProcedure(ctx context.Context, req *vodapi.ProcessMediaByProcedureRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	p, err := s.procedureTemplate(ctx, app, vodapi.Val(req.ProcedureName))
	if err != nil {
		return nil, err
	}
	if vodapi.Val(req.FileId) == "" {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "FileId is required")
	}
	id, err := s.submitProcedure(ctx, app, vodapi.Val(req.FileId), p.MediaProcessTask, req.TasksPriority,
		req.TasksNotifyMode, req.SessionId, req.SessionContext, false)
	if err != nil {
		return nil, err
	}
	return &vodapi.ProcessMediaByProcedureResponse{TaskId: vodapi.Ptr(id), ReviewAudioVideoTaskId: vodapi.Ptr(""),
		ImportMediaKnowledgeTaskIdSet: []string{}}, nil
}

// submitProcedure validates the subtasks completely, then submits.
func (s *Service) submitProcedure(ctx context.Context, app *store.App, fileID string, tasks *vodapi.MediaProcessTaskInput,
	prio *int64, notify, sessionID, sessionContext *string, independent bool) (string, error) {
	if err := checkTaskFields(sessionID, sessionContext, prio); err != nil {
		return "", err
	}
	switch vodapi.Val(notify) {
	case "", "Finish", "Change", "None":
	default:
		return "", tcapi.Errorf("InvalidParameterValue", "TasksNotifyMode must be Finish, Change or None, got %q", vodapi.Val(notify))
	}
	if _, err := s.mediaOf(ctx, app, fileID); err != nil {
		return "", err
	}
	if err := s.checkSubtasks(ctx, app, tasks); err != nil {
		return "", err
	}
	p := procParams{FileID: fileID, Tasks: tasks, TasksNotifyMode: vodapi.Val(notify)}
	if independent {
		for range tasks.TranscodeTaskSet {
			id := newFileID()
			p.Independent = append(p.Independent, newMedia{SubAppID: app.SubAppID, FileID: id, Dir: newMediaDir(app.SubAppID, id)})
		}
	}
	return s.submit(ctx, taskSpec{Kind: "procedurev2", Type: "Procedure", SubAppID: app.SubAppID, FileID: fileID,
		SessionID: sessionID, SessionContext: sessionContext, Priority: prio, Params: p})
}

// checkSubtasks refuses an empty bag and unknown templates before any task
// exists.
func (s *Service) checkSubtasks(ctx context.Context, app *store.App, t *vodapi.MediaProcessTaskInput) error {
	if t == nil || len(t.TranscodeTaskSet)+len(t.AnimatedGraphicTaskSet)+len(t.SnapshotByTimeOffsetTaskSet)+
		len(t.SampleSnapshotTaskSet)+len(t.ImageSpriteTaskSet)+len(t.CoverBySnapshotTaskSet)+
		len(t.AdaptiveDynamicStreamingTaskSet) == 0 {
		return tcapi.Errorf("InvalidParameter", "MediaProcessTask must hold at least one subtask")
	}
	for _, in := range t.TranscodeTaskSet {
		if _, err := s.transcodeTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
		for _, ht := range in.HeadTailSet {
			if _, err := s.headTailTemplate(ctx, app, int64(vodapi.Val(ht.Definition))); err != nil {
				return err
			}
		}
	}
	for _, in := range t.AnimatedGraphicTaskSet {
		if _, err := s.animatedGraphicsTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
	}
	for _, in := range t.SnapshotByTimeOffsetTaskSet {
		if _, err := s.snapshotByTimeOffsetTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
		if _, err := snapshotTimes(in); err != nil {
			return err
		}
	}
	for _, in := range t.SampleSnapshotTaskSet {
		if _, err := s.sampleSnapshotTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
	}
	for _, in := range t.ImageSpriteTaskSet {
		if _, err := s.imageSpriteTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
	}
	for _, in := range t.CoverBySnapshotTaskSet {
		if _, err := s.snapshotByTimeOffsetTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
		if p := vodapi.Val(in.PositionType); p != "Time" && p != "Percent" {
			return tcapi.Errorf("InvalidParameterValue", "CoverBySnapshot PositionType must be Time or Percent, got %q", p)
		}
	}
	for _, in := range t.AdaptiveDynamicStreamingTaskSet {
		if _, err := s.adaptiveDynamicStreamingTemplate(ctx, app, int64(vodapi.Val(in.Definition))); err != nil {
			return err
		}
	}
	return nil
}

// offset is a snapshot time: seconds, or a percentage of the duration.
type offset struct {
	v       float64
	percent bool
}

// snapshotTimes reads a snapshot subtask's offsets: TimeOffsetSet in
// milliseconds, ExtTimeOffsetSet as "Ns" seconds or "N%" percentages.
func snapshotTimes(in *vodapi.SnapshotByTimeOffsetTaskInput) ([]offset, error) {
	var out []offset
	for _, ms := range in.TimeOffsetSet {
		if ms < 0 {
			return nil, tcapi.Errorf("InvalidParameterValue", "TimeOffsetSet holds a negative offset %v", ms)
		}
		out = append(out, offset{v: ms / 1000})
	}
	for _, e := range in.ExtTimeOffsetSet {
		v, unit := strings.TrimSpace(e), ""
		if strings.HasSuffix(v, "s") || strings.HasSuffix(v, "%") {
			v, unit = v[:len(v)-1], v[len(v)-1:]
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || unit == "" || (unit == "%" && f > 100) {
			return nil, tcapi.Errorf("InvalidParameterValue", "ExtTimeOffsetSet entry %q must be like 3.5s or 50%%", e)
		}
		out = append(out, offset{v: f, percent: unit == "%"})
	}
	if len(out) == 0 {
		return nil, tcapi.Errorf("InvalidParameterValue", "a SnapshotByTimeOffset subtask needs TimeOffsetSet or ExtTimeOffsetSet")
	}
	return out, nil
}

func (s *Service) procedureType() *task.Type {
	return &task.Type{
		Name:      "Procedure",
		NewResult: newProcedureResult,
		Run:       s.runProcedure,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.ProcedureTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				r.ErrCode, r.Message = vodapi.Ptr(int64(0)), vodapi.Ptr("SUCCESS")
				return
			}
			r.ErrCode, r.Message = vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Message)
			for _, sub := range r.MediaProcessResultSet {
				if st := subStatus(sub); st != nil && *st != "SUCCESS" && *st != "FAIL" {
					failSub(sub, f)
				}
			}
		},
	}
}

// newProcedureResult lays out the result: one MediaProcessResultSet entry
// per subtask, in the order of the request's sets.
func newProcedureResult(t *store.Task) (any, error) {
	var p procParams
	if err := json.Unmarshal(t.Params, &p); err != nil {
		return nil, err
	}
	r := &vodapi.ProcedureTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"), ErrCode: vodapi.Ptr(int64(0)),
		Message: vodapi.Ptr(""), FileId: vodapi.Ptr(p.FileID), FileName: vodapi.Ptr(""), FileUrl: vodapi.Ptr(""),
		MediaProcessResultSet: []*vodapi.MediaProcessTaskResult{}, AiContentReviewResultSet: []*vodapi.AiContentReviewResult{},
		AiAnalysisResultSet: []*vodapi.AiAnalysisResult{}, AiRecognitionResultSet: []*vodapi.AiRecognitionResult{},
		TasksPriority: vodapi.Ptr(int64(t.Priority)), TasksNotifyMode: vodapi.Ptr(orDefault(p.TasksNotifyMode, "Finish")),
		SessionContext: vodapi.Ptr(t.SessionContext), SessionId: vodapi.Ptr(t.SessionID), Operator: vodapi.Ptr(""),
		OperationType: vodapi.Ptr("")}
	in := p.Tasks
	if in == nil {
		return r, nil
	}
	add := func(x *vodapi.MediaProcessTaskResult) { r.MediaProcessResultSet = append(r.MediaProcessResultSet, x) }
	st, zero, empty := func() *string { return vodapi.Ptr("PROCESSING") }, func() *int64 { return vodapi.Ptr(int64(0)) }, func() *string { return vodapi.Ptr("") }
	for _, x := range in.TranscodeTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("Transcode"), TranscodeTask: &vodapi.MediaProcessTaskTranscodeResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.AnimatedGraphicTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("AnimatedGraphics"), AnimatedGraphicTask: &vodapi.MediaProcessTaskAnimatedGraphicResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.SnapshotByTimeOffsetTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("SnapshotByTimeOffset"), SnapshotByTimeOffsetTask: &vodapi.MediaProcessTaskSnapshotByTimeOffsetResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.SampleSnapshotTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("SampleSnapshot"), SampleSnapshotTask: &vodapi.MediaProcessTaskSampleSnapshotResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.ImageSpriteTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("ImageSprites"), ImageSpriteTask: &vodapi.MediaProcessTaskImageSpriteResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.CoverBySnapshotTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("CoverBySnapshot"), CoverBySnapshotTask: &vodapi.MediaProcessTaskCoverBySnapshotResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	for _, x := range in.AdaptiveDynamicStreamingTaskSet {
		add(&vodapi.MediaProcessTaskResult{Type: vodapi.Ptr("AdaptiveDynamicStreaming"), AdaptiveDynamicStreamingTask: &vodapi.MediaProcessTaskAdaptiveDynamicStreamingResult{
			Status: st(), ErrCodeExt: empty(), ErrCode: zero(), Message: empty(), Input: x, Progress: zero(), BeginProcessTime: empty(), FinishTime: empty()}})
	}
	return r, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

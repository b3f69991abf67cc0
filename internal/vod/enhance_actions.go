package vod

import (
	"context"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// EnhanceMediaQuality accepts a QualityEnhance task: the enhance media
// template Definition applied to a media, written to a new media.
func (s *Service) EnhanceMediaQuality(ctx context.Context, req *vodapi.EnhanceMediaQualityRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	def := u64Def(req.Definition)
	out := enhanceOutput{StoragePath: req.MediaStoragePath}
	if c := req.OutputConfig; c != nil {
		out.Name, out.ClassID, out.Expire = c.MediaName, c.ClassId, c.ExpireTime
	}
	id, err := s.submitEnhance(ctx, enhanceSubmit{app: app, taskType: "QualityEnhance", kind: "EnhanceMediaQuality",
		fileID: req.FileId, definition: def, family: enhanceMediaFamily(), out: out,
		sessionID: req.SessionId, sCtx: req.SessionContext, priority: req.TasksPriority})
	if err != nil {
		return nil, err
	}
	return &vodapi.EnhanceMediaQualityResponse{TaskId: vodapi.Ptr(id)}, nil
}

// EnhanceMediaByTemplate accepts a RebuildMedia task (the schema's
// deprecated twin of EnhanceMediaQuality) with an enhance media template.
func (s *Service) EnhanceMediaByTemplate(ctx context.Context, req *vodapi.EnhanceMediaByTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	id, err := s.submitEnhance(ctx, enhanceSubmit{app: app, taskType: "RebuildMedia", kind: "RebuildMedia",
		fileID: req.FileId, start: req.StartTimeOffset, end: req.EndTimeOffset, definition: vodapi.Val(req.Definition),
		family: enhanceMediaFamily(), out: rebuildOutput(req.OutputConfig),
		sessionID: req.SessionId, sCtx: req.SessionContext, priority: req.TasksPriority})
	if err != nil {
		return nil, err
	}
	return &vodapi.EnhanceMediaByTemplateResponse{TaskId: vodapi.Ptr(id)}, nil
}

// RebuildMediaByTemplate accepts a RebuildMedia task with a rebuild media
// template. Its SubAppId is a String in the API.
func (s *Service) RebuildMediaByTemplate(ctx context.Context, req *vodapi.RebuildMediaByTemplateRequest) (any, error) {
	sub, err := subAppOfString(req.SubAppId)
	if err != nil {
		return nil, err
	}
	app, err := s.app(ctx, sub)
	if err != nil {
		return nil, err
	}
	id, err := s.submitEnhance(ctx, enhanceSubmit{app: app, taskType: "RebuildMedia", kind: "RebuildMedia",
		fileID: req.FileId, start: req.StartTimeOffset, end: req.EndTimeOffset, definition: vodapi.Val(req.Definition),
		family: rebuildMediaFamily(), out: rebuildOutput(req.OutputConfig),
		sessionID: req.SessionId, sCtx: req.SessionContext, priority: req.TasksPriority})
	if err != nil {
		return nil, err
	}
	return &vodapi.RebuildMediaByTemplateResponse{TaskId: vodapi.Ptr(id)}, nil
}

// RebuildMedia accepts a RebuildMedia task whose switches and target are
// given inline.
func (s *Service) RebuildMedia(ctx context.Context, req *vodapi.RebuildMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	settings := &vodapi.RebuildMediaTemplate{
		RebuildVideoInfo: &vodapi.RebuildVideoInfo{RepairInfo: req.RepairInfo, VideoFrameInterpolationInfo: req.VideoFrameInterpolationInfo,
			SuperResolutionInfo: req.SuperResolutionInfo, HDRInfo: req.HDRInfo, VideoDenoiseInfo: req.VideoDenoiseInfo,
			ColorInfo: req.ColorInfo, SharpInfo: req.SharpInfo, FaceInfo: req.FaceInfo, LowLightInfo: req.LowLightInfo,
			ScratchRepairInfo: req.ScratchRepairInfo, ArtifactRepairInfo: req.ArtifactRepairInfo},
		RebuildAudioInfo: &vodapi.RebuildAudioInfo{AudioDenoiseInfo: req.AudioDenoiseInfo},
	}
	var out enhanceOutput
	if ti := req.TargetInfo; ti != nil {
		settings.Container, settings.TargetVideoInfo, settings.TargetAudioInfo = ti.Container, ti.VideoStream, ti.AudioStream
		settings.RemoveVideo, settings.RemoveAudio = ti.RemoveVideo, ti.RemoveAudio
		out = enhanceOutput{Name: ti.MediaName, Description: ti.Description, ClassID: ti.ClassId, Expire: ti.ExpireTime}
	}
	id, err := s.submitEnhance(ctx, enhanceSubmit{app: app, taskType: "RebuildMedia", kind: "RebuildMedia",
		fileID: req.FileId, start: req.StartTimeOffset, end: req.EndTimeOffset, settings: settings, out: out,
		sessionID: req.SessionId, sCtx: req.SessionContext, priority: req.TasksPriority})
	if err != nil {
		return nil, err
	}
	return &vodapi.RebuildMediaResponse{TaskId: vodapi.Ptr(id)}, nil
}

func rebuildOutput(c *vodapi.RebuildMediaOutputConfig) enhanceOutput {
	if c == nil {
		return enhanceOutput{}
	}
	return enhanceOutput{Name: c.MediaName, ClassID: c.ClassId, Expire: c.ExpireTime}
}

// qualityEnhanceType runs EnhanceMediaQuality tasks.
func (s *Service) qualityEnhanceType() *task.Type {
	return &task.Type{
		Name: "QualityEnhance",
		NewResult: func(t *store.Task) (any, error) {
			p, err := decodeEnhanceParams(t)
			if err != nil {
				return nil, err
			}
			return &vodapi.QualityEnhanceTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCode: vodapi.Ptr(int64(0)), Message: vodapi.Ptr(""), ErrCodeExt: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)),
				Input:     &vodapi.QualityEnhanceTaskInput{FileId: vodapi.Ptr(p.FileID), Definition: vodapi.Ptr(uint64(p.Definition))},
				SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: func(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
			r := x.Result.(*vodapi.QualityEnhanceTask)
			return s.runRestore(ctx, x, &r.Progress, func(out vodapi.QualityEnhanceTaskOutput, meta *vodapi.MediaMetaData) {
				r.Output, r.MetaData = &out, meta
			})
		},
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.QualityEnhanceTask)
			finishFields(&r.Status, &r.ErrCode, &r.ErrCodeExt, &r.Message, &r.Progress, f)
		},
	}
}

// rebuildMediaType runs RebuildMedia, RebuildMediaByTemplate and
// EnhanceMediaByTemplate tasks.
func (s *Service) rebuildMediaType() *task.Type {
	return &task.Type{
		Name: "RebuildMedia",
		NewResult: func(t *store.Task) (any, error) {
			p, err := decodeEnhanceParams(t)
			if err != nil {
				return nil, err
			}
			return &vodapi.RebuildMediaTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCode: vodapi.Ptr(int64(0)), Message: vodapi.Ptr(""), ErrCodeExt: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)),
				Input: rebuildInput(p), SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: func(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
			r := x.Result.(*vodapi.RebuildMediaTask)
			return s.runRestore(ctx, x, &r.Progress, func(out vodapi.QualityEnhanceTaskOutput, meta *vodapi.MediaMetaData) {
				o := vodapi.RebuildMediaTaskOutput(out) // the same fields
				r.Output, r.MetaData = &o, meta
			})
		},
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.RebuildMediaTask)
			finishFields(&r.Status, &r.ErrCode, &r.ErrCodeExt, &r.Message, &r.Progress, f)
		},
	}
}

// rebuildInput echoes a RebuildMedia task's input: the switches it ran
// with (a template's, for the by-template actions, with its Definition).
func rebuildInput(p *enhanceParams) *vodapi.RebuildMediaTaskInput {
	v, t := p.Settings.RebuildVideoInfo, p.Settings
	return &vodapi.RebuildMediaTaskInput{FileId: vodapi.Ptr(p.FileID), StartTimeOffset: vodapi.Ptr(p.Start),
		EndTimeOffset: vodapi.Ptr(p.End), Definition: vodapi.Ptr(p.Definition),
		RepairInfo: v.RepairInfo, VideoFrameInterpolationInfo: v.VideoFrameInterpolationInfo,
		SuperResolutionInfo: v.SuperResolutionInfo, HDRInfo: v.HDRInfo, VideoDenoiseInfo: v.VideoDenoiseInfo,
		AudioDenoiseInfo: t.RebuildAudioInfo.AudioDenoiseInfo, ColorInfo: v.ColorInfo, SharpInfo: v.SharpInfo,
		FaceInfo: v.FaceInfo, LowLightInfo: v.LowLightInfo, ScratchRepairInfo: v.ScratchRepairInfo,
		ArtifactRepairInfo: v.ArtifactRepairInfo,
		TargetInfo: &vodapi.RebuildMediaTargetInfo{MediaName: vodapi.Ptr(p.Media.Name), Description: vodapi.Ptr(p.Description),
			ClassId: vodapi.Ptr(p.Media.ClassID), ExpireTime: vodapi.Ptr(expireString(p.Media.ExpireAt)), Container: t.Container,
			VideoStream: t.TargetVideoInfo, AudioStream: t.TargetAudioInfo, RemoveVideo: t.RemoveVideo, RemoveAudio: t.RemoveAudio}}
}

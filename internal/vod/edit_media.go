package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// editParams is an EditMedia task's stored input.
type editParams struct {
	Inputs    []editInput     `json:"inputs"`
	Container media.Container `json:"container"`
	// ByBitrate follows the input with the highest bitrate (Definition
	// 20) instead of the one with the most pixels (10).
	ByBitrate bool            `json:"byBitrate,omitempty"`
	Video     editVideo       `json:"video"`
	Media     newMedia        `json:"media"`
	Echo      json.RawMessage `json:"echo"` // the EditMediaTaskInput shown in the result
}

// editInput is one window of a stored media.
type editInput struct {
	FileID string  `json:"fileId"`
	Start  float64 `json:"start"`
	End    float64 `json:"end"`
}

// editVideo is OutputConfig.VideoStream, checked.
type editVideo struct {
	Codec   string `json:"codec,omitempty"`
	Bitrate int64  `json:"bitrate,omitempty"` // bits per second
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Fixed   bool   `json:"fixed,omitempty"` // ResolutionAdaptive close
	Fps     int    `json:"fps,omitempty"`
}

// EditMedia accepts a task that cuts windows out of stored media and
// joins them into a new media.
func (s *Service) EditMedia(ctx context.Context, req *vodapi.EditMediaRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	switch vodapi.Val(req.InputType) {
	case "File":
	case "Stream":
		return nil, tcapi.Errorf("UnsupportedOperation", "InputType Stream edits live stream recordings, which this server does not keep; use InputType File")
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "InputType must be File or Stream, got %q", vodapi.Val(req.InputType))
	}
	var p editParams
	first, echo, err := s.editInputs(ctx, app, req.FileInfos, &p)
	if err != nil {
		return nil, err
	}
	switch vodapi.Val(req.Definition) {
	case 0, 10:
	case 20:
		p.ByBitrate = true
	default:
		return nil, tcapi.Errorf("InvalidParameterValue.Definition", "Definition must be 10 (follow the highest resolution) or 20 (the highest bitrate), got %d", vodapi.Val(req.Definition))
	}
	oc := req.OutputConfig
	if oc == nil {
		oc = &vodapi.EditMediaOutputConfig{}
	}
	if p.Container, err = editContainer(oc.Type); err != nil {
		return nil, err
	}
	if p.Video, err = checkEditVideo(oc.VideoStream, oc.TEHDConfig); err != nil {
		return nil, err
	}
	if p.Container == media.ContainerHLS && p.Video.Codec == "av1" {
		return nil, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream.Codec av1 cannot go in hls output: use mp4")
	}
	if p.Media, err = s.checkNewMedia(ctx, app, oc.MediaName, oc.ExpireTime, nil, nil, oc.ClassId, nil, req.ProcedureName); err != nil {
		return nil, err
	}
	if p.Media.Name == "" {
		p.Media.Name = defaultName(first.Name, "_edit")
	}
	if p.Echo, err = json.Marshal(echo); err != nil {
		return nil, errInternal("encode params", err)
	}
	id, err := s.submit(ctx, taskSpec{Kind: "EditMedia", Type: "EditMedia", SubAppID: app.SubAppID, FileID: first.FileID,
		SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority, Params: p})
	if err != nil {
		return nil, err
	}
	return &vodapi.EditMediaResponse{TaskId: vodapi.Ptr(id)}, nil
}

// editInputs checks EditMedia's FileInfos against the stored media,
// records them in p and returns the first media and the input echo.
func (s *Service) editInputs(ctx context.Context, app *store.App, infos []*vodapi.EditMediaFileInfo, p *editParams) (*store.Media, *vodapi.EditMediaTaskInput, error) {
	if len(infos) == 0 {
		return nil, nil, tcapi.Errorf("InvalidParameter", "FileInfos must list at least one media to edit")
	}
	if len(infos) > 100 {
		return nil, nil, tcapi.Errorf("InvalidParameterValue", "FileInfos lists %d media; at most 100 can be joined", len(infos))
	}
	var first *store.Media
	echo := &vodapi.EditMediaTaskInput{InputType: vodapi.Ptr("File"), FileInfoSet: []*vodapi.EditMediaFileInfo{}, StreamInfoSet: []*vodapi.EditMediaStreamInfo{}}
	for i, fi := range infos {
		if fi == nil {
			return nil, nil, tcapi.Errorf("InvalidParameter", "FileInfos[%d] is null", i)
		}
		m, err := s.editSource(ctx, app, fi.FileId)
		if err != nil {
			return nil, nil, err
		}
		if first == nil {
			first = m
		}
		if err := checkWindow(fmt.Sprintf("FileInfos[%d]", i), fi.StartTimeOffset, fi.EndTimeOffset, storedDuration(m)); err != nil {
			return nil, nil, err
		}
		in := editInput{FileID: m.FileID, Start: vodapi.Val(fi.StartTimeOffset), End: vodapi.Val(fi.EndTimeOffset)}
		p.Inputs = append(p.Inputs, in)
		echo.FileInfoSet = append(echo.FileInfoSet, &vodapi.EditMediaFileInfo{FileId: vodapi.Ptr(in.FileID),
			StartTimeOffset: vodapi.Ptr(in.Start), EndTimeOffset: vodapi.Ptr(in.End)})
	}
	return first, echo, nil
}

// editSource reads a media named as an editing input, answering
// InvalidParameterValue.FileId for one the application does not have.
func (s *Service) editSource(ctx context.Context, app *store.App, fileID *string) (*store.Media, error) {
	id := vodapi.Val(fileID)
	m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "FileId %q does not exist in this application", id)
	}
	if err != nil {
		return nil, errInternal("read media", err)
	}
	return m, nil
}

// checkEditVideo validates OutputConfig.VideoStream and TEHDConfig.
func checkEditVideo(v *vodapi.EditMediaVideoStream, tehd *vodapi.EditMediaTEHDConfig) (editVideo, error) {
	var out editVideo
	if tehd != nil && !oneOf(strings.ToLower(vodapi.Val(tehd.Type)), "", "none") {
		return out, tcapi.Errorf("UnsupportedOperation", "TEHDConfig Type %q (top speed codec) is not supported by this server", vodapi.Val(tehd.Type))
	}
	if v == nil {
		return out, nil
	}
	switch c := strings.ToLower(vodapi.Val(v.Codec)); c {
	case "", "libx264", "h264":
		out.Codec = "h264"
	case "libx265", "h265", "hevc":
		out.Codec = "h265"
	case "av1", "libaom-av1":
		out.Codec = "av1"
	default:
		return out, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream.Codec %q is not supported: use libx264, libx265 or av1", c)
	}
	br, w, h, fps := vodapi.Val(v.Bitrate), vodapi.Val(v.Width), vodapi.Val(v.Height), vodapi.Val(v.Fps)
	switch {
	case br > 100000:
		return out, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream.Bitrate is in kbps, at most 100000; got %d", br)
	case w > 4096 || h > 4096:
		return out, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream Width and Height must be at most 4096, got %dx%d", w, h)
	case fps < 0 || fps > 100:
		return out, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream.Fps must be between 0 and 100, got %d", fps)
	}
	switch a := strings.ToLower(vodapi.Val(v.ResolutionAdaptive)); a {
	case "", "open":
	case "close":
		out.Fixed = true
	default:
		return out, tcapi.Errorf("InvalidParameterValue", "OutputConfig.VideoStream.ResolutionAdaptive must be open or close, got %q", a)
	}
	out.Bitrate, out.Width, out.Height, out.Fps = int64(br)*1000, int(w), int(h), int(fps)
	return out, nil
}

func (v editVideo) spec() media.VideoSpec {
	return media.VideoSpec{Codec: v.Codec, Bitrate: v.Bitrate, Fps: float64(v.Fps),
		Scale: media.Scale{Width: v.Width, Height: v.Height, ResolutionAdaptive: !v.Fixed}}
}

func (s *Service) editMediaType() *task.Type {
	return &task.Type{
		Name: "EditMedia",
		NewResult: func(t *store.Task) (any, error) {
			var p editParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			r := &vodapi.EditMediaTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"), ErrCode: vodapi.Ptr(int64(0)),
				ErrCodeExt: vodapi.Ptr(""), Message: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)), ProcedureTaskId: vodapi.Ptr(""),
				ReviewAudioVideoTaskId: vodapi.Ptr(""), SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}
			if err := json.Unmarshal(p.Echo, &r.Input); err != nil {
				return nil, err
			}
			return r, nil
		},
		Run: s.runEditMedia,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.EditMediaTask)
			finishFields(&r.Status, &r.ErrCode, &r.ErrCodeExt, &r.Message, &r.Progress, f)
		},
	}
}

func (s *Service) runEditMedia(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p editParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.EditMediaTask)
	work, err := os.MkdirTemp(s.cfg.WorkDir, "edit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	ins := make([]media.ConcatInput, len(p.Inputs))
	for i, in := range p.Inputs {
		m, err := s.taskMedia(ctx, x.Task.SubAppID, in.FileID)
		if err != nil {
			return nil, err
		}
		src, probe, err := s.localProbed(ctx, m, work)
		if err != nil {
			return nil, err
		}
		ins[i] = media.ConcatInput{Path: src, Probe: probe, Start: in.Start, End: in.End, Name: "media " + in.FileID}
	}
	out := filepath.Join(work, "out", "f0."+extOfContainer(p.Container))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	plan, err := media.PlanConcat(ins, media.ConcatSpec{Path: out, Container: p.Container, Video: p.Video.spec(),
		Reference: media.ReferenceInput(ins, p.ByBitrate)})
	if err != nil {
		return nil, runFailure(err)
	}
	err = s.cfg.Media.RunPlan(ctx, plan, func(pg media.Progress) {
		if plan.Duration > 0 {
			pct := int64(math.Min(pg.OutTime/plan.Duration, 1) * 90)
			x.Update(func() { r.Progress = vodapi.Ptr(max(pct, vodapi.Val(r.Progress))) })
		}
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, runFailure(err)
	}
	m, err := s.storeEdited(ctx, out, p.Container, p.Media)
	if err != nil {
		return nil, err
	}
	proc, err := s.followUp(ctx, x.Task.SubAppID, m.FileID, p.Media.Procedure, x.Task.Priority)
	if err != nil {
		return nil, err
	}
	x.Update(func() {
		r.Output = &vodapi.EditMediaTaskOutput{FileType: vodapi.Ptr(fileType(p.Container)), FileUrl: vodapi.Ptr(s.url(m.MediaKey)),
			FileId: vodapi.Ptr(m.FileID), MediaName: vodapi.Ptr(m.Name), ClassId: vodapi.Ptr(m.ClassID),
			ExpireTime: vodapi.Ptr(expireString(m.ExpireAt))}
		json.Unmarshal(m.Meta, &r.MetaData)
		if proc != nil {
			r.ProcedureTaskId = vodapi.Ptr(proc.TaskID)
		}
	})
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		return s.insertEdited(ctx, tx, m, proc)
	}, After: s.cfg.Engine.Notify}, nil
}

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

// How RemoveWatermark looks for an overlay: unwatermarkFrames grey frames
// spread over the media, at most unwatermarkWidth pixels wide.
const (
	unwatermarkFrames = 32
	unwatermarkWidth  = 320
	// unwatermarkPad widens the box found on each side, in display pixels,
	// for the overlay's anti-aliased edge and the scaling of the sample.
	unwatermarkPad = 2
)

// unwatermarkParams is a RemoveWatermark task's stored input; the new
// media's FileId and folder are fixed when the task is accepted.
type unwatermarkParams struct {
	FileID          string   `json:"fileId"`
	Media           newMedia `json:"media"`
	TasksNotifyMode string   `json:"tasksNotifyMode,omitempty"`
}

// RemoveWatermark accepts a task that finds a static logo or caption on a
// video and writes a new media with it painted out (ffmpeg delogo).
func (s *Service) RemoveWatermark(ctx context.Context, req *vodapi.RemoveWatermarkRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	notify := vodapi.Val(req.TasksNotifyMode)
	if !oneOf(notify, "", "Finish", "Change", "None") {
		return nil, tcapi.Errorf("InvalidParameterValue", "TasksNotifyMode must be Finish, Change or None, got %q", notify)
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	var meta vodapi.MediaMetaData
	if json.Unmarshal(m.Meta, &meta) == nil && len(meta.VideoStreamSet) == 0 {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "media %s has no video stream to remove a watermark from", m.FileID)
	}
	nm, err := s.checkNewMedia(ctx, app, vodapi.Ptr(m.Name), nil, nil, nil, vodapi.Ptr(m.ClassID), nil, nil)
	if err != nil {
		return nil, err
	}
	id, err := s.submit(ctx, taskSpec{Kind: "RemoveWatermark", Type: "RemoveWatermarkTask", SubAppID: app.SubAppID,
		FileID: m.FileID, SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority,
		Params: unwatermarkParams{FileID: m.FileID, Media: nm, TasksNotifyMode: notify}})
	if err != nil {
		return nil, err
	}
	return &vodapi.RemoveWatermarkResponse{TaskId: vodapi.Ptr(id)}, nil
}

func (s *Service) removeWatermarkType() *task.Type {
	return &task.Type{
		Name: "RemoveWatermarkTask",
		NewResult: func(t *store.Task) (any, error) {
			return &vodapi.RemoveWatermarkTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCodeExt: vodapi.Ptr(""), ErrCode: vodapi.Ptr(int64(0)), Message: vodapi.Ptr(""),
				Input:     &vodapi.RemoveWaterMarkTaskInput{FileId: vodapi.Ptr(t.FileID)},
				SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: s.runRemoveWatermark,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.RemoveWatermarkTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				// Run wrote what it found (the box, or that there was none).
				r.ErrCode, r.ErrCodeExt = vodapi.Ptr(int64(0)), vodapi.Ptr("")
				if vodapi.Val(r.Message) == "" {
					r.Message = vodapi.Ptr("SUCCESS")
				}
				return
			}
			r.ErrCode, r.ErrCodeExt, r.Message = vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runRemoveWatermark(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p unwatermarkParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.RemoveWatermarkTask)
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	dir, src, probe, err := s.openSource(ctx, m, "unwatermark-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f := frameOf(probe)
	if !f.Video || f.Width < 16 || f.Height < 16 {
		return nil, task.InvalidInput("media %s has no video picture to remove a watermark from", m.FileID)
	}
	out, message, err := s.delogo(ctx, m.FileID, src, dir, probe, f)
	if err != nil {
		return nil, err
	}
	nm := p.Media
	if out == src {
		nm.MediaType = m.MediaType // an unchanged copy keeps its container
	} else {
		nm.MediaType = "mp4"
	}
	sum, err := fileMD5(out)
	if err != nil {
		return nil, err
	}
	nmRow, err := s.ingest(ctx, out, nm, sum, "VideoProcessing")
	if err != nil {
		return nil, err
	}
	x.Update(func() {
		r.Message = vodapi.Ptr(message)
		r.Output = &vodapi.RemoveWaterMarkTaskOutput{FileId: vodapi.Ptr(nmRow.FileID), FileType: vodapi.Ptr(nmRow.MediaType),
			FileUrl: vodapi.Ptr(s.url(nmRow.MediaKey)), MediaName: vodapi.Ptr(nmRow.Name)}
		json.Unmarshal(nmRow.Meta, &r.Output.MetaData)
	})
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		err := tx.InsertMedia(ctx, nmRow)
		if errors.Is(err, store.ErrDuplicate) {
			err = tx.UpdateMedia(ctx, nmRow) // an earlier attempt got this far
		}
		return err
	}}, nil
}

// delogo looks for a static overlay and paints it out into a new mp4. It
// returns the file to store (src itself when nothing was found) and the
// task's message saying what was done.
func (s *Service) delogo(ctx context.Context, fileID, src, dir string, probe *media.Probe, f inspectFrame) (string, string, error) {
	aw := min(f.Width, unwatermarkWidth)
	ah := max(8, int(math.Round(float64(aw)*float64(f.Height)/float64(f.Width)/2))*2)
	box, found, err := s.cfg.Media.StaticRegion(ctx, media.StaticParams{Input: src, Width: aw, Height: ah,
		Frames: unwatermarkFrames, Duration: f.Duration})
	if err != nil {
		return "", "", mediaFailure(err, fileID)
	}
	if !found {
		return s.unchanged(ctx, fileID, src, dir, probe, "no still region stands out from the moving picture")
	}
	sx, sy := float64(f.Width)/float64(aw), float64(f.Height)/float64(ah)
	x0 := int(math.Floor(float64(box.X1)*sx)) - unwatermarkPad
	y0 := int(math.Floor(float64(box.Y1)*sy)) - unwatermarkPad
	x1 := int(math.Ceil(float64(box.X2+1)*sx)) + unwatermarkPad
	y1 := int(math.Ceil(float64(box.Y2+1)*sy)) + unwatermarkPad
	x, y, w, h, ok := media.ClampDelogo(x0, y0, x1-x0, y1-y0, f.Width, f.Height)
	if !ok {
		return s.unchanged(ctx, fileID, src, dir, probe, "the still region found lies on the frame's border")
	}
	out := filepath.Join(dir, "unwatermarked.mp4")
	audio := len(probe.Audio) > 0
	copyAudio := audio && oneOf(probe.Audio[0].Codec, "aac", "mp3")
	args := media.DelogoArgs(media.DelogoParams{Input: src, Output: out, X: x, Y: y, W: w, H: h,
		FrameWidth: f.Width, FrameHeight: f.Height, Audio: audio, CopyAudio: copyAudio})
	if err := s.cfg.Media.Run(ctx, args, nil); err != nil {
		return "", "", mediaFailure(err, fileID)
	}
	return out, fmt.Sprintf("removed a still overlay at x=%d y=%d w=%d h=%d (display pixels)", x, y, w, h), nil
}

// unchanged is the result without a watermark: the source itself, or for
// HLS (a playlist whose segments a copy of the file would not carry) its
// streams copied into one mp4.
func (s *Service) unchanged(ctx context.Context, fileID, src, dir string, probe *media.Probe, why string) (string, string, error) {
	msg := "no watermark found: " + why + "; the new media is an unchanged copy"
	if probe.Container != "hls" {
		return src, msg, nil
	}
	out := filepath.Join(dir, "copy.mp4")
	if err := s.cfg.Media.Run(ctx, media.RemuxMP4Args(src, out), nil); err != nil {
		return "", "", mediaFailure(err, fileID)
	}
	return out, msg + " (its streams, copied from HLS into mp4)", nil
}

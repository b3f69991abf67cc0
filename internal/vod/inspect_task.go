package vod

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// inspectParams is an InspectMediaQuality task's stored input. The
// template is resolved when the task is accepted, so that changing or
// deleting it later does not change a queued inspection.
type inspectParams struct {
	FileID     string          `json:"fileId"`
	Definition uint64          `json:"definition"`
	Settings   inspectSettings `json:"settings"`
}

// InspectMediaQuality accepts a task that runs a quality inspection
// template's detectors over a media.
func (s *Service) InspectMediaQuality(ctx context.Context, req *vodapi.InspectMediaQualityRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	def := vodapi.Val(req.Definition)
	if def > math.MaxInt64 {
		return nil, tcapi.Errorf(codeDefinition, "quality inspection template %d does not exist in this application", def)
	}
	tpl, err := qualityInspectFamily().lookup(ctx, s.cfg.DB, app, int64(def))
	if err != nil {
		return nil, err
	}
	fillInspectTemplate(tpl)
	id, err := s.submit(ctx, taskSpec{Kind: "QualityInspect", Type: "QualityInspect", SubAppID: app.SubAppID,
		FileID: m.FileID, SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority,
		Params: inspectParams{FileID: m.FileID, Definition: def, Settings: resolveInspect(tpl)}})
	if err != nil {
		return nil, err
	}
	return &vodapi.InspectMediaQualityResponse{TaskId: vodapi.Ptr(id)}, nil
}

func (s *Service) qualityInspectType() *task.Type {
	return &task.Type{
		Name: "QualityInspect",
		NewResult: func(t *store.Task) (any, error) {
			var p inspectParams
			if err := json.Unmarshal(t.Params, &p); err != nil {
				return nil, err
			}
			return &vodapi.QualityInspectTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCodeExt: vodapi.Ptr(""), Message: vodapi.Ptr(""),
				Input:     &vodapi.QualityInspectTaskInput{FileId: vodapi.Ptr(p.FileID), Definition: vodapi.Ptr(p.Definition)},
				SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: s.runInspect,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.QualityInspectTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				r.ErrCodeExt, r.Message = vodapi.Ptr(""), vodapi.Ptr("SUCCESS")
				return
			}
			r.ErrCodeExt, r.Message = vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runInspect(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p inspectParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.QualityInspectTask)
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	dir, src, probe, err := s.openSource(ctx, m, "inspect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f := frameOf(probe)
	if !f.Video && !f.Audio {
		return nil, task.SourceError("media %s has no audio or video stream to inspect", m.FileID)
	}
	d := &media.Detection{}
	if dp := detectParams(src, dir, p.Settings, f); dp.Video || dp.Audio {
		if d, err = s.cfg.Media.Detect(ctx, dp, f.Duration, nil); err != nil {
			return nil, mediaFailure(err, m.FileID)
		}
	}
	out := inspectOutput(inspectFindings(d, p.Settings, f), p.Settings, f)
	if out.ContainerDiagnoseResultSet, err = s.diagnose(ctx, src, probe, f); err != nil {
		return nil, err
	}
	x.Update(func() {
		r.Output = out
		json.Unmarshal(m.Meta, &r.MetaData)
	})
	return &task.Outcome{}, nil
}

// frameOf reads the display size (rotation applied, as filters see the
// frames), duration and streams of a probe.
func frameOf(p *media.Probe) inspectFrame {
	f := inspectFrame{Width: p.Width, Height: p.Height, Duration: p.Duration, Video: len(p.Video) > 0, Audio: len(p.Audio) > 0}
	if p.Rotate == 90 || p.Rotate == 270 {
		f.Width, f.Height = f.Height, f.Width
	}
	return f
}

// detectParams chooses the detectors the checks need. Black frames are
// always detected with any video check: the others leave them out.
func detectParams(src, dir string, s inspectSettings, f inspectFrame) media.DetectParams {
	on := func(typ string) bool { return s[typ].On }
	p := media.DetectParams{Input: src,
		Freeze: on("VideoFreezedFrame"), FreezeMinDuration: s["VideoFreezedFrame"].Duration, FreezeNoiseDB: s["VideoFreezedFrame"].Threshold,
		Blur: on("Blur"), Luma: on("LowLighting") || on("HighLighting"), Crop: on("BlackWhiteEdge"), CropLimit: 24, StatsFPS: inspectStatsFPS,
		Silence: on("NoVoice"), SilenceMinDuration: s["NoVoice"].Duration, SilenceNoiseDB: s["NoVoice"].Threshold,
		Loudness:         on("LowVoice") || on("HighVoice"),
		BlackMinDuration: s["SolidColorScreen"].Duration, BlackPixelRatio: s["SolidColorScreen"].Threshold / 100, BlackPixelThreshold: 0.1,
		EventLog: filepath.Join(dir, "events.txt"), StatsLog: filepath.Join(dir, "stats.txt"), AudioLog: filepath.Join(dir, "audio.txt")}
	p.Video = f.Video && (on("SolidColorScreen") || p.Freeze || p.Blur || p.Luma || p.Crop)
	p.Black = p.Video
	p.Audio = f.Audio && (p.Silence || p.Loudness)
	return p
}

// diagnose lists what is wrong with the file rather than the picture or
// sound: a stream that does not decode to its end, and a rotated picture.
func (s *Service) diagnose(ctx context.Context, src string, probe *media.Probe, f inspectFrame) ([]*vodapi.QualityInspectContainerDiagnoseResultItem, error) {
	items := []*vodapi.QualityInspectContainerDiagnoseResultItem{}
	item := func(category, typ, severity string) *vodapi.QualityInspectContainerDiagnoseResultItem {
		return &vodapi.QualityInspectContainerDiagnoseResultItem{Category: vodapi.Ptr(category), Type: vodapi.Ptr(typ),
			SeverityLevel: vodapi.Ptr(severity), TimestampSet: []float64{}}
	}
	for _, c := range []struct {
		has          bool
		stream, kind string
	}{{f.Video, "v", "VideoDecodeFailed"}, {f.Audio, "a", "AudioDecodeFailed"}} {
		if !c.has {
			continue
		}
		reason, err := s.cfg.Media.DecodeCheck(ctx, src, c.stream)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			items = append(items, item("DecodeException", c.kind, "Error"))
		}
	}
	if probe.Rotate != 0 {
		items = append(items, item("StreamInfo", "VideoRotation", "Info"))
	}
	return items, nil
}

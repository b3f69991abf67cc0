package vod

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// enhanceParams is the stored input of a QualityEnhance or RebuildMedia
// task: the source, the resolved settings (a template is copied at submit
// time, so a later change of it does not change an accepted task) and the
// new media, whose FileId and folder are fixed so a retry writes the same.
type enhanceParams struct {
	FileID      string                       `json:"fileId"`
	Start       float64                      `json:"start,omitempty"`
	End         float64                      `json:"end,omitempty"`
	Definition  int64                        `json:"definition,omitempty"`
	Settings    *vodapi.RebuildMediaTemplate `json:"settings"`
	Media       newMedia                     `json:"media"`
	Description string                       `json:"description,omitempty"`
}

// enhanceOutput is where and how the new media of a restoration is kept.
type enhanceOutput struct {
	Name, Description, Expire, StoragePath *string
	ClassID                                *int64
}

// enhanceSubmit holds what every restoration action submits.
type enhanceSubmit struct {
	app            *store.App
	taskType, kind string
	fileID         *string
	start, end     *float64
	definition     int64
	settings       *vodapi.RebuildMediaTemplate
	// family, if set, holds template definition: settings are then that
	// template, looked up before any other check.
	family          *family[*vodapi.RebuildMediaTemplate]
	out             enhanceOutput
	sessionID, sCtx *string
	priority        *int64
}

// submitEnhance validates what is common to the restoration actions and
// submits the task.
func (s *Service) submitEnhance(ctx context.Context, e enhanceSubmit) (string, error) {
	if e.family != nil {
		tpl, err := s.rebuildTemplate(ctx, e.family, e.app, e.definition)
		if err != nil {
			return "", err
		}
		e.settings = tpl
	}
	if err := checkTaskFields(e.sessionID, e.sCtx, e.priority); err != nil {
		return "", err
	}
	fillRebuild(e.settings)
	if err := checkRebuild(e.settings); err != nil {
		return "", err
	}
	if err := checkSomethingOn(e.settings); err != nil {
		return "", err
	}
	m, err := s.enhanceSource(ctx, e.app, vodapi.Val(e.fileID))
	if err != nil {
		return "", err
	}
	start, end, err := checkOffsets(m, e.start, e.end)
	if err != nil {
		return "", err
	}
	nm, err := s.checkNewMedia(ctx, e.app, e.out.Name, e.out.Expire, nil, e.out.StoragePath, e.out.ClassID, nil, nil)
	if err != nil {
		return "", err
	}
	if nm.Name == "" {
		nm.Name = m.Name
	}
	if utf8.RuneCountInString(vodapi.Val(e.out.Description)) > 128 {
		return "", tcapi.Errorf("InvalidParameterValue", "TargetInfo.Description must be at most 128 characters")
	}
	return s.submit(ctx, taskSpec{Kind: e.kind, Type: e.taskType, SubAppID: e.app.SubAppID, FileID: m.FileID,
		SessionID: e.sessionID, SessionContext: e.sCtx, Priority: e.priority,
		Params: enhanceParams{FileID: m.FileID, Start: start, End: end, Definition: e.definition,
			Settings: e.settings, Media: nm, Description: vodapi.Val(e.out.Description)}})
}

// enhanceSource reads the source media of a restoration: a FileId the
// application does not have is InvalidParameterValue.FileId.
func (s *Service) enhanceSource(ctx context.Context, app *store.App, fileID string) (*store.Media, error) {
	if fileID == "" {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "FileId is required")
	}
	m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, fileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("InvalidParameterValue.FileId", "media %q does not exist in this application", fileID)
	}
	if err != nil {
		return nil, errInternal("read media", err)
	}
	return m, nil
}

// checkOffsets validates a trim against the stored duration of m.
func checkOffsets(m *store.Media, start, end *float64) (float64, float64, error) {
	st, en := vodapi.Val(start), vodapi.Val(end)
	var meta vodapi.MediaMetaData
	_ = json.Unmarshal(m.Meta, &meta)
	dur := vodapi.Val(meta.Duration)
	switch {
	case st < 0:
		return 0, 0, tcapi.Errorf("InvalidParameterValue.StartTimeOffset", "StartTimeOffset must not be negative")
	case en < 0:
		return 0, 0, tcapi.Errorf("InvalidParameterValue.EndTimeOffset", "EndTimeOffset must not be negative")
	case en > 0 && en <= st:
		return 0, 0, tcapi.Errorf("InvalidParameterValue.EndTimeOffset", "EndTimeOffset (%g) must be after StartTimeOffset (%g)", en, st)
	case dur > 0 && st >= dur:
		return 0, 0, tcapi.Errorf("InvalidParameterValue.StartTimeOffset", "StartTimeOffset %g is past the end of the media (%gs)", st, dur)
	}
	return st, en, nil
}

// restored is a restoration's new media, ready to insert.
type restored struct {
	row  *store.Media
	meta *vodapi.MediaMetaData
}

// runRestore runs a QualityEnhance or RebuildMedia task: the restoration,
// with the result's Progress at *progress, then done records the new
// media in the result (both results' outputs have the same fields).
func (s *Service) runRestore(ctx context.Context, x *task.Exec, progress **int64,
	done func(out vodapi.QualityEnhanceTaskOutput, meta *vodapi.MediaMetaData)) (*task.Outcome, error) {
	p, err := decodeEnhanceParams(x.Task)
	if err != nil {
		return nil, err
	}
	res, err := s.restore(ctx, x, p, func(n int64) { x.Update(func() { *progress = vodapi.Ptr(n) }) })
	if err != nil {
		return nil, err
	}
	x.Update(func() {
		done(vodapi.QualityEnhanceTaskOutput{FileType: vodapi.Ptr(res.row.MediaType), FileUrl: vodapi.Ptr(s.url(res.row.MediaKey)),
			FileId: vodapi.Ptr(res.row.FileID), MediaName: vodapi.Ptr(res.row.Name), ClassId: vodapi.Ptr(res.row.ClassID),
			ExpireTime: vodapi.Ptr(expireString(res.row.ExpireAt))}, res.meta)
	})
	return &task.Outcome{Commit: res.insert}, nil
}

// restore runs the restoration p asks for and stores the result as the
// original of the new media; progress gets 0 to 95.
func (s *Service) restore(ctx context.Context, x *task.Exec, p *enhanceParams, progress func(int64)) (*restored, error) {
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	work, src, probe, err := s.openSource(ctx, m, "enhance-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var fps float64
	if len(probe.Video) > 0 {
		fps = probe.Video[0].FpsExact
	}
	ext := strings.ToLower(vodapi.Val(p.Settings.Container))
	out := filepath.Join(work, "restored."+ext)
	plan, err := media.PlanEnhance(src, enhanceSpec(p.Settings, out, p.Start, p.End, fps), probe)
	if err != nil {
		return nil, runFailure(err)
	}
	if err := applies(p.Settings, plan.Outputs[0]); err != nil {
		return nil, err
	}
	err = s.cfg.Media.RunPlan(ctx, plan, func(pg media.Progress) {
		if plan.Duration > 0 {
			progress(min(95, int64(pg.OutTime/plan.Duration*95)))
		}
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, runFailure(err)
	}
	sum, err := fileMD5(out)
	if err != nil {
		return nil, err
	}
	nm := p.Media
	nm.MediaType = ext
	row, err := s.ingest(ctx, out, nm, sum, "VideoProcessing")
	if err != nil {
		return nil, err
	}
	row.Description = p.Description
	meta := &vodapi.MediaMetaData{}
	if err := json.Unmarshal(row.Meta, meta); err != nil {
		return nil, err
	}
	return &restored{row: row, meta: meta}, nil
}

// insert is the Commit of a restoration: the new media, or its update when
// an earlier attempt got as far.
func (r *restored) insert(ctx context.Context, tx *store.Tx) error {
	err := tx.InsertMedia(ctx, r.row)
	if errors.Is(err, store.ErrDuplicate) {
		err = tx.UpdateMedia(ctx, r.row)
	}
	return err
}

func decodeEnhanceParams(t *store.Task) (*enhanceParams, error) {
	var p enhanceParams
	if err := json.Unmarshal(t.Params, &p); err != nil {
		return nil, err
	}
	if p.Settings == nil {
		return nil, errors.New("enhance task without settings")
	}
	fillRebuild(p.Settings)
	return &p, nil
}

// applies fails a restoration none of whose switches concerns a stream
// the output has (video enhancements of an audio file, say): it would
// only re-encode.
func applies(t *vodapi.RebuildMediaTemplate, out media.Output) error {
	video := false
	for _, c := range rebuildSwitches(t) {
		if isOn(c.sw) && c.name != "AudioDenoiseInfo" {
			video = true
		}
	}
	audio := isOn(t.RebuildAudioInfo.AudioDenoiseInfo.Switch)
	if (video && out.Video) || (audio && out.Audio) {
		return nil
	}
	if video {
		return task.InvalidInput("the enhancements asked for are of the picture, and the output has no video stream")
	}
	return task.InvalidInput("the enhancement asked for is of the sound, and the output has no audio stream")
}

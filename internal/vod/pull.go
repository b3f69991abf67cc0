package vod

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// newMedia holds what a new media will be, fixed when its task is accepted
// so that a retried task writes to the same place.
type newMedia struct {
	SubAppID      uint64    `json:"subAppId"`
	FileID        string    `json:"fileId"`
	Dir           string    `json:"dir"`
	MediaType     string    `json:"mediaType,omitempty"`
	Name          string    `json:"name,omitempty"`
	ExpireAt      time.Time `json:"expireAt"`
	StorageRegion string    `json:"storageRegion"`
	StoragePath   string    `json:"storagePath,omitempty"`
	ClassID       int64     `json:"classId"`
	SourceContext string    `json:"sourceContext,omitempty"`
	// Procedure names the procedure template to run once the media is in.
	Procedure string `json:"procedure,omitempty"`
}

// pullParams is a PullUpload task's stored input.
type pullParams struct {
	MediaURL string   `json:"mediaUrl"`
	CoverURL string   `json:"coverUrl,omitempty"`
	Media    newMedia `json:"media"`
}

// checkNewMedia validates the parameters shared by PullUpload and
// ApplyUpload that describe the media to create.
func (s *Service) checkNewMedia(ctx context.Context, app *store.App, name, expire, region, storagePath *string, classID *int64, sourceContext, procedure *string) (newMedia, error) {
	var m newMedia
	m.Name = vodapi.Val(name)
	if utf8.RuneCountInString(m.Name) > 64 {
		return m, tcapi.Errorf("InvalidParameterValue", "MediaName must be at most 64 characters")
	}
	var ok bool
	if m.ExpireAt, ok = parseExpire(vodapi.Val(expire)); !ok {
		return m, tcapi.Errorf("InvalidParameterValue.ExpireTime", "ExpireTime must be an ISO 8601 time such as 2030-01-02T15:04:05Z")
	}
	m.StorageRegion = vodapi.Val(region)
	if m.StorageRegion == "" {
		m.StorageRegion = app.StorageRegion
	}
	if m.StorageRegion != app.StorageRegion && m.StorageRegion != defaultRegion {
		return m, tcapi.Errorf("InvalidParameterValue.StorageRegion", "StorageRegion %q is not a storage region of this server (use %q)", m.StorageRegion, app.StorageRegion)
	}
	if p := vodapi.Val(storagePath); p != "" {
		if app.Mode != "fileid+path" {
			return m, tcapi.Errorf("InvalidParameterValue.MediaStoragePath", "MediaStoragePath needs an application created with Mode fileid+path")
		}
		m.StoragePath = p
	}
	m.ClassID = vodapi.Val(classID)
	if m.ClassID < 0 {
		return m, tcapi.Errorf("InvalidParameterValue.ClassId", "ClassId must not be negative")
	}
	m.SourceContext = vodapi.Val(sourceContext)
	if len(m.SourceContext) > 250 {
		return m, tcapi.Errorf("InvalidParameterValue.SourceContext", "SourceContext must be at most 250 characters")
	}
	if name := vodapi.Val(procedure); name != "" {
		p, err := s.procedureTemplate(ctx, app, name)
		if err != nil {
			return m, tcapi.Errorf("InvalidParameter.ProcedureNameNotExist", "procedure template %q does not exist", name)
		}
		if p.MediaProcessTask == nil {
			return m, tcapi.Errorf("InvalidParameter.ProcedureNameNotExist", "procedure template %q has no media processing to run", name)
		}
		m.Procedure = name
	}
	m.SubAppID = app.SubAppID
	m.FileID = newFileID()
	m.Dir = newMediaDir(app.SubAppID, m.FileID)
	return m, nil
}

// PullUpload accepts a task that downloads media from a URL, probes it and
// stores it as a new media.
func (s *Service) PullUpload(ctx context.Context, req *vodapi.PullUploadRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	u, err := s.checkPullURL(vodapi.Val(req.MediaUrl))
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameterValue.MediaUrl", "MediaUrl %s", err)
	}
	p := pullParams{MediaURL: u.String()}
	if c := vodapi.Val(req.CoverUrl); c != "" {
		cu, err := s.checkPullURL(c)
		if err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue.CoverUrl", "CoverUrl %s", err)
		}
		p.CoverURL = cu.String()
	}
	if p.Media, err = s.checkNewMedia(ctx, app, req.MediaName, req.ExpireTime, req.StorageRegion, req.MediaStoragePath,
		req.ClassId, req.SourceContext, req.Procedure); err != nil {
		return nil, err
	}
	if mt := vodapi.Val(req.MediaType); mt != "" {
		if p.Media.MediaType = extOf(mt); !validExt(p.Media.MediaType) {
			return nil, tcapi.Errorf("FailedOperation.MediaType", "MediaType %q is not a file extension such as mp4", mt)
		}
	} else if e := strings.ToLower(strings.TrimPrefix(path.Ext(u.Path), ".")); validExt(e) {
		p.Media.MediaType = e
	}
	if p.Media.Name == "" {
		p.Media.Name = mediaNameFromURL(u)
	}
	id, err := s.submit(ctx, taskSpec{Kind: "pull", Type: "PullUpload", SubAppID: app.SubAppID,
		SessionID: req.SessionId, SessionContext: req.SessionContext, Priority: req.TasksPriority, Params: p})
	if err != nil {
		return nil, err
	}
	return &vodapi.PullUploadResponse{TaskId: vodapi.Ptr(id)}, nil
}

// mediaNameFromURL names a pulled media after the file in its URL.
func mediaNameFromURL(u *url.URL) string {
	base := path.Base(u.Path)
	if base == "/" || base == "." {
		return u.Hostname()
	}
	name := base[:len(base)-len(path.Ext(base))]
	if r := []rune(name); len(r) > 64 {
		name = string(r[:64])
	}
	return name
}

func (s *Service) pullType() *task.Type {
	return &task.Type{
		Name: "PullUpload",
		NewResult: func(t *store.Task) (any, error) {
			return &vodapi.PullUploadTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCode: vodapi.Ptr(int64(0)), Message: vodapi.Ptr(""), FileId: vodapi.Ptr(""), FileUrl: vodapi.Ptr(""),
				ProcedureTaskId: vodapi.Ptr(""), ReviewAudioVideoTaskId: vodapi.Ptr(""),
				SessionContext: vodapi.Ptr(t.SessionContext), SessionId: vodapi.Ptr(t.SessionID), Progress: vodapi.Ptr(int64(0))}, nil
		},
		Run: s.runPull,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.PullUploadTask)
			r.Status = vodapi.Ptr("FINISH")
			if f == nil {
				r.ErrCode, r.Message, r.Progress = vodapi.Ptr(int64(0)), vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100))
				return
			}
			r.ErrCode, r.Message = vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runPull(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p pullParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.PullUploadTask)
	dir, err := os.MkdirTemp(s.cfg.WorkDir, "pull-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	dctx, cancel := context.WithTimeout(ctx, s.cfg.PullTimeout)
	defer cancel()
	src := filepath.Join(dir, "source")
	size, md5sum, err := s.download(dctx, p.MediaURL, src, s.cfg.PullMaxBytes, func(done, total int64) {
		if total > 0 {
			x.Update(func() { r.Progress = vodapi.Ptr(done * 90 / total) })
		}
	})
	if err != nil {
		return nil, pullFailure("MediaUrl", err, ctx)
	}
	if size == 0 {
		return nil, task.SourceError("the file at MediaUrl is empty (0 bytes)")
	}
	m, err := s.ingest(ctx, src, p.Media, md5sum, "Upload")
	if err != nil {
		return nil, err
	}
	if p.CoverURL != "" {
		cover := filepath.Join(dir, "cover")
		if _, _, err := s.download(dctx, p.CoverURL, cover, 20<<20, nil); err != nil {
			return nil, pullFailure("CoverUrl", err, ctx)
		}
		ext := extOf(path.Base(p.CoverURL))
		if !validExt(ext) {
			ext = "jpg"
		}
		m.CoverKey = p.Media.Dir + "/cover." + ext
		if _, err := s.cfg.Blob.PutFile(ctx, m.CoverKey, cover); err != nil {
			return nil, err
		}
	}
	proc, err := s.followUp(ctx, x.Task.SubAppID, m.FileID, p.Media.Procedure, x.Task.Priority)
	if err != nil {
		return nil, err
	}
	x.Update(func() {
		r.FileId, r.FileUrl = vodapi.Ptr(m.FileID), vodapi.Ptr(s.url(m.MediaKey))
		r.MediaBasicInfo = s.basicInfo(m)
		json.Unmarshal(m.Meta, &r.MetaData)
		if proc != nil {
			r.ProcedureTaskId = vodapi.Ptr(proc.TaskID)
		}
	})
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		err := tx.InsertMedia(ctx, m)
		if errors.Is(err, store.ErrDuplicate) {
			err = tx.UpdateMedia(ctx, m) // an earlier attempt got this far
		}
		if err == nil {
			err = tx.SetTaskFileID(ctx, x.Task.TaskID, m.FileID)
		}
		if err != nil || proc == nil {
			return err
		}
		return s.cfg.Engine.SubmitTx(ctx, tx, proc)
	}, After: s.cfg.Engine.Notify}, nil
}

// followUp prepares the Procedure task a procedure template starts on a
// new media (nil without a template); it is submitted in the transaction
// that records the media.
func (s *Service) followUp(ctx context.Context, subAppID uint64, fileID, procedure string, prio int) (*store.Task, error) {
	if procedure == "" {
		return nil, nil
	}
	app, err := s.cfg.DB.GetApp(ctx, subAppID)
	if err != nil {
		return nil, err
	}
	tpl, err := s.procedureTemplate(ctx, app, procedure)
	if err != nil {
		return nil, task.InvalidInput("procedure template %q no longer exists", procedure)
	}
	params, err := json.Marshal(procParams{FileID: fileID, Tasks: tpl.MediaProcessTask})
	if err != nil {
		return nil, err
	}
	return &store.Task{TaskID: task.NewID(s.cfg.AppID, "procedurev2"), SubAppID: subAppID, TaskType: "Procedure",
		FileID: fileID, Priority: prio, Params: params}, nil
}

// pullFailure turns a download error into the task failure the user sees.
func pullFailure(what string, err error, ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var hs *httpStatusError
	switch {
	case errors.As(err, &hs):
		return task.SourceError("downloading %s failed: %s", what, hs.Error())
	case errors.Is(err, errBlockedAddress):
		return task.InvalidInput("%s resolves to a loopback, private or reserved address; start the server with --allow-private-pull to allow such sources", what)
	case errors.Is(err, context.DeadlineExceeded):
		return task.SourceError("downloading %s took longer than the pull time limit", what)
	}
	return task.SourceError("downloading %s failed: %s", what, err)
}

// ingest probes and verifies a local media file and stores it as the
// original of a new media, returning the row to insert.
func (s *Service) ingest(ctx context.Context, src string, nm newMedia, md5sum, sourceType string) (*store.Media, error) {
	probe, err := s.cfg.Media.Probe(ctx, src)
	if err == nil {
		err = s.cfg.Media.Verify(ctx, src)
	}
	var inv *media.InvalidMediaError
	if errors.As(err, &inv) {
		return nil, task.SourceError("the file is not usable media: %s", inv.Reason)
	}
	if err != nil {
		return nil, err
	}
	ext := nm.MediaType
	if ext == "" {
		ext = containerExt(probe.Container)
	}
	key := originalKey(nm.Dir, ext)
	if _, err := s.cfg.Blob.PutFile(ctx, key, src); err != nil {
		return nil, err
	}
	meta, err := json.Marshal(metaFromProbe(probe, md5sum))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	return &store.Media{FileID: nm.FileID, SubAppID: nm.SubAppID, Name: nm.Name, ClassID: nm.ClassID, MediaType: ext,
		Category: category(probe), MediaKey: key, StorageRegion: nm.StorageRegion, StoragePath: nm.StoragePath,
		SourceType: sourceType, SourceContext: nm.SourceContext, ExpireAt: nm.ExpireAt, Meta: meta, Info: []byte("{}"),
		CreatedAt: now, UpdatedAt: now}, nil
}

// containerExt picks a file extension for a probed container.
func containerExt(c string) string {
	switch c {
	case "", "hls":
		if c == "hls" {
			return "m3u8"
		}
		return "bin"
	case "matroska":
		return "mkv"
	}
	if validExt(c) {
		return c
	}
	return "bin"
}

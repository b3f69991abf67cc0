package vod

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// fileAttrParams is a DescribeFileAttributes task's stored input.
type fileAttrParams struct {
	FileID string `json:"fileId"`
}

// DescribeFileAttributes accepts a task that computes the MD5 and SHA-1 of
// a media's original file.
func (s *Service) DescribeFileAttributes(ctx context.Context, req *vodapi.DescribeFileAttributesRequest) (any, error) {
	app, err := s.taskApp(ctx, req.SubAppId, req.SessionId, req.SessionContext, req.TasksPriority)
	if err != nil {
		return nil, err
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	id, err := s.submit(ctx, taskSpec{Kind: "DescribeFileAttributes", Type: "DescribeFileAttributesTask",
		SubAppID: app.SubAppID, FileID: m.FileID, SessionID: req.SessionId, SessionContext: req.SessionContext,
		Priority: req.TasksPriority, Params: fileAttrParams{FileID: m.FileID}})
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeFileAttributesResponse{TaskId: vodapi.Ptr(id)}, nil
}

// mediaOf reads a media of the application or answers the API error.
func (s *Service) mediaOf(ctx context.Context, app *store.App, fileID string) (*store.Media, error) {
	m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, fileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("ResourceNotFound.FileNotExist", "media %q does not exist in this application", fileID)
	}
	if err != nil {
		return nil, errInternal("read media", err)
	}
	return m, nil
}

func (s *Service) fileAttributesType() *task.Type {
	return &task.Type{
		Name: "DescribeFileAttributesTask",
		NewResult: func(t *store.Task) (any, error) {
			return &vodapi.DescribeFileAttributesTask{TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr("PROCESSING"),
				ErrCode: vodapi.Ptr(int64(0)), ErrCodeExt: vodapi.Ptr(""), Message: vodapi.Ptr(""), Progress: vodapi.Ptr(int64(0)),
				FileId: vodapi.Ptr(t.FileID), SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext)}, nil
		},
		Run: s.runFileAttributes,
		Finish: func(result any, f *task.Failure) {
			r := result.(*vodapi.DescribeFileAttributesTask)
			if f == nil {
				r.Status, r.ErrCode, r.ErrCodeExt, r.Message, r.Progress = vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(0)),
					vodapi.Ptr(""), vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100))
				return
			}
			r.Status, r.ErrCode, r.ErrCodeExt, r.Message = vodapi.Ptr("FAIL"), vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
		},
	}
}

func (s *Service) runFileAttributes(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p fileAttrParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.DescribeFileAttributesTask)
	m, err := s.cfg.DB.GetMedia(ctx, x.Task.SubAppID, p.FileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, task.InvalidInput("media %s was deleted before its attributes were computed", p.FileID)
	}
	if err != nil {
		return nil, err
	}
	attrs, err := s.cfg.Blob.Attributes(ctx, m.MediaKey)
	if err != nil {
		return nil, task.SourceError("the original file of media %s is missing from storage", p.FileID)
	}
	rc, err := s.cfg.Blob.Get(ctx, m.MediaKey)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	hm, hs := md5.New(), sha1.New()
	var done int64
	buf := make([]byte, 256<<10)
	for {
		n, rerr := rc.Read(buf)
		if n > 0 {
			hm.Write(buf[:n])
			hs.Write(buf[:n])
			done += int64(n)
			if attrs.Size > 0 {
				x.Update(func() { r.Progress = vodapi.Ptr(done * 99 / attrs.Size) })
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	sumMD5, sumSHA1 := hex.EncodeToString(hm.Sum(nil)), hex.EncodeToString(hs.Sum(nil))
	x.Update(func() {
		r.Output = &vodapi.DescribeFileAttributesTaskOutput{Md5: vodapi.Ptr(sumMD5), Sha1: vodapi.Ptr(sumSHA1)}
	})
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		// Record the MD5 in the media's metadata as well.
		cur, err := tx.GetMedia(ctx, x.Task.SubAppID, p.FileID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var meta *vodapi.MediaMetaData
		if json.Unmarshal(cur.Meta, &meta) != nil || meta == nil {
			return nil
		}
		meta.Md5 = vodapi.Ptr(sumMD5)
		if cur.Meta, err = json.Marshal(meta); err != nil {
			return err
		}
		return tx.UpdateMedia(ctx, cur)
	}}, nil
}

// fileMD5 hashes a local file.
func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func isFailure(err error) bool {
	var f *task.Failure
	return errors.As(err, &f)
}

func failureMessage(err error) string {
	var f *task.Failure
	if errors.As(err, &f) {
		return f.Message
	}
	return err.Error()
}

// taskTypes lists the task types this service runs.
func (s *Service) taskTypes() []*task.Type {
	types := []*task.Type{s.pullType(), s.fileAttributesType(), s.procedureType()}
	types = append(types, s.editTypes()...)
	types = append(types, s.composeTypes()...)
	types = append(types, s.enhanceTypes()...)
	types = append(types, s.inspectTypes()...)
	return append(types, s.complexTypes()...)
}

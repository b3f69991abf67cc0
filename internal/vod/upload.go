package vod

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// uploadParams is an upload session's stored input.
type uploadParams struct {
	Media     newMedia `json:"media"`
	CoverType string   `json:"coverType,omitempty"`
}

// The HTTP upload flow: ApplyUpload returns MediaStoragePath (and
// CoverStoragePath) and a TempCertificate; the client PUTs the file to
// PublicURL + "/upload" + MediaStoragePath with the header
// "x-cos-security-token: <TempCertificate.Token>" (or "Authorization:
// Bearer <token>"), then calls CommitUpload with the VodSessionKey.
const uploadPrefix = "/upload"

func stagingKey(storagePath string) string { return "_staging/uploads" + storagePath }

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ApplyUpload opens an upload session.
func (s *Service) ApplyUpload(ctx context.Context, req *vodapi.ApplyUploadRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	mt := extOf(vodapi.Val(req.MediaType))
	if !validExt(mt) {
		return nil, tcapi.Errorf("InvalidParameterValue.MediaType", "MediaType %q is not a file extension such as mp4", vodapi.Val(req.MediaType))
	}
	if err := checkSession(nil, req.SessionContext); err != nil {
		return nil, err
	}
	var p uploadParams
	if p.Media, err = s.checkNewMedia(ctx, app, req.MediaName, req.ExpireTime, req.StorageRegion, req.MediaStoragePath,
		req.ClassId, req.SourceContext, req.Procedure); err != nil {
		return nil, err
	}
	p.Media.MediaType = mt
	sessionKey, token := randomHex(16), randomHex(24)
	u := &store.Upload{SessionKey: sessionKey, SubAppID: app.SubAppID, TokenHash: hashToken(token),
		MediaPath: "/" + sessionKey + "/f0." + mt, CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().Add(s.cfg.UploadTTL).UTC()}
	if ct := vodapi.Val(req.CoverType); ct != "" {
		ct = extOf(ct)
		if !validExt(ct) {
			return nil, tcapi.Errorf("InvalidParameterValue.CoverType", "CoverType %q is not an image extension such as jpg", vodapi.Val(req.CoverType))
		}
		p.CoverType = ct
		u.CoverPath = "/" + sessionKey + "/cover." + ct
	}
	if u.Params, err = json.Marshal(p); err != nil {
		return nil, errInternal("encode params", err)
	}
	if err := s.cfg.DB.InsertUpload(ctx, u); err != nil {
		return nil, errInternal("store upload session", err)
	}
	return &vodapi.ApplyUploadResponse{
		StorageBucket: vodapi.Ptr("openvod"), StorageRegion: vodapi.Ptr(p.Media.StorageRegion),
		VodSessionKey: vodapi.Ptr(sessionKey), MediaStoragePath: vodapi.Ptr(u.MediaPath), CoverStoragePath: vodapi.Ptr(u.CoverPath),
		TempCertificate: &vodapi.TempCertificate{SecretId: vodapi.Ptr("upload-" + sessionKey), SecretKey: vodapi.Ptr(""),
			Token: vodapi.Ptr(token), ExpiredTime: vodapi.Ptr(uint64(u.ExpiresAt.Unix()))},
	}, nil
}

// UploadHandler serves PUT uploads of ApplyUpload sessions under /upload/.
func (s *Service) UploadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			w.Header().Set("Allow", "PUT")
			http.Error(w, "use PUT to upload a file opened with ApplyUpload", http.StatusMethodNotAllowed)
			return
		}
		status, msg := s.acceptUpload(r)
		if status != http.StatusOK {
			http.Error(w, msg, status)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

func (s *Service) acceptUpload(r *http.Request) (int, string) {
	p := strings.TrimPrefix(r.URL.Path, uploadPrefix)
	sessionKey, _, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || sessionKey == "" {
		return http.StatusNotFound, "no such upload path"
	}
	u, err := s.cfg.DB.GetUpload(r.Context(), sessionKey)
	if errors.Is(err, store.ErrNotFound) {
		return http.StatusNotFound, "no such upload session; call ApplyUpload first"
	}
	if err != nil {
		s.log.Error("read upload session", "err", err)
		return http.StatusInternalServerError, "internal error"
	}
	tok := r.Header.Get("x-cos-security-token")
	if tok == "" {
		tok = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(tok)), []byte(u.TokenHash)) != 1 {
		return http.StatusForbidden, "missing or wrong upload token: send TempCertificate.Token in the x-cos-security-token header"
	}
	if p != u.MediaPath && (u.CoverPath == "" || p != u.CoverPath) {
		return http.StatusNotFound, "this session accepts only its MediaStoragePath and CoverStoragePath"
	}
	if u.Committed || time.Now().After(u.ExpiresAt) {
		return http.StatusGone, "the upload session is committed or expired; call ApplyUpload again"
	}
	wctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	w, err := s.cfg.Blob.NewWriter(wctx, stagingKey(p), "")
	if err != nil {
		s.log.Error("open upload writer", "err", err)
		return http.StatusInternalServerError, "internal error"
	}
	n, err := io.Copy(w, io.LimitReader(r.Body, s.cfg.UploadMaxBytes+1))
	if err == nil && n > s.cfg.UploadMaxBytes {
		err = errors.New("too large")
		cancel() // discard the partial object
		w.Close()
		return http.StatusRequestEntityTooLarge, "the file is over the upload size limit"
	}
	if err != nil {
		cancel()
		w.Close()
		return http.StatusBadRequest, "upload interrupted: " + err.Error()
	}
	if err := w.Close(); err != nil {
		s.log.Error("store upload", "err", err)
		return http.StatusInternalServerError, "internal error"
	}
	return http.StatusOK, ""
}

// CommitUpload turns an uploaded file into a media: it is probed, moved to
// its final place and recorded, and its FileId returned.
func (s *Service) CommitUpload(ctx context.Context, req *vodapi.CommitUploadRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	key := vodapi.Val(req.VodSessionKey)
	u, err := s.cfg.DB.GetUpload(ctx, key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.SubAppID != app.SubAppID) {
		return nil, tcapi.Errorf("InvalidParameterValue.VodSessionKey", "VodSessionKey %q is not an open upload session of this application", key)
	}
	if err != nil {
		return nil, errInternal("read upload session", err)
	}
	if u.Committed {
		return nil, errSessionCommitted()
	}
	if time.Now().After(u.ExpiresAt) {
		return nil, tcapi.Errorf("InvalidParameterValue.VodSessionKey", "this upload session expired; call ApplyUpload again")
	}
	var p uploadParams
	if err := json.Unmarshal(u.Params, &p); err != nil {
		return nil, errInternal("decode upload params", err)
	}
	staged := stagingKey(u.MediaPath)
	dir, err := os.MkdirTemp(s.cfg.WorkDir, "commit-")
	if err != nil {
		return nil, errInternal("work dir", err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "source")
	if err := s.cfg.Blob.Download(ctx, staged, src); err != nil {
		if cur, err := s.cfg.DB.GetUpload(ctx, key); err == nil && cur.Committed {
			return nil, errSessionCommitted() // a concurrent commit won and removed the staged file
		}
		return nil, tcapi.Errorf("ResourceNotFound", "no file was uploaded to %s%s yet", uploadPrefix, u.MediaPath)
	}
	md5sum, err := fileMD5(src)
	if err != nil {
		return nil, errInternal("hash upload", err)
	}
	m, err := s.ingest(ctx, src, p.Media, md5sum, "Upload")
	if err != nil {
		var inv *media.InvalidMediaError
		if errors.As(err, &inv) || isFailure(err) {
			return nil, tcapi.Errorf("FailedOperation.MediaType", "the uploaded file is not usable media: %s", failureMessage(err))
		}
		return nil, errInternal("ingest upload", err)
	}
	if u.CoverPath != "" {
		m.CoverKey = p.Media.Dir + "/cover." + p.CoverType
		if err := s.cfg.Blob.Copy(ctx, m.CoverKey, stagingKey(u.CoverPath)); err != nil {
			m.CoverKey = "" // no cover was uploaded: that is allowed
		}
	}
	proc, err := s.followUp(ctx, app.SubAppID, m.FileID, p.Media.Procedure, 0)
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameter.ProcedureNameNotExist", "%s", failureMessage(err))
	}
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.CommitUpload(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			return errAlreadyCommitted
		}
		if err := tx.InsertMedia(ctx, m); err != nil {
			return err
		}
		if proc != nil {
			if err := s.cfg.Engine.SubmitTx(ctx, tx, proc); err != nil {
				return err
			}
		}
		return s.newFileUploadEvent(ctx, tx, m, proc)
	})
	if errors.Is(err, errAlreadyCommitted) {
		// A concurrent commit of this session won. Its media lives in the
		// same folder (fixed by ApplyUpload), so the files stay.
		return nil, errSessionCommitted()
	}
	if err != nil {
		return nil, errInternal("commit upload", err)
	}
	s.notify()
	s.cfg.Engine.Notify()
	s.cfg.Blob.DeletePrefix(ctx, stagingKey("/"+key+"/"))
	return &vodapi.CommitUploadResponse{FileId: vodapi.Ptr(m.FileID), MediaUrl: vodapi.Ptr(s.url(m.MediaKey)), CoverUrl: vodapi.Ptr(s.url(m.CoverKey))}, nil
}

var errAlreadyCommitted = errors.New("upload already committed")

func errSessionCommitted() error {
	return tcapi.Errorf("InvalidParameterValue.VodSessionKey", "this upload session was already committed")
}

// newFileUploadEvent records NewFileUpload when the application switched it
// on.
func (s *Service) newFileUploadEvent(ctx context.Context, tx *store.Tx, m *store.Media, proc *store.Task) error {
	on, err := eventSwitchOn(ctx, tx, m.SubAppID, func(c *store.EventConfig) string { return c.UploadSwitch })
	if err != nil || !on {
		return err
	}
	var meta *vodapi.MediaMetaData
	json.Unmarshal(m.Meta, &meta)
	procID := ""
	if proc != nil {
		procID = proc.TaskID
	}
	return s.recordEvent(ctx, tx, m.SubAppID, "NewFileUpload", "FileUploadEvent", "", &vodapi.FileUploadTask{
		FileId: vodapi.Ptr(m.FileID), MediaBasicInfo: s.basicInfo(m), ProcedureTaskId: vodapi.Ptr(procID),
		ReviewAudioVideoTaskId: vodapi.Ptr(""), MetaData: meta})
}

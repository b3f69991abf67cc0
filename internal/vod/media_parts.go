package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// deleteParts removes parts of a media: the original file, or processing
// outputs (TranscodeFiles, AdaptiveDynamicStreamingFiles; Definition 0 is
// every output of the kind). The outputs leave the media's info in one
// transaction with the FileDeleted event; their files go afterwards, once
// nothing refers to them. WeChat publications never exist on this server,
// so deleting them does nothing.
func (s *Service) deleteParts(ctx context.Context, m *store.Media, parts []*vodapi.MediaDeleteItem) (any, error) {
	for _, p := range parts {
		switch vodapi.Val(p.Type) {
		case "OriginalFiles", "TranscodeFiles", "AdaptiveDynamicStreamingFiles", "WechatPublishFiles", "WechatMiniProgramPublishFiles":
		default:
			return nil, tcapi.Errorf("InvalidParameterValue", "DeleteParts.Type %q is not one of OriginalFiles, TranscodeFiles, AdaptiveDynamicStreamingFiles, WechatPublishFiles, WechatMiniProgramPublishFiles", vodapi.Val(p.Type))
		}
		if vodapi.Val(p.Definition) < 0 {
			return nil, tcapi.Errorf("InvalidParameterValue", "DeleteParts.Definition must not be negative, got %d", vodapi.Val(p.Definition))
		}
	}
	var gone outputFiles
	err := s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetMedia(ctx, m.SubAppID, m.FileID)
		if err != nil {
			return err
		}
		info := &vodapi.MediaInfo{}
		if len(cur.Info) > 0 {
			if err := json.Unmarshal(cur.Info, info); err != nil {
				return fmt.Errorf("decode media info: %w", err)
			}
		}
		var removed bool
		if gone, removed = removeOutputs(info, parts, path.Dir(cur.MediaKey)); removed {
			if cur.Info, err = json.Marshal(info); err != nil {
				return err
			}
			cur.UpdatedAt = time.Now().UTC().Truncate(time.Second)
			if err := tx.UpdateMedia(ctx, cur); err != nil {
				return err
			}
		}
		return s.fileDeletedEvent(ctx, tx, m, parts)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("ResourceNotFound.FileNotExist", "media %q does not exist in this application", m.FileID)
	}
	if err != nil {
		return nil, errInternal("delete media parts", err)
	}
	s.notify()
	for _, p := range parts {
		if vodapi.Val(p.Type) == "OriginalFiles" && m.MediaKey != "" {
			if err := s.cfg.Blob.Delete(ctx, m.MediaKey); err != nil {
				return nil, errInternal("delete original", err)
			}
		}
	}
	if err := s.deleteOutputFiles(ctx, m.SubAppID, path.Dir(m.MediaKey), gone); err != nil {
		// The info no longer lists them; what is left is orphaned.
		s.log.Error("delete output files; they are orphaned", "file_id", m.FileID, "err", err)
	}
	return &vodapi.DeleteMediaResponse{}, nil
}

// outputFiles are the blob files of removed outputs.
type outputFiles struct {
	keys  []string // single files
	stems []string // "<dir>/<stem>_": HLS segments beside a playlist
	dirs  []string // whole folders (adaptive streams)
}

// removeOutputs drops the outputs parts name from info and returns their
// files under mdir: a transcode is its file and, for HLS, the segments
// beside it sharing its stem ("f0.f100210_00001.ts"); an adaptive stream
// is its whole folder "adp/<definition>". removed reports whether info
// changed.
func removeOutputs(info *vodapi.MediaInfo, parts []*vodapi.MediaDeleteItem, mdir string) (gone outputFiles, removed bool) {
	match := func(typ string, def int64) bool {
		for _, p := range parts {
			if vodapi.Val(p.Type) == typ && (vodapi.Val(p.Definition) == 0 || vodapi.Val(p.Definition) == def) {
				return true
			}
		}
		return false
	}
	if ti := info.TranscodeInfo; ti != nil {
		keep := ti.TranscodeSet[:0]
		for _, it := range ti.TranscodeSet {
			if !match("TranscodeFiles", vodapi.Val(it.Definition)) {
				keep = append(keep, it)
				continue
			}
			removed = true
			if base := outputBase(vodapi.Val(it.Url)); base != "" {
				gone.keys = append(gone.keys, mdir+"/"+base)
				gone.stems = append(gone.stems, mdir+"/"+strings.TrimSuffix(base, path.Ext(base))+"_")
			}
		}
		ti.TranscodeSet = keep
	}
	if ai := info.AdaptiveDynamicStreamingInfo; ai != nil {
		keep := ai.AdaptiveDynamicStreamingSet[:0]
		for _, it := range ai.AdaptiveDynamicStreamingSet {
			if !match("AdaptiveDynamicStreamingFiles", vodapi.Val(it.Definition)) {
				keep = append(keep, it)
				continue
			}
			removed = true
			gone.dirs = append(gone.dirs, fmt.Sprintf("%s/adp/%d", mdir, vodapi.Val(it.Definition)))
		}
		ai.AdaptiveDynamicStreamingSet = keep
	}
	return gone, removed
}

// outputBase is the file name an output URL ends with ("" when it has
// none).
func outputBase(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	i := strings.LastIndex(u, "/")
	if i < 0 || i == len(u)-1 {
		return ""
	}
	return u[i+1:]
}

// deleteOutputFiles removes the files of removed outputs, and the keys of
// the encrypted streams among them.
func (s *Service) deleteOutputFiles(ctx context.Context, subAppID uint64, mdir string, gone outputFiles) error {
	for _, k := range gone.keys {
		if err := s.cfg.Blob.Delete(ctx, k); err != nil {
			return err
		}
	}
	for _, d := range gone.dirs {
		if err := s.deleteStreamKeys(ctx, subAppID, d); err != nil {
			return err
		}
		if err := s.cfg.Blob.DeletePrefix(ctx, d); err != nil {
			return err
		}
	}
	if len(gone.stems) == 0 {
		return nil
	}
	keys, err := s.cfg.Blob.List(ctx, mdir)
	if err != nil {
		return err
	}
	for _, k := range keys {
		for _, st := range gone.stems {
			if strings.HasPrefix(k, st) && !strings.Contains(k[len(st):], "/") {
				if err := s.cfg.Blob.Delete(ctx, k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

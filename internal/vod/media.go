package vod

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// DescribeMediaInfos returns up to 20 media of the application.
func (s *Service) DescribeMediaInfos(ctx context.Context, req *vodapi.DescribeMediaInfosRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if len(req.FileIds) == 0 {
		return nil, tcapi.Errorf("InvalidParameterValue.FileIdsEmpty", "FileIds must list at least one FileId")
	}
	if len(req.FileIds) > 20 {
		return nil, tcapi.Errorf("InvalidParameterValue.FileIdsOverLimit", "FileIds may list at most 20 FileIds")
	}
	resp := &vodapi.DescribeMediaInfosResponse{MediaInfoSet: []*vodapi.MediaInfo{}, NotExistFileIdSet: []string{}}
	for _, id := range req.FileIds {
		m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, id)
		if errors.Is(err, store.ErrNotFound) {
			resp.NotExistFileIdSet = append(resp.NotExistFileIdSet, id)
			continue
		}
		if err != nil {
			return nil, errInternal("read media", err)
		}
		info, err := s.mediaInfo(m, req.Filters)
		if err != nil {
			return nil, errInternal("render media", err)
		}
		resp.MediaInfoSet = append(resp.MediaInfoSet, info)
	}
	return resp, nil
}

// SearchMedia finds media of the application by their attributes.
func (s *Service) SearchMedia(ctx context.Context, req *vodapi.SearchMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	f := store.MediaFilter{SubAppID: app.SubAppID, FileIDs: req.FileIds, Names: req.Names, NamePrefixes: req.NamePrefixes,
		Descriptions: req.Descriptions, ClassIDs: req.ClassIds, Tags: req.Tags, Categories: req.Categories,
		SourceTypes: req.SourceTypes, MediaTypes: req.MediaTypes, StorageRegions: req.StorageRegions, Desc: true,
		Offset: int(vodapi.Val(req.Offset)), Limit: 10}
	if t := vodapi.Val(req.Text); t != "" { // deprecated: fuzzy match of name or description
		f.Names = append(f.Names, t)
	}
	if st := vodapi.Val(req.SourceType); st != "" {
		f.SourceTypes = append(f.SourceTypes, st)
	}
	for _, c := range req.Categories {
		if c != "Video" && c != "Audio" && c != "Image" {
			return nil, tcapi.Errorf("InvalidParameterValue.Categories", "Categories may hold Video, Audio or Image, got %q", c)
		}
	}
	for _, st := range req.Status {
		if st != "Normal" && st != "SystemForbidden" && st != "Forbidden" {
			return nil, tcapi.Errorf("InvalidParameterValue", "Status may hold Normal, SystemForbidden or Forbidden, got %q", st)
		}
	}
	if len(req.Status) > 0 && !slices.Contains(req.Status, "Normal") {
		// Every media here is Normal: nothing can match.
		return &vodapi.SearchMediaResponse{TotalCount: vodapi.Ptr(uint64(0)), MediaInfoSet: []*vodapi.MediaInfo{}}, nil
	}
	if req.Limit != nil {
		f.Limit = int(*req.Limit)
	}
	if f.Offset+f.Limit > 5000 {
		return nil, tcapi.Errorf("InvalidParameterValue.Offset", "Offset + Limit must be at most 5000")
	}
	if err := timeRange(req.CreateTime, "CreateTime", &f.CreatedAfter, &f.CreatedBefore); err != nil {
		return nil, err
	}
	if err := timeRange(req.ExpireTime, "ExpireTime", &f.ExpireAfter, &f.ExpireBefore); err != nil {
		return nil, err
	}
	if v := vodapi.Val(req.StartTime); v != "" && req.CreateTime == nil {
		if f.CreatedAfter, err = parseTime(v); err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue.StartTime", "StartTime is not an ISO 8601 time")
		}
	}
	if v := vodapi.Val(req.EndTime); v != "" && req.CreateTime == nil {
		if f.CreatedBefore, err = parseTime(v); err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue.EndTime", "EndTime is not an ISO 8601 time")
		}
	}
	if req.Sort != nil {
		if vodapi.Val(req.Sort.Field) != "CreateTime" {
			return nil, tcapi.Errorf("InvalidParameterValue.Sort", "Sort.Field must be CreateTime")
		}
		switch vodapi.Val(req.Sort.Order) {
		case "Asc":
			f.Desc = false
		case "Desc":
		default:
			return nil, tcapi.Errorf("InvalidParameterValue.Sort", "Sort.Order must be Asc or Desc")
		}
	}
	rows, total, err := s.cfg.DB.SearchMedia(ctx, f)
	if err != nil {
		return nil, errInternal("search media", err)
	}
	resp := &vodapi.SearchMediaResponse{TotalCount: vodapi.Ptr(uint64(total)), MediaInfoSet: []*vodapi.MediaInfo{}}
	for _, m := range rows {
		info, err := s.mediaInfo(m, req.Filters)
		if err != nil {
			return nil, errInternal("render media", err)
		}
		resp.MediaInfoSet = append(resp.MediaInfoSet, info)
	}
	return resp, nil
}

// ModifyMediaInfo changes a media's attributes, cover, key frame
// descriptions and tags.
func (s *Service) ModifyMediaInfo(ctx context.Context, req *vodapi.ModifyMediaInfoRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkModify(req); err != nil {
		return nil, err
	}
	var cover []byte
	var coverExt string
	if c := vodapi.Val(req.CoverData); c != "" {
		if cover, err = base64.StdEncoding.DecodeString(c); err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue.ImageDecodeError", "CoverData is not base64")
		}
		if coverExt = imageExt(cover); coverExt == "" {
			return nil, tcapi.Errorf("InvalidParameterValue.ImageDecodeError", "CoverData is not a GIF, JPEG or PNG image")
		}
	}
	// The cover is stored before the transaction: storage I/O inside it
	// would hold SQLite's only write connection for its whole duration.
	var coverKey string
	if cover != nil {
		cur, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
		if err != nil {
			return nil, err
		}
		coverKey = path.Dir(cur.MediaKey) + "/cover-" + randomHex(4) + "." + coverExt
		if _, err := s.cfg.Blob.Put(ctx, coverKey, bytes.NewReader(cover), ""); err != nil {
			return nil, errInternal("store cover", err)
		}
	}
	subs, err := s.prepareSubtitles(ctx, app, req) // stored before the transaction too
	if err != nil {
		if coverKey != "" {
			s.cfg.Blob.Delete(ctx, coverKey)
		}
		return nil, err
	}
	var m *store.Media
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = tx.GetMedia(ctx, app.SubAppID, vodapi.Val(req.FileId)); err != nil {
			return err
		}
		if err := applyModify(m, req); err != nil {
			return err
		}
		if err := subs.apply(m); err != nil {
			return err
		}
		if coverKey != "" {
			m.CoverKey = coverKey
		}
		m.UpdatedAt = time.Now().UTC().Truncate(time.Second)
		return tx.UpdateMedia(ctx, m)
	})
	if err != nil && coverKey != "" {
		s.cfg.Blob.Delete(ctx, coverKey) // not referenced by anything
	}
	subs.finish(ctx, err)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("ResourceNotFound.FileNotExist", "media %q does not exist in this application", vodapi.Val(req.FileId))
	}
	var apiErr *tcapi.Error
	if errors.As(err, &apiErr) {
		return nil, apiErr
	}
	if err != nil {
		return nil, errInternal("modify media", err)
	}
	return &vodapi.ModifyMediaInfoResponse{CoverUrl: vodapi.Ptr(s.url(m.CoverKey)), AddedSubtitleSet: subs.added()}, nil
}

// checkModify validates a ModifyMediaInfo request before anything is read.
func checkModify(req *vodapi.ModifyMediaInfoRequest) error {
	if req.Name != nil && utf8.RuneCountInString(*req.Name) > 64 {
		return tcapi.Errorf("InvalidParameterValue.Name", "Name must be at most 64 characters")
	}
	if req.Description != nil && utf8.RuneCountInString(*req.Description) > 128 {
		return tcapi.Errorf("InvalidParameterValue.Description", "Description must be at most 128 characters")
	}
	if req.ExpireTime != nil {
		if _, ok := parseExpire(*req.ExpireTime); !ok {
			return tcapi.Errorf("InvalidParameterValue.ExpireTime", "ExpireTime must be an ISO 8601 time")
		}
	}
	if len(req.AddKeyFrameDescs) > 0 && vodapi.Val(req.ClearKeyFrameDescs) == 1 {
		return tcapi.Errorf("InvalidParameterValue.AddKeyFrameDescsAndClearKeyFrameDescsConflict", "AddKeyFrameDescs and ClearKeyFrameDescs cannot be used together")
	}
	if len(req.AddKeyFrameDescs) > 0 && len(req.DeleteKeyFrameDescs) > 0 {
		return tcapi.Errorf("InvalidParameterValue.AddKeyFrameDescsAndDeleteKeyFrameDescsConflict", "AddKeyFrameDescs and DeleteKeyFrameDescs cannot be used together")
	}
	for _, k := range req.AddKeyFrameDescs {
		if utf8.RuneCountInString(vodapi.Val(k.Content)) > 1024 {
			return tcapi.Errorf("InvalidParameterValue.KeyFrameDescContentTooLong", "a key frame description is longer than 1024 characters")
		}
	}
	if len(req.AddTags) > 0 && vodapi.Val(req.ClearTags) == 1 {
		return tcapi.Errorf("InvalidParameterValue.AddTagsAndClearTagsConflict", "AddTags and ClearTags cannot be used together")
	}
	if len(req.AddTags) > 0 && len(req.DeleteTags) > 0 {
		return tcapi.Errorf("InvalidParameterValue.AddTagsAndDeleteTagsConflict", "AddTags and DeleteTags cannot be used together")
	}
	for _, t := range req.AddTags {
		if utf8.RuneCountInString(t) > 32 || t == "" {
			return tcapi.Errorf("InvalidParameterValue.TagTooLong", "tags must be 1 to 32 characters")
		}
	}
	return checkSubtitleChanges(req)
}

// applyModify changes m as the request says.
func applyModify(m *store.Media, req *vodapi.ModifyMediaInfoRequest) error {
	if req.Name != nil {
		m.Name = *req.Name
	}
	if req.Description != nil {
		m.Description = *req.Description
	}
	if req.ClassId != nil {
		m.ClassID = *req.ClassId
	}
	if req.ExpireTime != nil {
		m.ExpireAt, _ = parseExpire(*req.ExpireTime)
	}
	switch {
	case vodapi.Val(req.ClearTags) == 1:
		m.Tags = nil
	case len(req.DeleteTags) > 0:
		m.Tags = slices.DeleteFunc(m.Tags, func(t string) bool { return slices.Contains(req.DeleteTags, t) })
	}
	for _, t := range req.AddTags {
		if !slices.Contains(m.Tags, t) {
			m.Tags = append(m.Tags, t)
		}
	}
	if len(m.Tags) > 16 {
		return tcapi.Errorf("LimitExceeded.TagCountReachMax", "a media may have at most 16 tags")
	}
	if vodapi.Val(req.ClearKeyFrameDescs) == 1 || len(req.DeleteKeyFrameDescs) > 0 || len(req.AddKeyFrameDescs) > 0 {
		return modifyKeyFrames(m, req)
	}
	return nil
}

func modifyKeyFrames(m *store.Media, req *vodapi.ModifyMediaInfoRequest) error {
	info := &vodapi.MediaInfo{}
	if err := json.Unmarshal(m.Info, info); err != nil {
		return err
	}
	var items []*vodapi.MediaKeyFrameDescItem
	if info.KeyFrameDescInfo != nil && vodapi.Val(req.ClearKeyFrameDescs) != 1 {
		items = info.KeyFrameDescInfo.KeyFrameDescSet
	}
	items = slices.DeleteFunc(items, func(k *vodapi.MediaKeyFrameDescItem) bool {
		return slices.Contains(req.DeleteKeyFrameDescs, vodapi.Val(k.TimeOffset))
	})
	for _, add := range req.AddKeyFrameDescs {
		items = slices.DeleteFunc(items, func(k *vodapi.MediaKeyFrameDescItem) bool {
			return vodapi.Val(k.TimeOffset) == vodapi.Val(add.TimeOffset)
		})
		items = append(items, &vodapi.MediaKeyFrameDescItem{TimeOffset: vodapi.Ptr(vodapi.Val(add.TimeOffset)), Content: vodapi.Ptr(vodapi.Val(add.Content))})
	}
	if len(items) > 100 {
		return tcapi.Errorf("LimitExceeded.KeyFrameDescCountReachMax", "a media may have at most 100 key frame descriptions")
	}
	slices.SortFunc(items, func(a, b *vodapi.MediaKeyFrameDescItem) int {
		switch x, y := vodapi.Val(a.TimeOffset), vodapi.Val(b.TimeOffset); {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	if items == nil {
		items = []*vodapi.MediaKeyFrameDescItem{}
	}
	info.KeyFrameDescInfo = &vodapi.MediaKeyFrameDescInfo{KeyFrameDescSet: items}
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	m.Info = b
	return nil
}

// imageExt recognises the cover image formats the API accepts.
func imageExt(b []byte) string {
	switch http.DetectContentType(b) {
	case "image/jpeg":
		return "jpg"
	case "image/png":
		return "png"
	case "image/gif":
		return "gif"
	}
	return ""
}

// DeleteMedia deletes a media and every file derived from it, or, with
// DeleteParts, only the parts named.
func (s *Service) DeleteMedia(ctx context.Context, req *vodapi.DeleteMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	if len(req.DeleteParts) > 0 {
		return s.deleteParts(ctx, m, req.DeleteParts)
	}
	err = s.removeMedia(ctx, m)
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("ResourceNotFound.FileNotExist", "media %q does not exist in this application", m.FileID)
	}
	if err != nil {
		return nil, errInternal("delete media", err)
	}
	return &vodapi.DeleteMediaResponse{}, nil
}

// removeMedia deletes a media's row, recording FileDeleted with it, then
// every file derived from it; store.ErrNotFound when the row is gone
// already.
func (s *Service) removeMedia(ctx context.Context, m *store.Media) error {
	err := s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteMedia(ctx, m.SubAppID, m.FileID); err != nil {
			return err
		}
		return s.fileDeletedEvent(ctx, tx, m, nil)
	})
	if err != nil {
		return err
	}
	s.notify()
	// The row is gone, so nothing refers to the files any more; remove them,
	// and the keys of its encrypted streams, kept apart.
	if err := s.deleteStreamKeys(ctx, m.SubAppID, path.Dir(m.MediaKey)+"/adp"); err != nil {
		s.log.Error("delete stream keys; they are orphaned", "file_id", m.FileID, "err", err)
	}
	if err := s.cfg.Blob.DeletePrefix(ctx, path.Dir(m.MediaKey)+"/"); err != nil {
		s.log.Error("delete media files; they are orphaned", "file_id", m.FileID, "err", err)
	}
	return nil
}

// ExpireMedia deletes every media whose ExpireTime is not after now, as
// DeleteMedia would (FileDeleted included), and returns how many it
// deleted. Several processes may sweep at once: a media another one
// deleted first is skipped.
func (s *Service) ExpireMedia(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for {
		batch, err := s.cfg.DB.ExpiredMedia(ctx, now, 100)
		if err != nil || len(batch) == 0 {
			return n, err
		}
		for _, m := range batch {
			err := s.removeMedia(ctx, m)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return n, err
			}
			s.log.Info("media expired", "sub_app_id", m.SubAppID, "file_id", m.FileID, "expire_time", expireString(m.ExpireAt))
			n++
		}
		if len(batch) < 100 {
			return n, nil
		}
	}
}

// fileDeletedEvent records FileDeleted when the application switched it on.
func (s *Service) fileDeletedEvent(ctx context.Context, tx *store.Tx, m *store.Media, parts []*vodapi.MediaDeleteItem) error {
	on, err := eventSwitchOn(ctx, tx, m.SubAppID, func(c *store.EventConfig) string { return c.DeleteSwitch })
	if err != nil || !on {
		return err
	}
	if parts == nil {
		parts = []*vodapi.MediaDeleteItem{}
	}
	return s.recordEvent(ctx, tx, m.SubAppID, "FileDeleted", "FileDeleteEvent", "", &vodapi.FileDeleteTask{
		FileIdSet:            []string{m.FileID},
		FileDeleteResultInfo: []*vodapi.FileDeleteResultItem{{FileId: vodapi.Ptr(m.FileID), DeleteParts: parts}},
	})
}

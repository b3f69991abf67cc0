package vod

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// CreateSubAppId creates an application: a namespace whose media and tasks
// no other application can see.
func (s *Service) CreateSubAppId(ctx context.Context, req *vodapi.CreateSubAppIdRequest) (any, error) {
	name, desc := vodapi.Val(req.Name), vodapi.Val(req.Description)
	if name == "" || utf8.RuneCountInString(name) > 40 {
		return nil, tcapi.Errorf("InvalidParameterValue.Name", "Name must be 1 to 40 characters")
	}
	if utf8.RuneCountInString(desc) > 300 {
		return nil, tcapi.Errorf("InvalidParameterValue.Description", "Description must be at most 300 characters")
	}
	typ := vodapi.Val(req.Type)
	switch typ {
	case "":
		typ = "AllInOne"
	case "AllInOne", "Professional":
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "Type must be AllInOne or Professional, got %q", typ)
	}
	mode := vodapi.Val(req.Mode)
	switch mode {
	case "":
		mode = "fileid"
	case "fileid", "fileid+path":
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "Mode must be fileid or fileid+path, got %q", mode)
	}
	region := vodapi.Val(req.StorageRegion)
	if region == "" {
		region = defaultRegion
	}
	tags, err := json.Marshal(orNoTags(req.Tags))
	if err != nil {
		return nil, errInternal("encode tags", err)
	}
	a := &store.App{AppID: tcapi.AccountFrom(ctx).AppID, Name: name, Description: desc, Type: typ, Mode: mode,
		StorageRegion: region, Tags: tags, Status: "On", CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := s.cfg.DB.CreateApp(ctx, a); err != nil {
		return nil, errInternal("create application", err)
	}
	return &vodapi.CreateSubAppIdResponse{SubAppId: vodapi.Ptr(a.SubAppID)}, nil
}

func orNoTags(t []*vodapi.ResourceTag) []*vodapi.ResourceTag {
	if t == nil {
		return []*vodapi.ResourceTag{}
	}
	return t
}

// DescribeSubAppIds lists the account's applications, the default one first.
func (s *Service) DescribeSubAppIds(ctx context.Context, req *vodapi.DescribeSubAppIdsRequest) (any, error) {
	offset, limit := int(vodapi.Val(req.Offset)), 200
	if req.Limit != nil {
		if *req.Limit == 0 || *req.Limit > 200 {
			return nil, tcapi.Errorf("InvalidParameterValue", "Limit must be between 1 and 200")
		}
		limit = int(*req.Limit)
	}
	apps, total, err := s.cfg.DB.ListApps(ctx, tcapi.AccountFrom(ctx).AppID, vodapi.Val(req.Name), offset, limit)
	if err != nil {
		return nil, errInternal("list applications", err)
	}
	resp := &vodapi.DescribeSubAppIdsResponse{SubAppIdInfoSet: []*vodapi.SubAppIdInfo{}, TotalCount: vodapi.Ptr(uint64(total))}
	for _, a := range apps {
		if !hasTags(a.Tags, req.Tags) {
			continue
		}
		var tags []*vodapi.ResourceTag
		json.Unmarshal(a.Tags, &tags)
		resp.SubAppIdInfoSet = append(resp.SubAppIdInfoSet, &vodapi.SubAppIdInfo{
			SubAppId: vodapi.Ptr(a.SubAppID), SubAppIdName: vodapi.Ptr(a.Name), Name: vodapi.Ptr(a.Name),
			Description: vodapi.Ptr(a.Description), CreateTime: vodapi.Ptr(task.FormatTime(a.CreatedAt)),
			Status: vodapi.Ptr(a.Status), Mode: vodapi.Ptr(a.Mode), StorageRegions: []string{a.StorageRegion},
			Tags: orNoTags(tags),
		})
	}
	return resp, nil
}

// hasTags reports whether stored tags contain every wanted tag.
func hasTags(stored []byte, want []*vodapi.ResourceTag) bool {
	if len(want) == 0 {
		return true
	}
	var have []*vodapi.ResourceTag
	json.Unmarshal(stored, &have)
	for _, w := range want {
		found := false
		for _, h := range have {
			if vodapi.Val(h.TagKey) == vodapi.Val(w.TagKey) && vodapi.Val(h.TagValue) == vodapi.Val(w.TagValue) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ownApp reads an application of the caller's account, whatever its status.
func (s *Service) ownApp(ctx context.Context, id uint64) (*store.App, error) {
	a, err := s.cfg.DB.GetApp(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.AppID != tcapi.AccountFrom(ctx).AppID) {
		return nil, tcapi.Errorf("InvalidParameterValue.SubAppId", "SubAppId %d does not exist in this account", id)
	}
	if err != nil {
		return nil, errInternal("read application", err)
	}
	return a, nil
}

// ModifySubAppIdInfo renames an application or changes its description.
func (s *Service) ModifySubAppIdInfo(ctx context.Context, req *vodapi.ModifySubAppIdInfoRequest) (any, error) {
	a, err := s.ownApp(ctx, vodapi.Val(req.SubAppId))
	if err != nil {
		return nil, err
	}
	if req.Name != nil {
		if *req.Name == "" || utf8.RuneCountInString(*req.Name) > 40 {
			return nil, tcapi.Errorf("InvalidParameterValue", "Name must be 1 to 40 characters")
		}
		a.Name = *req.Name
	}
	if req.Description != nil {
		if utf8.RuneCountInString(*req.Description) > 300 {
			return nil, tcapi.Errorf("InvalidParameterValue", "Description must be at most 300 characters")
		}
		a.Description = *req.Description
	}
	if err := s.cfg.DB.UpdateApp(ctx, a); err != nil {
		return nil, errInternal("update application", err)
	}
	s.apps.forget(a.SubAppID)
	return &vodapi.ModifySubAppIdInfoResponse{}, nil
}

// ModifySubAppIdStatus switches an application on or off. A switched-off
// application refuses every call that names it.
func (s *Service) ModifySubAppIdStatus(ctx context.Context, req *vodapi.ModifySubAppIdStatusRequest) (any, error) {
	a, err := s.ownApp(ctx, vodapi.Val(req.SubAppId))
	if err != nil {
		return nil, err
	}
	st := vodapi.Val(req.Status)
	if st != "On" && st != "Off" {
		return nil, tcapi.Errorf("InvalidParameterValue", "Status must be On or Off, got %q", st)
	}
	if a.IsDefault && st == "Off" {
		return nil, tcapi.Errorf("InvalidParameterValue", "the default application cannot be switched off")
	}
	a.Status = st
	if err := s.cfg.DB.UpdateApp(ctx, a); err != nil {
		return nil, errInternal("update application", err)
	}
	s.apps.forget(a.SubAppID)
	return &vodapi.ModifySubAppIdStatusResponse{}, nil
}

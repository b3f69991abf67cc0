package vod

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// resultFields maps a TaskType to its field of DescribeTaskDetailResponse
// (spec/TASKS.md §1).
var resultFields = map[string]string{
	"Procedure":                       "ProcedureTask",
	"EditMedia":                       "EditMediaTask",
	"SplitMedia":                      "SplitMediaTask",
	"ComposeMedia":                    "ComposeMediaTask",
	"PullUpload":                      "PullUploadTask",
	"RemoveWatermarkTask":             "RemoveWatermarkTask",
	"DescribeFileAttributesTask":      "DescribeFileAttributesTask",
	"RebuildMedia":                    "RebuildMediaTask",
	"QualityInspect":                  "QualityInspectTask",
	"QualityEnhance":                  "QualityEnhanceTask",
	"ReduceMediaBitrate":              "ReduceMediaBitrateTask",
	"ComplexAdaptiveDynamicStreaming": "ComplexAdaptiveDynamicStreamingTask",
}

// RenderDetail builds the stored DescribeTaskDetail body of a task: the
// header, the task type's result in its field, and every other result field
// as an explicit null, as the real service prints them.
func RenderDetail(h task.Header, taskType string, result any) ([]byte, error) {
	resp := vodapi.DescribeTaskDetailResponse{
		TaskType:         vodapi.Ptr(taskType),
		Status:           vodapi.Ptr(h.Status),
		CreateTime:       vodapi.Ptr(task.FormatTime(h.CreateTime)),
		BeginProcessTime: vodapi.Ptr(task.FormatTime(h.BeginProcessTime)),
		FinishTime:       vodapi.Ptr(task.FormatTime(h.FinishTime)),
	}
	if name, ok := resultFields[taskType]; ok && result != nil {
		f := reflect.ValueOf(&resp).Elem().FieldByName(name)
		rv := reflect.ValueOf(result)
		if !f.IsValid() || rv.Type() != f.Type() {
			return nil, fmt.Errorf("render %s: result %T does not fit field %s", taskType, result, name)
		}
		f.Set(rv)
	}
	return json.Marshal(&resp)
}

// detailCache keeps the stored details of ended tasks, which never change
// again, so repeated DescribeTaskDetail calls skip the database.
type detailCache struct {
	mu    sync.Mutex
	max   int
	m     map[string]store.TaskDetail
	order []string
	next  int
}

func newDetailCache(max int) *detailCache {
	return &detailCache{max: max, m: make(map[string]store.TaskDetail, max), order: make([]string, max)}
}

func (c *detailCache) get(id string) (store.TaskDetail, bool) {
	c.mu.Lock()
	d, ok := c.m[id]
	c.mu.Unlock()
	return d, ok
}

// put adds an entry, evicting the oldest one when full (FIFO is enough:
// clients poll a task until it ends, then read it a few more times).
func (c *detailCache) put(id string, d store.TaskDetail) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; ok {
		return
	}
	if old := c.order[c.next]; old != "" {
		delete(c.m, old)
	}
	c.order[c.next] = id
	c.next = (c.next + 1) % c.max
	c.m[id] = d
}

func taskNotFound(id string) error {
	return tcapi.Errorf("InvalidParameterValue.TaskId", "task %q does not exist in this application or is older than the 3-day retention", id)
}

// DescribeTaskDetail returns a task's stored detail, as written by the
// engine, without re-encoding it.
func (s *Service) DescribeTaskDetail(ctx context.Context, req *vodapi.DescribeTaskDetailRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	id := vodapi.Val(req.TaskId)
	d, ok := s.details.get(id)
	if !ok {
		d, err = s.cfg.DB.GetTaskDetail(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, taskNotFound(id)
		}
		if err != nil {
			return nil, errInternal("read task", err)
		}
		if d.State == store.StateDone {
			s.details.put(id, d)
		}
	}
	if d.SubAppID != app.SubAppID || d.CreatedAt.Before(s.cfg.Engine.Now().Add(-s.cfg.Engine.Retention())) {
		return nil, taskNotFound(id)
	}
	return tcapi.RawJSON(d.Detail), nil
}

// DescribeTasks lists an application's tasks of the retention window,
// newest first by default, paged by an opaque ScrollToken.
func (s *Service) DescribeTasks(ctx context.Context, req *vodapi.DescribeTasksRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	f := store.TaskFilter{SubAppID: app.SubAppID, Status: vodapi.Val(req.Status), FileID: vodapi.Val(req.FileId), Desc: true, Limit: 10}
	switch f.Status {
	case "", task.StatusWaiting, task.StatusProcessing, task.StatusFinish, task.StatusAborted:
	default:
		return nil, tcapi.Errorf("InvalidParameterValue.Status", "Status must be WAITING, PROCESSING, FINISH or ABORTED, got %q", f.Status)
	}
	if req.Limit != nil {
		if *req.Limit == 0 || *req.Limit > 100 {
			return nil, tcapi.Errorf("InvalidParameterValue", "Limit must be between 1 and 100, got %d", *req.Limit)
		}
		f.Limit = int(*req.Limit)
	}
	if err := timeRange(req.CreateTime, "CreateTime", &f.CreatedAfter, &f.CreatedBefore); err != nil {
		return nil, err
	}
	if err := timeRange(req.FinishTime, "FinishTime", &f.FinishAfter, &f.FinishBefore); err != nil {
		return nil, err
	}
	if floor := s.cfg.Engine.Now().Add(-s.cfg.Engine.Retention()); f.CreatedAfter.Before(floor) {
		f.CreatedAfter = floor
	}
	if req.Sort != nil {
		switch vodapi.Val(req.Sort.Field) {
		case "CreateTime", "FinishTime":
			f.SortBy = vodapi.Val(req.Sort.Field)
		default:
			return nil, tcapi.Errorf("InvalidParameterValue", "Sort.Field must be CreateTime or FinishTime")
		}
		switch vodapi.Val(req.Sort.Order) {
		case "Asc":
			f.Desc = false
		case "Desc":
		default:
			return nil, tcapi.Errorf("InvalidParameterValue", "Sort.Order must be Asc or Desc")
		}
	}
	if tok := vodapi.Val(req.ScrollToken); tok != "" {
		if f.AfterKey, f.AfterSeq, err = parseScrollToken(tok); err != nil {
			return nil, tcapi.Errorf("InvalidParameterValue", "ScrollToken is not one this server returned")
		}
		f.HasAfter = true
	}
	rows, err := s.cfg.DB.ListTasks(ctx, f)
	if err != nil {
		return nil, errInternal("list tasks", err)
	}
	resp := &vodapi.DescribeTasksResponse{TaskSet: []*vodapi.TaskSimpleInfo{}, ScrollToken: vodapi.Ptr("")}
	for _, t := range rows {
		resp.TaskSet = append(resp.TaskSet, &vodapi.TaskSimpleInfo{
			TaskId: vodapi.Ptr(t.TaskID), Status: vodapi.Ptr(t.Status), FileId: vodapi.Ptr(t.FileID),
			TaskType: vodapi.Ptr(t.TaskType), CreateTime: vodapi.Ptr(task.FormatTime(t.CreatedAt)),
			BeginProcessTime: vodapi.Ptr(task.FormatTime(t.BeginAt)), FinishTime: vodapi.Ptr(task.FormatTime(t.FinishAt)),
			SessionId: vodapi.Ptr(t.SessionID), SessionContext: vodapi.Ptr(t.SessionContext),
		})
	}
	if len(rows) == f.Limit {
		last := rows[len(rows)-1]
		key := last.CreatedAt
		if f.SortBy == "FinishTime" {
			key = last.FinishAt
		}
		var k int64
		if !key.IsZero() {
			k = key.UnixMilli()
		}
		resp.ScrollToken = vodapi.Ptr(scrollToken(k, last.Seq))
	}
	return resp, nil
}

func scrollToken(key, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(key, 10) + ":" + strconv.FormatInt(seq, 10)))
}

func parseScrollToken(tok string) (key, seq int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, err
	}
	a, c, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, 0, errors.New("bad token")
	}
	if key, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, err
	}
	seq, err = strconv.ParseInt(c, 10, 64)
	return key, seq, err
}

// timeRange parses a TimeRange into [after, before).
func timeRange(r *vodapi.TimeRange, name string, after, before *time.Time) error {
	if r == nil {
		return nil
	}
	var err error
	if v := vodapi.Val(r.After); v != "" {
		if *after, err = parseTime(v); err != nil {
			return tcapi.Errorf("InvalidParameterValue", "%s.After is not an ISO 8601 time: %q", name, v)
		}
	}
	if v := vodapi.Val(r.Before); v != "" {
		if *before, err = parseTime(v); err != nil {
			return tcapi.Errorf("InvalidParameterValue", "%s.Before is not an ISO 8601 time: %q", name, v)
		}
	}
	return nil
}

func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	return t.UTC(), err
}

// ManageTask aborts a task: a waiting one ends ABORTED at once; a running
// one has its processing stopped within seconds and ends ABORTED.
func (s *Service) ManageTask(ctx context.Context, req *vodapi.ManageTaskRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if op := vodapi.Val(req.OperationType); op != "Abort" {
		return nil, tcapi.Errorf("InvalidParameterValue.InvalidOperationType", "OperationType must be Abort, got %q", op)
	}
	id := vodapi.Val(req.TaskId)
	t, err := s.cfg.DB.GetTask(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (t.SubAppID != app.SubAppID ||
		t.CreatedAt.Before(s.cfg.Engine.Now().Add(-s.cfg.Engine.Retention())))) {
		return nil, taskNotFound(id)
	}
	if err != nil {
		return nil, errInternal("read task", err)
	}
	if t.State == store.StateDone {
		return nil, tcapi.Errorf("InvalidParameterValue.TaskId", "task %q has already ended (%s) and cannot be aborted", id, t.Status)
	}
	ok, err := s.cfg.Engine.Abort(ctx, t)
	if err != nil {
		return nil, errInternal("abort task", err)
	}
	if !ok {
		return nil, tcapi.Errorf("InvalidParameterValue.TaskId", "task %q has already ended and cannot be aborted", id)
	}
	return &vodapi.ManageTaskResponse{}, nil
}

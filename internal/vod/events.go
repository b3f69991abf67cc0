package vod

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"time"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// taskEvents maps a TaskType to its completion event: the EventType and the
// EventContent field that carries the task's result (spec/TASKS.md §1).
var taskEvents = map[string]struct{ eventType, field string }{
	"Procedure":                       {"ProcedureStateChanged", "ProcedureStateChangeEvent"},
	"EditMedia":                       {"EditMediaComplete", "EditMediaCompleteEvent"},
	"SplitMedia":                      {"SplitMediaComplete", "SplitMediaCompleteEvent"},
	"ComposeMedia":                    {"ComposeMediaComplete", "ComposeMediaCompleteEvent"},
	"PullUpload":                      {"PullComplete", "PullCompleteEvent"},
	"RemoveWatermarkTask":             {"RemoveWatermark", "RemoveWatermarkCompleteEvent"},
	"DescribeFileAttributesTask":      {"DescribeFileAttributesComplete", "DescribeFileAttributesCompleteEvent"},
	"RebuildMedia":                    {"RebuildMediaComplete", "RebuildMediaCompleteEvent"},
	"QualityInspect":                  {"QualityInspectComplete", "QualityInspectCompleteEvent"},
	"QualityEnhance":                  {"QualityEnhanceComplete", "QualityEnhanceCompleteEvent"},
	"ComplexAdaptiveDynamicStreaming": {"ComplexAdaptiveDynamicStreamingComplete", "ComplexAdaptiveDynamicStreamingCompleteEvent"},
	"ReduceMediaBitrate":              {"ReduceMediaBitrateComplete", "ReduceMediaBitrateCompleteEvent"},
}

// notifyParams is the part of a task's stored params that governs its
// events.
type notifyParams struct {
	TasksNotifyMode string `json:"tasksNotifyMode,omitempty"`
}

// FinishTx records a task's completion event in the task's final
// transaction (the engine's FinishTxFunc). TasksNotifyMode None suppresses
// it.
func (s *Service) FinishTx(ctx context.Context, tx *store.Tx, t *store.Task, status string, result any) error {
	ev, ok := taskEvents[t.TaskType]
	if !ok {
		return nil
	}
	var np notifyParams
	json.Unmarshal(t.Params, &np)
	if np.TasksNotifyMode == "None" {
		return nil
	}
	return s.recordEvent(ctx, tx, t.SubAppID, ev.eventType, ev.field, t.TaskID, result)
}

// recordEvent writes an event to the outbox inside tx, routed by the
// application's current mode.
func (s *Service) recordEvent(ctx context.Context, tx *store.Tx, subAppID uint64, eventType, field, taskID string, payload any) error {
	content := &vodapi.EventContent{EventType: vodapi.Ptr(eventType)}
	f := reflect.ValueOf(content).Elem().FieldByName(field)
	pv := reflect.ValueOf(payload)
	if !f.IsValid() || pv.Type() != f.Type() {
		return fmt.Errorf("event %s: payload %T does not fit field %s", eventType, payload, field)
	}
	f.Set(pv)
	body, err := json.Marshal(content)
	if err != nil {
		return err
	}
	cfg, err := tx.GetEventConfig(ctx, subAppID)
	if err != nil {
		return err
	}
	var id [16]byte
	rand.Read(id[:])
	return tx.InsertEvent(ctx, &store.Event{EventID: hex.EncodeToString(id[:]), SubAppID: subAppID, EventType: eventType,
		TaskID: taskID, Body: body, Mode: cfg.Mode, CreatedAt: time.Now().UTC()})
}

// eventSwitchOn reports whether an opt-in event is switched on for an
// application.
func eventSwitchOn(ctx context.Context, tx *store.Tx, subAppID uint64, which func(*store.EventConfig) string) (bool, error) {
	cfg, err := tx.GetEventConfig(ctx, subAppID)
	if err != nil {
		return false, err
	}
	return which(cfg) == "ON", nil
}

// ModifyEventConfig changes how an application receives events. Fields
// left out keep their value; an empty NotificationUrl clears it.
func (s *Service) ModifyEventConfig(ctx context.Context, req *vodapi.ModifyEventConfigRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	cfg, err := s.cfg.DB.GetEventConfig(ctx, app.SubAppID)
	if err != nil {
		return nil, errInternal("read event config", err)
	}
	if req.Mode != nil {
		if *req.Mode != "PUSH" && *req.Mode != "PULL" {
			return nil, tcapi.Errorf("InvalidParameter", "Mode must be PUSH or PULL, got %q", *req.Mode)
		}
		cfg.Mode = *req.Mode
	}
	if req.NotificationUrl != nil {
		if u := *req.NotificationUrl; u != "" {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				return nil, tcapi.Errorf("InvalidParameter", "NotificationUrl must be an http:// or https:// URL")
			}
		}
		cfg.NotificationURL = *req.NotificationUrl
	}
	for _, sw := range []struct {
		name string
		in   *string
		out  *string
	}{
		{"UploadMediaCompleteEventSwitch", req.UploadMediaCompleteEventSwitch, &cfg.UploadSwitch},
		{"DeleteMediaCompleteEventSwitch", req.DeleteMediaCompleteEventSwitch, &cfg.DeleteSwitch},
		{"PersistenceCompleteEventSwitch", req.PersistenceCompleteEventSwitch, &cfg.PersistenceSwitch},
	} {
		if sw.in == nil {
			continue
		}
		if *sw.in != "ON" && *sw.in != "OFF" {
			return nil, tcapi.Errorf("InvalidParameter", "%s must be ON or OFF, got %q", sw.name, *sw.in)
		}
		*sw.out = *sw.in
	}
	if req.SignKey != nil {
		k := *req.SignKey
		if len(k) > 32 || !alnum(k) {
			return nil, tcapi.Errorf("InvalidParameter", "SignKey must be at most 32 letters and digits")
		}
		cfg.SignKey = k
	}
	cfg.UpdatedAt = time.Now().UTC()
	if err := s.cfg.DB.PutEventConfig(ctx, cfg); err != nil {
		return nil, errInternal("store event config", err)
	}
	return &vodapi.ModifyEventConfigResponse{}, nil
}

func alnum(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// DescribeEventConfig shows how an application receives events.
func (s *Service) DescribeEventConfig(ctx context.Context, req *vodapi.DescribeEventConfigRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	cfg, err := s.cfg.DB.GetEventConfig(ctx, app.SubAppID)
	if err != nil {
		return nil, errInternal("read event config", err)
	}
	return &vodapi.DescribeEventConfigResponse{Mode: vodapi.Ptr(cfg.Mode), NotificationUrl: vodapi.Ptr(cfg.NotificationURL),
		UploadMediaCompleteEventSwitch: vodapi.Ptr(cfg.UploadSwitch), DeleteMediaCompleteEventSwitch: vodapi.Ptr(cfg.DeleteSwitch),
		PersistenceCompleteEventSwitch: vodapi.Ptr(cfg.PersistenceSwitch)}, nil
}

// Pull queue parameters (spec/ACTIONS.md §4.1).
const (
	pullWait       = 5 * time.Second  // PullEvents holds an empty answer this long
	pullBatch      = 16               // events per PullEvents at most
	pullInvisible  = 30 * time.Second // an unconfirmed event is pullable again after this
	pullPollPeriod = 100 * time.Millisecond
)

// PullEvents returns up to 16 events waiting in the application's queue,
// waiting up to 5 s for one to arrive. Each comes with an EventHandle to
// confirm; an event not confirmed within 30 s is delivered again.
func (s *Service) PullEvents(ctx context.Context, req *vodapi.PullEventsRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(pullWait)
	tick := time.NewTicker(pullPollPeriod)
	defer tick.Stop()
	for {
		now := time.Now()
		evs, err := s.cfg.DB.PullEvents(ctx, app.SubAppID, now, now.Add(pullInvisible), pullBatch, func() string { return randomHex(20) })
		if err != nil {
			return nil, errInternal("pull events", err)
		}
		if len(evs) > 0 || now.After(deadline) {
			return pullResponse(evs)
		}
		select {
		case <-ctx.Done():
			return pullResponse(nil)
		case <-tick.C:
		}
	}
}

func pullResponse(evs []*store.Event) (any, error) {
	resp := &vodapi.PullEventsResponse{EventSet: []*vodapi.EventContent{}}
	for _, e := range evs {
		c := &vodapi.EventContent{}
		if err := json.Unmarshal(e.Body, c); err != nil {
			return nil, errInternal("decode event", err)
		}
		c.EventHandle = vodapi.Ptr(e.Handle)
		resp.EventSet = append(resp.EventSet, c)
	}
	return resp, nil
}

// ConfirmEvents acknowledges pulled events; they are never delivered again.
func (s *Service) ConfirmEvents(ctx context.Context, req *vodapi.ConfirmEventsRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if len(req.EventHandles) == 0 {
		return nil, tcapi.Errorf("InvalidParameterValue", "EventHandles must list at least one handle")
	}
	if len(req.EventHandles) > pullBatch {
		return nil, tcapi.Errorf("InvalidParameterValue", "EventHandles may list at most %d handles", pullBatch)
	}
	unknown, err := s.cfg.DB.ConfirmEvents(ctx, app.SubAppID, req.EventHandles, time.Now().UTC())
	if err != nil {
		return nil, errInternal("confirm events", err)
	}
	if len(unknown) > 0 {
		return nil, tcapi.Errorf("InvalidParameterValue", "EventHandles %q are unknown or expired (the event was delivered again with a new handle); the others were confirmed", unknown)
	}
	return &vodapi.ConfirmEventsResponse{}, nil
}

// DescribeEventsState counts the events still to be delivered: in PULL
// mode those waiting to be pulled and confirmed, in PUSH mode those whose
// callback has not been accepted yet (being retried).
func (s *Service) DescribeEventsState(ctx context.Context, req *vodapi.DescribeEventsStateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	cfg, err := s.cfg.DB.GetEventConfig(ctx, app.SubAppID)
	if err != nil {
		return nil, errInternal("read event config", err)
	}
	n, err := s.cfg.DB.CountPending(ctx, app.SubAppID, cfg.Mode)
	if err != nil {
		return nil, errInternal("count events", err)
	}
	return &vodapi.DescribeEventsStateResponse{CountOfEventsToPull: vodapi.Ptr(uint64(n))}, nil
}

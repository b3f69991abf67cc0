package vod

import (
	"context"
	"encoding/json"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// taskSpec is a task an action accepts: what submit stores as its row.
type taskSpec struct {
	Kind     string // the task ID's kind (task.NewID)
	Type     string // store.Task.TaskType
	SubAppID uint64
	FileID   string
	// SessionID, SessionContext and Priority are the request's fields as
	// given (nil for none).
	SessionID, SessionContext *string
	Priority                  *int64
	Params                    any // encoded as the task's params
	// InTx, if set, runs in the transaction that stores the task.
	InTx func(*store.Tx) error
}

// submit encodes ts.Params, stores the task and returns its ID; a reused
// SessionId is answered as the API does.
func (s *Service) submit(ctx context.Context, ts taskSpec) (string, error) {
	params, err := json.Marshal(ts.Params)
	if err != nil {
		return "", errInternal("encode params", err)
	}
	t := &store.Task{TaskID: task.NewID(s.cfg.AppID, ts.Kind), SubAppID: ts.SubAppID, TaskType: ts.Type,
		FileID: ts.FileID, SessionID: vodapi.Val(ts.SessionID), SessionContext: vodapi.Val(ts.SessionContext),
		Priority: int(vodapi.Val(ts.Priority)), Params: params}
	if err := s.cfg.Engine.Submit(ctx, t, ts.InTx); err != nil {
		return "", submitErr(err, t.SessionID)
	}
	return t.TaskID, nil
}

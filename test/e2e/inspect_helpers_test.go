package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/openvod/openvod/internal/vodapi"
	"github.com/stretchr/testify/require"
)

// inspectDetail waits for a task to end and returns its DescribeTaskDetail
// both decoded and as raw JSON (for exact shape checks).
func inspectDetail(t *testing.T, s *server, taskID string) (*vodapi.DescribeTaskDetailResponse, map[string]any) {
	t.Helper()
	waitTask(t, s.client(), taskID, nil)
	var d vodapi.DescribeTaskDetailResponse
	require.NoError(t, s.callInto(t, "DescribeTaskDetail", map[string]any{"TaskId": taskID}, &d))
	var raw struct{ Response map[string]any }
	body := s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+taskID+`"}`)
	require.NoError(t, json.Unmarshal(body, &raw), "%s", body)
	return &d, raw.Response
}

// inspectTaskCount counts the tasks of a media (DescribeTasks by FileId).
func inspectTaskCount(t *testing.T, s *server, fileID string) int {
	t.Helper()
	resp, err := s.call("DescribeTasks", map[string]any{"FileId": fileID, "Limit": 100})
	require.NoError(t, err)
	return len(resp["TaskSet"].([]any))
}

// inspectPath is a file of the test's scratch directory.
func inspectPath(dir, name string) string { return filepath.Join(dir, name) }

// requireNoNulls fails when any key of the JSON object m, at any depth, is
// null, except the keys allowed.
func requireNoNulls(t *testing.T, m map[string]any, where string, allowed ...string) {
	t.Helper()
	for k, v := range m {
		if v == nil {
			require.Contains(t, allowed, k, "%s.%s is null", where, k)
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			requireNoNulls(t, x, where+"."+k, allowed...)
		case []any:
			for _, e := range x {
				if o, ok := e.(map[string]any); ok {
					requireNoNulls(t, o, where+"."+k+"[]", allowed...)
				}
			}
		}
	}
}

// inspectEvents pulls the waiting events and returns the payloads of
// those of type eventType, from their member field.
func inspectEvents(t *testing.T, s *server, eventType, field string) []map[string]any {
	t.Helper()
	resp, err := s.call("PullEvents", map[string]any{})
	require.NoError(t, err)
	var out []map[string]any
	for _, e := range resp["EventSet"].([]any) {
		ev := e.(map[string]any)
		if ev["EventType"] == eventType {
			require.IsType(t, map[string]any{}, ev[field], "%s carries %s", eventType, field)
			out = append(out, ev[field].(map[string]any))
		}
	}
	return out
}

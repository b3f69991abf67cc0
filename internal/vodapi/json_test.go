package vodapi_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

func TestResponseMarshalsUnsetFieldsAsNull(t *testing.T) {
	t.Parallel()

	in := vodapi.DescribeTaskDetailResponse{
		TaskType: vodapi.Ptr("Procedure"),
		Status:   vodapi.Ptr("FINISH"),
	}
	data, err := json.Marshal(in)
	require.NoError(t, err)

	text := string(data)
	require.Contains(t, text, `"TaskType":"Procedure"`)
	require.Contains(t, text, `"Status":"FINISH"`)
	require.Contains(t, text, `"ProcedureTask":null`)
	require.Contains(t, text, `"CreateTime":null`)
	require.NotContains(t, text, "RequestId")

	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &fields))
	for name, raw := range fields {
		if name == "TaskType" || name == "Status" {
			continue
		}
		require.Equal(t, "null", string(raw), "field %s", name)
	}

	var out vodapi.DescribeTaskDetailResponse
	require.NoError(t, json.Unmarshal(data, &out))
	require.Equal(t, in, out)
}

func TestRoundTripNestedAndLists(t *testing.T) {
	t.Parallel()

	in := vodapi.DescribeTaskDetailResponse{
		TaskType: vodapi.Ptr("PullUpload"),
		PullUploadTask: &vodapi.PullUploadTask{
			TaskId:  vodapi.Ptr("1250000000-PullUpload-abc"),
			FileId:  vodapi.Ptr("5285890781000000000"),
			ErrCode: vodapi.Ptr(int64(0)),
			MediaBasicInfo: &vodapi.MediaBasicInfo{
				Name:         vodapi.Ptr("clip"),
				ClassId:      vodapi.Ptr(int64(0)),
				TagSet:       []string{"a", "b"},
				StorageClass: vodapi.Ptr("STANDARD"),
			},
		},
	}
	data, err := json.Marshal(in)
	require.NoError(t, err)
	require.Contains(t, string(data), `"TagSet":["a","b"]`)
	require.Contains(t, string(data), `"ErrCode":0`)

	var out vodapi.DescribeTaskDetailResponse
	require.NoError(t, json.Unmarshal(data, &out))
	require.Equal(t, in, out)
}

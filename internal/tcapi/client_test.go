package tcapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientCall(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := &Client{Endpoint: f.http.URL, SecretID: testSecretID, SecretKey: testSecretKey, Version: testVersion, HTTP: f.http.Client()}
	ctx := context.Background()

	var out struct {
		TaskId    string
		RequestId string
	}
	err := c.Call(ctx, "PullUpload", map[string]any{"MediaUrl": "m", "ClassId": 7}, &out)
	require.NoError(t, err)
	require.Equal(t, "1250000001-pull-m", out.TaskId)
	require.Equal(t, f.last(t).requestID, out.RequestId)
	require.Equal(t, &pullUploadRequest{MediaUrl: ptr("m"), ClassId: ptr(int64(7))}, f.last(t).req)

	// A struct as params, and no output wanted.
	require.NoError(t, c.Call(ctx, "DescribeTaskDetail", describeTaskDetailRequest{TaskId: ptr("x")}, nil))

	err = c.Call(ctx, "DescribeTaskDetail", nil, &out)
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	require.Equal(t, CodeMissingParameter, apiErr.Code)
	require.Regexp(t, `^[0-9a-f-]{36}$`, apiErr.RequestID)
	require.Contains(t, err.Error(), apiErr.RequestID)

	bad := *c
	bad.SecretKey = "wrong"
	err = bad.Call(ctx, "DescribeTaskDetail", nil, nil)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, CodeAuthFailureSignatureFailure, apiErr.Code)

	bad = *c
	bad.Endpoint = "127.0.0.1:1"
	require.ErrorContains(t, bad.Call(ctx, "X", nil, nil), "Endpoint")
}

func TestClientNonAPIResponse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := &Client{Endpoint: f.http.URL + "/nowhere", SecretID: testSecretID, SecretKey: testSecretKey, Version: testVersion}
	err := c.Call(context.Background(), "DescribeTaskDetail", nil, nil)
	require.ErrorContains(t, err, "404")
	var apiErr *Error
	require.False(t, errors.As(err, &apiErr))
}

func TestSignTC3GET(t *testing.T) {
	t.Parallel()
	f := setup(t)
	req, err := http.NewRequest(http.MethodGet, f.http.URL+"/?TaskId=10&SubAppId=10", nil)
	require.NoError(t, err)
	req.Header.Set("X-TC-Action", "DescribeTaskDetail")
	req.Header.Set("X-TC-Version", testVersion)
	SignTC3(req, nil, testSecretID, testSecretKey, "", time.Now())
	require.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	require.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential="+testSecretID+"/"))
	_, _, env := f.do(t, req)
	require.Nil(t, env.Response.Error)
	require.Equal(t, &describeTaskDetailRequest{TaskId: ptr("10"), SubAppId: ptr(uint64(10))}, f.last(t).req)
}

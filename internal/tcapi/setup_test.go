package tcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testVersion   = "2018-07-17"
	testSecretID  = "AKIDtestsecretid"
	testSecretKey = "testsecretkey"
	testAppID     = 1250000001
	otherSecretID = "AKIDothersecretid"
	otherAppID    = 1250000002
)

// keyMap is a KeyStore over a fixed map.
type keyMap map[string]Account

func (k keyMap) LookupSecret(_ context.Context, id string) (Account, bool) {
	a, ok := k[id]
	return a, ok
}

func testKeys() keyMap {
	return keyMap{
		testSecretID:  {AppID: testAppID, SecretID: testSecretID, SecretKey: testSecretKey},
		otherSecretID: {AppID: otherAppID, SecretID: otherSecretID, SecretKey: "otherkey"},
	}
}

// Request types mirroring the VOD field names.

type describeTaskDetailRequest struct {
	TaskId   *string `json:"TaskId" vod:"required"`
	SubAppId *uint64 `json:"SubAppId"`
}

type pullUploadRequest struct {
	MediaUrl       *string `json:"MediaUrl" vod:"required"`
	MediaName      *string `json:"MediaName"`
	CoverUrl       *string `json:"CoverUrl"`
	Procedure      *string `json:"Procedure"`
	ExpireTime     *string `json:"ExpireTime"`
	StorageRegion  *string `json:"StorageRegion"`
	ClassId        *int64  `json:"ClassId"`
	SessionContext *string `json:"SessionContext"`
	SessionId      *string `json:"SessionId"`
	ExtInfo        *string `json:"ExtInfo"`
	SubAppId       *uint64 `json:"SubAppId"`
	SourceContext  *string `json:"SourceContext"`
}

type pullUploadResponse struct {
	TaskId string `json:"TaskId"`
}

type processMediaRequest struct {
	FileId           *string                `json:"FileId" vod:"required"`
	MediaProcessTask *mediaProcessTaskInput `json:"MediaProcessTask"`
	TasksPriority    *int64                 `json:"TasksPriority"`
	TasksNotifyMode  *string                `json:"TasksNotifyMode"`
	SessionContext   *string                `json:"SessionContext"`
	SessionId        *string                `json:"SessionId"`
	SubAppId         *uint64                `json:"SubAppId"`
}

type mediaProcessTaskInput struct {
	TranscodeTaskSet []*transcodeTaskInput `json:"TranscodeTaskSet"`
}

type transcodeTaskInput struct {
	Definition      *uint64           `json:"Definition" vod:"required"`
	WatermarkSet    []*watermarkInput `json:"WatermarkSet"`
	StartTimeOffset *float64          `json:"StartTimeOffset"`
}

type watermarkInput struct {
	Definition  *uint64 `json:"Definition"`
	TextContent *string `json:"TextContent"`
}

// describeMediaInfosRequest has no Filters field on purpose: the SDK's
// Filters then is an unknown parameter.
type describeMediaInfosRequest struct {
	FileIds  []string `json:"FileIds" vod:"required"`
	SubAppId *uint64  `json:"SubAppId"`
}

// received is what a test handler saw.
type received struct {
	req       any
	account   Account
	requestID string
	action    string
}

// fixture is one server under test.
type fixture struct {
	srv  *Server
	http *httptest.Server
	host string // host:port of http

	mu   sync.Mutex
	seen []received
}

func setup(t *testing.T, mods ...func(*Config)) *fixture {
	t.Helper()
	cfg := Config{Version: testVersion, Keys: testKeys()}
	for _, m := range mods {
		m(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	f := &fixture{srv: srv}

	HandleFunc(srv, "DescribeTaskDetail", func(ctx context.Context, req *describeTaskDetailRequest) (any, error) {
		f.record(ctx, req)
		return RawJSON(`{"TaskType":"Procedure","Status":"FINISH","CreateTime":"2024-01-02T03:04:05Z"}`), nil
	})
	HandleFunc(srv, "PullUpload", func(ctx context.Context, req *pullUploadRequest) (any, error) {
		f.record(ctx, req)
		return pullUploadResponse{TaskId: "1250000001-pull-" + *req.MediaUrl}, nil
	})
	HandleFunc(srv, "ProcessMedia", func(ctx context.Context, req *processMediaRequest) (any, error) {
		f.record(ctx, req)
		return map[string]string{"TaskId": "1250000001-procedurev2-x"}, nil
	})
	HandleFunc(srv, "DescribeMediaInfos", func(ctx context.Context, req *describeMediaInfosRequest) (any, error) {
		f.record(ctx, req)
		return struct{}{}, nil
	})
	srv.Known("SearchMedia", nil)

	f.http = httptest.NewServer(srv)
	t.Cleanup(f.http.Close)
	f.host = strings.TrimPrefix(f.http.URL, "http://")
	return f
}

func (f *fixture) record(ctx context.Context, req any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, received{
		req:       req,
		account:   AccountFrom(ctx),
		requestID: RequestIDFrom(ctx),
		action:    ActionFrom(ctx),
	})
}

func (f *fixture) last(t *testing.T) received {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.seen, "no handler call recorded")
	return f.seen[len(f.seen)-1]
}

// envelope is a decoded response body.
type envelope struct {
	Response struct {
		Error *struct {
			Code    string
			Message string
		}
		RequestId string
	}
}

// rawParams describes a hand-made request.
type rawParams struct {
	method  string // default POST
	action  string // default DescribeTaskDetail
	version string // default testVersion
	body    string // default {"TaskId":"t"}
	query   string
	header  map[string]string // extra or overriding headers, applied before signing
	unsign  bool              // send without Authorization
	at      time.Time         // signing time, default now
	key     string            // default testSecretKey
}

// raw sends a request signed with SignTC3 and returns the response, its
// body and the decoded envelope.
func (f *fixture) raw(t *testing.T, p rawParams) (*http.Response, []byte, envelope) {
	t.Helper()
	if p.method == "" {
		p.method = http.MethodPost
	}
	if p.action == "" {
		p.action = "DescribeTaskDetail"
	}
	if p.version == "" {
		p.version = testVersion
	}
	if p.body == "" && p.method == http.MethodPost {
		p.body = `{"TaskId":"t"}`
	}
	if p.at.IsZero() {
		p.at = time.Now()
	}
	if p.key == "" {
		p.key = testSecretKey
	}
	u := f.http.URL + "/"
	if p.query != "" {
		u += "?" + p.query
	}
	req, err := http.NewRequest(p.method, u, strings.NewReader(p.body))
	require.NoError(t, err)
	if p.action != "-" {
		req.Header.Set("X-TC-Action", p.action)
	}
	req.Header.Set("X-TC-Version", p.version)
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	if !p.unsign {
		SignTC3(req, []byte(p.body), testSecretID, p.key, "vod", p.at)
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) (*http.Response, []byte, envelope) {
	t.Helper()
	resp, err := f.http.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body %s", body)
	require.Equal(t, []string{"application/json"}, resp.Header.Values("Content-Type"))
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	require.NoError(t, dec.Decode(&env), "body %s", body)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, env.Response.RequestId)
	require.Equal(t, env.Response.RequestId, resp.Header.Get("X-TC-RequestId"))
	return resp, body, env
}

// requireCode checks an error envelope's code and returns its message.
func requireCode(t *testing.T, env envelope, code string) string {
	t.Helper()
	require.NotNil(t, env.Response.Error, "want error %s, got success", code)
	require.Equal(t, code, env.Response.Error.Code, "message: %s", env.Response.Error.Message)
	return env.Response.Error.Message
}

func ptr[T any](v T) *T { return &v }

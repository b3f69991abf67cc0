package tcapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRawErrors(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
	big := `{"TaskId":"` + strings.Repeat("x", 2<<20) + `"}`
	tests := []struct {
		name     string
		p        rawParams
		code     string
		contains string
	}{
		{"unknown action", rawParams{action: "NoSuchThing"}, CodeInvalidAction, "NoSuchThing"},
		{"known but unhandled", rawParams{action: "SearchMedia", body: "{}"}, CodeUnsupportedOperation, "SearchMedia is not implemented by this server yet"},
		{"wrong version", rawParams{version: "2017-03-12"}, CodeNoSuchVersion, "2017-03-12"},
		{"missing action", rawParams{action: "-"}, CodeMissingParameter, "X-TC-Action"},
		{"method", rawParams{method: http.MethodPut}, CodeUnsupportedProtocol, "PUT"},
		{"unknown field", rawParams{body: `{"TaskId":"t","Foo":1}`}, CodeUnknownParameter, "Foo"},
		{"string for uint", rawParams{body: `{"TaskId":"t","SubAppId":"abc"}`}, CodeInvalidParameter, "SubAppId must be an integer"},
		{"float for uint", rawParams{body: `{"TaskId":"t","SubAppId":1.5}`}, CodeInvalidParameter, "SubAppId must be an integer"},
		{"negative uint", rawParams{body: `{"TaskId":"t","SubAppId":-1}`}, CodeInvalidParameter, "SubAppId must be a non-negative integer"},
		{"bool for string", rawParams{body: `{"TaskId":true}`}, CodeInvalidParameter, "TaskId must be a string"},
		{"missing required", rawParams{body: `{"SubAppId":1}`}, CodeMissingParameter, "TaskId"},
		{"null is absent", rawParams{body: `{"TaskId":null}`}, CodeMissingParameter, "TaskId"},
		{"nested required", rawParams{action: "ProcessMedia", body: `{"FileId":"f","MediaProcessTask":{"TranscodeTaskSet":[{"Definition":10},{}]}}`}, CodeMissingParameter, "MediaProcessTask.TranscodeTaskSet.1.Definition"},
		{"nested type", rawParams{action: "ProcessMedia", body: `{"FileId":"f","MediaProcessTask":{"TranscodeTaskSet":[{"Definition":10,"WatermarkSet":[{"Definition":"x"}]}]}}`}, CodeInvalidParameter, "MediaProcessTask.TranscodeTaskSet.0.WatermarkSet.0.Definition must be an integer"},
		{"nested unknown", rawParams{action: "ProcessMedia", body: `{"FileId":"f","MediaProcessTask":{"Bogus":[]}}`}, CodeUnknownParameter, "MediaProcessTask.Bogus"},
		{"not an object", rawParams{body: `["TaskId"]`}, CodeInvalidParameter, "JSON object"},
		{"bad json", rawParams{body: `{"TaskId":`}, CodeInvalidParameter, "not valid JSON"},
		{"trailing data", rawParams{body: `{"TaskId":"t"} {}`}, CodeInvalidParameter, "after the JSON object"},
		{"oversized", rawParams{body: big}, CodeRequestSizeLimitExceeded, ""},
		{"unsigned", rawParams{unsign: true}, CodeAuthFailureInvalidAuthorization, ""},
		{"bad algorithm", rawParams{unsign: true, header: map[string]string{"Authorization": "HMAC-SHA1 Credential=x"}}, CodeAuthFailureInvalidAuthorization, "algorithm"},
		{"garbage authorization", rawParams{unsign: true, header: map[string]string{"Authorization": "TC3-HMAC-SHA256 nonsense"}}, CodeAuthFailureInvalidAuthorization, ""},
		{"wrong key", rawParams{key: "nope"}, CodeAuthFailureSignatureFailure, ""},
		{"stale", rawParams{at: time.Now().Add(-301 * time.Second)}, CodeAuthFailureSignatureExpire, ""},
		{"future", rawParams{at: time.Now().Add(301 * time.Second)}, CodeAuthFailureSignatureExpire, ""},
		{"xml body", rawParams{header: map[string]string{"Content-Type": "text/xml"}}, CodeInvalidParameter, "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, env := f.raw(t, tt.p)
			msg := requireCode(t, env, tt.code)
			require.Contains(t, msg, tt.contains)
		})
	}
}

func TestSuccessEnvelope(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp, body, env := f.raw(t, rawParams{body: `{"TaskId":"t","SubAppId":"1500000001"}`})
	require.Nil(t, env.Response.Error)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.Equal(t, `{"Response":{"TaskType":"Procedure","Status":"FINISH","CreateTime":"2024-01-02T03:04:05Z","RequestId":"`+
		env.Response.RequestId+`"}}`, string(body))
	// Lenient coercion of a numeric string into a uint field.
	require.Equal(t, &describeTaskDetailRequest{TaskId: ptr("t"), SubAppId: ptr(uint64(1500000001))}, f.last(t).req)

	_, body, env = f.raw(t, rawParams{action: "DescribeMediaInfos", body: `{"FileIds":[]}`})
	require.Equal(t, `{"Response":{"RequestId":"`+env.Response.RequestId+`"}}`, string(body))
}

// signNode signs r as the Node.js SDK does: the service is the first DNS
// label of the endpoint and Host is signed without its port.
func signNode(r *http.Request, body, secretID, secretKey string, ts time.Time) {
	service := strings.Split(r.URL.Hostname(), ".")[0]
	date := ts.UTC().Format("2006-01-02")
	timestamp := strconv.FormatInt(ts.Unix(), 10)
	payload := sha256.Sum256([]byte(body))
	creq := fmt.Sprintf("POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s",
		r.Header.Get("Content-Type"), r.URL.Hostname(), hex.EncodeToString(payload[:]))
	creqHash := sha256.Sum256([]byte(creq))
	scope := date + "/" + service + "/tc3_request"
	sts := "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(creqHash[:])
	mac := func(key []byte, msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	k := mac(mac(mac([]byte("TC3"+secretKey), date), service), "tc3_request")
	r.Header.Set("X-TC-Timestamp", timestamp)
	r.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+secretID+"/"+scope+
		", SignedHeaders=content-type;host, Signature="+hex.EncodeToString(mac(k, sts)))
}

func TestNodeStyleSignature(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := `{"TaskId":"node"}`
	req, err := http.NewRequest(http.MethodPost, f.http.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", "DescribeTaskDetail")
	req.Header.Set("X-TC-Version", testVersion)
	req.Header.Set("X-TC-Region", "")
	signNode(req, body, testSecretID, testSecretKey, time.Now())
	require.Contains(t, req.Header.Get("Authorization"), "/127/tc3_request")
	_, _, env := f.do(t, req)
	require.Nil(t, env.Response.Error)
	require.Equal(t, ptr("node"), f.last(t).req.(*describeTaskDetailRequest).TaskId)
}

func TestScopeDateMismatch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := `{"TaskId":"t"}`
	req, err := http.NewRequest(http.MethodPost, f.http.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-TC-Action", "DescribeTaskDetail")
	req.Header.Set("X-TC-Version", testVersion)
	now := time.Now()
	SignTC3(req, []byte(body), testSecretID, testSecretKey, "vod", now)
	// The timestamp stays current; the credential scope claims yesterday.
	auth := req.Header.Get("Authorization")
	today := now.UTC().Format("2006-01-02")
	req.Header.Set("Authorization", strings.Replace(auth, today, now.UTC().AddDate(0, 0, -1).Format("2006-01-02"), 1))
	_, _, env := f.do(t, req)
	msg := requireCode(t, env, CodeAuthFailureSignatureFailure)
	require.Contains(t, msg, "date")
}

func TestTC3FormPost(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, _, env := f.raw(t, rawParams{
		action: "ProcessMedia",
		body:   "FileId=10&MediaProcessTask.TranscodeTaskSet.0.Definition=20&TasksPriority=-5",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
	})
	require.Nil(t, env.Response.Error)
	require.Equal(t, &processMediaRequest{
		FileId:        ptr("10"),
		TasksPriority: ptr(int64(-5)),
		MediaProcessTask: &mediaProcessTaskInput{
			TranscodeTaskSet: []*transcodeTaskInput{{Definition: ptr(uint64(20))}},
		},
	}, f.last(t).req)
}

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	type empty struct{}
	var observed sync.Map
	srv, err := New(Config{
		Version: testVersion,
		Keys:    testKeys(),
		Observe: func(action, code string, d time.Duration) { observed.Store(action, code) },
	})
	require.NoError(t, err)
	HandleFunc(srv, "Plain", func(context.Context, *empty) (any, error) { return nil, errors.New("db exploded: secret detail") })
	HandleFunc(srv, "Wrapped", func(context.Context, *empty) (any, error) {
		return nil, fmt.Errorf("lookup: %w", Errorf("ResourceNotFound.FileNotExist", "file %s does not exist", "f1"))
	})
	HandleFunc(srv, "Panics", func(context.Context, *empty) (any, error) { panic("boom") })
	HandleFunc(srv, "NotObject", func(context.Context, *empty) (any, error) { return []int{1}, nil })
	HandleFunc(srv, "BadRaw", func(context.Context, *empty) (any, error) { return RawJSON(`"x"`), nil })
	HandleFunc(srv, "Spaced", func(context.Context, *empty) (any, error) { return RawJSON(" { \"A\" : 1 } \n"), nil })
	HandleFunc(srv, "EmptyCode", func(context.Context, *empty) (any, error) { return nil, &Error{Message: "no code"} })
	HandleFunc(srv, "Nil", func(context.Context, *empty) (any, error) { return nil, nil })

	tests := []struct {
		action string
		code   string
		body   string // expected body with RequestId "ID"; "" to skip
	}{
		{"Plain", CodeInternalError, ""},
		{"Wrapped", "ResourceNotFound.FileNotExist", `{"Response":{"Error":{"Code":"ResourceNotFound.FileNotExist","Message":"file f1 does not exist"},"RequestId":"ID"}}`},
		{"Panics", CodeInternalError, ""},
		{"NotObject", CodeInternalError, ""},
		{"BadRaw", CodeInternalError, ""},
		{"Spaced", "", `{"Response":{ "A" : 1,"RequestId":"ID"}}`},
		{"EmptyCode", CodeInternalError, ""},
		{"Nil", "", `{"Response":{"RequestId":"ID"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			req.Header.Set("X-TC-Action", tt.action)
			req.Header.Set("X-TC-Version", testVersion)
			SignTC3(req, []byte("{}"), testSecretID, testSecretKey, "", time.Now())
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			id := rec.Header().Get("X-TC-RequestId")
			body := rec.Body.String()
			if tt.body != "" {
				require.Equal(t, strings.ReplaceAll(tt.body, "ID", id), body)
			}
			if tt.code == CodeInternalError {
				require.Contains(t, body, `"Code":"InternalError"`)
				require.Contains(t, body, id)
				require.NotContains(t, body, "secret detail")
				require.NotContains(t, body, "boom")
			}
			code, ok := observed.Load(tt.action)
			require.True(t, ok)
			require.Equal(t, tt.code, code)
		})
	}
}

func TestNotFoundPath(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/other", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"version", Config{Keys: testKeys()}, "Config.Version"},
		{"keys", Config{Version: testVersion}, "Config.Keys"},
		{"body", Config{Version: testVersion, Keys: testKeys(), MaxBodyBytes: -1}, "Config.MaxBodyBytes"},
		{"limit", Config{Version: testVersion, Keys: testKeys(), Limits: map[string]float64{"A": -1}}, `Config.Limits["A"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.cfg)
			require.ErrorContains(t, err, tt.field)
		})
	}
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Version: testVersion, Keys: testKeys()})
	require.NoError(t, err)
	require.Panics(t, func() {
		srv.Handle("X", func() any { return 1 }, func(context.Context, any) (any, error) { return nil, nil })
	})
	require.Panics(t, func() { srv.Handle("X", nil, nil) })
	HandleFunc(srv, "Y", func(context.Context, *describeTaskDetailRequest) (any, error) { return nil, nil })
	srv.Known("Y", nil) // keeps the handler
	require.NotNil(t, (*srv.actions.Load())["Y"].handler)
}

func TestContextOutsideRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	require.Equal(t, Account{}, AccountFrom(ctx))
	require.Empty(t, RequestIDFrom(ctx))
	require.Empty(t, ActionFrom(ctx))
}

type panicKeys struct{}

func (panicKeys) LookupSecret(context.Context, string) (Account, bool) { panic("key store down") }

func TestPanicOutsideHandler(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	srv, err := New(Config{
		Version: testVersion,
		Keys:    panicKeys{},
		Logger:  slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	HandleFunc(srv, "DescribeTaskDetail", func(context.Context, *describeTaskDetailRequest) (any, error) { return nil, nil })
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	req.Header.Set("X-TC-Action", "DescribeTaskDetail")
	req.Header.Set("X-TC-Version", testVersion)
	SignTC3(req, []byte("{}"), testSecretID, testSecretKey, "", time.Now())
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `"Code":"InternalError"`)

	mu.Lock()
	defer mu.Unlock()
	id := rec.Header().Get("X-TC-RequestId")
	require.Contains(t, logs.String(), `"stack":`)
	require.Contains(t, logs.String(), `"msg":"tcapi request","action":"DescribeTaskDetail","code":"InternalError"`)
	require.Contains(t, logs.String(), `"request_id":"`+id+`"`)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

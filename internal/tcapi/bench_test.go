package tcapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkServeTC3 measures one signed TC3 POST through ServeHTTP:
// authentication (cached signing key), rate limiting, strict decoding and a
// RawJSON response spliced into the envelope.
func BenchmarkServeTC3(b *testing.B) {
	srv, err := New(Config{Version: testVersion, Keys: testKeys(), DefaultLimit: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	resp := RawJSON(`{"TaskType":"Procedure","Status":"FINISH","CreateTime":"2024-01-02T03:04:05Z","FinishTime":"2024-01-02T03:05:00Z"}`)
	HandleFunc(srv, "DescribeTaskDetail", func(ctx context.Context, req *describeTaskDetailRequest) (any, error) {
		return resp, nil
	})
	body := []byte(`{"TaskId":"1250000001-procedurev2-5f0c3d6b2a1e4c7d9b8a","SubAppId":1500000001}`)
	proto, err := http.NewRequest(http.MethodPost, "http://vod.example.com/", nil)
	if err != nil {
		b.Fatal(err)
	}
	proto.Header.Set("X-TC-Action", "DescribeTaskDetail")
	proto.Header.Set("X-TC-Version", testVersion)
	proto.Header.Set("X-TC-RequestClient", "SDK_GO_1.0.162")
	SignTC3(proto, body, testSecretID, testSecretKey, "vod", time.Now())

	rec := httptest.NewRecorder()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := *proto
		req.Body = readCloser{bytes.NewReader(body)}
		req.ContentLength = int64(len(body))
		rec.Body.Reset()
		srv.ServeHTTP(rec, &req)
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"Error"`)) {
			b.Fatalf("unexpected response %s", rec.Body)
		}
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
	"github.com/openvod/openvod/bench/internal/cpumeter"
	"github.com/openvod/openvod/internal/tcapi"
)

// apiVersion is the VOD API version the requests carry.
const apiVersion = "2018-07-17"

// bench holds the state of one apibench run; cleanup stops whatever is
// still running.
type bench struct {
	o     options
	log   benchkit.Progress
	tmp   string
	creds creds
	rep   *report

	srv   *server
	bare  *bareServer
	enc   *encoder
	media *httptest.Server
}

func (b *bench) cleanup() {
	if b.enc != nil {
		b.enc.Stop()
	}
	if b.srv != nil {
		b.srv.Stop()
	}
	if b.bare != nil {
		b.bare.Close()
	}
	if b.media != nil {
		b.media.Close()
	}
}

// run performs every phase in order. The server of the first phases runs
// with --role all (it must process the PullUpload); the submission phase
// restarts it with --role api on the same data directory, so the pulled
// media exists and no worker competes with the API for the CPU or the
// database while tasks pile up in the queue.
func (b *bench) run(ctx context.Context) error {
	dataDir := filepath.Join(b.tmp, "data")
	srv, err := startServer(ctx, serverParams{Bin: b.o.Bin, DataDir: dataDir, Role: "all", Creds: b.creds})
	if err != nil {
		return err
	}
	b.srv = srv
	b.log.Printf("openvod serving on %s (pid %d, --role all); idle 2s, then RSS", srv.Addr, srv.PID())
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	if b.rep.rssIdle, err = rssBytes(srv.PID()); err != nil {
		return err
	}

	fileID, detail, body, err := b.prepareTask(ctx)
	if err != nil {
		return err
	}
	b.rep.bodyLen = len(detail)

	if b.bare, err = startBare(detail, b.o.BareProc, filepath.Join(b.tmp, "detail.json")); err != nil {
		return err
	}
	if err := b.throughput(ctx, body); err != nil {
		return err
	}
	if err := b.underEncode(ctx, body); err != nil {
		return err
	}
	b.log.Printf("idle 2s, then RSS after load")
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	if b.rep.rssAfter, err = rssBytes(srv.PID()); err != nil {
		return err
	}
	srv.Stop()
	b.srv = nil
	return b.submissions(ctx, dataDir, fileID)
}

// prepareTask pulls a small generated clip into the server and waits for
// the task to finish. It returns the new media's FileId, the exact body of
// DescribeTaskDetail for the finished task, and the request body that
// fetched it.
func (b *bench) prepareTask(ctx context.Context) (fileID string, detail, body []byte, err error) {
	mediaDir := filepath.Join(b.tmp, "media")
	if err = os.MkdirAll(mediaDir, 0o755); err != nil {
		return
	}
	b.log.Printf("generating a 2 s clip with ffmpeg")
	if err = makeClip(ctx, b.o.FFmpeg, filepath.Join(mediaDir, "clip.mp4")); err != nil {
		return
	}
	b.media = httptest.NewServer(http.FileServer(http.Dir(mediaDir)))

	c := &tcapi.Client{Endpoint: b.srv.URL, SecretID: b.creds.SecretID, SecretKey: b.creds.SecretKey, Version: apiVersion}
	var pulled struct{ TaskId string }
	if err = c.Call(ctx, "PullUpload", map[string]string{"MediaUrl": b.media.URL + "/clip.mp4"}, &pulled); err != nil {
		err = fmt.Errorf("PullUpload: %w", err)
		return
	}
	b.log.Printf("PullUpload task %s submitted; waiting for FINISH", pulled.TaskId)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var d struct {
			Status         string
			PullUploadTask *struct {
				ErrCode int64
				Message string
				FileId  string
			}
		}
		if err = c.Call(ctx, "DescribeTaskDetail", map[string]string{"TaskId": pulled.TaskId}, &d); err != nil {
			err = fmt.Errorf("DescribeTaskDetail: %w", err)
			return
		}
		if d.Status == "FINISH" {
			if d.PullUploadTask == nil || d.PullUploadTask.ErrCode != 0 || d.PullUploadTask.FileId == "" {
				err = fmt.Errorf("PullUpload task %s finished without a media: %+v", pulled.TaskId, d.PullUploadTask)
				return
			}
			fileID = d.PullUploadTask.FileId
			break
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("PullUpload task %s still %s after 60s", pulled.TaskId, d.Status)
			return
		}
		if err = sleep(ctx, 100*time.Millisecond); err != nil {
			return
		}
	}

	body = []byte(`{"TaskId":"` + pulled.TaskId + `"}`)
	tmpl, err := b.signedDetailRequest(ctx, body)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(cloneWithBody(tmpl, body))
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if detail, err = io.ReadAll(resp.Body); err != nil {
		return
	}
	if err = checkAPI(`"FINISH"`)(resp.StatusCode, detail); err != nil {
		err = fmt.Errorf("DescribeTaskDetail: %w", err)
		return
	}
	b.log.Printf("DescribeTaskDetail of the finished task: %d bytes", len(detail))
	return fileID, detail, body, nil
}

// signedDetailRequest builds a DescribeTaskDetail request template signed
// now; the signature is valid for five minutes.
func (b *bench) signedDetailRequest(ctx context.Context, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, b.srv.URL+"/", nil)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Action", "DescribeTaskDetail")
	r.Header.Set("X-TC-Version", apiVersion)
	tcapi.SignTC3(r, body, b.creds.SecretID, b.creds.SecretKey, "vod", time.Now())
	return r, nil
}

func cloneWithBody(tmpl *http.Request, body []byte) *http.Request {
	r := tmpl.Clone(tmpl.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}

// retarget returns a copy of tmpl sent to another base URL, with the same
// headers (the signature covers the original host; the bare server does
// not check it).
func retarget(tmpl *http.Request, base string) (*http.Request, error) {
	u, err := url.Parse(base + "/")
	if err != nil {
		return nil, err
	}
	r := tmpl.Clone(tmpl.Context())
	r.URL, r.Host = u, ""
	return r, nil
}

// throughput runs DescribeTaskDetail against the bare server and openvod
// alternately, twice each (ABAB), at o.Conns connections.
func (b *bench) throughput(ctx context.Context, body []byte) error {
	for round := 1; round <= 2; round++ {
		for _, side := range []string{"bare", "openvod"} {
			tmpl, err := b.signedDetailRequest(ctx, body)
			if err != nil {
				return err
			}
			p := loadParams{Label: side, Conns: b.o.Conns, Warmup: b.o.Warmup, Duration: b.o.Duration,
				Check: checkAPI(""), PIDs: []int{b.srv.PID(), 0}, CPUNames: []string{"openvod", "bench"}}
			if side == "bare" {
				if tmpl, err = retarget(tmpl, b.bare.URL); err != nil {
					return err
				}
				p.PIDs, p.CPUNames = []int{0}, []string{"bench+bare"}
				if b.bare.PID != 0 {
					p.PIDs, p.CPUNames = []int{b.bare.PID, 0}, []string{"bare", "bench"}
				}
			}
			p.NewRequest = presigned(tmpl, body)
			b.log.Printf("DescribeTaskDetail %s, run %d: %d conns, %s", side, round, p.Conns, p.Duration)
			r, err := runLoad(ctx, p)
			if err != nil {
				return err
			}
			r.Run = fmt.Sprintf("%c%d", "AB"[btoi(side == "openvod")], round)
			if err := b.sane(r); err != nil {
				return err
			}
			b.rep.abab = append(b.rep.abab, r)
		}
	}
	return nil
}

// underEncode measures openvod's DescribeTaskDetail latency at
// o.LoadConns connections, idle and then while an ffmpeg encode at
// o.Nice saturates the CPU.
func (b *bench) underEncode(ctx context.Context, body []byte) error {
	measure := func(label string, pids []int, names []string) (loadResult, error) {
		tmpl, err := b.signedDetailRequest(ctx, body)
		if err != nil {
			return loadResult{}, err
		}
		p := loadParams{Label: label, Conns: b.o.LoadConns, Warmup: b.o.Warmup, Duration: b.o.Duration,
			NewRequest: presigned(tmpl, body), Check: checkAPI(""), PIDs: pids, CPUNames: names}
		b.log.Printf("DescribeTaskDetail openvod %s: %d conns, %s", label, p.Conns, p.Duration)
		r, err := runLoad(ctx, p)
		if err != nil {
			return r, err
		}
		r.Run = label
		return r, b.sane(r)
	}
	var err error
	if b.rep.idle, err = measure("idle", []int{b.srv.PID(), 0}, []string{"openvod", "bench"}); err != nil {
		return err
	}

	enc, err := startEncoder(b.o.FFmpeg, b.o.Nice)
	if err != nil {
		return err
	}
	b.enc = enc
	defer func() { enc.Stop(); b.enc = nil }()
	b.log.Printf("ffmpeg libx264 -preset medium 1280x720 encode started at nice %d (pid %d); 2 s alone", b.o.Nice, enc.PID())
	m := cpumeter.Start(enc.PID())
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	cores, _ := m.Cores()
	b.rep.encAlone = cores[0]
	if err := enc.Alive(); err != nil {
		return err
	}
	if b.rep.loaded, err = measure("encoding", []int{b.srv.PID(), 0, enc.PID()}, []string{"openvod", "bench", "ffmpeg"}); err != nil {
		return err
	}
	return enc.Alive()
}

// submissions restarts openvod with --role api on the same data directory
// and submits DescribeFileAttributes tasks for the pulled media from
// o.SubmitConns concurrent clients, each request signed afresh (no
// SessionId, so no deduplication applies).
func (b *bench) submissions(ctx context.Context, dataDir, fileID string) error {
	srv, err := startServer(ctx, serverParams{Bin: b.o.Bin, DataDir: dataDir, Role: "api", Creds: b.creds})
	if err != nil {
		return err
	}
	b.srv = srv
	body := []byte(`{"FileId":"` + fileID + `"}`)
	newReq := func(ctx context.Context) (*http.Request, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-TC-Action", "DescribeFileAttributes")
		r.Header.Set("X-TC-Version", apiVersion)
		tcapi.SignTC3(r, body, b.creds.SecretID, b.creds.SecretKey, "vod", time.Now())
		return r, nil
	}
	p := loadParams{Label: "openvod --role api", Conns: b.o.SubmitConns, Warmup: b.o.Warmup, Duration: b.o.SubmitDuration,
		NewRequest: newReq, Check: checkAPI(`"TaskId"`), PIDs: []int{srv.PID(), 0}, CPUNames: []string{"openvod", "bench"}}
	b.log.Printf("DescribeFileAttributes submissions on %s (pid %d, --role api): %d conns, %s",
		srv.Addr, srv.PID(), p.Conns, p.Duration)
	r, err := runLoad(ctx, p)
	if err != nil {
		return err
	}
	r.Run = "submit"
	if err := b.sane(r); err != nil {
		return err
	}
	b.rep.submit = r
	return nil
}

// sane turns a run in which nothing succeeded, or the server died, into an
// error: such a run measured nothing.
func (b *bench) sane(r loadResult) error {
	if b.srv != nil {
		if err := b.srv.Alive(); err != nil {
			return err
		}
	}
	if r.OK == 0 {
		return fmt.Errorf("%s run %s: no request succeeded; first error: %v", r.Label, r.Run, r.FirstErr)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

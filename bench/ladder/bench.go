package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
)

// apiVersion is the VOD API version the requests carry.
const apiVersion = "2018-07-17"

// order is the order of the runs: each contestant twice, mirrored, so
// that a drift in the machine's load hits all of them alike.
const order = "ABCCBA"

// pollEvery is how often DescribeTaskDetail is asked while C runs.
const pollEvery = 200 * time.Millisecond

// bench holds the state of one run; cleanup stops whatever still runs.
type bench struct {
	o     options
	log   benchkit.Progress
	tmp   string
	creds creds

	srv    *server
	media  *httptest.Server
	client *tcapi.Client

	src         string  // the source file
	srcDuration float64 // its duration, from ffprobe
	fileID      string  // the source, pulled into OpenVOD
	defs        []uint64
}

// result is one timed run of a contestant.
type result struct {
	Label     string
	Wall      time.Duration
	CPU       time.Duration // the contestant's CPU time (C: server and its ffmpeg)
	Others    float64       // cores used by every other process meanwhile
	Span      time.Duration // C: BeginProcessTime → FinishTime (1 s resolution)
	Kids      []child       // C: the server's child processes
	TaskID    string
	Submitted time.Time // C: when ProcessMedia was sent
}

func (b *bench) cleanup() {
	if b.srv != nil {
		b.srv.Stop()
	}
	if b.media != nil {
		b.media.Close()
	}
}

func (b *bench) run(ctx context.Context) (*report, error) {
	b.src = filepath.Join(b.tmp, "media", "source.mp4")
	if err := os.MkdirAll(filepath.Dir(b.src), 0o755); err != nil {
		return nil, err
	}
	b.log.Printf("generating the source: %d s of 1920x1080 30 fps H.264/AAC", b.o.Seconds)
	gen, err := runFFmpeg(ctx, b.o.FFmpeg, 0, sourceArgs(b.o.Seconds, b.src))
	if err != nil {
		return nil, fmt.Errorf("generate the source: %w", err)
	}
	p, err := probe(ctx, b.o.FFprobe, b.src)
	if err != nil {
		return nil, err
	}
	if len(p.Video) != 1 || p.Video[0].Width != 1920 || p.Video[0].Height != 1080 || p.Video[0].Codec != "h264" || len(p.Audio) != 1 {
		return nil, fmt.Errorf("the generated source is not 1080p H.264 with audio: %+v", p)
	}
	b.srcDuration = p.Duration
	b.log.Printf("source: %.3f s, made in %.1f s", p.Duration, gen.Wall.Seconds())

	if err := b.startOpenVOD(ctx); err != nil {
		return nil, err
	}

	rep := &report{o: b.o, srcDuration: b.srcDuration, loadStart: benchkit.LoadAverage()}
	for i, label := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir := filepath.Join(b.tmp, "out", fmt.Sprintf("%d%c", i+1, label))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		var r result
		switch label {
		case 'A':
			r, err = b.runA(ctx, dir)
		case 'B':
			r, err = b.runB(ctx, dir)
		case 'C':
			r, err = b.runC(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("run %d (%c): %w", i+1, label, err)
		}
		b.log.Printf("run %d (%c): %.2f s wall, %.1f s CPU, other processes %.2f cores; outputs verified",
			i+1, label, r.Wall.Seconds(), r.CPU.Seconds(), r.Others)
		rep.runs = append(rep.runs, r)
		if !b.o.Keep {
			os.RemoveAll(dir)
		}
	}
	rep.loadEnd = benchkit.LoadAverage()
	return rep, nil
}

// startOpenVOD starts the server, pulls the source into it and creates one
// custom transcode template per rung.
func (b *bench) startOpenVOD(ctx context.Context) error {
	srv, err := startServer(ctx, b.o.Bin, filepath.Join(b.tmp, "data"), b.o.Nice, b.creds)
	if err != nil {
		return err
	}
	b.srv = srv
	b.log.Printf("openvod serving on %s (pid %d, --workers 1, --nice %d)", srv.Addr, srv.PID(), b.o.Nice)
	b.media = httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(b.src))))
	b.client = &tcapi.Client{Endpoint: srv.URL, SecretID: b.creds.SecretID, SecretKey: b.creds.SecretKey, Version: apiVersion}

	var pulled struct{ TaskId string }
	if err := b.client.Call(ctx, "PullUpload", map[string]any{"MediaUrl": b.media.URL + "/" + filepath.Base(b.src)}, &pulled); err != nil {
		return fmt.Errorf("PullUpload: %w", err)
	}
	b.log.Printf("PullUpload task %s submitted; waiting for FINISH", pulled.TaskId)
	deadline := time.Now().Add(2*time.Minute + time.Duration(b.o.Seconds)*time.Second)
	for {
		var d struct {
			Status         string
			PullUploadTask *struct {
				ErrCode int64
				Message string
				FileId  string
			}
		}
		if err := b.client.Call(ctx, "DescribeTaskDetail", map[string]any{"TaskId": pulled.TaskId}, &d); err != nil {
			return fmt.Errorf("DescribeTaskDetail: %w", err)
		}
		if d.Status == "FINISH" {
			if d.PullUploadTask == nil || d.PullUploadTask.ErrCode != 0 || d.PullUploadTask.FileId == "" {
				return fmt.Errorf("PullUpload task %s finished without a media: %+v", pulled.TaskId, d.PullUploadTask)
			}
			b.fileID = d.PullUploadTask.FileId
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PullUpload task %s still %s at the deadline", pulled.TaskId, d.Status)
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return err
		}
	}
	b.log.Printf("source pulled: FileId %s", b.fileID)

	for _, r := range ladder {
		params := map[string]any{
			"Container": "mp4",
			"Name":      fmt.Sprintf("bench %dp", r.Height),
			"VideoTemplate": map[string]any{
				"Codec": "libx264", "Bitrate": r.VideoKbps, "Height": r.Height, "Width": 0,
				"ResolutionAdaptive": "open", "Fps": r.FrameRate,
			},
			"AudioTemplate": map[string]any{
				"Codec": "libfdk_aac", "Bitrate": r.AudioKbps, "SampleRate": r.SampleRate, "AudioChannel": r.Channels,
			},
		}
		var created struct{ Definition uint64 }
		if err := b.client.Call(ctx, "CreateTranscodeTemplate", params, &created); err != nil {
			return fmt.Errorf("CreateTranscodeTemplate %dp: %w", r.Height, err)
		}
		if created.Definition == 0 {
			return fmt.Errorf("CreateTranscodeTemplate %dp: no Definition in the answer", r.Height)
		}
		b.defs = append(b.defs, created.Definition)
	}
	b.log.Printf("transcode templates %v created (720p, 480p, 360p)", b.defs)
	return nil
}

// runA is baseline A: one ffmpeg run per rung, one after the other.
func (b *bench) runA(ctx context.Context, dir string) (result, error) {
	b.log.Printf("A: three sequential ffmpeg runs at nice %d", b.o.Nice)
	busy0 := machineBusy()
	t0 := time.Now()
	var cpu time.Duration
	for _, r := range ladder {
		run, err := runFFmpeg(ctx, b.o.FFmpeg, b.o.Nice, argsA(b.src, r, outPath(dir, "A", r)))
		if err != nil {
			return result{}, err
		}
		cpu += run.CPU
	}
	res := result{Label: "A", Wall: time.Since(t0), CPU: cpu}
	res.Others = others(busy0, cpu, res.Wall)
	for _, r := range ladder {
		if err := verify(ctx, b.o.FFprobe, outPath(dir, "A", r), r, b.srcDuration); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

// runB is baseline B: one ffmpeg run, one decode split into three encodes.
func (b *bench) runB(ctx context.Context, dir string) (result, error) {
	b.log.Printf("B: one ffmpeg run, decode once, split=3, at nice %d", b.o.Nice)
	paths := make([]string, len(ladder))
	for i, r := range ladder {
		paths[i] = outPath(dir, "B", r)
	}
	busy0 := machineBusy()
	run, err := runFFmpeg(ctx, b.o.FFmpeg, b.o.Nice, argsB(b.src, paths))
	if err != nil {
		return result{}, err
	}
	res := result{Label: "B", Wall: run.Wall, CPU: run.CPU}
	res.Others = others(busy0, run.CPU, run.Wall)
	for i, r := range ladder {
		if err := verify(ctx, b.o.FFprobe, paths[i], r, b.srcDuration); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

// detail is the part of DescribeTaskDetail that C reads.
type detail struct {
	Status           string
	BeginProcessTime string
	FinishTime       string
	ProcedureTask    *struct {
		ErrCode               int64
		Message               string
		MediaProcessResultSet []struct {
			Type          string
			TranscodeTask *struct {
				Status  string
				ErrCode int64
				Message string
				Input   struct{ Definition uint64 }
				Output  *struct {
					Url        string
					Definition uint64
					Height     int64
				}
			}
		}
	}
}

// runC is OpenVOD: ProcessMedia with the three templates in one
// TranscodeTaskSet, timed from just before the call to the first
// DescribeTaskDetail answer that says FINISH.
func (b *bench) runC(ctx context.Context) (result, error) {
	b.log.Printf("C: openvod ProcessMedia with definitions %v", b.defs)
	set := make([]map[string]any, len(b.defs))
	for i, d := range b.defs {
		set[i] = map[string]any{"Definition": d}
	}
	params := map[string]any{"FileId": b.fileID, "MediaProcessTask": map[string]any{"TranscodeTaskSet": set}}

	cpu0, err := treeCPU(b.srv.PID())
	if err != nil {
		return result{}, err
	}
	watch := watchChildren(b.srv.PID())
	busy0 := machineBusy()
	t0 := time.Now()
	var submitted struct{ TaskId string }
	if err := b.client.Call(ctx, "ProcessMedia", params, &submitted); err != nil {
		watch.stop()
		return result{}, fmt.Errorf("ProcessMedia: %w", err)
	}
	deadline := t0.Add(5*time.Minute + 20*time.Duration(b.o.Seconds)*time.Second)
	var d detail
	for {
		d = detail{}
		if err := b.client.Call(ctx, "DescribeTaskDetail", map[string]any{"TaskId": submitted.TaskId}, &d); err != nil {
			watch.stop()
			return result{}, fmt.Errorf("DescribeTaskDetail: %w", err)
		}
		if d.Status == "FINISH" {
			break
		}
		if err := b.srv.Alive(); err != nil {
			watch.stop()
			return result{}, err
		}
		if time.Now().After(deadline) {
			watch.stop()
			return result{}, fmt.Errorf("task %s still %s at the deadline", submitted.TaskId, d.Status)
		}
		if err := sleep(ctx, pollEvery); err != nil {
			watch.stop()
			return result{}, err
		}
	}
	wall := time.Since(t0)
	kids := watch.stop()
	cpu1, err := treeCPU(b.srv.PID())
	if err != nil {
		return result{}, err
	}
	res := result{Label: "C", Wall: wall, CPU: cpu1 - cpu0, Kids: kids, TaskID: submitted.TaskId, Submitted: t0}
	res.Others = others(busy0, res.CPU, wall)
	if bt, err1 := time.Parse(task.TimeLayout, d.BeginProcessTime); err1 == nil {
		if ft, err2 := time.Parse(task.TimeLayout, d.FinishTime); err2 == nil {
			res.Span = ft.Sub(bt)
		}
	}

	pt := d.ProcedureTask
	if pt == nil {
		return result{}, fmt.Errorf("task %s: FINISH without a ProcedureTask", submitted.TaskId)
	}
	if pt.ErrCode != 0 {
		return result{}, fmt.Errorf("task %s failed: ErrCode %d: %s", submitted.TaskId, pt.ErrCode, pt.Message)
	}
	seen := map[uint64]bool{}
	for _, x := range pt.MediaProcessResultSet {
		t := x.TranscodeTask
		if x.Type != "Transcode" || t == nil {
			continue
		}
		if t.Status != "SUCCESS" || t.ErrCode != 0 || t.Output == nil {
			return result{}, fmt.Errorf("task %s: transcode %d: %s (ErrCode %d): %s", submitted.TaskId, t.Input.Definition, t.Status, t.ErrCode, t.Message)
		}
		k := slices.Index(b.defs, t.Input.Definition)
		if k < 0 {
			return result{}, fmt.Errorf("task %s: unexpected transcode definition %d", submitted.TaskId, t.Input.Definition)
		}
		if err := verify(ctx, b.o.FFprobe, t.Output.Url, ladder[k], b.srcDuration); err != nil {
			return result{}, err
		}
		seen[t.Input.Definition] = true
	}
	if len(seen) != len(b.defs) {
		return result{}, fmt.Errorf("task %s: %d of %d transcodes in the result", submitted.TaskId, len(seen), len(b.defs))
	}
	return res, nil
}

// others returns the cores every process but the contestant used since
// busy0 was read, over wall.
func others(busy0, ours, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return max((machineBusy()-busy0-ours).Seconds()/wall.Seconds(), 0)
}

// child is a child process of the server seen while C ran: its command
// line and when it was first and last seen, from the submission.
type child struct {
	PID         int
	Args        []string
	First, Last time.Time
}

// childWatch samples the server's children every 10 ms.
type childWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	kids map[int]*child
}

func watchChildren(pid int) *childWatch {
	w := &childWatch{done: make(chan struct{}), kids: map[int]*child{}}
	parent := cmdline(pid)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			now := time.Now()
			for _, k := range childPIDs(pid) {
				w.mu.Lock()
				c := w.kids[k]
				if c == nil {
					c = &child{PID: k, First: now}
					w.kids[k] = c
				}
				// Between fork and exec a child still shows the server's
				// command line: read it again until it has changed.
				if len(c.Args) == 0 || slices.Equal(c.Args, parent) {
					c.Args = cmdline(k)
				}
				c.Last = now
				w.mu.Unlock()
			}
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// cmdline reads the command line of a process; nil if it has gone.
func cmdline(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// stop ends the sampling and returns the children seen, in order of
// appearance.
func (w *childWatch) stop() []child {
	close(w.done)
	w.wg.Wait()
	var out []child
	for _, c := range w.kids {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b child) int { return a.First.Compare(b.First) })
	return out
}

// childPIDs lists the children of pid, from /proc/<pid>/task/*/children.
func childPIDs(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	var pids []int
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
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

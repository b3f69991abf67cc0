package vod

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// subState points at the fields every MediaProcessTask*Result shares.
type subState struct {
	Status, ErrCodeExt, Message, Begin, Finish **string
	ErrCode, Progress                          **int64
}

func subOf(r *vodapi.MediaProcessTaskResult) (subState, bool) {
	switch {
	case r.TranscodeTask != nil:
		t := r.TranscodeTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.AnimatedGraphicTask != nil:
		t := r.AnimatedGraphicTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.SnapshotByTimeOffsetTask != nil:
		t := r.SnapshotByTimeOffsetTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.SampleSnapshotTask != nil:
		t := r.SampleSnapshotTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.ImageSpriteTask != nil:
		t := r.ImageSpriteTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.CoverBySnapshotTask != nil:
		t := r.CoverBySnapshotTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	case r.AdaptiveDynamicStreamingTask != nil:
		t := r.AdaptiveDynamicStreamingTask
		return subState{&t.Status, &t.ErrCodeExt, &t.Message, &t.BeginProcessTime, &t.FinishTime, &t.ErrCode, &t.Progress}, true
	}
	return subState{}, false
}

func subStatus(r *vodapi.MediaProcessTaskResult) *string {
	s, ok := subOf(r)
	if !ok {
		return nil
	}
	return *s.Status
}

func failSub(r *vodapi.MediaProcessTaskResult, f *task.Failure) {
	s, ok := subOf(r)
	if !ok {
		return
	}
	*s.Status, *s.ErrCode, *s.ErrCodeExt, *s.Message = vodapi.Ptr("FAIL"), vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
	if vodapi.Val(*s.Begin) == "" {
		*s.Begin = vodapi.Ptr(task.FormatTime(time.Now()))
	}
	*s.Finish = vodapi.Ptr(task.FormatTime(time.Now()))
}

// job is one or more ffmpeg runs producing the outputs of some subtasks.
type job struct {
	subs  []int  // indices into MediaProcessResultSet
	root  string // local folder of this job's outputs only
	plans []*media.Plan
	// owns are the prefixes, in the media's folder, of every file this
	// job's outputs consist of: once they are published, files under them
	// that the job did not write are left over from an earlier run.
	owns []string
	// done records the outputs (after upload) on the result and in the
	// media's info; it runs under the Exec's lock.
	done func() error
}

// procRun is the state of one Procedure attempt.
type procRun struct {
	ctx     context.Context
	app     *store.App
	s       *Service
	x       *task.Exec
	r       *vodapi.ProcedureTask
	m       *store.Media
	probe   *media.Probe
	src     string
	out     string // local output root
	staging string // blob prefix outputs are uploaded under
	mdir    string // the media's folder: outputs' final prefix

	root string // local folder of the job being planned (see local)
	// change: TasksNotifyMode Change, an event whenever a subtask ends.
	change bool

	// independent holds the new media transcode subtasks make
	// (OutputAsIndependentMedia ON), by subtask index; nil when off.
	independent []newMedia

	mu       sync.Mutex
	cov      string         // new cover key
	media    []*store.Media // independent media to insert at commit
	old      *leftovers     // what the outputs replace (process_leftovers.go)
	oldCover string         // the cover key the run replaced (set at commit)
	// info holds the outputs to merge into the media at commit (infoOf),
	// set once the jobs are done.
	info *vodapi.MediaInfo
}

func (s *Service) runProcedure(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p procParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	r := x.Result.(*vodapi.ProcedureTask)
	m, err := s.taskMedia(ctx, x.Task.SubAppID, p.FileID)
	if err != nil {
		return nil, err
	}
	work, src, probe, err := s.openSource(ctx, m, "proc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	app, err := s.cfg.DB.GetApp(ctx, x.Task.SubAppID)
	if err != nil {
		return nil, err
	}
	pr := &procRun{ctx: ctx, app: app, change: p.TasksNotifyMode == "Change", s: s, x: x, r: r, m: m, probe: probe, src: src, out: filepath.Join(work, "out"),
		staging: "_staging/tasks/" + x.Task.TaskID, mdir: path.Dir(m.MediaKey), independent: p.Independent}
	pr.old = &leftovers{s: s, subAppID: m.SubAppID, mdir: pr.mdir, staging: pr.staging, log: x.Log}
	x.Update(func() {
		r.FileName, r.FileUrl = vodapi.Ptr(m.Name), vodapi.Ptr(s.url(m.MediaKey))
		json.Unmarshal(m.Meta, &r.MetaData)
	})
	jobs := pr.plan(p.Tasks)
	pr.runJobs(ctx, jobs)
	x.Update(func() { pr.info = infoOf(r) })
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, nm := range pr.independent {
		if err := s.cfg.Blob.Publish(ctx, pr.staging+"/"+independentDir+nm.FileID, nm.Dir); err != nil {
			return nil, fmt.Errorf("publish independent media %s: %w", nm.FileID, err)
		}
	}
	if err := pr.old.beforePublish(ctx); err != nil {
		return nil, fmt.Errorf("list outputs: %w", err)
	}
	if err := s.cfg.Blob.Publish(ctx, pr.staging, pr.mdir); err != nil {
		return nil, fmt.Errorf("publish outputs: %w", err)
	}
	// The published playlists name none of the leftovers any more.
	pr.old.remove(ctx)
	return &task.Outcome{Commit: pr.commit, After: func() { pr.removeOldCover(context.WithoutCancel(ctx)) }}, nil
}

// runJobs runs the jobs, two at a time: one encode already keeps both
// cores busy, a second one fills the gaps of the first.
func (pr *procRun) runJobs(ctx context.Context, jobs []*job) {
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			pr.runJob(ctx, j)
		}()
	}
	wg.Wait()
}

func (pr *procRun) runJob(ctx context.Context, j *job) {
	now := vodapi.Ptr(task.FormatTime(time.Now()))
	pr.x.Update(func() {
		for _, i := range j.subs {
			s, _ := subOf(pr.r.MediaProcessResultSet[i])
			*s.Begin = now
		}
	})
	for k, p := range j.plans {
		err := pr.s.cfg.Media.RunPlan(ctx, p, func(pg media.Progress) {
			if p.Duration <= 0 {
				return
			}
			pct := int64((float64(k) + math.Min(pg.OutTime/p.Duration, 1)) / float64(len(j.plans)) * 99)
			pr.x.Update(func() {
				for _, i := range j.subs {
					s, _ := subOf(pr.r.MediaProcessResultSet[i])
					if pct > vodapi.Val(*s.Progress) {
						*s.Progress = vodapi.Ptr(pct)
					}
				}
			})
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			pr.fail(j.subs, runFailure(err))
			pr.changed()
			return
		}
	}
	if err := pr.upload(ctx, j.root); err != nil {
		pr.fail(j.subs, &task.Failure{ErrCode: task.CodeInternal, Ext: "InternalError", Message: "storing the outputs failed"})
		pr.x.Log.Error("upload outputs", "err", err)
		return
	}
	var derr error
	pr.x.Update(func() {
		if derr = j.done(); derr != nil {
			return
		}
		fin := vodapi.Ptr(task.FormatTime(time.Now()))
		for _, i := range j.subs {
			s, _ := subOf(pr.r.MediaProcessResultSet[i])
			*s.Status, *s.Progress, *s.Message, *s.Finish = vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100)), vodapi.Ptr("SUCCESS"), fin
		}
	})
	if derr != nil {
		pr.fail(j.subs, runFailure(derr))
	} else {
		pr.old.own(j.owns...)
	}
	pr.changed()
}

// changed records a ProcedureStateChanged event with the task's current
// state, for TasksNotifyMode Change (the final one comes with the task's
// end, as for Finish).
func (pr *procRun) changed() {
	if !pr.change {
		return
	}
	var snap vodapi.ProcedureTask
	var err error
	pr.x.Update(func() {
		var b []byte
		if b, err = json.Marshal(pr.r); err == nil {
			err = json.Unmarshal(b, &snap)
		}
	})
	if err == nil {
		err = pr.s.cfg.DB.InTx(pr.ctx, func(tx *store.Tx) error {
			return pr.s.recordEvent(pr.ctx, tx, pr.x.Task.SubAppID, "ProcedureStateChanged", "ProcedureStateChangeEvent", pr.x.Task.TaskID, &snap)
		})
	}
	if err != nil {
		pr.x.Log.Warn("record subtask change event", "err", err)
		return
	}
	pr.s.notify()
}

func (pr *procRun) fail(subs []int, f *task.Failure) {
	pr.x.Update(func() {
		for _, i := range subs {
			failSub(pr.r.MediaProcessResultSet[i], f)
		}
	})
}

// runFailure turns an ffmpeg or planning error into a subtask failure.
func runFailure(err error) *task.Failure {
	var inv *media.InvalidMediaError
	var exit *media.ExitError
	switch {
	case errors.As(err, &inv):
		return task.SourceError("the source cannot be processed: %s", inv.Reason)
	case errors.Is(err, media.ErrOffsetBeyondDuration):
		return task.InvalidInput("%v", trimPaths(err))
	case errors.Is(err, media.ErrInvalidSpec), errors.Is(err, media.ErrNoStream):
		return task.InvalidInput("%v", trimPaths(err))
	case errors.As(err, &exit):
		return task.SourceError("processing failed: %v", trimPaths(err))
	}
	return task.InvalidInput("%v", trimPaths(err))
}

// localDirs matches the folders of an absolute local path ("/tmp/proc-1/out/")
// where a word starts, leaving its file name.
var localDirs = regexp.MustCompile(`(^|[\s'"(=\[])(?:/[^\s/'"]+)+/`)

// trimPaths keeps local paths out of messages shown to clients: ffmpeg's
// and ffprobe's errors name the files they read and write, which would
// tell clients the server's folders. Only the file names stay.
func trimPaths(err error) string {
	return localDirs.ReplaceAllString(err.Error(), "$1")
}

// upload copies a job's local outputs to the staging prefix, keeping their
// paths relative to the job's folder.
func (pr *procRun) upload(ctx context.Context, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		_, err = pr.s.cfg.Blob.PutFile(ctx, pr.staging+"/"+filepath.ToSlash(rel), p)
		return err
	})
}

// local returns the local path of an output of the job being planned and
// makes its folder.
func (pr *procRun) local(rel string) string {
	p := filepath.Join(pr.root, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	return p
}

// finalURL is the URL an output will have once published.
func (pr *procRun) finalURL(rel string) string { return pr.s.url(pr.mdir + "/" + rel) }

// mergeMediaInfo merges add into the info of media m (replacing earlier
// outputs of the same templates) in a task's final transaction tx; edit,
// if set, changes the row as well. It reports false for a media deleted
// meanwhile, which it leaves alone.
func mergeMediaInfo(ctx context.Context, tx *store.Tx, m *store.Media, add *vodapi.MediaInfo, edit func(*store.Media)) (bool, error) {
	cur, err := tx.GetMedia(ctx, m.SubAppID, m.FileID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	info := &vodapi.MediaInfo{}
	if err := json.Unmarshal(cur.Info, info); err != nil {
		return false, err
	}
	mergeInfo(info, add)
	if cur.Info, err = json.Marshal(info); err != nil {
		return false, err
	}
	if edit != nil {
		edit(cur)
	}
	cur.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	return true, tx.UpdateMedia(ctx, cur)
}

// commit merges the outputs into the media's info and stores the
// independent media in the task's final transaction.
func (pr *procRun) commit(ctx context.Context, tx *store.Tx) error {
	ok, err := mergeMediaInfo(ctx, tx, pr.m, pr.info, func(m *store.Media) {
		if pr.cov != "" {
			pr.oldCover, m.CoverKey = m.CoverKey, pr.mdir+"/"+pr.cov
		}
	})
	if err != nil || !ok {
		return err // !ok: deleted meanwhile
	}
	for _, nm := range pr.media {
		err := tx.InsertMedia(ctx, nm)
		if errors.Is(err, store.ErrDuplicate) {
			err = tx.UpdateMedia(ctx, nm) // an earlier attempt got this far
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fileMD5Size hashes a local file.
func fileMD5Size(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// dirSize sums the files next to a playlist that share its stem.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// clipParams is a FastClipMedia task's stored input: the copies that
// make a clip's segments its own, and the playlist naming the copies.
type clipParams struct {
	Media    newMedia   `json:"media"`
	Copies   []clipCopy `json:"copies"`
	Playlist string     `json:"playlist"`
	// Source is the PersistenceSource of the completion event.
	Source string `json:"source"`
	// Remux makes the media an MP4 of the clip's streams instead: the
	// copies go to the task's folder, and the media is recorded when the
	// task ends.
	Remux bool `json:"remux,omitempty"`
}

// clipJob is a clip to persist.
type clipJob struct {
	media          newMedia
	version        int
	meta           *vodapi.MediaMetaData
	source         string // PersistenceSource
	sessionContext string
	remux          bool // OutputMediaType mp4
	parts          [][]media.HLSSegment
}

// clipCopy is one file to copy: blob keys.
type clipCopy struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// persisted is what persistClip made.
type persisted struct{ taskID, url string }

// persistClip makes a clip a new media at once, its playlist pointing at
// the source's segments, and submits the FastClipMedia task that copies
// the segments into the new media and rewrites the playlist to name the
// copies (so the clip outlives its sources). Both happen in one
// transaction. A remux (MP4) clip becomes a media only when its task
// ends.
func (s *Service) persistClip(ctx context.Context, app *store.App, j clipJob) (*persisted, error) {
	nm, parts := j.media, j.parts
	final, copies, err := s.planCopies(nm.Dir, parts, j.remux)
	if err != nil {
		return nil, err
	}
	p := clipParams{Media: nm, Source: j.source, Remux: j.remux, Copies: copies}
	p.Playlist = media.WriteHLSPlaylist(j.version, final...)
	ts := taskSpec{Kind: "FastClipMedia", Type: "FastClipMedia", SubAppID: app.SubAppID, FileID: nm.FileID,
		SessionContext: &j.sessionContext, Params: p}
	if j.remux {
		id, err := s.submit(ctx, ts)
		if err != nil {
			return nil, err
		}
		return &persisted{taskID: id, url: s.url(originalKey(nm.Dir, "mp4"))}, nil
	}
	key := originalKey(nm.Dir, "m3u8")
	direct := media.WriteHLSPlaylist(j.version, parts...)
	if _, err := s.cfg.Blob.Put(ctx, key, strings.NewReader(direct), "application/vnd.apple.mpegurl"); err != nil {
		return nil, errInternal("store clip playlist", err)
	}
	metaJSON, err := json.Marshal(j.meta)
	if err != nil {
		return nil, errInternal("encode metadata", err)
	}
	cat := "Video"
	if len(j.meta.VideoStreamSet) == 0 && len(j.meta.AudioStreamSet) > 0 {
		cat = "Audio"
	}
	now := time.Now().UTC().Truncate(time.Second)
	m := &store.Media{FileID: nm.FileID, SubAppID: nm.SubAppID, Name: nm.Name, ClassID: nm.ClassID, MediaType: "m3u8",
		Category: cat, MediaKey: key, StorageRegion: nm.StorageRegion, SourceType: editSourceType, SourceContext: nm.SourceContext,
		ExpireAt: nm.ExpireAt, Meta: metaJSON, Info: []byte("{}"), CreatedAt: now, UpdatedAt: now}
	ts.InTx = func(tx *store.Tx) error { return tx.InsertMedia(ctx, m) }
	id, err := s.submit(ctx, ts)
	if err != nil {
		return nil, err
	}
	return &persisted{taskID: id, url: s.url(key)}, nil
}

// planCopies names the copies of a clip's segments (and init sections) in
// the new media's folder dir, and returns the clip rewritten to name them.
// A remux cannot read encrypted segments.
func (s *Service) planCopies(dir string, parts [][]media.HLSSegment, remux bool) ([][]media.HLSSegment, []clipCopy, error) {
	var copies []clipCopy
	copied := map[string]string{}
	copyName := func(from, name string) string {
		if to, ok := copied[from]; ok {
			return to
		}
		copied[from] = name
		copies = append(copies, clipCopy{From: from, To: dir + "/" + name})
		return name
	}
	final := make([][]media.HLSSegment, len(parts))
	n := 0
	for i, segs := range parts {
		final[i] = append([]media.HLSSegment(nil), segs...)
		for k := range final[i] {
			seg := &final[i][k]
			if remux && seg.Key != "" {
				return nil, nil, tcapi.Errorf("UnsupportedOperation", "OutputMediaType mp4 of an encrypted HLS stream is not supported: keep it hls")
			}
			from, ok := s.keyOfURL(seg.URI)
			if !ok {
				return nil, nil, tcapi.Errorf("InvalidParameterValue", "segment %s is not stored on this server and cannot be copied", seg.URI)
			}
			seg.URI = copyName(from, fmt.Sprintf("f0_%05d%s", n, path.Ext(from)))
			n++
			if seg.Map != "" {
				seg.Map = mapURIs(seg.Map, func(u string) string {
					k, ok := s.keyOfURL(u)
					if !ok {
						return u
					}
					return copyName(k, fmt.Sprintf("f0_init%d%s", len(copied), path.Ext(k)))
				})
			}
		}
	}
	return final, copies, nil
}

// mapURIs rewrites the URI attribute of a tag line.
func mapURIs(line string, fn func(string) string) string {
	pl := &media.HLSPlaylist{Segments: []media.HLSSegment{{Map: line}}}
	pl.Rewrite(func(u string) string {
		if u == "" {
			return u
		}
		return fn(u)
	})
	return pl.Segments[0].Map
}

// clipResult is the (unprinted) result of a FastClipMedia task, which
// DescribeTaskDetail shows without a result field.
type clipResult struct{}

func (s *Service) fastClipType() *task.Type {
	return &task.Type{
		Name:      "FastClipMedia",
		NewResult: func(*store.Task) (any, error) { return &clipResult{}, nil },
		Run:       s.runFastClip,
		Finish:    func(any, *task.Failure) {},
		Undo:      s.dropClip,
	}
}

// dropClip removes, when the copy task of a persisted HLS clip fails or
// is aborted, the media SimpleHlsClip or FastEditMedia created at once:
// without its own copies the media would point at segments that may be
// gone. (A remuxed clip is recorded only when its task succeeds.)
func (s *Service) dropClip(ctx context.Context, tx *store.Tx, t *store.Task) error {
	var p clipParams
	if err := json.Unmarshal(t.Params, &p); err != nil || p.Remux {
		return err
	}
	err := tx.DeleteMedia(ctx, t.SubAppID, p.Media.FileID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted by its owner meanwhile
	}
	if err != nil {
		return err
	}
	// Before the commit, so a failed commit leaves the row for the task's
	// next attempt to drop again; the folder holds only this clip.
	return s.cfg.Blob.DeletePrefix(ctx, p.Media.Dir+"/")
}

// runFastClip copies a clip's segments into its media, replaces its
// playlist by one naming the copies, starts its procedure, and records
// PersistenceComplete when the application switched that event on.
func (s *Service) runFastClip(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	var p clipParams
	if err := json.Unmarshal(x.Task.Params, &p); err != nil {
		return nil, err
	}
	if p.Remux {
		return s.runClipRemux(ctx, x, p)
	}
	if _, err := s.taskMedia(ctx, x.Task.SubAppID, p.Media.FileID); err != nil {
		return nil, err
	}
	for _, c := range p.Copies {
		err := s.cfg.Blob.Copy(ctx, c.To, c.From)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, task.SourceError("segment %s of the clip's source was deleted before it was copied", path.Base(c.From))
		}
		if err != nil {
			return nil, err
		}
	}
	key := originalKey(p.Media.Dir, "m3u8")
	if _, err := s.cfg.Blob.Put(ctx, key, strings.NewReader(p.Playlist), "application/vnd.apple.mpegurl"); err != nil {
		return nil, err
	}
	proc, err := s.followUp(ctx, x.Task.SubAppID, p.Media.FileID, p.Media.Procedure, x.Task.Priority)
	if err != nil {
		return nil, err
	}
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		if proc != nil {
			if err := s.cfg.Engine.SubmitTx(ctx, tx, proc); err != nil {
				return err
			}
		}
		return s.persistenceEvent(ctx, tx, x.Task, p)
	}, After: func() { s.notify(); s.cfg.Engine.Notify() }}, nil
}

// persistenceEvent records PersistenceComplete when the application
// switched it on.
func (s *Service) persistenceEvent(ctx context.Context, tx *store.Tx, t *store.Task, p clipParams) error {
	on, err := eventSwitchOn(ctx, tx, t.SubAppID, func(c *store.EventConfig) string { return c.PersistenceSwitch })
	if err != nil || !on {
		return err
	}
	return s.recordEvent(ctx, tx, t.SubAppID, "PersistenceComplete", "PersistenceCompleteEvent", t.TaskID,
		&vodapi.PersistenceCompleteTask{FileId: vodapi.Ptr(p.Media.FileID), PersistenceSource: vodapi.Ptr(p.Source)})
}

// runClipRemux gathers a clip's segments in a local folder, copies their
// streams into an MP4 and stores that as the new media.
func (s *Service) runClipRemux(ctx context.Context, x *task.Exec, p clipParams) (*task.Outcome, error) {
	work, err := os.MkdirTemp(s.cfg.WorkDir, "clip-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	for _, c := range p.Copies {
		err := s.cfg.Blob.Download(ctx, c.From, filepath.Join(work, path.Base(c.To)))
		if errors.Is(err, blob.ErrNotFound) {
			return nil, task.SourceError("segment %s of the clip's source was deleted before it was copied", path.Base(c.From))
		}
		if err != nil {
			return nil, err
		}
	}
	in := filepath.Join(work, "clip.m3u8")
	if err := os.WriteFile(in, []byte(p.Playlist), 0o644); err != nil {
		return nil, err
	}
	probe, err := s.cfg.Media.Probe(ctx, in)
	if err != nil {
		return nil, runFailure(err)
	}
	out := filepath.Join(work, "out", "f0.mp4")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	plan, err := media.PlanHLSRemux(in, out, probe)
	if err == nil {
		err = s.cfg.Media.RunPlan(ctx, plan, nil)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, runFailure(err)
	}
	m, err := s.storeEdited(ctx, out, media.ContainerMP4, p.Media)
	if err != nil {
		return nil, err
	}
	proc, err := s.followUp(ctx, x.Task.SubAppID, m.FileID, p.Media.Procedure, x.Task.Priority)
	if err != nil {
		return nil, err
	}
	return &task.Outcome{Commit: func(ctx context.Context, tx *store.Tx) error {
		if err := s.insertEdited(ctx, tx, m, proc); err != nil {
			return err
		}
		return s.persistenceEvent(ctx, tx, x.Task, p)
	}, After: func() { s.notify(); s.cfg.Engine.Notify() }}, nil
}

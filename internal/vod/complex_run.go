package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// complexRun is the state of one ComplexAdaptiveDynamicStreaming attempt.
type complexRun struct {
	s     *Service
	x     *task.Exec
	r     *vodapi.ComplexAdaptiveDynamicStreamingTask
	app   *store.App
	p     complexParams
	m     *store.Media
	work  string
	src   string       // the source packaged: the main media, or its join with heads and tails
	probe *media.Probe // of src
	head  float64      // seconds of heads before the main video
	main  float64      // seconds of the main video
	// audios are the renditions, placed on src's timeline.
	audios []media.ComplexAudio
	subs   []complexSubFile
	info   vodapi.MediaInfo // outputs merged into the media at commit
}

// complexSubFile is a subtitle of the package: its media item and its
// WebVTT text, moved by the heads' length.
type complexSubFile struct {
	item *vodapi.MediaSubtitleItem
	vtt  string
	dflt bool
}

func (s *Service) runComplex(ctx context.Context, x *task.Exec) (*task.Outcome, error) {
	cr := &complexRun{s: s, x: x, r: x.Result.(*vodapi.ComplexAdaptiveDynamicStreamingTask)}
	if err := json.Unmarshal(x.Task.Params, &cr.p); err != nil {
		return nil, err
	}
	var err error
	if cr.app, err = s.cfg.DB.GetApp(ctx, x.Task.SubAppID); err != nil {
		return nil, err
	}
	if cr.m, err = s.taskMedia(ctx, x.Task.SubAppID, cr.p.FileID); err != nil {
		return nil, err
	}
	if cr.work, err = os.MkdirTemp(s.cfg.WorkDir, "complex-"); err != nil {
		return nil, err
	}
	defer os.RemoveAll(cr.work)
	if err := cr.prepareSource(ctx); err != nil {
		return nil, err
	}
	if err := cr.prepareAudios(ctx); err != nil {
		return nil, err
	}
	if err := cr.prepareSubtitles(ctx); err != nil {
		return nil, err
	}
	staging := "_staging/tasks/" + x.Task.TaskID
	old := &leftovers{s: s, subAppID: cr.m.SubAppID, mdir: path.Dir(cr.m.MediaKey), staging: staging, log: x.Log}
	for i, def := range cr.p.Definitions {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		item, err := cr.pack(ctx, i, def, staging)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil && !entryFault(err):
			return nil, err // ours (storage, ...): the engine retries the task
		case err != nil:
			var fail *task.Failure
			if !errors.As(err, &fail) {
				fail = runFailure(err)
			}
			x.Log.Warn("complex adaptive entry failed", "definition", def, "err", err)
			cr.end(i, "FAIL", fail.Ext, fail.Message, nil)
		default:
			mi := cr.info.AdaptiveDynamicStreamingInfo
			if mi == nil {
				mi = &vodapi.MediaAdaptiveDynamicStreamingInfo{}
				cr.info.AdaptiveDynamicStreamingInfo = mi
			}
			mi.AdaptiveDynamicStreamingSet = append(mi.AdaptiveDynamicStreamingSet, item)
			old.own(fmt.Sprintf("adp/%d/", def))
			cr.end(i, "SUCCESS", "", "SUCCESS", &vodapi.ComplexAdaptiveDynamicStreamingTaskOutput{Definition: vodapi.Ptr(def),
				Format: item.Package, DrmType: item.DrmType, Url: item.Url})
		}
	}
	if err := old.beforePublish(ctx); err != nil {
		return nil, fmt.Errorf("list outputs: %w", err)
	}
	if err := s.cfg.Blob.Publish(ctx, staging, path.Dir(cr.m.MediaKey)); err != nil {
		return nil, fmt.Errorf("publish outputs: %w", err)
	}
	old.remove(ctx)
	return &task.Outcome{Commit: cr.commit}, nil
}

// end records an entry's final state.
func (cr *complexRun) end(i int, status, ext, msg string, out *vodapi.ComplexAdaptiveDynamicStreamingTaskOutput) {
	cr.x.Update(func() {
		e := cr.r.ComplexAdaptiveDynamicStreamingTaskResultSet[i]
		e.Status, e.ErrCodeExt, e.Message, e.Output = vodapi.Ptr(status), vodapi.Ptr(ext), vodapi.Ptr(msg), out
		if status == "SUCCESS" {
			e.Progress = vodapi.Ptr(int64(100))
		}
	})
}

// mediaFile loads a media of the task and returns its local file and probe.
func (cr *complexRun) mediaFile(ctx context.Context, fileID string) (string, *media.Probe, error) {
	if fileID == cr.m.FileID {
		return cr.s.localProbed(ctx, cr.m, cr.work)
	}
	m, err := cr.s.taskMedia(ctx, cr.x.Task.SubAppID, fileID)
	if err != nil {
		return "", nil, err
	}
	return cr.s.localProbed(ctx, m, cr.work)
}

// prepareSource sets the source the packages read: the main media, or,
// with heads or tails, their join with it, normalised to the main video.
func (cr *complexRun) prepareSource(ctx context.Context) error {
	src, p, err := cr.mediaFile(ctx, cr.m.FileID)
	if err != nil {
		return err
	}
	if len(p.Video) == 0 {
		return task.InvalidInput("media %s has no video to package", cr.m.FileID)
	}
	cr.src, cr.probe, cr.main = src, p, p.VideoDuration
	if len(cr.p.Heads)+len(cr.p.Tails) == 0 {
		return nil
	}
	plan, head, err := cr.s.planHeadTail(ctx, cr.x.Task.SubAppID, cr.work, cr.p.Heads, cr.p.Tails, src, p, filepath.Join(cr.work, "joined.mp4"))
	if err != nil {
		return err
	}
	if err := cr.s.cfg.Media.RunPlan(ctx, plan, nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return runFailure(err)
	}
	cr.head, cr.src = head, plan.Outputs[0].Path
	cr.probe, err = cr.s.probeLocal(ctx, cr.src, cr.m.FileID)
	return err
}

// prepareAudios places the audio renditions on the source's timeline.
// Without an AudioSet the main media's own first audio stream is the only
// rendition.
func (cr *complexRun) prepareAudios(ctx context.Context) error {
	joined := len(cr.p.Heads)+len(cr.p.Tails) > 0
	if len(cr.p.Audios) == 0 {
		if len(cr.probe.Audio) > 0 {
			cr.audios = []media.ComplexAudio{{Index: cr.probe.Audio[0].Index, Name: "default", Default: true}}
		}
		return nil
	}
	for _, a := range cr.p.Audios {
		ca := media.ComplexAudio{Name: a.Name, Language: a.Language, Default: a.Default}
		if joined && a.FileID == cr.m.FileID && a.Track == 0 {
			// The join carries the main media's first audio with the
			// heads' and tails' sound around it.
			ca.Index = cr.probe.Audio[0].Index
			cr.audios = append(cr.audios, ca)
			continue
		}
		local, p, err := cr.mediaFile(ctx, a.FileID)
		if err != nil {
			return err
		}
		if a.Track >= len(p.Audio) {
			return task.InvalidInput("media %s has %d audio streams, so AudioTrackIdx %d does not exist", a.FileID, len(p.Audio), a.Track)
		}
		ca.Input, ca.Index, ca.Length = local, p.Audio[a.Track].Index, cr.main
		if joined {
			ca.Delay, ca.Total = cr.head, cr.probe.VideoDuration
		}
		cr.audios = append(cr.audios, ca)
	}
	return nil
}

// prepareSubtitles reads the subtitles' WebVTT files, moved by the heads'
// length.
func (cr *complexRun) prepareSubtitles(ctx context.Context) error {
	info := &vodapi.MediaInfo{}
	if len(cr.p.Subtitles) > 0 {
		if err := json.Unmarshal(cr.m.Info, info); err != nil {
			return err
		}
	}
	for _, sub := range cr.p.Subtitles {
		it := findSubtitle(info, sub.ID)
		if it == nil {
			return task.InvalidInput("subtitle %q was deleted from media %s before it was packaged", sub.ID, cr.m.FileID)
		}
		key, ok := cr.s.keyOfURL(vodapi.Val(it.Url))
		if !ok {
			return fmt.Errorf("subtitle %q has a URL of no blob", sub.ID)
		}
		rc, err := cr.s.cfg.Blob.Get(ctx, key)
		if err != nil {
			return task.SourceError("the WebVTT file of subtitle %q cannot be read: %v", sub.ID, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxSubtitleBytes+1))
		rc.Close()
		if err != nil {
			return err
		}
		vtt, err := media.ShiftVTT(string(b), cr.head)
		if err != nil {
			return task.InvalidInput("subtitle %q is not valid WebVTT", sub.ID)
		}
		cr.subs = append(cr.subs, complexSubFile{item: it, vtt: vtt, dflt: sub.Default})
	}
	return nil
}

// pack makes the package of entry i (template def) and uploads it under
// staging; it returns the media's record of it.
func (cr *complexRun) pack(ctx context.Context, i int, def uint64, staging string) (*vodapi.AdaptiveDynamicStreamingInfoItem, error) {
	tpl, err := cr.s.adaptiveDynamicStreamingTemplate(ctx, cr.app, int64(def))
	if err != nil {
		return nil, task.InvalidInput("adaptive streaming template %d was deleted before it was used", def)
	}
	format, manifest := "HLS", "master.m3u8"
	if strings.Contains(strings.ToUpper(vodapi.Val(tpl.Format)), "DASH") {
		format, manifest = "DASH", "manifest.mpd"
	}
	drm := vodapi.Val(tpl.DrmType)
	switch {
	case drm == "":
	case drm == "SimpleAES" && format == "HLS":
	default:
		return nil, task.InvalidInput("template %d: %s %s streams are not supported by this server", def, drm, format)
	}
	relDir := fmt.Sprintf("adp/%d", def)
	dir := filepath.Join(cr.work, "out", fmt.Sprint(i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	spec := media.ComplexSpec{Format: strings.ToLower(format), Dir: dir, Manifest: manifest,
		SegmentSeconds: float64(vodapi.Val(tpl.SegmentDuration)), Audios: cr.audios}
	audioSet := false
	for _, st := range tpl.StreamInfos {
		if vodapi.Val(st.RemoveAudio) != 1 && !audioSet {
			spec.Audio, audioSet = audioSpec(st.Audio), true
		}
		if vodapi.Val(st.RemoveVideo) == 1 {
			continue // audio comes from the audio renditions
		}
		as := media.AdaptiveStream{Video: videoSpec(st.Video)}
		if vodapi.Val(tpl.DisableHigherVideoResolution) == 1 && len(spec.Streams) > 0 && as.Video.Scale.Upscales(cr.probe) {
			continue
		}
		spec.Streams = append(spec.Streams, as)
	}
	if len(spec.Streams) == 0 {
		return nil, task.InvalidInput("template %d has no video rendition to package", def)
	}
	if !audioSet {
		if len(cr.p.Audios) > 0 {
			return nil, task.InvalidInput("template %d removes the audio of every rendition, but AudioSet lists audio tracks", def)
		}
		spec.Audios = nil
	}
	var keyID string
	if drm == "SimpleAES" {
		keyID = randomHex(keyIDSize)
		kdir := filepath.Join(cr.work, "keys")
		if err := os.MkdirAll(kdir, 0o700); err != nil {
			return nil, err
		}
		if spec.Key, err = media.WriteHLSKey(kdir, keyID, keyURI(cr.app.SubAppID, keyID, path.Dir(cr.m.MediaKey)+"/"+relDir), nil, ""); err != nil {
			return nil, err
		}
	}
	plan, res, err := media.PlanComplex(cr.src, spec, cr.probe)
	if err != nil {
		return nil, err
	}
	err = cr.s.cfg.Media.RunPlan(ctx, plan, func(pg media.Progress) {
		if plan.Duration > 0 {
			pct := int64(math.Min(pg.OutTime/plan.Duration, 1) * 99)
			cr.x.Update(func() { cr.r.ComplexAdaptiveDynamicStreamingTaskResultSet[i].Progress = vodapi.Ptr(pct) })
		}
	})
	if err != nil {
		return nil, err
	}
	subItems, dflt, err := cr.writeSubtitles(dir, format, plan.Manifest, res)
	if err != nil {
		return nil, err
	}
	if spec.Key != nil {
		if err := cr.s.putKey(ctx, cr.app.SubAppID, keyID, spec.Key.Key); err != nil {
			return nil, fmt.Errorf("store the stream's key: %w", err)
		}
	}
	if err := uploadDir(ctx, cr.s, dir, staging+"/"+relDir); err != nil {
		return nil, err
	}
	return &vodapi.AdaptiveDynamicStreamingInfoItem{Definition: vodapi.Ptr(int64(def)), Package: vodapi.Ptr(format),
		DrmType: vodapi.Ptr(drm), Url: vodapi.Ptr(cr.s.url(path.Dir(cr.m.MediaKey) + "/" + relDir + "/" + manifest)),
		Size: vodapi.Ptr(dirSize(dir)), DigitalWatermarkType: vodapi.Ptr("None"), SubStreamSet: []*vodapi.MediaSubStreamInfoItem{},
		CopyRightWatermarkText: vodapi.Ptr(""), BlindWatermarkDefinition: vodapi.Ptr(int64(0)),
		SubtitleSet: subItems, DefaultSubtitleId: vodapi.Ptr(dflt), DrmEncryptType: vodapi.Ptr("")}, nil
}

// writeSubtitles writes the subtitles into the package folder (each
// WebVTT file, and for HLS its media playlist) and finishes the manifest
// ffmpeg wrote: names, languages and defaults of the audio renditions,
// and the subtitle renditions.
func (cr *complexRun) writeSubtitles(dir, format, manifest string, res *media.ComplexResult) ([]*vodapi.MediaSubtitleItem, string, error) {
	items := []*vodapi.MediaSubtitleItem{}
	dflt := ""
	var rends []media.SubtitleRendition
	if err := os.MkdirAll(filepath.Join(dir, "subtitles"), 0o755); err != nil {
		return nil, "", err
	}
	if cr.head > 0 {
		// Subtitles attached later (AttachMediaSubtitles) move as these do.
		b, err := json.Marshal(packageTimeline{Offset: cr.head, Duration: cr.probe.Duration})
		if err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(filepath.Join(dir, timelineFile), b, 0o644); err != nil {
			return nil, "", err
		}
	}
	for _, sub := range cr.subs {
		id := vodapi.Val(sub.item.Id)
		vtt := "subtitles/" + id + ".vtt"
		if err := os.WriteFile(filepath.Join(dir, vtt), []byte(sub.vtt), 0o644); err != nil {
			return nil, "", err
		}
		uri := vtt
		if format == "HLS" {
			uri = "subtitles/" + id + ".m3u8"
			// The playlist sits beside the file, in the same folder.
			pl := media.SubtitlePlaylist(id+".vtt", cr.probe.Duration)
			if err := os.WriteFile(filepath.Join(dir, uri), []byte(pl), 0o644); err != nil {
				return nil, "", err
			}
		}
		if sub.dflt && dflt == "" {
			dflt = id
		}
		rends = append(rends, media.SubtitleRendition{URI: uri, Name: vodapi.Val(sub.item.Name),
			Language: vodapi.Val(sub.item.Language), Default: dflt == id})
		cp := *sub.item
		items = append(items, &cp)
	}
	b, err := os.ReadFile(manifest)
	if err != nil {
		return nil, "", err
	}
	var out string
	if format == "HLS" {
		out = media.FinishComplexHLS(string(b), res, cr.audios, rends)
	} else if out, err = media.FinishComplexDASH(string(b), cr.audios, rends); err != nil {
		return nil, "", err
	}
	return items, dflt, os.WriteFile(manifest, []byte(out), 0o644)
}

// uploadDir copies a local folder's files under a blob prefix.
func uploadDir(ctx context.Context, s *Service, dir, prefix string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		_, err = s.cfg.Blob.PutFile(ctx, prefix+"/"+filepath.ToSlash(rel), p)
		return err
	})
}

// commit records the packages on the media (replacing earlier outputs of
// the same templates, as the Procedure does) in the final transaction.
func (cr *complexRun) commit(ctx context.Context, tx *store.Tx) error {
	if cr.info.AdaptiveDynamicStreamingInfo == nil {
		return nil
	}
	_, err := mergeMediaInfo(ctx, tx, cr.m, &cr.info, nil)
	return err
}

// entryFault reports whether err fails one entry only: a problem of its
// template or of the media met while packaging, not a fault of ours.
func entryFault(err error) bool {
	var fail *task.Failure
	var inv *media.InvalidMediaError
	var exit *media.ExitError
	return errors.As(err, &fail) || errors.As(err, &inv) || errors.As(err, &exit) ||
		errors.Is(err, media.ErrInvalidSpec) || errors.Is(err, media.ErrNoStream) ||
		errors.Is(err, media.ErrOffsetBeyondDuration) || errors.Is(err, media.ErrEmptyOutput)
}

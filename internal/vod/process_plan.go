package vod

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// plan turns the subtasks into jobs. Transcodes share one ffmpeg run (one
// decode, a split filter graph); each image or streaming subtask is its
// own job. A subtask that cannot be planned fails at once; the others go
// on.
func (pr *procRun) plan(in *vodapi.MediaProcessTaskInput) []*job {
	var jobs []*job
	idx := 0
	next := func() int { i := idx; idx++; return i }
	// Each job writes into a folder of its own, so uploading one job's
	// outputs never picks up files another job is still writing.
	nroot := 0
	newRoot := func() string {
		nroot++
		pr.root = filepath.Join(pr.out, fmt.Sprintf("j%d", nroot))
		return pr.root
	}
	ladderRoot := newRoot()
	failNow := func(i int, err error) { pr.fail([]int{i}, runFailure(err)) }

	var tsubs []int
	var tspecs []media.OutputSpec
	var tdone []func() error
	var towns [][]string
	var headTails []int // transcodes of a join with heads and tails: jobs of their own
	var headTailIn []*vodapi.TranscodeTaskInput
	for _, t := range in.TranscodeTaskSet {
		i := next()
		if len(t.HeadTailSet) > 0 {
			headTails, headTailIn = append(headTails, i), append(headTailIn, t)
			continue
		}
		j, spec, err := pr.transcode(i, t)
		if err != nil {
			failNow(i, err)
			continue
		}
		tsubs, tspecs, tdone = append(tsubs, i), append(tspecs, spec), append(tdone, j)
		towns = append(towns, pr.transcodeOwns(i, t))
	}
	if len(tspecs) > 0 {
		if plan, err := media.PlanLadder(pr.src, tspecs, pr.probe); err == nil {
			jobs = append(jobs, &job{subs: tsubs, root: ladderRoot, plans: []*media.Plan{plan}, owns: slices.Concat(towns...), done: func() error {
				// The renditions' probes and hashes run side by side: they
				// are the task's only work after the ladder.
				errs := make([]error, len(tdone))
				var wg sync.WaitGroup
				for k, d := range tdone {
					wg.Add(1)
					go func() { defer wg.Done(); errs[k] = d() }()
				}
				wg.Wait()
				return errors.Join(errs...)
			}})
		} else {
			// Plan them one by one, so that one bad rendition fails alone;
			// the others run in sequence, sharing the job's folder.
			j := &job{root: ladderRoot}
			var dones []func() error
			for k, spec := range tspecs {
				plan, err := media.PlanLadder(pr.src, []media.OutputSpec{spec}, pr.probe)
				if err != nil {
					failNow(tsubs[k], err)
					continue
				}
				j.subs, j.plans, dones = append(j.subs, tsubs[k]), append(j.plans, plan), append(dones, tdone[k])
				j.owns = append(j.owns, towns[k]...)
			}
			if len(j.plans) > 0 {
				j.done = func() error {
					for _, d := range dones {
						if err := d(); err != nil {
							return err
						}
					}
					return nil
				}
				jobs = append(jobs, j)
			}
		}
	}
	add := func(i int, j *job, err error) {
		if err != nil {
			failNow(i, err)
			return
		}
		j.subs, j.root = []int{i}, pr.root
		jobs = append(jobs, j)
	}
	for k, i := range headTails {
		newRoot()
		j, err := pr.headTailTranscode(i, headTailIn[k]) // complex_headtail.go
		add(i, j, err)
	}
	// The image and streaming subtasks: a job each, in request order.
	each := func(n int, plan func(k, i int) (*job, error)) {
		for k := range n {
			i := next()
			newRoot()
			j, err := plan(k, i)
			add(i, j, err)
		}
	}
	each(len(in.AnimatedGraphicTaskSet), func(k, i int) (*job, error) { return pr.animated(i, in.AnimatedGraphicTaskSet[k]) })
	each(len(in.SnapshotByTimeOffsetTaskSet), func(k, i int) (*job, error) { return pr.snapshots(i, in.SnapshotByTimeOffsetTaskSet[k]) })
	each(len(in.SampleSnapshotTaskSet), func(k, i int) (*job, error) { return pr.samples(i, in.SampleSnapshotTaskSet[k]) })
	each(len(in.ImageSpriteTaskSet), func(k, i int) (*job, error) { return pr.sprites(i, in.ImageSpriteTaskSet[k]) })
	each(len(in.CoverBySnapshotTaskSet), func(k, i int) (*job, error) { return pr.cover(i, in.CoverBySnapshotTaskSet[k]) })
	each(len(in.AdaptiveDynamicStreamingTaskSet), func(k, i int) (*job, error) {
		return pr.adaptive(i, in.AdaptiveDynamicStreamingTaskSet[k])
	})
	return jobs
}

func (pr *procRun) sub(i int) *vodapi.MediaProcessTaskResult { return pr.r.MediaProcessResultSet[i] }

func unsupported(what string) error {
	return fmt.Errorf("%w: %s are not supported by this server yet", media.ErrInvalidSpec, what)
}

func (pr *procRun) transcode(i int, in *vodapi.TranscodeTaskInput) (func() error, media.OutputSpec, error) {
	switch {
	case len(in.HeadTailSet) > 0:
		return nil, media.OutputSpec{}, fmt.Errorf("%w: head/tail clips are planned by headTailTranscode", media.ErrInvalidSpec)
	case len(in.SubtitleInfoSet) > 0:
		return nil, media.OutputSpec{}, unsupported("burnt-in subtitles")
	}
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.transcodeTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, media.OutputSpec{}, fmt.Errorf("%w: transcode template %d: %v", media.ErrInvalidSpec, def, err)
	}
	c := containerOf(vodapi.Val(tpl.Container))
	rel := fmt.Sprintf("f0.f%d.%s", def, extOfContainer(c))
	to := pr.independentMedia(i)
	if to != nil {
		rel = independentDir + to.FileID + "/" + path.Base(originalKey(to.Dir, extOfContainer(c)))
	}
	spec := transcodeSpec(tpl, in, pr.local(rel))
	if spec.Overlays, err = pr.overlays(i, in); err != nil {
		return nil, media.OutputSpec{}, err
	}
	done := func() error {
		local := spec.Path
		p, err := pr.s.cfg.Media.Probe(pr.ctx, local)
		if err != nil {
			return err
		}
		sum, size, err := fileMD5Size(local)
		if err != nil {
			return err
		}
		meta := metaFromProbe(p, sum)
		if c == media.ContainerHLS {
			// ffprobe reports the playlist's size; count the segments too.
			size = prefixSize(filepath.Dir(local), strings.TrimSuffix(filepath.Base(local), ".m3u8"))
			if d := vodapi.Val(meta.Duration); d > 0 {
				meta.Bitrate = vodapi.Ptr(int64(float64(size*8) / d))
			}
		}
		item := &vodapi.MediaTranscodeItem{Url: vodapi.Ptr(pr.finalURL(rel)), Definition: vodapi.Ptr(def), Bitrate: meta.Bitrate,
			Height: meta.Height, Width: meta.Width, Size: vodapi.Ptr(size), Duration: meta.Duration, Md5: vodapi.Ptr(sum),
			Container: vodapi.Ptr(string(c)), VideoStreamSet: meta.VideoStreamSet, AudioStreamSet: meta.AudioStreamSet,
			DigitalWatermarkType: vodapi.Ptr("None"), CopyRightWatermarkText: vodapi.Ptr(""),
			BlindWatermarkDefinition: vodapi.Ptr(int64(0)), FileId: vodapi.Ptr("")}
		pr.sub(i).TranscodeTask.Output = item
		if to != nil {
			return pr.addIndependent(item, to, c, meta)
		}
		return nil
	}
	return done, spec, nil
}

// prefixSize sums the files in dir whose names start with stem (a playlist
// and its segments).
func prefixSize(dir, stem string) int64 {
	var n int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), stem) {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
	}
	return n
}

func imageSpec(w, h *uint64, adaptive, fill, format *string) media.ImageSpec {
	return media.ImageSpec{Scale: scaleOf(w, h, adaptive, fill), Format: strings.ToLower(vodapi.Val(format))}
}

func imgExt(format string) string {
	if format == "" {
		return "jpg"
	}
	return strings.ToLower(format)
}

func (pr *procRun) animated(i int, in *vodapi.AnimatedGraphicTaskInput) (*job, error) {
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.animatedGraphicsTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	format := strings.ToLower(orDefault(vodapi.Val(tpl.Format), "gif"))
	rel := fmt.Sprintf("animated/%d.%s", def, format)
	spec := media.AnimationSpec{Path: pr.local(rel), Format: format, Fps: float64(vodapi.Val(tpl.Fps)),
		Scale: scaleOf(tpl.Width, tpl.Height, tpl.ResolutionAdaptive, nil), Start: vodapi.Val(in.StartTimeOffset),
		End: vodapi.Val(in.EndTimeOffset), Quality: vodapi.Val(tpl.Quality)}
	plan, err := media.PlanAnimation(pr.src, spec, pr.probe)
	if err != nil {
		return nil, err
	}
	return &job{plans: []*media.Plan{plan}, owns: []string{fmt.Sprintf("animated/%d.", def)}, done: func() error {
		sum, size, err := fileMD5Size(spec.Path)
		if err != nil {
			return err
		}
		o := plan.Outputs[0]
		dur := plan.Duration
		var br int64
		if dur > 0 {
			br = int64(float64(size*8) / dur)
		}
		item := &vodapi.MediaAnimatedGraphicsItem{Url: vodapi.Ptr(pr.finalURL(rel)), Definition: vodapi.Ptr(def),
			Container: vodapi.Ptr(format), Height: vodapi.Ptr(int64(o.Height)), Width: vodapi.Ptr(int64(o.Width)),
			Bitrate: vodapi.Ptr(br), Size: vodapi.Ptr(size), Md5: vodapi.Ptr(sum),
			StartTimeOffset: vodapi.Ptr(vodapi.Val(in.StartTimeOffset)), EndTimeOffset: vodapi.Ptr(vodapi.Val(in.EndTimeOffset))}
		pr.sub(i).AnimatedGraphicTask.Output = item
		return nil
	}}, nil
}

// at converts a snapshot time to seconds of the source.
func (pr *procRun) at(t offset) float64 {
	if t.percent {
		d := pr.probe.VideoDuration
		if d == 0 {
			d = pr.probe.Duration
		}
		return d * t.v / 100
	}
	return t.v
}

func (pr *procRun) snapshots(i int, in *vodapi.SnapshotByTimeOffsetTaskInput) (*job, error) {
	ovs, wdefs, err := pr.imageOverlays(i, in.WatermarkSet)
	if err != nil {
		return nil, err
	}
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.snapshotByTimeOffsetTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	times, err := snapshotTimes(in)
	if err != nil {
		return nil, err
	}
	ext := imgExt(vodapi.Val(tpl.Format))
	var shots []media.Snapshot
	var rels []string
	for k, t := range times {
		rel := fmt.Sprintf("snapshot/%d/%d.%s", def, k, ext)
		rels = append(rels, rel)
		shots = append(shots, media.Snapshot{At: pr.at(t), Path: pr.local(rel)})
	}
	img := imageSpec(tpl.Width, tpl.Height, tpl.ResolutionAdaptive, tpl.FillType, tpl.Format)
	img.Overlays = ovs
	plans, err := media.PlanSnapshots(pr.src, shots, img, pr.probe)
	if err != nil {
		return nil, err
	}
	return &job{plans: plans, owns: []string{fmt.Sprintf("snapshot/%d/", def)}, done: func() error {
		item := &vodapi.MediaSnapshotByTimeOffsetItem{Definition: vodapi.Ptr(def)}
		for k, rel := range rels {
			item.PicInfoSet = append(item.PicInfoSet, &vodapi.MediaSnapshotByTimePicInfoItem{
				TimeOffset: vodapi.Ptr(math.Round(shots[k].At * 1000)), Url: vodapi.Ptr(pr.finalURL(rel)), WaterMarkDefinition: wdefs})
		}
		pr.sub(i).SnapshotByTimeOffsetTask.Output = item
		return nil
	}}, nil
}

// sequenceURLs lists the files a numbered-sequence output wrote as URLs.
func (pr *procRun) sequenceURLs(root, pattern string) ([]string, error) {
	files, err := media.SequenceFiles(pattern)
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		urls = append(urls, pr.finalURL(filepath.ToSlash(rel)))
	}
	return urls, nil
}

func (pr *procRun) samples(i int, in *vodapi.SampleSnapshotTaskInput) (*job, error) {
	ovs, wdefs, err := pr.imageOverlays(i, in.WatermarkSet)
	if err != nil {
		return nil, err
	}
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.sampleSnapshotTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	ext := imgExt(vodapi.Val(tpl.Format))
	pattern, root := pr.local(fmt.Sprintf("sample/%d/%%d.%s", def, ext)), pr.root
	spec := media.SampleSpec{Pattern: pattern, Image: imageSpec(tpl.Width, tpl.Height, tpl.ResolutionAdaptive, tpl.FillType, tpl.Format),
		Sampling: media.Sampling{Type: media.SampleType(vodapi.Val(tpl.SampleType)), Interval: float64(vodapi.Val(tpl.SampleInterval))}}
	spec.Image.Overlays = ovs
	plan, err := media.PlanSampleSnapshots(pr.src, spec, pr.probe)
	if err != nil {
		return nil, err
	}
	return &job{plans: []*media.Plan{plan}, owns: []string{fmt.Sprintf("sample/%d/", def)}, done: func() error {
		urls, err := pr.sequenceURLs(root, pattern)
		if err != nil {
			return err
		}
		item := &vodapi.MediaSampleSnapshotItem{Definition: vodapi.Ptr(def), SampleType: vodapi.Ptr(vodapi.Val(tpl.SampleType)),
			Interval: vodapi.Ptr(int64(vodapi.Val(tpl.SampleInterval))), ImageUrlSet: urls, WaterMarkDefinition: wdefs}
		pr.sub(i).SampleSnapshotTask.Output = item
		return nil
	}}, nil
}

func (pr *procRun) sprites(i int, in *vodapi.ImageSpriteTaskInput) (*job, error) {
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.imageSpriteTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	ext := imgExt(vodapi.Val(tpl.Format))
	pattern, root := pr.local(fmt.Sprintf("sprite/%d/%%d.%s", def, ext)), pr.root
	spec := media.SpriteSpec{Pattern: pattern, Image: imageSpec(tpl.Width, tpl.Height, tpl.ResolutionAdaptive, tpl.FillType, tpl.Format),
		Sampling: media.Sampling{Type: media.SampleType(vodapi.Val(tpl.SampleType)), Interval: float64(vodapi.Val(tpl.SampleInterval))},
		Columns:  int(vodapi.Val(tpl.ColumnCount)), Rows: int(vodapi.Val(tpl.RowCount))}
	plan, layout, err := media.PlanSprites(pr.src, spec, pr.probe)
	if err != nil {
		return nil, err
	}
	vttRel := fmt.Sprintf("sprite/%d/index.vtt", def)
	return &job{plans: []*media.Plan{plan}, owns: []string{fmt.Sprintf("sprite/%d/", def)}, done: func() error {
		urls, err := pr.sequenceURLs(root, pattern)
		if err != nil {
			return err
		}
		// The index names its sheets relative to itself (they share its
		// folder), so it keeps working when the public URL changes.
		names := make([]string, len(urls))
		for k, u := range urls {
			names[k] = path.Base(u)
		}
		vtt, err := media.SpriteVTT(names, layout, pr.probe.Duration)
		if err != nil {
			return err
		}
		if _, err := pr.s.cfg.Blob.Put(pr.ctx, pr.staging+"/"+vttRel, strings.NewReader(vtt), "text/vtt"); err != nil {
			return err
		}
		item := &vodapi.MediaImageSpriteItem{Definition: vodapi.Ptr(def), Height: vodapi.Ptr(int64(layout.CellHeight)),
			Width: vodapi.Ptr(int64(layout.CellWidth)), TotalCount: vodapi.Ptr(int64(layout.Count)), ImageUrlSet: urls,
			WebVttUrl: vodapi.Ptr(pr.finalURL(vttRel))}
		pr.sub(i).ImageSpriteTask.Output = item
		return nil
	}}, nil
}

func (pr *procRun) cover(i int, in *vodapi.CoverBySnapshotTaskInput) (*job, error) {
	ovs, wdefs, err := pr.imageOverlays(i, in.WatermarkSet)
	if err != nil {
		return nil, err
	}
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.snapshotByTimeOffsetTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	t := offset{v: vodapi.Val(in.PositionValue), percent: vodapi.Val(in.PositionType) == "Percent"}
	rel := fmt.Sprintf("cover-%d-%s.%s", def, pr.x.Task.TaskID[len(pr.x.Task.TaskID)-10:], imgExt(vodapi.Val(tpl.Format)))
	img := imageSpec(tpl.Width, tpl.Height, tpl.ResolutionAdaptive, tpl.FillType, tpl.Format)
	img.Overlays = ovs
	_ = wdefs // a cover's output names no watermarks
	plans, err := media.PlanSnapshots(pr.src, []media.Snapshot{{At: pr.at(t), Path: pr.local(rel)}}, img, pr.probe)
	if err != nil {
		return nil, err
	}
	return &job{plans: plans, done: func() error {
		pr.sub(i).CoverBySnapshotTask.Output = &vodapi.CoverBySnapshotTaskOutput{CoverUrl: vodapi.Ptr(pr.finalURL(rel))}
		pr.mu.Lock()
		pr.cov = rel
		pr.mu.Unlock()
		return nil
	}}, nil
}

func (pr *procRun) adaptive(i int, in *vodapi.AdaptiveDynamicStreamingTaskInput) (*job, error) {
	switch {
	case len(in.SubtitleSet) > 0 || len(in.SubtitleInfoSet) > 0:
		return nil, unsupported("subtitles in adaptive streams")
	case in.DrmInfo != nil:
		return nil, unsupported("third-party DRM")
	}
	def := int64(vodapi.Val(in.Definition))
	tpl, err := pr.s.adaptiveDynamicStreamingTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return nil, err
	}
	format, manifest := "HLS", "master.m3u8"
	if strings.Contains(strings.ToUpper(vodapi.Val(tpl.Format)), "DASH") {
		format, manifest = "DASH", "manifest.mpd"
	}
	drm := vodapi.Val(tpl.DrmType)
	switch {
	case drm == "":
	case drm == "SimpleAES" && format == "HLS":
	case drm == "SimpleAES":
		return nil, unsupported("SimpleAES DASH streams")
	default:
		return nil, unsupported("encrypted (" + drm + ") adaptive streams")
	}
	relDir := fmt.Sprintf("adp/%d", def)
	spec := media.AdaptiveSpec{Format: strings.ToLower(format), Dir: pr.local(relDir + "/x"), Manifest: manifest,
		SegmentSeconds: float64(vodapi.Val(tpl.SegmentDuration))}
	spec.Dir = filepath.Dir(spec.Dir)
	var keyID string
	if drm == "SimpleAES" {
		// A key of its own per task, drawn at random; ffmpeg reads it from
		// outside the job's folder, so it is never published with the
		// segments, and players fetch it from KeysHandler.
		keyID = randomHex(keyIDSize)
		dir := filepath.Join(filepath.Dir(pr.out), "keys")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if spec.Key, err = media.WriteHLSKey(dir, keyID, keyURI(pr.app.SubAppID, keyID, pr.mdir+"/"+relDir), nil, ""); err != nil {
			return nil, err
		}
	}
	for _, st := range tpl.StreamInfos {
		as := media.AdaptiveStream{Video: videoSpec(st.Video), Audio: audioSpec(st.Audio),
			RemoveVideo: vodapi.Val(st.RemoveVideo) == 1, RemoveAudio: vodapi.Val(st.RemoveAudio) == 1}
		// DisableHigherVideoResolution drops the renditions larger than the
		// source (the smallest one always stays).
		if vodapi.Val(tpl.DisableHigherVideoResolution) == 1 && len(spec.Streams) > 0 && as.Video.Scale.Upscales(pr.probe) {
			continue
		}
		spec.Streams = append(spec.Streams, as)
	}
	for k, w := range in.WatermarkSet {
		o, err := pr.watermarkOverlay(i, k, w)
		if err != nil {
			return nil, fmt.Errorf("WatermarkSet[%d]: %w", k, err)
		}
		spec.Overlays = append(spec.Overlays, o)
	}
	plan, err := media.PlanAdaptive(pr.src, spec, pr.probe)
	if err != nil {
		return nil, err
	}
	return &job{plans: []*media.Plan{plan}, owns: []string{relDir + "/"}, done: func() error {
		if spec.Key != nil {
			if err := pr.s.putKey(pr.ctx, pr.app.SubAppID, keyID, spec.Key.Key); err != nil {
				return fmt.Errorf("store the stream's key: %w", err)
			}
		}
		item := &vodapi.AdaptiveDynamicStreamingInfoItem{Definition: vodapi.Ptr(def), Package: vodapi.Ptr(format),
			DrmType: vodapi.Ptr(drm), Url: vodapi.Ptr(pr.finalURL(relDir + "/" + manifest)), Size: vodapi.Ptr(dirSize(spec.Dir)),
			DigitalWatermarkType: vodapi.Ptr("None"), SubStreamSet: []*vodapi.MediaSubStreamInfoItem{},
			CopyRightWatermarkText: vodapi.Ptr(""), BlindWatermarkDefinition: vodapi.Ptr(int64(0)),
			SubtitleSet: []*vodapi.MediaSubtitleItem{}, DefaultSubtitleId: vodapi.Ptr(""), DrmEncryptType: vodapi.Ptr("")}
		pr.sub(i).AdaptiveDynamicStreamingTask.Output = item
		return nil
	}}, nil
}

// mergeInfo adds the outputs in add to info, replacing outputs of the same
// template made earlier.
func mergeInfo(info, add *vodapi.MediaInfo) {
	if a := add.TranscodeInfo; a != nil {
		if info.TranscodeInfo == nil {
			info.TranscodeInfo = &vodapi.MediaTranscodeInfo{}
		}
		info.TranscodeInfo.TranscodeSet = replaceByDef(info.TranscodeInfo.TranscodeSet, a.TranscodeSet,
			func(x *vodapi.MediaTranscodeItem) int64 { return vodapi.Val(x.Definition) })
	}
	if a := add.AnimatedGraphicsInfo; a != nil {
		if info.AnimatedGraphicsInfo == nil {
			info.AnimatedGraphicsInfo = &vodapi.MediaAnimatedGraphicsInfo{}
		}
		info.AnimatedGraphicsInfo.AnimatedGraphicsSet = replaceByDef(info.AnimatedGraphicsInfo.AnimatedGraphicsSet, a.AnimatedGraphicsSet,
			func(x *vodapi.MediaAnimatedGraphicsItem) int64 { return vodapi.Val(x.Definition) })
	}
	if a := add.SnapshotByTimeOffsetInfo; a != nil {
		if info.SnapshotByTimeOffsetInfo == nil {
			info.SnapshotByTimeOffsetInfo = &vodapi.MediaSnapshotByTimeOffsetInfo{}
		}
		info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet = replaceByDef(info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet,
			a.SnapshotByTimeOffsetSet, func(x *vodapi.MediaSnapshotByTimeOffsetItem) int64 { return vodapi.Val(x.Definition) })
	}
	if a := add.SampleSnapshotInfo; a != nil {
		if info.SampleSnapshotInfo == nil {
			info.SampleSnapshotInfo = &vodapi.MediaSampleSnapshotInfo{}
		}
		info.SampleSnapshotInfo.SampleSnapshotSet = replaceByDef(info.SampleSnapshotInfo.SampleSnapshotSet, a.SampleSnapshotSet,
			func(x *vodapi.MediaSampleSnapshotItem) int64 { return vodapi.Val(x.Definition) })
	}
	if a := add.ImageSpriteInfo; a != nil {
		if info.ImageSpriteInfo == nil {
			info.ImageSpriteInfo = &vodapi.MediaImageSpriteInfo{}
		}
		info.ImageSpriteInfo.ImageSpriteSet = replaceByDef(info.ImageSpriteInfo.ImageSpriteSet, a.ImageSpriteSet,
			func(x *vodapi.MediaImageSpriteItem) int64 { return vodapi.Val(x.Definition) })
	}
	if a := add.AdaptiveDynamicStreamingInfo; a != nil {
		if info.AdaptiveDynamicStreamingInfo == nil {
			info.AdaptiveDynamicStreamingInfo = &vodapi.MediaAdaptiveDynamicStreamingInfo{}
		}
		info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet = replaceByDef(info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet,
			a.AdaptiveDynamicStreamingSet, func(x *vodapi.AdaptiveDynamicStreamingInfoItem) int64 { return vodapi.Val(x.Definition) })
	}
}

// replaceByDef returns old without the items whose definition an added
// item has, followed by the added items.
func replaceByDef[T any](old, added []*T, def func(*T) int64) []*T {
	out := make([]*T, 0, len(old)+len(added))
	for _, o := range old {
		keep := true
		for _, a := range added {
			if def(a) == def(o) {
				keep = false
			}
		}
		if keep {
			out = append(out, o)
		}
	}
	return append(out, added...)
}

// infoOf returns the outputs to record on the media: those of the
// subtasks that succeeded, in the order of the request (the media shows
// the same items the task reports). Transcodes that became media of their
// own are left out.
func infoOf(r *vodapi.ProcedureTask) *vodapi.MediaInfo {
	info := &vodapi.MediaInfo{}
	for _, sub := range r.MediaProcessResultSet {
		if st := subStatus(sub); st == nil || *st != "SUCCESS" {
			continue
		}
		switch {
		case sub.TranscodeTask != nil && sub.TranscodeTask.Output != nil && vodapi.Val(sub.TranscodeTask.Output.FileId) == "":
			if info.TranscodeInfo == nil {
				info.TranscodeInfo = &vodapi.MediaTranscodeInfo{}
			}
			info.TranscodeInfo.TranscodeSet = append(info.TranscodeInfo.TranscodeSet, sub.TranscodeTask.Output)
		case sub.AnimatedGraphicTask != nil && sub.AnimatedGraphicTask.Output != nil:
			if info.AnimatedGraphicsInfo == nil {
				info.AnimatedGraphicsInfo = &vodapi.MediaAnimatedGraphicsInfo{}
			}
			info.AnimatedGraphicsInfo.AnimatedGraphicsSet = append(info.AnimatedGraphicsInfo.AnimatedGraphicsSet, sub.AnimatedGraphicTask.Output)
		case sub.SnapshotByTimeOffsetTask != nil && sub.SnapshotByTimeOffsetTask.Output != nil:
			if info.SnapshotByTimeOffsetInfo == nil {
				info.SnapshotByTimeOffsetInfo = &vodapi.MediaSnapshotByTimeOffsetInfo{}
			}
			info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet = append(info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet,
				sub.SnapshotByTimeOffsetTask.Output)
		case sub.SampleSnapshotTask != nil && sub.SampleSnapshotTask.Output != nil:
			if info.SampleSnapshotInfo == nil {
				info.SampleSnapshotInfo = &vodapi.MediaSampleSnapshotInfo{}
			}
			info.SampleSnapshotInfo.SampleSnapshotSet = append(info.SampleSnapshotInfo.SampleSnapshotSet, sub.SampleSnapshotTask.Output)
		case sub.ImageSpriteTask != nil && sub.ImageSpriteTask.Output != nil:
			if info.ImageSpriteInfo == nil {
				info.ImageSpriteInfo = &vodapi.MediaImageSpriteInfo{}
			}
			info.ImageSpriteInfo.ImageSpriteSet = append(info.ImageSpriteInfo.ImageSpriteSet, sub.ImageSpriteTask.Output)
		case sub.AdaptiveDynamicStreamingTask != nil && sub.AdaptiveDynamicStreamingTask.Output != nil:
			if info.AdaptiveDynamicStreamingInfo == nil {
				info.AdaptiveDynamicStreamingInfo = &vodapi.MediaAdaptiveDynamicStreamingInfo{}
			}
			info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet = append(info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet,
				sub.AdaptiveDynamicStreamingTask.Output)
		}
	}
	return info
}

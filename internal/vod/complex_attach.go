package vod

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// AttachMediaSubtitles attaches subtitles of a media to one of its
// adaptive streams, or detaches them: an HLS master playlist is rewritten
// to list the attached ones as #EXT-X-MEDIA TYPE=SUBTITLES renditions,
// each with a media playlist of its single WebVTT file; a DASH manifest
// gets a text AdaptationSet per subtitle.
func (s *Service) AttachMediaSubtitles(ctx context.Context, req *vodapi.AttachMediaSubtitlesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	op := vodapi.Val(req.Operation)
	if op != "Attach" && op != "Detach" {
		return nil, tcapi.Errorf("InvalidParameterValue", "Operation must be Attach or Detach")
	}
	if len(req.SubtitleIds) == 0 {
		return nil, tcapi.Errorf("InvalidParameter", "SubtitleIds must list at least one subtitle Id")
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	info := &vodapi.MediaInfo{}
	if err := json.Unmarshal(m.Info, info); err != nil {
		return nil, errInternal("read media info", err)
	}
	def := int64(vodapi.Val(req.AdaptiveDynamicStreamingDefinition))
	item := adaptiveItem(info, def)
	if item == nil {
		return nil, tcapi.Errorf("InvalidParameterValue.Definition", "media %s has no adaptive stream of template %d", m.FileID, def)
	}
	if pkg := vodapi.Val(item.Package); pkg != "HLS" && pkg != "DASH" {
		return nil, tcapi.Errorf("UnsupportedOperation", "subtitles can be attached to HLS and DASH adaptive streams only; template %d makes %s", def, pkg)
	}
	subs, dflt, err := attachedAfter(info, item, op, req.SubtitleIds, vodapi.Val(req.DefaultSubtitleId))
	if err != nil {
		return nil, err
	}
	if err := s.writeSubtitleRenditions(ctx, m, item, subs, dflt); err != nil {
		return nil, errInternal("rewrite master playlist", err)
	}
	err = s.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.GetMedia(ctx, app.SubAppID, m.FileID)
		if err != nil {
			return err
		}
		ci := &vodapi.MediaInfo{}
		if err := json.Unmarshal(cur.Info, ci); err != nil {
			return err
		}
		it := adaptiveItem(ci, def)
		if it == nil {
			return store.ErrNotFound
		}
		it.SubtitleSet, it.DefaultSubtitleId = subs, vodapi.Ptr(dflt)
		if cur.Info, err = json.Marshal(ci); err != nil {
			return err
		}
		cur.UpdatedAt = time.Now().UTC().Truncate(time.Second)
		return tx.UpdateMedia(ctx, cur)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, tcapi.Errorf("ResourceNotFound.FileNotExist", "media %q or its adaptive stream was deleted meanwhile", m.FileID)
	}
	if err != nil {
		return nil, errInternal("attach subtitles", err)
	}
	return &vodapi.AttachMediaSubtitlesResponse{}, nil
}

// adaptiveItem returns the media's adaptive stream of template def, or nil.
func adaptiveItem(info *vodapi.MediaInfo, def int64) *vodapi.AdaptiveDynamicStreamingInfoItem {
	if info.AdaptiveDynamicStreamingInfo == nil {
		return nil
	}
	for _, a := range info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet {
		if vodapi.Val(a.Definition) == def {
			return a
		}
	}
	return nil
}

// attachedAfter returns the subtitles an adaptive stream has after the
// operation, and its default subtitle ("" for none).
func attachedAfter(info *vodapi.MediaInfo, item *vodapi.AdaptiveDynamicStreamingInfoItem, op string, ids []string, dflt string) ([]*vodapi.MediaSubtitleItem, string, error) {
	subs := slices.Clone(item.SubtitleSet)
	for _, id := range ids {
		at := slices.IndexFunc(subs, func(it *vodapi.MediaSubtitleItem) bool { return vodapi.Val(it.Id) == id })
		if op == "Detach" {
			if at < 0 {
				return nil, "", tcapi.Errorf("InvalidParameterValue", "subtitle %q is not attached to the adaptive stream of template %d", id, vodapi.Val(item.Definition))
			}
			subs = slices.Delete(subs, at, at+1)
			continue
		}
		it := findSubtitle(info, id)
		if it == nil {
			return nil, "", tcapi.Errorf("InvalidParameterValue", "the media has no subtitle with Id %q (add it with ModifyMediaInfo AddSubtitles)", id)
		}
		cp := *it
		if at >= 0 {
			subs[at] = &cp
		} else {
			subs = append(subs, &cp)
		}
	}
	has := func(id string) bool {
		return slices.ContainsFunc(subs, func(it *vodapi.MediaSubtitleItem) bool { return vodapi.Val(it.Id) == id })
	}
	switch {
	case dflt != "" && !has(dflt):
		return nil, "", tcapi.Errorf("InvalidParameterValue", "DefaultSubtitleId %q is not among the stream's subtitles", dflt)
	case dflt == "" && has(vodapi.Val(item.DefaultSubtitleId)):
		dflt = vodapi.Val(item.DefaultSubtitleId) // the default stays while attached
	}
	if subs == nil {
		subs = []*vodapi.MediaSubtitleItem{}
	}
	return subs, dflt, nil
}

// writeSubtitleRenditions rewrites an adaptive stream's manifest to list
// subs. HLS gets a media playlist per subtitle next to the master
// playlist, each pointing at the media's WebVTT file; DASH gets a text
// AdaptationSet per subtitle pointing at the file. Paths are relative,
// so the package stays movable.
func (s *Service) writeSubtitleRenditions(ctx context.Context, m *store.Media, item *vodapi.AdaptiveDynamicStreamingInfoItem, subs []*vodapi.MediaSubtitleItem, dflt string) error {
	manifestKey, ok := s.keyOfURL(vodapi.Val(item.Url))
	if !ok {
		return errors.New("the stream's URL is not one of this server")
	}
	hls := vodapi.Val(item.Package) == "HLS"
	dir := path.Dir(manifestKey)
	var meta vodapi.MediaMetaData
	json.Unmarshal(m.Meta, &meta)
	tl, err := s.packageTimeline(ctx, dir, vodapi.Val(meta.Duration))
	if err != nil {
		return err
	}
	var rends []media.SubtitleRendition
	for _, it := range subs {
		vttKey, ok := s.keyOfURL(vodapi.Val(it.Url))
		if !ok {
			return errors.New("a subtitle's URL is not one of this server")
		}
		if tl.Offset > 0 {
			// The package starts with heads: it plays a copy of the
			// cues moved by their length.
			if vttKey, err = s.shiftedSubtitle(ctx, vttKey, dir+"/subtitles/"+vodapi.Val(it.Id)+".vtt", tl.Offset); err != nil {
				return err
			}
		}
		r := media.SubtitleRendition{Name: vodapi.Val(it.Name), Language: vodapi.Val(it.Language), Default: vodapi.Val(it.Id) == dflt}
		if !hls {
			rel, err := relPath(dir, vttKey)
			if err != nil {
				return err
			}
			r.URI = rel
			rends = append(rends, r)
			continue
		}
		rel, err := relPath(dir+"/subtitles", vttKey)
		if err != nil {
			return err
		}
		r.URI = "subtitles/" + vodapi.Val(it.Id) + ".m3u8"
		body := media.SubtitlePlaylist(rel, tl.Duration)
		if _, err := s.cfg.Blob.Put(ctx, dir+"/"+r.URI, strings.NewReader(body), ""); err != nil {
			return err
		}
		rends = append(rends, r)
	}
	rc, err := s.cfg.Blob.Get(ctx, manifestKey)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(rc, 4<<20))
	rc.Close()
	if err != nil {
		return err
	}
	out := media.SetHLSSubtitles(string(b), rends)
	if !hls {
		if out, err = media.SetDASHSubtitles(string(b), rends); err != nil {
			return err
		}
	}
	_, err = s.cfg.Blob.Put(ctx, manifestKey, strings.NewReader(out), "")
	return err
}

// relPath returns the slash path of key relative to the folder dir.
func relPath(dir, key string) (string, error) {
	from, to := strings.Split(dir, "/"), strings.Split(key, "/")
	n := 0
	for n < len(from) && n < len(to)-1 && from[n] == to[n] {
		n++
	}
	if n == 0 {
		return "", errors.New("the files share no folder")
	}
	return strings.Repeat("../", len(from)-n) + strings.Join(to[n:], "/"), nil
}

// timelineFile, in a package's folder, says how the package's timeline
// differs from its media's (complex packages with heads).
const timelineFile = "timeline.json"

// packageTimeline is where a package's media starts in it, and how long
// the package plays.
type packageTimeline struct {
	Offset   float64 `json:"offset"`
	Duration float64 `json:"duration"`
}

// packageTimeline reads the timeline of the package in folder dir: the
// media's own (offset 0, duration d) unless the package says otherwise.
func (s *Service) packageTimeline(ctx context.Context, dir string, d float64) (packageTimeline, error) {
	tl := packageTimeline{Duration: d}
	rc, err := s.cfg.Blob.Get(ctx, dir+"/"+timelineFile)
	if errors.Is(err, blob.ErrNotFound) {
		return tl, nil
	}
	if err != nil {
		return tl, err
	}
	defer rc.Close()
	err = json.NewDecoder(io.LimitReader(rc, 4<<10)).Decode(&tl)
	return tl, err
}

// shiftedSubtitle stores at key to a copy of the WebVTT file at key from,
// with every cue moved by offset seconds, and returns to.
func (s *Service) shiftedSubtitle(ctx context.Context, from, to string, offset float64) (string, error) {
	rc, err := s.cfg.Blob.Get(ctx, from)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxSubtitleBytes+1))
	rc.Close()
	if err != nil {
		return "", err
	}
	vtt, err := media.ShiftVTT(string(b), offset)
	if err != nil {
		return "", err
	}
	_, err = s.cfg.Blob.Put(ctx, to, strings.NewReader(vtt), "text/vtt")
	return to, err
}

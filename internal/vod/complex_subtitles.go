package vod

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// Limits of a media's subtitles (ModifyMediaInfo).
const (
	maxSubtitles     = 16
	maxSubtitleBytes = 4 << 20
)

// subtitleLanguages are the Language values MediaSubtitleInput accepts.
var subtitleLanguages = []string{"zh", "en", "ja", "ko", "vi", "ms", "th", "pt", "tr", "ar", "es", "hi", "fr"}

// subtitleIDPattern is what a caller-chosen subtitle Id may be.
var subtitleIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,16}$`)

// checkSubtitleChanges validates ModifyMediaInfo's subtitle parameters
// before anything is read.
func checkSubtitleChanges(req *vodapi.ModifyMediaInfoRequest) error {
	if len(req.AddSubtitles) > maxSubtitles {
		return tcapi.Errorf("InvalidParameterValue", "AddSubtitles may list at most %d subtitles", maxSubtitles)
	}
	if len(req.AddSubtitles) > 0 && vodapi.Val(req.ClearSubtitles) == 1 {
		return tcapi.Errorf("InvalidParameterValue", "AddSubtitles and ClearSubtitles cannot be used together")
	}
	seen := map[string]bool{}
	for k, sub := range req.AddSubtitles {
		field := fmt.Sprintf("AddSubtitles[%d]", k)
		if n := utf8.RuneCountInString(vodapi.Val(sub.Name)); n == 0 || n > 64 {
			return tcapi.Errorf("InvalidParameterValue", "%s.Name must be 1 to 64 characters", field)
		}
		if !slices.Contains(subtitleLanguages, vodapi.Val(sub.Language)) {
			return tcapi.Errorf("InvalidParameterValue", "%s.Language must be one of %s", field, strings.Join(subtitleLanguages, ", "))
		}
		if vodapi.Val(sub.Format) != "vtt" {
			return tcapi.Errorf("InvalidParameterValue", "%s.Format must be vtt", field)
		}
		if id := vodapi.Val(sub.Id); sub.Id != nil {
			if !subtitleIDPattern.MatchString(id) {
				return tcapi.Errorf("InvalidParameterValue", "%s.Id must be 1 to 16 letters, digits, _ or -", field)
			}
			if slices.Contains(req.DeleteSubtitleIds, id) {
				return tcapi.Errorf("InvalidParameterValue", "%s.Id %q is also in DeleteSubtitleIds", field, id)
			}
			if seen[id] {
				return tcapi.Errorf("InvalidParameterValue", "%s.Id %q is given twice", field, id)
			}
			seen[id] = true
		}
		if base64.StdEncoding.DecodedLen(len(vodapi.Val(sub.Content))) > maxSubtitleBytes {
			return tcapi.Errorf("InvalidParameterValue", "%s.Content is larger than %d bytes", field, maxSubtitleBytes)
		}
	}
	return nil
}

// subtitleChange is the subtitle part of one ModifyMediaInfo: the new
// files, stored before the transaction (storage I/O inside it would hold
// the database's write connection), and what the transaction removed.
// A nil *subtitleChange is no change.
type subtitleChange struct {
	s       *Service
	req     *vodapi.ModifyMediaInfoRequest
	add     []*vodapi.MediaSubtitleItem
	keys    []string // blob keys of add
	removed []*vodapi.MediaSubtitleItem
}

// prepareSubtitles decodes, checks and stores the subtitles a
// ModifyMediaInfo adds; nil when the request changes no subtitle.
func (s *Service) prepareSubtitles(ctx context.Context, app *store.App, req *vodapi.ModifyMediaInfoRequest) (*subtitleChange, error) {
	if len(req.AddSubtitles) == 0 && len(req.DeleteSubtitleIds) == 0 && vodapi.Val(req.ClearSubtitles) != 1 {
		return nil, nil
	}
	c := &subtitleChange{s: s, req: req}
	if len(req.AddSubtitles) == 0 {
		return c, nil
	}
	m, err := s.mediaOf(ctx, app, vodapi.Val(req.FileId))
	if err != nil {
		return nil, err
	}
	for k, sub := range req.AddSubtitles {
		raw, err := base64.StdEncoding.DecodeString(vodapi.Val(sub.Content))
		if err != nil {
			return nil, c.undo(ctx, tcapi.Errorf("InvalidParameterValue", "AddSubtitles[%d].Content is not base64", k))
		}
		if !utf8.Valid(raw) || media.CheckVTT(string(raw)) != nil {
			return nil, c.undo(ctx, tcapi.Errorf("InvalidParameterValue", "AddSubtitles[%d].Content is not a WebVTT file (UTF-8, starting with WEBVTT, with valid cue timings)", k))
		}
		id := vodapi.Val(sub.Id)
		if sub.Id == nil {
			id = randomHex(6)
		}
		key := path.Dir(m.MediaKey) + "/subtitles/" + id + "-" + randomHex(4) + ".vtt"
		if _, err := s.cfg.Blob.Put(ctx, key, strings.NewReader(string(raw)), "text/vtt"); err != nil {
			return nil, c.undo(ctx, errInternal("store subtitle", err))
		}
		c.keys = append(c.keys, key)
		c.add = append(c.add, &vodapi.MediaSubtitleItem{Id: vodapi.Ptr(id), Name: vodapi.Ptr(vodapi.Val(sub.Name)),
			Language: vodapi.Ptr(vodapi.Val(sub.Language)), Format: vodapi.Ptr("vtt"), Url: vodapi.Ptr(s.url(key)),
			Source: vodapi.Ptr("UserUploaded")})
	}
	return c, nil
}

// undo removes the files stored so far and returns err.
func (c *subtitleChange) undo(ctx context.Context, err error) error {
	for _, k := range c.keys {
		c.s.cfg.Blob.Delete(ctx, k)
	}
	c.keys = nil
	return err
}

// apply changes the media's subtitle list inside the transaction: clear
// or delete first, then add. A subtitle attached to an adaptive stream
// cannot be removed (its playlist refers to it): detach it first.
func (c *subtitleChange) apply(m *store.Media) error {
	if c == nil {
		return nil
	}
	info := &vodapi.MediaInfo{}
	if len(m.Info) > 0 {
		if err := json.Unmarshal(m.Info, info); err != nil {
			return err
		}
	}
	cur := mediaSubtitles(info)
	gone := func(it *vodapi.MediaSubtitleItem) bool {
		return vodapi.Val(c.req.ClearSubtitles) == 1 || slices.Contains(c.req.DeleteSubtitleIds, vodapi.Val(it.Id))
	}
	var keep []*vodapi.MediaSubtitleItem
	c.removed = nil
	for _, it := range cur {
		if !gone(it) {
			keep = append(keep, it)
			continue
		}
		if def := attachedTo(info, vodapi.Val(it.Id)); def >= 0 {
			return tcapi.Errorf("FailedOperation", "subtitle %q is attached to the adaptive stream of template %d: detach it first (AttachMediaSubtitles)", vodapi.Val(it.Id), def)
		}
		c.removed = append(c.removed, it)
	}
	for _, it := range c.add {
		if slices.ContainsFunc(keep, func(k *vodapi.MediaSubtitleItem) bool { return vodapi.Val(k.Id) == vodapi.Val(it.Id) }) {
			return tcapi.Errorf("InvalidParameterValue", "the media already has a subtitle with Id %q", vodapi.Val(it.Id))
		}
		keep = append(keep, it)
	}
	if len(keep) > maxSubtitles {
		return tcapi.Errorf("LimitExceeded", "a media may have at most %d subtitles", maxSubtitles)
	}
	if keep == nil {
		keep = []*vodapi.MediaSubtitleItem{}
	}
	info.SubtitleInfo = &vodapi.MediaSubtitleInfo{SubtitleSet: keep}
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	m.Info = b
	return nil
}

// finish removes, after the transaction, the new files when it failed or
// the removed subtitles' files when it succeeded.
func (c *subtitleChange) finish(ctx context.Context, err error) {
	if c == nil {
		return
	}
	if err != nil {
		c.undo(ctx, nil)
		return
	}
	for _, it := range c.removed {
		if key, ok := c.s.keyOfURL(vodapi.Val(it.Url)); ok {
			c.s.cfg.Blob.Delete(ctx, key)
		}
	}
}

// added is ModifyMediaInfo's AddedSubtitleSet.
func (c *subtitleChange) added() []*vodapi.MediaSubtitleItem {
	if c == nil || c.add == nil {
		return []*vodapi.MediaSubtitleItem{}
	}
	return c.add
}

// mediaSubtitles lists a media's subtitles.
func mediaSubtitles(info *vodapi.MediaInfo) []*vodapi.MediaSubtitleItem {
	if info.SubtitleInfo == nil {
		return nil
	}
	return info.SubtitleInfo.SubtitleSet
}

// findSubtitle returns the media's subtitle id, or nil.
func findSubtitle(info *vodapi.MediaInfo, id string) *vodapi.MediaSubtitleItem {
	for _, it := range mediaSubtitles(info) {
		if vodapi.Val(it.Id) == id {
			return it
		}
	}
	return nil
}

// attachedTo returns the template of an adaptive stream subtitle id is
// attached to, or -1.
func attachedTo(info *vodapi.MediaInfo, id string) int64 {
	if info.AdaptiveDynamicStreamingInfo == nil {
		return -1
	}
	for _, a := range info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet {
		for _, sub := range a.SubtitleSet {
			if vodapi.Val(sub.Id) == id {
				return vodapi.Val(a.Definition)
			}
		}
	}
	return -1
}

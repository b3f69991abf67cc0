package vod

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// maxPlaylistBytes bounds the playlists the clipping actions read.
const maxPlaylistBytes = 8 << 20

// hlsSource is an HLS media playlist of a stored media, ready to clip:
// its segment addresses are absolute URLs.
type hlsSource struct {
	m    *store.Media
	key  string // the playlist's blob key
	meta *vodapi.MediaMetaData
	pl   *media.HLSPlaylist
}

// notHLS is the answer for an input that is not an HLS playlist.
func notHLS(what string) error {
	return tcapi.Errorf("InvalidParameterValue", "%s is not HLS: clipping without re-encoding works on HLS playlists only "+
		"(an HLS original, or an HLS transcode such as ProcessMedia with Definition 100210)", what)
}

// hlsFromURL finds the media playlist a SimpleHlsClip Url names: the HLS
// original or an HLS transcode of a media of the application.
func (s *Service) hlsFromURL(ctx context.Context, app *store.App, raw string) (*hlsSource, error) {
	key, ok := s.keyOfURL(raw)
	bad := func() error {
		return tcapi.Errorf("InvalidParameterValue", "Url %q is not the URL of a file of a media of this application", raw)
	}
	if !ok {
		return nil, bad()
	}
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 3 || parts[0] != u64(app.SubAppID) || len(parts[1]) <= 16 {
		return nil, bad()
	}
	m, err := s.cfg.DB.GetMedia(ctx, app.SubAppID, parts[1][16:])
	if errors.Is(err, store.ErrNotFound) {
		return nil, bad()
	}
	if err != nil {
		return nil, errInternal("read media", err)
	}
	if path.Dir(m.MediaKey) != parts[0]+"/"+parts[1] {
		return nil, bad()
	}
	if !strings.HasSuffix(key, ".m3u8") {
		return nil, notHLS("Url " + raw)
	}
	meta, err := s.playlistMeta(m, key)
	if err != nil {
		return nil, err
	}
	return s.loadHLS(ctx, m, key, meta, "Url "+raw)
}

// hlsFromFile finds the playlist a FastEditMedia input names.
func (s *Service) hlsFromFile(ctx context.Context, app *store.App, i int, fi *vodapi.FastEditMediaFileInfo) (*hlsSource, error) {
	m, err := s.editSource(ctx, app, fi.FileId)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("FileInfos[%d] (media %s)", i, m.FileID)
	switch vodapi.Val(fi.AudioVideoType) {
	case "Original":
		if !strings.HasSuffix(m.MediaKey, ".m3u8") {
			return nil, notHLS("the original of " + what)
		}
		return s.loadHLS(ctx, m, m.MediaKey, nil, what)
	case "Transcode":
		def := vodapi.Val(fi.TranscodeDefinition)
		for _, t := range s.transcodes(m) {
			if vodapi.Val(t.Definition) != def {
				continue
			}
			key, ok := s.keyOfURL(vodapi.Val(t.Url))
			if !ok || !strings.HasSuffix(key, ".m3u8") {
				return nil, notHLS(fmt.Sprintf("the transcode %d of %s", def, what))
			}
			return s.loadHLS(ctx, m, key, transcodeMeta(t), what)
		}
		return nil, tcapi.Errorf("InvalidParameterValue", "%s has no transcode with TranscodeDefinition %d", what, def)
	}
	return nil, tcapi.Errorf("InvalidParameterValue", "%s: AudioVideoType must be Transcode or Original, got %q", what, vodapi.Val(fi.AudioVideoType))
}

// keyOfURL returns the blob key of a URL this server hands out for files.
func (s *Service) keyOfURL(raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, s.cfg.PublicURL+"/files/")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	key, err := url.PathUnescape(rest)
	if err != nil || blob.ValidKey(key) != nil {
		return "", false
	}
	return key, true
}

// transcodes lists a media's transcodes.
func (s *Service) transcodes(m *store.Media) []*vodapi.MediaTranscodeItem {
	info, err := s.mediaInfo(m, []string{"TranscodeInfo"})
	if err != nil || info.TranscodeInfo == nil {
		return nil
	}
	return info.TranscodeInfo.TranscodeSet
}

// playlistMeta is the metadata of the playlist at key: the media's own
// for its original, its transcode's for a transcode.
func (s *Service) playlistMeta(m *store.Media, key string) (*vodapi.MediaMetaData, error) {
	if key == m.MediaKey {
		return nil, nil
	}
	u := s.url(key)
	for _, t := range s.transcodes(m) {
		if vodapi.Val(t.Url) == u {
			return transcodeMeta(t), nil
		}
	}
	return nil, tcapi.Errorf("InvalidParameterValue", "Url %s is neither the original nor a transcode of media %s: "+
		"clip the original or a transcode's playlist", u, m.FileID)
}

// transcodeMeta turns a transcode's description into metadata.
func transcodeMeta(t *vodapi.MediaTranscodeItem) *vodapi.MediaMetaData {
	return &vodapi.MediaMetaData{Container: t.Container, Width: t.Width, Height: t.Height,
		VideoStreamSet: t.VideoStreamSet, AudioStreamSet: t.AudioStreamSet}
}

// loadHLS reads and parses a playlist and makes its addresses absolute.
// meta nil takes the media's own metadata.
func (s *Service) loadHLS(ctx context.Context, m *store.Media, key string, meta *vodapi.MediaMetaData, what string) (*hlsSource, error) {
	rc, err := s.cfg.Blob.Get(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, tcapi.Errorf("InvalidParameterValue", "%s: the playlist is missing from storage", what)
	}
	if err != nil {
		return nil, errInternal("read playlist", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPlaylistBytes))
	if err != nil {
		return nil, errInternal("read playlist", err)
	}
	pl, err := media.ParseHLSPlaylist(string(b))
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameterValue", "%s: %v", what, err)
	}
	base, err := url.Parse(s.url(key))
	if err != nil {
		return nil, errInternal("playlist url", err)
	}
	pl.Rewrite(func(u string) string {
		ref, err := url.Parse(u)
		if err != nil {
			return u
		}
		return base.ResolveReference(ref).String()
	})
	// A playlist may only name files of its own media: an uploaded one
	// could otherwise reach into other media's (or applications') folders.
	dir := path.Dir(m.MediaKey) + "/"
	for _, seg := range pl.Segments {
		for _, u := range append([]string{seg.URI}, uriAttrs(seg.Map)...) {
			if k, ok := s.keyOfURL(u); !ok || !strings.HasPrefix(k, dir) {
				return nil, tcapi.Errorf("InvalidParameterValue", "%s: the playlist names %s, which is not a file of its media", what, u)
			}
		}
	}
	if meta == nil {
		meta = &vodapi.MediaMetaData{}
		if len(m.Meta) > 0 {
			if err := json.Unmarshal(m.Meta, meta); err != nil {
				return nil, errInternal("read metadata", err)
			}
		}
	}
	return &hlsSource{m: m, key: key, meta: meta, pl: pl}, nil
}

// clip cuts a source's playlist, answering the API error for a bad
// window.
func (h *hlsSource) clip(what string, start, end *float64, endExclusive bool) ([]media.HLSSegment, error) {
	segs, err := h.pl.Clip(vodapi.Val(start), vodapi.Val(end), endExclusive)
	if err != nil {
		return nil, tcapi.Errorf("InvalidParameterValue", "%s: %v (the playlist lasts %gs)", what, err, round3(h.pl.Duration()))
	}
	return segs, nil
}

// clipMeta is the metadata of a clip of src made of segs: the source's
// picture and streams, the clip's duration and size.
func (s *Service) clipMeta(ctx context.Context, src *vodapi.MediaMetaData, parts ...[]media.HLSSegment) *vodapi.MediaMetaData {
	var d float64
	var size int64
	for _, segs := range parts {
		for _, seg := range segs {
			d += seg.Duration
			if key, ok := s.keyOfURL(seg.URI); ok {
				if a, err := s.cfg.Blob.Attributes(ctx, key); err == nil {
					size += a.Size
				}
			}
		}
	}
	d = round3(d)
	m := &vodapi.MediaMetaData{Size: vodapi.Ptr(size), Container: vodapi.Ptr("hls"), Bitrate: vodapi.Ptr(int64(0)),
		Height: vodapi.Ptr(vodapi.Val(src.Height)), Width: vodapi.Ptr(vodapi.Val(src.Width)), Duration: vodapi.Ptr(d),
		Rotate: vodapi.Ptr(vodapi.Val(src.Rotate)), VideoStreamSet: src.VideoStreamSet, AudioStreamSet: src.AudioStreamSet,
		VideoDuration: vodapi.Ptr(0.0), AudioDuration: vodapi.Ptr(0.0), Md5: vodapi.Ptr("")}
	if d > 0 {
		m.Bitrate = vodapi.Ptr(int64(float64(size*8) / d))
	}
	if m.VideoStreamSet == nil {
		m.VideoStreamSet = []*vodapi.MediaVideoStreamItem{}
	}
	if m.AudioStreamSet == nil {
		m.AudioStreamSet = []*vodapi.MediaAudioStreamItem{}
	}
	if len(m.VideoStreamSet) > 0 {
		m.VideoDuration = vodapi.Ptr(d)
	}
	if len(m.AudioStreamSet) > 0 {
		m.AudioDuration = vodapi.Ptr(d)
	}
	return m
}

// SimpleHlsClip cuts an HLS playlist at segment boundaries without
// re-encoding. Without persistence it stores only the new playlist, next
// to the source's files, pointing at the source's segments; with
// IsPersistence 1 the clip becomes a new media (see persistClip).
func (s *Service) SimpleHlsClip(ctx context.Context, req *vodapi.SimpleHlsClipRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkSession(nil, req.SessionContext); err != nil {
		return nil, err
	}
	persist := vodapi.Val(req.IsPersistence)
	if persist != 0 && persist != 1 {
		return nil, tcapi.Errorf("InvalidParameterValue", "IsPersistence must be 0 or 1, got %d", persist)
	}
	remux := false
	switch strings.ToLower(vodapi.Val(req.OutputMediaType)) {
	case "", "hls":
	case "mp4":
		if persist != 1 {
			return nil, tcapi.Errorf("InvalidParameterValue", "OutputMediaType mp4 needs IsPersistence 1: an mp4 clip is a new media")
		}
		remux = true
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "OutputMediaType must be hls or mp4, got %q", vodapi.Val(req.OutputMediaType))
	}
	src, err := s.hlsFromURL(ctx, app, vodapi.Val(req.Url))
	if err != nil {
		return nil, err
	}
	segs, err := src.clip("StartTimeOffset/EndTimeOffset", req.StartTimeOffset, req.EndTimeOffset, false)
	if err != nil {
		return nil, err
	}
	meta := s.clipMeta(ctx, src.meta, segs)
	if persist == 1 {
		nm, err := s.checkNewMedia(ctx, app, nil, req.ExpireTime, nil, nil, req.ClassId, req.SourceContext, req.Procedure)
		if err != nil {
			return nil, err
		}
		nm.Name = defaultName(src.m.Name, "_clip")
		if remux {
			meta.Container = vodapi.Ptr("mp4")
		}
		c, err := s.persistClip(ctx, app, clipJob{media: nm, version: src.pl.Version, meta: meta, source: "SimpleHlsClip",
			sessionContext: vodapi.Val(req.SessionContext), remux: remux, parts: [][]media.HLSSegment{segs}})
		if err != nil {
			return nil, err
		}
		return &vodapi.SimpleHlsClipResponse{Url: vodapi.Ptr(c.url), MetaData: meta, FileId: vodapi.Ptr(nm.FileID), TaskId: vodapi.Ptr(c.taskID)}, nil
	}
	var id [16]byte
	rand.Read(id[:])
	key := path.Dir(src.m.MediaKey) + "/clips/" + hex.EncodeToString(id[:]) + ".m3u8"
	text := media.WriteHLSPlaylist(src.pl.Version, segs)
	if _, err := s.cfg.Blob.Put(ctx, key, strings.NewReader(text), "application/vnd.apple.mpegurl"); err != nil {
		return nil, errInternal("store clip playlist", err)
	}
	return &vodapi.SimpleHlsClipResponse{Url: vodapi.Ptr(s.url(key)), MetaData: meta, FileId: vodapi.Ptr(""), TaskId: vodapi.Ptr("")}, nil
}

// FastEditMedia cuts HLS playlists of stored media at segment boundaries
// and joins them, without re-encoding, into a new media whose segments a
// FastClipMedia task copies (persistence).
func (s *Service) FastEditMedia(ctx context.Context, req *vodapi.FastEditMediaRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if len(req.FileInfos) == 0 {
		return nil, tcapi.Errorf("InvalidParameter", "FileInfos must list at least one media")
	}
	if len(req.FileInfos) > 100 {
		return nil, tcapi.Errorf("InvalidParameterValue", "FileInfos lists %d media; at most 100 can be joined", len(req.FileInfos))
	}
	exclusive := false
	switch vodapi.Val(req.ClipMode) {
	case "", "StartInclusiveEndInclusive":
	case "StartInclusiveEndExclusive":
		exclusive = true
	default:
		return nil, tcapi.Errorf("InvalidParameterValue", "ClipMode must be StartInclusiveEndInclusive or StartInclusiveEndExclusive, got %q", vodapi.Val(req.ClipMode))
	}
	var parts [][]media.HLSSegment
	var first *hlsSource
	version := 3
	for i, fi := range req.FileInfos {
		if fi == nil {
			return nil, tcapi.Errorf("InvalidParameter", "FileInfos[%d] is null", i)
		}
		src, err := s.hlsFromFile(ctx, app, i, fi)
		if err != nil {
			return nil, err
		}
		segs, err := src.clip(fmt.Sprintf("FileInfos[%d]", i), fi.StartTimeOffset, fi.EndTimeOffset, exclusive)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = src
		}
		version = max(version, src.pl.Version)
		parts = append(parts, segs)
	}
	nm, err := s.checkNewMedia(ctx, app, nil, nil, nil, nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	nm.Name = defaultName(first.m.Name, "_fastedit")
	c, err := s.persistClip(ctx, app, clipJob{media: nm, version: version, meta: s.clipMeta(ctx, first.meta, parts...),
		source: "FastEditMedia", parts: parts})
	if err != nil {
		return nil, err
	}
	return &vodapi.FastEditMediaResponse{FileId: vodapi.Ptr(nm.FileID), Url: vodapi.Ptr(c.url)}, nil
}

// uriAttrs returns the URI attribute of a tag line (none for "").
func uriAttrs(line string) []string {
	var out []string
	mapURIs(line, func(u string) string { out = append(out, u); return u })
	return out
}

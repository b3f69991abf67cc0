package vod

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/openvod/openvod/internal/blob"
	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/vodapi"
)

// neverExpires is how the API writes "no expiry".
const neverExpires = "9999-12-31T23:59:59Z"

// newFileID mints a FileId: 19 decimal digits, kept as a string (it is
// larger than JavaScript's safe integers on purpose).
func newFileID() string {
	lo := big.NewInt(1_000_000_000_000_000_000) // 1e18: 19 digits, no leading zero
	n, _ := rand.Int(rand.Reader, new(big.Int).Mul(lo, big.NewInt(9)))
	return n.Add(n, lo).String()
}

// newMediaDir picks the storage folder of a new media: the application, then
// a random part so that URLs cannot be guessed from FileIds.
func newMediaDir(subAppID uint64, fileID string) string {
	var b [8]byte
	rand.Read(b[:])
	return u64(subAppID) + "/" + hex.EncodeToString(b[:]) + fileID
}

// originalKey is the blob key of a media's original file.
func originalKey(dir, ext string) string { return dir + "/f0." + ext }

func (s *Service) url(key string) string {
	if key == "" {
		return ""
	}
	return blob.URL(s.cfg.PublicURL+"/files", key)
}

// metaFromProbe converts a probe into the API's MediaMetaData.
func metaFromProbe(p *media.Probe, md5 string) *vodapi.MediaMetaData {
	m := &vodapi.MediaMetaData{
		Size: vodapi.Ptr(p.Size), Container: vodapi.Ptr(p.Container), Bitrate: vodapi.Ptr(p.Bitrate),
		Height: vodapi.Ptr(int64(p.Height)), Width: vodapi.Ptr(int64(p.Width)), Duration: vodapi.Ptr(round3(p.Duration)),
		Rotate: vodapi.Ptr(int64(p.Rotate)), VideoStreamSet: []*vodapi.MediaVideoStreamItem{},
		AudioStreamSet: []*vodapi.MediaAudioStreamItem{}, VideoDuration: vodapi.Ptr(round3(p.VideoDuration)),
		AudioDuration: vodapi.Ptr(round3(p.AudioDuration)), Md5: vodapi.Ptr(md5),
	}
	for _, v := range p.Video {
		dr := &vodapi.DynamicRangeInfo{Type: vodapi.Ptr("SDR"), HDRType: vodapi.Ptr("")}
		if v.HDR != "" {
			dr = &vodapi.DynamicRangeInfo{Type: vodapi.Ptr("HDR"), HDRType: vodapi.Ptr(v.HDR)}
		}
		m.VideoStreamSet = append(m.VideoStreamSet, &vodapi.MediaVideoStreamItem{
			Bitrate: vodapi.Ptr(v.Bitrate), Height: vodapi.Ptr(int64(v.Height)), Width: vodapi.Ptr(int64(v.Width)),
			Codec: vodapi.Ptr(v.Codec), Fps: vodapi.Ptr(int64(v.Fps)), CodecTag: vodapi.Ptr(v.CodecTag), DynamicRangeInfo: dr,
		})
	}
	for _, a := range p.Audio {
		m.AudioStreamSet = append(m.AudioStreamSet, &vodapi.MediaAudioStreamItem{
			Bitrate: vodapi.Ptr(a.Bitrate), SamplingRate: vodapi.Ptr(int64(a.SampleRate)), Codec: vodapi.Ptr(a.Codec),
		})
	}
	return m
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// category says whether probed media is a Video, an Audio or an Image.
func category(p *media.Probe) string {
	if len(p.Video) == 0 {
		return "Audio"
	}
	v := p.Video[0]
	still := map[string]bool{"png": true, "mjpeg": true, "webp": true, "bmp": true, "gif": true, "tiff": true}
	if len(p.Audio) == 0 && still[v.Codec] && (p.Duration == 0 || v.Frames <= 1) {
		return "Image"
	}
	return "Video"
}

// extOf returns a lower-case extension for a media type or file name.
func extOf(name string) string {
	e := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if e == "" {
		e = strings.ToLower(name)
	}
	return e
}

// validExt accepts short alphanumeric extensions only: they become part of
// storage keys and URLs.
func validExt(e string) bool {
	if e == "" || len(e) > 10 {
		return false
	}
	for _, c := range e {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func expireString(t time.Time) string {
	if t.IsZero() {
		return neverExpires
	}
	return task.FormatTime(t)
}

// parseExpire reads an ExpireTime parameter; "" and the never value mean
// no expiry.
func parseExpire(v string) (time.Time, bool) {
	if v == "" || v == neverExpires {
		return time.Time{}, true
	}
	t, err := parseTime(v)
	return t, err == nil
}

// basicInfo renders a media's MediaBasicInfo.
func (s *Service) basicInfo(m *store.Media) *vodapi.MediaBasicInfo {
	return &vodapi.MediaBasicInfo{
		Name: vodapi.Ptr(m.Name), Description: vodapi.Ptr(m.Description),
		CreateTime: vodapi.Ptr(task.FormatTime(m.CreatedAt)), UpdateTime: vodapi.Ptr(task.FormatTime(m.UpdatedAt)),
		ExpireTime: vodapi.Ptr(expireString(m.ExpireAt)), ClassId: vodapi.Ptr(m.ClassID), ClassName: vodapi.Ptr(className(m.ClassID)),
		ClassPath: vodapi.Ptr(className(m.ClassID)), CoverUrl: vodapi.Ptr(s.url(m.CoverKey)), Type: vodapi.Ptr(m.MediaType),
		MediaUrl:      vodapi.Ptr(s.url(m.MediaKey)),
		SourceInfo:    &vodapi.MediaSourceData{SourceType: vodapi.Ptr(m.SourceType), SourceContext: vodapi.Ptr(m.SourceContext)},
		StorageRegion: vodapi.Ptr(m.StorageRegion), StoragePath: vodapi.Ptr(m.StoragePath), TagSet: orEmptyStrings(m.Tags),
		Vid: vodapi.Ptr(""), Category: vodapi.Ptr(m.Category), Status: vodapi.Ptr("Normal"), StorageClass: vodapi.Ptr("STANDARD"),
	}
}

// className names the built-in category; user categories come later.
func className(id int64) string {
	if id == 0 {
		return "Other"
	}
	return ""
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// mediaInfo renders a MediaInfo, keeping only the parts filters name (all
// when filters is empty). Processing outputs are stored in m.Info in the
// shape of MediaInfo itself.
func (s *Service) mediaInfo(m *store.Media, filters []string) (*vodapi.MediaInfo, error) {
	info := &vodapi.MediaInfo{}
	if len(m.Info) > 0 {
		if err := json.Unmarshal(m.Info, info); err != nil {
			return nil, err
		}
	}
	info.FileId = vodapi.Ptr(m.FileID)
	info.BasicInfo = s.basicInfo(m)
	if len(m.Meta) > 0 && string(m.Meta) != "null" {
		info.MetaData = &vodapi.MediaMetaData{}
		if err := json.Unmarshal(m.Meta, info.MetaData); err != nil {
			return nil, err
		}
	}
	if len(filters) == 0 {
		return info, nil
	}
	keep := map[string]bool{}
	for _, f := range filters {
		keep[strings.ToLower(f)] = true
	}
	out := &vodapi.MediaInfo{FileId: info.FileId}
	parts := []struct {
		name string
		set  func()
	}{
		{"basicinfo", func() { out.BasicInfo = info.BasicInfo }},
		{"metadata", func() { out.MetaData = info.MetaData }},
		{"transcodeinfo", func() { out.TranscodeInfo = info.TranscodeInfo }},
		{"animatedgraphicsinfo", func() { out.AnimatedGraphicsInfo = info.AnimatedGraphicsInfo }},
		{"samplesnapshotinfo", func() { out.SampleSnapshotInfo = info.SampleSnapshotInfo }},
		{"imagespriteinfo", func() { out.ImageSpriteInfo = info.ImageSpriteInfo }},
		{"snapshotbytimeoffsetinfo", func() { out.SnapshotByTimeOffsetInfo = info.SnapshotByTimeOffsetInfo }},
		{"keyframedescinfo", func() { out.KeyFrameDescInfo = info.KeyFrameDescInfo }},
		{"adaptivedynamicstreaminginfo", func() { out.AdaptiveDynamicStreamingInfo = info.AdaptiveDynamicStreamingInfo }},
		{"miniprogramreviewinfo", func() { out.MiniProgramReviewInfo = info.MiniProgramReviewInfo }},
		{"subtitleinfo", func() { out.SubtitleInfo = info.SubtitleInfo }},
		{"reviewinfo", func() { out.ReviewInfo = info.ReviewInfo }},
	}
	for _, p := range parts {
		if keep[p.name] {
			p.set()
		}
	}
	return out, nil
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

package vod

import (
	"encoding/json"
	"time"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/vodapi"
)

// independentDir is the staging folder of the outputs that become media
// of their own (OutputAsIndependentMedia ON), one sub-folder per FileId.
const independentDir = "_media/"

// independent returns the new media transcode subtask i makes, or nil
// when its output belongs to the source media.
func (pr *procRun) independentMedia(i int) *newMedia {
	if i < len(pr.independent) {
		return &pr.independent[i]
	}
	return nil
}

// addIndependent records transcode output item as the original of a new
// media to, named and filed like the source; it is inserted in
// the task's final transaction. It runs under the Exec's lock.
func (pr *procRun) addIndependent(item *vodapi.MediaTranscodeItem, to *newMedia, c media.Container, meta *vodapi.MediaMetaData) error {
	ext, id := extOfContainer(c), to.FileID
	key := originalKey(to.Dir, ext)
	item.Url, item.FileId = vodapi.Ptr(pr.s.url(key)), vodapi.Ptr(id)
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	category := "Video"
	if len(meta.VideoStreamSet) == 0 {
		category = "Audio"
	}
	now := time.Now().UTC().Truncate(time.Second)
	nm := &store.Media{FileID: id, SubAppID: pr.m.SubAppID, Name: pr.m.Name, ClassID: pr.m.ClassID, MediaType: ext,
		Category: category, MediaKey: key, StorageRegion: pr.m.StorageRegion, SourceType: "VideoProcessing",
		SourceContext: pr.m.SourceContext, Meta: b, Info: []byte("{}"), CreatedAt: now, UpdatedAt: now}
	pr.mu.Lock()
	pr.media = append(pr.media, nm)
	pr.mu.Unlock()
	return nil
}

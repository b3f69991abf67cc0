package vod

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/openvod/openvod/internal/vodapi"
)

// A Procedure run again with the same templates publishes its outputs
// over the earlier ones, but not every earlier file is overwritten: an HLS
// transcode of a shorter source leaves the old tail segments, a SimpleAES
// stream a new key beside the old one, a new cover the old cover. Once the
// new outputs are recorded, what is left of the old ones is deleted.

// leftovers is what a run knows of the files its outputs replace.
type leftovers struct {
	owned  []string        // prefixes in the media's folder that succeeded subtasks own
	staged map[string]bool // paths, relative to the media's folder, the run published
	keys   map[string]bool // SimpleAES key ids the replaced streams' playlists named
	cover  string          // the cover key the run replaced (set at commit)
}

// transcodeOwns returns the prefixes of transcode subtask i's files in the
// media's folder ("f0.f10." and, for HLS segments, "f0.f10_"); none when
// its output is a media of its own.
func (pr *procRun) transcodeOwns(i int, in *vodapi.TranscodeTaskInput) []string {
	if pr.independentMedia(i) != nil {
		return nil
	}
	def := vodapi.Val(in.Definition)
	return []string{fmt.Sprintf("f0.f%d.", def), fmt.Sprintf("f0.f%d_", def)}
}

// own records the prefixes of a job whose subtasks all succeeded.
func (pr *procRun) own(prefixes []string) {
	pr.mu.Lock()
	pr.old.owned = append(pr.old.owned, prefixes...)
	pr.mu.Unlock()
}

// beforePublish notes, before the staged outputs are published, which
// files they are and which keys the playlists they replace name.
func (pr *procRun) beforePublish(ctx context.Context) error {
	keys, err := pr.s.cfg.Blob.List(ctx, pr.staging+"/")
	if err != nil {
		return err
	}
	pr.old.staged = make(map[string]bool, len(keys))
	for _, k := range keys {
		pr.old.staged[strings.TrimPrefix(k, pr.staging+"/")] = true
	}
	pr.old.keys = map[string]bool{}
	for _, p := range pr.old.owned {
		if strings.HasPrefix(p, "adp/") {
			ids, err := pr.s.streamKeyIDs(ctx, pr.m.SubAppID, pr.mdir+"/"+p)
			if err != nil {
				return err
			}
			maps.Copy(pr.old.keys, ids)
		}
	}
	return nil
}

// removeLeftovers deletes, once the outputs are published, the files under
// the owned prefixes that the run did not publish and the keys the
// replaced streams named and theirs no longer do: the playlists now in
// place name none of them. A failure only leaves files behind, so it is
// logged.
func (pr *procRun) removeLeftovers(ctx context.Context) {
	log := pr.x.Log
	newKeys := map[string]bool{}
	for _, p := range pr.old.owned {
		// List names folders: a file-name prefix ("f0.f10_") is looked
		// for in its folder.
		prefix := pr.mdir + "/" + p
		keys, err := pr.s.cfg.Blob.List(ctx, prefix[:strings.LastIndex(prefix, "/")])
		if err != nil {
			log.Warn("list replaced outputs", "prefix", p, "err", err)
			continue
		}
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) && !pr.old.staged[strings.TrimPrefix(k, pr.mdir+"/")] {
				if err := pr.s.cfg.Blob.Delete(ctx, k); err != nil {
					log.Warn("delete a replaced output", "key", k, "err", err)
				}
			}
		}
		if strings.HasPrefix(p, "adp/") {
			ids, _ := pr.s.streamKeyIDs(ctx, pr.m.SubAppID, pr.mdir+"/"+p)
			maps.Copy(newKeys, ids)
		}
	}
	for id := range pr.old.keys {
		if !newKeys[id] {
			if err := pr.s.cfg.Blob.Delete(ctx, keyBlobKey(pr.m.SubAppID, id)); err != nil {
				log.Warn("delete a replaced stream key", "err", err)
			}
		}
	}
}

// removeOldCover deletes, after the final transaction made the new cover
// the media's, the cover it replaced.
func (pr *procRun) removeOldCover(ctx context.Context) {
	if c := pr.old.cover; c != "" && strings.HasPrefix(c, pr.mdir+"/") && c != pr.mdir+"/"+pr.cov {
		if err := pr.s.cfg.Blob.Delete(ctx, c); err != nil {
			pr.x.Log.Warn("delete the replaced cover", "key", c, "err", err)
		}
	}
}

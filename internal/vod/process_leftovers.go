package vod

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"

	"github.com/openvod/openvod/internal/vodapi"
)

// A task run again with the same templates publishes its outputs over the
// earlier ones, but not every earlier file is overwritten: an HLS
// transcode of a shorter source leaves the old tail segments, a SimpleAES
// stream a new key beside the old one. Once the new outputs are
// published, what is left of the old ones is deleted.

// leftovers is what a run knows of the files its outputs replace in a
// media's folder.
type leftovers struct {
	s        *Service
	subAppID uint64
	mdir     string // the media's folder
	staging  string // the run's staging prefix, published to mdir
	log      *slog.Logger

	mu     sync.Mutex
	owned  []string        // prefixes in mdir that succeeded outputs own
	staged map[string]bool // paths, relative to mdir, the run publishes
	keys   map[string]bool // SimpleAES key ids the replaced streams' playlists named
}

// own records the prefixes of outputs that succeeded.
func (l *leftovers) own(prefixes ...string) {
	l.mu.Lock()
	l.owned = append(l.owned, prefixes...)
	l.mu.Unlock()
}

// beforePublish notes, before the staged outputs are published, which
// files they are and which keys the playlists they replace name.
func (l *leftovers) beforePublish(ctx context.Context) error {
	keys, err := l.s.cfg.Blob.List(ctx, l.staging+"/")
	if err != nil {
		return err
	}
	l.staged = make(map[string]bool, len(keys))
	for _, k := range keys {
		l.staged[strings.TrimPrefix(k, l.staging+"/")] = true
	}
	l.keys = map[string]bool{}
	for _, p := range l.owned {
		if strings.HasPrefix(p, "adp/") {
			ids, err := l.s.streamKeyIDs(ctx, l.subAppID, l.mdir+"/"+p)
			if err != nil {
				return err
			}
			maps.Copy(l.keys, ids)
		}
	}
	return nil
}

// remove deletes, once the outputs are published, the files under the
// owned prefixes that the run did not publish and the keys the replaced
// streams named and theirs no longer do: the playlists now in place name
// none of them. A failure only leaves files behind, so it is logged.
func (l *leftovers) remove(ctx context.Context) {
	newKeys := map[string]bool{}
	listed := map[string][]string{} // folder → its keys, listed once
	for _, p := range l.owned {
		// List names folders: a file-name prefix ("f0.f10_") is looked
		// for in its folder.
		prefix := l.mdir + "/" + p
		folder := prefix[:strings.LastIndex(prefix, "/")]
		keys, ok := listed[folder]
		if !ok {
			var err error
			if keys, err = l.s.cfg.Blob.List(ctx, folder); err != nil {
				l.log.Warn("list replaced outputs", "prefix", p, "err", err)
				continue
			}
			listed[folder] = keys
		}
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) && !l.staged[strings.TrimPrefix(k, l.mdir+"/")] {
				if err := l.s.cfg.Blob.Delete(ctx, k); err != nil {
					l.log.Warn("delete a replaced output", "key", k, "err", err)
				}
			}
		}
		if strings.HasPrefix(p, "adp/") {
			ids, _ := l.s.streamKeyIDs(ctx, l.subAppID, l.mdir+"/"+p)
			maps.Copy(newKeys, ids)
		}
	}
	for id := range l.keys {
		if !newKeys[id] {
			if err := l.s.cfg.Blob.Delete(ctx, keyBlobKey(l.subAppID, id)); err != nil {
				l.log.Warn("delete a replaced stream key", "err", err)
			}
		}
	}
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

// removeOldCover deletes, after the final transaction made the new cover
// the media's, the cover it replaced.
func (pr *procRun) removeOldCover(ctx context.Context) {
	if c := pr.oldCover; c != "" && strings.HasPrefix(c, pr.mdir+"/") && c != pr.mdir+"/"+pr.cov {
		if err := pr.s.cfg.Blob.Delete(ctx, c); err != nil {
			pr.x.Log.Warn("delete the replaced cover", "key", c, "err", err)
		}
	}
}

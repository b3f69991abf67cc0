package vod

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/openvod/openvod/internal/blob"
)

// keysPrefix is the route HLS players fetch SimpleAES keys from.
const keysPrefix = "/keys/"

// keyIDSize is the size in bytes of a SimpleAES key's random id.
const keyIDSize = 16

// keyBlobKey is where a SimpleAES key is kept: under "_private/", which
// the file handler never serves, so the key leaves only through
// KeysHandler.
func keyBlobKey(subAppID uint64, id string) string {
	return fmt.Sprintf("_private/keys/%d/%s.key", subAppID, id)
}

// keyURI is how #EXT-X-KEY names a SimpleAES key for the playlists in
// blob folder dir (served under /files/): relative to them, so players
// fetch it from KeysHandler on whatever address served the playlist, and
// a stream keeps working when the server's public URL changes.
func keyURI(subAppID uint64, id, dir string) string {
	up := strings.Repeat("../", strings.Count(dir, "/")+2) // dir's folders, and files/
	return fmt.Sprintf("%s%s%d/%s", up, strings.TrimPrefix(keysPrefix, "/"), subAppID, id)
}

// putKey stores a SimpleAES key for KeysHandler.
func (s *Service) putKey(ctx context.Context, subAppID uint64, id string, key []byte) error {
	_, err := s.cfg.Blob.Put(ctx, keyBlobKey(subAppID, id), bytes.NewReader(key), "application/octet-stream")
	return err
}

// KeysHandler serves the AES-128 keys of SimpleAES adaptive streams at
// /keys/<SubAppId>/<key id>, GET and HEAD only. A key id is 128 random
// bits, so its URL is the capability; there is no other check yet.
func (s *Service) KeysHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET to fetch a key", http.StatusMethodNotAllowed)
			return
		}
		sub, id, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, keysPrefix), "/")
		subAppID, err := strconv.ParseUint(sub, 10, 64)
		if !ok || err != nil || !validKeyID(id) {
			http.NotFound(w, r)
			return
		}
		rc, err := s.cfg.Blob.Get(r.Context(), keyBlobKey(subAppID, id))
		if errors.Is(err, blob.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			s.log.Error("read hls key", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		defer rc.Close()
		key, err := io.ReadAll(io.LimitReader(rc, 64))
		if err != nil {
			s.log.Error("read hls key", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(key)))
		w.Header().Set("Cache-Control", "private, max-age=86400")
		if r.Method == http.MethodGet {
			w.Write(key)
		}
	})
}

// validKeyID reports whether id is a key id as keyURI writes them: 32
// lower-case hex digits.
func validKeyID(id string) bool {
	b, err := hex.DecodeString(id)
	return err == nil && len(b) == keyIDSize && id == strings.ToLower(id)
}

// deleteStreamKeys removes the SimpleAES keys that the HLS playlists under
// dir (an adaptive stream's folder, or a whole media's) name in their
// #EXT-X-KEY lines, before the playlists themselves go.
func (s *Service) deleteStreamKeys(ctx context.Context, subAppID uint64, dir string) error {
	ids, err := s.streamKeyIDs(ctx, subAppID, dir)
	if err != nil {
		return err
	}
	for id := range ids {
		if err := s.cfg.Blob.Delete(ctx, keyBlobKey(subAppID, id)); err != nil {
			return err
		}
	}
	return nil
}

// streamKeyIDs returns the ids of the SimpleAES keys that the HLS
// playlists under dir name in their #EXT-X-KEY lines.
func (s *Service) streamKeyIDs(ctx context.Context, subAppID uint64, dir string) (map[string]bool, error) {
	keys, err := s.cfg.Blob.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	// Playlists name keys by relative URIs (older ones by absolute URLs):
	// the id follows the keys folder of the application either way.
	marker := fmt.Sprintf("%s%d/", keysPrefix, subAppID)
	ids := map[string]bool{}
	for _, k := range keys {
		if !strings.HasSuffix(k, ".m3u8") {
			continue
		}
		rc, err := s.cfg.Blob.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(rc, 4<<20))
		rc.Close()
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "#EXT-X-KEY:") {
				continue
			}
			_, uri, _ := strings.Cut(line, `URI="`)
			uri, _, _ = strings.Cut(uri, `"`)
			if i := strings.LastIndex(uri, marker); i >= 0 && validKeyID(uri[i+len(marker):]) {
				ids[uri[i+len(marker):]] = true
			}
		}
	}
	return ids, nil
}

package media

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// HLSKeySize is the size in bytes of an AES-128 key.
const HLSKeySize = 16

// HLSKey is the AES-128 encryption of HLS segments (the templates'
// SimpleAES): the key, where players fetch it, and the key info file
// ffmpeg's hls muxer reads (-hls_key_info_file). Make one with
// WriteHLSKey.
type HLSKey struct {
	// Key is the 16-byte key. The service must serve it at URI, to
	// authorised players only, and keep it as long as the segments.
	Key []byte

	// URI is what #EXT-X-KEY says: where players fetch the key.
	URI string

	// IV is the initialisation vector as 32 hex digits, or empty to let
	// ffmpeg choose (it then states the IV in the playlist).
	IV string

	// KeyFile and InfoFile are the local files ffmpeg reads: the raw key,
	// and the key info file naming URI, KeyFile and IV.
	KeyFile, InfoFile string
}

// WriteHLSKey writes an AES-128 key and its key info file into dir, as
// name+".key" and name+".keyinfo", for a key players fetch at uri. A nil
// key is drawn at random; iv may be empty. Neither file belongs in the
// published output.
func WriteHLSKey(dir, name, uri string, key []byte, iv string) (*HLSKey, error) {
	if uri == "" || strings.ContainsAny(uri, "\r\n") {
		return nil, fmt.Errorf("hls key: %w: key URI %q", ErrInvalidSpec, uri)
	}
	if iv != "" {
		if b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(iv), "0x")); err != nil || len(b) != HLSKeySize {
			return nil, fmt.Errorf("hls key: %w: IV must be 32 hex digits", ErrInvalidSpec)
		}
	}
	if key == nil {
		key = make([]byte, HLSKeySize)
		rand.Read(key) // never fails (crypto/rand since Go 1.24)
	}
	if len(key) != HLSKeySize {
		return nil, fmt.Errorf("hls key: %w: key is %d bytes, not %d", ErrInvalidSpec, len(key), HLSKeySize)
	}
	dir, err := filepath.Abs(dir) // ffmpeg reads the key file from its own working directory
	if err != nil {
		return nil, fmt.Errorf("hls key: %w", err)
	}
	k := &HLSKey{
		Key:      key,
		URI:      uri,
		IV:       iv,
		KeyFile:  filepath.Join(dir, name+".key"),
		InfoFile: filepath.Join(dir, name+".keyinfo"),
	}
	if err := os.WriteFile(k.KeyFile, key, 0o600); err != nil {
		return nil, fmt.Errorf("hls key: %w", err)
	}
	if err := os.WriteFile(k.InfoFile, []byte(k.info()), 0o600); err != nil {
		return nil, fmt.Errorf("hls key: %w", err)
	}
	return k, nil
}

// info returns the key info file's text: the key URI, the path of the key
// file, and the IV when there is one, a line each.
func (k *HLSKey) info() string {
	s := k.URI + "\n" + k.KeyFile + "\n"
	if k.IV != "" {
		s += strings.TrimPrefix(strings.ToLower(k.IV), "0x") + "\n"
	}
	return s
}

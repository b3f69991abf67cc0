package blob

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// Key prefixes with a fixed meaning. Keys under them are never served by the
// Handler.
const (
	// StagingPrefix holds the outputs of running tasks until Publish moves
	// them to their final keys.
	StagingPrefix = "_staging/"
	// PrivatePrefix holds objects the service keeps for itself (uploads in
	// progress, intermediate files): stored like any object, never served.
	PrivatePrefix = "_private/"
)

// MaxKeyLen is the longest key accepted, in bytes (the S3 limit).
const MaxKeyLen = 1024

// ErrInvalidKey is wrapped by every error about a key that ValidKey rejects.
var ErrInvalidKey = errors.New("invalid blob key")

// ErrNotFound is wrapped by the errors of reads, copies and publishing when
// the object does not exist.
var ErrNotFound = errors.New("blob not found")

// attrsSuffix is the suffix of fileblob's metadata sidecar files.
const attrsSuffix = ".attrs"

// ValidKey returns nil when key is a safe object key and otherwise an error
// wrapping ErrInvalidKey that says why. A safe key is valid UTF-8 of at most
// MaxKeyLen bytes, made of non-empty "/"-separated segments (so it is not
// absolute and has no "//" or trailing "/"); no segment starts with "." (which
// rules out "." and ".." and hidden files); it has no backslash and no control
// character (NUL included); and it does not end in ".attrs", the suffix of
// fileblob's metadata sidecars.
func ValidKey(key string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, why)
	}
	switch {
	case key == "":
		return bad("empty")
	case len(key) > MaxKeyLen:
		return bad(fmt.Sprintf("longer than %d bytes", MaxKeyLen))
	case !utf8.ValidString(key):
		return bad("not UTF-8")
	case strings.HasSuffix(key, attrsSuffix):
		return bad("ends in " + attrsSuffix)
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f {
			return bad("control character")
		}
		if c == '\\' {
			return bad("backslash")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return bad("empty path segment")
		}
		if seg[0] == '.' {
			return bad("path segment starts with '.'")
		}
	}
	return nil
}

// dirPrefix checks a prefix that names a "directory" of keys and returns it
// with the trailing slash that prefixes always get, so that "a/b" never
// matches "a/bc/x".
func dirPrefix(prefix string) (string, error) {
	p := strings.TrimSuffix(prefix, "/")
	if err := ValidKey(p); err != nil {
		return "", fmt.Errorf("prefix: %w", err)
	}
	return p + "/", nil
}

// isTempName reports whether key names one of the temporary files fileblob
// writes beside a key before renaming it into place:
// "<name>.<hex nanoseconds>.tmp".
func isTempName(key string) bool {
	rest, ok := strings.CutSuffix(path.Base(key), ".tmp")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 || i == len(rest)-1 {
		return false
	}
	for _, c := range rest[i+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// URL returns the public URL of key under base, for example
// URL("http://127.0.0.1:9000/files", "1500/52/f0.mp4") is
// "http://127.0.0.1:9000/files/1500/52/f0.mp4". Each segment of key is
// path-escaped; a trailing slash on base is ignored.
func URL(base, key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.Join(segs, "/")
}

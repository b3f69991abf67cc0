package blob

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/fileblob"
)

func TestFileConformance(t *testing.T) {
	t.Parallel()
	runConformance(t, func(t *testing.T) *Store {
		return openFile(t, t.TempDir()+"/bucket")
	})
}

// TestMemConformance runs the suite on mem://, which takes the same code
// paths as S3 (no LocalPath: ranged reads, copy+delete publishing).
func TestMemConformance(t *testing.T) {
	t.Parallel()
	runConformance(t, func(t *testing.T) *Store {
		s, err := Open(t.Context(), "mem://")
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	})
}

func openFile(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), "file://"+dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "NoURL", cfg: Config{}, wantErr: "BucketURL is required"},
		{name: "HalfCredentials", cfg: Config{BucketURL: "mem://", AccessKeyID: "k"}, wantErr: "SecretAccessKey"},
		{name: "Scheme", cfg: Config{BucketURL: "gs://bucket"}, wantErr: `unsupported scheme "gs"`},
		{name: "RelativeFile", cfg: Config{BucketURL: "file://./rel"}, wantErr: "host"},
		{name: "RelativePath", cfg: Config{BucketURL: "file:rel/dir"}, wantErr: "not absolute"},
		{name: "FileQuery", cfg: Config{BucketURL: "file://" + dir + "?metadata=skip"}, wantErr: "no query parameters"},
		{name: "BadPrefix", cfg: Config{BucketURL: "file://" + dir + "?prefix=../up"}, wantErr: "prefix"},
		{name: "S3NoBucket", cfg: Config{BucketURL: "s3://?region=us-east-1"}, wantErr: "no bucket"},
		{name: "S3UnknownParam", cfg: Config{BucketURL: "s3://b?colour=blue"}, wantErr: "colour"},
		{name: "S3BadBool", cfg: Config{BucketURL: "s3://b?use_path_style=maybe"}, wantErr: "use_path_style"},
		{name: "S3", cfg: Config{BucketURL: "s3://b?endpoint=http://127.0.0.1:1&use_path_style=true&prefix=p", AccessKeyID: "k", SecretAccessKey: "s"}},
		{name: "File", cfg: Config{BucketURL: "file://" + dir + "/new/dir?prefix=tenant/a/"}},
		{name: "FileLocalhost", cfg: Config{BucketURL: "file://localhost" + dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(t.Context(), tc.cfg)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.NoError(t, s.Close())
		})
	}

	s, err := Open(t.Context(), "file://"+dir+"/root?prefix=tenant/a")
	require.NoError(t, err)
	defer s.Close()
	put(t, s, "v/f.mp4", "x")
	p, ok := s.LocalPath("v/f.mp4")
	require.True(t, ok)
	require.Equal(t, filepath.Join(dir, "root/tenant/a/v/f.mp4"), p)
	require.FileExists(t, p)
}

func TestFileNoSidecars(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openFile(t, dir)
	put(t, s, "v/f0.mp4", "video")
	require.NoError(t, s.Copy(t.Context(), "v/f1.mp4", "v/f0.mp4"))
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return err
	}))
	require.Equal(t, []string{"v/f0.mp4", "v/f1.mp4"}, files)
}

// TestFileHandlerSafety covers what only a directory can hold: sidecars
// written by another fileblob user, symlinks, files beside the bucket.
func TestFileHandlerSafety(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "bucket")
	s := openFile(t, dir)
	put(t, s, "v/f0.mp4", "video")
	require.NoError(t, os.WriteFile(filepath.Join(root, "secret"), []byte("secret"), 0o600))

	// A fileblob opened with default options writes .attrs sidecars.
	other, err := fileblob.OpenBucket(dir, nil)
	require.NoError(t, err)
	require.NoError(t, other.WriteAll(t.Context(), "v/side.mp4", []byte("video"), nil))
	require.NoError(t, other.Close())
	require.FileExists(t, filepath.Join(dir, "v/side.mp4.attrs"))
	require.NoError(t, os.Symlink(filepath.Join(root, "secret"), filepath.Join(dir, "v/link.mp4")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "v/f0.mp4.1a2b3c4d.tmp"), []byte("partial"), 0o644))

	srv := httptest.NewServer(s.Handler("/files"))
	t.Cleanup(srv.Close)
	for target, want := range map[string]int{
		"/files/v/side.mp4":            http.StatusOK,
		"/files/v/side.mp4.attrs":      http.StatusNotFound,
		"/files/v/link.mp4":            http.StatusNotFound,
		"/files/v/f0.mp4.1a2b3c4d.tmp": http.StatusNotFound,
		"/files/../secret":             http.StatusNotFound,
		"/files/%2e%2e/secret":         http.StatusNotFound,
		"/files/v/../../secret":        http.StatusNotFound,
		"/files/v":                     http.StatusNotFound,
	} {
		status, body := rawGet(t, srv, target)
		require.Equal(t, want, status, "%s: %q", target, body)
		require.NotContains(t, string(body), "secret")
	}
	require.Equal(t, []string{"v/f0.mp4", "v/link.mp4", "v/side.mp4"}, list(t, s, "v"))
}

func TestFileHiddenFunc(t *testing.T) {
	t.Parallel()
	s, err := New(t.Context(), Config{
		BucketURL:  "file://" + t.TempDir(),
		HiddenFunc: func(key string) bool { return strings.HasSuffix(key, ".key") },
	})
	require.NoError(t, err)
	defer s.Close()
	put(t, s, "v/enc.key", "0123456789abcdef")
	put(t, s, "v/f0.ts", "ts")
	srv := httptest.NewServer(s.Handler(""))
	t.Cleanup(srv.Close)
	status, _ := httpGet(t, srv.URL+"/v/enc.key", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, body := httpGet(t, srv.URL+"/v/f0.ts", nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "ts", string(body))
}

// TestFileWriteInProgress checks where a file store keeps a write in
// progress: beside the key, hidden, and gone after Close.
func TestFileWriteInProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openFile(t, dir)
	srv := httptest.NewServer(s.Handler("/files"))
	t.Cleanup(srv.Close)
	w, err := s.NewWriter(t.Context(), "v/up.mp4", "")
	require.NoError(t, err)
	_, err = io.Copy(w, bytes.NewReader(payload(1000)))
	require.NoError(t, err)

	entries, err := os.ReadDir(filepath.Join(dir, "v"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	temp := "v/" + entries[0].Name()
	require.True(t, isTempName(temp), temp)
	status, _ := httpGet(t, srv.URL+"/files/"+temp, nil)
	require.Equal(t, http.StatusNotFound, status)
	require.Empty(t, list(t, s, "v"))

	require.NoError(t, w.Close())
	require.Equal(t, []string{"v/up.mp4"}, list(t, s, "v"))
	entries, err = os.ReadDir(filepath.Join(dir, "v"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
}

// TestFilePublishRenames checks that publishing to a new prefix moves the
// staging directory in one rename, and that emptied directories go away.
func TestFilePublishRenames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openFile(t, dir)
	ctx := t.Context()
	put(t, s, StagingPrefix+"t1/a.m3u8", "a")
	put(t, s, StagingPrefix+"t1/seg/0.ts", "0")
	stagedDir := filepath.Join(dir, "_staging/t1")
	before, err := os.Stat(stagedDir)
	require.NoError(t, err)

	require.NoError(t, s.Publish(ctx, StagingPrefix+"t1", "1500/f1"))
	after, err := os.Stat(filepath.Join(dir, "1500/f1"))
	require.NoError(t, err)
	require.True(t, os.SameFile(before, after), "the directory itself moved")
	require.NoDirExists(t, stagedDir)

	// Into an existing prefix: file by file, then the staging tree is pruned.
	put(t, s, StagingPrefix+"t2/deep/er/b.vtt", "b")
	require.NoError(t, s.Publish(ctx, StagingPrefix+"t2", "1500/f1"))
	require.NoDirExists(t, filepath.Join(dir, "_staging/t2"))
	require.Equal(t, []string{"1500/f1/a.m3u8", "1500/f1/deep/er/b.vtt", "1500/f1/seg/0.ts"}, list(t, s, "1500"))

	require.NoError(t, s.DeletePrefix(ctx, "1500/f1"))
	require.NoDirExists(t, filepath.Join(dir, "1500/f1"))
	require.DirExists(t, filepath.Join(dir, "1500"))
}

// TestFilePublishCanceled checks that a canceled Publish stops and that a
// retry completes it.
func TestFilePublishCanceled(t *testing.T) {
	t.Parallel()
	s := openFile(t, t.TempDir())
	put(t, s, "1500/f1/old.ts", "old")
	put(t, s, StagingPrefix+"t1/a.ts", "a")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, s.Publish(ctx, StagingPrefix+"t1", "1500/f1"), context.Canceled)
	require.NoError(t, s.Publish(t.Context(), StagingPrefix+"t1", "1500/f1"))
	require.Equal(t, []string{"1500/f1/a.ts", "1500/f1/old.ts"}, list(t, s, "1500/f1"))
}

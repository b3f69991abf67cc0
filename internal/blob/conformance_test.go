package blob

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// runConformance checks the contract that every backend must honour. open
// returns a new, empty store that is closed when its test ends.
func runConformance(t *testing.T, open func(t *testing.T) *Store) {
	t.Run("PutGetAttributes", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		key := "1500000001/5285890781234567890/f0.mp4"
		data := payload(100_000)
		n, err := s.Put(ctx, key, bytes.NewReader(data), "")
		require.NoError(t, err)
		require.Equal(t, int64(len(data)), n)
		require.Equal(t, data, get(t, s, key))

		a, err := s.Attributes(ctx, key)
		require.NoError(t, err)
		require.Equal(t, int64(len(data)), a.Size)
		require.Equal(t, "video/mp4", a.ContentType)
		require.NotEmpty(t, a.ETag)
		require.WithinDuration(t, time.Now(), a.ModTime, time.Minute)

		n, err = s.Put(ctx, "v/index.m3u8", strings.NewReader("#EXTM3U\n"), "application/vnd.apple.mpegurl")
		require.NoError(t, err)
		require.Equal(t, int64(8), n)
		a, err = s.Attributes(ctx, "v/index.m3u8")
		require.NoError(t, err)
		require.Equal(t, "application/vnd.apple.mpegurl", a.ContentType)
	})

	t.Run("ContentTypeFromExtension", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for key, want := range map[string]string{
			"v/a.ts":      "video/mp2t",
			"v/a.mpd":     "application/dash+xml",
			"v/a.m4s":     "video/iso.segment",
			"v/A.JPG":     "image/jpeg",
			"v/a.vtt":     "text/vtt",
			"v/a.key":     "application/octet-stream",
			"v/no-ext":    "application/octet-stream",
			"v/a.unknown": "application/octet-stream",
		} {
			put(t, s, key, "x")
			a, err := s.Attributes(t.Context(), key)
			require.NoError(t, err)
			require.Equal(t, want, a.ContentType, key)
		}
	})

	t.Run("EmptyObject", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		put(t, s, "v/empty.vtt", "")
		require.Empty(t, get(t, s, "v/empty.vtt"))
		a, err := s.Attributes(t.Context(), "v/empty.vtt")
		require.NoError(t, err)
		require.Zero(t, a.Size)
	})

	t.Run("Overwrite", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		put(t, s, "v/a.mp4", "first version")
		put(t, s, "v/a.mp4", "second")
		require.Equal(t, "second", string(get(t, s, "v/a.mp4")))
		a, err := s.Attributes(t.Context(), "v/a.mp4")
		require.NoError(t, err)
		require.Equal(t, int64(6), a.Size)
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		_, err := s.Get(ctx, "no/such.mp4")
		require.ErrorIs(t, err, ErrNotFound)
		_, err = s.Attributes(ctx, "no/such.mp4")
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, s.Download(ctx, "no/such.mp4", filepath.Join(t.TempDir(), "x")), ErrNotFound)
		require.ErrorIs(t, s.Copy(ctx, "dst.mp4", "no/such.mp4"), ErrNotFound)
		require.NoError(t, s.Delete(ctx, "no/such.mp4"))
		require.NoError(t, s.DeletePrefix(ctx, "no"))
		keys, err := s.List(ctx, "no")
		require.NoError(t, err)
		require.Empty(t, keys)
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		for _, key := range invalidKeys {
			_, err := s.Put(ctx, key, strings.NewReader("x"), "")
			require.ErrorIs(t, err, ErrInvalidKey, "Put %q", key)
			_, err = s.NewWriter(ctx, key, "")
			require.ErrorIs(t, err, ErrInvalidKey, "NewWriter %q", key)
			_, err = s.Get(ctx, key)
			require.ErrorIs(t, err, ErrInvalidKey, "Get %q", key)
			_, err = s.Attributes(ctx, key)
			require.ErrorIs(t, err, ErrInvalidKey, "Attributes %q", key)
			require.ErrorIs(t, s.Delete(ctx, key), ErrInvalidKey, "Delete %q", key)
			require.ErrorIs(t, s.Copy(ctx, key, "ok.mp4"), ErrInvalidKey, "Copy to %q", key)
			require.ErrorIs(t, s.Copy(ctx, "ok.mp4", key), ErrInvalidKey, "Copy from %q", key)
			require.ErrorIs(t, s.Download(ctx, key, filepath.Join(t.TempDir(), "x")), ErrInvalidKey, "Download %q", key)
			_, ok := s.LocalPath(key)
			require.False(t, ok, "LocalPath %q", key)
		}
		for _, prefix := range []string{"", "/", "..", "../x", "a/../..", "a//b"} {
			require.ErrorIs(t, s.DeletePrefix(ctx, prefix), ErrInvalidKey, "DeletePrefix %q", prefix)
			require.ErrorIs(t, s.Publish(ctx, prefix, "final"), ErrInvalidKey, "Publish from %q", prefix)
			require.ErrorIs(t, s.Publish(ctx, "_staging/x", prefix), ErrInvalidKey, "Publish to %q", prefix)
		}
		require.ErrorIs(t, s.Publish(ctx, "a", "a/b"), ErrInvalidKey)
		require.ErrorIs(t, s.Publish(ctx, "a/b/", "a"), ErrInvalidKey)
	})

	t.Run("PutFileDownloadLocalPath", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		dir := t.TempDir()
		src := filepath.Join(dir, "src.mp4")
		data := payload(300_000)
		require.NoError(t, os.WriteFile(src, data, 0o644))
		n, err := s.PutFile(ctx, "v/f.mp4", src)
		require.NoError(t, err)
		require.Equal(t, int64(len(data)), n)

		dst := filepath.Join(dir, "dst.mp4")
		require.NoError(t, os.WriteFile(dst, []byte("old content"), 0o644))
		require.NoError(t, s.Download(ctx, "v/f.mp4", dst))
		got, err := os.ReadFile(dst)
		require.NoError(t, err)
		require.Equal(t, data, got)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 2, "Download leaves no temporary file")

		if p, ok := s.LocalPath("v/f.mp4"); ok {
			got, err := os.ReadFile(p)
			require.NoError(t, err)
			require.Equal(t, data, got)
		}
		_, err = s.PutFile(ctx, "v/g.mp4", filepath.Join(dir, "missing"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})

	t.Run("DeleteAndDeletePrefix", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		for _, k := range []string{"a/x.mp4", "a/b/y.ts", "a/b/c/z.ts", "ab/z.ts", "a.mp4"} {
			put(t, s, k, k)
		}
		require.NoError(t, s.Delete(ctx, "a/x.mp4"))
		require.NoError(t, s.Delete(ctx, "a/x.mp4"))
		_, err := s.Get(ctx, "a/x.mp4")
		require.ErrorIs(t, err, ErrNotFound)

		require.NoError(t, s.DeletePrefix(ctx, "a"))
		require.Equal(t, []string{"a.mp4", "ab/z.ts"}, list(t, s, ""))
		require.NoError(t, s.DeletePrefix(ctx, "ab/"))
		require.Equal(t, []string{"a.mp4"}, list(t, s, ""))
	})

	t.Run("Copy", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		put(t, s, "src/v.mp4", "source")
		require.NoError(t, s.Copy(ctx, "dst/v.mp4", "src/v.mp4"))
		put(t, s, "src/v.mp4", "changed later")
		require.Equal(t, "source", string(get(t, s, "dst/v.mp4")))
		require.Equal(t, "changed later", string(get(t, s, "src/v.mp4")))
		a, err := s.Attributes(ctx, "dst/v.mp4")
		require.NoError(t, err)
		require.Equal(t, "video/mp4", a.ContentType)
	})

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for _, k := range []string{"v/b.ts", "v/a.ts", "v/sub/c.ts", "vv/d.ts", "w.mp4"} {
			put(t, s, k, k)
		}
		require.Equal(t, []string{"v/a.ts", "v/b.ts", "v/sub/c.ts"}, list(t, s, "v"))
		require.Equal(t, []string{"v/a.ts", "v/b.ts", "v/sub/c.ts"}, list(t, s, "v/"))
		require.Equal(t, []string{"v/a.ts", "v/b.ts", "v/sub/c.ts", "vv/d.ts", "w.mp4"}, list(t, s, ""))
		require.Empty(t, list(t, s, "w.mp4"))
	})

	t.Run("Publish", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		srv := httptest.NewServer(s.Handler("/files"))
		t.Cleanup(srv.Close)
		staged := map[string]string{
			"index.m3u8": "#EXTM3U\n",
			"seg/0.ts":   "segment 0",
			"seg/1.ts":   "segment 1",
		}
		for k, v := range staged {
			put(t, s, StagingPrefix+"t1/"+k, v)
		}
		status, _ := httpGet(t, srv.URL+"/files/"+StagingPrefix+"t1/index.m3u8", nil)
		require.Equal(t, http.StatusNotFound, status, "staged objects are not served")
		status, _ = httpGet(t, srv.URL+"/files/1500/f1/index.m3u8", nil)
		require.Equal(t, http.StatusNotFound, status)

		require.NoError(t, s.Publish(ctx, StagingPrefix+"t1", "1500/f1"))
		require.Equal(t, []string{"1500/f1/index.m3u8", "1500/f1/seg/0.ts", "1500/f1/seg/1.ts"}, list(t, s, "1500/f1"))
		require.Empty(t, list(t, s, StagingPrefix))
		for k, v := range staged {
			require.Equal(t, v, string(get(t, s, "1500/f1/"+k)))
		}
		status, body := httpGet(t, srv.URL+"/files/1500/f1/seg/1.ts", nil)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "segment 1", string(body))

		// Publishing again (a retry after a crash) finds nothing to do.
		require.NoError(t, s.Publish(ctx, StagingPrefix+"t1", "1500/f1"))
		require.Len(t, list(t, s, "1500/f1"), 3)

		// Publishing into a populated prefix merges and replaces.
		put(t, s, StagingPrefix+"t2/index.m3u8", "#EXTM3U\n#v2\n")
		put(t, s, StagingPrefix+"t2/subs/en.vtt", "WEBVTT\n")
		require.NoError(t, s.Publish(ctx, StagingPrefix+"t2/", "1500/f1/"))
		require.Equal(t, []string{
			"1500/f1/index.m3u8", "1500/f1/seg/0.ts", "1500/f1/seg/1.ts", "1500/f1/subs/en.vtt",
		}, list(t, s, "1500/f1"))
		require.Equal(t, "#EXTM3U\n#v2\n", string(get(t, s, "1500/f1/index.m3u8")))
		require.Empty(t, list(t, s, StagingPrefix))
	})

	t.Run("AtomicPut", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name     string
			size     int
			previous []byte
		}{
			{name: "Small", size: 1 << 20},
			{name: "Multipart", size: 12 << 20},
			{name: "OverPrevious", size: 2 << 20, previous: []byte("previous version")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				s, ctx := open(t), t.Context()
				srv := httptest.NewServer(s.Handler("/files"))
				t.Cleanup(srv.Close)
				key := "slow/v.mp4"
				if tc.previous != nil {
					put(t, s, key, string(tc.previous))
				}
				data := payload(tc.size)

				// A reader polls throughout the write: it must see the
				// previous state or the whole new object, nothing between.
				stop := make(chan struct{})
				polled := make(chan error, 1)
				go func() { polled <- pollWhole(ctx, s, key, stop, tc.previous, data) }()

				pr, pw := io.Pipe()
				putDone := make(chan error, 1)
				go func() {
					n, err := s.Put(ctx, key, pr, "")
					if err == nil && n != int64(len(data)) {
						err = fmt.Errorf("Put stored %d bytes, want %d", n, len(data))
					}
					putDone <- err
				}()
				half := len(data) / 2
				_, err := pw.Write(data[:half])
				require.NoError(t, err)

				// Half the bytes have reached the store: still invisible.
				r, err := s.Get(ctx, key)
				if tc.previous == nil {
					require.ErrorIs(t, err, ErrNotFound)
					_, err = s.Attributes(ctx, key)
					require.ErrorIs(t, err, ErrNotFound)
					status, _ := httpGet(t, srv.URL+"/files/"+key, nil)
					require.Equal(t, http.StatusNotFound, status)
				} else {
					require.NoError(t, err)
					got, err := io.ReadAll(r)
					require.NoError(t, err)
					require.NoError(t, r.Close())
					require.Equal(t, tc.previous, got)
				}

				_, err = pw.Write(data[half:])
				require.NoError(t, err)
				require.NoError(t, pw.Close())
				require.NoError(t, <-putDone)
				close(stop)
				require.NoError(t, <-polled)
				require.Equal(t, data, get(t, s, key))
			})
		}
	})

	t.Run("AbortedWrites", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		put(t, s, "v/kept.mp4", "previous")
		errBoom := errors.New("boom")
		for _, key := range []string{"v/new.mp4", "v/kept.mp4"} {
			// A canceled context aborts a NewWriter.
			ctx, cancel := context.WithCancel(t.Context())
			w, err := s.NewWriter(ctx, key, "")
			require.NoError(t, err)
			_, err = w.Write(payload(64 << 10))
			require.NoError(t, err)
			cancel()
			require.Error(t, w.Close())

			// A failing reader aborts a Put.
			_, err = s.Put(t.Context(), key, io.MultiReader(bytes.NewReader(payload(64<<10)), iotest.ErrReader(errBoom)), "")
			require.ErrorIs(t, err, errBoom)
		}
		_, err := s.Get(t.Context(), "v/new.mp4")
		require.ErrorIs(t, err, ErrNotFound)
		require.Equal(t, "previous", string(get(t, s, "v/kept.mp4")))
		all, err := s.list(t.Context(), "")
		require.NoError(t, err)
		require.Equal(t, []string{"v/kept.mp4"}, all, "aborted writes leave nothing behind")
	})

	t.Run("NewWriter", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		w, err := s.NewWriter(t.Context(), "up/v.flv", "")
		require.NoError(t, err)
		for range 3 {
			_, err := w.Write([]byte("chunk "))
			require.NoError(t, err)
		}
		_, err = s.Attributes(t.Context(), "up/v.flv")
		require.ErrorIs(t, err, ErrNotFound)
		require.NoError(t, w.Close())
		require.Equal(t, "chunk chunk chunk ", string(get(t, s, "up/v.flv")))
		a, err := s.Attributes(t.Context(), "up/v.flv")
		require.NoError(t, err)
		require.Equal(t, "video/x-flv", a.ContentType)
	})

	t.Run("Handler", func(t *testing.T) {
		t.Parallel()
		s, ctx := open(t), t.Context()
		srv := httptest.NewServer(s.Handler("/files/"))
		t.Cleanup(srv.Close)
		data := payload(1000)
		put(t, s, "v/f0.mp4", string(data))
		put(t, s, "v/index.m3u8", "#EXTM3U\n")
		put(t, s, "v/secret.txt", "secret")
		put(t, s, StagingPrefix+"v/f0.mp4", "staged")
		put(t, s, PrivatePrefix+"v/f0.mp4", "private")
		a, err := s.Attributes(ctx, "v/f0.mp4")
		require.NoError(t, err)
		lastMod := a.ModTime.UTC().Format(http.TimeFormat)
		f0 := srv.URL + "/files/v/f0.mp4"

		for _, tc := range []struct {
			name       string
			method     string
			url        string
			header     map[string]string
			wantStatus int
			wantBody   []byte
			wantHeader map[string]string
		}{
			{
				name: "Full", url: f0, wantStatus: http.StatusOK, wantBody: data,
				wantHeader: map[string]string{
					"Content-Type": "video/mp4", "Content-Length": "1000", "Accept-Ranges": "bytes",
					"ETag": a.ETag, "Last-Modified": lastMod, "X-Content-Type-Options": "nosniff",
				},
			},
			{
				name: "Range", url: f0, header: map[string]string{"Range": "bytes=10-19"},
				wantStatus: http.StatusPartialContent, wantBody: data[10:20],
				wantHeader: map[string]string{"Content-Range": "bytes 10-19/1000", "Content-Length": "10", "Content-Type": "video/mp4"},
			},
			{
				name: "OpenRange", url: f0, header: map[string]string{"Range": "bytes=990-"},
				wantStatus: http.StatusPartialContent, wantBody: data[990:],
				wantHeader: map[string]string{"Content-Range": "bytes 990-999/1000"},
			},
			{
				name: "SuffixRange", url: f0, header: map[string]string{"Range": "bytes=-5"},
				wantStatus: http.StatusPartialContent, wantBody: data[995:],
				wantHeader: map[string]string{"Content-Range": "bytes 995-999/1000"},
			},
			{
				name: "UnsatisfiableRange", url: f0, header: map[string]string{"Range": "bytes=1000-"},
				wantStatus: http.StatusRequestedRangeNotSatisfiable,
				wantHeader: map[string]string{"Content-Range": "bytes */1000"},
			},
			{
				name: "Head", method: http.MethodHead, url: f0, wantStatus: http.StatusOK, wantBody: []byte{},
				wantHeader: map[string]string{"Content-Length": "1000", "Content-Type": "video/mp4", "ETag": a.ETag},
			},
			{
				name: "HeadRange", method: http.MethodHead, url: f0, header: map[string]string{"Range": "bytes=0-9"},
				wantStatus: http.StatusPartialContent, wantBody: []byte{},
				wantHeader: map[string]string{"Content-Range": "bytes 0-9/1000"},
			},
			{
				name: "IfNoneMatch", url: f0, header: map[string]string{"If-None-Match": a.ETag},
				wantStatus: http.StatusNotModified, wantBody: []byte{},
			},
			{
				name: "IfNoneMatchOther", url: f0, header: map[string]string{"If-None-Match": `"other"`},
				wantStatus: http.StatusOK, wantBody: data,
			},
			{
				name: "IfModifiedSince", url: f0, header: map[string]string{"If-Modified-Since": lastMod},
				wantStatus: http.StatusNotModified, wantBody: []byte{},
			},
			{
				name: "IfMatchOther", url: f0, header: map[string]string{"If-Match": `"other"`},
				wantStatus: http.StatusPreconditionFailed,
			},
			{
				name: "Playlist", url: srv.URL + "/files/v/index.m3u8", wantStatus: http.StatusOK, wantBody: []byte("#EXTM3U\n"),
				wantHeader: map[string]string{"Content-Type": "application/vnd.apple.mpegurl"},
			},
			{name: "Missing", url: srv.URL + "/files/v/none.mp4", wantStatus: http.StatusNotFound},
			{name: "Staging", url: srv.URL + "/files/" + StagingPrefix + "v/f0.mp4", wantStatus: http.StatusNotFound},
			{name: "Private", url: srv.URL + "/files/" + PrivatePrefix + "v/f0.mp4", wantStatus: http.StatusNotFound},
			{name: "OutsideMount", url: srv.URL + "/v/f0.mp4", wantStatus: http.StatusNotFound},
			{name: "MountNoSlash", url: srv.URL + "/files", wantStatus: http.StatusNotFound},
			{name: "MountDirectory", url: srv.URL + "/files/", wantStatus: http.StatusNotFound},
			{name: "Directory", url: srv.URL + "/files/v", wantStatus: http.StatusNotFound},
			{name: "DirectorySlash", url: srv.URL + "/files/v/", wantStatus: http.StatusNotFound},
			{
				name: "Post", method: http.MethodPost, url: f0, wantStatus: http.StatusMethodNotAllowed,
				wantHeader: map[string]string{"Allow": "GET, HEAD"},
			},
			{name: "Put", method: http.MethodPut, url: f0, wantStatus: http.StatusMethodNotAllowed},
			{name: "Delete", method: http.MethodDelete, url: f0, wantStatus: http.StatusMethodNotAllowed},
		} {
			t.Run(tc.name, func(t *testing.T) {
				method := tc.method
				if method == "" {
					method = http.MethodGet
				}
				req, err := http.NewRequestWithContext(ctx, method, tc.url, nil)
				require.NoError(t, err)
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.Equal(t, tc.wantStatus, resp.StatusCode, "body %q", body)
				if tc.wantBody != nil {
					require.Equal(t, tc.wantBody, body)
				}
				for k, v := range tc.wantHeader {
					require.Equal(t, v, resp.Header.Get(k), k)
				}
			})
		}

		t.Run("MultipleRanges", func(t *testing.T) {
			status, body, header := httpDo(t, http.MethodGet, f0, map[string]string{"Range": "bytes=0-1,5-6,998-"})
			require.Equal(t, http.StatusPartialContent, status)
			mt, params, err := mime.ParseMediaType(header.Get("Content-Type"))
			require.NoError(t, err)
			require.Equal(t, "multipart/byteranges", mt)
			mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
			for _, want := range []struct {
				rng  string
				body []byte
			}{
				{"bytes 0-1/1000", data[0:2]},
				{"bytes 5-6/1000", data[5:7]},
				{"bytes 998-999/1000", data[998:]},
			} {
				part, err := mr.NextPart()
				require.NoError(t, err)
				require.Equal(t, want.rng, part.Header.Get("Content-Range"))
				require.Equal(t, "video/mp4", part.Header.Get("Content-Type"))
				got, err := io.ReadAll(part)
				require.NoError(t, err)
				require.Equal(t, want.body, got)
			}
			_, err = mr.NextPart()
			require.ErrorIs(t, err, io.EOF)
		})

		// Raw request targets, sent as is: no client cleans them first.
		t.Run("Traversal", func(t *testing.T) {
			for _, target := range []string{
				"/files/../x",
				"/files/../files/v/f0.mp4",
				"/files/v/../v/f0.mp4",
				"/files/v/sub/../secret.txt",
				"/files/%2e%2e/x",
				"/files/%2E%2E/%2e%2e/etc/passwd",
				"/files/v/%2e%2e/v/secret.txt",
				"/files/.%2e/files/v/f0.mp4",
				"/files/v/..%2fsecret.txt",
				"/files/v%2f..%2fv%2fsecret.txt/..",
				"/files/..%5c..%5cetc%5cpasswd",
				"/files/v\\..\\secret.txt",
				"/files//etc/passwd",
				"/files/%2fetc%2fpasswd",
				"/files/./v/f0.mp4",
				"/files/v/./f0.mp4",
				"/files/v/f0.mp4.attrs",
				"/files/v/f0.mp4%2eattrs",
				"/files/.attrs",
				"/files/v/.attrs",
				"/files/v/.hidden",
				"/files/v/f0.mp4%00",
				"/files/v/f0.mp4%00.txt",
				"/files/%00",
				"/files/" + StagingPrefix + "v/f0.mp4",
				"/files/_staging%2fv/f0.mp4",
				"/files/_private%2Fv%2Ff0.mp4",
			} {
				status, body := rawGet(t, srv, target)
				require.Equal(t, http.StatusNotFound, status, "%s: %q", target, body)
				require.NotContains(t, string(body), "secret", target)
				require.NotContains(t, string(body), "staged", target)
				require.NotContains(t, string(body), "private", target)
			}
		})
	})
}

// invalidKeys are keys every method must reject with ErrInvalidKey.
var invalidKeys = []string{
	"", "/", "/abs/x.mp4", "a/../b", "..", "../x", "a/..", "a/./b", ".", "./a",
	".hidden", "a/.git/config", "a\\b", "..\\x", "a\x00b", "a\nb", "a\x7fb", "a//b", "a/", "a/b/",
	"x.mp4.attrs", "v/.attrs", "\xff\xfe", strings.Repeat("k", MaxKeyLen+1),
}

// payload returns n deterministic pseudo-random bytes.
func payload(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	_, _ = r.Read(b)
	return b
}

func put(t *testing.T, s *Store, key, data string) {
	t.Helper()
	n, err := s.Put(t.Context(), key, strings.NewReader(data), "")
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), n)
}

func get(t *testing.T, s *Store, key string) []byte {
	t.Helper()
	r, err := s.Get(t.Context(), key)
	require.NoError(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}

func list(t *testing.T, s *Store, prefix string) []string {
	t.Helper()
	keys, err := s.List(t.Context(), prefix)
	require.NoError(t, err)
	return keys
}

// pollWhole reads key until stop is closed and reports any read that is
// neither previous (or ErrNotFound when previous is nil) nor want.
func pollWhole(ctx context.Context, s *Store, key string, stop <-chan struct{}, previous, want []byte) error {
	for reads := 0; ; reads++ {
		select {
		case <-stop:
			return nil
		default:
		}
		r, err := s.Get(ctx, key)
		if errors.Is(err, ErrNotFound) && previous == nil {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %d: %w", reads, err)
		}
		got, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			return fmt.Errorf("read %d: %w", reads, err)
		}
		if !bytes.Equal(got, previous) && !bytes.Equal(got, want) {
			return fmt.Errorf("read %d saw %d bytes: neither the previous nor the new object", reads, len(got))
		}
	}
}

func httpGet(t *testing.T, url string, header map[string]string) (int, []byte) {
	t.Helper()
	status, body, _ := httpDo(t, http.MethodGet, url, header)
	return status, body
}

func httpDo(t *testing.T, method, url string, header map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body, resp.Header
}

// rawGet sends GET target over a fresh connection, byte for byte.
func rawGet(t *testing.T, srv *httptest.Server, target string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", target)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

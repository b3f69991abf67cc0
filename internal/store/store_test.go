package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The conformance suite: every test runs against SQLite and PostgreSQL.
// PostgreSQL comes from OPENVOD_TEST_POSTGRES (default: the local server on
// 127.0.0.1:5432, database test); `make test` starts one when none answers
// and sets OPENVOD_REQUIRE_POSTGRES=1 so that a missing server fails rather
// than skips.

func pgDSN() string {
	if v := os.Getenv("OPENVOD_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// forEachDialect runs fn as a subtest on a fresh database of each dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), Options{})
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		schema := "t_" + randHex(8)
		db, err := Open(ctx, pgDSN(), Options{Schema: schema})
		if err != nil {
			if os.Getenv("OPENVOD_REQUIRE_POSTGRES") != "" {
				t.Fatalf("PostgreSQL required but unavailable: %v", err)
			}
			t.Skipf("PostgreSQL unavailable (%v); run `make test` to start one", err)
		}
		t.Cleanup(func() {
			db.write.Exec("DROP SCHEMA " + quoteIdent(schema) + " CASCADE")
			db.Close()
		})
		fn(t, db)
	})
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func newTask(id string, prio int) *Task {
	return &Task{TaskID: id, SubAppID: 7, TaskType: "PullUpload", Status: "WAITING", Priority: prio,
		CreatedAt: t0, Params: []byte(`{}`), Detail: []byte(`{"Status":"WAITING"}`)}
}

func insert(t *testing.T, db *DB, tasks ...*Task) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
		for _, tk := range tasks {
			if err := tx.InsertTask(ctx, tk, t0.Add(-72*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestTaskQueue(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		insert(t, db, newTask("a", 0), newTask("b", 5), newTask("c", 0))

		// Highest priority first, then oldest.
		now := t0.Add(time.Minute)
		got, err := db.ClaimTask(ctx, "w1", now, now.Add(30*time.Second))
		require.NoError(t, err)
		require.Equal(t, "b", got.TaskID)
		require.Equal(t, StateRunning, got.State)
		require.Equal(t, 1, got.Attempts)
		got, err = db.ClaimTask(ctx, "w1", now, now.Add(30*time.Second))
		require.NoError(t, err)
		require.Equal(t, "a", got.TaskID)

		// Only the lease holder may write.
		require.ErrorIs(t, db.StartTask(ctx, "a", "w2", now, []byte(`{}`)), ErrLeaseLost)
		require.NoError(t, db.StartTask(ctx, "a", "w1", now, []byte(`{"Status":"PROCESSING"}`)))
		require.NoError(t, db.UpdateTaskDetail(ctx, "a", "w1", []byte(`{"p":1}`)))
		d, err := db.GetTaskDetail(ctx, "a")
		require.NoError(t, err)
		require.JSONEq(t, `{"p":1}`, string(d.Detail))

		// Expired leases are claimable again, in queue order with the
		// available tasks; the old holder then loses its writes.
		later := now.Add(time.Minute)
		var order []string
		for range 3 {
			got, err = db.ClaimTask(ctx, "w2", later, later.Add(30*time.Second))
			require.NoError(t, err)
			order = append(order, got.TaskID)
		}
		require.Equal(t, []string{"b", "a", "c"}, order)
		require.Equal(t, 1, got.Attempts)
		_, err = db.Heartbeat(ctx, "b", "w1", later)
		require.ErrorIs(t, err, ErrLeaseLost)
		tk, err := db.GetTask(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, 2, tk.Attempts)

		// Finish in a transaction; the task leaves the queue.
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			return tx.FinishTask(ctx, "c", "w2", "FINISH", later, []byte(`{"Status":"FINISH"}`))
		}))
		tk, err = db.GetTask(ctx, "c")
		require.NoError(t, err)
		require.Equal(t, StateDone, tk.State)
		require.Equal(t, "FINISH", tk.Status)
		require.Equal(t, later, tk.FinishAt)

		// Release hands a task back.
		require.NoError(t, db.ReleaseTask(ctx, "a", "w2", "boom"))
		tk, err = db.GetTask(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, StateAvailable, tk.State)
		require.Equal(t, "boom", tk.LastError)
	})
}

func TestTaskAbort(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		insert(t, db, newTask("w", 0), newTask("r", 1))
		now := t0.Add(time.Minute)
		got, err := db.ClaimTask(ctx, "w1", now, now.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, "r", got.TaskID)

		abortWaiting := func(id string) bool {
			var ok bool
			require.NoError(t, db.InTx(ctx, func(tx *Tx) (err error) { ok, err = tx.AbortWaiting(ctx, id, now, []byte(`{}`)); return err }))
			return ok
		}
		require.False(t, abortWaiting("r"), "a running task is not waiting")
		require.True(t, abortWaiting("w"))
		_, err = db.ClaimTask(ctx, "w1", now, now.Add(time.Minute))
		require.ErrorIs(t, err, ErrNotFound, "an aborted task is never claimed")

		ok, err := db.RequestAbort(ctx, "r")
		require.NoError(t, err)
		require.True(t, ok)
		abort, err := db.Heartbeat(ctx, "r", "w1", now.Add(2*time.Minute))
		require.NoError(t, err)
		require.True(t, abort)
	})
}

func TestTaskSession(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := newTask("s1", 0)
		a.SessionID = "dup"
		insert(t, db, a)
		b := newTask("s2", 0)
		b.SessionID = "dup"
		err := db.InTx(ctx, func(tx *Tx) error { return tx.InsertTask(ctx, b, t0.Add(-time.Hour)) })
		require.ErrorIs(t, err, ErrDuplicate)
		// Another application may use the same SessionId.
		b.SubAppID = 8
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { return tx.InsertTask(ctx, b, t0.Add(-time.Hour)) }))
		// Once the first use is older than the window, the id is free again.
		c := newTask("s3", 0)
		c.SessionID = "dup"
		c.CreatedAt = t0.Add(73 * time.Hour)
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { return tx.InsertTask(ctx, c, t0.Add(time.Hour)) }))
	})
}

func TestClaimIsExclusive(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const n = 60
		var tasks []*Task
		for i := range n {
			tasks = append(tasks, newTask(fmt.Sprintf("t%02d", i), 0))
		}
		insert(t, db, tasks...)
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprintf("w%d", w)
				for {
					now := time.Now()
					tk, err := db.ClaimTask(ctx, owner, now, now.Add(time.Hour))
					if err == ErrNotFound {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if prev, dup := seen[tk.TaskID]; dup {
						t.Errorf("%s claimed by %s and %s", tk.TaskID, prev, owner)
					}
					seen[tk.TaskID] = owner
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Len(t, seen, n)
	})
}

func TestRecoverAndPurge(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		old := newTask("old", 0)
		old.CreatedAt = t0.Add(-100 * time.Hour)
		insert(t, db, old, newTask("new", 0))
		now := t0
		for range 2 {
			_, err := db.ClaimTask(ctx, "dead", now, now.Add(time.Hour))
			require.NoError(t, err)
		}
		n, err := db.RecoverRunning(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		w, r, err := db.QueueDepth(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, w)
		require.EqualValues(t, 0, r)

		tk, err := db.ClaimTask(ctx, "w", now, now.Add(time.Hour))
		require.NoError(t, err)
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { return tx.FinishTask(ctx, tk.TaskID, "w", "FINISH", now, []byte(`{}`)) }))
		n, err = db.PurgeTasks(ctx, t0.Add(-72*time.Hour))
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "only ended tasks past retention are purged")
		_, err = db.GetTask(ctx, "old")
		require.ErrorIs(t, err, ErrNotFound)
		counts, err := db.CountTasks(ctx)
		require.NoError(t, err)
		require.Len(t, counts, 1)
	})
}

func TestListTasksPaging(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var tasks []*Task
		for i := range 25 {
			tk := newTask(fmt.Sprintf("p%02d", i), 0)
			tk.CreatedAt = t0.Add(time.Duration(i/2) * time.Second) // ties on the sort key
			tasks = append(tasks, tk)
		}
		other := newTask("other-app", 0)
		other.SubAppID = 99
		insert(t, db, append(tasks, other)...)
		for _, desc := range []bool{true, false} {
			f := TaskFilter{SubAppID: 7, Limit: 7, Desc: desc}
			var ids []string
			for {
				page, err := db.ListTasks(ctx, f)
				require.NoError(t, err)
				for _, tk := range page {
					ids = append(ids, tk.TaskID)
				}
				if len(page) < f.Limit {
					break
				}
				last := page[len(page)-1]
				f.HasAfter, f.AfterKey, f.AfterSeq = true, last.CreatedAt.UnixMilli(), last.Seq
			}
			require.Len(t, ids, 25)
			uniq := map[string]bool{}
			for _, id := range ids {
				uniq[id] = true
			}
			require.Len(t, uniq, 25, "every task exactly once")
			if desc {
				require.Equal(t, "p24", ids[0])
			} else {
				require.Equal(t, "p00", ids[0])
			}
		}
	})
}

func TestMediaAndSearch(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mk := func(id, name string, tags []string, at time.Time) *Media {
			return &Media{FileID: id, SubAppID: 7, Name: name, MediaKey: "7/x/" + id + "/f0.mp4", MediaType: "mp4",
				Category: "Video", Tags: tags, Meta: []byte(`{"Size":1}`), CreatedAt: at, UpdatedAt: at}
		}
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			for i, m := range []*Media{
				mk("1", "holiday_50%", []string{"sea", "sun"}, t0),
				mk("2", "holiday-beach", []string{"sea"}, t0.Add(time.Second)),
				mk("3", "meeting", nil, t0.Add(2*time.Second)),
			} {
				if err := tx.InsertMedia(ctx, m); err != nil {
					return fmt.Errorf("media %d: %w", i, err)
				}
			}
			return nil
		}))

		search := func(f MediaFilter) []string {
			f.SubAppID = 7
			if f.Limit == 0 {
				f.Limit = 10
			}
			rows, _, err := db.SearchMedia(ctx, f)
			require.NoError(t, err)
			var ids []string
			for _, m := range rows {
				ids = append(ids, m.FileID)
			}
			return ids
		}
		require.Equal(t, []string{"2", "1"}, search(MediaFilter{NamePrefixes: []string{"holiday"}, Desc: true}))
		require.Equal(t, []string{"1"}, search(MediaFilter{Names: []string{"50%"}}), "LIKE wildcards in names are literal")
		require.Equal(t, []string{"1", "2"}, search(MediaFilter{Tags: []string{"sea"}}))
		require.Equal(t, []string{"1"}, search(MediaFilter{Tags: []string{"sun"}}))
		require.Equal(t, []string{"3"}, search(MediaFilter{CreatedAfter: t0.Add(2 * time.Second)}))
		rows, total, err := db.SearchMedia(ctx, MediaFilter{SubAppID: 7, Offset: 1, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, 3, total)
		require.Len(t, rows, 1)
		require.Equal(t, "2", rows[0].FileID)

		// Read-modify-write and delete, scoped by application.
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			m, err := tx.GetMedia(ctx, 7, "3")
			if err != nil {
				return err
			}
			m.Tags = []string{"work"}
			m.Info = []byte(`{"KeyFrameDescInfo":null}`)
			return tx.UpdateMedia(ctx, m)
		}))
		m, err := db.GetMedia(ctx, 7, "3")
		require.NoError(t, err)
		require.Equal(t, []string{"work"}, m.Tags)
		_, err = db.GetMedia(ctx, 8, "3")
		require.ErrorIs(t, err, ErrNotFound, "another application cannot see it")
		require.ErrorIs(t, db.InTx(ctx, func(tx *Tx) error { return tx.DeleteMedia(ctx, 8, "3") }), ErrNotFound)
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { return tx.DeleteMedia(ctx, 7, "3") }))
		_, err = db.GetMedia(ctx, 7, "3")
		require.ErrorIs(t, err, ErrNotFound)
	})
}

func TestAppsUploadsKV(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		def := &App{SubAppID: 1250000001, AppID: 1250000001, Name: "default", Tags: []byte("[]"), Status: "On", IsDefault: true, CreatedAt: t0}
		require.NoError(t, db.EnsureApp(ctx, def))
		require.NoError(t, db.EnsureApp(ctx, def), "idempotent")
		a := &App{AppID: 1250000001, Name: "one", Tags: []byte("[]"), Status: "On", CreatedAt: t0}
		require.NoError(t, db.CreateApp(ctx, a))
		require.EqualValues(t, FirstSubAppID, a.SubAppID)
		b := &App{AppID: 1250000001, Name: "two", Tags: []byte("[]"), Status: "On", CreatedAt: t0}
		require.NoError(t, db.CreateApp(ctx, b))
		require.EqualValues(t, FirstSubAppID+1, b.SubAppID)
		got, err := db.DefaultApp(ctx, 1250000001)
		require.NoError(t, err)
		require.Equal(t, def.SubAppID, got.SubAppID)
		apps, total, err := db.ListApps(ctx, 1250000001, "", 0, 10)
		require.NoError(t, err)
		require.Equal(t, 3, total)
		require.Len(t, apps, 3)
		apps, total, err = db.ListApps(ctx, 1250000001, "two", 0, 10)
		require.NoError(t, err)
		require.Equal(t, 1, total)
		b.Status = "Off"
		require.NoError(t, db.UpdateApp(ctx, b))
		got, err = db.GetApp(ctx, b.SubAppID)
		require.NoError(t, err)
		require.Equal(t, "Off", got.Status)

		u := &Upload{SessionKey: "k", SubAppID: 7, TokenHash: "h", Params: []byte(`{}`), MediaPath: "/k/f0.mp4",
			ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		require.NoError(t, db.InsertUpload(ctx, u))
		gu, err := db.GetUpload(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, u.MediaPath, gu.MediaPath)
		var first, second bool
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { first, err = tx.CommitUpload(ctx, "k"); return err }))
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { second, err = tx.CommitUpload(ctx, "k"); return err }))
		require.True(t, first)
		require.False(t, second, "a session commits once")
		gone, err := db.PurgeUploads(ctx, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Len(t, gone, 1)

		v, err := db.PutKV(ctx, "k", "first")
		require.NoError(t, err)
		require.Equal(t, "first", v)
		v, err = db.PutKV(ctx, "k", "second")
		require.NoError(t, err)
		require.Equal(t, "first", v, "the first value wins")
	})
}

func TestExpiredMedia(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mk := func(id string, sub uint64, expire time.Time) *Media {
			return &Media{FileID: id, SubAppID: sub, Name: id, MediaKey: "x/" + id + "/f0.mp4", MediaType: "mp4",
				Category: "Video", ExpireAt: expire, Meta: []byte(`{}`), CreatedAt: t0, UpdatedAt: t0}
		}
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			for _, m := range []*Media{
				mk("never", 7, time.Time{}),
				mk("later", 7, t0.Add(time.Hour)),
				mk("second", 8, t0.Add(-time.Minute)),
				mk("first", 7, t0.Add(-time.Hour)),
				mk("now", 9, t0),
			} {
				if err := tx.InsertMedia(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}))
		ids := func(ms []*Media) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.FileID)
			}
			return out
		}
		got, err := db.ExpiredMedia(ctx, t0, 10)
		require.NoError(t, err)
		require.Equal(t, []string{"first", "second", "now"}, ids(got), "every application's, longest expired first")
		got, err = db.ExpiredMedia(ctx, t0, 1)
		require.NoError(t, err)
		require.Equal(t, []string{"first"}, ids(got))
	})
}

func TestRebaseURLs(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		info := func(base string) []byte {
			return []byte(`{"TranscodeInfo":{"TranscodeSet":[{"Url":"` + base + `/files/7/a/f0.f10.mp4"}]},"Note":"see http://a:1/files/x"}`)
		}
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			for _, id := range []string{"1", "2"} {
				m := &Media{FileID: id, SubAppID: 7, MediaKey: "7/a/" + id + "/f0.mp4", Meta: []byte(`{}`), Info: info("http://a:1"),
					CreatedAt: t0, UpdatedAt: t0}
				if id == "2" {
					m.Info = []byte(`{}`)
				}
				if err := tx.InsertMedia(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}))
		old, n, err := db.RebaseURLs(ctx, "http://a:1")
		require.NoError(t, err)
		require.Equal(t, "", old, "the first start records the base")
		require.Zero(t, n)

		old, n, err = db.RebaseURLs(ctx, "https://vod.example_1.com")
		require.NoError(t, err)
		require.Equal(t, "http://a:1", old)
		require.EqualValues(t, 1, n)
		m, err := db.GetMedia(ctx, 7, "1")
		require.NoError(t, err)
		want := strings.Replace(string(info("https://vod.example_1.com")), "https://vod.example_1.com/files/x", "http://a:1/files/x", 1)
		require.JSONEq(t, want, string(m.Info), "quoted URLs rebased, text inside other strings kept")

		old, n, err = db.RebaseURLs(ctx, "https://vod.example_1.com")
		require.NoError(t, err)
		require.Equal(t, "https://vod.example_1.com", old)
		require.Zero(t, n, "an unchanged base rewrites nothing")
	})
}

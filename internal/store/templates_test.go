package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newTemplate(app uint64, kind, name string) *Template {
	return &Template{SubAppID: app, Kind: kind, Name: name, Comment: "c-" + name,
		Body: []byte(`{"Container":"mp4"}`), CreatedAt: t0, UpdatedAt: t0}
}

// insertTemplate inserts t in its own transaction.
func insertTemplate(db *DB, t *Template, alloc TemplateAlloc) error {
	return db.InTx(context.Background(), func(tx *Tx) error { return tx.InsertTemplate(context.Background(), t, alloc) })
}

func TestTemplateDefinitions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		presets := map[int64]bool{1010: true, 1011: true, 1020: true}
		alloc := TemplateAlloc{First: 1008, SkipFunc: func(d int64) bool { return presets[d] }}

		// Definitions count up from First, skipping the presets.
		var defs []int64
		for range 4 {
			tp := newTemplate(7, "transcode", "t")
			require.NoError(t, insertTemplate(db, tp, alloc))
			defs = append(defs, tp.Definition)
		}
		require.Equal(t, []int64{1008, 1009, 1012, 1013}, defs)

		// Each application and each kind numbers on its own.
		other := newTemplate(8, "transcode", "t")
		require.NoError(t, insertTemplate(db, other, alloc))
		require.Equal(t, int64(1008), other.Definition)
		wm := newTemplate(7, "watermark", "w")
		require.NoError(t, insertTemplate(db, wm, TemplateAlloc{First: 10001}))
		require.Equal(t, int64(10001), wm.Definition)

		// A deleted definition is never given out again.
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error { return tx.DeleteTemplate(ctx, 7, "transcode", 1013) }))
		tp := newTemplate(7, "transcode", "t")
		require.NoError(t, insertTemplate(db, tp, alloc))
		require.Equal(t, int64(1014), tp.Definition)

		// A failed insert (over quota) does not use up a definition.
		require.ErrorIs(t, insertTemplate(db, newTemplate(7, "watermark", "w"), TemplateAlloc{First: 10001, Quota: 1}), ErrLimitExceeded)
		wm2 := newTemplate(7, "watermark", "w2")
		require.NoError(t, insertTemplate(db, wm2, TemplateAlloc{First: 10001, Quota: 2}))
		require.Equal(t, int64(10002), wm2.Definition)
	})
}

func TestTemplateCRUD(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		alloc := TemplateAlloc{First: 10001}
		a := newTemplate(7, "snapshot", "a")
		b := newTemplate(7, "snapshot", "b")
		c := newTemplate(9, "snapshot", "c")
		for _, tp := range []*Template{a, b, c} {
			require.NoError(t, insertTemplate(db, tp, alloc))
		}

		got, err := db.GetTemplate(ctx, 7, "snapshot", b.Definition)
		require.NoError(t, err)
		require.Equal(t, b, got)
		_, err = db.GetTemplate(ctx, 7, "transcode", b.Definition)
		require.ErrorIs(t, err, ErrNotFound)
		_, err = db.GetTemplate(ctx, 8, "snapshot", b.Definition)
		require.ErrorIs(t, err, ErrNotFound)

		list, err := db.ListTemplates(ctx, TemplateFilter{SubAppID: 7, Kind: "snapshot"})
		require.NoError(t, err)
		require.Equal(t, []*Template{a, b}, list)
		list, err = db.ListTemplates(ctx, TemplateFilter{SubAppID: 7, Kind: "snapshot", Definitions: []int64{b.Definition, 5}})
		require.NoError(t, err)
		require.Equal(t, []*Template{b}, list)
		list, err = db.ListTemplates(ctx, TemplateFilter{SubAppID: 7, Kind: "snapshot", Names: []string{"a", "c"}})
		require.NoError(t, err)
		require.Equal(t, []*Template{a}, list)

		// Read-modify-write under the lock.
		later := t0.Add(time.Hour)
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			tp, err := tx.LockTemplate(ctx, 7, "snapshot", a.Definition)
			if err != nil {
				return err
			}
			tp.Name, tp.Comment, tp.Body, tp.UpdatedAt = "a2", "", []byte(`{"Format":"png"}`), later
			return tx.UpdateTemplate(ctx, tp)
		}))
		got, err = db.GetTemplate(ctx, 7, "snapshot", a.Definition)
		require.NoError(t, err)
		require.Equal(t, "a2", got.Name)
		require.Empty(t, got.Comment)
		require.JSONEq(t, `{"Format":"png"}`, string(got.Body))
		require.Equal(t, t0, got.CreatedAt)
		require.Equal(t, later, got.UpdatedAt)

		// Assertions stay outside the transaction: a failing test must not
		// leave it open.
		var lockErr, updateErr, deleteOtherErr error
		var inTx []*Template
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			_, lockErr = tx.LockTemplate(ctx, 8, "snapshot", a.Definition)
			updateErr = tx.UpdateTemplate(ctx, &Template{SubAppID: 8, Kind: "snapshot", Definition: a.Definition, Body: []byte(`{}`)})
			deleteOtherErr = tx.DeleteTemplate(ctx, 8, "snapshot", a.Definition)
			if err := tx.DeleteTemplate(ctx, 7, "snapshot", a.Definition); err != nil {
				return err
			}
			var err error
			inTx, err = tx.ListTemplates(ctx, TemplateFilter{SubAppID: 7, Kind: "snapshot"})
			return err
		}))
		require.ErrorIs(t, lockErr, ErrNotFound)
		require.ErrorIs(t, updateErr, ErrNotFound)
		require.ErrorIs(t, deleteOtherErr, ErrNotFound)
		require.Equal(t, []*Template{b}, inTx)
		_, err = db.GetTemplate(ctx, 7, "snapshot", a.Definition)
		require.ErrorIs(t, err, ErrNotFound)
	})
}

func TestProcedureTemplateNames(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		alloc := TemplateAlloc{First: 1}
		p := newTemplate(7, "procedure", "flow")
		require.NoError(t, insertTemplate(db, p, alloc))
		require.ErrorIs(t, insertTemplate(db, newTemplate(7, "procedure", "flow"), alloc), ErrDuplicate)
		// The name is unique per application, and only among procedures.
		require.NoError(t, insertTemplate(db, newTemplate(8, "procedure", "flow"), alloc))
		require.NoError(t, insertTemplate(db, newTemplate(7, "transcode", "flow"), alloc))
		require.NoError(t, insertTemplate(db, newTemplate(7, "transcode", "flow"), alloc))

		got, err := db.GetTemplateByName(ctx, 7, "procedure", "flow")
		require.NoError(t, err)
		require.Equal(t, p, got)
		_, err = db.GetTemplateByName(ctx, 7, "procedure", "nope")
		require.ErrorIs(t, err, ErrNotFound)
		var locked *Template
		var lockErr, missingErr error
		require.NoError(t, db.InTx(ctx, func(tx *Tx) error {
			locked, lockErr = tx.LockTemplateByName(ctx, 7, "procedure", "flow")
			_, missingErr = tx.LockTemplateByName(ctx, 7, "procedure", "nope")
			return nil
		}))
		require.NoError(t, lockErr)
		require.Equal(t, p, locked)
		require.ErrorIs(t, missingErr, ErrNotFound)
	})
}

func TestTemplateQuotaConcurrent(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const quota, tries = 5, 12
		alloc := TemplateAlloc{First: 10001, Quota: quota}
		var wg sync.WaitGroup
		errs := make(chan error, tries)
		for i := range tries {
			wg.Go(func() {
				errs <- insertTemplate(db, newTemplate(7, "sprite", "s"+itoa(i)), alloc)
			})
		}
		wg.Wait()
		close(errs)
		var ok, limited int
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrLimitExceeded):
				limited++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		require.Equal(t, quota, ok)
		require.Equal(t, tries-quota, limited)
		list, err := db.ListTemplates(ctx, TemplateFilter{SubAppID: 7, Kind: "sprite"})
		require.NoError(t, err)
		require.Len(t, list, quota)
		for i, tp := range list {
			require.Equal(t, int64(10001+i), tp.Definition)
		}
	})
}

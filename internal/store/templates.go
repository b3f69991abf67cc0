package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// ErrLimitExceeded is returned when an application already has as many
// templates of a kind as its quota allows.
var ErrLimitExceeded = errors.New("limit exceeded")

// Template is a custom template of an application: a parameter template
// (transcode, watermark, snapshot ...) or a procedure template. The store
// does not look inside Body; the service keeps the template's wire struct
// there as JSON.
type Template struct {
	SubAppID uint64
	// Kind names the template family ("transcode", "procedure" ...); each
	// kind numbers its definitions on its own.
	Kind string
	// Definition is the id the API shows. Procedure templates, which the API
	// keys by Name, get one too, for the store's own use.
	Definition int64
	// Name is unique per application among procedure templates only.
	Name      string
	Comment   string
	Body      []byte // JSON
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TemplateAlloc says how InsertTemplate numbers a new template and how many
// an application may have.
type TemplateAlloc struct {
	// First is the first definition of the kind. Later ones count up from
	// the last one given out, so a definition is never reused after a delete.
	First int64
	// SkipFunc, when set, reports definitions that must not be given out
	// (those of preset templates).
	SkipFunc func(def int64) bool
	// Quota is the most templates of the kind an application may have; 0
	// means no limit.
	Quota int
}

// TemplateFilter selects templates of one kind of one application.
type TemplateFilter struct {
	SubAppID uint64
	Kind     string
	// Definitions and Names, when not empty, keep only the templates listed.
	Definitions []int64
	Names       []string
}

const templateColumns = `sub_app_id, kind, definition, name, comment, body, created_at, updated_at`

func scanTemplate(row interface{ Scan(...any) error }) (*Template, error) {
	var t Template
	var body string
	var created, updated int64
	err := row.Scan(&t.SubAppID, &t.Kind, &t.Definition, &t.Name, &t.Comment, &body, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.Body, t.CreatedAt, t.UpdatedAt = []byte(body), fromMS(created), fromMS(updated)
	return &t, nil
}

// InsertTemplate gives t the next definition of its kind in its application
// and inserts it. It returns ErrLimitExceeded when the application already
// has alloc.Quota templates of the kind, and ErrDuplicate when a procedure
// template of that name exists.
func (tx *Tx) InsertTemplate(ctx context.Context, t *Template, alloc TemplateAlloc) error {
	// Taking the next definition locks the counter row until the end of the
	// transaction, so concurrent inserts of one kind queue here and the
	// count below sees every committed row.
	for {
		var def int64
		err := tx.queryRow(ctx, `INSERT INTO template_counters (sub_app_id, kind, last_definition) VALUES (?, ?, ?)
ON CONFLICT (sub_app_id, kind) DO UPDATE SET last_definition = template_counters.last_definition + 1
RETURNING last_definition`, t.SubAppID, t.Kind, alloc.First).Scan(&def)
		if err != nil {
			return err
		}
		if alloc.SkipFunc == nil || !alloc.SkipFunc(def) {
			t.Definition = def
			break
		}
	}
	if alloc.Quota > 0 {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM templates WHERE sub_app_id = ? AND kind = ?`, t.SubAppID, t.Kind).Scan(&n); err != nil {
			return err
		}
		if n >= alloc.Quota {
			return ErrLimitExceeded
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO templates (`+templateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.SubAppID, t.Kind, t.Definition, t.Name, t.Comment, string(t.Body), ms(t.CreatedAt), ms(t.UpdatedAt))
	if isUniqueViolation(err) {
		return ErrDuplicate
	}
	return err
}

// LockTemplate reads a template and holds it until the transaction ends:
// a concurrent change or delete waits, and a delete that went first makes it
// ErrNotFound. Read-modify-write and "must exist" checks use it.
func (tx *Tx) LockTemplate(ctx context.Context, subAppID uint64, kind string, def int64) (*Template, error) {
	return tx.lockTemplate(ctx, `sub_app_id = ? AND kind = ? AND definition = ?`, subAppID, kind, def)
}

// LockTemplateByName is LockTemplate for the kinds keyed by name
// (procedure templates).
func (tx *Tx) LockTemplateByName(ctx context.Context, subAppID uint64, kind, name string) (*Template, error) {
	return tx.lockTemplate(ctx, `sub_app_id = ? AND kind = ? AND name = ?`, subAppID, kind, name)
}

func (tx *Tx) lockTemplate(ctx context.Context, where string, args ...any) (*Template, error) {
	// A no-op UPDATE takes the row lock in both dialects.
	res, err := tx.exec(ctx, `UPDATE templates SET updated_at = updated_at WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, ErrNotFound
	}
	return scanTemplate(tx.queryRow(ctx, `SELECT `+templateColumns+` FROM templates WHERE `+where, args...))
}

// UpdateTemplate writes a template's name, comment, body and update time.
func (tx *Tx) UpdateTemplate(ctx context.Context, t *Template) error {
	res, err := tx.exec(ctx, `UPDATE templates SET name = ?, comment = ?, body = ?, updated_at = ? WHERE sub_app_id = ? AND kind = ? AND definition = ?`,
		t.Name, t.Comment, string(t.Body), ms(t.UpdatedAt), t.SubAppID, t.Kind, t.Definition)
	if isUniqueViolation(err) {
		return ErrDuplicate
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteTemplate deletes a template (ErrNotFound when there is none).
func (tx *Tx) DeleteTemplate(ctx context.Context, subAppID uint64, kind string, def int64) error {
	res, err := tx.exec(ctx, `DELETE FROM templates WHERE sub_app_id = ? AND kind = ? AND definition = ?`, subAppID, kind, def)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ListTemplates returns the templates f selects inside the transaction, by
// definition (which is creation order).
func (tx *Tx) ListTemplates(ctx context.Context, f TemplateFilter) ([]*Template, error) {
	q, args := templateQuery(f)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanTemplates(rows)
}

// GetTemplate reads one template.
func (db *DB) GetTemplate(ctx context.Context, subAppID uint64, kind string, def int64) (*Template, error) {
	return scanTemplate(db.queryRow(ctx, `SELECT `+templateColumns+` FROM templates WHERE sub_app_id = ? AND kind = ? AND definition = ?`, subAppID, kind, def))
}

// GetTemplateByName reads one template of a kind keyed by name.
func (db *DB) GetTemplateByName(ctx context.Context, subAppID uint64, kind, name string) (*Template, error) {
	return scanTemplate(db.queryRow(ctx, `SELECT `+templateColumns+` FROM templates WHERE sub_app_id = ? AND kind = ? AND name = ?`, subAppID, kind, name))
}

// ListTemplates returns the templates f selects, by definition (which is
// creation order). Quotas keep the lists short, so there is no paging here.
func (db *DB) ListTemplates(ctx context.Context, f TemplateFilter) ([]*Template, error) {
	q, args := templateQuery(f)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanTemplates(rows)
}

func templateQuery(f TemplateFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT ` + templateColumns + ` FROM templates WHERE sub_app_id = ? AND kind = ?`)
	args := []any{f.SubAppID, f.Kind}
	if len(f.Definitions) > 0 {
		b.WriteString(` AND definition IN (?` + strings.Repeat(`, ?`, len(f.Definitions)-1) + `)`)
		for _, d := range f.Definitions {
			args = append(args, d)
		}
	}
	if len(f.Names) > 0 {
		b.WriteString(` AND name IN (?` + strings.Repeat(`, ?`, len(f.Names)-1) + `)`)
		for _, n := range f.Names {
			args = append(args, n)
		}
	}
	b.WriteString(` ORDER BY definition`)
	return b.String(), args
}

func scanTemplates(rows *sql.Rows) ([]*Template, error) {
	defer rows.Close()
	var out []*Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

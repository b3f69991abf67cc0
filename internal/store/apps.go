package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// App is an application (SubAppId): the tenant namespace that every media
// and task belongs to.
type App struct {
	SubAppID      uint64
	AppID         uint64
	Name          string
	Description   string
	Type          string
	Mode          string
	StorageRegion string
	Tags          []byte // JSON array of ResourceTag
	Status        string // On, Off
	IsDefault     bool
	CreatedAt     time.Time
}

// FirstSubAppID is the id given to the first application created with
// CreateSubAppId; later ones count up from it.
const FirstSubAppID = 1500000001

const appColumns = `sub_app_id, app_id, name, description, type, mode, storage_region, tags, status, is_default, created_at`

func scanApp(row interface{ Scan(...any) error }) (*App, error) {
	var a App
	var tags string
	var def int
	var created int64
	err := row.Scan(&a.SubAppID, &a.AppID, &a.Name, &a.Description, &a.Type, &a.Mode, &a.StorageRegion, &tags, &a.Status, &def, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.Tags, a.IsDefault, a.CreatedAt = []byte(tags), def != 0, fromMS(created)
	return &a, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// EnsureApp inserts a with its given SubAppID unless that id exists already
// (used for the account's default application).
func (db *DB) EnsureApp(ctx context.Context, a *App) error {
	_, err := db.exec(ctx, `INSERT INTO apps (`+appColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sub_app_id) DO NOTHING`,
		a.SubAppID, a.AppID, a.Name, a.Description, a.Type, a.Mode, a.StorageRegion, string(a.Tags), a.Status, boolInt(a.IsDefault), ms(a.CreatedAt))
	return err
}

// CreateApp inserts a new application with the next free SubAppId, which it
// sets on a.
func (db *DB) CreateApp(ctx context.Context, a *App) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var max sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT MAX(sub_app_id) FROM apps WHERE sub_app_id >= ?`, FirstSubAppID).Scan(&max); err != nil {
			return err
		}
		a.SubAppID = FirstSubAppID
		if max.Valid {
			a.SubAppID = uint64(max.Int64) + 1
		}
		_, err := tx.exec(ctx, `INSERT INTO apps (`+appColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.SubAppID, a.AppID, a.Name, a.Description, a.Type, a.Mode, a.StorageRegion, string(a.Tags), a.Status, boolInt(a.IsDefault), ms(a.CreatedAt))
		return err
	})
}

// GetApp reads one application.
func (db *DB) GetApp(ctx context.Context, subAppID uint64) (*App, error) {
	return scanApp(db.queryRow(ctx, `SELECT `+appColumns+` FROM apps WHERE sub_app_id = ?`, subAppID))
}

// DefaultApp reads the default application of an account.
func (db *DB) DefaultApp(ctx context.Context, appID uint64) (*App, error) {
	return scanApp(db.queryRow(ctx, `SELECT `+appColumns+` FROM apps WHERE app_id = ? AND is_default = 1`, appID))
}

// ListApps pages through an account's applications, optionally by exact name.
func (db *DB) ListApps(ctx context.Context, appID uint64, name string, offset, limit int) ([]*App, int, error) {
	where, args := `app_id = ?`, []any{appID}
	if name != "" {
		where += ` AND name = ?`
		args = append(args, name)
	}
	var total int
	if err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM apps WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+appColumns+` FROM apps WHERE `+where+` ORDER BY sub_app_id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

// UpdateApp writes an application's name, description and status.
func (db *DB) UpdateApp(ctx context.Context, a *App) error {
	res, err := db.exec(ctx, `UPDATE apps SET name = ?, description = ?, status = ? WHERE sub_app_id = ?`,
		a.Name, a.Description, a.Status, a.SubAppID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

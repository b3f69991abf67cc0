package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Media is a stored media file and what is known about it.
type Media struct {
	FileID        string
	SubAppID      uint64
	Name          string
	Description   string
	ClassID       int64
	MediaType     string // extension, e.g. mp4
	Category      string // Video, Audio, Image
	MediaKey      string // blob key of the original
	CoverKey      string
	StorageRegion string
	StoragePath   string
	SourceType    string
	SourceContext string
	ExpireAt      time.Time // zero: never
	Tags          []string
	Meta          []byte // MediaMetaData JSON
	Info          []byte // the other MediaInfo parts (outputs, key frame descriptions) as one JSON object
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const mediaColumns = `file_id, sub_app_id, name, description, class_id, media_type, category, media_key, cover_key,
	storage_region, storage_path, source_type, source_context, expire_at, tags, meta, info, created_at, updated_at`

func scanMedia(row interface{ Scan(...any) error }) (*Media, error) {
	var m Media
	var expire, created, updated int64
	var tags, meta, info string
	err := row.Scan(&m.FileID, &m.SubAppID, &m.Name, &m.Description, &m.ClassID, &m.MediaType, &m.Category, &m.MediaKey,
		&m.CoverKey, &m.StorageRegion, &m.StoragePath, &m.SourceType, &m.SourceContext, &expire, &tags, &meta, &info,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	m.ExpireAt, m.CreatedAt, m.UpdatedAt = fromMS(expire), fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(tags), &m.Tags); err != nil {
		return nil, err
	}
	m.Meta, m.Info = []byte(meta), []byte(info)
	return &m, nil
}

func (m *Media) args() []any {
	tags, _ := json.Marshal(orEmpty(m.Tags))
	meta, info := string(m.Meta), string(m.Info)
	if meta == "" {
		meta = "null"
	}
	if info == "" {
		info = "{}"
	}
	return []any{m.FileID, m.SubAppID, m.Name, m.Description, m.ClassID, m.MediaType, m.Category, m.MediaKey, m.CoverKey,
		m.StorageRegion, m.StoragePath, m.SourceType, m.SourceContext, ms(m.ExpireAt), string(tags), meta, info,
		ms(m.CreatedAt), ms(m.UpdatedAt)}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// InsertMedia adds a media row.
func (tx *Tx) InsertMedia(ctx context.Context, m *Media) error {
	_, err := tx.exec(ctx, `INSERT INTO media (`+mediaColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.args()...)
	if isUniqueViolation(err) {
		return ErrDuplicate
	}
	return err
}

// UpdateMedia rewrites every column of an existing media row.
func (tx *Tx) UpdateMedia(ctx context.Context, m *Media) error {
	a := m.args()
	res, err := tx.exec(ctx, `UPDATE media SET name = ?, description = ?, class_id = ?, media_type = ?, category = ?, media_key = ?,
		cover_key = ?, storage_region = ?, storage_path = ?, source_type = ?, source_context = ?, expire_at = ?, tags = ?, meta = ?,
		info = ?, updated_at = ? WHERE file_id = ? AND sub_app_id = ?`,
		append(a[2:17:17], a[18], m.FileID, m.SubAppID)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// GetMediaTx reads a media row inside a transaction (for read-modify-write).
func (tx *Tx) GetMedia(ctx context.Context, subAppID uint64, fileID string) (*Media, error) {
	return scanMedia(tx.queryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE file_id = ? AND sub_app_id = ?`, fileID, subAppID))
}

// GetMedia reads one media of an application.
func (db *DB) GetMedia(ctx context.Context, subAppID uint64, fileID string) (*Media, error) {
	return scanMedia(db.queryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE file_id = ? AND sub_app_id = ?`, fileID, subAppID))
}

// ExpiredMedia returns up to limit media, of every application, whose
// ExpireTime is not after now, the longest expired first.
func (db *DB) ExpiredMedia(ctx context.Context, now time.Time, limit int) ([]*Media, error) {
	rows, err := db.query(ctx, `SELECT `+mediaColumns+` FROM media WHERE expire_at > 0 AND expire_at <= ? ORDER BY expire_at LIMIT ?`,
		ms(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMedia removes a media row.
func (tx *Tx) DeleteMedia(ctx context.Context, subAppID uint64, fileID string) error {
	res, err := tx.exec(ctx, `DELETE FROM media WHERE file_id = ? AND sub_app_id = ?`, fileID, subAppID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MediaFilter selects media for SearchMedia. Empty lists do not filter.
type MediaFilter struct {
	SubAppID       uint64
	FileIDs        []string
	Names          []string // substring match
	NamePrefixes   []string
	Descriptions   []string // substring match
	ClassIDs       []int64
	Tags           []string // any of
	Categories     []string
	SourceTypes    []string
	MediaTypes     []string
	StorageRegions []string
	CreatedAfter   time.Time
	CreatedBefore  time.Time
	ExpireAfter    time.Time
	ExpireBefore   time.Time
	Desc           bool
	Offset, Limit  int
}

// SearchMedia returns one page of matching media and the total count.
func (db *DB) SearchMedia(ctx context.Context, f MediaFilter) ([]*Media, int, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	add("sub_app_id = ?", f.SubAppID)
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")
		a := make([]any, len(vals))
		for i, v := range vals {
			a[i] = v
		}
		add(col+" IN ("+ph+")", a...)
	}
	anyLike := func(col string, vals []string, pre, post string) {
		if len(vals) == 0 {
			return
		}
		var ors []string
		var a []any
		for _, v := range vals {
			ors = append(ors, col+` LIKE ? ESCAPE '\'`)
			a = append(a, pre+escapeLike(v)+post)
		}
		add("("+strings.Join(ors, " OR ")+")", a...)
	}
	in("file_id", f.FileIDs)
	anyLike("name", f.Names, "%", "%")
	anyLike("name", f.NamePrefixes, "", "%")
	anyLike("description", f.Descriptions, "%", "%")
	if len(f.ClassIDs) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(f.ClassIDs)), ", ")
		a := make([]any, len(f.ClassIDs))
		for i, v := range f.ClassIDs {
			a[i] = v
		}
		add("class_id IN ("+ph+")", a...)
	}
	var quoted []string
	for _, t := range f.Tags {
		b, _ := json.Marshal(t)
		quoted = append(quoted, string(b))
	}
	anyLike("tags", quoted, "%", "%")
	in("category", f.Categories)
	in("source_type", f.SourceTypes)
	in("media_type", f.MediaTypes)
	in("storage_region", f.StorageRegions)
	if !f.CreatedAfter.IsZero() {
		add("created_at >= ?", ms(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		add("created_at < ?", ms(f.CreatedBefore))
	}
	if !f.ExpireAfter.IsZero() {
		add("expire_at >= ?", ms(f.ExpireAfter))
	}
	if !f.ExpireBefore.IsZero() {
		add("expire_at < ? AND expire_at > 0", ms(f.ExpireBefore))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM media WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "ASC"
	if f.Desc {
		order = "DESC"
	}
	rows, err := db.query(ctx, `SELECT `+mediaColumns+` FROM media WHERE `+cond+` ORDER BY created_at `+order+`, file_id `+order+
		` LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Upload is an ApplyUpload session waiting for its file and CommitUpload.
type Upload struct {
	SessionKey string
	SubAppID   uint64
	TokenHash  string // SHA-256 of the upload token, hex
	Params     []byte // the ApplyUpload request, JSON
	MediaPath  string // blob key the media is PUT to (staging)
	CoverPath  string
	ExpiresAt  time.Time
	Committed  bool
	CreatedAt  time.Time
}

// InsertUpload records an upload session.
func (db *DB) InsertUpload(ctx context.Context, u *Upload) error {
	_, err := db.exec(ctx, `INSERT INTO uploads (session_key, sub_app_id, token_hash, params, media_path, cover_path, expires_at,
		committed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`, u.SessionKey, u.SubAppID, u.TokenHash, string(u.Params),
		u.MediaPath, u.CoverPath, ms(u.ExpiresAt), ms(u.CreatedAt))
	return err
}

// GetUpload reads an upload session.
func (db *DB) GetUpload(ctx context.Context, sessionKey string) (*Upload, error) {
	var u Upload
	var params string
	var expires, created int64
	var committed int
	err := db.queryRow(ctx, `SELECT session_key, sub_app_id, token_hash, params, media_path, cover_path, expires_at, committed,
		created_at FROM uploads WHERE session_key = ?`, sessionKey).Scan(&u.SessionKey, &u.SubAppID, &u.TokenHash, &params,
		&u.MediaPath, &u.CoverPath, &expires, &committed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	u.Params, u.ExpiresAt, u.Committed, u.CreatedAt = []byte(params), fromMS(expires), committed != 0, fromMS(created)
	return &u, nil
}

// CommitUpload marks a session used; false when it already was.
func (tx *Tx) CommitUpload(ctx context.Context, sessionKey string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE uploads SET committed = 1 WHERE session_key = ? AND committed = 0`, sessionKey)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// PurgeUploads deletes sessions that expired before cutoff and returns them
// so their staged files can be removed too.
func (db *DB) PurgeUploads(ctx context.Context, cutoff time.Time) ([]*Upload, error) {
	rows, err := db.query(ctx, `SELECT session_key, media_path, cover_path FROM uploads WHERE expires_at < ?`, ms(cutoff))
	if err != nil {
		return nil, err
	}
	var out []*Upload
	for rows.Next() {
		var u Upload
		if err := rows.Scan(&u.SessionKey, &u.MediaPath, &u.CoverPath); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, &u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	_, err = db.exec(ctx, `DELETE FROM uploads WHERE expires_at < ?`, ms(cutoff))
	return out, err
}

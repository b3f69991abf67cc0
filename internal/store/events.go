package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// EventConfig is an application's event notification setting.
type EventConfig struct {
	SubAppID          uint64
	Mode              string // PUSH or PULL
	NotificationURL   string
	UploadSwitch      string // ON/OFF: NewFileUpload
	DeleteSwitch      string // ON/OFF: FileDeleted
	PersistenceSwitch string // ON/OFF: PersistenceComplete
	SignKey           string
	UpdatedAt         time.Time
}

// DefaultEventMode is the mode of an application that never set one: PULL,
// so that events wait in the reliable queue instead of being dropped for
// want of a callback URL.
const DefaultEventMode = "PULL"

func defaultEventConfig(subAppID uint64) *EventConfig {
	return &EventConfig{SubAppID: subAppID, Mode: DefaultEventMode, UploadSwitch: "OFF", DeleteSwitch: "OFF", PersistenceSwitch: "OFF"}
}

const eventConfigColumns = `sub_app_id, mode, notification_url, upload_switch, delete_switch, persistence_switch, sign_key, updated_at`

func scanEventConfig(row *sql.Row, subAppID uint64) (*EventConfig, error) {
	var c EventConfig
	var updated int64
	err := row.Scan(&c.SubAppID, &c.Mode, &c.NotificationURL, &c.UploadSwitch, &c.DeleteSwitch, &c.PersistenceSwitch, &c.SignKey, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return defaultEventConfig(subAppID), nil
	}
	c.UpdatedAt = fromMS(updated)
	return &c, err
}

// GetEventConfig reads an application's setting (the default when unset).
func (db *DB) GetEventConfig(ctx context.Context, subAppID uint64) (*EventConfig, error) {
	return scanEventConfig(db.queryRow(ctx, `SELECT `+eventConfigColumns+` FROM event_configs WHERE sub_app_id = ?`, subAppID), subAppID)
}

// GetEventConfig reads the setting inside a transaction.
func (tx *Tx) GetEventConfig(ctx context.Context, subAppID uint64) (*EventConfig, error) {
	return scanEventConfig(tx.queryRow(ctx, `SELECT `+eventConfigColumns+` FROM event_configs WHERE sub_app_id = ?`, subAppID), subAppID)
}

// PutEventConfig writes an application's setting.
func (db *DB) PutEventConfig(ctx context.Context, c *EventConfig) error {
	_, err := db.exec(ctx, `INSERT INTO event_configs (`+eventConfigColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sub_app_id) DO UPDATE SET mode = excluded.mode, notification_url = excluded.notification_url,
		upload_switch = excluded.upload_switch, delete_switch = excluded.delete_switch,
		persistence_switch = excluded.persistence_switch, sign_key = excluded.sign_key, updated_at = excluded.updated_at`,
		c.SubAppID, c.Mode, c.NotificationURL, c.UploadSwitch, c.DeleteSwitch, c.PersistenceSwitch, c.SignKey, ms(c.UpdatedAt))
	return err
}

// Event is a row of the outbox.
type Event struct {
	Seq        int64
	EventID    string
	SubAppID   uint64
	EventType  string
	TaskID     string
	Body       []byte // EventContent JSON, EventHandle left out
	Mode       string // PUSH or PULL, fixed when recorded
	State      string // EventPending, EventDelivered, EventDead
	Attempts   int
	NextAt     time.Time // PUSH: next attempt (or lease end); PULL: visible again at
	Handle     string    // PULL: handle of the latest delivery
	LastStatus int
	LastError  string
	CreatedAt  time.Time
}

// Event states. An event is recorded pending; a successful callback or a
// confirmation makes it delivered; a callback that failed for the whole
// retry period makes it dead.
const (
	EventPending   = "pending"
	EventDelivered = "delivered"
	EventDead      = "dead"
)

const eventColumns = `seq, event_id, sub_app_id, event_type, task_id, body, mode, state, attempts, next_at, handle,
	last_status, last_error, created_at`

func scanEvent(row interface{ Scan(...any) error }) (*Event, error) {
	var e Event
	var body string
	var next, created int64
	err := row.Scan(&e.Seq, &e.EventID, &e.SubAppID, &e.EventType, &e.TaskID, &body, &e.Mode, &e.State, &e.Attempts,
		&next, &e.Handle, &e.LastStatus, &e.LastError, &created)
	if err != nil {
		return nil, err
	}
	e.Body, e.NextAt, e.CreatedAt = []byte(body), fromMS(next), fromMS(created)
	return &e, nil
}

// InsertEvent records an event in the transaction that produced it.
func (tx *Tx) InsertEvent(ctx context.Context, e *Event) error {
	_, err := tx.exec(ctx, `INSERT INTO events (event_id, sub_app_id, event_type, task_id, body, mode, state, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)`, e.EventID, e.SubAppID, e.EventType, e.TaskID, string(e.Body), e.Mode, ms(e.CreatedAt))
	return err
}

// GetEvent reads one event by id (tests, delivery logs).
func (db *DB) GetEvent(ctx context.Context, eventID string) (*Event, error) {
	e, err := scanEvent(db.queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE event_id = ?`, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// ClaimPushEvents leases up to limit due PUSH events to owner until
// leaseUntil: a dispatcher that dies leaves them due again when the lease
// ends.
func (db *DB) ClaimPushEvents(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]*Event, error) {
	q := `UPDATE events SET next_at = ?, lease_owner = ?, attempts = attempts + 1
		WHERE seq IN (SELECT seq FROM events WHERE mode = 'PUSH' AND state = 'pending' AND next_at <= ?
			ORDER BY seq LIMIT ?` + db.dialect.skipLocked() + `)
		RETURNING ` + eventColumns
	rows, err := db.write.QueryContext(ctx, db.dialect.rebind(q), ms(leaseUntil), owner, ms(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PushResult is the outcome of one callback attempt.
type PushResult struct {
	Delivered bool
	Dead      bool      // give up: the retry period is over
	NextAt    time.Time // when not delivered and not dead
	Status    int       // HTTP status, 0 when there was none
	Error     string
	At        time.Time
}

// RecordPush stores an attempt's outcome, if owner still holds the event.
func (db *DB) RecordPush(ctx context.Context, seq int64, owner string, r PushResult) error {
	return db.RecordPushes(ctx, owner, map[int64]PushResult{seq: r})
}

// RecordPushes stores the outcomes of a round of attempts, by event seq,
// in one transaction: one commit (one WAL flush) for the round instead of
// one per event. An event owner no longer holds is left alone.
func (db *DB) RecordPushes(ctx context.Context, owner string, rs map[int64]PushResult) error {
	return db.InTx(ctx, func(tx *Tx) error {
		for seq, r := range rs {
			state := EventPending
			switch {
			case r.Delivered:
				state = EventDelivered
			case r.Dead:
				state = EventDead
			}
			var delivered int64
			if r.Delivered {
				delivered = ms(r.At)
			}
			if _, err := tx.exec(ctx, `UPDATE events SET state = ?, next_at = ?, last_status = ?, last_error = ?, delivered_at = ?,
				lease_owner = '' WHERE seq = ? AND lease_owner = ?`, state, ms(r.NextAt), r.Status, r.Error, delivered, seq, owner); err != nil {
				return err
			}
		}
		return nil
	})
}

// PullEvents takes up to limit visible PULL events of an application, gives
// each a new handle (newHandle) and hides them until visibleAt.
func (db *DB) PullEvents(ctx context.Context, subAppID uint64, now, visibleAt time.Time, limit int, newHandle func() string) ([]*Event, error) {
	var out []*Event
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+eventColumns+` FROM events WHERE sub_app_id = ? AND mode = 'PULL'
			AND state = 'pending' AND next_at <= ? ORDER BY seq LIMIT ?`+db.dialect.skipLocked(), subAppID, ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range out {
			e.Handle, e.NextAt = newHandle(), visibleAt
			e.Attempts++
			if _, err := tx.exec(ctx, `UPDATE events SET handle = ?, next_at = ?, attempts = attempts + 1 WHERE seq = ?`,
				e.Handle, ms(visibleAt), e.Seq); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ConfirmEvents marks the events behind handles delivered and returns the
// handles that matched no pending event of the application (unknown, or
// superseded by a later delivery of the same event).
func (db *DB) ConfirmEvents(ctx context.Context, subAppID uint64, handles []string, now time.Time) (unknown []string, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		unknown = unknown[:0]
		for _, h := range handles {
			res, err := tx.exec(ctx, `UPDATE events SET state = 'delivered', delivered_at = ? WHERE sub_app_id = ? AND handle = ?
				AND mode = 'PULL' AND state IN ('pending', 'delivered')`, ms(now), subAppID, h)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 || h == "" {
				unknown = append(unknown, h)
			}
		}
		return nil
	})
	return unknown, err
}

// CountPending counts an application's events of a mode not delivered yet
// (PULL: not confirmed; PUSH: not accepted by the receiver, nor given up).
func (db *DB) CountPending(ctx context.Context, subAppID uint64, mode string) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE sub_app_id = ? AND mode = ? AND state = 'pending'`, subAppID, mode).Scan(&n)
	return n, err
}

// EventCounts counts events by mode and state (metrics).
func (db *DB) EventCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT mode, state, COUNT(*) FROM events GROUP BY mode, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var mode, state string
		var n int64
		if err := rows.Scan(&mode, &state, &n); err != nil {
			return nil, err
		}
		out[strings.ToLower(mode)+"/"+state] = n
	}
	return out, rows.Err()
}

// PurgeEvents deletes events recorded before cutoff.
func (db *DB) PurgeEvents(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM events WHERE created_at < ?`, ms(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/openvod/openvod/bench/internal/benchkit"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/vodapi"
)

// appID is the account (and default SubAppId) every event belongs to.
const appID = 1250000001

// dbTarget is where each phase's database lives: a fresh SQLite file in the
// temporary directory, or a fresh schema on the PostgreSQL server of -db.
type dbTarget struct {
	dsn     string // "" for SQLite
	tmp     string
	tag     string // random part of the schema names
	keep    bool
	schemas []string // created, dropped by cleanup
}

func newDBTarget(ctx context.Context, dsn, tmp string, keep bool) (*dbTarget, error) {
	t := &dbTarget{dsn: dsn, tmp: tmp, tag: randHex(4), keep: keep}
	if dsn != "" {
		// Fail early, and with the server's own words, when it is not there.
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL (-db): %w", err)
		}
	}
	return t, nil
}

// schema names the schema of phase on PostgreSQL.
func (t *dbTarget) schema(phase string) string { return "eventbench_" + t.tag + "_" + phase }

// open opens a fresh database for phase (SQLite: phase.db in the temporary
// directory; PostgreSQL: a new schema), schema applied.
func (t *dbTarget) open(ctx context.Context, phase string) (*store.DB, error) {
	if t.dsn == "" {
		return store.Open(ctx, filepath.Join(t.tmp, phase+".db"), store.Options{})
	}
	t.schemas = append(t.schemas, t.schema(phase))
	return store.Open(ctx, t.dsn, store.Options{Schema: t.schema(phase)})
}

// serverDSN is the --db of an openvod server whose data directory is
// dataDir, for phase: its default SQLite file, or the phase's schema
// (created by open).
func (t *dbTarget) serverDSN(dataDir, phase string) (string, error) {
	if t.dsn == "" {
		return filepath.Join(dataDir, "openvod.db"), nil
	}
	u, err := url.Parse(t.dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", t.schema(phase))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// describe names the database for the report.
func (t *dbTarget) describe(ctx context.Context) string {
	if t.dsn == "" {
		return "embedded SQLite (WAL, synchronous=NORMAL), a fresh file per phase in a temporary directory"
	}
	version := "unknown version"
	if db, err := sql.Open("pgx", t.dsn); err == nil {
		var v string
		if db.QueryRowContext(ctx, "SHOW server_version").Scan(&v) == nil {
			version = v
		}
		db.Close()
	}
	u, _ := url.Parse(t.dsn)
	host := "?"
	if u != nil {
		host = u.Host
	}
	return fmt.Sprintf("PostgreSQL %s at %s, a fresh schema per phase", version, host)
}

// cleanup drops the PostgreSQL schemas unless -keep.
func (t *dbTarget) cleanup(log benchkit.Progress) {
	if t.dsn == "" || len(t.schemas) == 0 {
		return
	}
	if t.keep {
		log.Printf("PostgreSQL schemas kept: %s", strings.Join(t.schemas, ", "))
		return
	}
	db, err := sql.Open("pgx", t.dsn)
	if err != nil {
		log.Printf("drop schemas: %v", err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range t.schemas {
		if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS "`+s+`" CASCADE`); err != nil {
			log.Printf("drop schema %s: %v", s, err)
		}
	}
}

// makeEvents builds n outbox rows of mode (PUSH or PULL) for the default
// application: PullComplete events whose EventContent is what the service
// records when a PullUpload finishes (vodapi.EventContent marshalled whole,
// every other event field null), about 1.5 KB each. Each has its own
// EventId, TaskId and FileId; the TaskId identifies an event in a PULL
// answer, which carries no EventId.
func makeEvents(n int, mode string) ([]*store.Event, error) {
	now := time.Now().UTC()
	evs := make([]*store.Event, n)
	for i := range evs {
		taskID := fmt.Sprintf("%d-PullUpload-%s", appID, randHex(16))
		body, err := json.Marshal(pullComplete(taskID, fmt.Sprintf("52858907%011d", i), now))
		if err != nil {
			return nil, err
		}
		evs[i] = &store.Event{EventID: randHex(16), SubAppID: appID, EventType: "PullComplete", TaskID: taskID,
			Body: body, Mode: mode, CreatedAt: now}
	}
	return evs, nil
}

// pullComplete is the EventContent of a finished PullUpload of a 720p
// H.264/AAC clip.
func pullComplete(taskID, fileID string, now time.Time) *vodapi.EventContent {
	p := vodapi.Ptr[string]
	ts := now.Format(time.RFC3339)
	mediaURL := "http://127.0.0.1:8080/files/" + fileID + "/f0.mp4"
	return &vodapi.EventContent{
		EventType: p("PullComplete"),
		PullCompleteEvent: &vodapi.PullUploadTask{
			TaskId:  p(taskID),
			Status:  p("FINISH"),
			ErrCode: vodapi.Ptr[int64](0),
			Message: p("SUCCESS"),
			FileId:  p(fileID),
			MediaBasicInfo: &vodapi.MediaBasicInfo{
				Name: p("product-launch-keynote-2024"), Description: p(""), CreateTime: p(ts), UpdateTime: p(ts),
				ExpireTime: p("9999-12-31T23:59:59Z"), ClassId: vodapi.Ptr[int64](0), ClassName: p("其他"),
				ClassPath: p("其他"), CoverUrl: p(""), Type: p("mp4"), MediaUrl: p(mediaURL),
				SourceInfo:    &vodapi.MediaSourceData{SourceType: p("Record"), SourceContext: p("user=4711;campaign=launch")},
				StorageRegion: p("ap-guangzhou"), TagSet: []string{}, Vid: p(""), Category: p("Video"),
				Status: p("Normal"), StorageClass: p("STANDARD"),
			},
			MetaData: &vodapi.MediaMetaData{
				Size: vodapi.Ptr[int64](48213377), Container: p("mov,mp4,m4a,3gp,3g2,mj2"), Bitrate: vodapi.Ptr[int64](2731422),
				Height: vodapi.Ptr[int64](720), Width: vodapi.Ptr[int64](1280), Duration: vodapi.Ptr(141.23),
				Rotate: vodapi.Ptr[int64](0),
				VideoStreamSet: []*vodapi.MediaVideoStreamItem{{Bitrate: vodapi.Ptr[int64](2599112), Height: vodapi.Ptr[int64](720),
					Width: vodapi.Ptr[int64](1280), Codec: p("h264"), Fps: vodapi.Ptr[int64](30), CodecTag: p("avc1")}},
				AudioStreamSet: []*vodapi.MediaAudioStreamItem{{Bitrate: vodapi.Ptr[int64](128007),
					SamplingRate: vodapi.Ptr[int64](48000), Codec: p("aac")}},
				VideoDuration: vodapi.Ptr(141.2), AudioDuration: vodapi.Ptr(141.23), Md5: p("3f1c6a0d2be8e0f3b0c1a8a37d1f2e44"),
			},
			FileUrl:        p(mediaURL),
			SessionContext: p("order=883412&source=cms"),
			SessionId:      p(""),
			Progress:       vodapi.Ptr[int64](100),
		},
	}
}

// insertEvents records evs with tx.InsertEvent, batch events per
// transaction, and returns the time it took.
func insertEvents(ctx context.Context, db *store.DB, evs []*store.Event, batch int) (time.Duration, error) {
	t0 := time.Now()
	for i := 0; i < len(evs); i += batch {
		chunk := evs[i:min(i+batch, len(evs))]
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, e := range chunk {
				if err := tx.InsertEvent(ctx, e); err != nil {
					return fmt.Errorf("insert event %s: %w", e.EventID, err)
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

// setMode sets the default application's event config to mode, with the
// given NotificationUrl.
func setMode(ctx context.Context, db *store.DB, mode, notificationURL string) error {
	return db.PutEventConfig(ctx, &store.EventConfig{SubAppID: appID, Mode: mode, NotificationURL: notificationURL,
		UploadSwitch: "OFF", DeleteSwitch: "OFF", PersistenceSwitch: "OFF", UpdatedAt: time.Now().UTC()})
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

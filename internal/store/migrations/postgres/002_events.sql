-- Event notification: per-application configuration and the outbox.
CREATE TABLE IF NOT EXISTS event_configs (
  sub_app_id         BIGINT PRIMARY KEY,
  mode               TEXT NOT NULL,
  notification_url   TEXT NOT NULL DEFAULT '',
  upload_switch      TEXT NOT NULL DEFAULT 'OFF',
  delete_switch      TEXT NOT NULL DEFAULT 'OFF',
  persistence_switch TEXT NOT NULL DEFAULT 'OFF',
  sign_key           TEXT NOT NULL DEFAULT '',
  updated_at         BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     TEXT NOT NULL UNIQUE,
  sub_app_id   BIGINT NOT NULL,
  event_type   TEXT NOT NULL,
  task_id      TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL,
  mode         TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending',
  attempts     BIGINT NOT NULL DEFAULT 0,
  next_at      BIGINT NOT NULL DEFAULT 0,
  lease_owner  TEXT NOT NULL DEFAULT '',
  handle       TEXT NOT NULL DEFAULT '',
  last_status  BIGINT NOT NULL DEFAULT 0,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_due ON events (mode, state, next_at);
CREATE INDEX IF NOT EXISTS events_app ON events (sub_app_id, mode, state, seq);
CREATE INDEX IF NOT EXISTS events_handle ON events (handle);

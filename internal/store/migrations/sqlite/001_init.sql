-- OpenVOD schema, SQLite dialect. Applied once at start; statements are idempotent.
CREATE TABLE IF NOT EXISTS apps (
  sub_app_id     INTEGER PRIMARY KEY,
  app_id         INTEGER NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  type           TEXT NOT NULL DEFAULT 'AllInOne',
  mode           TEXT NOT NULL DEFAULT 'fileid',
  storage_region TEXT NOT NULL DEFAULT '',
  tags           TEXT NOT NULL DEFAULT '[]',
  status         TEXT NOT NULL DEFAULT 'On',
  is_default     INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS media (
  file_id        TEXT PRIMARY KEY,
  sub_app_id     INTEGER NOT NULL,
  name           TEXT NOT NULL DEFAULT '',
  description    TEXT NOT NULL DEFAULT '',
  class_id       INTEGER NOT NULL DEFAULT 0,
  media_type     TEXT NOT NULL DEFAULT '',
  category       TEXT NOT NULL DEFAULT '',
  media_key      TEXT NOT NULL,
  cover_key      TEXT NOT NULL DEFAULT '',
  storage_region TEXT NOT NULL DEFAULT '',
  storage_path   TEXT NOT NULL DEFAULT '',
  source_type    TEXT NOT NULL DEFAULT '',
  source_context TEXT NOT NULL DEFAULT '',
  expire_at      INTEGER NOT NULL DEFAULT 0,
  tags           TEXT NOT NULL DEFAULT '[]',
  meta           TEXT NOT NULL DEFAULT 'null',
  info           TEXT NOT NULL DEFAULT '{}',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS media_app_created ON media (sub_app_id, created_at);

CREATE TABLE IF NOT EXISTS tasks (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id         TEXT NOT NULL UNIQUE,
  sub_app_id      INTEGER NOT NULL,
  task_type       TEXT NOT NULL,
  status          TEXT NOT NULL,
  file_id         TEXT NOT NULL DEFAULT '',
  session_id      TEXT NOT NULL DEFAULT '',
  session_context TEXT NOT NULL DEFAULT '',
  priority        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  begin_at        INTEGER NOT NULL DEFAULT 0,
  finish_at       INTEGER NOT NULL DEFAULT 0,
  params          TEXT NOT NULL DEFAULT '{}',
  detail          TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'available',
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  abort_requested INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_session ON tasks (sub_app_id, session_id) WHERE session_id <> '';
CREATE INDEX IF NOT EXISTS tasks_queue ON tasks (state, priority DESC, seq);
CREATE INDEX IF NOT EXISTS tasks_app_created ON tasks (sub_app_id, created_at);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_at);

CREATE TABLE IF NOT EXISTS uploads (
  session_key    TEXT PRIMARY KEY,
  sub_app_id     INTEGER NOT NULL,
  token_hash     TEXT NOT NULL,
  params         TEXT NOT NULL,
  media_path     TEXT NOT NULL,
  cover_path     TEXT NOT NULL DEFAULT '',
  expires_at     INTEGER NOT NULL,
  committed      INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS kv (
  k TEXT PRIMARY KEY,
  v TEXT NOT NULL
);

-- Custom templates (parameter templates and procedure templates), PostgreSQL dialect.
-- kind names the family (transcode, watermark, procedure ...); definition is
-- the id the API shows, unique per application and kind; body is the JSON of
-- the template's wire struct. Procedure templates are keyed by name.
CREATE TABLE IF NOT EXISTS templates (
  sub_app_id  BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  definition  BIGINT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  comment     TEXT NOT NULL DEFAULT '',
  body        TEXT NOT NULL DEFAULT '{}',
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (sub_app_id, kind, definition)
);
CREATE UNIQUE INDEX IF NOT EXISTS templates_procedure_name ON templates (sub_app_id, name) WHERE kind = 'procedure';

-- The last definition given out per application and kind: definitions are
-- never reused, even after a delete.
CREATE TABLE IF NOT EXISTS template_counters (
  sub_app_id      BIGINT NOT NULL,
  kind            TEXT NOT NULL,
  last_definition BIGINT NOT NULL,
  PRIMARY KEY (sub_app_id, kind)
);

-- ConfirmEvents looks events up by application and handle; without this
-- index SQLite scans the application's whole event history per handle.
CREATE INDEX IF NOT EXISTS events_app_handle ON events (sub_app_id, handle);

-- The expiry sweep looks for media whose ExpireTime has passed; most media
-- never expire (expire_at 0), so only the others are indexed.
CREATE INDEX IF NOT EXISTS media_expire ON media (expire_at) WHERE expire_at > 0;

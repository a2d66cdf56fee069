-- Indexes of the scheduled purge (dev.jeton.ops.PurgeStore, docs/operations.md#retention).
-- Portable SQL, as V1 (partial indexes as in V5). Each lets the purge find the rows it may
-- delete with a range read that visits none of the rows it must keep.

-- A session's live refresh token is the one neither rotated nor revoked; once it has expired,
-- the session has ended (idle, or at its absolute limit). The rotated tokens of live sessions,
-- which reuse detection needs, are not in this index.
CREATE INDEX refresh_tokens_live ON refresh_tokens (expires_at)
  WHERE rotated_at IS NULL AND revoked_at IS NULL;

-- Revoked sessions, by when they were revoked.
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- An authorization code that created a session is deleted with that session (a replay revokes
-- it until then); the others once they expired.
CREATE INDEX authorization_codes_session ON authorization_codes (session_id);
CREATE INDEX authorization_codes_unattached ON authorization_codes (expires_at)
  WHERE session_id IS NULL;

CREATE INDEX setup_tokens_expires ON setup_tokens (expires_at);

-- Nothing reads all refresh tokens by expiry (the purge reads live ones through
-- refresh_tokens_live), so this index only cost every rotation's insert and every delete.
DROP INDEX refresh_tokens_expires;

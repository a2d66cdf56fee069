-- Sessions tied to the credentials they were signed in with (docs/security.md#credential-change).
-- Portable SQL, as V1. A user's credential generation goes up by one with every password change;
-- every browser session, session, authorization code and approved device code records the
-- generation it was signed in with, and one from an older generation is refused wherever it is
-- used, so nothing signed in with an old password outlives the change, even one that was being
-- created while the change committed. Rows that exist when this migration runs get 0, as their
-- users do.
ALTER TABLE users ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE web_sessions ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorization_codes ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_codes ADD COLUMN credential_generation INTEGER NOT NULL DEFAULT 0;

-- A code not yet exchanged is revoked when its user revokes the client's grant, changes the
-- password or logs out everywhere; its exchange then fails (invalid_grant).
ALTER TABLE authorization_codes ADD COLUMN revoked_at BIGINT;

-- Those revocations find a user's pending codes without reading every code.
CREATE INDEX authorization_codes_user ON authorization_codes (user_id);
CREATE INDEX device_codes_user ON device_codes (user_id);

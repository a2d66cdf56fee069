-- The users admin API (docs/users.md). Portable SQL, as V1.

-- A display name, set by admins or an import; NULL when none was given.
ALTER TABLE users ADD COLUMN name VARCHAR(200);
-- A deleted user's row stays as a tombstone so that what referred to it (revoked sessions,
-- consents, the audit trail's ids) still resolves: deleted_at is set, the email is replaced by
-- 'deleted:<id>' (which frees the address) and the password hash and name are cleared.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
-- The users list pages newest first within an account.
CREATE INDEX users_by_created ON users (account_id, created_at, id);

-- One-time links that let their holder set a user's password: the invitation of a user created
-- without one, and the reset an admin requires. Stored as the secret's SHA-256 only; issuing a
-- new link for a user ends the user's earlier unused ones; a link works once.
CREATE TABLE password_links (
  hash        VARCHAR(64)  PRIMARY KEY,
  account_id  VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  user_id     VARCHAR(40)  NOT NULL REFERENCES users (id),
  purpose     VARCHAR(16)  NOT NULL,
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  used_at     BIGINT
);
CREATE INDEX password_links_user ON password_links (user_id);
CREATE INDEX password_links_expires ON password_links (expires_at);

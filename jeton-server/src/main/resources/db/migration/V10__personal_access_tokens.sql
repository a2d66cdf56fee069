-- Personal access tokens and service principals (docs/tokens.md), and each account's
-- self-registration switch (docs/security.md#registration). Portable SQL, as V1.

-- A service principal: a non-human identity of an account (an integration, a CI system), managed
-- by the account's admins, that holds personal access tokens of its own.
CREATE TABLE service_principals (
  id           VARCHAR(40)  PRIMARY KEY,
  account_id   VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  name         VARCHAR(200) NOT NULL,
  created_at   BIGINT       NOT NULL,
  created_by   VARCHAR(40)  NOT NULL,
  disabled_at  BIGINT,
  CONSTRAINT service_principals_name UNIQUE (account_id, name)
);

-- A token belongs to an owner of an account: owner_kind 'user' (a user's own token) or
-- 'principal' (a service principal's); the secret
-- is stored only as its SHA-256 (token_hash). expires_at NULL: no expiry (only where the
-- account allows it). last_used_at and last_used_ip are written in batches, not per request.
CREATE TABLE personal_access_tokens (
  id              VARCHAR(40)  PRIMARY KEY,
  account_id      VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  owner_kind      VARCHAR(16)  NOT NULL,
  owner_id        VARCHAR(40)  NOT NULL,
  token_hash      VARCHAR(64)  NOT NULL UNIQUE,
  comment         VARCHAR(500) NOT NULL,
  scope           VARCHAR(500) NOT NULL,
  created_at      BIGINT       NOT NULL,
  expires_at      BIGINT,
  last_used_at    BIGINT,
  last_used_ip    VARCHAR(64),
  revoked_at      BIGINT,
  revoked_reason  VARCHAR(32)
);
CREATE INDEX pat_by_owner ON personal_access_tokens (account_id, owner_kind, owner_id, created_at);
CREATE INDEX pat_revoked ON personal_access_tokens (revoked_at);
CREATE INDEX pat_expires ON personal_access_tokens (expires_at);

-- An account's policy for them (NULL: the server's default, JETON_PAT_*).
ALTER TABLE accounts ADD COLUMN pat_default_ttl BIGINT;
ALTER TABLE accounts ADD COLUMN pat_max_ttl BIGINT;
ALTER TABLE accounts ADD COLUMN pat_no_expiry SMALLINT;
ALTER TABLE accounts ADD COLUMN pat_max_per_owner INTEGER;

-- Who may register users (POST /auth/register): 'open' (anyone) or 'closed' (nobody).
-- Accounts that exist keep 'open'; sub-accounts created from now on start 'closed'.
ALTER TABLE accounts ADD COLUMN registration VARCHAR(16) NOT NULL DEFAULT 'open';

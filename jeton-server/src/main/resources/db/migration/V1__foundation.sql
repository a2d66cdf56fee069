-- Jeton foundation schema. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Times are epoch milliseconds (UTC); secrets are stored only as SHA-256 hashes (base64url).

CREATE TABLE accounts (
  id                      VARCHAR(64)  PRIMARY KEY,
  parent_id               VARCHAR(64)  REFERENCES accounts (id),
  name                    VARCHAR(200) NOT NULL,
  created_at              BIGINT       NOT NULL,
  disabled_at             BIGINT,
  -- lifetime overrides in seconds; NULL means the server default
  access_token_ttl        BIGINT,
  refresh_token_ttl       BIGINT,
  refresh_token_idle_ttl  BIGINT,
  admin_session_ttl       BIGINT,
  refresh_grace           BIGINT
);
CREATE INDEX accounts_parent ON accounts (parent_id);

CREATE TABLE users (
  id                       VARCHAR(40)  PRIMARY KEY,
  account_id               VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  email                    VARCHAR(254) NOT NULL,
  password_hash            VARCHAR(255) NOT NULL,
  role                     VARCHAR(16)  NOT NULL,
  password_reset_required  SMALLINT     NOT NULL DEFAULT 0,
  blocked_at               BIGINT,
  created_at               BIGINT       NOT NULL,
  password_changed_at      BIGINT       NOT NULL,
  CONSTRAINT users_account_email UNIQUE (account_id, email)
);

-- A session is one refresh-token family: created at login, ended by logout, expiry or revocation.
CREATE TABLE sessions (
  id              VARCHAR(40)  PRIMARY KEY,
  account_id      VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  user_id         VARCHAR(40)  NOT NULL REFERENCES users (id),
  client_id       VARCHAR(64)  NOT NULL,
  scope           VARCHAR(500) NOT NULL,
  auth_time       BIGINT       NOT NULL,
  created_at      BIGINT       NOT NULL,
  expires_at      BIGINT       NOT NULL,
  last_used_at    BIGINT       NOT NULL,
  revoked_at      BIGINT,
  revoked_reason  VARCHAR(32)
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE refresh_tokens (
  hash            VARCHAR(64)  PRIMARY KEY,
  session_id      VARCHAR(40)  NOT NULL REFERENCES sessions (id),
  issued_at       BIGINT       NOT NULL,
  expires_at      BIGINT       NOT NULL,
  rotated_at      BIGINT,
  successor_hash  VARCHAR(64),
  grace_used      SMALLINT     NOT NULL DEFAULT 0,
  revoked_at      BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
  kid             VARCHAR(64)  PRIMARY KEY,
  account_id      VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  alg             VARCHAR(16)  NOT NULL,
  public_jwk      TEXT         NOT NULL,
  sealed_private  TEXT         NOT NULL,
  status          VARCHAR(16)  NOT NULL,
  created_at      BIGINT       NOT NULL,
  rotated_at      BIGINT,
  verify_until    BIGINT
);
CREATE INDEX signing_keys_account ON signing_keys (account_id, status);

-- One-time links that create an account's first admin.
CREATE TABLE setup_tokens (
  hash        VARCHAR(64)  PRIMARY KEY,
  account_id  VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  used_at     BIGINT
);
CREATE INDEX setup_tokens_account ON setup_tokens (account_id);

-- The authorization code flow (RFC 6749 4.1, RFC 7636, RFC 9207). Portable SQL, as V1.
-- Times are epoch milliseconds (UTC); secrets are stored only as SHA-256 hashes (base64url).

-- Browser sign-in sessions (the __Host-jeton_session cookie); 8 h absolute, 1 h idle.
CREATE TABLE web_sessions (
  hash          VARCHAR(64)  PRIMARY KEY,
  account_id    VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  user_id       VARCHAR(40)  NOT NULL REFERENCES users (id),
  created_at    BIGINT       NOT NULL,
  last_seen_at  BIGINT       NOT NULL,
  expires_at    BIGINT       NOT NULL,
  revoked_at    BIGINT
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- Authorization codes (jeton_ac_...), single use: used_at is set by compare-and-set.
-- redirect_uri is the value the authorization request sent (NULL when it was omitted).
-- session_id is the session the exchange created; a replay (replayed_at) revokes it.
CREATE TABLE authorization_codes (
  hash            VARCHAR(64)   PRIMARY KEY,
  account_id      VARCHAR(64)   NOT NULL REFERENCES accounts (id),
  client_id       VARCHAR(64)   NOT NULL,
  user_id         VARCHAR(40)   NOT NULL REFERENCES users (id),
  redirect_uri    VARCHAR(2000),
  code_challenge  VARCHAR(128)  NOT NULL,
  scope           VARCHAR(500)  NOT NULL,
  auth_time       BIGINT        NOT NULL,
  nonce           VARCHAR(500),
  created_at      BIGINT        NOT NULL,
  expires_at      BIGINT        NOT NULL,
  used_at         BIGINT,
  replayed_at     BIGINT,
  session_id      VARCHAR(40)
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- Remembered consent: the scopes a user granted to a client (one row per user and client).
CREATE TABLE grants (
  account_id  VARCHAR(64)   NOT NULL REFERENCES accounts (id),
  user_id     VARCHAR(40)   NOT NULL REFERENCES users (id),
  client_id   VARCHAR(64)   NOT NULL,
  scope       VARCHAR(500)  NOT NULL,
  created_at  BIGINT        NOT NULL,
  revoked_at  BIGINT,
  PRIMARY KEY (user_id, client_id)
);

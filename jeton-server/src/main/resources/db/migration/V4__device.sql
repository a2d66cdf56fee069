-- The device authorization grant (RFC 8628). Portable SQL, as V1. Times are epoch milliseconds.
-- hash is the SHA-256 of the device code (jeton_dc_...), user_code_hash the SHA-256 of the
-- normalised user code (8 letters, no dash); neither secret is stored. status moves once from
-- 'pending' to 'approved' or 'denied' (compare-and-set); used_at spends an approved code once.
-- interval_s grows by 5 s at each slow_down (RFC 8628 3.5); last_polled_at is the last poll.
CREATE TABLE device_codes (
  hash            VARCHAR(64)   PRIMARY KEY,
  user_code_hash  VARCHAR(64)   NOT NULL,
  account_id      VARCHAR(64)   NOT NULL REFERENCES accounts (id),
  client_id       VARCHAR(64)   NOT NULL,
  scope           VARCHAR(500)  NOT NULL,
  created_at      BIGINT        NOT NULL,
  expires_at      BIGINT        NOT NULL,
  interval_s      INTEGER       NOT NULL,
  last_polled_at  BIGINT,
  status          VARCHAR(16)   NOT NULL,
  user_id         VARCHAR(40)   REFERENCES users (id),
  auth_time       BIGINT,
  decided_at      BIGINT,
  used_at         BIGINT,
  session_id      VARCHAR(40)
);
CREATE UNIQUE INDEX device_codes_user_code ON device_codes (user_code_hash);
CREATE INDEX device_codes_expires ON device_codes (expires_at);

-- QR logins (docs/qr-login.md): a desktop asks to sign in, a signed-in phone scans the QR code
-- and approves or denies, the desktop exchanges the approval once for a session. The QR secret
-- (jeton_qr_) and the desktop's poll token (jeton_qp_) are stored only as SHA-256 hashes.
-- state: pending, scanned, approved, denied, consumed (expiry is read from expires_at).
-- Purged once expired longer ago than the retention window. Portable SQL, as V1.
CREATE TABLE qr_logins (
  id            VARCHAR(40)  NOT NULL PRIMARY KEY,
  account_id    VARCHAR(64)  NOT NULL,
  client_id     VARCHAR(128),
  secret_hash   VARCHAR(64)  NOT NULL UNIQUE,
  poll_hash     VARCHAR(64)  NOT NULL UNIQUE,
  matching_code VARCHAR(8)   NOT NULL,
  state         VARCHAR(16)  NOT NULL,
  created_at    BIGINT       NOT NULL,
  expires_at    BIGINT       NOT NULL,
  desktop_ip    VARCHAR(64),
  desktop_agent VARCHAR(256),
  user_id       VARCHAR(64),
  scanned_at    BIGINT,
  decided_at    BIGINT,
  consumed_at   BIGINT,
  session_id    VARCHAR(64)
);
CREATE INDEX qr_logins_expires ON qr_logins (expires_at);

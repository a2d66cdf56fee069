-- Push approval (docs/push.md): the phones a user registered to be asked to approve sign-ins.
-- token_sealed: the FCM registration token sealed with the master key (AES-256-GCM, the device
-- id as associated data), since it must be read back to send; token_hash: its SHA-256, so that a
-- token is registered once per account (registering it again, by anyone, takes the row over).
-- last_push_at: the last message FCM accepted for it. Portable SQL, as V1.
CREATE TABLE devices (
  id            VARCHAR(40)  NOT NULL PRIMARY KEY,
  account_id    VARCHAR(64)  NOT NULL,
  user_id       VARCHAR(64)  NOT NULL,
  token_hash    VARCHAR(64)  NOT NULL,
  token_sealed  VARCHAR(8192) NOT NULL,
  platform      VARCHAR(16)  NOT NULL,
  name          VARCHAR(64)  NOT NULL,
  app_id        VARCHAR(128),
  created_at    BIGINT       NOT NULL,
  updated_at    BIGINT       NOT NULL,
  last_push_at  BIGINT,
  UNIQUE (account_id, token_hash)
);
CREATE INDEX devices_user ON devices (account_id, user_id);
CREATE INDEX devices_updated ON devices (updated_at);

-- A QR login may name the user it is for (login_hint): that user's phones are asked by push, and
-- may take the login by its id (scanned_by 'push', approval then needs the matching code typed)
-- instead of scanning the QR code (scanned_by 'qr').
ALTER TABLE qr_logins ADD COLUMN push_user_id VARCHAR(64);
ALTER TABLE qr_logins ADD COLUMN scanned_by VARCHAR(8);

-- Where the desktop roughly is, as the operator's proxy says (JETON_QR_LOCATION_HEADER), shown
-- to the phone before it approves.
ALTER TABLE qr_logins ADD COLUMN desktop_location VARCHAR(64);

-- The rejection log (docs/diagnose.md#rejection-log): every refused presentation of a token, with
-- a fingerprint of the token (never the token), what is known of it, and where it came from. Ids
-- sort by time (hex milliseconds first), so the newest-first lists read one index.
-- Purged by age and by count per account (docs/operations.md#retention). Portable SQL, as V1.
CREATE TABLE rejections (
  id          VARCHAR(32)  NOT NULL PRIMARY KEY,
  account_id  VARCHAR(64)  NOT NULL,
  at          BIGINT       NOT NULL,
  code        VARCHAR(64)  NOT NULL,
  fingerprint VARCHAR(32)  NOT NULL,
  token_kind  VARCHAR(32),
  token_id    VARCHAR(64),
  owner_id    VARCHAR(64),
  client_id   VARCHAR(128),
  ip          VARCHAR(64),
  user_agent  VARCHAR(256),
  route       VARCHAR(256),
  request_id  VARCHAR(128)
);
CREATE INDEX rejections_account ON rejections (account_id, id);
CREATE INDEX rejections_owner ON rejections (account_id, owner_id, id);
CREATE INDEX rejections_fingerprint ON rejections (account_id, fingerprint, id);
CREATE INDEX rejections_request ON rejections (account_id, request_id);
CREATE INDEX rejections_at ON rejections (at);

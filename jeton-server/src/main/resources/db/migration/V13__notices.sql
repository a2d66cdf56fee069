-- Notices to token owners and account admins (docs/leaks.md): today, that a token was reported
-- leaked and what was done. Portable SQL, as V1. owner_kind/owner_id name whom it concerns
-- ('user' sees it at /me/notices; 'principal' and 'account' notices only admins see, at
-- /notices, where every notice of the account is listed).
CREATE TABLE notices (
  id          VARCHAR(40)   PRIMARY KEY,
  account_id  VARCHAR(64)   NOT NULL REFERENCES accounts (id),
  owner_kind  VARCHAR(16)   NOT NULL,
  owner_id    VARCHAR(64),
  kind        VARCHAR(32)   NOT NULL,
  token_kind  VARCHAR(32)   NOT NULL,
  token_id    VARCHAR(64),
  action      VARCHAR(16)   NOT NULL,
  detail      VARCHAR(500)  NOT NULL,
  created_at  BIGINT        NOT NULL
);
CREATE INDEX notices_by_account ON notices (account_id, created_at, id);
CREATE INDEX notices_by_owner ON notices (owner_id, created_at, id);

-- A reported client secret is found by its hash.
CREATE INDEX clients_secret ON clients (secret_hash);

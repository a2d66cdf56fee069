-- ID tokens in the algorithm each client asks for (OIDC Registration 2,
-- id_token_signed_response_alg; RS256 when it asks for none). Portable SQL, as V1.

-- Signing keys form chains: 'primary' holds the account's own algorithm (access tokens, and ID
-- tokens in that algorithm); every other chain is named after its algorithm ('RS256', ...) and
-- only signs ID tokens. Each chain has at most one current and one next key, and all chains of an
-- account rotate together.
ALTER TABLE signing_keys ADD COLUMN chain VARCHAR(16) NOT NULL DEFAULT 'primary';
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (account_id, chain)
  WHERE status = 'current';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (account_id, chain)
  WHERE status = 'next';

-- The JWS algorithm of the client's ID tokens; NULL means RS256, OIDC's default.
ALTER TABLE clients ADD COLUMN id_token_alg VARCHAR(16);
-- Clients registered before this column existed got ID tokens in their account's algorithm;
-- they keep it, so relying parties that pinned it do not break on upgrade.
UPDATE clients SET id_token_alg = (
    SELECT k.alg FROM signing_keys k
    WHERE k.account_id = clients.account_id AND k.status = 'current' AND k.chain = 'primary')
  WHERE id_token_alg IS NULL AND (' ' || scopes || ' ') LIKE '% openid %';

-- Deleting a client revokes its sessions and forgets its grants: find them without a scan.
CREATE INDEX sessions_client ON sessions (account_id, client_id);
CREATE INDEX grants_client ON grants (account_id, client_id);

-- A deleted account stays as a tombstone that keeps its id taken (docs/api.md#deleting-an-account):
-- no issuer can ever be reused for other users. Portable SQL, as V1.
ALTER TABLE accounts ADD COLUMN deleted_at BIGINT;

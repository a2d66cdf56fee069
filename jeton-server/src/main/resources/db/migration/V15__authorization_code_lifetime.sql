-- An account's authorization-code lifetime (docs/security.md#code-lifetime), in seconds, and
-- the ceiling an ancestor may put on it; NULL: the default of ten minutes, no ceiling.
-- Portable SQL, as V1.
ALTER TABLE accounts ADD COLUMN authorization_code_ttl BIGINT;
ALTER TABLE accounts ADD COLUMN ceil_authorization_code BIGINT;

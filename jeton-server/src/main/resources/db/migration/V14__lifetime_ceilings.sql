-- Ceilings an account's ancestors set on its token lifetimes (docs/api.md#ceilings), in seconds;
-- NULL: none. They bound the account's own settings, its clients' and its descendants'.
-- Portable SQL, as V1.
ALTER TABLE accounts ADD COLUMN ceil_access_token BIGINT;
ALTER TABLE accounts ADD COLUMN ceil_refresh_token BIGINT;
ALTER TABLE accounts ADD COLUMN ceil_refresh_token_idle BIGINT;
ALTER TABLE accounts ADD COLUMN ceil_admin_session BIGINT;
ALTER TABLE accounts ADD COLUMN ceil_refresh_grace BIGINT;

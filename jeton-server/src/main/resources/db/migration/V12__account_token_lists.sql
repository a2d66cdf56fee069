-- The admin's list of every token of an account (docs/tokens.md#admin), newest first: sessions
-- and personal access tokens each read in (account, created_at, id) order. Portable SQL, as V1.
CREATE INDEX sessions_by_account ON sessions (account_id, created_at, id);
CREATE INDEX pat_by_account ON personal_access_tokens (account_id, created_at, id);

-- API limits an account sets over the server's defaults (docs/limits.md); NULL: the default.
-- rate_limit_calls per rate_limit_period seconds for each key in rate_limit_keys (a comma list
-- of token, client, ip); 0 calls: no rate limit. daily_quota 0: unlimited. Portable SQL, as V1.
ALTER TABLE accounts ADD COLUMN rate_limit_calls BIGINT;
ALTER TABLE accounts ADD COLUMN rate_limit_period BIGINT;
ALTER TABLE accounts ADD COLUMN rate_limit_keys VARCHAR(64);
ALTER TABLE accounts ADD COLUMN concurrency_limit BIGINT;
ALTER TABLE accounts ADD COLUMN daily_quota BIGINT;
ALTER TABLE accounts ADD COLUMN quota_time_zone VARCHAR(64);

-- Calls an account made on one day (in its quota time zone), summed over every node: each node
-- adds what it counted since its last flush. Purged after the retention of the usage report.
CREATE TABLE usage_days (
  account_id VARCHAR(64) NOT NULL,
  day        VARCHAR(10) NOT NULL,
  calls      BIGINT      NOT NULL,
  PRIMARY KEY (account_id, day)
);

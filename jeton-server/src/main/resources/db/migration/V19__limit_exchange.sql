-- How the nodes on one PostgreSQL database share their rate limits and requests in flight
-- (docs/limits.md#across-nodes): each node writes a row per second with the calls its rate-limit
-- buckets admitted since its previous row and its requests in flight per account, numbered by the
-- node (seq), and reads the others' new rows. sent_at: the writer's clock, in ms. Rows are
-- deleted after two minutes. Unused on SQLite, which serves one process. Portable SQL, as V1.
CREATE TABLE limit_exchange (
  node    VARCHAR(32) NOT NULL,
  seq     BIGINT      NOT NULL,
  sent_at BIGINT      NOT NULL,
  body    TEXT        NOT NULL,
  PRIMARY KEY (node, seq)
);
CREATE INDEX limit_exchange_sent ON limit_exchange (sent_at);

-- A client may opt in to a refresh grace window (seconds, at most 60): the just-rotated refresh
-- token may be presented once more within it, for clients that lose responses (mobile apps on
-- flaky networks). NULL means the account's window, which is 0 (off) unless the account opts in.
ALTER TABLE clients ADD COLUMN refresh_grace BIGINT;

-- A client may opt in to a refresh grace window (seconds, at most 60): the just-rotated refresh
-- token may be presented once more within it, for clients that lose responses (mobile apps on
-- flaky networks). NULL means the account's window, which is 0 (off) unless the account opts in.
ALTER TABLE clients ADD COLUMN refresh_grace BIGINT;

-- Account windows are at most 60 s as well now; one set longer before (up to 300 s was allowed)
-- is lowered to 60 s.
UPDATE accounts SET refresh_grace = 60 WHERE refresh_grace > 60;

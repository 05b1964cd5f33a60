-- A screening far behind decides only the families that have waited the
-- longest wait: found by when they began waiting, not by reading every due row.
CREATE INDEX screening_pending_waiting ON screening_pending (waiting_since);

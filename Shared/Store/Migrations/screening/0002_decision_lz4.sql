-- A decision's JSON (about 2.6 KB) is compressed with lz4 rather than pglz,
-- which took a tenth of Postgres's time in a rescreen (as the outbox's
-- messages are, base migration 0024). Values written before stay as they
-- were. A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE eligibility_decision ALTER COLUMN decision SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: decisions stay compressed with pglz';
END
$$;

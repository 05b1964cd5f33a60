-- Each decision screening makes is kept twice, about 2.6 KB of JSON each:
-- whole in screening's eligibility_decision (screening migration 0002), and
-- as the message the outbox holds until it is sent. Postgres compresses
-- both, and with its own pglz that took a tenth of its time in a rescreen;
-- lz4 compresses as well as needed in a fraction of it. Values written
-- before stay as they were (both read either way). A server built without
-- lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE outbox_event ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: the outbox stays compressed with pglz';
END
$$;

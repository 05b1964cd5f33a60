-- Messages a stage set aside because it can never apply them. The original
-- bytes may hold personal data (a referral's names and addresses), so they
-- stay here, written in the batch's transaction, and the `.dlq` topics carry
-- only the reason, where the message came from and this row's id. Rows are
-- deleted by a purge or when they pass the stages' dead-letter retention.
CREATE TABLE dead_letter (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The consumer group that set it aside: a replay is for it alone.
    service          text        NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    -- The producer's event-id header; null when it gave none.
    event_id         text        COLLATE "C",
    reason           text        NOT NULL,
    message_key      bytea,
    payload          bytea       NOT NULL,
    -- Header names and values, in order: [["name", "base64 value"], ...].
    headers          jsonb       NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    -- A replay sends the original again under a new event id, once.
    replayed_at      timestamptz,
    replayed_by      text,
    replay_event_id  uuid UNIQUE,
    CHECK ((replayed_at IS NULL) = (replayed_by IS NULL) AND (replayed_at IS NULL) = (replay_event_id IS NULL))
);

CREATE INDEX dead_letter_by_topic ON dead_letter (source_topic, dead_lettered_at);
CREATE INDEX dead_letter_by_service ON dead_letter (service, dead_lettered_at);
-- A replay that was dead-lettered again is found by its event id.
CREATE INDEX dead_letter_by_event_id ON dead_letter (event_id);

-- Who may read the original bytes besides the schema's owner: members of
-- turnaround_dead_letters (grant it to the operators who handle dead
-- letters), who may also replay them (a replay is an outbox row; of a dead
-- letter only its replay columns may change) and see whether a replay was
-- applied (the inbox holds no personal data). A role is the cluster's, not the schema's: it is created once,
-- and only where the migrating user may create roles; elsewhere an
-- administrator creates it and grants it these rights.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_dead_letters')
       AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        BEGIN
            CREATE ROLE turnaround_dead_letters NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- another migration, of another schema, created it meanwhile
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_dead_letters') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO turnaround_dead_letters', current_schema());
        GRANT SELECT, DELETE ON dead_letter TO turnaround_dead_letters;
        GRANT UPDATE (replayed_at, replayed_by, replay_event_id) ON dead_letter TO turnaround_dead_letters;
        GRANT INSERT ON outbox_event TO turnaround_dead_letters;
        GRANT SELECT ON inbox_event TO turnaround_dead_letters;
    END IF;
END
$$;
REVOKE ALL ON dead_letter FROM PUBLIC;

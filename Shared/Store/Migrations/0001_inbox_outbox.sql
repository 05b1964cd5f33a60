-- Exactly-once delivery: a consumer records each event it applied in the same
-- transaction as the effect (inbox), and writes the events it emits there too
-- (outbox) for a relay to publish.

-- Ids are opaque: compared as bytes (COLLATE "C"), which is also the cheaper index.
CREATE TABLE inbox_event (
    consumer        text        COLLATE "C" NOT NULL,
    event_id        text        COLLATE "C" NOT NULL,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE outbox_event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Sent as the message's event-id header: consumers skip what they applied.
    event_id     uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    topic        text        NOT NULL,
    message_key  bytea,
    payload      bytea       NOT NULL,
    -- Header names and values, in order: [["name", "base64 value"], ...].
    headers      jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE INDEX outbox_event_unpublished ON outbox_event (id) WHERE published_at IS NULL;

-- Wakes the relays as soon as a transaction that wrote events commits.
CREATE FUNCTION notify_outbox_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_event', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_event_written AFTER INSERT ON outbox_event
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_event();

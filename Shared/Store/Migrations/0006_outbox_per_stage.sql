-- Each stage relays only its own events: an outbox row names the stage that
-- wrote it (its consumer group), each stage's relay takes a lock of its own,
-- and the backlog a stage reports is its own. Rows written before name no
-- stage (''): any stage's relay publishes them (consumers skip a repeat by
-- its event id).
ALTER TABLE outbox_event ADD COLUMN stage text NOT NULL DEFAULT '';
ALTER TABLE outbox_event ALTER COLUMN stage DROP DEFAULT;

DROP INDEX outbox_event_unpublished;
CREATE INDEX outbox_event_unpublished ON outbox_event (stage, id) WHERE published_at IS NULL;

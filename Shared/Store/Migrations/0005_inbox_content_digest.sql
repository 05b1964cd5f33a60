-- The inbox remembers what each event said (SHA-256 of its key and value),
-- so an event id arriving again with other content is dead-lettered as a
-- conflict instead of skipped as a repeat. Rows from before have none.
ALTER TABLE inbox_event ADD COLUMN content_digest bytea;

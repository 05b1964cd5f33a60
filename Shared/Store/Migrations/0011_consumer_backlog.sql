-- What each worker process has yet to apply, as it last measured: a stage
-- reads how far behind its own replicas and the stages before it are (a
-- bulk load), which its own consumer alone cannot tell it.
CREATE TABLE consumer_backlog (
    consumer text COLLATE "C" NOT NULL,
    member text COLLATE "C" NOT NULL,
    messages bigint NOT NULL CHECK (messages >= 0),
    measured_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, member)
);

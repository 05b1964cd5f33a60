-- A co-ordinator's rescreen (`turnaround rescreen`): which families it asked
-- screening to decide again, under which ruleset and as of which day, and
-- how far screening has got. Screening counts each family it has taken, the
-- decisions that changed, and the families a process running another
-- ruleset set aside (with its reason), in the transaction that decides them.
CREATE TABLE rescreen (
    request_id      uuid        PRIMARY KEY,
    requested_by    text        NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    ruleset_id      text        NOT NULL,
    ruleset_version text        NOT NULL,
    ruleset_hash    text        NOT NULL,
    as_of           date,
    families        integer     NOT NULL CHECK (families >= 0),
    decided         integer     NOT NULL DEFAULT 0,
    changed         integer     NOT NULL DEFAULT 0,
    set_aside       integer     NOT NULL DEFAULT 0,
    set_aside_reason text,
    finished_at     timestamptz,
    -- A request replayed after the inbox forgot it counts again: the counts
    -- may pass `families`, never the other way round.
    CHECK (changed <= decided)
);

-- The claim lifecycle, kept by the database: a claim awaits internal audit,
-- which validates or rejects it; validated claims of a window are submitted
-- to the department as one return; the department pays or refuses each.
-- Every transition is a row of claim_event, appended and never changed; a
-- claim's status follows from its events and is kept in step by the same
-- statement, so no client (the CLI, psql, a later service) can move a claim
-- but along these edges.

-- The edges a claim may move along.
CREATE TABLE claim_transition (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO claim_transition (from_status, to_status) VALUES
    ('awaiting-audit', 'validated'),
    ('awaiting-audit', 'rejected'),
    ('validated', 'submitted'),
    ('submitted', 'paid'),
    ('submitted', 'rejected');

-- A window's validated claims, sent to the department as one return.
-- A window is submitted once.
CREATE TABLE claim_return (
    return_id    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_window text        NOT NULL UNIQUE,
    submitted_by text        NOT NULL CHECK (submitted_by <> ''),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    claims       integer     NOT NULL CHECK (claims > 0),
    total_pence  bigint      NOT NULL CHECK (total_pence >= 0)
);

ALTER TABLE result_claim ADD COLUMN return_id uuid REFERENCES claim_return (return_id);
CREATE INDEX result_claim_return ON result_claim (return_id) WHERE return_id IS NOT NULL;

-- Every transition of every claim, in the order made.
CREATE TABLE claim_event (
    event_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id    uuid        NOT NULL REFERENCES result_claim (claim_id),
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    made_by     text        NOT NULL CHECK (made_by <> ''),
    made_at     timestamptz NOT NULL DEFAULT now(),
    -- Why: required of a rejection, kept for any transition.
    reason      text,
    -- The return a submission went in, and the one a payment or refusal answers.
    return_id   uuid        REFERENCES claim_return (return_id),
    FOREIGN KEY (from_status, to_status) REFERENCES claim_transition (from_status, to_status),
    CHECK (to_status <> 'rejected' OR coalesce(btrim(reason), '') <> ''),
    CHECK ((return_id IS NOT NULL) = (to_status = 'submitted' OR from_status = 'submitted'))
);
CREATE INDEX claim_event_by_claim ON claim_event (claim_id, event_id);

-- A transition moves its claim, or fails: the claim must still be where the
-- event says it was (a second transition racing the first finds it moved).
CREATE FUNCTION claim_event_moves_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE result_claim
    SET status = NEW.to_status,
        return_id = CASE WHEN NEW.to_status = 'submitted' THEN NEW.return_id ELSE return_id END
    WHERE claim_id = NEW.claim_id AND status = NEW.from_status
      AND (NEW.from_status <> 'submitted' OR return_id = NEW.return_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'claim % is not %', NEW.claim_id, NEW.from_status
            USING ERRCODE = 'check_violation', HINT = 'read the claim again: another transition moved it first';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER claim_event_moves_claim BEFORE INSERT ON claim_event
    FOR EACH ROW EXECUTE FUNCTION claim_event_moves_claim();

-- The history is never rewritten. (Any record kept append-only refuses
-- updates, deletes and truncation through this function.)
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER claim_event_is_append_only BEFORE UPDATE OR DELETE ON claim_event
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER claim_event_is_never_truncated BEFORE TRUNCATE ON claim_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- A status set by hand, not through an event, is refused: the history stays whole.
CREATE FUNCTION result_claim_status_follows_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a claim''s status changes only by a claim_event' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER result_claim_status_follows_events BEFORE UPDATE OF status, return_id ON result_claim
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.return_id IS DISTINCT FROM NEW.return_id)
    EXECUTE FUNCTION result_claim_status_follows_events();

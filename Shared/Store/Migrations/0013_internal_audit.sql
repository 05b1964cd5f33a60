-- Internal audit: a window's sample of claims, drawn once and recorded with
-- why each claim is in it, and the auditors' verdicts, appended and never
-- changed. A window is submitted only once every sampled claim has a
-- verdict; a failed claim holds up its family's other claims in the window
-- until it is audited again and passes.

CREATE TABLE audit_sample (
    sample_id    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    claim_window text        NOT NULL UNIQUE,
    percent      numeric     NOT NULL CHECK (percent > 0 AND percent <= 100),
    seed         bigint      NOT NULL,
    drawn_by     text        NOT NULL CHECK (drawn_by <> ''),
    drawn_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_sample_claim (
    sample_id uuid NOT NULL REFERENCES audit_sample (sample_id),
    claim_id  uuid NOT NULL REFERENCES result_claim (claim_id),
    -- Why it is in the sample: drawn from its payment's stratum, picked for a risk, or both.
    why       text NOT NULL CHECK (why <> ''),
    PRIMARY KEY (sample_id, claim_id)
);
CREATE INDEX audit_sample_claim_by_claim ON audit_sample_claim (claim_id);

CREATE TABLE audit_verdict (
    verdict_id bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id   uuid        NOT NULL REFERENCES result_claim (claim_id),
    passed     boolean     NOT NULL,
    note       text,
    made_by    text        NOT NULL CHECK (made_by <> ''),
    made_at    timestamptz NOT NULL DEFAULT now(),
    -- A failure says why.
    CHECK (passed OR coalesce(btrim(note), '') <> '')
);
CREATE INDEX audit_verdict_by_claim ON audit_verdict (claim_id, verdict_id);

-- What was sampled and what auditors found is never rewritten.
CREATE TRIGGER audit_verdict_is_append_only BEFORE UPDATE OR DELETE ON audit_verdict
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER audit_verdict_is_never_truncated BEFORE TRUNCATE ON audit_verdict
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER audit_sample_is_append_only BEFORE UPDATE OR DELETE ON audit_sample
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER audit_sample_claim_is_append_only BEFORE UPDATE OR DELETE ON audit_sample_claim
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER audit_sample_is_never_truncated BEFORE TRUNCATE ON audit_sample
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER audit_sample_claim_is_never_truncated BEFORE TRUNCATE ON audit_sample_claim
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- Screening and claims: pseudonymous families (labels and dates of birth),
-- the evidence matched to them, decisions and claims.

-- Each stage keeps its own copy of what it consumed, so no stage reads
-- another's tables.
CREATE TABLE screening_family (
    family_id    uuid        PRIMARY KEY,
    -- [{"id": "C1", "dateOfBirth": "2012-05-01"}, ...]
    members      jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE screening_evidence (
    evidence_id  text        COLLATE "C" PRIMARY KEY,
    family_id    uuid        NOT NULL,
    person_id    text        COLLATE "C" NOT NULL,
    fact         jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL
);

CREATE INDEX screening_evidence_family ON screening_evidence (family_id);

CREATE TABLE eligibility_decision (
    decision_id     uuid        PRIMARY KEY,
    family_id       uuid        NOT NULL,
    decided_on      date        NOT NULL,
    ruleset_id      text        NOT NULL,
    ruleset_version text        NOT NULL,
    ruleset_hash    text        NOT NULL,
    is_eligible     boolean     NOT NULL,
    met_criteria    text[]      NOT NULL,
    summary         text        NOT NULL,
    -- The whole decision: every criterion and the evidence behind it.
    decision        jsonb       NOT NULL,
    decided_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX eligibility_decision_family ON eligibility_decision (family_id, decided_at DESC);

CREATE TABLE claims_family (
    family_id       uuid        PRIMARY KEY,
    members         jsonb,
    -- The latest eligibility decision received.
    decision_id     uuid,
    ruleset_id      text,
    is_eligible     boolean,
    decided_on      date,
    -- The first day a decision found the family eligible: attachment must not precede it.
    eligible_since  date,
    attached_on     date,
    keyworker       text,
    attached_by     text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE claims_evidence (
    evidence_id  text        COLLATE "C" PRIMARY KEY,
    family_id    uuid        NOT NULL,
    person_id    text        COLLATE "C" NOT NULL,
    fact         jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL
);

CREATE INDEX claims_evidence_family ON claims_evidence (family_id);

CREATE TABLE result_claim (
    claim_id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id       uuid        NOT NULL,
    ruleset_id      text        NOT NULL,
    ruleset_version text        NOT NULL,
    ruleset_hash    text        NOT NULL,
    -- 'attachment' for the attachment fee, otherwise the result's id (A, B, C, ...).
    payment         text        NOT NULL,
    amount_pence    bigint      NOT NULL CHECK (amount_pence >= 0),
    financial_year  text        NOT NULL,
    -- The quarter the claim falls in, e.g. '2026/27 Q3'.
    claim_window    text        NOT NULL,
    status          text        NOT NULL DEFAULT 'awaiting-audit'
                    CHECK (status IN ('awaiting-audit', 'validated', 'submitted', 'paid', 'rejected')),
    -- Baseline, measures and payment working, as the rules gave them.
    explanation     jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Finance's rule, kept by the database: one claim per family per payment per programme phase.
    UNIQUE (family_id, ruleset_id, payment)
);

CREATE INDEX result_claim_window ON result_claim (claim_window, status);

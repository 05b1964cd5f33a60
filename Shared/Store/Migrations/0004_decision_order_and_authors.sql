-- Upgrading: stop every screening replica before this migration runs (a
-- replica of an earlier build cannot record the revision), then start the
-- new ones.
--
-- A family's decisions in the order screening made them: revision 1, 2, …
-- per family, kept unique by the database, so "the latest decision" never
-- depends on a clock or a random id. Decisions are made under the family's
-- lock, so the next revision is always the latest one plus one.
ALTER TABLE eligibility_decision ADD COLUMN revision integer;

UPDATE eligibility_decision AS d SET revision = numbered.revision
FROM (SELECT decision_id, row_number() OVER (PARTITION BY family_id ORDER BY decided_at, decision_id DESC) AS revision
      FROM eligibility_decision) AS numbered
WHERE d.decision_id = numbered.decision_id;

ALTER TABLE eligibility_decision ALTER COLUMN revision SET NOT NULL,
    ADD CONSTRAINT eligibility_decision_revision CHECK (revision > 0),
    ADD CONSTRAINT eligibility_decision_family_revision UNIQUE (family_id, revision);

DROP INDEX eligibility_decision_family;

-- Who made the decision: the screening service, or the user who corrected
-- drift with `turnaround check decisions --fix --by USER`. Decisions made
-- before were the service's; from now on every writer names itself.
ALTER TABLE eligibility_decision ADD COLUMN decided_by text NOT NULL DEFAULT 'turnaround-screening';
ALTER TABLE eligibility_decision ALTER COLUMN decided_by DROP DEFAULT;

-- Who made a claim: the claims service, or the user who claimed what was
-- due with `turnaround check claims --fix --by USER`.
ALTER TABLE result_claim ADD COLUMN claimed_by text NOT NULL DEFAULT 'turnaround-claims';
ALTER TABLE result_claim ALTER COLUMN claimed_by DROP DEFAULT;

-- The revision of the decision the claims stage holds, so a later decision
-- (by revision, not by the day it was made as of) replaces it.
ALTER TABLE claims_family ADD COLUMN decision_revision integer;

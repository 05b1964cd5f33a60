-- Intake's verdict on every message an agency sent: accepted, held,
-- released, refused, repeated or conflicting, with the agency's own id for
-- the referral or record and the family and members by pseudonymous ids.
-- No names: a refusal names fields, never their values. Read by agency (the
-- agency's receipts since a time) and by event id (a submission awaiting its
-- verdicts).
CREATE TABLE receipt (
    receipt_id    bigserial PRIMARY KEY,
    agency_id     text NOT NULL,
    event_id      text,
    kind          text CHECK (kind IN ('referral', 'evidence')),
    item_id       text,
    verdict       text NOT NULL CHECK (verdict IN ('accepted', 'held', 'released', 'refused', 'repeated', 'conflicting')),
    family_id     uuid,
    member_labels text NOT NULL DEFAULT '',  -- `P1,P2`: labels hold no comma
    detail        text NOT NULL,
    issued_at     timestamptz NOT NULL
);
CREATE INDEX receipt_by_agency ON receipt (agency_id, receipt_id);
CREATE INDEX receipt_by_event ON receipt (event_id) WHERE event_id IS NOT NULL;

-- What each referral held, so the same id sent again is told apart: the
-- same content is a repeat, other content a conflict. NULL for referrals
-- received before it was kept (taken as repeats).
ALTER TABLE referral ADD COLUMN content_digest text;

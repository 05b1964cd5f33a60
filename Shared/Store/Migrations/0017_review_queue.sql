-- Intake's review queue: matches a co-ordinator decides, never made
-- automatically. A referral naming people of two families, or a person
-- who may be someone intake knows in another family (a near match of
-- names, the same date of birth and address, day and month of birth
-- swapped), raises an item naming the two families. No names: the detail
-- speaks of member labels and of how the people compare.
CREATE TABLE review_item (
    item_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reason          text NOT NULL CHECK (reason IN ('two-families', 'near-match')),
    -- The family the referral went to, and the one it may be the same as
    -- (NULL for items kept from before the other family was recorded).
    family_id       uuid NOT NULL REFERENCES family,
    other_family_id uuid REFERENCES family,
    agency_id       text COLLATE "C" NOT NULL,
    referral_id     text COLLATE "C" NOT NULL,
    detail          text NOT NULL,
    raised_at       timestamptz NOT NULL DEFAULT now(),
    resolution      text CHECK (resolution IN ('merged', 'dismissed')),
    resolved_by     text,
    resolved_at     timestamptz,
    resolution_note text,
    CHECK ((resolution IS NULL) = (resolved_by IS NULL) AND (resolution IS NULL) = (resolved_at IS NULL))
);
CREATE INDEX review_item_open ON review_item (item_id) WHERE resolution IS NULL;
CREATE INDEX review_item_families ON review_item (family_id, other_family_id);
CREATE INDEX review_item_other_family ON review_item (other_family_id);

-- The notes referrals carried before the queue existed become its items.
INSERT INTO review_item (reason, family_id, agency_id, referral_id, detail, raised_at)
SELECT 'two-families', family_id, agency_id, referral_id, review_note, accepted_at FROM referral WHERE review_note IS NOT NULL
ORDER BY accepted_at;
ALTER TABLE referral DROP COLUMN review_note;

-- Two families found to be one: the merged family's people moved to the
-- kept family under new labels. The merged family's row stays, with its
-- referrals' history here; matching never joins anyone to it again.
CREATE TABLE family_merge (
    merged_family_id uuid PRIMARY KEY REFERENCES family,
    family_id        uuid NOT NULL REFERENCES family,
    -- [{"from": "P1", "to": "P4"}, ...]: each moved member's label before and after.
    relabelled       jsonb NOT NULL,
    -- The referrals that had gone to the merged family, by agency and id.
    referrals        jsonb NOT NULL,
    merged_by        text NOT NULL,
    merged_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (merged_family_id <> family_id)
);
CREATE INDEX family_merge_kept ON family_merge (family_id);

-- Near matches are looked for among the people born on the day a new
-- person was, or on that day with day and month swapped.
CREATE INDEX person_date_of_birth ON person (date_of_birth);

-- Screening's and claims' record of merges, so a message about a merged
-- family that was already on its way is applied to the family kept.
CREATE TABLE screening_merged_family (
    merged_family_id uuid PRIMARY KEY,
    family_id        uuid NOT NULL,
    -- {"P1": "P4", ...}: the merged family's labels in the family kept.
    labels           jsonb NOT NULL,
    merged_at        timestamptz NOT NULL
);
CREATE INDEX screening_merged_family_kept ON screening_merged_family (family_id);

CREATE TABLE claims_merged_family (
    merged_family_id uuid PRIMARY KEY,
    family_id        uuid NOT NULL,
    labels           jsonb NOT NULL,
    merged_at        timestamptz NOT NULL
);
CREATE INDEX claims_merged_family_kept ON claims_merged_family (family_id);

-- A merged family is never measured or claimed for again; its claims count
-- as the family kept's.
ALTER TABLE claims_family ADD COLUMN merged_into uuid;

-- The members each decision was made for (labels), so a family whose
-- members changed (a merge, a referral adding someone) is decided and sent
-- again though the outcome stays: claims measures the members it is sent.
-- NULL for decisions made before it was kept.
ALTER TABLE eligibility_decision ADD COLUMN member_ids text[];

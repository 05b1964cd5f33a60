-- Intake: the agencies allowed to send, and the people behind the
-- pseudonymous ids. The only tables holding names, dates of birth together
-- with names, and addresses; nothing downstream of intake reads them.

CREATE TABLE agency (
    agency_id     text        COLLATE "C" PRIMARY KEY,
    name          text        NOT NULL,
    -- The HMAC-SHA256 key the agency signs its messages with.
    signing_key   bytea       NOT NULL CHECK (length(signing_key) >= 32),
    registered_at timestamptz NOT NULL DEFAULT now(),
    -- A retired agency's messages are refused; its past referrals stay.
    retired_at    timestamptz
);

CREATE TABLE family (
    family_id     uuid        PRIMARY KEY,
    address_lines text[]      NOT NULL,
    postcode      text        NOT NULL,
    -- Hash of the folded postcode and first address line: a referral naming
    -- none of the same people still finds the household.
    address_key   text        COLLATE "C" NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX family_address ON family (address_key);

CREATE TABLE person (
    family_id     uuid        NOT NULL REFERENCES family,
    -- The member's pseudonymous label in the family (A1, C2): all that leaves intake.
    member_label  text        COLLATE "C" NOT NULL,
    given_name    text        NOT NULL,
    family_name   text        NOT NULL,
    date_of_birth date        NOT NULL,
    -- One record per real person: the hash of the folded names and date of birth.
    identity_key  text        COLLATE "C" NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (family_id, member_label)
);

CREATE TABLE referral (
    agency_id     text        COLLATE "C" NOT NULL REFERENCES agency,
    referral_id   text        COLLATE "C" NOT NULL,
    family_id     uuid        NOT NULL REFERENCES family,
    reasons       text[]      NOT NULL,
    submitted_at  timestamptz NOT NULL,
    accepted_at   timestamptz NOT NULL DEFAULT now(),
    -- Why a co-ordinator should look at the match (people of two families named together).
    review_note   text,
    PRIMARY KEY (agency_id, referral_id)
);

CREATE INDEX referral_family ON referral (family_id);

-- Evidence about someone no referral has named yet, sent on when one does.
-- Holds the identity's hash, not the name.
CREATE TABLE unmatched_evidence (
    agency_id     text        COLLATE "C" NOT NULL,
    record_id     text        COLLATE "C" NOT NULL,
    identity_key  text        COLLATE "C" NOT NULL,
    fact          jsonb       NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, record_id)
);

CREATE INDEX unmatched_evidence_identity ON unmatched_evidence (identity_key);

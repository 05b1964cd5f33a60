-- Each ruleset screening has started with, known by its id and version,
-- which name one content: two replicas must never decide under different
-- rules by accident, so a changed ruleset needs a new version, and
-- screening refuses to start with other content under an id and version
-- recorded here. The file's text is kept, so a ruleset in use can still be
-- read once no build ships it.
CREATE TABLE ruleset (
    ruleset_id       text        COLLATE "C" NOT NULL,
    ruleset_version  text        COLLATE "C" NOT NULL,
    -- SHA-256 of the file, in hex, as every decision under it records it.
    content_hash     text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    -- The file as read; NULL for a ruleset known only from the decisions made
    -- under it before this table was kept, until screening starts with it again.
    content          text,
    first_started_at timestamptz NOT NULL DEFAULT now(),
    last_started_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ruleset_id, ruleset_version),
    CONSTRAINT ruleset_content_matches_hash CHECK (content IS NULL OR content_hash = encode(sha256(convert_to(content, 'UTF8')), 'hex'))
);

-- The rulesets earlier decisions were made under, over the time they were
-- used, so the check holds from the first start after this migration: where
-- one id and version was used with two contents, the one used last is kept.
INSERT INTO ruleset (ruleset_id, ruleset_version, content_hash, first_started_at, last_started_at)
SELECT DISTINCT ON (ruleset_id, ruleset_version) ruleset_id, ruleset_version, ruleset_hash, first_decided_at, last_decided_at
FROM (
    SELECT ruleset_id, ruleset_version, ruleset_hash, min(decided_at) AS first_decided_at, max(decided_at) AS last_decided_at
    FROM eligibility_decision
    WHERE ruleset_hash ~ '^[0-9a-f]{64}$'
    GROUP BY ruleset_id, ruleset_version, ruleset_hash
) used
ORDER BY ruleset_id, ruleset_version, last_decided_at DESC;

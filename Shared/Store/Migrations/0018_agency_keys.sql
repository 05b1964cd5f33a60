-- An agency's keys: the Ed25519 public keys intake checks its signatures
-- with, several at once while it changes keys, each known by an id that the
-- messages carry. A public key can check a signature but never make one, so
-- nothing here lets anyone sign as an agency.
--
-- Agencies registered before Ed25519 signed with an HMAC secret that intake
-- held (agency.signing_key); it moves here as the key 'hmac' and keeps
-- working until the agency is given an Ed25519 key and the HMAC key is
-- retired, when the secret is erased.
CREATE TABLE agency_key (
    agency_id    text        COLLATE "C" NOT NULL REFERENCES agency ON DELETE CASCADE,
    key_id       text        COLLATE "C" NOT NULL,
    algorithm    text        NOT NULL CHECK (algorithm IN ('ed25519', 'hmac-sha256')),
    -- The Ed25519 public key; for 'hmac-sha256', the secret until it is retired.
    key_bytes    bytea,
    valid_from   timestamptz NOT NULL DEFAULT now(),
    -- The key is refused from this time on.
    retired_from timestamptz,
    PRIMARY KEY (agency_id, key_id),
    -- An Ed25519 key is 32 bytes, and its id is the first 16 hex digits of its SHA-256.
    CHECK (algorithm <> 'ed25519' OR (length(key_bytes) = 32 AND key_id = left(encode(sha256(key_bytes), 'hex'), 16))),
    -- An HMAC secret is at least 32 bytes while in use, and gone once retired.
    CHECK (algorithm <> 'hmac-sha256' OR (key_id = 'hmac' AND CASE WHEN retired_from IS NULL THEN length(key_bytes) >= 32 ELSE key_bytes IS NULL END))
);

INSERT INTO agency_key (agency_id, key_id, algorithm, key_bytes, valid_from, retired_from)
SELECT agency_id, 'hmac', 'hmac-sha256', CASE WHEN retired_at IS NULL THEN signing_key END, registered_at, retired_at
FROM agency;

ALTER TABLE agency DROP COLUMN signing_key;

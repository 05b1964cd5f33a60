-- Intake's tables move from the base schema into intake's own, which only
-- intake's role (and the owner) may use: the names, dates of birth and
-- addresses of person, family and referral are out of every other stage's
-- reach by Postgres's own rules. Their indexes, constraints, sequences and
-- row-level security move with them.
DO $$
DECLARE
    moved text;
BEGIN
    FOREACH moved IN ARRAY ARRAY[
        'agency', 'agency_key', 'family', 'person', 'referral', 'receipt', 'review_item', 'family_merge', 'unmatched_evidence'
    ] LOOP
        EXECUTE format('ALTER TABLE %I SET SCHEMA %I', moved, current_schema());
    END LOOP;
END
$$;

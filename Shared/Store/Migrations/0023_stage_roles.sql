-- A role per stage: turnaround_intake, turnaround_screening and
-- turnaround_claims, each granted its own stage's tables and, of the
-- runtime's inbox, outbox, dead letters and backlog, only its own stage's
-- rows. A service connects as a login role that is a member of its stage's
-- role (or sets it: `options=-c role=turnaround_screening`), so Postgres,
-- not only the code, keeps intake's names, dates of birth and addresses
-- (person, family, referral, and intake's dead letters) from screening and
-- claims. The schema's owner (`turnaround migrate`) keeps every right; the
-- CLI connects as the owner or as a role an administrator grants what it needs.
--
-- A migration that adds a table grants it to its stage's role here-like.
-- A role is the cluster's, not the schema's: it is created once, and only
-- where the migrating user may create roles; elsewhere an administrator
-- creates the three roles and migrates again (this grants to those that exist).
DO $$
DECLARE
    stage text;
    stage_role text;
    tables text[];
BEGIN
    FOREACH stage IN ARRAY ARRAY['intake', 'screening', 'claims'] LOOP
        stage_role := 'turnaround_' || stage;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = stage_role)
           AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', stage_role);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another migration, of another schema, created it meanwhile
            END;
        END IF;
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = stage_role);

        tables := CASE stage
            WHEN 'intake' THEN ARRAY['agency', 'agency_key', 'family', 'person', 'referral', 'receipt', 'review_item',
                                     'family_merge', 'unmatched_evidence']
            WHEN 'screening' THEN ARRAY['screening_family', 'screening_evidence', 'screening_pending', 'screening_merged_family',
                                        'eligibility_decision', 'rescreen', 'ruleset']
            ELSE ARRAY['claims_family', 'claims_evidence', 'claims_merged_family', 'result_claim', 'claim_transition', 'claim_return',
                       'claim_event', 'audit_sample', 'audit_sample_claim', 'audit_verdict', 'claims_allocation',
                       'claims_allocation_change', 'claims_allocation_family', 'claims_allocation_held', 'ruleset']
        END;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), stage_role);
        EXECUTE format('GRANT SELECT ON schema_migration TO %I', stage_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I',
                       (SELECT string_agg(format('%I', name), ', ') FROM unnest(tables) AS name), stage_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON inbox_event, outbox_event, dead_letter, consumer_backlog TO %I', stage_role);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), stage_role);

        -- Of the runtime's tables, a stage sees and writes only its own rows:
        -- those of its consumer group, which ends with the stage's name (after any TOPIC_PREFIX).
        EXECUTE format('CREATE POLICY %I ON inbox_event TO %I USING (consumer LIKE %L)', stage || '_own', stage_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON outbox_event TO %I USING (stage LIKE %L)', stage || '_own', stage_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON dead_letter TO %I USING (service LIKE %L)', stage || '_own', stage_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON consumer_backlog TO %I USING (consumer LIKE %L)', stage || '_own', stage_role, '%' || stage);
        -- Backlogs hold counts alone, and screening waits while intake's is large.
        EXECUTE format('CREATE POLICY %I ON consumer_backlog FOR SELECT TO %I USING (true)', stage || '_reads', stage_role);
    END LOOP;

    -- The dead-letter tools read every stage's dead letters and replay them through the outbox.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_dead_letters') THEN
        CREATE POLICY dead_letter_tools ON dead_letter TO turnaround_dead_letters USING (true) WITH CHECK (true);
        CREATE POLICY dead_letter_tools ON outbox_event TO turnaround_dead_letters USING (true) WITH CHECK (true);
        CREATE POLICY dead_letter_tools ON inbox_event TO turnaround_dead_letters USING (true);
    END IF;
END
$$;

-- Rows no policy names are hidden from every role but the owner.
ALTER TABLE inbox_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE dead_letter ENABLE ROW LEVEL SECURITY;
ALTER TABLE consumer_backlog ENABLE ROW LEVEL SECURITY;

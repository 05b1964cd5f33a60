-- The stages' roles and their rights, applied after the migrations at every
-- `turnaround migrate`, as the schema's owner: each run revokes and grants
-- again, so the rights are exactly these, and an administrator who creates
-- the roles after a migration (where the migrating user may not) migrates
-- again to grant them.
--
-- A role a stage: turnaround_intake, turnaround_screening and
-- turnaround_claims, each granted what its service does to its own stage's
-- tables, in its stage's schema, which no other stage's role may use, and,
-- of the runtime's inbox, outbox, dead letters and backlog in the base
-- schema (row-level security, migration 0023), only its own rows. So
-- Postgres, not only the code, keeps intake's names, dates of birth and
-- addresses (person, family, referral, and intake's dead letters) from
-- screening and claims, and a stage cannot change what caps it (claims may
-- count families against the allocation, never set it). The CLI and
-- `turnaround migrate` work as the owner; a table no stage's service uses
-- (the claims' lifecycle, internal audit, agencies' registration) is the
-- owner's alone.
--
-- It runs in the base schema, and finds each stage's schema's name in the
-- setting turnaround.<stage>_schema.
--
-- A role is the cluster's, not the schema's: it is created once, and only
-- where the migrating user may create roles.
DO $$
DECLARE
    stage text;
    stage_role text;
    stage_schema text;
    other_schema text;
    runtime_table text;
    rights text[];
    privilege text;
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

        -- Nothing but what follows, in any of the deployment's schemas.
        FOREACH other_schema IN ARRAY ARRAY[current_schema()] || ARRAY(
            SELECT current_setting('turnaround.' || name || '_schema') FROM unnest(ARRAY['intake', 'screening', 'claims']) AS name
        ) LOOP
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', other_schema, stage_role);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', other_schema, stage_role);
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', other_schema, stage_role);
        END LOOP;
        stage_schema := current_setting('turnaround.' || stage || '_schema');
        FOREACH other_schema IN ARRAY ARRAY[current_schema(), stage_schema] LOOP
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', other_schema, stage_role);
            EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', other_schema, stage_role);
            EXECUTE format('GRANT SELECT ON %I.schema_migration TO %I', other_schema, stage_role);
        END LOOP;
        -- Each right on a table of the stage's schema, as `privileges ON table`.
        rights := CASE stage
            WHEN 'intake' THEN ARRAY[
                'SELECT ON agency', 'SELECT ON agency_key',
                'SELECT, INSERT, UPDATE, DELETE ON family', 'SELECT, INSERT, UPDATE, DELETE ON person',
                'SELECT, INSERT, UPDATE, DELETE ON referral', 'SELECT, INSERT, UPDATE, DELETE ON receipt',
                'SELECT, INSERT, UPDATE, DELETE ON review_item', 'SELECT, INSERT, UPDATE, DELETE ON family_merge',
                'SELECT, INSERT, UPDATE, DELETE ON unmatched_evidence']
            WHEN 'screening' THEN ARRAY[
                'SELECT, INSERT, UPDATE, DELETE ON screening_family', 'SELECT, INSERT, UPDATE, DELETE ON screening_evidence',
                'SELECT, INSERT, UPDATE, DELETE ON screening_pending', 'SELECT, INSERT, UPDATE, DELETE ON screening_merged_family',
                'SELECT, INSERT, UPDATE, DELETE ON eligibility_decision', 'SELECT, INSERT, UPDATE ON rescreen']
            ELSE ARRAY[
                'SELECT, INSERT, UPDATE, DELETE ON claims_family', 'SELECT, INSERT, UPDATE, DELETE ON claims_evidence',
                'SELECT, INSERT, UPDATE, DELETE ON claims_merged_family', 'SELECT, INSERT ON result_claim',
                'SELECT, UPDATE (claimed) ON claims_allocation', 'SELECT, INSERT ON claims_allocation_family',
                'SELECT, INSERT, UPDATE ON claims_allocation_held']
        END;
        FOREACH privilege IN ARRAY rights LOOP
            EXECUTE format('GRANT %s TO %I', replace(privilege, ' ON ', ' ON ' || quote_ident(stage_schema) || '.'), stage_role);
        END LOOP;
        -- The rulesets are the base's: screening records the one it starts
        -- with, and claims checks claims under it.
        IF stage IN ('screening', 'claims') THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE ON ruleset TO %I', stage_role);
        END IF;
        EXECUTE format('GRANT SELECT, INSERT, DELETE ON inbox_event TO %I', stage_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_event TO %I', stage_role);
        EXECUTE format('GRANT SELECT, INSERT, DELETE ON dead_letter TO %I', stage_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON consumer_backlog TO %I', stage_role);

        -- Of the runtime's tables, a stage sees and writes only its own rows:
        -- those of its consumer group, which ends with the stage's name (after
        -- any TOPIC_PREFIX). Outbox rows written before stages were named
        -- ('', migration 0006) are any stage's to relay.
        FOREACH runtime_table IN ARRAY ARRAY['inbox_event', 'outbox_event', 'dead_letter', 'consumer_backlog'] LOOP
            EXECUTE format('DROP POLICY IF EXISTS %I ON %I', stage || '_own', runtime_table);
        END LOOP;
        EXECUTE format('DROP POLICY IF EXISTS %I ON consumer_backlog', stage || '_reads');
        EXECUTE format('CREATE POLICY %I ON inbox_event TO %I USING (consumer LIKE %L)', stage || '_own', stage_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON outbox_event TO %I USING (stage LIKE %L OR stage = %L)',
                       stage || '_own', stage_role, '%' || stage, '');
        EXECUTE format('CREATE POLICY %I ON dead_letter TO %I USING (service LIKE %L)', stage || '_own', stage_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON consumer_backlog TO %I USING (consumer LIKE %L)', stage || '_own', stage_role, '%' || stage);
        -- Backlogs hold counts alone, and screening waits while intake's is large.
        EXECUTE format('CREATE POLICY %I ON consumer_backlog FOR SELECT TO %I USING (true)', stage || '_reads', stage_role);
    END LOOP;

    -- The dead-letter tools (migration 0007) read every stage's dead letters
    -- and replay them through the outbox.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_dead_letters') THEN
        DROP POLICY IF EXISTS dead_letter_tools ON dead_letter;
        DROP POLICY IF EXISTS dead_letter_tools ON outbox_event;
        DROP POLICY IF EXISTS dead_letter_tools ON inbox_event;
        CREATE POLICY dead_letter_tools ON dead_letter TO turnaround_dead_letters USING (true) WITH CHECK (true);
        CREATE POLICY dead_letter_tools ON outbox_event TO turnaround_dead_letters USING (true) WITH CHECK (true);
        CREATE POLICY dead_letter_tools ON inbox_event TO turnaround_dead_letters USING (true);
    END IF;
END
$$;

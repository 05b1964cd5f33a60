-- The roles of the stages and of the CLI's users, and their rights, applied
-- after the migrations at every `turnaround migrate`, as the schemas' owner:
-- each run revokes and grants again, so the rights are exactly these, and an
-- administrator who creates the roles after a migration (where the migrating
-- user may not) migrates again to grant them.
--
-- A role a stage: turnaround_intake, turnaround_screening and
-- turnaround_claims, each granted what its service does to its own stage's
-- tables, in its stage's schema, which no other stage's role may use, and,
-- of the runtime's inbox, outbox, dead letters and backlog in the base
-- schema (row-level security, migration 0023), only its own rows. So
-- Postgres, not only the code, keeps intake's names, dates of birth and
-- addresses (person, family, referral, and intake's dead letters) from
-- screening and claims, and a stage cannot change what caps it (claims may
-- count families against the allocation, never set it).
--
-- A role a kind of the CLI's users, granted what their commands do:
-- turnaround_coordinator (families, the review queue, explain, rescreen,
-- what-if, rulesets, attach, close, check decisions), turnaround_finance
-- (claims, their allocation, returns and payments, reports, check claims)
-- and turnaround_auditor (internal audit: the sample, the verdicts, validating
-- or rejecting claims, evidence packs). Of the claims' moves (claim_event,
-- row-level security, claims migration 0002), the auditor makes those out of
-- awaiting audit, and finance the rest: neither passes its own work.
-- `turnaround migrate` and `turnaround agency` work as the owner, and `turnaround
-- dlq` as turnaround_dead_letters (migration 0007).
--
-- It runs in the base schema, and finds each stage's schema's name in the
-- setting turnaround.<stage>_schema. A right is `privileges ON schema.table`,
-- the schema named `base` or by its stage.
--
-- A role is the cluster's, not the schema's: it is created once, and only
-- where the migrating user may create roles.
DO $$
DECLARE
    deployment_schemas text[] := ARRAY[current_schema()] || ARRAY(
        SELECT current_setting('turnaround.' || stage || '_schema') FROM unnest(ARRAY['intake', 'screening', 'claims']) AS stage);
    role_name text;
    granted_role text;
    used_schemas text[];
    used_schema text;
    rights text[];
    privilege text;
    target text;
    runtime_table text;
    stage text;
    claims_schema text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['intake', 'screening', 'claims', 'coordinator', 'finance', 'auditor'] LOOP
        granted_role := 'turnaround_' || role_name;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = granted_role)
           AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', granted_role);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another migration, of another schema, created it meanwhile
            END;
        END IF;
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = granted_role);

        -- Nothing but what follows, in any of the deployment's schemas.
        FOREACH used_schema IN ARRAY deployment_schemas LOOP
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', used_schema, granted_role);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', used_schema, granted_role);
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', used_schema, granted_role);
        END LOOP;
        -- A stage uses the base and its own schema; the CLI's users every schema.
        used_schemas := CASE WHEN role_name IN ('intake', 'screening', 'claims')
            THEN ARRAY[current_schema(), current_setting('turnaround.' || role_name || '_schema')]
            ELSE deployment_schemas END;
        FOREACH used_schema IN ARRAY used_schemas LOOP
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', used_schema, granted_role);
            EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', used_schema, granted_role);
            EXECUTE format('GRANT SELECT ON %I.schema_migration TO %I', used_schema, granted_role);
        END LOOP;
        rights := CASE role_name
            WHEN 'intake' THEN ARRAY[
                'SELECT ON intake.agency', 'SELECT ON intake.agency_key',
                'SELECT, INSERT, UPDATE, DELETE ON intake.family', 'SELECT, INSERT, UPDATE, DELETE ON intake.person',
                'SELECT, INSERT, UPDATE, DELETE ON intake.referral', 'SELECT, INSERT, UPDATE, DELETE ON intake.receipt',
                'SELECT, INSERT, UPDATE, DELETE ON intake.review_item', 'SELECT, INSERT, UPDATE, DELETE ON intake.family_merge',
                'SELECT, INSERT, UPDATE, DELETE ON intake.unmatched_evidence']
            WHEN 'screening' THEN ARRAY[
                'SELECT, INSERT, UPDATE, DELETE ON screening.screening_family', 'SELECT, INSERT, UPDATE, DELETE ON screening.screening_evidence',
                'SELECT, INSERT, UPDATE, DELETE ON screening.screening_pending', 'SELECT, INSERT, UPDATE, DELETE ON screening.screening_merged_family',
                'SELECT, INSERT, UPDATE, DELETE ON screening.eligibility_decision', 'SELECT, INSERT, UPDATE ON screening.rescreen',
                'SELECT, INSERT, UPDATE ON base.ruleset']
            WHEN 'claims' THEN ARRAY[
                'SELECT, INSERT, UPDATE, DELETE ON claims.claims_family', 'SELECT, INSERT, UPDATE, DELETE ON claims.claims_evidence',
                'SELECT, INSERT, UPDATE, DELETE ON claims.claims_merged_family', 'SELECT, INSERT ON claims.result_claim',
                'SELECT, UPDATE (claimed) ON claims.claims_allocation', 'SELECT, INSERT ON claims.claims_allocation_family',
                'SELECT, INSERT, UPDATE ON claims.claims_allocation_held', 'SELECT, INSERT, UPDATE ON base.ruleset']
            -- Co-ordinators review possible duplicates by the people in them,
            -- merge families (moving people and referrals) and send intake's
            -- merge; they decide families
            -- again on screening's path (check decisions --fix, rescreen), and
            -- read whether a family is attached or closed.
            WHEN 'coordinator' THEN ARRAY[
                'SELECT ON intake.family', 'SELECT, UPDATE (family_id, member_label) ON intake.person',
                'SELECT, UPDATE (family_id) ON intake.referral', 'SELECT, UPDATE ON intake.review_item', 'SELECT, INSERT ON intake.family_merge',
                'SELECT ON screening.screening_family', 'SELECT ON screening.screening_evidence', 'SELECT ON screening.screening_merged_family',
                'SELECT, DELETE ON screening.screening_pending', 'SELECT, INSERT ON screening.eligibility_decision',
                'SELECT, INSERT ON screening.rescreen',
                'SELECT ON claims.claims_family', 'SELECT ON claims.claims_merged_family',
                'SELECT ON base.ruleset', 'INSERT ON base.outbox_event', 'SELECT ON base.dead_letter']
            -- Finance measures and claims (as the claims stage does), sets
            -- the allocation, submits returns and records the department's answers.
            WHEN 'finance' THEN ARRAY[
                'SELECT, UPDATE ON claims.claims_family', 'SELECT ON claims.claims_evidence', 'SELECT ON claims.claims_merged_family',
                'SELECT, INSERT, UPDATE (status, return_id) ON claims.result_claim',
                'SELECT, INSERT, UPDATE ON claims.claims_allocation', 'SELECT, INSERT ON claims.claims_allocation_change',
                'SELECT, INSERT ON claims.claims_allocation_family', 'SELECT, INSERT, UPDATE, DELETE ON claims.claims_allocation_held',
                'SELECT ON claims.claim_transition', 'SELECT, INSERT ON claims.claim_return', 'SELECT, INSERT ON claims.claim_event',
                'SELECT ON claims.audit_sample', 'SELECT ON claims.audit_sample_claim', 'SELECT ON claims.audit_verdict',
                'SELECT ON screening.eligibility_decision',
                'SELECT ON base.ruleset', 'INSERT ON base.outbox_event']
            -- Internal audit samples claims, weighing each agency's share of
            -- the referrals behind them (never a name), passes or fails them,
            -- and validates or rejects them.
            WHEN 'auditor' THEN ARRAY[
                'SELECT ON claims.claims_family', 'SELECT ON claims.claims_evidence', 'SELECT ON claims.claims_merged_family',
                'SELECT, UPDATE (status, return_id) ON claims.result_claim', 'SELECT ON claims.claim_transition', 'SELECT ON claims.claim_return',
                'SELECT, INSERT ON claims.claim_event', 'SELECT, INSERT ON claims.audit_sample', 'SELECT, INSERT ON claims.audit_sample_claim',
                'SELECT, INSERT ON claims.audit_verdict',
                'SELECT (agency_id, family_id, submitted_at) ON intake.referral',
                'SELECT ON screening.eligibility_decision', 'SELECT ON base.ruleset']
        END;
        FOREACH privilege IN ARRAY rights LOOP
            target := split_part(privilege, ' ON ', 2);
            EXECUTE format('GRANT %s ON %I.%I TO %I', split_part(privilege, ' ON ', 1),
                           CASE split_part(target, '.', 1) WHEN 'base' THEN current_schema()
                               ELSE current_setting('turnaround.' || split_part(target, '.', 1) || '_schema') END,
                           split_part(target, '.', 2), granted_role);
        END LOOP;
    END LOOP;

    FOREACH stage IN ARRAY ARRAY['intake', 'screening', 'claims'] LOOP
        granted_role := 'turnaround_' || stage;
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = granted_role);
        EXECUTE format('GRANT SELECT, INSERT, DELETE ON inbox_event TO %I', granted_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_event TO %I', granted_role);
        EXECUTE format('GRANT SELECT, INSERT, DELETE ON dead_letter TO %I', granted_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON consumer_backlog TO %I', granted_role);

        -- Of the runtime's tables, a stage sees and writes only its own rows:
        -- those of its consumer group, which ends with the stage's name (after
        -- any TOPIC_PREFIX). Outbox rows written before stages were named
        -- ('', migration 0006) are any stage's to relay.
        FOREACH runtime_table IN ARRAY ARRAY['inbox_event', 'outbox_event', 'dead_letter', 'consumer_backlog'] LOOP
            EXECUTE format('DROP POLICY IF EXISTS %I ON %I', stage || '_own', runtime_table);
        END LOOP;
        EXECUTE format('DROP POLICY IF EXISTS %I ON consumer_backlog', stage || '_reads');
        EXECUTE format('CREATE POLICY %I ON inbox_event TO %I USING (consumer LIKE %L)', stage || '_own', granted_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON outbox_event TO %I USING (stage LIKE %L OR stage = %L)',
                       stage || '_own', granted_role, '%' || stage, '');
        EXECUTE format('CREATE POLICY %I ON dead_letter TO %I USING (service LIKE %L)', stage || '_own', granted_role, '%' || stage);
        EXECUTE format('CREATE POLICY %I ON consumer_backlog TO %I USING (consumer LIKE %L)', stage || '_own', granted_role, '%' || stage);
        -- Backlogs hold counts alone, and screening waits while intake's is large.
        EXECUTE format('CREATE POLICY %I ON consumer_backlog FOR SELECT TO %I USING (true)', stage || '_reads', granted_role);
    END LOOP;

    -- The CLI's users send on a stage's path what that stage would: the
    -- co-ordinators intake's merges and screening's decisions and rescreen
    -- commands (watching screening's dead letters for those set aside),
    -- finance the claims measured. Nobody but intake reads intake's dead letters.
    DROP POLICY IF EXISTS coordinator_sends ON outbox_event;
    DROP POLICY IF EXISTS coordinator_reads ON dead_letter;
    DROP POLICY IF EXISTS finance_sends ON outbox_event;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_coordinator') THEN
        CREATE POLICY coordinator_sends ON outbox_event FOR INSERT TO turnaround_coordinator
            WITH CHECK (stage LIKE '%intake' OR stage LIKE '%screening');
        CREATE POLICY coordinator_reads ON dead_letter FOR SELECT TO turnaround_coordinator USING (service LIKE '%screening');
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_finance') THEN
        CREATE POLICY finance_sends ON outbox_event FOR INSERT TO turnaround_finance WITH CHECK (stage LIKE '%claims');
    END IF;

    -- The claims' moves (claims migration 0002): everyone who may read them
    -- reads them all; the auditor moves claims out of awaiting audit, finance
    -- moves them on from there.
    claims_schema := current_setting('turnaround.claims_schema');
    EXECUTE format('DROP POLICY IF EXISTS finance_moves ON %I.claim_event', claims_schema);
    EXECUTE format('DROP POLICY IF EXISTS auditor_moves ON %I.claim_event', claims_schema);
    EXECUTE format('DROP POLICY IF EXISTS readers ON %I.claim_event', claims_schema);
    EXECUTE format('CREATE POLICY readers ON %I.claim_event FOR SELECT USING (true)', claims_schema);
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_finance') THEN
        EXECUTE format('CREATE POLICY finance_moves ON %I.claim_event FOR INSERT TO turnaround_finance WITH CHECK (from_status <> %L)',
                       claims_schema, 'awaiting-audit');
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnaround_auditor') THEN
        EXECUTE format('CREATE POLICY auditor_moves ON %I.claim_event FOR INSERT TO turnaround_auditor WITH CHECK (from_status = %L)',
                       claims_schema, 'awaiting-audit');
    END IF;

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

-- The claims' tables move from the base schema into claims' own: the stage's
-- (families, evidence, claims and the allocation it counts against) and the
-- ones finance alone changes (the claims' lifecycle, internal audit, the
-- allocation's history), which claims' role may not use. Indexes,
-- constraints, sequences and triggers move with the tables.
--
-- The trigger functions move too, each keeping this migration's search path
-- (this schema, then the base) for the tables it names, whoever's session
-- fires it.
DO $$
DECLARE
    moved text;
BEGIN
    FOREACH moved IN ARRAY ARRAY[
        'claims_family', 'claims_evidence', 'claims_merged_family', 'result_claim', 'claims_allocation', 'claims_allocation_change',
        'claims_allocation_family', 'claims_allocation_held', 'claim_transition', 'claim_return', 'claim_event',
        'audit_sample', 'audit_sample_claim', 'audit_verdict'
    ] LOOP
        EXECUTE format('ALTER TABLE %I SET SCHEMA %I', moved, current_schema());
    END LOOP;
    FOREACH moved IN ARRAY ARRAY[
        'claim_event_moves_claim', 'refuse_rewrite', 'result_claim_status_follows_events', 'claims_allocation_count', 'claims_allocation_family_kept'
    ] LOOP
        EXECUTE format('ALTER FUNCTION %I() SET SCHEMA %I', moved, current_schema());
        EXECUTE format('ALTER FUNCTION %I.%I() SET search_path FROM CURRENT', current_schema(), moved);
    END LOOP;
END
$$;

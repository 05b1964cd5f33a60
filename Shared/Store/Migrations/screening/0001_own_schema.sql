-- Screening's tables move from the base schema into screening's own, which
-- only screening's role (and the owner) may use. The rulesets stay in the
-- base: claims reads them too. Indexes, constraints and sequences move with
-- the tables.
DO $$
DECLARE
    moved text;
BEGIN
    FOREACH moved IN ARRAY ARRAY[
        'screening_family', 'screening_evidence', 'screening_pending', 'screening_merged_family', 'eligibility_decision', 'rescreen'
    ] LOOP
        EXECUTE format('ALTER TABLE %I SET SCHEMA %I', moved, current_schema());
    END LOOP;
END
$$;

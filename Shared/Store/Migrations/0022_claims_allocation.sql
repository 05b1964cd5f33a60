-- The authority's allocation: the most families it may claim results for in
-- a financial year of claiming (Supporting Families), as finance sets it
-- (`turnaround claims allocation set`), with every change kept.
CREATE TABLE claims_allocation (
    financial_year text        PRIMARY KEY,
    families       integer     NOT NULL CHECK (families >= 0),
    -- The families counted against the year: kept by the trigger below.
    claimed        integer     NOT NULL DEFAULT 0,
    set_by         text        NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT claims_allocation_not_exceeded CHECK (claimed <= families)
);

CREATE TABLE claims_allocation_change (
    financial_year text        NOT NULL,
    families       integer     NOT NULL,
    set_by         text        NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now()
);

-- Each family whose results were claimed in a year, counted once. Every row
-- counts in its year's `claimed`, in the inserting transaction, so the CHECK
-- above keeps the allocation whatever the claims replicas racing do: the
-- second of two inserts into one year waits for the first to commit and is
-- refused if it would pass the allocation.
CREATE TABLE claims_allocation_family (
    financial_year text        NOT NULL REFERENCES claims_allocation,
    family_id      uuid        NOT NULL,
    counted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (financial_year, family_id)
);

CREATE FUNCTION claims_allocation_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE claims_allocation SET claimed = claimed + 1 WHERE financial_year = NEW.financial_year;
    RETURN NEW;
END
$$;

CREATE TRIGGER claims_allocation_count AFTER INSERT ON claims_allocation_family
    FOR EACH ROW EXECUTE FUNCTION claims_allocation_count();

CREATE FUNCTION claims_allocation_family_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a family counted against an allocation stays counted' USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER claims_allocation_family_kept BEFORE UPDATE OR DELETE ON claims_allocation_family
    FOR EACH ROW EXECUTE FUNCTION claims_allocation_family_kept();

-- Families whose results were due in a year with no allocation left (or
-- none set): finance's list of the families waiting, by year.
CREATE TABLE claims_allocation_held (
    financial_year text NOT NULL,
    family_id      uuid NOT NULL,
    first_held_on  date NOT NULL,
    last_held_on   date NOT NULL,
    PRIMARY KEY (financial_year, family_id)
);

-- The day the authority's work with a family ended (`turnaround close`) and
-- who recorded it: Supporting Families measures results six months after.
-- NULL while the case is open.
ALTER TABLE claims_family ADD COLUMN closed_on date, ADD COLUMN closed_by text;

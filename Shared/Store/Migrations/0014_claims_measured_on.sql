-- The day the claims stage last measured each family, so results that time
-- earns (weeks in work, terms of attendance, months without offending) are
-- claimed even when no further event about the family arrives: the sweep
-- measures every attached family not measured as of its day.
ALTER TABLE claims_family ADD COLUMN measured_on date;
CREATE INDEX claims_family_measured ON claims_family (measured_on NULLS FIRST, family_id)
    WHERE attached_on IS NOT NULL AND is_eligible;

-- How long a family has waited for its decision. A family decided once its
-- events stop for the settle window would never be decided while they keep
-- coming; its due time is capped at this time plus the longest wait.
ALTER TABLE screening_pending ADD COLUMN waiting_since timestamptz NOT NULL DEFAULT now();

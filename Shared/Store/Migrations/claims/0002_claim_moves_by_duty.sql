-- Who may move a claim is kept by row-level security on its moves: internal
-- audit moves claims out of awaiting audit, finance moves them on from there
-- (the policies are Grants.sql's, with the roles). The owner, who migrates
-- and repairs, is not bound by them.
ALTER TABLE claim_event ENABLE ROW LEVEL SECURITY;

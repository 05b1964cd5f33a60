-- A role per stage (turnaround_intake, turnaround_screening,
-- turnaround_claims), granted in Grants.sql at every `turnaround migrate`.
-- The runtime's tables are shared by the stages, and each stage's role sees
-- only its own rows of them (Grants.sql's policies): rows no policy names are
-- hidden from every role but the owner.
ALTER TABLE inbox_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE dead_letter ENABLE ROW LEVEL SECURITY;
ALTER TABLE consumer_backlog ENABLE ROW LEVEL SECURITY;

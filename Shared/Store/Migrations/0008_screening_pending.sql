-- The families screening has heard about since it last decided them. A
-- family is decided once its events have stopped coming for a moment (its
-- settle window), not once for every batch that touches it: an acceptance
-- and its evidence arrive over many batches, and each decision recorded is
-- sent on to claims. A batch sets its families' due time anew; screening's
-- decider takes the families that are due, decides, records and sends in one
-- transaction, and deletes their rows.
CREATE TABLE screening_pending (
    family_id uuid PRIMARY KEY,
    due_at timestamptz NOT NULL
);

CREATE INDEX screening_pending_due ON screening_pending (due_at);

-- +goose Up
-- What finance did about a ledger entry that reconciliation could not match at Stripe
-- (docs/billing.md, "Reconciliation"): corrected (the ledger or Stripe was put right),
-- explained (timing, a fee, a test payment: nothing to correct) or written off, with a note.
-- One resolution per entry: the daily check reports an open mismatch every day until it is
-- resolved, and shows the resolution beside it afterwards. Append-only, like the ledger.
CREATE TABLE ledger_resolutions (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  ledger_id          uuid NOT NULL,
  reconciliation_id  uuid NOT NULL,
  outcome            text NOT NULL CHECK (outcome IN ('corrected', 'explained', 'written_off')),
  note               text NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
  resolved_by        text NOT NULL,
  resolved_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, ledger_id),
  FOREIGN KEY (tenant_id, ledger_id) REFERENCES ledger_entries (tenant_id, id),
  FOREIGN KEY (tenant_id, reconciliation_id) REFERENCES reconciliations (tenant_id, id)
);
COMMENT ON TABLE ledger_resolutions IS 'Finance''s resolution of a ledger entry that reconciliation with Stripe did not match: outcome, note, who and when.';

-- The policy calls app.tenant_id() directly: Citus refuses subqueries in the policies of
-- distributed tables (deploy/citus.sql).
ALTER TABLE ledger_resolutions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_resolutions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_resolutions
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT ON ledger_resolutions TO aftersales_app;

-- +goose Down
DROP TABLE ledger_resolutions;

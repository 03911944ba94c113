-- +goose Up
-- Service history brought from another system: a brand moving onto the product imports its
-- units' past repairs (fault, result, dates in and out), exchanges and refunds, and the
-- warranty decisions count them as they count the product's own orders.

CREATE TABLE service_history (
  tenant_id        uuid NOT NULL,
  id               uuid NOT NULL,
  registration_id  uuid NOT NULL,
  reference        text NOT NULL CHECK (length(reference) BETWEEN 1 AND 64),
  fault_code       text NOT NULL DEFAULT '',
  result           text NOT NULL CHECK (result IN ('fixed', 'not_fixed', 'exchange', 'refund')),
  date_in          date,
  date_out         date NOT NULL,
  import_id        uuid,
  created_by       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, registration_id, reference),
  FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id) ON DELETE CASCADE,
  CHECK (date_in IS NULL OR date_in <= date_out),
  CHECK (date_in IS NOT NULL OR result IN ('exchange', 'refund'))
);
COMMENT ON TABLE service_history IS 'Past service of a unit brought from another system (a repair with its fault, result and dates in and out, an exchange or a refund); keyed by the other system''s reference, so bringing it twice stores it once.';
COMMENT ON COLUMN service_history.date_in IS 'The day the unit was handed over; required for repairs.';
COMMENT ON COLUMN service_history.date_out IS 'The day the unit was returned, exchanged or refunded.';

ALTER TABLE service_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_history
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON service_history TO aftersales_app;

ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('registrations', 'service_history'));

-- +goose Down
DELETE FROM imports WHERE kind = 'service_history';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('registrations'));
DROP TABLE service_history;

-- +goose Up
-- Dashboards read daily figures that a job rolls up from the tenant's orders, clocks and
-- ledger, so a report reads a few thousand rows whatever the tenant's size. A figure belongs
-- to an outlet (outlet_key; the nil uuid for work of no outlet and for money): an outlet's
-- people see their outlet's figures, the brand sees them all.
CREATE TABLE report_days (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  metric      text NOT NULL,
  day         date NOT NULL,
  outlet_key  uuid NOT NULL,
  dim         text NOT NULL DEFAULT '',
  key         text NOT NULL DEFAULT '',
  value       bigint NOT NULL,
  PRIMARY KEY (tenant_id, metric, day, outlet_key, dim, key)
);
COMMENT ON TABLE report_days IS 'Daily figures per metric, outlet and breakdown (dim, key), rolled up from the tenant''s own rows by the reports job.';
ALTER TABLE report_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_days
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_key = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND app.every_outlet());

-- Where each tenant's roll-up stands: days before rolled_through are final, so a run rolls up
-- the days since (at least yesterday and today) and the first run the whole history.
CREATE TABLE report_rollups (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  rolled_through  date NOT NULL,
  rolled_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE report_rollups IS 'The last day the reports job rolled up for the tenant, and when.';
ALTER TABLE report_rollups ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_rollups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_rollups
  USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());

GRANT SELECT, INSERT, UPDATE, DELETE ON report_days, report_rollups TO aftersales_app;

-- The roll-up reads a day's closed and completed orders by those times.
CREATE INDEX service_orders_closed_idx ON service_orders (tenant_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX service_orders_completed_idx ON service_orders (tenant_id, completed_at) WHERE completed_at IS NOT NULL;

-- +goose Down
DROP INDEX service_orders_completed_idx;
DROP INDEX service_orders_closed_idx;
DROP TABLE report_rollups;
DROP TABLE report_days;

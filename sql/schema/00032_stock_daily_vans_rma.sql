-- +goose Up
-- Parts and stock, third part: the daily replenishment suggestions, written once per tenant
-- and day by a periodic job (stock_suggestion_runs marks the day done; its lines carry their
-- warehouse's outlet, so outlet staff read their outlet's lines only).

CREATE TABLE stock_suggestion_runs (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  day         date NOT NULL,
  lines       integer NOT NULL DEFAULT 0 CHECK (lines >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, day)
);
COMMENT ON TABLE stock_suggestion_runs IS 'One row per tenant and day the replenishment suggestions were written: a second run of the day writes nothing.';

CREATE TABLE stock_suggestion_lines (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  day           date NOT NULL,
  warehouse_id  uuid NOT NULL,
  part_id       uuid NOT NULL,
  outlet_id     uuid,
  min_qty       integer NOT NULL CHECK (min_qty >= 0),
  reorder_qty   integer NOT NULL CHECK (reorder_qty >= 0),
  on_hand       integer NOT NULL,
  reserved      integer NOT NULL,
  in_transit    integer NOT NULL,
  incoming      integer NOT NULL,
  suggested     integer NOT NULL CHECK (suggested > 0),
  PRIMARY KEY (tenant_id, day, warehouse_id, part_id),
  FOREIGN KEY (tenant_id, day) REFERENCES stock_suggestion_runs (tenant_id, day),
  FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
  FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id)
);
COMMENT ON TABLE stock_suggestion_lines IS 'The day''s replenishment suggestions: safety stock lines short of their minimum, with what each warehouse had and expected.';

ALTER TABLE stock_suggestion_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE stock_suggestion_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stock_suggestion_runs USING (tenant_id = app.tenant_id()) WITH CHECK (tenant_id = app.tenant_id());
ALTER TABLE stock_suggestion_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE stock_suggestion_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stock_suggestion_lines
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
GRANT SELECT, INSERT ON stock_suggestion_runs, stock_suggestion_lines TO aftersales_app;

-- +goose Down
DROP TABLE stock_suggestion_lines, stock_suggestion_runs;

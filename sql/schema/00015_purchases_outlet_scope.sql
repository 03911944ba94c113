-- +goose Up
-- Purchases belong to an outlet: a counter sale to the outlet that sold it, an upgrade of a
-- service order to the order's outlet. Staff confined to an outlet read and write only their
-- outlet's purchases. An active plan is the unit's entitlement, honoured at every outlet: outlet
-- staff may read it (entitlement checks count it), never change it.
UPDATE purchases p SET outlet_id = o.outlet_id
FROM service_orders o
WHERE o.tenant_id = p.tenant_id AND o.id = p.order_id AND p.outlet_id IS NULL AND o.outlet_id IS NOT NULL;

ALTER POLICY tenant_isolation ON purchases
  USING (tenant_id = app.tenant_id()
         AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id())
         AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.outlet_id() IS NULL OR outlet_id = app.outlet_id())
         AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));
CREATE POLICY outlet_reads_active_plans ON purchases FOR SELECT
  USING (tenant_id = app.tenant_id() AND app.outlet_id() IS NOT NULL AND app.consumer_id() IS NULL
         AND kind = 'plan' AND status = 'active');

-- +goose Down
DROP POLICY outlet_reads_active_plans ON purchases;
ALTER POLICY tenant_isolation ON purchases
  USING (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.consumer_id() IS NULL OR customer_id = app.customer_id()));

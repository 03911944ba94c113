-- +goose Up
-- A consumer rates their completed order in the portal: the order's one survey answer
-- (channel portal), which also answers the order's callback when it has one. Consumers now
-- reach survey answers and callbacks, so both are confined to the consumer's own rows, as
-- the other tables a consumer reaches are.
ALTER POLICY tenant_isolation ON survey_responses
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));
ALTER POLICY tenant_isolation ON callback_tasks
  USING (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()))
  WITH CHECK (tenant_id = app.tenant_id()
         AND (app.every_outlet() OR outlet_id = app.outlet_id())
         AND (app.every_consumer() OR customer_id = app.customer_id()));

-- +goose Down
ALTER POLICY tenant_isolation ON callback_tasks
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));
ALTER POLICY tenant_isolation ON survey_responses
  USING (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()))
  WITH CHECK (tenant_id = app.tenant_id() AND (app.every_outlet() OR outlet_id = app.outlet_id()));

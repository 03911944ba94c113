-- +goose Up
-- SLA clocks and express purchases name the service order they belong to; the order must
-- exist in the same tenant (clocks go with their order).

ALTER TABLE sla_clocks
  ADD FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE purchases
  ADD FOREIGN KEY (tenant_id, order_id) REFERENCES service_orders (tenant_id, id);

-- +goose Down
ALTER TABLE purchases DROP CONSTRAINT purchases_tenant_id_order_id_fkey;
ALTER TABLE sla_clocks DROP CONSTRAINT sla_clocks_tenant_id_order_id_fkey;

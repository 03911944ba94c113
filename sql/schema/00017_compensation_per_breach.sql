-- +goose Up
-- Every paid promise that covers a breached order pays once per breach (the order's clock for
-- one target), whatever product carries it: a plan pays for each covered order's breach.
ALTER TABLE compensations DROP CONSTRAINT compensations_tenant_id_purchase_id_key;
ALTER TABLE compensations ADD CONSTRAINT compensations_breach_key UNIQUE (tenant_id, purchase_id, breach_key);
CREATE INDEX compensations_order_idx ON compensations (tenant_id, order_id);

-- +goose Down
DROP INDEX compensations_order_idx;
ALTER TABLE compensations DROP CONSTRAINT compensations_breach_key;
ALTER TABLE compensations ADD CONSTRAINT compensations_tenant_id_purchase_id_key UNIQUE (tenant_id, purchase_id);

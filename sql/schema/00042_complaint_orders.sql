-- +goose Up
-- The complaints of given orders (callback sampling calls back every order with a
-- complaint: OrdersWithComplaints looks up a day's orders at once).
CREATE INDEX complaints_order_idx ON complaints (tenant_id, order_id) WHERE order_id IS NOT NULL;

-- +goose Down
DROP INDEX complaints_order_idx;

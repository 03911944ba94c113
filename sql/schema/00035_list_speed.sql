-- +goose Up
-- The dispatch queue ranks open orders by priority, then newest; this index serves that
-- order, so the queue reads one page of open orders instead of sorting all of them.
CREATE INDEX service_orders_queue_idx ON service_orders (tenant_id, priority DESC, id DESC)
  WHERE status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up');

-- A period of intake is listed newest first by created_at (ListOrdersByCreated): these
-- indexes hold that order to the row, so a page deep in the year reads only its rows.
CREATE INDEX service_orders_created_id_idx ON service_orders (tenant_id, created_at, id);
DROP INDEX service_orders_created_idx;
CREATE INDEX service_orders_open_created_idx ON service_orders (tenant_id, created_at, id)
  WHERE status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up');

-- +goose Down
DROP INDEX service_orders_open_created_idx;
CREATE INDEX service_orders_created_idx ON service_orders (tenant_id, created_at);
DROP INDEX service_orders_created_id_idx;
DROP INDEX service_orders_queue_idx;

-- +goose Up
-- The dispatch queue ranks open orders by priority, then newest; this index serves that
-- order, so the queue reads one page of open orders instead of sorting all of them.
CREATE INDEX service_orders_queue_idx ON service_orders (tenant_id, priority DESC, id DESC)
  WHERE status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up');

-- +goose Down
DROP INDEX service_orders_queue_idx;

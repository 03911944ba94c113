-- name: InsertPartOrder :one
INSERT INTO part_orders (tenant_id, id, number, outlet_id, warehouse_id, customer_id, status, currency, total, note, created_by)
VALUES (@tenant_id, @id, @number, @outlet_id, @warehouse_id, @customer_id, @status, @currency, @total, @note, @created_by)
RETURNING *;

-- name: InsertPartOrderLine :one
INSERT INTO part_order_lines (tenant_id, id, part_order_id, line_no, outlet_id, part_id, qty, unit_price)
VALUES (@tenant_id, @id, @part_order_id, @line_no, @outlet_id, @part_id, @qty, @unit_price)
RETURNING *;

-- name: SetPartOrderLineReservation :one
UPDATE part_order_lines SET reservation_id = @reservation_id, arrived_at = sqlc.narg(arrived_at)
WHERE tenant_id = @tenant_id AND id = @id RETURNING *;

-- name: MarkPartOrderLineArrived :one
UPDATE part_order_lines SET arrived_at = @arrived_at WHERE tenant_id = @tenant_id AND id = @id RETURNING *;

-- name: SetPartOrderLineSerials :one
UPDATE part_order_lines SET serials = @serials::text[] WHERE tenant_id = @tenant_id AND id = @id RETURNING *;

-- name: WithdrawPartRequest :one
-- Withdraws a request not yet reviewed (its need went away), saying why; a reviewed one stays.
UPDATE part_requests SET status = 'cancelled', cancel_reason = @cancel_reason, version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending' RETURNING *;

-- name: GetPartOrderLine :one
SELECT * FROM part_order_lines WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPartOrder :one
SELECT * FROM part_orders WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPartOrderForUpdate :one
SELECT * FROM part_orders WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListPartOrderLines :many
SELECT l.*, coalesce(r.status, '')::text AS reservation_status, r.request_id, p.part_no, p.name_zh, p.name_en, p.serial_tracked
FROM part_order_lines l
JOIN parts p ON p.tenant_id = l.tenant_id AND p.id = l.part_id
LEFT JOIN stock_reservations r ON r.tenant_id = l.tenant_id AND r.id = l.reservation_id
WHERE l.tenant_id = @tenant_id AND l.part_order_id = @part_order_id
ORDER BY l.line_no;

-- name: CountWaitingOfPartOrder :one
SELECT count(*) FROM part_order_lines l
JOIN stock_reservations r ON r.tenant_id = l.tenant_id AND r.id = l.reservation_id
WHERE l.tenant_id = @tenant_id AND l.part_order_id = @part_order_id AND r.status = 'waiting';

-- name: SetPartOrderStatus :one
-- A change the caller checked against the version it read (0: any).
UPDATE part_orders SET status = @status, version = version + 1, updated_at = now(),
  arrived_at = coalesce(sqlc.narg(arrived_at), arrived_at),
  picked_up_at = coalesce(sqlc.narg(picked_up_at), picked_up_at),
  picked_up_by = coalesce(sqlc.narg(picked_up_by), picked_up_by),
  cancelled_at = coalesce(sqlc.narg(cancelled_at), cancelled_at),
  cancel_reason = coalesce(sqlc.narg(cancel_reason), cancel_reason)
WHERE tenant_id = @tenant_id AND id = @id AND (sqlc.arg(version)::integer = 0 OR version = sqlc.arg(version)::integer)
RETURNING *;

-- name: ListPartOrders :many
SELECT * FROM part_orders
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
ORDER BY id DESC
LIMIT sqlc.arg(lim);

-- name: CreatePartOrderBill :one
INSERT INTO bills (tenant_id, id, part_order_id, outlet_id, customer_id, number, currency, lines, subtotal, total)
VALUES (@tenant_id, @id, @part_order_id, @outlet_id, @customer_id, @number, @currency, @lines, @subtotal, @subtotal)
ON CONFLICT (tenant_id, part_order_id) DO NOTHING
RETURNING *;

-- name: GetBillOfPartOrder :one
SELECT * FROM bills WHERE tenant_id = @tenant_id AND part_order_id = @part_order_id;

-- name: VoidPartOrderBill :exec
-- A part order's bill that took no money is void when the order is cancelled.
UPDATE bills SET status = 'void', version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND part_order_id = @part_order_id AND paid = 0;

-- name: InsertPartOrderReservation :one
INSERT INTO stock_reservations (tenant_id, id, part_order_line_id, warehouse_id, part_id, outlet_id, qty, status, created_by)
VALUES (@tenant_id, @id, @part_order_line_id, @warehouse_id, @part_id, @outlet_id, @qty, @status, @created_by)
RETURNING *;

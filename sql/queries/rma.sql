-- name: ReturnsWarehouseOf :one
-- The returned-goods warehouse of an outlet (NULL: the centre's) where faulty parts wait to go
-- back to the maker: its first active one by code, never a van.
SELECT * FROM warehouses
WHERE tenant_id = @tenant_id AND kind = 'returned_goods' AND active AND engineer_id IS NULL
  AND outlet_id IS NOT DISTINCT FROM sqlc.narg(outlet_id)::uuid
ORDER BY code LIMIT 1;

-- name: InsertRMALine :one
INSERT INTO rma_lines (tenant_id, id, order_id, order_part_id, part_id, outlet_id, warehouse_id, serial, qty)
VALUES (@tenant_id, @id, @order_id, @order_part_id, @part_id, @outlet_id, @warehouse_id, @serial, @qty)
RETURNING *;

-- name: GetRMALine :one
SELECT * FROM rma_lines WHERE tenant_id = @tenant_id AND id = @id;

-- name: RMALineOfOrderPart :one
SELECT * FROM rma_lines WHERE tenant_id = @tenant_id AND order_part_id = @order_part_id FOR UPDATE;

-- name: LockRMALines :many
-- The owed lines a shipment takes, locked in id order (two shipments of one line queue).
SELECT * FROM rma_lines WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]) ORDER BY id FOR UPDATE;

-- name: ShipRMALine :one
UPDATE rma_lines
SET qty_shipped = qty_shipped + @qty,
    status = CASE WHEN qty_shipped + @qty >= qty THEN 'shipped' ELSE 'partly_shipped' END,
    updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND status IN ('owed', 'partly_shipped') AND qty_shipped + @qty <= qty
RETURNING *;

-- name: CancelRMALine :one
UPDATE rma_lines SET status = 'cancelled', updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND status = 'owed'
RETURNING *;

-- name: ListRMALines :many
SELECT * FROM rma_lines
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(order_id)::uuid IS NULL OR order_id = sqlc.narg(order_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: InsertRMAShipment :one
INSERT INTO rma_shipments (tenant_id, id, idempotency_key, outlet_id, carrier, tracking_no, note, sent_by, sent_at)
VALUES (@tenant_id, @id, @idempotency_key, @outlet_id, @carrier, @tracking_no, @note, @sent_by, @sent_at)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: GetRMAShipment :one
SELECT * FROM rma_shipments WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockRMAShipment :one
SELECT * FROM rma_shipments WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: RMAShipmentByKey :one
SELECT * FROM rma_shipments WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: RMAShipmentByTracking :one
SELECT * FROM rma_shipments WHERE tenant_id = @tenant_id AND carrier = @carrier AND tracking_no = @tracking_no FOR UPDATE;

-- name: ListRMAShipments :many
SELECT * FROM rma_shipments
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
ORDER BY id DESC
LIMIT @lim;

-- name: SetRMAShipmentStatus :one
UPDATE rma_shipments
SET status = @status, delivered_at = COALESCE(delivered_at, sqlc.narg(delivered_at)::timestamptz),
    inspected_at = COALESCE(inspected_at, sqlc.narg(inspected_at)::timestamptz), version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: InsertRMAShipmentLine :one
INSERT INTO rma_shipment_lines (tenant_id, shipment_id, line_no, rma_line_id, order_id, part_id, outlet_id, serial, qty)
VALUES (@tenant_id, @shipment_id, @line_no, @rma_line_id, @order_id, @part_id, @outlet_id, @serial, @qty)
RETURNING *;

-- name: ListRMAShipmentLines :many
SELECT * FROM rma_shipment_lines WHERE tenant_id = @tenant_id AND shipment_id = @shipment_id ORDER BY line_no;

-- name: InspectRMAShipmentLine :one
UPDATE rma_shipment_lines
SET result = @result, result_note = @result_note, inspected_by = @inspected_by, inspected_at = @inspected_at
WHERE tenant_id = @tenant_id AND shipment_id = @shipment_id AND line_no = @line_no AND result = ''
RETURNING *;

-- name: InsertRMATrackingEvent :one
INSERT INTO rma_tracking_events (tenant_id, shipment_id, event_id, outlet_id, status, detail, occurred_at)
VALUES (@tenant_id, @shipment_id, @event_id, @outlet_id, @status, @detail, @occurred_at)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: ListRMATrackingEvents :many
SELECT * FROM rma_tracking_events WHERE tenant_id = @tenant_id AND shipment_id = @shipment_id ORDER BY occurred_at, event_id;

-- name: RMAFindings :many
-- Inspected return lines found not faulty (no fault found, or the wrong part sent) since a
-- time, with their part's number: the claims' signals read them beside the claims.
SELECT l.shipment_id, l.line_no, l.order_id, l.part_id, p.part_no, l.serial, l.qty, l.result, l.result_note, l.inspected_at
FROM rma_shipment_lines l
JOIN parts p ON p.tenant_id = @tenant_id AND p.id = l.part_id
WHERE l.tenant_id = @tenant_id AND l.result IN ('no_fault_found', 'wrong_part') AND l.inspected_at >= @since
ORDER BY l.inspected_at, l.shipment_id, l.line_no;

-- name: RMAResultsOfOrder :many
-- What the receiving side's inspection found of an order's returned faulty parts, by part
-- number and result: a claim's part lines show it.
SELECT p.part_no, l.result, sum(l.qty)::integer AS qty
FROM rma_shipment_lines l
JOIN parts p ON p.tenant_id = @tenant_id AND p.id = l.part_id
WHERE l.tenant_id = @tenant_id AND l.order_id = @order_id AND l.result <> ''
GROUP BY p.part_no, l.result
ORDER BY p.part_no, l.result;

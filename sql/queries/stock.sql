-- name: CreateWarehouse :one
INSERT INTO warehouses (tenant_id, id, code, name, kind, owner, outlet_id, engineer_id, active)
VALUES (@tenant_id, @id, @code, @name, @kind, @owner, @outlet_id, @engineer_id, @active)
RETURNING *;

-- name: GetWarehouse :one
SELECT * FROM warehouses WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListWarehouses :many
SELECT * FROM warehouses
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(kind)::text IS NULL OR kind = sqlc.narg(kind)::text)
ORDER BY id LIMIT @lim;

-- name: UpdateWarehouse :one
UPDATE warehouses
SET code = @code, name = @name, kind = @kind, owner = @owner, engineer_id = @engineer_id, active = @active,
    version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version RETURNING *;

-- name: GetStockSettings :one
SELECT * FROM stock_settings WHERE tenant_id = @tenant_id;

-- name: PutStockSettings :one
INSERT INTO stock_settings (tenant_id, lock_date, updated_at) VALUES (@tenant_id, @lock_date, @updated_at)
ON CONFLICT (tenant_id) DO UPDATE SET lock_date = EXCLUDED.lock_date, version = stock_settings.version + 1,
  updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: InsertMovement :one
-- A journal row; nothing when the key was used before (the caller then reads that movement).
INSERT INTO stock_movements (tenant_id, id, idempotency_key, warehouse_id, part_id, outlet_id, type, issue_kind, qty, unit_cost,
                             serial, order_id, order_part_id, transfer_id, reservation_id, reason, approved_by, posted_on, created_by,
                             part_order_id, return_reason)
VALUES (@tenant_id, @id, @idempotency_key, @warehouse_id, @part_id, @outlet_id, @type, @issue_kind, @qty, @unit_cost,
        @serial, @order_id, @order_part_id, @transfer_id, @reservation_id, @reason, @approved_by, @posted_on, @created_by,
        sqlc.narg(part_order_id)::uuid, @return_reason)
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING *;

-- name: GetMovementByKey :one
SELECT * FROM stock_movements WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: GetMovement :one
SELECT * FROM stock_movements WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListMovements :many
SELECT * FROM stock_movements
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND (sqlc.narg(part_id)::uuid IS NULL OR part_id = sqlc.narg(part_id)::uuid)
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type)::text)
  AND (sqlc.narg(order_id)::uuid IS NULL OR order_id = sqlc.narg(order_id)::uuid)
ORDER BY id DESC LIMIT @lim;

-- name: SerialHistory :many
SELECT * FROM stock_movements
WHERE tenant_id = @tenant_id AND part_id = @part_id AND serial = @serial
ORDER BY id;

-- name: AddOnHand :one
-- Stock in: creates the balance row on the first receipt.
INSERT INTO stock_balances (tenant_id, warehouse_id, part_id, outlet_id, on_hand, updated_at)
VALUES (@tenant_id, @warehouse_id, @part_id, @outlet_id, @qty, @updated_at)
ON CONFLICT (tenant_id, warehouse_id, part_id) DO UPDATE
SET on_hand = stock_balances.on_hand + EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: TakeOnHand :one
-- Stock out: qty from what is available (on hand less reserved), plus consume of the
-- reserved quantity (an issue against a reservation). No row: not enough. The row lock makes
-- concurrent takes queue, and each re-checks the condition on the row its predecessor left.
UPDATE stock_balances
SET on_hand = on_hand - sqlc.arg(qty)::integer - sqlc.arg(consume)::integer, reserved = reserved - sqlc.arg(consume)::integer,
    updated_at = @updated_at
WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id
  AND on_hand - reserved >= sqlc.arg(qty)::integer AND reserved >= sqlc.arg(consume)::integer
RETURNING *;

-- name: GetBalance :one
SELECT * FROM stock_balances WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id;

-- name: ListBalances :many
-- Stock on hand with its value: only the tenant's own stock (owner 'own') is valued.
SELECT b.warehouse_id, b.part_id, b.outlet_id, b.on_hand, b.reserved, b.updated_at,
       p.part_no, p.name_zh, p.name_en, p.unit_cost, p.currency, w.code AS warehouse_code, w.name AS warehouse_name, w.owner,
       CASE WHEN w.owner = 'own' THEN b.on_hand::bigint * p.unit_cost ELSE 0 END::bigint AS value
FROM stock_balances b
JOIN parts p ON p.tenant_id = b.tenant_id AND p.id = b.part_id AND p.tenant_id = @tenant_id
JOIN warehouses w ON w.tenant_id = b.tenant_id AND w.id = b.warehouse_id AND w.tenant_id = @tenant_id
WHERE b.tenant_id = @tenant_id
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR b.warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND (sqlc.narg(part_id)::uuid IS NULL OR b.part_id = sqlc.narg(part_id)::uuid)
  AND (NOT @nonzero::boolean OR b.on_hand > 0)
  AND (sqlc.narg(after_warehouse)::uuid IS NULL
       OR (b.warehouse_id, b.part_id) > (sqlc.narg(after_warehouse)::uuid, sqlc.narg(after_part)::uuid))
ORDER BY b.warehouse_id, b.part_id LIMIT @lim;

-- name: DriftedBalances :many
-- Balances that differ from the journal (on hand) and the open reservations (reserved),
-- including journal sums with no balance row.
WITH journal AS (
  SELECT m.warehouse_id, m.part_id, sum(m.qty)::integer AS on_hand
  FROM stock_movements m WHERE m.tenant_id = @tenant_id
  GROUP BY m.warehouse_id, m.part_id
), held AS (
  SELECT r.warehouse_id, r.part_id, sum(r.qty)::integer AS reserved
  FROM stock_reservations r WHERE r.tenant_id = @tenant_id AND r.status = 'open'
  GROUP BY r.warehouse_id, r.part_id
), expected AS (
  SELECT coalesce(j.warehouse_id, h.warehouse_id) AS warehouse_id, coalesce(j.part_id, h.part_id) AS part_id,
         coalesce(j.on_hand, 0) AS on_hand, coalesce(h.reserved, 0) AS reserved
  FROM journal j FULL JOIN held h ON h.warehouse_id = j.warehouse_id AND h.part_id = j.part_id
)
SELECT coalesce(e.warehouse_id, b.warehouse_id)::uuid AS warehouse_id, coalesce(e.part_id, b.part_id)::uuid AS part_id,
       coalesce(b.on_hand, 0)::integer AS stored_on_hand, coalesce(b.reserved, 0)::integer AS stored_reserved,
       coalesce(e.on_hand, 0)::integer AS journal_on_hand, coalesce(e.reserved, 0)::integer AS open_reserved
FROM expected e
FULL JOIN (SELECT * FROM stock_balances sb WHERE sb.tenant_id = @tenant_id) b
  ON b.warehouse_id = e.warehouse_id AND b.part_id = e.part_id
WHERE coalesce(b.on_hand, 0) <> coalesce(e.on_hand, 0) OR coalesce(b.reserved, 0) <> coalesce(e.reserved, 0)
ORDER BY 1, 2;

-- name: SetBalance :exec
-- Repairs a drifted balance to what the journal and the open reservations say.
INSERT INTO stock_balances (tenant_id, warehouse_id, part_id, outlet_id, on_hand, reserved, updated_at)
VALUES (@tenant_id, @warehouse_id, @part_id, @outlet_id, @on_hand, @reserved, @updated_at)
ON CONFLICT (tenant_id, warehouse_id, part_id) DO UPDATE
SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, updated_at = EXCLUDED.updated_at;

-- name: GetSerial :one
SELECT * FROM part_serials WHERE tenant_id = @tenant_id AND part_id = @part_id AND serial = @serial;

-- name: GetSerialForUpdate :one
SELECT * FROM part_serials WHERE tenant_id = @tenant_id AND part_id = @part_id AND serial = @serial FOR UPDATE;

-- name: PlaceSerial :exec
-- Records where a serial is now; the caller has checked where it was.
INSERT INTO part_serials (tenant_id, part_id, serial, place, warehouse_id, outlet_id, order_id, transfer_id, updated_at)
VALUES (@tenant_id, @part_id, @serial, @place, @warehouse_id, @outlet_id, @order_id, @transfer_id, @updated_at)
ON CONFLICT (tenant_id, part_id, serial) DO UPDATE
SET place = EXCLUDED.place, warehouse_id = EXCLUDED.warehouse_id, outlet_id = EXCLUDED.outlet_id, order_id = EXCLUDED.order_id,
    transfer_id = EXCLUDED.transfer_id, updated_at = EXCLUDED.updated_at;

-- name: ListSerials :many
SELECT * FROM part_serials WHERE tenant_id = @tenant_id AND part_id = @part_id ORDER BY serial LIMIT @lim;

-- name: SerialsInStockAt :many
-- The units of a part on the shelf of one warehouse, by serial (part_serials_in_stock_idx).
SELECT serial FROM part_serials
WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id AND place = 'in_stock'
ORDER BY serial LIMIT @lim;

-- name: HoldStock :one
-- Reserves qty of what is available; no row: not enough available.
UPDATE stock_balances SET reserved = reserved + sqlc.arg(qty)::integer, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id
  AND on_hand - reserved >= sqlc.arg(qty)::integer
RETURNING *;

-- name: ReleaseStock :one
UPDATE stock_balances SET reserved = reserved - sqlc.arg(qty)::integer, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id AND reserved >= sqlc.arg(qty)::integer
RETURNING *;

-- name: InsertReservation :one
INSERT INTO stock_reservations (tenant_id, id, order_id, warehouse_id, part_id, outlet_id, qty, status, created_by)
VALUES (@tenant_id, @id, @order_id, @warehouse_id, @part_id, @outlet_id, @qty, @status, @created_by)
RETURNING *;

-- name: GetReservationForUpdate :one
SELECT * FROM stock_reservations WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetReservation :one
SELECT * FROM stock_reservations WHERE tenant_id = @tenant_id AND id = @id;

-- name: SetReservationStatus :one
UPDATE stock_reservations SET status = @status, request_id = coalesce(sqlc.narg(request_id)::uuid, request_id), updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id RETURNING *;

-- name: OpenReservationOf :one
-- The oldest open reservation of an order for a part at a warehouse, locked.
SELECT * FROM stock_reservations
WHERE tenant_id = @tenant_id AND order_id = sqlc.arg(order_id)::uuid AND warehouse_id = @warehouse_id AND part_id = @part_id AND status = 'open'
ORDER BY id LIMIT 1 FOR UPDATE;

-- name: WaitingReservations :many
-- Reservations waiting for a part at a warehouse, oldest first, locked.
SELECT * FROM stock_reservations
WHERE tenant_id = @tenant_id AND warehouse_id = @warehouse_id AND part_id = @part_id AND status = 'waiting'
ORDER BY id FOR UPDATE;

-- name: CountWaitingOfOrder :one
SELECT count(*) FROM stock_reservations WHERE tenant_id = @tenant_id AND order_id = sqlc.arg(order_id)::uuid AND status = 'waiting';

-- name: ListOrderReservations :many
SELECT * FROM stock_reservations WHERE tenant_id = @tenant_id AND order_id = sqlc.arg(order_id)::uuid ORDER BY id;

-- name: CreatePartRequest :one
INSERT INTO part_requests (tenant_id, id, warehouse_id, source_warehouse_id, outlet_id, part_id, qty, reason, order_id, reservation_id,
                           requested_by)
VALUES (@tenant_id, @id, @warehouse_id, @source_warehouse_id, @outlet_id, @part_id, @qty, @reason, @order_id, @reservation_id,
        @requested_by)
RETURNING *;

-- name: InsertOrderPart :one
INSERT INTO order_parts (tenant_id, id, order_id, warehouse_id, part_id, outlet_id, qty, issue_kind, reservation_id, old_serial, new_serial)
VALUES (@tenant_id, @id, @order_id, @warehouse_id, @part_id, @outlet_id, @qty, @issue_kind, @reservation_id, @old_serial, @new_serial)
RETURNING *;

-- name: GetOrderPartForUpdate :one
SELECT * FROM order_parts WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetOrderPart :one
SELECT * FROM order_parts WHERE tenant_id = @tenant_id AND id = @id;

-- name: ReturnOrderPart :one
UPDATE order_parts SET status = 'returned', returned_at = @returned_at WHERE tenant_id = @tenant_id AND id = @id AND status = 'issued'
RETURNING *;

-- name: ListOrderParts :many
SELECT * FROM order_parts WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY id;

-- name: InsertTransfer :one
INSERT INTO transfers (tenant_id, id, from_warehouse_id, to_warehouse_id, from_outlet_id, to_outlet_id, request_id, note, shipped_by,
                       shipped_at)
VALUES (@tenant_id, @id, @from_warehouse_id, @to_warehouse_id, @from_outlet_id, @to_outlet_id, @request_id, @note, @shipped_by,
        @shipped_at)
RETURNING *;

-- name: InsertTransferLine :exec
INSERT INTO transfer_lines (tenant_id, transfer_id, line_no, part_id, from_outlet_id, to_outlet_id, qty_shipped, serials)
VALUES (@tenant_id, @transfer_id, @line_no, @part_id, @from_outlet_id, @to_outlet_id, @qty_shipped, @serials);

-- name: GetTransfer :one
SELECT * FROM transfers WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetTransferForUpdate :one
SELECT * FROM transfers WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListTransferLines :many
SELECT * FROM transfer_lines WHERE tenant_id = @tenant_id AND transfer_id = @transfer_id ORDER BY line_no;

-- name: ReceiveTransferLine :exec
UPDATE transfer_lines SET qty_received = @qty_received, discrepancy_reason = @discrepancy_reason
WHERE tenant_id = @tenant_id AND transfer_id = @transfer_id AND line_no = @line_no AND qty_received IS NULL;

-- name: MarkTransferReceived :one
UPDATE transfers SET status = 'received', received_by = @received_by, received_at = @received_at, version = version + 1
WHERE tenant_id = @tenant_id AND id = @id AND status = 'in_transit' RETURNING *;

-- name: ListTransfers :many
-- Transfers newest first, those of one warehouse (sent or received) or of one status.
SELECT * FROM transfers
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR from_warehouse_id = sqlc.narg(warehouse_id)::uuid
       OR to_warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
ORDER BY id DESC LIMIT @lim;

-- name: ListLinesOfTransfers :many
SELECT * FROM transfer_lines
WHERE tenant_id = @tenant_id AND transfer_id = ANY(@transfer_ids::uuid[])
ORDER BY transfer_id, line_no;

-- name: GetPartRequest :one
SELECT * FROM part_requests WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPartRequestForUpdate :one
SELECT * FROM part_requests WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListPartRequests :many
SELECT * FROM part_requests
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND (sqlc.narg(source_warehouse_id)::uuid IS NULL OR source_warehouse_id = sqlc.narg(source_warehouse_id)::uuid)
ORDER BY id DESC LIMIT @lim;

-- name: ReviewPartRequest :one
UPDATE part_requests
SET status = @status, approved_qty = @approved_qty, review_note = @review_note, reviewed_by = @reviewed_by,
    version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending' RETURNING *;

-- name: MarkPartRequestShipped :one
UPDATE part_requests SET status = 'shipped', transfer_id = @transfer_id, version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND status = 'approved' RETURNING *;

-- name: PutSafetyStock :one
INSERT INTO safety_stock (tenant_id, warehouse_id, part_id, outlet_id, min_qty, reorder_qty, updated_at)
VALUES (@tenant_id, @warehouse_id, @part_id, @outlet_id, @min_qty, @reorder_qty, @updated_at)
ON CONFLICT (tenant_id, warehouse_id, part_id) DO UPDATE
SET min_qty = EXCLUDED.min_qty, reorder_qty = EXCLUDED.reorder_qty, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: ListSafetyStock :many
SELECT * FROM safety_stock
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND (sqlc.narg(after_warehouse)::uuid IS NULL
       OR (warehouse_id, part_id) > (sqlc.narg(after_warehouse)::uuid, sqlc.narg(after_part)::uuid))
ORDER BY warehouse_id, part_id LIMIT @lim;

-- name: ListSuggestions :many
-- Safety stock beside what each warehouse has and expects: on hand, reserved, in transit to
-- it (shipped, not received) and incoming (requests pending or approved, not shipped).
SELECT s.warehouse_id, s.part_id, s.outlet_id, s.min_qty, s.reorder_qty,
       COALESCE(b.on_hand, 0)::integer AS on_hand, COALESCE(b.reserved, 0)::integer AS reserved,
       COALESCE((SELECT sum(l.qty_shipped) FROM transfer_lines l
                 JOIN transfers t ON t.tenant_id = l.tenant_id AND t.id = l.transfer_id AND t.tenant_id = @tenant_id
                 WHERE l.tenant_id = @tenant_id AND t.to_warehouse_id = s.warehouse_id AND l.part_id = s.part_id
                   AND t.status = 'in_transit'), 0)::integer AS in_transit,
       COALESCE((SELECT sum(COALESCE(r.approved_qty, r.qty)) FROM part_requests r
                 WHERE r.tenant_id = @tenant_id AND r.warehouse_id = s.warehouse_id AND r.part_id = s.part_id
                   AND r.status IN ('pending', 'approved')), 0)::integer AS incoming
FROM safety_stock s
LEFT JOIN stock_balances b ON b.tenant_id = s.tenant_id AND b.warehouse_id = s.warehouse_id AND b.part_id = s.part_id
  AND b.tenant_id = @tenant_id
WHERE s.tenant_id = @tenant_id
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR s.warehouse_id = sqlc.narg(warehouse_id)::uuid)
ORDER BY s.warehouse_id, s.part_id LIMIT 1000;

-- name: StartSuggestionRun :one
-- Marks the tenant's day as written; no row: it was written already.
INSERT INTO stock_suggestion_runs (tenant_id, day, lines) VALUES (@tenant_id, @day, @lines)
ON CONFLICT (tenant_id, day) DO NOTHING
RETURNING *;

-- name: InsertSuggestionLine :exec
INSERT INTO stock_suggestion_lines (tenant_id, day, warehouse_id, part_id, outlet_id, min_qty, reorder_qty, on_hand, reserved,
                                    in_transit, incoming, suggested)
VALUES (@tenant_id, @day, @warehouse_id, @part_id, @outlet_id, @min_qty, @reorder_qty, @on_hand, @reserved, @in_transit, @incoming,
        @suggested);

-- name: GetSuggestionRun :one
SELECT * FROM stock_suggestion_runs WHERE tenant_id = @tenant_id AND day = @day;

-- name: ListSuggestionLines :many
SELECT * FROM stock_suggestion_lines
WHERE tenant_id = @tenant_id AND day = @day
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR warehouse_id = sqlc.narg(warehouse_id)::uuid)
ORDER BY warehouse_id, part_id LIMIT 1000;

-- name: GetVanOfEngineer :one
-- The van of an engineer (at most one: warehouses_van_idx).
SELECT * FROM warehouses WHERE tenant_id = @tenant_id AND engineer_id = @engineer_id;

-- name: EngineerOnOrder :one
-- Whether a user works an order (offered or accepted, not declined or removed).
SELECT count(*) FROM order_engineers
WHERE tenant_id = @tenant_id AND order_id = @order_id AND user_id = @user_id AND state IN ('offered', 'accepted');

-- name: ReportOnHandByWarehouse :many
-- Stock on hand per warehouse with its value: only own stock (owner 'own') is valued. Read
-- from the balances, so that row-level security confines outlet staff to their outlet's.
SELECT b.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name, w.kind, w.owner, b.outlet_id, p.currency,
       count(*) FILTER (WHERE b.on_hand > 0)::integer AS parts,
       sum(b.on_hand)::bigint AS on_hand, sum(b.reserved)::bigint AS reserved,
       sum(CASE WHEN w.owner = 'own' THEN b.on_hand::bigint * p.unit_cost ELSE 0 END)::bigint AS value
FROM stock_balances b
JOIN parts p ON p.tenant_id = b.tenant_id AND p.id = b.part_id AND p.tenant_id = @tenant_id
JOIN warehouses w ON w.tenant_id = b.tenant_id AND w.id = b.warehouse_id AND w.tenant_id = @tenant_id
WHERE b.tenant_id = @tenant_id
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR b.warehouse_id = sqlc.narg(warehouse_id)::uuid)
GROUP BY b.warehouse_id, w.code, w.name, w.kind, w.owner, b.outlet_id, p.currency
ORDER BY w.code, b.warehouse_id, p.currency
LIMIT 5000;

-- name: ReportMovementsByType :many
-- The journal's movements posted in [from, to] per type and who paid (issues), with their
-- count, signed quantity and signed value at the unit cost when posted.
SELECT m.type, m.issue_kind, count(*)::bigint AS movements, sum(m.qty)::bigint AS qty,
       sum(m.qty::bigint * m.unit_cost)::bigint AS value
FROM stock_movements m
WHERE m.tenant_id = @tenant_id AND m.posted_on BETWEEN @from_day::date AND @to_day::date
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR m.warehouse_id = sqlc.narg(warehouse_id)::uuid)
GROUP BY m.type, m.issue_kind
ORDER BY m.type, m.issue_kind;

-- name: ReportSlowMovers :many
-- Parts on hand that no issue took from their warehouse since the cut-off day (or ever),
-- the oldest last issue first, with the value of own stock.
SELECT b.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name, b.outlet_id, b.part_id, p.part_no, p.name_zh,
       p.name_en, b.on_hand, p.unit_cost, p.currency,
       CASE WHEN w.owner = 'own' THEN b.on_hand::bigint * p.unit_cost ELSE 0 END::bigint AS value,
       coalesce(to_char(li.last_issue, 'YYYY-MM-DD'), '')::text AS last_issue
FROM stock_balances b
JOIN parts p ON p.tenant_id = b.tenant_id AND p.id = b.part_id AND p.tenant_id = @tenant_id
JOIN warehouses w ON w.tenant_id = b.tenant_id AND w.id = b.warehouse_id AND w.tenant_id = @tenant_id
LEFT JOIN LATERAL (SELECT max(m.posted_on)::date AS last_issue FROM stock_movements m
                   WHERE m.tenant_id = @tenant_id AND m.warehouse_id = b.warehouse_id AND m.part_id = b.part_id
                     AND m.type = 'issue') li ON true
WHERE b.tenant_id = @tenant_id AND b.on_hand > 0
  AND (sqlc.narg(warehouse_id)::uuid IS NULL OR b.warehouse_id = sqlc.narg(warehouse_id)::uuid)
  AND NOT EXISTS (SELECT 1 FROM stock_movements i
                  WHERE i.tenant_id = @tenant_id AND i.warehouse_id = b.warehouse_id AND i.part_id = b.part_id
                    AND i.type = 'issue' AND i.posted_on > @cutoff::date)
ORDER BY li.last_issue NULLS FIRST, value DESC, b.warehouse_id, b.part_id
LIMIT 5000;

-- name: ReportPartsUsed :many
-- Parts issued to orders (not taken back) in [since, until) per the order's fault code and
-- model: the quantity and the number of orders.
SELECT o.fault_code, o.model_id, coalesce(pm.name, '')::text AS model_name, op.part_id, p.part_no, p.name_zh, p.name_en,
       sum(op.qty)::bigint AS qty, count(DISTINCT op.order_id)::bigint AS orders
FROM order_parts op
JOIN service_orders o ON o.tenant_id = op.tenant_id AND o.id = op.order_id AND o.tenant_id = @tenant_id
JOIN parts p ON p.tenant_id = op.tenant_id AND p.id = op.part_id AND p.tenant_id = @tenant_id
LEFT JOIN product_models pm ON pm.tenant_id = o.tenant_id AND pm.id = o.model_id AND pm.tenant_id = @tenant_id
WHERE op.tenant_id = @tenant_id AND op.status = 'issued' AND op.created_at >= @since AND op.created_at < @until
GROUP BY o.fault_code, o.model_id, pm.name, op.part_id, p.part_no, p.name_zh, p.name_en
ORDER BY qty DESC, o.fault_code, p.part_no
LIMIT 5000;

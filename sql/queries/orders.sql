-- name: GetOrderSettings :one
SELECT * FROM order_settings WHERE tenant_id = @tenant_id;

-- name: UpsertOrderSettings :one
INSERT INTO order_settings (tenant_id, repeat_window_days, engineer_rules, max_open_per_engineer, slot_minutes, slot_capacity)
VALUES (@tenant_id, @repeat_window_days, @engineer_rules, @max_open_per_engineer, @slot_minutes, @slot_capacity)
ON CONFLICT (tenant_id) DO UPDATE
SET repeat_window_days = EXCLUDED.repeat_window_days, engineer_rules = EXCLUDED.engineer_rules,
    max_open_per_engineer = EXCLUDED.max_open_per_engineer, slot_minutes = EXCLUDED.slot_minutes,
    slot_capacity = EXCLUDED.slot_capacity, version = order_settings.version + 1
WHERE order_settings.version = @version
RETURNING *;

-- name: ListOrderTypes :many
SELECT * FROM order_types WHERE tenant_id = @tenant_id ORDER BY code;

-- name: UpsertOrderType :one
INSERT INTO order_types (tenant_id, code, name, flow, skill, min_level, active)
VALUES (@tenant_id, @code, @name, @flow, @skill, @min_level, @active)
ON CONFLICT (tenant_id, code) DO UPDATE
SET name = EXCLUDED.name, flow = EXCLUDED.flow, skill = EXCLUDED.skill, min_level = EXCLUDED.min_level,
    active = EXCLUDED.active, version = order_types.version + 1
RETURNING *;

-- name: NextOrderNumber :one
-- Takes the next number of the year. The row stays locked until the creating transaction
-- ends, so numbers are consecutive: a rolled-back order gives its number back.
INSERT INTO order_counters (tenant_id, year, last) VALUES (@tenant_id, @year, 1)
ON CONFLICT (tenant_id, year) DO UPDATE SET last = order_counters.last + 1
RETURNING last;

-- name: CreateOrder :one
INSERT INTO service_orders (
  tenant_id, id, number, type_code, flow, channel, urgent, priority, status, customer_id, registration_id, model_id,
  serial, unregistered, outlet_id, province_code, city_code, district_code, postal_code, address, latitude, longitude,
  fault_description, fault_code, component, entitlement, entitlement_class, tier_code, designated_engineer,
  repeat_of, is_repeat, tracking_token, created_by)
VALUES (
  @tenant_id, @id, @number, @type_code, @flow, @channel, @urgent, @priority, @status, @customer_id, @registration_id, @model_id,
  @serial, @unregistered, @outlet_id, @province_code, @city_code, @district_code, @postal_code, @address, @latitude, @longitude,
  @fault_description, @fault_code, @component, @entitlement, @entitlement_class, @tier_code, @designated_engineer,
  @repeat_of, @is_repeat, @tracking_token, @created_by)
RETURNING *;

-- name: GetOrder :one
SELECT * FROM service_orders WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetOrderForUpdate :one
SELECT * FROM service_orders WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetOrderByNumber :one
SELECT * FROM service_orders WHERE tenant_id = @tenant_id AND number = @number;

-- The order lists. Each is planned for the values it is given (orders.List asks for custom
-- plans): a filter left out folds away, and the plan walks the index that gives the newest
-- first. The filters that select few orders out of many drive from their own table: the
-- engineer's assignments (ListOrdersOfEngineer) and the late clocks (ListOrdersLate).

-- name: ListOrders :many
-- The order list. ListOrdersByCreated, ListOrdersOfEngineer and ListOrdersLate serve the same
-- list from other indexes and repeat its filters line for line (sqlc cannot share a WHERE
-- clause); TestOrderListQueriesShareTheirFilters keeps the copies equal.
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR o.id < sqlc.narg(before_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status)::text)
  AND (cardinality(@statuses::text[]) = 0 OR o.status = ANY(@statuses::text[]))
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR o.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(registration_id)::uuid IS NULL OR o.registration_id = sqlc.narg(registration_id)::uuid)
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR o.created_at >= sqlc.narg(created_from)::timestamptz)
  AND (sqlc.narg(created_to)::timestamptz IS NULL OR o.created_at < sqlc.narg(created_to)::timestamptz)
  AND (sqlc.narg(is_repeat)::boolean IS NULL OR o.is_repeat = sqlc.narg(is_repeat)::boolean)
  AND (sqlc.narg(open_before)::timestamptz IS NULL OR (o.created_at < sqlc.narg(open_before)::timestamptz
        AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')))
ORDER BY o.id DESC
LIMIT @lim;

-- name: ListOrdersByCreated :many
-- ListOrders for a period of intake (created_from, created_to or open_before given): newest
-- first by created_at, walked backwards from the period's end in service_orders_created_id_idx
-- (service_orders_open_created_idx for open orders older than a moment). Ordered by id, a
-- month deep in the list would read every newer order first. The cursor is the last row's
-- id; the page goes on from that order's (created_at, id).
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR (o.created_at, o.id) < (
        SELECT c.created_at, c.id FROM service_orders c
        WHERE c.tenant_id = @tenant_id AND c.id = sqlc.narg(before_id)::uuid))
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status)::text)
  AND (cardinality(@statuses::text[]) = 0 OR o.status = ANY(@statuses::text[]))
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR o.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(registration_id)::uuid IS NULL OR o.registration_id = sqlc.narg(registration_id)::uuid)
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR o.created_at >= sqlc.narg(created_from)::timestamptz)
  AND (sqlc.narg(created_to)::timestamptz IS NULL OR o.created_at < sqlc.narg(created_to)::timestamptz)
  AND (sqlc.narg(is_repeat)::boolean IS NULL OR o.is_repeat = sqlc.narg(is_repeat)::boolean)
  AND (sqlc.narg(open_before)::timestamptz IS NULL OR (o.created_at < sqlc.narg(open_before)::timestamptz
        AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')))
ORDER BY o.created_at DESC, o.id DESC
LIMIT @lim;

-- name: ListOrdersOfEngineer :many
SELECT o.* FROM order_engineers w
JOIN service_orders o ON o.tenant_id = w.tenant_id AND o.id = w.order_id
WHERE w.tenant_id = @tenant_id AND w.user_id = @engineer_id AND w.state IN ('offered', 'accepted')
  AND o.tenant_id = @tenant_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR w.order_id < sqlc.narg(before_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status)::text)
  AND (cardinality(@statuses::text[]) = 0 OR o.status = ANY(@statuses::text[]))
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR o.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(registration_id)::uuid IS NULL OR o.registration_id = sqlc.narg(registration_id)::uuid)
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR o.created_at >= sqlc.narg(created_from)::timestamptz)
  AND (sqlc.narg(created_to)::timestamptz IS NULL OR o.created_at < sqlc.narg(created_to)::timestamptz)
  AND (sqlc.narg(is_repeat)::boolean IS NULL OR o.is_repeat = sqlc.narg(is_repeat)::boolean)
  AND (sqlc.narg(open_before)::timestamptz IS NULL OR (o.created_at < sqlc.narg(open_before)::timestamptz
        AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')))
  AND (NOT @late::boolean OR EXISTS (
        SELECT 1 FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.order_id = o.id
          AND (c.status = 'breached' OR (c.status = 'running' AND c.due_at < now()))))
ORDER BY w.order_id DESC
LIMIT @lim;

-- name: ListOrdersLate :many
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND o.id IN (SELECT c.order_id FROM sla_clocks c WHERE c.tenant_id = @tenant_id
        AND c.status IN ('running', 'breached') AND (c.status = 'breached' OR c.due_at < now())
        AND (sqlc.narg(before_id)::uuid IS NULL OR c.order_id < sqlc.narg(before_id)::uuid))
  AND (sqlc.narg(before_id)::uuid IS NULL OR o.id < sqlc.narg(before_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status)::text)
  AND (cardinality(@statuses::text[]) = 0 OR o.status = ANY(@statuses::text[]))
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR o.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(registration_id)::uuid IS NULL OR o.registration_id = sqlc.narg(registration_id)::uuid)
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR o.created_at >= sqlc.narg(created_from)::timestamptz)
  AND (sqlc.narg(created_to)::timestamptz IS NULL OR o.created_at < sqlc.narg(created_to)::timestamptz)
  AND (sqlc.narg(is_repeat)::boolean IS NULL OR o.is_repeat = sqlc.narg(is_repeat)::boolean)
  AND (sqlc.narg(open_before)::timestamptz IS NULL OR (o.created_at < sqlc.narg(open_before)::timestamptz
        AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')))
ORDER BY o.id DESC
LIMIT @lim;

-- name: ListDispatchQueue :many
-- The dispatch queue: open orders without an outlet, or without a lead engineer offered or
-- accepted, ranked as dispatch serves them: orders with a paid promise first (an active
-- upgrade of the order, or an active plan of its unit valid on promise_day, the tenant's
-- today), then by priority, then newest. It is bounded by the open orders, so it is read as
-- one ranked page, never by cursor.
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (o.outlet_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM order_engineers e WHERE e.tenant_id = @tenant_id AND e.order_id = o.id
          AND e.role = 'lead' AND e.state IN ('offered', 'accepted')))
ORDER BY EXISTS (
          SELECT 1 FROM purchases p WHERE p.tenant_id = @tenant_id AND p.status = 'active'
            AND ((p.kind = 'per_incident' AND p.order_id = o.id)
              OR (p.kind = 'plan' AND p.registration_id = o.registration_id
                AND p.valid_from <= @promise_day::date AND p.valid_until >= @promise_day::date))) DESC,
         o.priority DESC, o.id DESC
LIMIT @lim;

-- name: ListDispatchQueuePromised :many
-- The head of the dispatch queue (ListDispatchQueue's order): open orders waiting for
-- dispatch that carry a paid promise (an active upgrade of the order, or an active plan of
-- its unit valid on promise_day), by priority, then newest. Found from the tenant's active
-- purchases, so it never reads the open orders without one.
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (o.outlet_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM order_engineers e WHERE e.tenant_id = @tenant_id AND e.order_id = o.id
          AND e.role = 'lead' AND e.state IN ('offered', 'accepted')))
  AND o.id IN (
        SELECT p.order_id FROM purchases p
        WHERE p.tenant_id = @tenant_id AND p.status = 'active' AND p.kind = 'per_incident' AND p.order_id IS NOT NULL
        UNION
        SELECT u.id FROM purchases p
        JOIN service_orders u ON u.tenant_id = p.tenant_id AND u.registration_id = p.registration_id
        WHERE p.tenant_id = @tenant_id AND u.tenant_id = @tenant_id AND p.status = 'active' AND p.kind = 'plan'
          AND p.valid_from <= @promise_day::date AND p.valid_until >= @promise_day::date
          AND u.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up'))
ORDER BY o.priority DESC, o.id DESC
LIMIT @lim;

-- name: ListDispatchQueueRest :many
-- The rest of the dispatch queue: open orders waiting for dispatch without a paid promise,
-- by priority, then newest, walked in the order of service_orders_queue_idx and stopped at
-- the page's end.
SELECT o.* FROM service_orders o
WHERE o.tenant_id = @tenant_id
  AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')
  AND (sqlc.narg(type_code)::text IS NULL OR o.type_code = sqlc.narg(type_code)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR o.outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (o.outlet_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM order_engineers e WHERE e.tenant_id = @tenant_id AND e.order_id = o.id
          AND e.role = 'lead' AND e.state IN ('offered', 'accepted')))
  AND NOT EXISTS (
        SELECT 1 FROM purchases p WHERE p.tenant_id = @tenant_id AND p.status = 'active'
          AND p.kind = 'per_incident' AND p.order_id = o.id)
  AND NOT EXISTS (
        SELECT 1 FROM purchases p WHERE p.tenant_id = @tenant_id AND p.status = 'active'
          AND p.kind = 'plan' AND p.registration_id = o.registration_id
          AND p.valid_from <= @promise_day::date AND p.valid_until >= @promise_day::date)
ORDER BY o.priority DESC, o.id DESC
LIMIT @lim;

-- name: UpdateOrderStatus :one
UPDATE service_orders
SET status = @status, version = version + 1, updated_at = now(),
    completed_at = CASE WHEN @completed::boolean THEN coalesce(completed_at, @now::timestamptz) ELSE completed_at END,
    closed_at = CASE WHEN @status = 'closed' THEN @now::timestamptz ELSE NULL END,
    cancel_reason = CASE WHEN @status = 'cancelled' THEN @reason ELSE cancel_reason END,
    reopen_count = reopen_count + CASE WHEN @reopened::boolean THEN 1 ELSE 0 END,
    is_repeat = is_repeat OR @reopened::boolean
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: UpdateOrderFacts :one
UPDATE service_orders
SET fault_description = @fault_description, fault_code = @fault_code, component = @component, urgent = @urgent,
    priority = @priority, address = @address, province_code = @province_code, city_code = @city_code,
    district_code = @district_code, postal_code = @postal_code, latitude = @latitude, longitude = @longitude,
    designated_engineer = @designated_engineer, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: SetOrderEntitlement :exec
UPDATE service_orders SET entitlement = @entitlement, entitlement_class = @entitlement_class, tier_code = @tier_code,
  priority = @priority
WHERE tenant_id = @tenant_id AND id = @id;

-- name: SetOrderOutlet :one
UPDATE service_orders SET outlet_id = @outlet_id, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: SetOrderCompletion :exec
UPDATE service_orders SET completion = @completion, result = @result, fault_code = @fault_code, component = @component
WHERE tenant_id = @tenant_id AND id = @id;

-- name: BumpOrder :one
-- Takes the order's version for a change to its parts (engineers, quotes, appointments).
UPDATE service_orders SET version = version + 1, updated_at = now(),
  reschedule_count = reschedule_count + CASE WHEN @rescheduled::boolean THEN 1 ELSE 0 END
WHERE tenant_id = @tenant_id AND id = @id AND (@version::integer = 0 OR version = @version)
RETURNING *;

-- name: InsertOrderEvent :exec
-- Appends one entry to an order's timeline; the entries of a change go as one multi-row
-- INSERT (tenants.MultiInsert), in the order given (ids are time-ordered).
INSERT INTO order_events (tenant_id, id, order_id, actor_kind, actor_id, actor_label, kind, from_status, to_status, reason, public, data)
VALUES (@tenant_id, @id, @order_id, @actor_kind, sqlc.narg(actor_id), @actor_label, @kind, @from_status, @to_status,
  @reason, @public, @data);

-- name: ListOrderEvents :many
SELECT * FROM order_events WHERE tenant_id = @tenant_id AND order_id = @order_id
  AND (NOT @public_only::boolean OR public)
ORDER BY id;

-- name: SetTrackingToken :exec
UPDATE service_orders SET tracking_token = @tracking_token WHERE tenant_id = @tenant_id AND id = @id;

-- name: PriorOrderSameFault :one
-- The latest earlier order on the same unit and fault within the window: a repeat repair.
SELECT id, number, created_at FROM service_orders
WHERE tenant_id = @tenant_id AND id <> @id
  AND ((sqlc.narg(registration_id)::uuid IS NOT NULL AND registration_id = sqlc.narg(registration_id)::uuid)
       OR (sqlc.narg(registration_id)::uuid IS NULL AND @serial::text <> '' AND serial = @serial::text))
  AND fault_code = @fault_code AND @fault_code::text <> ''
  AND created_at >= @since AND status <> 'cancelled'
ORDER BY created_at DESC LIMIT 1;

-- name: UpsertOrderEngineer :one
INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state, rule, reason)
VALUES (@tenant_id, @order_id, @user_id, @role, 'offered', @rule, '')
ON CONFLICT (tenant_id, order_id, user_id) DO UPDATE
SET role = EXCLUDED.role, state = 'offered', rule = EXCLUDED.rule, reason = '', assigned_at = EXCLUDED.assigned_at, responded_at = NULL
RETURNING *;

-- name: ListOrderEngineers :many
SELECT e.*, u.name AS user_name FROM order_engineers e JOIN users u ON u.id = e.user_id
WHERE e.tenant_id = @tenant_id AND e.order_id = @order_id ORDER BY e.assigned_at, e.user_id;

-- name: AnswerOrderEngineer :one
UPDATE order_engineers SET state = @state, reason = @reason, responded_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND user_id = @user_id AND state = ANY(@from_states::text[])
RETURNING *;

-- name: CreateQuote :one
INSERT INTO order_quotes (tenant_id, id, order_id, customer_id, currency, lines, total_charged, token_hash, created_by)
VALUES (@tenant_id, @id, @order_id, @customer_id, @currency, @lines, @total_charged, @token_hash, @created_by)
RETURNING *;

-- name: SupersedeQuotes :exec
UPDATE order_quotes SET status = 'superseded' WHERE tenant_id = @tenant_id AND order_id = @order_id AND status = 'sent';

-- name: ListQuotes :many
SELECT * FROM order_quotes WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY created_at, id;

-- name: GetQuote :one
SELECT * FROM order_quotes WHERE tenant_id = @tenant_id AND id = @id;

-- name: DecideQuote :one
UPDATE order_quotes SET status = @status, decided_at = now(), decided_channel = @decided_channel, decided_by = @decided_by,
  decided_reason = @decided_reason
WHERE tenant_id = @tenant_id AND id = @id AND status = 'sent'
RETURNING *;

-- name: CreateAttachment :one
INSERT INTO order_attachments (tenant_id, id, order_id, kind, content_type, content, sha256, public, uploaded_by, customer_id)
VALUES (@tenant_id, @id, @order_id, @kind, @content_type, @content, @sha256, @public, @uploaded_by, sqlc.narg(customer_id))
RETURNING id, order_id, kind, content_type, public, uploaded_by, uploaded_at, customer_id;

-- name: ListAttachments :many
SELECT id, order_id, kind, content_type, public, uploaded_by, uploaded_at, customer_id FROM order_attachments
WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY id;

-- name: AttachmentOwners :many
-- Which order each attachment is of and who uploaded it (without the content).
SELECT id, order_id, customer_id FROM order_attachments
WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]);

-- name: GetAttachment :one
SELECT * FROM order_attachments WHERE tenant_id = @tenant_id AND id = @id;

-- name: CreateDispute :one
INSERT INTO order_disputes (tenant_id, id, order_id, customer_id, statement, exclusion, attachment_ids)
VALUES (@tenant_id, @id, @order_id, @customer_id, @statement, @exclusion, @attachment_ids::uuid[])
RETURNING *;

-- name: ListDisputes :many
SELECT * FROM order_disputes WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY created_at, id;

-- name: GetDispute :one
SELECT * FROM order_disputes WHERE tenant_id = @tenant_id AND id = @id;

-- name: DecideDispute :one
UPDATE order_disputes SET status = @status, decision_note = @decision_note, decided_by = @decided_by, decided_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND id = @id AND status = 'open'
RETURNING *;

-- name: BookedInRange :many
-- Booked appointments of an outlet starting in [from, to), for slot capacity.
SELECT starts_at, count(*)::integer AS booked FROM appointments
WHERE tenant_id = @tenant_id AND outlet_id = @outlet_id AND status = 'booked'
  AND starts_at >= @from_at AND starts_at < @to_at
GROUP BY starts_at;

-- name: CurrentAppointment :one
SELECT * FROM appointments WHERE tenant_id = @tenant_id AND order_id = @order_id AND status = 'booked';

-- name: ListAppointments :many
SELECT * FROM appointments WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY created_at, id;

-- name: EndAppointment :exec
UPDATE appointments SET status = @status WHERE tenant_id = @tenant_id AND id = @id AND status = 'booked';

-- name: CreateAppointment :one
INSERT INTO appointments (tenant_id, id, order_id, outlet_id, starts_at, ends_at, booked_via, reason)
VALUES (@tenant_id, @id, @order_id, @outlet_id, @starts_at, @ends_at, @booked_via, @reason)
RETURNING *;

-- name: LockOutletBookings :exec
-- Serialises bookings at one outlet for the rest of the transaction, so two customers
-- cannot both take the last place in a window.
SELECT pg_advisory_xact_lock(hashtextextended('bookings:' || @outlet_id::text, 0));

-- name: OpenOrderOfType :one
SELECT EXISTS (SELECT 1 FROM service_orders WHERE tenant_id = @tenant_id AND registration_id = @registration_id
  AND type_code = @type_code AND status NOT IN ('closed', 'cancelled'))::boolean;

-- name: HasOpenQuote :one
SELECT EXISTS (SELECT 1 FROM order_quotes WHERE tenant_id = @tenant_id AND order_id = @order_id AND status = 'sent')::boolean;

-- name: OrdersWorkedBy :many
-- Of the orders given, those the user is assigned to and has not declined or been removed
-- from: an engineer sees the service address of their own jobs.
SELECT order_id FROM order_engineers
WHERE tenant_id = @tenant_id AND user_id = @user_id AND state IN ('offered', 'accepted') AND order_id = ANY(@order_ids::uuid[]);

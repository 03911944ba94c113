-- Pay computed from the rules: per-order state, lines and monthly statements
-- (internal/commission/pay.go, statements.go).

-- name: PayFacts :one
-- What the engine needs of an order, read under the order's row lock so that two deliveries
-- of its audit are serial: its type, flow, outlet, status, the earlier repair it repeats and
-- when its completion target was due (the epoch: none).
SELECT o.id, o.number, o.type_code, o.flow, o.outlet_id, o.status, o.repeat_of, o.created_at, o.completed_at,
  coalesce((SELECT c.due_at FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.order_id = o.id AND c.target = 'completion'),
           'epoch')::timestamptz AS completion_due,
  coalesce((SELECT p.completed_at FROM service_orders p WHERE p.tenant_id = @tenant_id AND p.id = o.repeat_of), 'epoch')::timestamptz AS earlier_completed_at
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.id = @order_id
FOR UPDATE OF o;

-- name: PayAuditFacts :one
-- PayFacts with the order's engineers and the earlier repair's (as PayEngineers lists them,
-- in JSON), the tenant's versions of its pay rules (as ListCommissionVersions lists them, in
-- JSON) and its time zone and currency, in the same statement: one round trip instead of
-- four or five. The order's row is locked as PayFacts locks it.
SELECT o.id, o.number, o.type_code, o.flow, o.outlet_id, o.status, o.repeat_of, o.created_at, o.completed_at,
  coalesce((SELECT c.due_at FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.order_id = o.id AND c.target = 'completion'),
           'epoch')::timestamptz AS completion_due,
  coalesce((SELECT p.completed_at FROM service_orders p WHERE p.tenant_id = @tenant_id AND p.id = o.repeat_of), 'epoch')::timestamptz AS earlier_completed_at,
  coalesce((SELECT json_agg(json_build_object('user_id', oe.user_id, 'role', oe.role, 'level', coalesce(ep.level, 0))
                            ORDER BY oe.role = 'lead' DESC, oe.assigned_at, oe.user_id)
            FROM order_engineers oe
            LEFT JOIN engineer_profiles ep ON ep.tenant_id = @tenant_id AND ep.user_id = oe.user_id
            WHERE oe.tenant_id = @tenant_id AND oe.order_id = o.id AND oe.state NOT IN ('declined', 'removed')), '[]')::jsonb AS engineers,
  coalesce((SELECT json_agg(json_build_object('user_id', oe.user_id, 'role', oe.role, 'level', coalesce(ep.level, 0))
                            ORDER BY oe.role = 'lead' DESC, oe.assigned_at, oe.user_id)
            FROM order_engineers oe
            LEFT JOIN engineer_profiles ep ON ep.tenant_id = @tenant_id AND ep.user_id = oe.user_id
            WHERE oe.tenant_id = @tenant_id AND oe.order_id = o.repeat_of AND oe.state NOT IN ('declined', 'removed')), '[]')::jsonb
    AS earlier_engineers,
  coalesce((SELECT json_agg(json_build_object('version', v.version, 'effective_from', v.effective_from, 'rules', v.rules) ORDER BY v.version)
            FROM commission_rule_versions v WHERE v.tenant_id = @tenant_id), '[]')::jsonb AS versions,
  coalesce((SELECT t.timezone FROM tenants t WHERE t.id = @tenant_id), '')::text AS tenant_timezone,
  coalesce((SELECT t.currency FROM tenants t WHERE t.id = @tenant_id), '')::text AS tenant_currency
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.id = @order_id
FOR UPDATE OF o;

-- name: LockBillLabour :one
-- LockBillOfOrder and PayLabourLines in one statement: the order's bill held still until
-- commit (FOR SHARE, so a payment or refund settled meanwhile is seen by one side or the
-- other) and, as locked, its labour lines (else the latest approved quote's) and what it has
-- taken and given back.
WITH b AS (
  SELECT b.lines, b.status, b.paid, b.refunded FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = @order_id FOR SHARE
)
SELECT
  coalesce((SELECT b.lines FROM b),
           (SELECT q.lines FROM order_quotes q WHERE q.tenant_id = @tenant_id AND q.order_id = @order_id AND q.status = 'approved'
            ORDER BY q.created_at DESC LIMIT 1), '[]')::jsonb AS lines,
  coalesce((SELECT b.status FROM b), '')::text AS bill_status,
  coalesce((SELECT b.paid FROM b), 0)::bigint AS paid,
  coalesce((SELECT b.refunded FROM b), 0)::bigint AS refunded;

-- name: PayEngineers :many
-- The engineers who worked an order (not those who declined or were taken off), their role
-- and certification level, lead first.
SELECT oe.user_id, oe.role, coalesce(ep.level, 0)::integer AS level
FROM order_engineers oe
LEFT JOIN engineer_profiles ep ON ep.tenant_id = @tenant_id AND ep.user_id = oe.user_id
WHERE oe.tenant_id = @tenant_id AND oe.order_id = @order_id AND oe.state NOT IN ('declined', 'removed')
ORDER BY oe.role = 'lead' DESC, oe.assigned_at, oe.user_id;

-- name: PayLabourLines :one
-- The labour of an order as charged: its bill's lines, else its latest approved quote's; and
-- what the bill has taken and given back.
SELECT
  coalesce((SELECT b.lines FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid),
           (SELECT q.lines FROM order_quotes q WHERE q.tenant_id = @tenant_id AND q.order_id = @order_id AND q.status = 'approved'
            ORDER BY q.created_at DESC LIMIT 1), '[]')::jsonb AS lines,
  coalesce((SELECT b.status FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), '')::text AS bill_status,
  coalesce((SELECT b.paid FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), 0)::bigint AS paid,
  coalesce((SELECT b.refunded FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), 0)::bigint AS refunded;

-- name: GetPayOrder :one
SELECT * FROM pay_orders WHERE tenant_id = @tenant_id AND order_id = @order_id;

-- name: GetPayOrderForUpdate :one
-- Money moving on the order's bill (under the bill's lock) takes the pay state's lock, so a
-- refund and a delivery of the audit are serial.
SELECT * FROM pay_orders WHERE tenant_id = @tenant_id AND order_id = @order_id FOR UPDATE;

-- name: PutPayOrder :exec
INSERT INTO pay_orders (tenant_id, order_id, outlet_id, state, rule_version, round, labour_net, computed_at)
VALUES (@tenant_id, @order_id, @outlet_id, 'computed', @rule_version, @round, @labour_net, @now)
ON CONFLICT (tenant_id, order_id) DO UPDATE SET state = 'computed', rule_version = EXCLUDED.rule_version, round = EXCLUDED.round,
  labour_net = EXCLUDED.labour_net, computed_at = EXCLUDED.computed_at, reversed_at = NULL, outlet_id = EXCLUDED.outlet_id;

-- name: ReversePayOrder :exec
UPDATE pay_orders SET state = 'reversed', reversed_at = @now WHERE tenant_id = @tenant_id AND order_id = @order_id;

-- name: LastPaidAudit :one
-- The latest day whose audits were paid under the rules: a version may not start on or
-- before it (back-dating would change pay behind a statement).
SELECT coalesce(max(e.accrued_on), '0001-01-01')::date FROM pay_entries e
WHERE e.tenant_id = @tenant_id AND e.cause = 'audit';

-- name: PayEntriesOfOrder :many
SELECT * FROM pay_entries WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY id;

-- name: HeldPayEntries :many
-- Commission waiting for the customer's money (accrual on money received).
SELECT * FROM pay_entries WHERE tenant_id = @tenant_id AND order_id = @order_id AND accrued_on IS NULL ORDER BY id FOR UPDATE;

-- name: ListPayStatements :many
-- Statements newest first, each with its party's name (the engineer's or the outlet's).
SELECT sqlc.embed(s), coalesce(u.name, o.name, '')::text AS party_name
FROM pay_statements s
LEFT JOIN users u ON s.party_kind = 'engineer' AND u.id = s.party_id
LEFT JOIN outlets o ON s.party_kind = 'outlet' AND o.tenant_id = @tenant_id AND o.id = s.party_id
WHERE s.tenant_id = @tenant_id
  AND (sqlc.narg('month')::date IS NULL OR s.month = sqlc.narg('month')::date)
  AND (sqlc.narg('party_kind')::text IS NULL OR s.party_kind = sqlc.narg('party_kind')::text)
  AND (sqlc.narg('party_id')::uuid IS NULL OR s.party_id = sqlc.narg('party_id')::uuid)
  AND (sqlc.narg('status')::text IS NULL OR s.status = sqlc.narg('status')::text)
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR s.outlet_id = sqlc.narg('outlet_id')::uuid)
  AND (sqlc.narg('before_id')::uuid IS NULL OR s.id < sqlc.narg('before_id')::uuid)
ORDER BY s.id DESC LIMIT @lim;

-- name: GetPayStatement :one
SELECT sqlc.embed(s), coalesce(u.name, o.name, '')::text AS party_name
FROM pay_statements s
LEFT JOIN users u ON s.party_kind = 'engineer' AND u.id = s.party_id
LEFT JOIN outlets o ON s.party_kind = 'outlet' AND o.tenant_id = @tenant_id AND o.id = s.party_id
WHERE s.tenant_id = @tenant_id AND s.id = @id;

-- name: PayStatementLines :many
SELECT * FROM pay_entries WHERE tenant_id = @tenant_id AND statement_id = @statement_id ORDER BY id;

-- name: ApprovePayStatementAsManager :one
-- The first approval: the statement's outlet manager (row-level security confines them to
-- their outlet) or a tenant admin, checked against the approver's own membership here.
UPDATE pay_statements s SET status = 'manager_approved', manager_approved_by = @actor, manager_approver = @user_id,
  manager_approved_at = @now, version = s.version + 1, updated_at = @now
WHERE s.tenant_id = @tenant_id AND s.id = @id AND s.status = 'open'
  AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = @tenant_id AND m.user_id = @user_id AND m.status = 'active'
              AND m.role IN ('outlet_manager', 'tenant_admin'))
RETURNING *;

-- name: ApprovePayStatementAsFinance :one
-- The second approval, which locks the statement: finance or a tenant admin, not the person
-- who gave the first.
UPDATE pay_statements s SET status = 'approved', finance_approved_by = @actor, finance_approved_at = @now,
  version = s.version + 1, updated_at = @now
WHERE s.tenant_id = @tenant_id AND s.id = @id AND s.status = 'manager_approved'
  AND s.manager_approver IS DISTINCT FROM @user_id::uuid
  AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = @tenant_id AND m.user_id = @user_id AND m.status = 'active'
              AND m.role IN ('finance', 'tenant_admin'))
RETURNING *;

-- name: MarkPayStatementPaid :one
-- Payout: the day and the bank or payroll reference, by finance or a tenant admin.
UPDATE pay_statements s SET status = 'paid', paid_on = @paid_on, paid_reference = @paid_reference, paid_by = @actor,
  version = s.version + 1, updated_at = @now
WHERE s.tenant_id = @tenant_id AND s.id = @id AND s.status = 'approved'
  AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = @tenant_id AND m.user_id = @user_id AND m.status = 'active'
              AND m.role IN ('finance', 'tenant_admin'))
RETURNING *;

-- name: LockBillOfOrder :exec
-- Computing an order's pay reads its bill's money; this holds the bill still until commit,
-- so a payment or refund settled meanwhile is seen by one side or the other, never lost.
SELECT b.id FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid FOR SHARE;

-- name: ListOutletPenalties :many
-- Outlets' penalty lines (breaches, compensation carried back) of their monthly statements,
-- newest first, each with its outlet's name and its statement's month and status.
SELECT sqlc.embed(e), s.month AS statement_month, s.status AS statement_status, o.name AS outlet_name
FROM pay_statements s
JOIN pay_entries e ON e.tenant_id = @tenant_id AND e.statement_id = s.id
JOIN outlets o ON o.tenant_id = @tenant_id AND o.id = s.party_id
WHERE s.tenant_id = @tenant_id AND s.party_kind = 'outlet'
  AND (sqlc.narg('month')::date IS NULL OR s.month = sqlc.narg('month')::date)
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR s.party_id = sqlc.narg('outlet_id')::uuid)
  AND (sqlc.narg('status')::text IS NULL OR s.status = sqlc.narg('status')::text)
  AND (sqlc.narg('kind')::text IS NULL OR e.kind = sqlc.narg('kind')::text)
  AND (sqlc.narg('before_id')::uuid IS NULL OR e.id < sqlc.narg('before_id')::uuid)
ORDER BY e.id DESC LIMIT @lim;

-- name: StatementOfKey :one
-- The open statement of a counterparty for a month (a partner's by agreement, an outlet's),
-- locked for the claim being added.
SELECT * FROM claim_statements
WHERE tenant_id = @tenant_id AND direction = @direction AND period = @period AND currency = @currency
  AND agreement_id IS NOT DISTINCT FROM sqlc.narg(agreement_id)::uuid AND outlet_id IS NOT DISTINCT FROM sqlc.narg(outlet_id)::uuid
FOR UPDATE;

-- name: InsertStatement :one
-- Makes a statement; no row when one of the month with the counterparty exists already (a
-- concurrent settlement made it first: the caller reads that one).
INSERT INTO claim_statements (tenant_id, id, direction, number, period, agreement_id, counterparty_tenant_id, outlet_id,
  counterparty_name, currency, status)
VALUES (@tenant_id, @id, @direction, @number, @period, @agreement_id, @counterparty_tenant_id, @outlet_id,
  @counterparty_name, @currency, 'open')
ON CONFLICT DO NOTHING
RETURNING *;

-- name: GetStatement :one
SELECT * FROM claim_statements WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockStatement :one
SELECT * FROM claim_statements WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: SaveStatementTotals :one
-- Writes a statement's totals after a claim was added or a payment recorded (the caller
-- holds its lock).
UPDATE claim_statements
SET amount = @amount, paid = @paid, claims = @claims, status = @status, version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: InsertStatementLine :execrows
INSERT INTO claim_statement_lines (tenant_id, claim_id, statement_id, order_id, number, amount)
VALUES (@tenant_id, @claim_id, @statement_id, @order_id, @number, @amount)
ON CONFLICT (tenant_id, claim_id) DO NOTHING;

-- name: StatementLines :many
SELECT * FROM claim_statement_lines WHERE tenant_id = @tenant_id AND statement_id = @statement_id ORDER BY created_at, claim_id;

-- name: StatementLineOfClaim :one
SELECT * FROM claim_statement_lines WHERE tenant_id = @tenant_id AND claim_id = @claim_id;

-- name: InsertStatementPayment :one
INSERT INTO claim_statement_payments (tenant_id, id, statement_id, reference, amount, paid_on, note, recorded_by)
VALUES (@tenant_id, @id, @statement_id, @reference, @amount, @paid_on, @note, @recorded_by)
RETURNING *;

-- name: GetStatementPayment :one
SELECT * FROM claim_statement_payments WHERE tenant_id = @tenant_id AND id = @id;

-- name: StatementPayments :many
SELECT * FROM claim_statement_payments WHERE tenant_id = @tenant_id AND statement_id = @statement_id ORDER BY paid_on, created_at, id;

-- name: ListStatements :many
SELECT * FROM claim_statements
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(direction)::text IS NULL OR direction = sqlc.narg(direction)::text)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(period)::date IS NULL OR period = sqlc.narg(period)::date)
  AND (sqlc.narg(counterparty_tenant_id)::uuid IS NULL OR counterparty_tenant_id = sqlc.narg(counterparty_tenant_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: ClaimsSettledTwice :many
-- 不结算检查, paid twice: the statement lines of each order of ours that more than one claim
-- was settled for (our outlet's and a partner's, or two partners'), by order.
SELECT l.order_id, l.claim_id, l.number, l.amount, l.statement_id, s.number AS statement_number, s.direction, s.status,
  s.counterparty_name
FROM claim_statement_lines l
JOIN claim_statements s ON s.tenant_id = l.tenant_id AND s.id = l.statement_id
WHERE l.tenant_id = @tenant_id AND s.tenant_id = @tenant_id AND s.direction = 'payable'
  AND l.order_id IN (SELECT d.order_id FROM claim_statement_lines d
                     JOIN claim_statements ds ON ds.tenant_id = d.tenant_id AND ds.id = d.statement_id
                     WHERE d.tenant_id = @tenant_id AND ds.tenant_id = @tenant_id AND ds.direction = 'payable'
                     GROUP BY d.order_id HAVING count(*) > 1)
ORDER BY l.order_id, l.created_at
LIMIT @lim;

-- name: SignalWork :many
-- The work of the payer's network since a time, for its quality signals: each order done by
-- one of our outlets or handed to a partner (the partner named), with its unit.
SELECT o.id AS order_id, o.serial, o.created_at, o.outlet_id, j.partner_tenant_id, coalesce(j.partner_name, '')::text AS partner_name
FROM service_orders o
LEFT JOIN network_jobs j ON j.tenant_id = @tenant_id AND j.order_id = o.id AND j.direction = 'sent'
WHERE o.tenant_id = @tenant_id AND o.created_at >= @since AND (o.outlet_id IS NOT NULL OR j.id IS NOT NULL)
ORDER BY o.created_at, o.id;

-- name: SignalClaims :many
-- The claims on the payer (partners' and its outlets') made since a time, drafts left out,
-- for its fraud and quality signals.
SELECT id, order_id, number, serial, status, outlet_id, counterparty_tenant_id, counterparty_name, claimed, lines, created_at
FROM warranty_claims
WHERE tenant_id = @tenant_id AND side IN ('payer', 'internal') AND status <> 'draft' AND created_at >= @since
ORDER BY created_at, id;

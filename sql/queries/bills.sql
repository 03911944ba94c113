-- Bills of service orders and the money taken for them (billing/bills.go).

-- name: CreateBill :one
INSERT INTO bills (tenant_id, id, order_id, outlet_id, customer_id, quote_id, number, currency, lines, subtotal, total)
VALUES (@tenant_id, @id, @order_id, @outlet_id, @customer_id, @quote_id, @number, @currency, @lines, @subtotal, @subtotal)
ON CONFLICT (tenant_id, order_id) DO NOTHING
RETURNING *;

-- name: GetBill :one
SELECT * FROM bills WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetBillForUpdate :one
SELECT * FROM bills WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetBillOfOrder :one
SELECT * FROM bills WHERE tenant_id = @tenant_id AND order_id = sqlc.arg(order_id)::uuid;

-- name: OrderSettlement :one
-- What the pickup block reads under the order's lock: the order's bill (if any) and the
-- customer's total of its latest approved quote.
SELECT
  coalesce((SELECT b.status FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), '')::text AS bill_status,
  coalesce((SELECT b.total - b.paid + b.refunded FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), 0)::bigint AS balance,
  coalesce((SELECT b.released_at IS NOT NULL FROM bills b WHERE b.tenant_id = @tenant_id AND b.order_id = sqlc.arg(order_id)::uuid), false)::boolean AS released,
  coalesce((SELECT q.total_charged FROM order_quotes q WHERE q.tenant_id = @tenant_id AND q.order_id = @order_id
            AND q.status = 'approved' ORDER BY q.created_at DESC LIMIT 1), 0)::bigint AS quoted;

-- name: UpdateBillDraft :one
UPDATE bills SET lines = @lines, subtotal = @subtotal, discount = @discount, discount_reason = @discount_reason,
  discount_status = @discount_status, discount_requested_by = @discount_requested_by, discount_decided_by = @discount_decided_by,
  total = @total, buyer_name = @buyer_name, buyer_tax_id = @buyer_tax_id, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: IssueBill :one
UPDATE bills SET status = @status, credit_applied = @credit_applied, credits = @credits, total = @total, pay_token_hash = @pay_token_hash,
  issued_at = @now, settled_at = CASE WHEN @status::text = 'paid' THEN @now::timestamptz END, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND version = @version AND status = 'draft'
RETURNING *;

-- name: SetBillMoney :one
-- Records money in or out of a bill (under its row lock) and moves it between issued and paid.
UPDATE bills SET paid = paid + @paid_delta, refunded = refunded + @refunded_delta, receipts = receipts + 1,
  status = CASE WHEN status IN ('issued', 'paid') THEN
             CASE WHEN total - (paid + @paid_delta) + (refunded + @refunded_delta) <= 0 THEN 'paid' ELSE 'issued' END
           ELSE status END,
  settled_at = CASE WHEN total - (paid + @paid_delta) + (refunded + @refunded_delta) <= 0 THEN coalesce(settled_at, @now::timestamptz) END,
  version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: ReleaseBill :one
UPDATE bills SET release_reason = @release_reason, released_by = @released_by, released_at = @now, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: ListReceivables :many
-- Issued bills with money still owed, newest first.
SELECT * FROM bills
WHERE tenant_id = @tenant_id AND status = 'issued'
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR outlet_id = sqlc.narg('outlet_id')::uuid)
  AND (sqlc.narg('before_id')::uuid IS NULL OR id < sqlc.narg('before_id')::uuid)
ORDER BY id DESC LIMIT @lim;

-- name: CreateBillPayment :one
INSERT INTO bill_payments (tenant_id, id, bill_id, outlet_id, kind, method, amount, currency, status, reference, reason, refund_of,
  receipt_number, taken_by, settled_at)
VALUES (@tenant_id, @id, @bill_id, @outlet_id, @kind, @method, @amount, @currency, @status, @reference, @reason, @refund_of,
  @receipt_number, @taken_by, @settled_at)
RETURNING *;

-- name: GetBillPayment :one
SELECT * FROM bill_payments WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetBillPaymentForUpdate :one
SELECT * FROM bill_payments WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListBillPayments :many
SELECT * FROM bill_payments WHERE tenant_id = @tenant_id AND bill_id = @bill_id ORDER BY created_at, id;

-- name: SetBillPaymentStripe :exec
UPDATE bill_payments SET stripe_session_id = CASE WHEN @session_id::text = '' THEN stripe_session_id ELSE @session_id::text END,
  stripe_payment_intent_id = CASE WHEN @payment_intent_id::text = '' THEN stripe_payment_intent_id ELSE @payment_intent_id::text END,
  stripe_charge_id = CASE WHEN @charge_id::text = '' THEN stripe_charge_id ELSE @charge_id::text END,
  stripe_refund_id = CASE WHEN @refund_id::text = '' THEN stripe_refund_id ELSE @refund_id::text END
WHERE tenant_id = @tenant_id AND id = @id;

-- name: SettleBillPayment :one
-- A pending payment or refund succeeded (once: a repeated confirmation changes nothing).
UPDATE bill_payments SET status = 'succeeded', amount = @amount, receipt_number = @receipt_number, settled_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status <> 'succeeded'
RETURNING *;

-- name: EndBillPayment :execrows
-- A pending payment or refund failed or expired; a success is never undone this way.
UPDATE bill_payments SET status = @status WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending';

-- name: RefundedOfPayment :one
SELECT coalesce(sum(amount) FILTER (WHERE status IN ('pending', 'succeeded')), 0)::bigint FROM bill_payments
WHERE tenant_id = @tenant_id AND refund_of = @refund_of;

-- name: CashUp :many
-- Money settled in [from, to), per outlet, method and kind: the day's cash-up.
SELECT outlet_id, method, kind, currency, count(*)::bigint AS count, sum(amount)::bigint AS amount
FROM bill_payments
WHERE tenant_id = @tenant_id AND status = 'succeeded' AND settled_at >= @from_at AND settled_at < @to_at
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR outlet_id = sqlc.narg('outlet_id')::uuid)
GROUP BY outlet_id, method, kind, currency
ORDER BY outlet_id, method, kind, currency;

-- name: CashUpDeposits :many
-- Deposits taken at check-in in [from, to), per outlet of their order, method and currency:
-- money in the drawer before there is a bill (the bill later spends them as credit, not as
-- a payment, so they are counted once). The order's row decides who sees them.
SELECT o.outlet_id, c.deposit_method AS method, c.currency, count(*)::bigint AS count, sum(c.amount)::bigint AS amount
FROM credits c
JOIN service_orders o ON o.tenant_id = c.tenant_id AND o.id = c.deposit_order_id
WHERE c.tenant_id = @tenant_id AND c.deposit_order_id IS NOT NULL AND c.created_at >= @from_at AND c.created_at < @to_at
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR o.outlet_id = sqlc.narg('outlet_id')::uuid)
GROUP BY o.outlet_id, c.deposit_method, c.currency
ORDER BY o.outlet_id, c.deposit_method, c.currency;

-- name: InsertBillLedgerEntry :execrows
INSERT INTO ledger_entries (tenant_id, id, kind, bill_id, amount, currency, stripe_object_id, effect_key, memo, occurred_at)
VALUES (@tenant_id, @id, @kind, @bill_id, @amount, @currency, @stripe_object_id, @effect_key, @memo, @occurred_at)
ON CONFLICT (tenant_id, effect_key) DO NOTHING;

-- name: CashUpLoanDeposits :many
-- Loaner deposits taken and given back in [from, to), per outlet of their loan, method, kind
-- (payment: taken, or confirmed by Stripe when paid online; refund: given back) and currency:
-- the loans' ledger entries. The loan's row decides who sees them.
SELECT l.outlet_id, l.deposit_method AS method, e.kind, e.currency, count(*)::bigint AS count, sum(abs(e.amount))::bigint AS amount
FROM ledger_entries e
JOIN loans l ON l.tenant_id = e.tenant_id AND l.id = e.loan_id
WHERE e.tenant_id = @tenant_id AND e.loan_id IS NOT NULL AND e.occurred_at >= @from_at AND e.occurred_at < @to_at
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR l.outlet_id = sqlc.narg('outlet_id')::uuid)
GROUP BY l.outlet_id, l.deposit_method, e.kind, e.currency
ORDER BY l.outlet_id, l.deposit_method, e.kind, e.currency;

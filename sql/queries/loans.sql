-- name: InsertLoan :one
INSERT INTO loans (tenant_id, id, order_id, outlet_id, customer_id, warehouse_id, part_id, serial, due_at, currency, deposit,
  deposit_method, deposit_reference, deposit_status, lend_note, lent_by, lent_at, created_at, updated_at)
VALUES (@tenant_id, @id, @order_id, @outlet_id, @customer_id, @warehouse_id, @part_id, @serial, @due_at, @currency, @deposit,
  @deposit_method, @deposit_reference, @deposit_status, @lend_note, @lent_by, @lent_at, @lent_at, @lent_at)
RETURNING *;

-- name: GetLoan :one
SELECT * FROM loans WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockLoan :one
SELECT * FROM loans WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ReturnLoan :one
-- Records a loan's return (the caller holds its lock and checked it is out).
UPDATE loans
SET status = 'returned', condition_note = @condition_note, deposit_status = @deposit_status, deposit_reason = @deposit_reason,
  returned_by = @returned_by, returned_at = @now::timestamptz, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'out'
RETURNING *;

-- name: WaiveLoan :one
-- A manager lets the order's unit be handed over while the loan is out.
UPDATE loans
SET waive_reason = @waive_reason, waived_by = @waived_by, waived_at = @now::timestamptz, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'out' AND waived_at IS NULL
RETURNING *;

-- name: ListOrderLoans :many
SELECT * FROM loans WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY id DESC;

-- name: ListLoans :many
-- Loans in scope, newest first: out (overdue: out and past due at @now) or returned.
SELECT * FROM loans
WHERE tenant_id = @tenant_id
  AND (sqlc.narg('status')::text IS NULL
       OR (sqlc.narg('status')::text = 'out' AND status = 'out')
       OR (sqlc.narg('status')::text = 'overdue' AND status = 'out' AND due_at < @now)
       OR (sqlc.narg('status')::text = 'returned' AND status = 'returned'))
  AND (sqlc.narg('outlet_id')::uuid IS NULL OR outlet_id = sqlc.narg('outlet_id')::uuid)
  AND (sqlc.narg('order_id')::uuid IS NULL OR order_id = sqlc.narg('order_id')::uuid)
  AND (sqlc.narg('serial')::text IS NULL OR serial = sqlc.narg('serial')::text)
  AND (sqlc.narg('before')::uuid IS NULL OR id < sqlc.narg('before')::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: OrderLoanOut :one
-- What the hand-over block reads under the order's lock: a loan of the order that is out and
-- not waived.
SELECT coalesce((SELECT l.serial FROM loans l WHERE l.tenant_id = @tenant_id AND l.order_id = @order_id AND l.status = 'out'
  AND l.waived_at IS NULL LIMIT 1), '')::text AS serial;

-- name: DueLoans :many
-- Loans out and past due whose customer was not reminded yet, oldest due first.
SELECT * FROM loans
WHERE tenant_id = @tenant_id AND status = 'out' AND reminded_at IS NULL AND due_at < @now
ORDER BY due_at
LIMIT @lim;

-- name: MarkLoanReminded :execrows
UPDATE loans SET reminded_at = @now::timestamptz, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'out' AND reminded_at IS NULL;

-- name: InsertLoanLedgerEntry :execrows
-- A loan deposit's money in the ledger; an online one names its Stripe payment intent or
-- refund, which the reconciliation checks against Stripe.
INSERT INTO ledger_entries (tenant_id, id, kind, loan_id, amount, currency, stripe_object_id, effect_key, memo, occurred_at)
VALUES (@tenant_id, @id, @kind, @loan_id, @amount, @currency, @stripe_object_id, @effect_key, @memo, @occurred_at)
ON CONFLICT (tenant_id, effect_key) DO NOTHING;

-- name: SetLoanDepositSession :exec
-- The Checkout page an online deposit is paid on (a new page replaces the old one).
UPDATE loans SET stripe_session_id = @session_id, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND deposit_status = 'pending';

-- name: MoveLoanDeposit :one
-- Moves a loan's deposit from one state to the next (Stripe's answers, the refund job, staff
-- asking again), recording Stripe's payment intent or refund when given (clear_refund: a
-- refund asked again forgets the one Stripe refused); no row when the
-- deposit is no longer in @from_status.
UPDATE loans
SET deposit_status = @to_status,
  stripe_payment_intent_id = CASE WHEN @payment_intent_id::text = '' THEN stripe_payment_intent_id ELSE @payment_intent_id::text END,
  stripe_refund_id = CASE WHEN @clear_refund::boolean THEN '' WHEN @refund_id::text = '' THEN stripe_refund_id ELSE @refund_id::text END,
  version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND deposit_status = @from_status
RETURNING *;

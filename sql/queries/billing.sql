-- Express products and prices.

-- name: CreateExpressProduct :one
INSERT INTO express_products (tenant_id, id, code, name, description, kind, term_months, targets, tier_code, coverage,
  eligibility, cooling_off_days, after_cooling_off, compensation)
VALUES (@tenant_id, @id, @code, @name, @description, @kind, @term_months, @targets, @tier_code, @coverage,
  @eligibility, @cooling_off_days, @after_cooling_off, @compensation)
RETURNING *;

-- name: UpdateExpressProduct :one
UPDATE express_products SET name = @name, description = @description, targets = @targets, tier_code = @tier_code,
  coverage = @coverage, eligibility = @eligibility, cooling_off_days = @cooling_off_days,
  after_cooling_off = @after_cooling_off, compensation = @compensation, status = @status,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: SetExpressProductStripeID :exec
UPDATE express_products SET stripe_product_id = @stripe_product_id WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetExpressProduct :one
SELECT * FROM express_products WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListExpressProducts :many
SELECT * FROM express_products
WHERE tenant_id = @tenant_id AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
  AND (NOT @active_only::boolean OR status = 'active')
ORDER BY id LIMIT @lim;

-- name: CreateExpressPrice :one
INSERT INTO express_prices (tenant_id, id, product_id, currency, unit_amount, stripe_price_id)
VALUES (@tenant_id, @id, @product_id, @currency, @unit_amount, @stripe_price_id)
RETURNING *;

-- name: DeactivateExpressPrice :one
UPDATE express_prices SET active = false
WHERE tenant_id = @tenant_id AND product_id = @product_id AND currency = @currency AND active
RETURNING *;

-- name: ListExpressPrices :many
SELECT * FROM express_prices WHERE tenant_id = @tenant_id AND product_id = @product_id ORDER BY created_at, id;

-- name: ActiveExpressPrice :one
SELECT * FROM express_prices WHERE tenant_id = @tenant_id AND product_id = @product_id AND currency = @currency AND active;

-- name: GetExpressPrice :one
SELECT * FROM express_prices WHERE tenant_id = @tenant_id AND id = @id;

-- Purchases.

-- name: CreatePurchase :one
INSERT INTO purchases (tenant_id, id, product_id, price_id, kind, product_code, channel, customer_id, consumer_id,
  registration_id, order_id, outlet_id, currency, amount, credit_applied)
VALUES (@tenant_id, @id, @product_id, @price_id, @kind, @product_code, @channel, @customer_id, @consumer_id,
  @registration_id, @order_id, @outlet_id, @currency, @amount, @credit_applied)
RETURNING *;

-- name: SetPurchaseStripeRefs :exec
UPDATE purchases SET stripe_checkout_session_id = CASE WHEN @session_id::text = '' THEN stripe_checkout_session_id ELSE @session_id::text END,
  stripe_payment_intent_id = CASE WHEN @payment_intent_id::text = '' THEN stripe_payment_intent_id ELSE @payment_intent_id::text END,
  stripe_charge_id = CASE WHEN @charge_id::text = '' THEN stripe_charge_id ELSE @charge_id::text END,
  updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPurchase :one
SELECT * FROM purchases WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPurchaseForUpdate :one
SELECT * FROM purchases WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetPurchaseByIntent :one
SELECT * FROM purchases WHERE tenant_id = @tenant_id AND stripe_payment_intent_id = @payment_intent_id
ORDER BY created_at LIMIT 1;

-- name: ListPurchases :many
SELECT * FROM purchases
WHERE tenant_id = @tenant_id AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
  AND (sqlc.narg('registration_id')::uuid IS NULL OR registration_id = sqlc.narg('registration_id')::uuid)
  AND (sqlc.narg('order_id')::uuid IS NULL OR order_id = sqlc.narg('order_id')::uuid)
  AND (sqlc.narg('customer_id')::uuid IS NULL OR customer_id = sqlc.narg('customer_id')::uuid)
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status')::text)
ORDER BY id LIMIT @lim;

-- name: ActivatePurchase :one
UPDATE purchases SET status = 'active', paid_at = @paid_at, valid_from = @valid_from, valid_until = @valid_until,
  grant_id = @grant_id, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status IN ('pending', 'failed', 'expired')
RETURNING *;

-- name: ExpirePurchase :execrows
-- A checkout session that expired unpaid: the purchase was never paid and never will be.
UPDATE purchases SET status = 'expired', ended_at = now(), version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status IN ('pending', 'failed');

-- name: FailPurchase :execrows
UPDATE purchases SET status = 'failed', version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending';

-- name: EndPurchase :one
UPDATE purchases SET status = @status, ended_at = now(), version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status IN ('pending', 'failed', 'active')
RETURNING *;

-- name: SetPurchaseRefunded :exec
UPDATE purchases SET refunded_amount = GREATEST(refunded_amount, @refunded_amount), updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: RequestPurchaseCancel :exec
UPDATE purchases SET cancel_requested_at = coalesce(cancel_requested_at, @now::timestamptz), version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: ActiveExpressForOrder :one
SELECT p.*, e.targets, e.compensation FROM purchases p
JOIN express_products e ON e.tenant_id = p.tenant_id AND e.id = p.product_id
WHERE p.tenant_id = @tenant_id AND p.order_id = @order_id AND p.kind = 'per_incident' AND p.status = 'active'
ORDER BY p.paid_at, p.id LIMIT 1;

-- name: ActivePlanCodesForUnit :many
SELECT DISTINCT product_code FROM purchases
WHERE tenant_id = @tenant_id AND registration_id = @registration_id AND kind = 'plan' AND status = 'active'
  AND valid_from <= @on_date::date AND valid_until >= @on_date::date;

-- Refunds and compensation.

-- name: CreateRefund :one
INSERT INTO refunds (tenant_id, id, purchase_id, reason, amount, currency, idempotency_key)
VALUES (@tenant_id, @id, @purchase_id, @reason, @amount, @currency, @idempotency_key)
ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
RETURNING *;

-- name: SetRefundRequested :exec
UPDATE refunds SET stripe_refund_id = @stripe_refund_id, status = CASE WHEN status = 'pending' THEN 'requested' ELSE status END
WHERE tenant_id = @tenant_id AND id = @id;

-- name: ConfirmRefund :execrows
UPDATE refunds SET status = 'succeeded', confirmed_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status IN ('pending', 'requested');

-- name: ListRefundsOfPurchase :many
SELECT * FROM refunds WHERE tenant_id = @tenant_id AND purchase_id = @purchase_id ORDER BY created_at, id;

-- name: ListRefunds :many
-- Finance's refund list, oldest first; optionally one purchase's or one status's.
SELECT * FROM refunds
WHERE tenant_id = @tenant_id AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
  AND (sqlc.narg('purchase_id')::uuid IS NULL OR purchase_id = sqlc.narg('purchase_id')::uuid)
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status')::text)
ORDER BY id LIMIT @lim;

-- name: CreateCompensation :one
INSERT INTO compensations (tenant_id, id, purchase_id, order_id, breach_key, target, kind, amount, currency, refund_id, outlet_id)
VALUES (@tenant_id, @id, @purchase_id, @order_id, @breach_key, @target, @kind, @amount, @currency, @refund_id, @outlet_id)
ON CONFLICT (tenant_id, purchase_id, breach_key) DO NOTHING
RETURNING *;

-- name: GetCompensationOfBreach :one
SELECT * FROM compensations WHERE tenant_id = @tenant_id AND purchase_id = @purchase_id AND breach_key = @breach_key;

-- name: PaidPromisesForOrder :many
-- Every active purchase whose promise covers a service order: its per-incident upgrades, and
-- the plans of its unit valid on the day of the breach.
SELECT p.*, e.compensation FROM purchases p
JOIN express_products e ON e.tenant_id = p.tenant_id AND e.id = p.product_id
WHERE p.tenant_id = @tenant_id AND p.status = 'active'
  AND ((p.kind = 'per_incident' AND p.order_id = @order_id)
    OR (p.kind = 'plan' AND p.registration_id = sqlc.narg('registration_id')::uuid
        AND @on_date::date BETWEEN p.valid_from AND p.valid_until))
ORDER BY p.paid_at, p.id
FOR UPDATE OF p;

-- name: IssueCompensation :execrows
UPDATE compensations SET status = 'issued', issued_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending';

-- name: ListCompensations :many
SELECT * FROM compensations
WHERE tenant_id = @tenant_id AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
ORDER BY id LIMIT @lim;

-- Ledger.

-- name: InsertLedgerEntry :execrows
INSERT INTO ledger_entries (tenant_id, id, kind, purchase_id, amount, currency, stripe_object_id, effect_key, memo, occurred_at)
VALUES (@tenant_id, @id, @kind, @purchase_id, @amount, @currency, @stripe_object_id, @effect_key, @memo, @occurred_at)
ON CONFLICT (tenant_id, effect_key) DO NOTHING;

-- name: ListLedger :many
SELECT * FROM ledger_entries
WHERE tenant_id = @tenant_id AND occurred_at >= @from_at AND occurred_at < @to_at
  AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
ORDER BY id LIMIT @lim;

-- name: SumRefundLedgerOfPurchase :one
-- Refunds of flagged payments (their own charges) are not the purchase's.
SELECT coalesce(-sum(l.amount), 0)::bigint FROM ledger_entries l
WHERE l.tenant_id = @tenant_id AND l.purchase_id = @purchase_id AND l.kind IN ('refund', 'compensation')
  AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = @tenant_id AND r.purchase_id = @purchase_id
                  AND l.effect_key = 'refund:' || r.id::text AND r.reason IN ('duplicate', 'wrong_amount'));

-- name: CreateReconciliation :one
INSERT INTO reconciliations (tenant_id, id, from_at, to_at, checked, matched, mismatches)
VALUES (@tenant_id, @id, @from_at, @to_at, @checked, @matched, @mismatches)
RETURNING *;

-- name: ListReconciliations :many
SELECT * FROM reconciliations WHERE tenant_id = @tenant_id ORDER BY created_at DESC, id DESC LIMIT @lim;

-- name: GetReconciliation :one
SELECT * FROM reconciliations WHERE tenant_id = @tenant_id AND id = @id;

-- name: CreateLedgerResolution :one
-- Nothing when the entry was resolved before (ledger_resolutions keeps the first).
INSERT INTO ledger_resolutions (tenant_id, ledger_id, reconciliation_id, outcome, note, resolved_by, resolved_at)
VALUES (@tenant_id, @ledger_id, @reconciliation_id, @outcome, @note, @resolved_by, @resolved_at)
ON CONFLICT (tenant_id, ledger_id) DO NOTHING
RETURNING *;

-- name: ListLedgerResolutions :many
SELECT * FROM ledger_resolutions WHERE tenant_id = @tenant_id AND ledger_id = ANY(@ledger_ids::uuid[]);

-- Platform subscriptions of tenants.

-- name: ListPlatformPlans :many
SELECT * FROM platform_plans WHERE active ORDER BY monthly_amount, code;

-- name: GetPlatformPlan :one
SELECT * FROM platform_plans WHERE code = @code;

-- name: UpsertPlatformPlan :one
INSERT INTO platform_plans (code, name, currency, monthly_amount, per_order_amount, max_outlets, stripe_price_id, stripe_metered_price_id)
VALUES (@code, @name, @currency, @monthly_amount, @per_order_amount, @max_outlets, @stripe_price_id, @stripe_metered_price_id)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, max_outlets = EXCLUDED.max_outlets, active = true
RETURNING *;

-- name: GetPlatformSubscription :one
SELECT * FROM platform_subscriptions WHERE tenant_id = @tenant_id;

-- name: UpsertPlatformSubscription :one
INSERT INTO platform_subscriptions (tenant_id, plan_code, stripe_customer_id, stripe_subscription_id, metered_item_id, status, current_period_end)
VALUES (@tenant_id, @plan_code, @stripe_customer_id, @stripe_subscription_id, @metered_item_id, @status, @current_period_end)
ON CONFLICT (tenant_id) DO UPDATE SET plan_code = EXCLUDED.plan_code, stripe_customer_id = EXCLUDED.stripe_customer_id,
  stripe_subscription_id = EXCLUDED.stripe_subscription_id, metered_item_id = EXCLUDED.metered_item_id,
  status = EXCLUDED.status, current_period_end = EXCLUDED.current_period_end, version = platform_subscriptions.version + 1,
  updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: ApplySubscriptionState :one
UPDATE platform_subscriptions SET status = @status, current_period_end = coalesce(sqlc.narg('current_period_end'), current_period_end),
  last_event_at = @event_at, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND (last_event_at IS NULL OR last_event_at <= @event_at)
RETURNING *;

-- name: SetSubscriptionGrace :one
UPDATE platform_subscriptions SET grace_until = sqlc.narg('grace_until'), version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id
RETURNING *;

-- name: UpsertPlatformInvoice :exec
INSERT INTO platform_invoices (tenant_id, stripe_invoice_id, status, currency, amount_due, amount_paid, hosted_url, period_start, period_end)
VALUES (@tenant_id, @stripe_invoice_id, @status, @currency, @amount_due, @amount_paid, @hosted_url, @period_start, @period_end)
ON CONFLICT (tenant_id, stripe_invoice_id) DO UPDATE SET
  status = CASE WHEN platform_invoices.status = 'paid' THEN 'paid' ELSE EXCLUDED.status END,
  amount_paid = GREATEST(platform_invoices.amount_paid, EXCLUDED.amount_paid), updated_at = EXCLUDED.updated_at;

-- name: ListPlatformInvoices :many
SELECT * FROM platform_invoices WHERE tenant_id = @tenant_id ORDER BY created_at DESC, stripe_invoice_id LIMIT @lim;

-- name: CountUsage :exec
INSERT INTO usage_counters (tenant_id, metric, month, count) VALUES (@tenant_id, @metric, @month, @n)
ON CONFLICT (tenant_id, metric, month) DO UPDATE SET count = usage_counters.count + EXCLUDED.count;

-- name: GetUsage :one
SELECT * FROM usage_counters WHERE tenant_id = @tenant_id AND metric = @metric AND month = @month;

-- name: MarkUsageReported :exec
UPDATE usage_counters SET reported = GREATEST(reported, @reported) WHERE tenant_id = @tenant_id AND metric = @metric AND month = @month;

-- name: SetTenantStatus :execrows
UPDATE tenants SET status = @status, version = version + 1, updated_at = now() WHERE id = @id AND status = @from_status;

-- name: GetTenantStatus :one
SELECT status FROM tenants WHERE id = @id;

-- Platform path: the webhook inbox and routes (no tenant in the transaction).

-- name: InsertStripeEvent :execrows
INSERT INTO stripe_events (id, type, livemode, created, payload, target_tenant, object_keys)
VALUES (@id, @type, @livemode, @created, @payload, @target_tenant, @object_keys)
ON CONFLICT (id) DO NOTHING;

-- name: GetStripeEvent :one
SELECT * FROM stripe_events WHERE id = @id;

-- name: FinishStripeEvent :exec
UPDATE stripe_events SET outcome = @outcome, detail = @detail, target_tenant = coalesce(sqlc.narg('target_tenant'), target_tenant),
  attempts = attempts + 1, processed_at = now()
WHERE id = @id;

-- name: DeferredStripeEvents :many
SELECT id FROM stripe_events WHERE outcome = 'deferred' AND object_keys && @keys::text[] ORDER BY created, id;

-- name: PutStripeRoute :exec
INSERT INTO stripe_routes (object_id, tenant, purchase) VALUES (@object_id, @tenant, @purchase)
ON CONFLICT (object_id) DO NOTHING;

-- name: GetStripeRoute :one
SELECT * FROM stripe_routes WHERE object_id = ANY(@ids::text[]) ORDER BY object_id LIMIT 1;

-- name: StripeRouteOwners :many
-- The tenants that objects are routed to (an event's objects should all be one tenant's).
SELECT DISTINCT tenant FROM stripe_routes WHERE object_id = ANY(@ids::text[]);

-- name: TenantExists :one
SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @id)::boolean;

-- name: SetExpressPriceStripeID :exec
UPDATE express_prices SET stripe_price_id = @stripe_price_id WHERE tenant_id = @tenant_id AND id = @id;

-- name: CountOutletsInRegions :one
SELECT count(*) FROM outlets WHERE tenant_id = @tenant_id AND status = 'active'
  AND (province_code = ANY(@province_codes::text[]) OR city_code = ANY(@city_codes::text[]));

-- name: SetPlatformPlanPrices :exec
UPDATE platform_plans SET stripe_price_id = @stripe_price_id, stripe_metered_price_id = @stripe_metered_price_id WHERE code = @code;

-- name: LockStripeRoutes :exec
-- Serializes learning routes and deferring events, so no deferred event misses its wake-up.
SELECT pg_advisory_xact_lock(70110001);

-- name: GetTenantStatusBySlug :one
SELECT status FROM tenants WHERE slug = @slug;

-- name: CountOrdersInMonth :one
SELECT count(*) FROM service_orders WHERE tenant_id = @tenant_id AND created_at >= @from_at AND created_at < @to_at;

-- name: RaiseUsage :exec
INSERT INTO usage_counters (tenant_id, metric, month, count) VALUES (@tenant_id, @metric, @month, @n)
ON CONFLICT (tenant_id, metric, month) DO UPDATE SET count = GREATEST(usage_counters.count, EXCLUDED.count);

-- name: GetOrderCustomer :one
SELECT customer_id, outlet_id FROM service_orders WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetStripeRouteOf :one
-- The recorded owner of one object (e.g. "purchase:<id>", written when the platform created it).
SELECT * FROM stripe_routes WHERE object_id = @object_id;

-- name: GetCompensationByRefund :one
SELECT * FROM compensations WHERE tenant_id = @tenant_id AND refund_id = @refund_id;

-- Money made right: duplicates, flagged payments, refund failures, disputes, credits.

-- name: LockOrderForPurchase :exec
-- Serializes activating upgrades of one order (a second identical one is refused).
SELECT id FROM service_orders WHERE tenant_id = @tenant_id AND id = @id FOR NO KEY UPDATE;

-- name: LockRegistrationForPlan :exec
-- Serializes activating plans of one unit (a later plan's term follows the earlier one's).
SELECT id FROM registrations WHERE tenant_id = @tenant_id AND id = @id FOR NO KEY UPDATE;

-- name: ActiveUpgradeOfOrder :one
-- Another active purchase of the same upgrade for the same order.
SELECT id FROM purchases
WHERE tenant_id = @tenant_id AND order_id = @order_id AND product_id = @product_id AND kind = 'per_incident'
  AND status = 'active' AND id <> @id
LIMIT 1;

-- name: LastPlanDayOfUnit :one
-- The last day covered by the unit's active plans (1900-01-01 when none).
SELECT coalesce(max(valid_until), '1900-01-01'::date)::date AS last_day FROM purchases
WHERE tenant_id = @tenant_id AND registration_id = @registration_id AND kind = 'plan' AND status = 'active' AND id <> @id;

-- name: CreatePaymentFlag :one
INSERT INTO payment_flags (tenant_id, id, purchase_id, kind, stripe_payment_intent_id, stripe_charge_id, expected_amount,
  expected_currency, received_amount, received_currency, status, resolution, refund_id)
VALUES (@tenant_id, @id, @purchase_id, @kind, @stripe_payment_intent_id, @stripe_charge_id, @expected_amount,
  @expected_currency, @received_amount, @received_currency, @status, @resolution, @refund_id)
ON CONFLICT (tenant_id, stripe_payment_intent_id) DO NOTHING
RETURNING *;

-- name: GetPaymentFlag :one
SELECT * FROM payment_flags WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetPaymentFlagForUpdate :one
SELECT * FROM payment_flags WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GetPaymentFlagByIntent :one
SELECT * FROM payment_flags WHERE tenant_id = @tenant_id AND stripe_payment_intent_id = @payment_intent_id FOR UPDATE;

-- name: ListPaymentFlags :many
SELECT * FROM payment_flags
WHERE tenant_id = @tenant_id AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
  AND (sqlc.narg('status')::text IS NULL OR status = sqlc.narg('status')::text)
ORDER BY id LIMIT @lim;

-- name: ResolvePaymentFlag :one
UPDATE payment_flags SET status = @status, resolution = @resolution, refund_id = coalesce(sqlc.narg('refund_id'), refund_id),
  resolved_by = sqlc.narg('resolved_by'), resolved_at = @resolved_at, version = version + 1
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: GetRefund :one
SELECT * FROM refunds WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetRefundByStripeID :one
SELECT * FROM refunds WHERE tenant_id = @tenant_id AND stripe_refund_id = @stripe_refund_id;

-- name: FailRefund :one
-- Stripe reports the refund failed (or was canceled): a failure is final for this refund.
UPDATE refunds SET status = 'failed', failure_reason = @failure_reason
WHERE tenant_id = @tenant_id AND id = @id AND status <> 'failed'
RETURNING *;

-- name: CountFailedRefunds :one
SELECT count(*) FROM refunds WHERE tenant_id = @tenant_id AND purchase_id = @purchase_id AND reason = @reason AND status = 'failed';

-- name: ClearPurchaseCancel :exec
UPDATE purchases SET cancel_requested_at = NULL, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: FailCompensationOfRefund :execrows
UPDATE compensations SET status = 'failed'
WHERE tenant_id = @tenant_id AND refund_id = @refund_id AND status = 'pending';

-- name: RecordDispute :one
INSERT INTO disputes (tenant_id, stripe_dispute_id, purchase_id, amount, currency, reason)
VALUES (@tenant_id, @stripe_dispute_id, @purchase_id, @amount, @currency, @reason)
ON CONFLICT (tenant_id, stripe_dispute_id) DO UPDATE SET reason = EXCLUDED.reason
RETURNING *;

-- name: CloseDispute :execrows
UPDATE disputes SET status = @status, closed_at = @closed_at
WHERE tenant_id = @tenant_id AND stripe_dispute_id = @stripe_dispute_id AND status = 'open';

-- name: ReinstatePurchase :one
-- A dispute won: the purchase is active again.
UPDATE purchases SET status = 'active', ended_at = NULL, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND status = 'disputed'
RETURNING *;

-- name: ReinstateGrant :exec
UPDATE coverage_grants SET status = 'active' WHERE tenant_id = @tenant_id AND id = @id AND status = 'cancelled';

-- name: GetBillingSettings :one
SELECT * FROM billing_settings WHERE tenant_id = @tenant_id;

-- name: PutBillingSettings :one
INSERT INTO billing_settings (tenant_id, credit_validity_days, labour_rates, visit_fee, discount_limits, version, updated_at)
VALUES (@tenant_id, @credit_validity_days, @labour_rates, @visit_fee, @discount_limits, 1, @now)
ON CONFLICT (tenant_id) DO UPDATE SET credit_validity_days = EXCLUDED.credit_validity_days,
  labour_rates = EXCLUDED.labour_rates, visit_fee = EXCLUDED.visit_fee, discount_limits = EXCLUDED.discount_limits,
  version = billing_settings.version + 1, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: CreateCredit :one
INSERT INTO credits (tenant_id, id, customer_id, compensation_id, currency, amount, remaining, issued_on, expires_on)
VALUES (@tenant_id, @id, @customer_id, @compensation_id, @currency, @amount, @amount, @issued_on, @expires_on)
ON CONFLICT (tenant_id, compensation_id) DO NOTHING
RETURNING *;

-- name: CreateDepositCredit :one
-- A deposit taken at check-in, held as the customer's credit.
INSERT INTO credits (tenant_id, id, customer_id, currency, amount, remaining, issued_on, expires_on, deposit_order_id, deposit_method,
  deposit_reference, taken_by)
VALUES (@tenant_id, @id, @customer_id, @currency, @amount, @amount, @issued_on, @expires_on, @deposit_order_id, @deposit_method,
  @deposit_reference, @taken_by)
RETURNING *;

-- name: SpendableCredits :many
-- A customer's credits still spendable on a day, soonest to expire first, locked for spending.
SELECT * FROM credits
WHERE tenant_id = @tenant_id AND customer_id = @customer_id AND currency = @currency AND status = 'open'
  AND remaining > 0 AND expires_on >= @on_date::date
ORDER BY expires_on, id
FOR UPDATE;

-- name: TakeCredit :exec
UPDATE credits SET remaining = remaining - @amount, status = CASE WHEN remaining - @amount = 0 THEN 'spent' ELSE status END
WHERE tenant_id = @tenant_id AND id = @id;

-- name: ReturnCredit :one
-- Gives back reserved credit; an expired credit stays expired (the caller records the amount).
UPDATE credits SET remaining = CASE WHEN status = 'expired' THEN remaining ELSE remaining + @amount END,
  status = CASE WHEN status = 'spent' THEN 'open' ELSE status END
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: CreateCreditRedemption :exec
INSERT INTO credit_redemptions (tenant_id, id, credit_id, purchase_id, amount) VALUES (@tenant_id, @id, @credit_id, @purchase_id, @amount);

-- name: SetRedemptionsOfPurchase :many
-- Moves a purchase's reserved credit on: redeemed (paid) or released (it ended unpaid).
UPDATE credit_redemptions SET status = @status
WHERE tenant_id = @tenant_id AND purchase_id = @purchase_id AND status = 'reserved'
RETURNING *;

-- name: ListCredits :many
SELECT * FROM credits
WHERE tenant_id = @tenant_id AND (sqlc.narg('customer_id')::uuid IS NULL OR customer_id = sqlc.narg('customer_id')::uuid)
  AND (sqlc.narg('after')::uuid IS NULL OR id > sqlc.narg('after')::uuid)
ORDER BY id LIMIT @lim;

-- name: ExpiringCredits :many
-- Open credits whose last spendable day is before on_date, locked for expiry.
SELECT * FROM credits
WHERE tenant_id = @tenant_id AND status = 'open' AND expires_on < @on_date::date
ORDER BY id LIMIT @lim
FOR UPDATE;

-- name: ExpireCredit :exec
UPDATE credits SET status = 'expired', remaining = 0 WHERE tenant_id = @tenant_id AND id = @id AND status = 'open';

-- name: GetPaymentFlagByRefund :one
SELECT * FROM payment_flags WHERE tenant_id = @tenant_id AND refund_id = @refund_id;

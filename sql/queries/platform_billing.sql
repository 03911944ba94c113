-- Paying and managing the platform subscription (Checkout, the customer portal, invoices
-- with their PDFs, grace reminders).

-- name: StorePlatformInvoice :exec
-- An invoice as Stripe last showed it: a paid invoice stays paid, the amount paid only grows,
-- links are kept once known.
INSERT INTO platform_invoices (tenant_id, stripe_invoice_id, status, currency, amount_due, amount_paid, hosted_url, invoice_pdf,
  period_start, period_end)
VALUES (@tenant_id, @stripe_invoice_id, @status, @currency, @amount_due, @amount_paid, @hosted_url, @invoice_pdf,
  @period_start, @period_end)
ON CONFLICT (tenant_id, stripe_invoice_id) DO UPDATE SET
  status = CASE WHEN platform_invoices.status = 'paid' THEN 'paid' ELSE EXCLUDED.status END,
  amount_due = EXCLUDED.amount_due,
  amount_paid = GREATEST(platform_invoices.amount_paid, EXCLUDED.amount_paid),
  hosted_url = CASE WHEN EXCLUDED.hosted_url <> '' THEN EXCLUDED.hosted_url ELSE platform_invoices.hosted_url END,
  invoice_pdf = CASE WHEN EXCLUDED.invoice_pdf <> '' THEN EXCLUDED.invoice_pdf ELSE platform_invoices.invoice_pdf END,
  period_start = coalesce(EXCLUDED.period_start, platform_invoices.period_start),
  period_end = coalesce(EXCLUDED.period_end, platform_invoices.period_end),
  updated_at = EXCLUDED.updated_at;

-- name: GetPlatformInvoice :one
SELECT * FROM platform_invoices WHERE tenant_id = @tenant_id AND stripe_invoice_id = @stripe_invoice_id;

-- name: EnsureSubscriptionCustomer :one
-- The tenant's Stripe customer, recorded before Checkout: a first row is an incomplete
-- subscription to the plan chosen; an existing row keeps its customer and state.
INSERT INTO platform_subscriptions (tenant_id, plan_code, stripe_customer_id, status)
VALUES (@tenant_id, @plan_code, @stripe_customer_id, 'incomplete')
ON CONFLICT (tenant_id) DO UPDATE SET
  stripe_customer_id = CASE WHEN platform_subscriptions.stripe_customer_id = '' THEN EXCLUDED.stripe_customer_id
    ELSE platform_subscriptions.stripe_customer_id END
RETURNING *;

-- name: MarkGraceReminded :execrows
-- Claims the reminder of the current grace period's end: one row the first time only.
UPDATE platform_subscriptions SET grace_reminded_for = grace_until
WHERE tenant_id = @tenant_id AND grace_until IS NOT NULL AND grace_reminded_for IS DISTINCT FROM grace_until;

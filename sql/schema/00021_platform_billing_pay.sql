-- +goose Up
-- Tenants pay and manage their platform plan: invoices keep their PDF link, and the grace
-- period's end is announced once per grace period (the grace_until it was announced for).
ALTER TABLE platform_invoices ADD COLUMN invoice_pdf text NOT NULL DEFAULT '';
ALTER TABLE platform_subscriptions ADD COLUMN grace_reminded_for timestamptz;
COMMENT ON COLUMN platform_subscriptions.grace_reminded_for IS 'The grace_until whose coming end the tenant admins were reminded of (once per grace period).';

-- +goose Down
ALTER TABLE platform_subscriptions DROP COLUMN grace_reminded_for;
ALTER TABLE platform_invoices DROP COLUMN invoice_pdf;

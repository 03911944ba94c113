-- +goose Up
-- Sandbox tenants keep their own "now": a test clock, frozen until a tenant admin advances
-- it (POST /v1/sandbox/clock/advance). Production tenants run on the wall clock and have
-- no test clock; whether a tenant is a sandbox is decided at onboarding and never changes
-- (no query writes the column after the INSERT).
ALTER TABLE tenants ADD COLUMN sandbox boolean NOT NULL DEFAULT false,
  ADD COLUMN test_clock timestamptz,
  ADD CONSTRAINT tenants_test_clock_sandbox CHECK ((test_clock IS NOT NULL) = sandbox);
COMMENT ON COLUMN tenants.sandbox IS 'Whether the tenant is a sandbox: its business rules follow test_clock, not the wall clock. Set at onboarding only.';
COMMENT ON COLUMN tenants.test_clock IS 'A sandbox tenant''s now: frozen, moved only forward by its admin; NULL for production tenants.';

-- +goose Down
ALTER TABLE tenants DROP CONSTRAINT tenants_test_clock_sandbox, DROP COLUMN test_clock, DROP COLUMN sandbox;

-- name: CreateTenant :one
INSERT INTO tenants (id, slug, name, kind, timezone, currency, locale, sandbox, test_clock)
VALUES (@id, @slug, @name, @kind, @timezone, @currency, @locale, @sandbox, sqlc.narg(test_clock))
RETURNING *;

-- name: GetTenant :one
SELECT * FROM tenants WHERE id = @id;

-- name: ListTenants :many
SELECT * FROM tenants
WHERE (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: ListTenantsNewest :many
-- The platform's tenant list: the newest first (an operator sees the tenant just onboarded).
SELECT * FROM tenants
WHERE (sqlc.narg(before)::uuid IS NULL OR id < sqlc.narg(before)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: UpdateTenant :one
UPDATE tenants
SET name = @name, status = @status, timezone = @timezone, currency = @currency, locale = @locale,
    version = version + 1, updated_at = now()
WHERE id = @id AND version = @version
RETURNING *;

-- name: GetTenantBySlug :one
SELECT * FROM tenants WHERE slug = @slug;

-- name: GetTenantClock :one
-- Whether the tenant is a sandbox, and its test clock (NULL for production tenants).
SELECT sandbox, test_clock FROM tenants WHERE id = @id;

-- name: AdvanceTestClock :one
-- Moves a sandbox tenant's test clock forward to @moment (never back): no row for a
-- production tenant or a clock already past @moment. The caller names its transaction's
-- tenant (tenants.AdvanceClock passes tx.Scope.TenantID only).
UPDATE tenants SET test_clock = @moment::timestamptz
WHERE id = @tenant_id AND sandbox AND test_clock <= @moment::timestamptz
RETURNING test_clock::timestamptz;

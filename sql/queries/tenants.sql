-- name: CreateTenant :one
INSERT INTO tenants (id, slug, name, kind, timezone, currency, locale)
VALUES (@id, @slug, @name, @kind, @timezone, @currency, @locale)
RETURNING *;

-- name: GetTenant :one
SELECT * FROM tenants WHERE id = @id;

-- name: ListTenants :many
SELECT * FROM tenants
WHERE (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: UpdateTenant :one
UPDATE tenants
SET name = @name, status = @status, timezone = @timezone, currency = @currency, locale = @locale,
    version = version + 1, updated_at = now()
WHERE id = @id AND version = @version
RETURNING *;

-- name: GetTenantBySlug :one
SELECT * FROM tenants WHERE slug = @slug;

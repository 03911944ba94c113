-- name: CreateCategory :one
INSERT INTO product_categories (tenant_id, id, code, name) VALUES (@tenant_id, @id, @code, @name) RETURNING *;

-- name: GetCategory :one
SELECT * FROM product_categories WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListCategories :many
SELECT * FROM product_categories
WHERE tenant_id = @tenant_id AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id LIMIT @lim;

-- name: UpdateCategory :one
UPDATE product_categories SET code = @code, name = @name, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version RETURNING *;

-- name: CreateModel :one
INSERT INTO product_models (tenant_id, id, category_id, sku, name, components, serial_pattern, imei, needs_install)
VALUES (@tenant_id, @id, @category_id, @sku, @name, @components, @serial_pattern, @imei, @needs_install)
RETURNING *;

-- name: GetModel :one
SELECT * FROM product_models WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetModelBySKU :one
SELECT * FROM product_models WHERE tenant_id = @tenant_id AND sku = @sku;

-- name: ListModels :many
SELECT * FROM product_models
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(category_id)::uuid IS NULL OR category_id = sqlc.narg(category_id)::uuid)
ORDER BY id LIMIT @lim;

-- name: AllModels :many
-- Every model of the tenant, for resolving SKUs during imports.
SELECT * FROM product_models WHERE tenant_id = @tenant_id;

-- name: UpdateModel :one
UPDATE product_models
SET category_id = @category_id, sku = @sku, name = @name, components = @components, serial_pattern = @serial_pattern,
    imei = @imei, needs_install = @needs_install, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version RETURNING *;

-- name: UpsertFaultCode :one
-- Creates the code on first use; an existing code is returned unchanged.
INSERT INTO fault_codes (tenant_id, id, code, name, component) VALUES (@tenant_id, @id, @code, @name, @component)
ON CONFLICT (tenant_id, code) DO UPDATE SET code = EXCLUDED.code
RETURNING *;

-- name: GetFaultCode :one
SELECT * FROM fault_codes WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListFaultCodes :many
SELECT * FROM fault_codes
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(prefix)::text IS NULL OR code LIKE sqlc.narg(prefix)::text || '%')
ORDER BY id LIMIT @lim;

-- name: MergeFaultCode :one
UPDATE fault_codes SET merged_into = @target_id WHERE tenant_id = @tenant_id AND id = @id AND merged_into IS NULL RETURNING *;

-- name: GetFaultCodeByCode :one
SELECT * FROM fault_codes WHERE tenant_id = @tenant_id AND code = @code;

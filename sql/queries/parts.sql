-- name: CreatePart :one
INSERT INTO parts (tenant_id, id, part_no, name_zh, name_en, model_ids, components, substitute_ids, serial_tracked,
                   currency, unit_cost, outlet_price, consumer_price, active, return_required)
VALUES (@tenant_id, @id, @part_no, @name_zh, @name_en, @model_ids, @components, @substitute_ids, @serial_tracked,
        @currency, @unit_cost, @outlet_price, @consumer_price, @active, @return_required)
RETURNING *;

-- name: UpsertPart :exec
-- An import row: a new part, or new fields of the part with that number.
INSERT INTO parts (tenant_id, id, part_no, name_zh, name_en, model_ids, components, substitute_ids, serial_tracked,
                   currency, unit_cost, outlet_price, consumer_price, active, return_required, updated_at)
VALUES (@tenant_id, @id, @part_no, @name_zh, @name_en, @model_ids, @components, @substitute_ids, @serial_tracked,
        @currency, @unit_cost, @outlet_price, @consumer_price, @active, @return_required, @updated_at)
ON CONFLICT (tenant_id, part_no) DO UPDATE
SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, model_ids = EXCLUDED.model_ids, components = EXCLUDED.components,
    substitute_ids = EXCLUDED.substitute_ids, serial_tracked = EXCLUDED.serial_tracked, currency = EXCLUDED.currency,
    unit_cost = EXCLUDED.unit_cost, outlet_price = EXCLUDED.outlet_price, consumer_price = EXCLUDED.consumer_price,
    active = EXCLUDED.active, return_required = EXCLUDED.return_required, version = parts.version + 1,
    updated_at = EXCLUDED.updated_at;

-- name: GetPart :one
SELECT * FROM parts WHERE tenant_id = @tenant_id AND id = @id;

-- name: PartsByNumbers :many
SELECT id, part_no FROM parts WHERE tenant_id = @tenant_id AND part_no = ANY(@part_nos::text[]);

-- name: CountPartsByIDs :one
SELECT count(*) FROM parts WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]);

-- name: ListParts :many
SELECT * FROM parts
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(q)::text IS NULL OR part_no ILIKE '%' || sqlc.narg(q)::text || '%' OR name_zh ILIKE '%' || sqlc.narg(q)::text || '%'
       OR name_en ILIKE '%' || sqlc.narg(q)::text || '%')
  AND (sqlc.narg(model_id)::uuid IS NULL OR sqlc.narg(model_id)::uuid = ANY(model_ids))
ORDER BY id LIMIT @lim;

-- name: UpdatePart :one
UPDATE parts
SET part_no = @part_no, name_zh = @name_zh, name_en = @name_en, model_ids = @model_ids, components = @components,
    substitute_ids = @substitute_ids, serial_tracked = @serial_tracked, currency = @currency, unit_cost = @unit_cost,
    outlet_price = @outlet_price, consumer_price = @consumer_price, active = @active, return_required = @return_required,
    version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version RETURNING *;

-- name: PartHasStock :one
-- Whether the part has stock or serials anywhere, which forbids turning serial tracking on or off.
SELECT EXISTS (SELECT 1 FROM stock_balances b WHERE b.tenant_id = @tenant_id AND b.part_id = @part_id AND b.on_hand > 0);

-- name: CountModelsByIDs :one
SELECT count(*) FROM product_models WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]);

-- name: ModelsBySKUs :many
SELECT id, sku FROM product_models WHERE tenant_id = @tenant_id AND sku = ANY(@skus::text[]);

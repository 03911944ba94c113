-- name: UpsertTier :one
INSERT INTO service_tiers (tenant_id, code, name, rank, targets, on_site, loaner, is_default)
VALUES (@tenant_id, @code, @name, @rank, @targets, @on_site, @loaner, @is_default)
ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank, targets = EXCLUDED.targets,
  on_site = EXCLUDED.on_site, loaner = EXCLUDED.loaner, is_default = EXCLUDED.is_default
RETURNING *;

-- name: ListTiers :many
SELECT * FROM service_tiers WHERE tenant_id = @tenant_id ORDER BY rank, code;

-- name: DeleteTier :execrows
DELETE FROM service_tiers WHERE tenant_id = @tenant_id AND code = @code;

-- name: ClearDefaultTier :exec
UPDATE service_tiers SET is_default = false WHERE tenant_id = @tenant_id AND is_default AND code <> @code;

-- name: CreateTierRule :one
INSERT INTO tier_rules (tenant_id, id, tier_code, kind, min_lifetime_value, match)
VALUES (@tenant_id, @id, @tier_code, @kind, @min_lifetime_value, @match) RETURNING *;

-- name: ListTierRules :many
SELECT * FROM tier_rules WHERE tenant_id = @tenant_id ORDER BY id;

-- name: DeleteTierRule :execrows
DELETE FROM tier_rules WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetTierRule :one
SELECT * FROM tier_rules WHERE tenant_id = @tenant_id AND id = @id;

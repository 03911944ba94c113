-- name: UpsertTier :one
-- A row of another replacement written since (its version as high) is not overwritten: no
-- row comes back, and the replacement is stale.
INSERT INTO service_tiers (tenant_id, code, name, rank, targets, on_site, loaner, is_default, version)
VALUES (@tenant_id, @code, @name, @rank, @targets, @on_site, @loaner, @is_default, @version)
ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name, rank = EXCLUDED.rank, targets = EXCLUDED.targets,
  on_site = EXCLUDED.on_site, loaner = EXCLUDED.loaner, is_default = EXCLUDED.is_default, version = EXCLUDED.version
WHERE service_tiers.version < EXCLUDED.version
RETURNING *;

-- name: LockTiersVersion :one
-- The version of the tenant's tiers (1 while none are stored: the defaults), their rows
-- locked until commit.
SELECT coalesce(max(version), 1)::integer FROM (
  SELECT version FROM service_tiers WHERE tenant_id = @tenant_id FOR UPDATE) v;

-- name: TiersVersion :one
SELECT coalesce(max(version), 1)::integer FROM service_tiers WHERE tenant_id = @tenant_id;

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

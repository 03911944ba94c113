-- name: CreatePolicy :one
INSERT INTO warranty_policies (tenant_id, id, name, category_ids, model_ids)
VALUES (@tenant_id, @id, @name, @category_ids, @model_ids) RETURNING *;

-- name: GetPolicy :one
SELECT * FROM warranty_policies WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListPolicies :many
SELECT * FROM warranty_policies
WHERE tenant_id = @tenant_id AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id LIMIT @lim;

-- name: UpdatePolicy :one
UPDATE warranty_policies SET name = @name, category_ids = @category_ids, model_ids = @model_ids,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version RETURNING *;

-- name: NextPolicyVersion :one
-- Locks the policy (concurrent additions of versions wait) and gives its next version
-- number; AddPolicyVersion then stores it. Two statements rather than one INSERT ...
-- SELECT max(version): Citus runs each on the tenant's shard.
SELECT (coalesce((SELECT max(v.version) FROM policy_versions v WHERE v.tenant_id = @tenant_id AND v.policy_id = p.id), 0) + 1)::integer
FROM warranty_policies p
WHERE p.tenant_id = @tenant_id AND p.id = @policy_id
FOR UPDATE OF p;

-- name: AddPolicyVersion :one
INSERT INTO policy_versions (tenant_id, policy_id, version, effective_from, body, created_by)
VALUES (@tenant_id, @policy_id, @version, @effective_from, @body, @created_by)
RETURNING *;

-- name: ListPolicyVersions :many
SELECT * FROM policy_versions WHERE tenant_id = @tenant_id AND policy_id = @policy_id ORDER BY version;

-- name: LockPolicies :exec
-- Serialises changes of a tenant's policies' scopes and dates until commit, so that two
-- policies for one model or category cannot pass their checks at once.
SELECT pg_advisory_xact_lock(hashtextextended('policies:' || @tenant_id::text, 0));

-- name: PoliciesSharingScope :many
-- The other policies that name one of the models, or one of the categories, with the ones
-- they share.
SELECT p.id, p.name,
  ARRAY(SELECT unnest(p.model_ids) INTERSECT SELECT unnest(@model_ids::uuid[]))::uuid[] AS shared_models,
  ARRAY(SELECT unnest(p.category_ids) INTERSECT SELECT unnest(@category_ids::uuid[]))::uuid[] AS shared_categories
FROM warranty_policies p
WHERE p.tenant_id = @tenant_id AND p.id <> @id
  AND (p.model_ids && @model_ids::uuid[] OR p.category_ids && @category_ids::uuid[])
ORDER BY p.id;

-- name: JudgedUnitsSince :one
-- The registered units of the models or categories bought on or after from_date that a
-- policy version already judges (a policy naming the unit's model or category with a version
-- in force on the purchase date), with one serial for the message.
SELECT count(*)::bigint AS units, coalesce(min(r.serial), '')::text AS example
FROM registrations r
JOIN product_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
WHERE r.tenant_id = @tenant_id AND r.purchase_date >= @from_date
  AND (r.model_id = ANY (@model_ids::uuid[]) OR m.category_id = ANY (@category_ids::uuid[]))
  AND EXISTS (
    SELECT 1 FROM warranty_policies p
    JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.id
    WHERE p.tenant_id = @tenant_id AND (r.model_id = ANY (p.model_ids) OR m.category_id = ANY (p.category_ids))
      AND v.effective_from <= r.purchase_date);

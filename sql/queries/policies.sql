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

-- name: PolicyVersionFor :one
-- The version in force on a date of the policy that applies to a model: a policy naming the
-- model wins over one naming its category; the latest version effective on or before the date.
SELECT v.*, p.name AS policy_name
FROM warranty_policies p
JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.id
WHERE p.tenant_id = @tenant_id
  AND (@model_id::uuid = ANY (p.model_ids) OR @category_id::uuid = ANY (p.category_ids))
  AND v.effective_from <= @on_date
ORDER BY (@model_id::uuid = ANY (p.model_ids)) DESC, v.effective_from DESC, p.id
LIMIT 1;

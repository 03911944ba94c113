-- name: LockCommissionRules :exec
-- Serialises additions of versions to a tenant's pay rules until commit (numbers stay dense).
SELECT pg_advisory_xact_lock(hashtextextended('commission:' || @tenant_id::text, 0));

-- name: LastCommissionVersion :one
SELECT coalesce(max(version), 0)::integer FROM commission_rule_versions WHERE tenant_id = @tenant_id;

-- name: AddCommissionVersion :one
INSERT INTO commission_rule_versions (tenant_id, version, effective_from, rules, note, created_by)
VALUES (@tenant_id, @version, @effective_from, @rules, @note, @created_by)
RETURNING *;

-- name: ListCommissionVersions :many
SELECT * FROM commission_rule_versions WHERE tenant_id = @tenant_id ORDER BY version;

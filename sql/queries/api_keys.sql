-- name: CreateAPIKey :one
INSERT INTO api_keys (tenant_id, id, name, role, outlet_id, scopes, secret_hash, created_by, expires_at)
VALUES (@tenant_id, @id, @name, @role, @outlet_id, @scopes, @secret_hash, @created_by, @expires_at)
RETURNING *;

-- name: GetAPIKey :one
SELECT * FROM api_keys WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListAPIKeys :many
SELECT * FROM api_keys
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: RevokeAPIKey :execrows
UPDATE api_keys SET revoked_at = now() WHERE tenant_id = @tenant_id AND id = @id AND revoked_at IS NULL;

-- name: TouchAPIKey :exec
-- Records use at most once a minute to keep the hot path free of writes.
UPDATE api_keys SET last_used_at = now()
WHERE tenant_id = @tenant_id AND id = @id
  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: APIKeyForAuth :one
-- A key being presented, with its tenant's status (a read-only tenant refuses writes), in
-- one statement.
SELECT sqlc.embed(k), t.status AS tenant_status
FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
WHERE k.tenant_id = @tenant_id AND k.id = @id;

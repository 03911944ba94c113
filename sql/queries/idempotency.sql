-- name: ClaimIdempotencyKey :one
-- Inserts a pending record; returns no row when the key is already taken.
INSERT INTO idempotency_keys (tenant_id, key, principal, operation, request_hash)
VALUES (@tenant_id, @key, @principal, @operation, @request_hash)
ON CONFLICT (tenant_id, key) DO NOTHING
RETURNING *;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE tenant_id = @tenant_id AND key = @key;

-- name: CompleteIdempotencyKey :exec
UPDATE idempotency_keys SET status = @status, response = @response, content_type = @content_type, completed_at = now()
WHERE tenant_id = @tenant_id AND key = @key;

-- name: ReleaseIdempotencyKey :exec
-- Frees a key whose request failed before a response worth replaying.
DELETE FROM idempotency_keys WHERE tenant_id = @tenant_id AND key = @key AND completed_at IS NULL;

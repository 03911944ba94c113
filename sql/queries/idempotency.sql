-- name: LockIdempotencyKey :one
-- Takes the key's transaction-level advisory lock unless another transaction holds it, that
-- is unless a request with the key is in flight. The lock ends with the transaction however
-- it ends: commit, rollback, or a connection lost with its server.
SELECT pg_try_advisory_xact_lock(hashtextextended(CAST(sqlc.arg(tenant_id)::uuid AS text) || '/' || sqlc.arg(key)::text, 0))::boolean AS held;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE tenant_id = @tenant_id AND key = @key;

-- name: SaveIdempotentResponse :execrows
-- Records the key with the response to replay, in the transaction of the request's changes.
-- A record without a response is a claim an earlier server committed ahead of its request
-- and abandoned in a crash: it is taken over. A completed record is never overwritten: no
-- row is written, and the caller rolls back.
-- The times come from the inserted row (EXCLUDED), not now() in DO UPDATE, which Citus refuses.
INSERT INTO idempotency_keys (tenant_id, key, principal, operation, request_hash, status, response, content_type, headers,
  created_at, completed_at)
VALUES (@tenant_id, @key, @principal, @operation, @request_hash, @status, @response, @content_type, @headers, now(), now())
ON CONFLICT (tenant_id, key) DO UPDATE SET principal = EXCLUDED.principal, operation = EXCLUDED.operation,
  request_hash = EXCLUDED.request_hash, status = EXCLUDED.status, response = EXCLUDED.response,
  content_type = EXCLUDED.content_type, headers = EXCLUDED.headers, created_at = EXCLUDED.created_at,
  completed_at = EXCLUDED.completed_at
WHERE idempotency_keys.status IS NULL;

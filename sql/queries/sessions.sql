-- name: CreateSession :one
INSERT INTO sessions (id, token_hash, user_id, consumer_id, ip, user_agent, expires_at)
VALUES (@id, @token_hash, @user_id, @consumer_id, @ip, @user_agent, @expires_at)
RETURNING *;

-- name: RevokeSession :exec
UPDATE sessions SET revoked_at = now() WHERE token_hash = @token_hash AND revoked_at IS NULL;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at < @before OR revoked_at < @before;

-- name: SessionPrincipal :one
-- A live session with its user or consumer, in one round trip.
SELECT s.id AS session_id, s.last_used_at, s.user_id, s.consumer_id,
       coalesce(u.email, '')::text AS user_email, coalesce(u.is_platform_admin, false)::boolean AS platform_admin,
       coalesce(u.status, '')::text AS user_status,
       c.phone AS consumer_phone, c.email AS consumer_email
FROM sessions s
LEFT JOIN users u ON u.id = s.user_id
LEFT JOIN consumers c ON c.id = s.consumer_id
WHERE s.token_hash = @token_hash AND s.revoked_at IS NULL AND s.expires_at > now();

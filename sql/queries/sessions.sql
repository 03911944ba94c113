-- name: CreateSession :one
INSERT INTO sessions (id, token_hash, user_id, consumer_id, ip, user_agent, expires_at)
VALUES (@id, @token_hash, @user_id, @consumer_id, @ip, @user_agent, @expires_at)
RETURNING *;

-- name: GetLiveSession :one
SELECT * FROM sessions
WHERE token_hash = @token_hash AND revoked_at IS NULL AND expires_at > now();

-- name: RevokeSession :exec
UPDATE sessions SET revoked_at = now() WHERE token_hash = @token_hash AND revoked_at IS NULL;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at < @before OR revoked_at < @before;

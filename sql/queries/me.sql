-- name: MyPayEntries :many
-- An engineer's own pay lines earned from day from_day to day to_day (inclusive), oldest first.
SELECT * FROM pay_entries
WHERE tenant_id = @tenant_id AND party_kind = 'engineer' AND party_id = @user_id
  AND accrued_on BETWEEN @from_day::date AND @to_day::date
ORDER BY accrued_on, created_at, id;

-- name: UserSessions :many
-- A user's live sessions, the last used first.
SELECT id, ip, user_agent, created_at, last_used_at, expires_at FROM sessions
WHERE user_id = @user_id AND revoked_at IS NULL AND expires_at > now()
ORDER BY coalesce(last_used_at, created_at) DESC, id;

-- name: RevokeUserSession :execrows
-- Ends one of a user's own live sessions; another user's session is not found.
UPDATE sessions SET revoked_at = now()
WHERE id = @id AND user_id = @user_id AND revoked_at IS NULL AND expires_at > now();

-- name: RevokeOtherUserSessions :execrows
-- Ends a user's live sessions but one (the device asking).
UPDATE sessions SET revoked_at = now()
WHERE user_id = @user_id AND id <> @keep_id AND revoked_at IS NULL AND expires_at > now();

-- name: TouchSession :exec
-- Records that a session was used, at most once a minute.
UPDATE sessions SET last_used_at = now()
WHERE id = @id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

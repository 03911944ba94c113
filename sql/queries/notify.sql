-- name: ListNotificationTemplates :many
SELECT * FROM notification_templates
WHERE tenant_id = @tenant_id AND (sqlc.narg(event_type)::text IS NULL OR event_type = sqlc.narg(event_type)::text)
ORDER BY event_type, channel, locale;

-- name: GetNotificationTemplate :one
SELECT * FROM notification_templates WHERE tenant_id = @tenant_id AND id = @id;

-- name: FindNotificationTemplate :one
SELECT * FROM notification_templates WHERE tenant_id = @tenant_id AND event_type = @event_type AND channel = @channel AND locale = @locale;

-- name: CreateNotificationTemplate :one
INSERT INTO notification_templates (tenant_id, id, event_type, channel, locale, subject, body)
VALUES (@tenant_id, @id, @event_type, @channel, @locale, @subject, @body)
RETURNING *;

-- name: UpdateNotificationTemplate :one
UPDATE notification_templates SET subject = @subject, body = @body, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: DeleteNotificationTemplate :execrows
DELETE FROM notification_templates WHERE tenant_id = @tenant_id AND id = @id AND version = @version;

-- name: GetNotificationSettings :one
SELECT * FROM notification_settings WHERE tenant_id = @tenant_id;

-- name: UpsertNotificationSettings :one
-- Never-saved settings read as version 1, so the first save inserts version 2.
INSERT INTO notification_settings (tenant_id, quiet_start, quiet_end, version)
VALUES (@tenant_id, @quiet_start, @quiet_end, 2)
ON CONFLICT (tenant_id) DO UPDATE SET quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
  version = notification_settings.version + 1, updated_at = EXCLUDED.updated_at
WHERE notification_settings.version = @version
RETURNING *;

-- name: ListNotificationPreferences :many
SELECT * FROM notification_preferences WHERE tenant_id = @tenant_id AND customer_id = @customer_id ORDER BY channel, event_class;

-- name: DeleteNotificationPreferences :exec
DELETE FROM notification_preferences WHERE tenant_id = @tenant_id AND customer_id = @customer_id;

-- name: InsertNotificationPreference :exec
INSERT INTO notification_preferences (tenant_id, customer_id, channel, event_class)
VALUES (@tenant_id, @customer_id, @channel, @event_class)
ON CONFLICT DO NOTHING;

-- name: InsertNotificationSend :one
-- A send is created once per (event, recipient, channel); a repeated event handling finds
-- the row and inserts nothing (no row returned).
INSERT INTO notification_sends (tenant_id, id, event_id, event_type, subject_id, channel, recipient_key, recipient_kind,
  customer_id, user_id, consumer_id, address, locale, subject, body, status, error, scheduled_at)
VALUES (@tenant_id, @id, @event_id, @event_type, @subject_id, @channel, @recipient_key, @recipient_kind,
  @customer_id, @user_id, @consumer_id, @address, @locale, @subject, @body, @status, @error, @scheduled_at)
ON CONFLICT (tenant_id, event_id, recipient_key, channel) DO NOTHING
RETURNING *;

-- name: GetNotificationSend :one
SELECT * FROM notification_sends WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockNotificationSend :one
SELECT * FROM notification_sends WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ClaimNotificationSend :one
UPDATE notification_sends SET status = 'sending', attempts = attempts + 1, claimed_at = now(), updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: FinishNotificationSend :one
UPDATE notification_sends SET status = @status, provider_message_id = @provider_message_id, error = @error,
  sent_at = CASE WHEN @status::text = 'sent' THEN @now::timestamptz ELSE sent_at END, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: ListNotificationSends :many
SELECT * FROM notification_sends
WHERE tenant_id = @tenant_id AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(event_type)::text IS NULL OR event_type = sqlc.narg(event_type)::text)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(channel)::text IS NULL OR channel = sqlc.narg(channel)::text)
  AND (sqlc.narg(subject_id)::uuid IS NULL OR subject_id = sqlc.narg(subject_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: InsertInboxMessage :exec
INSERT INTO inbox_messages (tenant_id, id, send_id, user_id, consumer_id, event_type, subject_id, title, body)
VALUES (@tenant_id, @id, @send_id, @user_id, @consumer_id, @event_type, @subject_id, @title, @body)
ON CONFLICT (tenant_id, send_id) DO NOTHING;

-- name: ListInboxForUser :many
SELECT * FROM inbox_messages
WHERE tenant_id = @tenant_id AND user_id = @user_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (NOT @unread_only::boolean OR read_at IS NULL)
ORDER BY id DESC
LIMIT @lim;

-- name: ListInboxForConsumer :many
SELECT * FROM inbox_messages
WHERE tenant_id = @tenant_id AND consumer_id = @consumer_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (NOT @unread_only::boolean OR read_at IS NULL)
ORDER BY id DESC
LIMIT @lim;

-- name: MarkInboxReadForUser :execrows
UPDATE inbox_messages SET read_at = now()
WHERE tenant_id = @tenant_id AND user_id = @user_id AND id = ANY(@ids::uuid[]) AND read_at IS NULL;

-- name: MarkInboxReadForConsumer :execrows
UPDATE inbox_messages SET read_at = now()
WHERE tenant_id = @tenant_id AND consumer_id = @consumer_id AND id = ANY(@ids::uuid[]) AND read_at IS NULL;

-- name: CustomerContact :one
SELECT id, consumer_id, phone, email FROM customers WHERE tenant_id = @tenant_id AND id = @id;

-- name: MemberContacts :many
-- Active members of the tenant: by user, or by role (optionally of one outlet).
SELECT u.id, u.email, coalesce(u.phone, '')::text AS phone
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = @tenant_id AND m.status = 'active' AND u.status = 'active'
  AND (sqlc.narg(user_id)::uuid IS NULL OR m.user_id = sqlc.narg(user_id)::uuid)
  AND (sqlc.narg(role)::text IS NULL OR m.role = sqlc.narg(role)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR m.outlet_id = sqlc.narg(outlet_id)::uuid)
ORDER BY u.id;

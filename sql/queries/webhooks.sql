-- name: CreateWebhookEndpoint :one
INSERT INTO webhook_endpoints (tenant_id, id, url, events, description, enabled, secret)
VALUES (@tenant_id, @id, @url, @events::text[], @description, @enabled, @secret)
RETURNING *;

-- name: GetWebhookEndpoint :one
SELECT * FROM webhook_endpoints WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListWebhookEndpoints :many
SELECT * FROM webhook_endpoints
WHERE tenant_id = @tenant_id AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: WebhookEndpointsFor :many
-- Enabled endpoints subscribed to an event type ('*' subscribes to everything).
SELECT * FROM webhook_endpoints
WHERE tenant_id = @tenant_id AND enabled AND (@event_type::text = ANY(events) OR '*' = ANY(events))
ORDER BY id;

-- name: WebhookEndpointSubscribed :one
-- Whether any enabled endpoint is subscribed to an event type: the dispatch of an event
-- queues no webhook delivery for a tenant none of whose endpoints listens.
SELECT EXISTS (SELECT 1 FROM webhook_endpoints
  WHERE tenant_id = @tenant_id AND enabled AND (@event_type::text = ANY(events) OR '*' = ANY(events)))::boolean;

-- name: UpdateWebhookEndpoint :one
UPDATE webhook_endpoints
SET url = @url, events = @events::text[], description = @description, enabled = @enabled,
  consecutive_failures = CASE WHEN @enabled AND NOT enabled THEN 0 ELSE consecutive_failures END,
  failing_since = CASE WHEN @enabled AND NOT enabled THEN NULL ELSE failing_since END,
  disabled_at = CASE WHEN @enabled THEN NULL ELSE coalesce(disabled_at, @now::timestamptz) END,
  disabled_reason = CASE WHEN @enabled THEN '' WHEN enabled THEN 'disabled by a user' ELSE disabled_reason END,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: RotateWebhookSecret :one
UPDATE webhook_endpoints
SET previous_secret = secret, previous_expires_at = @previous_expires_at, secret = @secret,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: DeleteWebhookEndpoint :execrows
DELETE FROM webhook_endpoints WHERE tenant_id = @tenant_id AND id = @id AND version = @version;

-- name: WebhookEndpointSucceeded :exec
UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL WHERE tenant_id = @tenant_id AND id = @id;

-- name: WebhookEndpointFailed :one
UPDATE webhook_endpoints
SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, @now::timestamptz)
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: DisableWebhookEndpoint :execrows
UPDATE webhook_endpoints
SET enabled = false, disabled_at = now(), disabled_reason = @reason, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND enabled;

-- name: InsertWebhookDelivery :one
INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, redelivery_of, payload, status)
VALUES (@tenant_id, @id, @endpoint_id, @event_id, @event_type, @redelivery_of, @payload, 'pending')
ON CONFLICT (tenant_id, endpoint_id, event_id) WHERE redelivery_of IS NULL DO NOTHING
RETURNING *;

-- name: GetWebhookDelivery :one
SELECT * FROM webhook_deliveries WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockWebhookDelivery :one
SELECT * FROM webhook_deliveries WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListWebhookDeliveries :many
SELECT * FROM webhook_deliveries
WHERE tenant_id = @tenant_id AND endpoint_id = @endpoint_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
ORDER BY id DESC
LIMIT @lim;

-- name: ClaimWebhookDelivery :exec
-- Marks an attempt in flight, so a second run of the same job (a rescue) does not post too.
UPDATE webhook_deliveries SET claimed_at = now() WHERE tenant_id = @tenant_id AND id = @id;

-- name: RecordWebhookAttempt :one
UPDATE webhook_deliveries
SET status = @status, attempts = attempts + 1, response_code = @response_code, latency_ms = @latency_ms,
  response_body = @response_body, error = @error, error_class = @error_class, last_attempt_at = now(),
  next_attempt_at = @next_attempt_at,
  claimed_at = NULL
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: CancelWebhookDelivery :exec
UPDATE webhook_deliveries SET status = 'cancelled', error = @error, next_attempt_at = NULL
WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending';

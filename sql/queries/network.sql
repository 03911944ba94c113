-- name: InsertAgreement :one
INSERT INTO partner_agreements (tenant_id, id, partner_tenant_id, partner_name, role, status,
  pending_terms, pending_version, pending_by)
VALUES (@tenant_id, @id, @partner_tenant_id, @partner_name, @role, 'proposed',
  @pending_terms, @pending_version, @pending_by)
RETURNING *;

-- name: GetAgreement :one
SELECT * FROM partner_agreements WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockAgreement :one
SELECT * FROM partner_agreements WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListAgreements :many
SELECT * FROM partner_agreements
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(partner_tenant_id)::uuid IS NULL OR partner_tenant_id = sqlc.narg(partner_tenant_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: SaveAgreement :one
-- Writes an agreement's state after a step of the handshake (the caller holds its lock).
UPDATE partner_agreements
SET status = @status, terms = @terms, terms_version = @terms_version, valid_from = @valid_from,
  valid_until = @valid_until, pending_terms = @pending_terms, pending_version = @pending_version,
  pending_by = @pending_by, status_reason = @status_reason, partner_name = @partner_name,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: NextOutSeq :one
UPDATE partner_agreements SET next_seq_out = next_seq_out + 1
WHERE tenant_id = @tenant_id AND id = @id
RETURNING next_seq_out;

-- name: SetAppliedSeq :exec
UPDATE partner_agreements SET applied_seq_in = @applied_seq_in
WHERE tenant_id = @tenant_id AND id = @id;

-- name: InsertOutbox :exec
INSERT INTO network_outbox (tenant_id, id, agreement_id, receiver_tenant_id, seq, kind, body)
VALUES (@tenant_id, @id, @agreement_id, @receiver_tenant_id, @seq, @kind, @body);

-- name: GetOutbox :one
SELECT * FROM network_outbox WHERE tenant_id = @tenant_id AND id = @id;

-- name: OutboxDelivered :exec
UPDATE network_outbox SET delivered_at = coalesce(delivered_at, @delivered_at::timestamptz), attempts = attempts + 1, last_error = ''
WHERE tenant_id = @tenant_id AND id = @id;

-- name: OutboxRefused :exec
UPDATE network_outbox SET refused_reason = @refused_reason, attempts = attempts + 1
WHERE tenant_id = @tenant_id AND id = @id;

-- name: OutboxFailed :exec
UPDATE network_outbox SET attempts = attempts + 1, last_error = @last_error
WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListOutbox :many
SELECT * FROM network_outbox
WHERE tenant_id = @tenant_id AND agreement_id = @agreement_id
ORDER BY seq;

-- name: InsertInbox :execrows
INSERT INTO network_inbox (tenant_id, id, agreement_id, sender_tenant_id, seq, kind, body)
VALUES (@tenant_id, @id, @agreement_id, @sender_tenant_id, @seq, @kind, @body)
ON CONFLICT DO NOTHING;

-- name: GetInbox :one
SELECT * FROM network_inbox WHERE tenant_id = @tenant_id AND id = @id;

-- name: NextInbox :one
-- The message of the partner's sequence to apply next, if it has arrived.
SELECT * FROM network_inbox
WHERE tenant_id = @tenant_id AND agreement_id = @agreement_id AND sender_tenant_id = @sender_tenant_id
  AND seq = @seq AND applied_at IS NULL AND refused_reason = ''
FOR UPDATE;

-- name: InboxApplied :exec
UPDATE network_inbox SET applied_at = now() WHERE tenant_id = @tenant_id AND id = @id;

-- name: InboxRefused :exec
UPDATE network_inbox SET refused_reason = @refused_reason WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListInbox :many
SELECT * FROM network_inbox
WHERE tenant_id = @tenant_id AND agreement_id = @agreement_id
ORDER BY seq, received_at;

-- name: InsertNetworkJob :one
INSERT INTO network_jobs (tenant_id, id, direction, agreement_id, partner_tenant_id, partner_name, order_id,
  partner_order_number, facts)
VALUES (@tenant_id, @id, @direction, @agreement_id, @partner_tenant_id, @partner_name, @order_id,
  @partner_order_number, @facts)
RETURNING *;

-- name: GetNetworkJob :one
SELECT * FROM network_jobs WHERE tenant_id = @tenant_id AND id = @id;

-- name: NetworkJobOfOrder :one
SELECT * FROM network_jobs WHERE tenant_id = @tenant_id AND direction = @direction AND order_id = @order_id;

-- name: MirrorPartnerStatus :one
-- Keeps the newest of the partner's reports: an older one arriving late changes nothing.
UPDATE network_jobs
SET partner_status = @partner_status, partner_version = @partner_version,
  partner_order_number = @partner_order_number, partner_parts = @partner_parts,
  partner_shares = @partner_shares, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND partner_version < @partner_version
RETURNING *;

-- name: ListNetworkJobs :many
SELECT j.*, o.number AS order_number, o.status AS order_status, o.type_code AS order_type
FROM network_jobs j
JOIN service_orders o ON o.tenant_id = j.tenant_id AND o.id = j.order_id
WHERE j.tenant_id = @tenant_id AND o.tenant_id = @tenant_id AND j.direction = @direction
  AND (sqlc.narg(after)::uuid IS NULL OR j.id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(partner_tenant_id)::uuid IS NULL OR j.partner_tenant_id = sqlc.narg(partner_tenant_id)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR o.status = sqlc.narg(status)::text)
ORDER BY j.id DESC
LIMIT @lim;

-- name: TenantName :one
SELECT name FROM tenants WHERE id = @id;

-- name: ReceivesNetworkJobs :one
-- Whether the tenant has received any job: the event dispatch asks it before queueing the
-- network's delivery of an order event.
SELECT EXISTS (SELECT 1 FROM network_jobs WHERE tenant_id = @tenant_id AND direction = 'received')::boolean;

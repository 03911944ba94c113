-- Complaints, the contact log and the complaint rules (docs/complaints.md).

-- name: InsertComplaint :one
INSERT INTO complaints (tenant_id, id, number, topic, channel, severity, severity_reason, status, summary,
  customer_id, registration_id, order_id, outlet_id, engineer_id, restricted, handler_ids,
  first_response_due, report_due, resolution_due, steps, created_by, opened_at, resolution_from, created_at, updated_at)
VALUES (@tenant_id, @id, @number, @topic, @channel, @severity, @severity_reason, 'open', @summary,
  sqlc.narg(customer_id), sqlc.narg(registration_id), sqlc.narg(order_id), sqlc.narg(outlet_id), sqlc.narg(engineer_id),
  @restricted, @handler_ids::uuid[], sqlc.narg(first_response_due), sqlc.narg(report_due), sqlc.narg(resolution_due),
  @steps, sqlc.narg(created_by), @opened_at, @opened_at, @opened_at, @opened_at)
RETURNING *;

-- name: GetComplaint :one
SELECT * FROM complaints WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetComplaintForUpdate :one
SELECT * FROM complaints WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ListComplaints :many
-- Newest first, with the screens' filters; overdue: an open complaint past a deadline it has
-- not met (a complaint waiting for the customer is not overdue: its clock is paused).
SELECT * FROM complaints
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(severity)::text IS NULL OR severity = sqlc.narg(severity)::text)
  AND (sqlc.narg(topic)::text IS NULL OR topic = sqlc.narg(topic)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(parent_id)::uuid IS NULL OR parent_id = sqlc.narg(parent_id)::uuid)
  AND (NOT @overdue::boolean OR (status IN ('open', 'reopened') AND (
        (first_responded_at IS NULL AND first_response_due <= @now::timestamptz)
     OR (reported_at IS NULL AND report_due <= @now::timestamptz)
     OR (resolved_at IS NULL AND resolution_due <= @now::timestamptz))))
ORDER BY id DESC
LIMIT @lim;

-- name: UpdateComplaint :one
-- Writes a complaint's mutable state if it is still at the version read.
UPDATE complaints SET
  topic = @topic, severity = @severity, severity_reason = @severity_reason, status = @status,
  restricted = @restricted, handler_ids = @handler_ids::uuid[], merged_into = sqlc.narg(merged_into),
  parent_id = sqlc.narg(parent_id), pauses = @pauses, first_response_due = sqlc.narg(first_response_due),
  report_due = sqlc.narg(report_due), resolution_due = sqlc.narg(resolution_due),
  first_responded_at = sqlc.narg(first_responded_at), reported_at = sqlc.narg(reported_at),
  resolved_at = sqlc.narg(resolved_at), closed_at = sqlc.narg(closed_at), close_kind = @close_kind,
  close_reason = @close_reason, resolution_from = @resolution_from, escalations = @escalations::text[], reopened = @reopened, steps = @steps,
  version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: InsertContact :one
INSERT INTO contact_log (tenant_id, id, kind, channel, direction, summary, customer_id, registration_id, order_id,
  outlet_id, engineer_id, complaint_id, restricted, handler_ids, created_by, occurred_at, created_at)
VALUES (@tenant_id, @id, @kind, @channel, @direction, @summary, sqlc.narg(customer_id), sqlc.narg(registration_id),
  sqlc.narg(order_id), sqlc.narg(outlet_id), sqlc.narg(engineer_id), sqlc.narg(complaint_id), @restricted,
  @handler_ids::uuid[], sqlc.narg(created_by), @occurred_at, @created_at)
RETURNING *;

-- name: GetContact :one
SELECT * FROM contact_log WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListContacts :many
SELECT * FROM contact_log
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(kind)::text IS NULL OR kind = sqlc.narg(kind)::text)
  AND (sqlc.narg(channel)::text IS NULL OR channel = sqlc.narg(channel)::text)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(complaint_id)::uuid IS NULL OR complaint_id = sqlc.narg(complaint_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: ListComplaintContacts :many
SELECT * FROM contact_log WHERE tenant_id = @tenant_id AND complaint_id = @complaint_id ORDER BY occurred_at, id;

-- name: LinkComplaintContacts :exec
-- Moves the contacts of one complaint to another (a merge) or keeps them (from = to), giving
-- them the complaint's confidentiality: restricted with its handlers when it is critical.
UPDATE contact_log SET complaint_id = @to_id, restricted = @restricted, handler_ids = @handler_ids::uuid[]
WHERE tenant_id = @tenant_id AND complaint_id = @from_id;

-- name: ListChildComplaints :many
SELECT * FROM complaints WHERE tenant_id = @tenant_id AND parent_id = @parent_id ORDER BY id;

-- name: ListMergedComplaints :many
SELECT * FROM complaints WHERE tenant_id = @tenant_id AND merged_into = @merged_into ORDER BY id;

-- name: GetComplaintSettings :one
SELECT * FROM complaint_settings WHERE tenant_id = @tenant_id;

-- name: SaveComplaintSettings :one
-- Writes the rules as next_version if the stored version is the one before (none stored: version 1).
INSERT INTO complaint_settings (tenant_id, rules, version, updated_at)
VALUES (@tenant_id, @rules, @next_version, @updated_at)
ON CONFLICT (tenant_id) DO UPDATE
SET rules = EXCLUDED.rules, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
WHERE complaint_settings.version = EXCLUDED.version - 1
RETURNING *;

-- name: CountTenantMembers :one
-- How many of the given users are members of the tenant (as far as the scope sees).
SELECT count(DISTINCT user_id) FROM memberships WHERE tenant_id = @tenant_id AND user_id = ANY (@user_ids::uuid[]);

-- name: DueComplaintEscalations :many
-- The open complaints with a deadline past at @now, not met and not escalated yet, locked for
-- the escalation (complaints another transaction holds are left to the next wake).
SELECT * FROM complaints
WHERE tenant_id = @tenant_id AND status IN ('open', 'reopened') AND (
     (first_responded_at IS NULL AND first_response_due <= @now::timestamptz AND NOT 'first_response' = ANY (escalations))
  OR (reported_at IS NULL AND report_due <= @now::timestamptz AND NOT 'report' = ANY (escalations))
  OR (resolved_at IS NULL AND resolution_due <= @now::timestamptz AND NOT 'resolution' = ANY (escalations)))
ORDER BY id
LIMIT @lim
FOR UPDATE SKIP LOCKED;

-- name: ComplaintReportRows :many
-- The complaints opened in [@from_at, @to_at) that the scope sees (a confidential one only by
-- its handlers and tenant admins), one row each, with the hours from opening to closing for
-- those closed by the customer's confirmation or a manager's override (merged ones are not
-- closed cases of their own; -1 for the others): the complaint report aggregates them.
SELECT p.outlet_id, coalesce(ol.name, '')::text AS outlet_name, p.topic, p.severity,
  coalesce(CASE WHEN p.status = 'closed' AND p.close_kind IN ('customer', 'override')
        THEN extract(epoch FROM p.closed_at - p.opened_at) / 3600 END, -1)::float8 AS close_hours
FROM complaints p
LEFT JOIN outlets ol ON ol.tenant_id = @tenant_id AND ol.id = p.outlet_id
WHERE p.tenant_id = @tenant_id AND p.opened_at >= @from_at AND p.opened_at < @to_at AND p.merged_into IS NULL;

-- name: OrdersByOutletIn :many
-- Service orders created in [@from_at, @to_at) per outlet (the denominator of the complaint rate).
SELECT outlet_id, count(*)::bigint AS orders
FROM service_orders
WHERE tenant_id = @tenant_id AND created_at >= @from_at AND created_at < @to_at
GROUP BY outlet_id;

-- name: GetReturnSettings :one
SELECT * FROM return_settings WHERE tenant_id = @tenant_id;

-- name: PutReturnSettings :one
INSERT INTO return_settings (tenant_id, allow_personal, personal_days, advance_deadline_days, returned_warehouse_id,
  replacement_warehouse_id, version, updated_at)
VALUES (@tenant_id, @allow_personal, @personal_days, @advance_deadline_days, @returned_warehouse_id,
  @replacement_warehouse_id, 1, @updated_at)
ON CONFLICT (tenant_id) DO UPDATE SET allow_personal = EXCLUDED.allow_personal, personal_days = EXCLUDED.personal_days,
  advance_deadline_days = EXCLUDED.advance_deadline_days, returned_warehouse_id = EXCLUDED.returned_warehouse_id,
  replacement_warehouse_id = EXCLUDED.replacement_warehouse_id, version = return_settings.version + 1,
  updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: InsertReturnCase :one
INSERT INTO return_cases (tenant_id, id, number, customer_id, outlet_id, reason, description, status, collection,
  collection_ref, override_reason, overridden_by, currency, lines, steps, attachment_ids, created_at, updated_at)
VALUES (@tenant_id, @id, @number, @customer_id, @outlet_id, @reason, @description, @status, @collection,
  @collection_ref, @override_reason, @overridden_by, @currency, @lines, @steps, @attachment_ids::uuid[], @created_at, @created_at)
RETURNING *;

-- name: GetReturnCase :one
SELECT * FROM return_cases WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockReturnCase :one
SELECT * FROM return_cases WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: SaveReturnCase :one
-- Writes a case's state after a step (the caller holds its lock).
UPDATE return_cases
SET status = @status, collection = @collection, collection_ref = @collection_ref, review_note = @review_note,
  reviewed_by = @reviewed_by, refunded = @refunded, difference = @difference, hold_kind = @hold_kind,
  hold_amount = @hold_amount, hold_status = @hold_status, hold_reference = @hold_reference, hold_due_at = @hold_due_at,
  lines = @lines, steps = @steps, closed_at = @closed_at, version = version + 1, updated_at = @updated_at
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: ListReturnCases :many
SELECT * FROM return_cases
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(reason)::text IS NULL OR reason = sqlc.narg(reason)::text)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(serial)::text IS NULL OR lines @> jsonb_build_array(jsonb_build_object('serial', sqlc.narg(serial)::text)))
ORDER BY id DESC
LIMIT @lim;

-- name: ReturnCaseNumberTaken :one
SELECT EXISTS (SELECT 1 FROM return_cases WHERE tenant_id = @tenant_id AND number = @number);

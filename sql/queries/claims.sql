-- name: InsertClaim :one
INSERT INTO warranty_claims (tenant_id, id, side, number, order_id, outlet_id, job_id, agreement_id,
  counterparty_tenant_id, counterparty_name, serial, currency, status, lines, terms, terms_version, claimed,
  approved, reason, submitted_at)
VALUES (@tenant_id, @id, @side, @number, @order_id, @outlet_id, @job_id, @agreement_id,
  @counterparty_tenant_id, @counterparty_name, @serial, @currency, @status, @lines, @terms, @terms_version, @claimed,
  @approved, @reason, @submitted_at)
RETURNING *;

-- name: GetClaim :one
SELECT * FROM warranty_claims WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockClaim :one
SELECT * FROM warranty_claims WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ClaimOfOrder :one
SELECT * FROM warranty_claims WHERE tenant_id = @tenant_id AND side = @side AND order_id = @order_id;

-- name: SaveClaim :one
-- Writes a claim's state after a step (the caller holds its lock).
UPDATE warranty_claims
SET status = @status, lines = @lines, claimed = @claimed, approved = @approved, reason = @reason,
  response = @response, submitted_at = @submitted_at, reviewed_at = @reviewed_at, responded_at = @responded_at,
  version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: ListClaims :many
SELECT * FROM warranty_claims
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
  AND (sqlc.narg(side)::text IS NULL OR side = sqlc.narg(side)::text)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(counterparty_tenant_id)::uuid IS NULL OR counterparty_tenant_id = sqlc.narg(counterparty_tenant_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: CountClaimsOfSerial :one
-- Claims on a unit this tenant pays (or its outlets claimed) since a time, other than one:
-- the payer's limit of claims per unit and period.
SELECT count(*) FROM warranty_claims
WHERE tenant_id = @tenant_id AND serial = @serial AND side IN ('payer', 'internal') AND id <> @id
  AND status <> 'rejected' AND submitted_at >= @since;

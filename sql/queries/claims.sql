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

-- name: UnclaimedOrders :many
-- 不结算检查: audited in-warranty orders this tenant's outlets or partners' jobs did that no
-- claim was made for, newest first.
SELECT o.id, o.number, o.status, o.outlet_id, o.serial, o.type_code, o.updated_at FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.status IN ('approved', 'closed')
  AND ((o.entitlement_class <> '' AND o.outlet_id IS NOT NULL)
       OR EXISTS (SELECT 1 FROM network_jobs j WHERE j.tenant_id = @tenant_id AND j.order_id = o.id
                  AND j.direction = 'received' AND j.facts ? 'coverage'))
  AND NOT EXISTS (SELECT 1 FROM warranty_claims c WHERE c.tenant_id = @tenant_id AND c.order_id = o.id
                  AND c.side IN ('claimant', 'internal'))
  AND (sqlc.narg(after)::uuid IS NULL OR o.id < sqlc.narg(after)::uuid)
ORDER BY o.id DESC
LIMIT @lim;

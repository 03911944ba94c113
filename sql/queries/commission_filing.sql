-- name: OpenPayStatement :exec
-- One party's statement of a month, with the amount and count of lines about to be filed on
-- it: created, or added to while it is open; a statement that is no longer open (approved)
-- takes nothing and returns no row, and its lines go to a later month. The parties' rows go
-- as one statement in the order of their keys (a stable lock order against other orders of
-- the same engineers); the row lock orders this against the statement's approval. The
-- lines then go as one multi-row INSERT of InsertPayLine: two statements for a set of lines
-- (an order's audit, its reversal, a refund), which Citus routes to the tenant's shard.
INSERT INTO pay_statements (tenant_id, id, party_kind, party_id, outlet_id, month, currency, total, lines, updated_at)
VALUES (@tenant_id, @id, @party_kind, @party_id, @outlet_id, @month, @currency, @total, @lines, @now)
ON CONFLICT (tenant_id, party_kind, party_id, month) DO UPDATE
  SET total = pay_statements.total + EXCLUDED.total, lines = pay_statements.lines + EXCLUDED.lines, updated_at = EXCLUDED.updated_at
  WHERE pay_statements.status = 'open'
RETURNING id, party_kind, party_id, month;

-- name: InsertPayLine :exec
-- Writes a line once, already filed on its statement (none while it has not accrued): a
-- second delivery of the same effect finds its key taken and writes nothing. A set of lines
-- goes as one statement; RETURNING names the lines written.
INSERT INTO pay_entries (tenant_id, id, party_kind, party_id, outlet_id, order_id, order_number, related_order_id, kind, rule,
  rule_version, round, cause, amount, currency, detail, reverses, effect_key, accrued_on, statement_id)
VALUES (@tenant_id, @id, @party_kind, @party_id, @outlet_id, @order_id, @order_number, @related_order_id, @kind, @rule,
  @rule_version, @round, @cause, @amount, @currency, @detail, @reverses, @effect_key, @accrued_on, @statement_id)
ON CONFLICT (tenant_id, effect_key) DO NOTHING
RETURNING id;

-- name: TakeFromPayStatement :exec
-- Takes back from a statement the lines counted on it that were not written (their keys were
-- taken: a repeated delivery).
UPDATE pay_statements SET total = total - @amount, lines = lines - @lines, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id;

-- name: AccrueFiledPayEntry :exec
-- Commission that waited for the customer's money accrues, filed on its statement.
UPDATE pay_entries SET accrued_on = @accrued_on, statement_id = @statement_id
WHERE tenant_id = @tenant_id AND id = @id AND accrued_on IS NULL;

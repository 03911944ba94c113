-- name: HistoryUnits :many
-- The registrations a batch of service history names, by id or by serial (with their
-- model's SKU, to tell a serial repeated across models apart), with their purchase dates.
SELECT r.id, r.serial, m.sku, r.purchase_date
FROM registrations r
JOIN product_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
WHERE r.tenant_id = @tenant_id AND (r.id = ANY (@ids::uuid[]) OR r.serial = ANY (@serials::text[]));

-- name: ExistingHistory :many
-- The records among the (registration, reference) pairs that are stored already, with the
-- import that stored them.
SELECT h.id, h.registration_id, h.reference, h.import_id
FROM service_history h
JOIN (SELECT unnest(@registration_ids::uuid[]) AS registration_id, unnest(@refs::text[]) AS reference) k
  ON k.registration_id = h.registration_id AND k.reference = h.reference
WHERE h.tenant_id = @tenant_id;

-- name: InsertHistory :many
-- Stores records in bulk (arrays of equal length; dates_in as YYYY-MM-DD, '' for none); a
-- record stored already (same unit and reference) is skipped. Returns the records stored.
INSERT INTO service_history (tenant_id, id, registration_id, reference, fault_code, result, date_in, date_out, import_id, created_by)
SELECT @tenant_id, x.id, x.registration_id, x.reference, x.fault_code, x.result, NULLIF(x.date_in, '')::date, x.date_out,
  sqlc.narg(import_id), @created_by
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@registration_ids::uuid[]) AS registration_id, unnest(@refs::text[]) AS reference,
  unnest(@fault_codes::text[]) AS fault_code, unnest(@results::text[]) AS result, unnest(@dates_in::text[]) AS date_in,
  unnest(@dates_out::date[]) AS date_out) x
ON CONFLICT (tenant_id, registration_id, reference) DO NOTHING
RETURNING id, registration_id, reference;

-- name: ListUnitHistory :many
-- A unit's service history, oldest first (by the day it ended), after the cursor.
SELECT h.* FROM service_history h
WHERE h.tenant_id = @tenant_id AND h.registration_id = @registration_id
  AND (sqlc.narg(after_id)::uuid IS NULL OR (h.date_out, h.id) > (
    SELECT a.date_out, a.id FROM service_history a WHERE a.tenant_id = @tenant_id AND a.id = sqlc.narg(after_id)::uuid))
ORDER BY h.date_out, h.id
LIMIT @lim;

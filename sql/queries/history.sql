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

-- name: InsertHistory :exec
-- Stores one record (date_in NULL for none); a record stored already (same unit and
-- reference) is skipped. Called through tenants.MultiInsert, which sends many rows as one
-- multi-row INSERT.
INSERT INTO service_history (tenant_id, id, registration_id, reference, fault_code, result, date_in, date_out, import_id, created_by)
VALUES (@tenant_id, @id, @registration_id, @reference, @fault_code, @result, sqlc.narg(date_in), @date_out, sqlc.narg(import_id), @created_by)
ON CONFLICT (tenant_id, registration_id, reference) DO NOTHING;

-- name: StoredHistoryIDs :many
-- Which of the given record ids are stored: after InsertHistory, the ones it did not skip.
SELECT h.id FROM service_history h WHERE h.tenant_id = @tenant_id AND h.id = ANY (@ids::uuid[]);

-- name: ListUnitHistory :many
-- A unit's service history, oldest first (by the day it ended), after the cursor.
SELECT h.* FROM service_history h
WHERE h.tenant_id = @tenant_id AND h.registration_id = @registration_id
  AND (sqlc.narg(after_id)::uuid IS NULL OR (h.date_out, h.id) > (
    SELECT a.date_out, a.id FROM service_history a WHERE a.tenant_id = @tenant_id AND a.id = sqlc.narg(after_id)::uuid))
ORDER BY h.date_out, h.id
LIMIT @lim;

-- name: CreateRegistration :one
INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, invoice_no, invoice_date, invoice_image,
                           has_warranty_card, seller, buyer_id, user_id, install_date, channel, import_id)
VALUES (@tenant_id, @id, @model_id, @serial, @purchase_date, @invoice_no, @invoice_date, @invoice_image,
        @has_warranty_card, @seller, @buyer_id, @user_id, @install_date, @channel, @import_id)
RETURNING *;

-- name: GetRegistration :one
SELECT * FROM registrations WHERE tenant_id = @tenant_id AND id = @id;

-- name: GetRegistrationBySerial :one
SELECT * FROM registrations WHERE tenant_id = @tenant_id AND model_id = @model_id AND serial = @serial;

-- name: FindRegistrationsBySerial :many
SELECT * FROM registrations WHERE tenant_id = @tenant_id AND serial = @serial ORDER BY id LIMIT 10;

-- name: ListRegistrations :many
SELECT * FROM registrations
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(model_id)::uuid IS NULL OR model_id = sqlc.narg(model_id)::uuid)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR buyer_id = sqlc.narg(customer_id)::uuid OR user_id = sqlc.narg(customer_id)::uuid)
ORDER BY id LIMIT @lim;

-- name: UpdateRegistration :one
UPDATE registrations
SET purchase_date = @purchase_date, invoice_no = @invoice_no, invoice_date = @invoice_date, invoice_image = @invoice_image,
    has_warranty_card = @has_warranty_card, seller = @seller, buyer_id = @buyer_id, user_id = @user_id,
    install_date = @install_date, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: SetInstallDate :one
UPDATE registrations SET install_date = @install_date, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: RegistrationContactPhones :one
-- Phones of the buyer and the user, for the public coverage check.
SELECT coalesce(b.phone, '')::text AS buyer_phone, coalesce(u.phone, '')::text AS user_phone
FROM registrations r
LEFT JOIN customers b ON b.tenant_id = r.tenant_id AND b.id = r.buyer_id
LEFT JOIN customers u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
WHERE r.tenant_id = @tenant_id AND r.id = @id;

-- name: CreateGrant :one
INSERT INTO coverage_grants (tenant_id, id, registration_id, kind, component, valid_from, valid_until, covered, source, plan_code)
VALUES (@tenant_id, @id, @registration_id, @kind, @component, @valid_from, @valid_until, @covered, @source, @plan_code)
RETURNING *;

-- name: ListGrants :many
SELECT * FROM coverage_grants WHERE tenant_id = @tenant_id AND registration_id = @registration_id ORDER BY id;

-- name: CancelGrant :one
UPDATE coverage_grants SET status = 'cancelled' WHERE tenant_id = @tenant_id AND id = @id AND status = 'active' RETURNING *;

-- name: ActiveGrants :many
SELECT * FROM coverage_grants WHERE tenant_id = @tenant_id AND registration_id = @registration_id AND status = 'active' ORDER BY id;

-- name: GetGrant :one
SELECT * FROM coverage_grants WHERE tenant_id = @tenant_id AND id = @id;

-- name: CountUnitsOfCustomer :one
SELECT count(*) FROM registrations WHERE tenant_id = @tenant_id AND (buyer_id = @customer_id OR user_id = @customer_id);

-- name: PutInvoiceImage :exec
INSERT INTO invoice_images (tenant_id, registration_id, content_type, content, sha256, uploaded_by)
VALUES (@tenant_id, @registration_id, @content_type, @content, @sha256, @uploaded_by)
ON CONFLICT (tenant_id, registration_id) DO UPDATE
SET content_type = EXCLUDED.content_type, content = EXCLUDED.content, sha256 = EXCLUDED.sha256,
    uploaded_by = EXCLUDED.uploaded_by, uploaded_at = EXCLUDED.uploaded_at;

-- name: GetInvoiceImage :one
SELECT * FROM invoice_images WHERE tenant_id = @tenant_id AND registration_id = @registration_id;

-- name: SetInvoiceImageRef :one
UPDATE registrations SET invoice_image = @invoice_image, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

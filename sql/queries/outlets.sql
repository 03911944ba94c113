-- name: CreateOutlet :one
INSERT INTO outlets (tenant_id, id, code, name, kind, status, phone, province_code, city_code, district_code,
                     address, postal_code, latitude, longitude)
VALUES (@tenant_id, @id, @code, @name, @kind, @status, @phone, @province_code, @city_code, @district_code,
        @address, @postal_code, @latitude, @longitude)
RETURNING *;

-- name: GetOutlet :one
SELECT * FROM outlets WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListOutlets :many
SELECT * FROM outlets
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(kind)::text IS NULL OR kind = sqlc.narg(kind)::text)
  AND (sqlc.narg(province_code)::text IS NULL OR province_code = sqlc.narg(province_code)::text)
ORDER BY id
LIMIT @lim;

-- name: UpdateOutlet :one
UPDATE outlets
SET code = @code, name = @name, kind = @kind, status = @status, phone = @phone,
    province_code = @province_code, city_code = @city_code, district_code = @district_code,
    address = @address, postal_code = @postal_code, latitude = @latitude, longitude = @longitude,
    version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: DeleteOutlet :execrows
DELETE FROM outlets WHERE tenant_id = @tenant_id AND id = @id AND version = @version;

-- name: OutletNames :many
SELECT id, name FROM outlets WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]);

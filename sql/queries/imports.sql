-- name: CreateImport :one
-- Returns no row when this file was imported before (same tenant, kind and content hash).
INSERT INTO imports (tenant_id, id, kind, filename, format, sha256, content, created_by)
VALUES (@tenant_id, @id, @kind, @filename, @format, @sha256, @content, @created_by)
ON CONFLICT (tenant_id, kind, sha256) DO NOTHING
RETURNING id;

-- name: GetImportBySHA :one
SELECT id FROM imports WHERE tenant_id = @tenant_id AND kind = @kind AND sha256 = @sha256;

-- name: GetImport :one
SELECT id, kind, filename, format, status, rows_total, rows_done, rows_created, rows_failed, error, created_by,
       created_at, finished_at
FROM imports WHERE tenant_id = @tenant_id AND id = @id;

-- name: ImportContent :one
SELECT kind, format, content, status FROM imports WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListImports :many
SELECT id, kind, filename, format, status, rows_total, rows_done, rows_created, rows_failed, error, created_by,
       created_at, finished_at
FROM imports
WHERE tenant_id = @tenant_id AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id)::uuid)
ORDER BY id DESC LIMIT @lim;

-- name: StartImport :exec
UPDATE imports SET status = 'running', rows_total = @rows_total, rows_done = 0, rows_created = 0, rows_failed = 0
WHERE tenant_id = @tenant_id AND id = @id;

-- name: AddImportProgress :exec
-- Adds a stored chunk's rows to the progress of the run (StartImport set it to zero).
UPDATE imports SET rows_done = rows_done + @rows_done::integer, rows_created = rows_created + @rows_created::integer,
  rows_failed = rows_failed + @rows_failed::integer
WHERE tenant_id = @tenant_id AND id = @id;

-- name: FinishImport :exec
UPDATE imports SET status = @status, error = @error, finished_at = now() WHERE tenant_id = @tenant_id AND id = @id;

-- name: ClearImportErrors :exec
DELETE FROM import_errors WHERE tenant_id = @tenant_id AND import_id = @import_id;

-- name: ListImportErrors :many
SELECT * FROM import_errors WHERE tenant_id = @tenant_id AND import_id = @import_id ORDER BY row_no, field;

-- name: ListImportErrorsPage :many
-- One page of an import's errors in row order, after the (row_no, field) cursor.
SELECT row_no, field, message FROM import_errors
WHERE tenant_id = @tenant_id AND import_id = @import_id AND (row_no, field) > (@after_row::integer, @after_field::text)
ORDER BY row_no, field
LIMIT @lim;

-- name: AddImportError :exec
-- Records a rejected row; a chunk's rows go as one multi-row INSERT (tenants.MultiInsert). A
-- repeated (row, field) is kept once.
INSERT INTO import_errors (tenant_id, import_id, row_no, field, message)
VALUES (@tenant_id, @import_id, @row_no, @field, @message)
ON CONFLICT (tenant_id, import_id, row_no, field) DO NOTHING;

-- name: CustomersByPhones :many
-- The first customer (lowest id, as a phone search finds it) for each of the phones.
SELECT DISTINCT ON (phone) phone, id FROM customers
WHERE tenant_id = @tenant_id AND phone = ANY (@phones::text[])
ORDER BY phone, id;

-- name: ExistingCustomerIDs :many
SELECT id FROM customers WHERE tenant_id = @tenant_id AND id = ANY (@ids::uuid[]);

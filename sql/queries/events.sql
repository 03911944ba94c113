-- name: InsertEvent :exec
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
VALUES (app.tenant_id(), $1, $2, $3, $4, $5, $6);

-- name: GetEvent :one
SELECT * FROM events WHERE id = $1;

-- name: ListEventsBySubject :many
SELECT * FROM events WHERE subject_id = $1 ORDER BY created_at, id;

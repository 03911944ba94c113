-- name: InsertEvent :exec
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
VALUES (app.tenant_id(), $1, $2, $3, $4, $5, $6);

-- name: GetEvent :one
SELECT * FROM events WHERE id = $1;

-- name: ListEventsBySubject :many
SELECT * FROM events WHERE subject_id = $1 ORDER BY created_at, id;

-- name: InsertEvents :exec
-- Several events of one transaction in one statement: rows is a JSON array of
-- {id, type, subject, subject_id, outlet_id, payload}.
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
SELECT app.tenant_id(), e.id, e.type, e.subject, e.subject_id, e.outlet_id, coalesce(e.payload, '{}')
FROM jsonb_to_recordset(@rows::jsonb) AS e(id uuid, type text, subject text, subject_id uuid, outlet_id uuid, payload jsonb);

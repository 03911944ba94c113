-- name: InsertEvent :exec
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
VALUES (@tenant_id, @id, @type, @subject, @subject_id, @outlet_id, @payload);

-- name: GetEvent :one
SELECT * FROM events WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListEventsBySubject :many
SELECT * FROM events WHERE tenant_id = @tenant_id AND subject_id = @subject_id ORDER BY created_at, id;

-- name: InsertEvents :exec
-- Several events of one transaction in one statement, one array element per event; an
-- empty subject or outlet id is stored as NULL. Ids travel as text: pgx sends each element
-- of a []uuid.UUID through its text form, a failed encoding and a re-parse (some twenty
-- allocations an id), where a []string costs one.
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
SELECT @tenant_id, unnest(@ids::text[])::uuid, unnest(@types::text[]), unnest(@subjects::text[]),
       nullif(unnest(@subject_ids::text[]), '')::uuid, nullif(unnest(@outlet_ids::text[]), '')::uuid,
       unnest(@payloads::jsonb[]);

-- name: GetEvents :many
-- The events of ids that exist (a dispatch of several events).
SELECT * FROM events WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]) ORDER BY id;

-- name: InsertEvent :exec
-- One event. EmitMany sends the events of a transaction as one multi-row INSERT
-- (tenants.MultiInsert), which Citus routes to the tenant's shard.
INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id, payload)
VALUES (@tenant_id, @id, @type, @subject, @subject_id, @outlet_id, @payload);

-- name: GetEvent :one
SELECT * FROM events WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListEventsBySubject :many
SELECT * FROM events WHERE tenant_id = @tenant_id AND subject_id = @subject_id ORDER BY created_at, id;

-- name: GetEvents :many
-- The events of ids that exist (a dispatch of several events).
SELECT * FROM events WHERE tenant_id = @tenant_id AND id = ANY(@ids::uuid[]) ORDER BY id;

-- name: ListEventsOfTypeAfter :many
-- The tenant's events of one type with ids after @after (ids are UUIDv7: created later), in
-- order: what a sandbox clock's advance fired, for the reactions it runs before answering.
SELECT * FROM events WHERE tenant_id = @tenant_id AND type = @type AND id > @after ORDER BY id LIMIT @lim;

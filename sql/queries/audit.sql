-- name: InsertAudit :exec
INSERT INTO audit_log (tenant_id, id, actor_kind, actor_id, actor_label, action, entity, entity_id, outlet_id,
                       before, after, ip, user_agent, request_id)
VALUES (@tenant_id, @id, @actor_kind, @actor_id, @actor_label, @action, @entity, @entity_id, @outlet_id,
        @before, @after, @ip, @user_agent, @request_id);

-- name: ListAudit :many
SELECT * FROM audit_log
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id)::uuid)
  AND (sqlc.narg(entity)::text IS NULL OR entity = sqlc.narg(entity)::text)
  AND (sqlc.narg(entity_id)::uuid IS NULL OR entity_id = sqlc.narg(entity_id)::uuid)
  AND (sqlc.narg(action)::text IS NULL OR action = sqlc.narg(action)::text)
  AND (sqlc.narg(actor_id)::uuid IS NULL OR actor_id = sqlc.narg(actor_id)::uuid)
ORDER BY id DESC
LIMIT @lim;

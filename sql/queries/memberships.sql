-- name: CreateMembership :one
INSERT INTO memberships (tenant_id, id, user_id, outlet_id, role)
VALUES (@tenant_id, @id, @user_id, @outlet_id, @role)
RETURNING *;

-- name: GetMembership :one
SELECT sqlc.embed(m), u.email, u.name AS user_name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = @tenant_id AND m.id = @id;

-- name: ListMemberships :many
SELECT sqlc.embed(m), u.email, u.name AS user_name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR m.id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(role)::text IS NULL OR m.role = sqlc.narg(role)::text)
ORDER BY m.id
LIMIT @lim;

-- name: UpdateMembership :one
UPDATE memberships
SET role = @role, outlet_id = @outlet_id, status = @status, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: DeleteMembership :execrows
DELETE FROM memberships WHERE tenant_id = @tenant_id AND id = @id AND version = @version;

-- platform: a signed-in user's memberships across all tenants, to pick one (own_memberships policy)
-- name: MembershipsOfUser :many
-- Every active membership of the current user (visible through the own_memberships policy).
SELECT sqlc.embed(m), t.name AS tenant_name, t.slug AS tenant_slug, t.kind AS tenant_kind
FROM memberships m JOIN tenants t ON t.id = m.tenant_id
WHERE m.user_id = @user_id AND m.status = 'active'
ORDER BY t.name;

-- name: CreateInvitation :one
INSERT INTO invitations (tenant_id, id, email, role, outlet_id, token_hash, invited_by, expires_at)
VALUES (@tenant_id, @id, @email, @role, @outlet_id, @token_hash, @invited_by, @expires_at)
RETURNING *;

-- name: GetInvitation :one
SELECT * FROM invitations WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListInvitations :many
SELECT * FROM invitations
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: RevokeInvitation :execrows
UPDATE invitations SET revoked_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND revoked_at IS NULL AND accepted_at IS NULL;

-- name: AcceptInvitation :execrows
UPDATE invitations SET accepted_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND revoked_at IS NULL AND accepted_at IS NULL AND expires_at > now();

-- name: LockActiveAdmins :many
-- Locks the tenant's active admins so that concurrent demotions cannot both pass the check.
SELECT id FROM memberships
WHERE tenant_id = @tenant_id AND role = 'tenant_admin' AND status = 'active'
FOR UPDATE;

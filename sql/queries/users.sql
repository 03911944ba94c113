-- name: CreateUser :one
INSERT INTO users (id, email, name, phone, password_hash, is_platform_admin)
VALUES (@id, @email, @name, @phone, @password_hash, @is_platform_admin)
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = @id;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(@email);

-- name: SetUserPassword :exec
UPDATE users SET password_hash = @password_hash, version = version + 1, updated_at = now() WHERE id = @id;

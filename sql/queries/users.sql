-- name: CreateUser :one
INSERT INTO users (id, email, name, phone, password_hash, is_platform_admin)
VALUES (@id, @email, @name, @phone, @password_hash, @is_platform_admin)
RETURNING *;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(@email);

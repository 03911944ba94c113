-- name: CreateOTP :one
INSERT INTO otp_codes (id, destination, channel, code_hash, expires_at)
VALUES (@id, @destination, @channel, @code_hash, @expires_at)
RETURNING *;

-- name: LatestOTP :one
SELECT * FROM otp_codes
WHERE destination = @destination AND consumed_at IS NULL AND expires_at > now()
ORDER BY created_at DESC
LIMIT 1
FOR UPDATE;

-- name: CountOTPAttempt :exec
UPDATE otp_codes SET attempts = attempts + 1 WHERE id = @id;

-- name: ConsumeOTP :exec
UPDATE otp_codes SET consumed_at = now() WHERE id = @id;

-- name: DeleteExpiredOTPs :execrows
DELETE FROM otp_codes WHERE expires_at < @before;

-- name: UpsertConsumerByPhone :one
INSERT INTO consumers (id, phone) VALUES (@id, @phone)
ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
RETURNING *;

-- name: UpsertConsumerByEmail :one
INSERT INTO consumers (id, email) VALUES (@id, @email)
ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
RETURNING *;

-- name: GetConsumer :one
SELECT * FROM consumers WHERE id = @id;

-- name: CreateCustomer :one
INSERT INTO customers (tenant_id, id, consumer_id, name, phone, email, province_code, city_code, district_code, address)
VALUES (@tenant_id, @id, @consumer_id, @name, @phone, @email, @province_code, @city_code, @district_code, @address)
RETURNING *;

-- name: GetCustomer :one
SELECT * FROM customers WHERE tenant_id = @tenant_id AND id = @id;

-- name: CustomerVisitedBy :one
-- Whether the user is the engineer of an open order of the customer (offered or accepted,
-- not declined or removed): they may call the customer of their own visit.
SELECT EXISTS (
  SELECT 1 FROM order_engineers e JOIN service_orders o ON o.tenant_id = e.tenant_id AND o.id = e.order_id
  WHERE e.tenant_id = @tenant_id AND e.user_id = @user_id AND e.state IN ('offered', 'accepted')
    AND o.customer_id = @customer_id
    AND o.status NOT IN ('picked_up', 'completed', 'approved', 'closed', 'cancelled'))::boolean;

-- name: ListCustomers :many
SELECT * FROM customers
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
  AND (sqlc.narg(phone)::text IS NULL OR phone = sqlc.narg(phone)::text)
ORDER BY id
LIMIT @lim;

-- name: CustomerByPhone :one
-- The tenant's first customer with this (normalised) phone: how intake recognises a
-- repeat customer. A statement of its own, so that its plan stays generic (ListCustomers'
-- optional filters make PostgreSQL plan it afresh on every call).
SELECT * FROM customers WHERE tenant_id = @tenant_id AND phone = @phone ORDER BY id LIMIT 1;

-- name: UpdateCustomer :one
UPDATE customers
SET consumer_id = @consumer_id, name = @name, phone = @phone, email = @email, province_code = @province_code, city_code = @city_code,
    district_code = @district_code, address = @address, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: CustomerOfConsumer :one
SELECT * FROM customers WHERE tenant_id = @tenant_id AND consumer_id = @consumer_id ORDER BY id LIMIT 1;

-- name: SetCustomerValue :one
UPDATE customers
SET lifetime_value = @lifetime_value, contracts = @contracts, tier_override = @tier_override,
    tier_override_reason = @tier_override_reason, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

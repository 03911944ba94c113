-- name: OutletCandidates :many
-- Outlets whose coverage includes the area (a region-code prefix of it), the postal code,
-- the order type and the category, with their authorization and today's load.
SELECT o.id, o.code, o.name, o.daily_capacity, c.region_code, c.postal_prefix,
  (sqlc.narg(category_id)::uuid IS NOT NULL AND EXISTS (
     SELECT 1 FROM outlet_authorizations a
     WHERE a.tenant_id = @tenant_id AND a.outlet_id = o.id AND a.category_id = sqlc.narg(category_id)::uuid))::boolean AS authorized,
  (SELECT count(*) FROM service_orders s
   WHERE s.tenant_id = @tenant_id AND s.outlet_id = o.id AND s.created_at >= @day_start AND s.created_at < @day_end
     AND s.status <> 'cancelled')::integer AS load
FROM outlets o
JOIN outlet_coverage c ON c.tenant_id = o.tenant_id AND c.outlet_id = o.id
WHERE o.tenant_id = @tenant_id AND o.status = 'active'
  AND starts_with(@area::text, c.region_code)
  AND (c.postal_prefix = '' OR starts_with(@postal_code::text, c.postal_prefix))
  AND (cardinality(c.order_types) = 0 OR @type_code::text = ANY(c.order_types))
  AND (cardinality(c.category_ids) = 0 OR sqlc.narg(category_id)::uuid = ANY(c.category_ids))
ORDER BY o.code, length(c.region_code) DESC;

-- name: EngineerCandidates :many
-- The outlet's active engineers with their open load and their history with the customer.
SELECT p.user_id, u.name, p.skills, p.level, p.is_default, p.latitude, p.longitude, p.position_at, p.areas,
  (SELECT count(*) FROM order_engineers e JOIN service_orders s ON s.tenant_id = e.tenant_id AND s.id = e.order_id
   WHERE e.tenant_id = @tenant_id AND e.user_id = p.user_id AND e.state IN ('offered', 'accepted')
     AND s.status NOT IN ('picked_up', 'completed', 'approved', 'closed', 'cancelled'))::integer AS open_orders,
  (SELECT count(*) FROM order_engineers e JOIN service_orders s ON s.tenant_id = e.tenant_id AND s.id = e.order_id
   WHERE e.tenant_id = @tenant_id AND e.user_id = p.user_id AND e.state = 'accepted' AND s.customer_id = @customer_id)::integer AS served,
  coalesce((SELECT max(s.created_at) FROM order_engineers e JOIN service_orders s ON s.tenant_id = e.tenant_id AND s.id = e.order_id
   WHERE e.tenant_id = @tenant_id AND e.user_id = p.user_id AND e.state = 'accepted' AND s.customer_id = @customer_id), 'epoch')::timestamptz AS last_served
FROM engineer_profiles p JOIN users u ON u.id = p.user_id
WHERE p.tenant_id = @tenant_id AND p.outlet_id = @outlet_id AND p.active
ORDER BY p.user_id;

-- name: UpsertCoverage :one
INSERT INTO outlet_coverage (tenant_id, id, outlet_id, region_code, postal_prefix, order_types, category_ids)
VALUES (@tenant_id, @id, @outlet_id, @region_code, @postal_prefix, @order_types, @category_ids)
RETURNING *;

-- name: ListCoverage :many
SELECT * FROM outlet_coverage WHERE tenant_id = @tenant_id AND outlet_id = @outlet_id ORDER BY region_code, id;

-- name: DeleteCoverage :one
DELETE FROM outlet_coverage WHERE tenant_id = @tenant_id AND id = @id RETURNING outlet_id;

-- name: AuthorizeOutlet :exec
INSERT INTO outlet_authorizations (tenant_id, outlet_id, category_id) VALUES (@tenant_id, @outlet_id, @category_id)
ON CONFLICT DO NOTHING;

-- name: RevokeOutletAuthorization :execrows
DELETE FROM outlet_authorizations WHERE tenant_id = @tenant_id AND outlet_id = @outlet_id AND category_id = @category_id;

-- name: ListOutletAuthorizations :many
SELECT category_id FROM outlet_authorizations WHERE tenant_id = @tenant_id AND outlet_id = @outlet_id ORDER BY category_id;

-- name: GetOutletCapacity :one
SELECT daily_capacity, version FROM outlets WHERE tenant_id = @tenant_id AND id = @id;

-- name: SetOutletCapacity :one
UPDATE outlets SET daily_capacity = @daily_capacity, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING version;

-- name: UpsertEngineerProfile :one
INSERT INTO engineer_profiles (tenant_id, user_id, outlet_id, skills, level, is_default, active, areas)
VALUES (@tenant_id, @user_id, @outlet_id, @skills, @level, @is_default, @active, @areas)
ON CONFLICT (tenant_id, user_id) DO UPDATE
SET outlet_id = EXCLUDED.outlet_id, skills = EXCLUDED.skills, level = EXCLUDED.level, is_default = EXCLUDED.is_default,
    active = EXCLUDED.active, areas = EXCLUDED.areas, version = engineer_profiles.version + 1
WHERE engineer_profiles.version = @version
RETURNING *;

-- name: GetEngineerProfile :one
SELECT * FROM engineer_profiles WHERE tenant_id = @tenant_id AND user_id = @user_id;

-- name: ListEngineerProfiles :many
SELECT * FROM engineer_profiles WHERE tenant_id = @tenant_id
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
ORDER BY outlet_id, user_id;

-- name: SetEngineerPosition :execrows
UPDATE engineer_profiles SET latitude = @latitude, longitude = @longitude, position_at = now()
WHERE tenant_id = @tenant_id AND user_id = @user_id;

-- name: EngineerMembership :one
-- The engineer's membership at an outlet (dispatch only picks engineers who work there).
SELECT m.id FROM memberships m
WHERE m.tenant_id = @tenant_id AND m.user_id = @user_id AND m.outlet_id = @outlet_id AND m.role = 'engineer'
LIMIT 1;

-- name: EngineerBoard :many
-- An engineer's open jobs with their current appointment, earliest first.
SELECT sqlc.embed(s), a.starts_at AS appointment_start, a.ends_at AS appointment_end
FROM order_engineers e
JOIN service_orders s ON s.tenant_id = e.tenant_id AND s.id = e.order_id
LEFT JOIN appointments a ON a.tenant_id = s.tenant_id AND a.order_id = s.id AND a.status = 'booked'
WHERE e.tenant_id = @tenant_id AND e.user_id = @user_id AND e.state IN ('offered', 'accepted')
  AND s.status NOT IN ('picked_up', 'completed', 'approved', 'closed', 'cancelled')
  AND (a.starts_at IS NULL OR (a.starts_at >= @day_start AND a.starts_at < @day_end))
ORDER BY a.starts_at NULLS LAST, s.priority DESC, s.created_at;

-- name: UserInTenant :one
SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = @tenant_id AND user_id = @user_id)::boolean;

-- name: GetCoverage :one
SELECT * FROM outlet_coverage WHERE tenant_id = @tenant_id AND id = @id;

-- name: PaidPromisesForOrders :many
-- The paid promises of orders: an active per-incident upgrade of the order, or an active
-- plan of the order's unit valid on on_date (the tenant's today).
SELECT o.id AS order_id, p.kind, p.product_code, e.name AS product_name, p.paid_at
FROM service_orders o
JOIN purchases p ON p.tenant_id = o.tenant_id AND p.status = 'active'
  AND ((p.kind = 'per_incident' AND p.order_id = o.id)
    OR (p.kind = 'plan' AND p.registration_id = o.registration_id
      AND p.valid_from <= @on_date::date AND p.valid_until >= @on_date::date))
JOIN express_products e ON e.tenant_id = p.tenant_id AND e.id = p.product_id
WHERE o.tenant_id = @tenant_id AND o.id = ANY(@order_ids::uuid[])
ORDER BY o.id, p.kind, p.paid_at, p.id;

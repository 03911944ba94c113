-- name: UnitFacts :many
-- Everything an entitlement decision reads about a unit, in one statement (one round trip):
-- the registration, found by id or by serial (and model SKU when given); its model; the
-- buyer's and user's phones and value facts; the tenant's time zone; the fault code's
-- component; the service record (orders and their parts waits) for the repair history; the
-- active grants and purchased plans; the policy version in force on the purchase date (a
-- policy naming the model wins over one naming its category); the tiers and tier rules
-- (skipped, with the plans, when with_tier is false: the public check shows no tier).
SELECT sqlc.embed(r), sqlc.embed(m), t.timezone,
  coalesce(b.phone, '')::text AS buyer_phone, coalesce(u.phone, '')::text AS user_phone,
  coalesce(b.lifetime_value, 0)::bigint AS buyer_lifetime_value, coalesce(b.contracts, '{}')::text[] AS buyer_contracts,
  coalesce(b.tier_override, '')::text AS buyer_tier_override, coalesce(b.tier_override_reason, '')::text AS buyer_tier_override_reason,
  coalesce(u.lifetime_value, 0)::bigint AS user_lifetime_value, coalesce(u.contracts, '{}')::text[] AS user_contracts,
  coalesce(u.tier_override, '')::text AS user_tier_override, coalesce(u.tier_override_reason, '')::text AS user_tier_override_reason,
  coalesce((SELECT f.component FROM fault_codes f WHERE f.tenant_id = @tenant_id AND f.code = @fault_code::text), '')::text AS fault_component,
  (now() AT TIME ZONE t.timezone)::date AS today,
  (pv.policy_id IS NOT NULL)::boolean AS has_policy, coalesce(pv.policy_id, r.id)::uuid AS policy_id,
  coalesce(pv.policy_name, '')::text AS policy_name, coalesce(pv.version, 0)::integer AS policy_version,
  coalesce(pv.effective_from, r.purchase_date)::date AS policy_effective_from, coalesce(pv.body, '{}')::jsonb AS policy_body,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'result', o.result, 'fault_code', o.fault_code,
      'created_at', o.created_at, 'completed_at', o.completed_at,
      'completed_on', (o.completed_at AT TIME ZONE t.timezone)::date, 'reopen_count', o.reopen_count) ORDER BY o.created_at), '[]')
   FROM service_orders o WHERE o.tenant_id = @tenant_id AND o.registration_id = r.id AND o.status <> 'cancelled')::jsonb AS orders,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('order_id', e.order_id, 'at', e.at, 'to_status', e.to_status) ORDER BY e.order_id, e.id), '[]')
   FROM order_events e JOIN service_orders o ON o.tenant_id = e.tenant_id AND o.id = e.order_id
   WHERE e.tenant_id = @tenant_id AND o.registration_id = r.id AND e.kind = 'status'
     AND (e.from_status = 'waiting_parts' OR e.to_status = 'waiting_parts'))::jsonb AS parts_waits,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', g.id, 'kind', g.kind, 'component', g.component, 'valid_from', g.valid_from,
      'valid_until', g.valid_until, 'covered', g.covered, 'source', g.source, 'plan_code', g.plan_code) ORDER BY g.id), '[]')
   FROM coverage_grants g WHERE g.tenant_id = @tenant_id AND g.registration_id = r.id AND g.status = 'active')::jsonb AS grants,
  CASE WHEN @with_tier::boolean THEN ARRAY(SELECT DISTINCT p.product_code FROM purchases p
    WHERE p.tenant_id = @tenant_id AND p.registration_id = r.id AND p.kind = 'plan' AND p.status = 'active'
      AND p.valid_from <= coalesce(sqlc.narg(on_date)::date, (now() AT TIME ZONE t.timezone)::date)
      AND p.valid_until >= coalesce(sqlc.narg(on_date)::date, (now() AT TIME ZONE t.timezone)::date)) END::text[] AS plans,
  CASE WHEN @with_tier::boolean THEN (SELECT coalesce(jsonb_agg(jsonb_build_object('code', s.code, 'name', s.name, 'rank', s.rank, 'targets', s.targets,
      'on_site', s.on_site, 'loaner', s.loaner, 'default', s.is_default) ORDER BY s.rank, s.code), '[]')
   FROM service_tiers s WHERE s.tenant_id = @tenant_id) ELSE '[]' END::jsonb AS tiers,
  CASE WHEN @with_tier::boolean THEN (SELECT coalesce(jsonb_agg(jsonb_build_object('tier', x.tier_code, 'kind', x.kind, 'min_lifetime_value', x.min_lifetime_value,
      'match', x.match) ORDER BY x.id), '[]')
   FROM tier_rules x WHERE x.tenant_id = @tenant_id) ELSE '[]' END::jsonb AS tier_rules
FROM registrations r
JOIN product_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
JOIN tenants t ON t.id = r.tenant_id
LEFT JOIN customers b ON b.tenant_id = r.tenant_id AND b.id = r.buyer_id
LEFT JOIN customers u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
LEFT JOIN LATERAL (
  SELECT v.policy_id, p.name AS policy_name, v.version, v.effective_from, v.body
  FROM warranty_policies p
  JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.id
  WHERE p.tenant_id = @tenant_id AND (r.model_id = ANY (p.model_ids) OR m.category_id = ANY (p.category_ids))
    AND v.effective_from <= r.purchase_date
  ORDER BY (r.model_id = ANY (p.model_ids)) DESC, v.effective_from DESC, p.id
  LIMIT 1
) pv ON true
WHERE r.tenant_id = @tenant_id
  AND r.id IN (
    SELECT x.id FROM registrations x WHERE x.tenant_id = @tenant_id AND x.id = sqlc.narg(registration_id)::uuid
    UNION ALL
    SELECT x.id FROM registrations x
    WHERE x.tenant_id = @tenant_id AND sqlc.narg(registration_id)::uuid IS NULL AND x.serial = @serial::text)
  AND (sqlc.narg(model_sku)::text IS NULL OR m.sku = sqlc.narg(model_sku)::text)
ORDER BY r.id
LIMIT 10;

-- name: ModelSKUExists :one
SELECT EXISTS (SELECT 1 FROM product_models WHERE tenant_id = @tenant_id AND sku = @sku);

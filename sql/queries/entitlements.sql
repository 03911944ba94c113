-- name: UnitFacts :many
-- Everything an entitlement decision reads about a unit, in one statement (one round trip):
-- the registration, found by id or by serial (and model SKU when given); its model; the
-- buyer's and user's phones and value facts; the tenant's time zone; the fault code's
-- component; the service record (orders, their moves into and out of waiting for parts,
-- their reopenings and the results recorded, and the service history brought from another
-- system) for the repair history; the active grants (with when each was given); the plans
-- purchased by the moment asked about (asked_at, else the end of on_date in the tenant's time
-- zone, else now) and valid on its day (on_date, else asked_at's date there); the policies
-- that cover the unit, each with its version in force on the purchase date, in order of
-- precedence (a policy naming the model before one naming its category, then the version
-- that started latest, then the policy id); the tiers and tier rules (skipped, with the
-- plans, when with_tier is false: the public check shows no tier).
SELECT sqlc.embed(r), sqlc.embed(m), t.timezone,
  coalesce(b.phone, '')::text AS buyer_phone, coalesce(u.phone, '')::text AS user_phone,
  coalesce(b.lifetime_value, 0)::bigint AS buyer_lifetime_value, coalesce(b.contracts, '{}')::text[] AS buyer_contracts,
  coalesce(b.tier_override, '')::text AS buyer_tier_override, coalesce(b.tier_override_reason, '')::text AS buyer_tier_override_reason,
  coalesce(u.lifetime_value, 0)::bigint AS user_lifetime_value, coalesce(u.contracts, '{}')::text[] AS user_contracts,
  coalesce(u.tier_override, '')::text AS user_tier_override, coalesce(u.tier_override_reason, '')::text AS user_tier_override_reason,
  coalesce((SELECT f.component FROM fault_codes f WHERE f.tenant_id = @tenant_id AND f.code = @fault_code::text), '')::text AS fault_component,
  (now() AT TIME ZONE t.timezone)::date AS today,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.policy_id, 'name', c.policy_name, 'by_model', c.by_model,
      'version', c.version, 'effective_from', c.effective_from, 'body', c.body)
      ORDER BY c.by_model DESC, c.effective_from DESC, c.policy_id), '[]')
   FROM (SELECT DISTINCT ON (p.id) p.id AS policy_id, p.name AS policy_name, (r.model_id = ANY (p.model_ids)) AS by_model,
           v.version, v.effective_from, v.body
         FROM warranty_policies p
         JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.id
         WHERE p.tenant_id = @tenant_id AND (r.model_id = ANY (p.model_ids) OR m.category_id = ANY (p.category_ids))
           AND v.effective_from <= r.purchase_date
         ORDER BY p.id, v.effective_from DESC) c)::jsonb AS policies,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'result', o.result, 'fault_code', o.fault_code,
      'created_at', o.created_at, 'completed_at', o.completed_at) ORDER BY o.created_at), '[]')
   FROM service_orders o WHERE o.tenant_id = @tenant_id AND o.registration_id = r.id AND o.status <> 'cancelled')::jsonb AS orders,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('order_id', e.order_id, 'at', e.at, 'kind', e.kind, 'from_status', e.from_status,
      'to_status', e.to_status, 'result', coalesce(e.data->>'result', '')) ORDER BY e.order_id, e.id), '[]')
   FROM order_events e JOIN service_orders o ON o.tenant_id = e.tenant_id AND o.id = e.order_id
   WHERE e.tenant_id = @tenant_id AND o.registration_id = r.id AND o.status <> 'cancelled'
     AND ((e.kind = 'status' AND (e.from_status IN ('waiting_parts', 'closed') OR e.to_status = 'waiting_parts'))
       OR e.kind = 'completion'))::jsonb AS order_events,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', h.id, 'reference', h.reference, 'fault_code', h.fault_code, 'result', h.result,
      'date_in', h.date_in, 'date_out', h.date_out) ORDER BY h.date_out, h.id), '[]')
   FROM service_history h WHERE h.tenant_id = @tenant_id AND h.registration_id = r.id)::jsonb AS service_history,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', g.id, 'kind', g.kind, 'component', g.component, 'valid_from', g.valid_from,
      'valid_until', g.valid_until, 'covered', g.covered, 'source', g.source, 'plan_code', g.plan_code,
      'created_at', g.created_at) ORDER BY g.id), '[]')
   FROM coverage_grants g WHERE g.tenant_id = @tenant_id AND g.registration_id = r.id AND g.status = 'active')::jsonb AS grants,
  CASE WHEN @with_tier::boolean THEN ARRAY(SELECT DISTINCT p.product_code FROM purchases p
    WHERE p.tenant_id = @tenant_id AND p.registration_id = r.id AND p.kind = 'plan' AND p.status = 'active'
      AND coalesce(p.paid_at, p.created_at) <= coalesce(sqlc.narg(asked_at)::timestamptz,
        ((sqlc.narg(on_date)::date + 1)::timestamp AT TIME ZONE t.timezone) - interval '1 microsecond', now())
      AND (coalesce(sqlc.narg(on_date)::date, (coalesce(sqlc.narg(asked_at)::timestamptz, now()) AT TIME ZONE t.timezone)::date)
        BETWEEN p.valid_from AND p.valid_until)) END::text[] AS plans,
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

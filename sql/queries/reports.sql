-- Reports: the roll-up of daily figures (report_days) and the dashboards' reads of them.
-- Days are the tenant's calendar days (tz); outlet_key is the nil uuid for no outlet.

-- name: RollupOrdersIn :many
SELECT timezone(@tz::text, o.created_at)::date AS day,
       coalesce(o.outlet_id, '00000000-0000-0000-0000-000000000000'::uuid) AS outlet_key,
       count(*)::bigint AS orders_in, count(*) FILTER (WHERE o.is_repeat)::bigint AS repeats
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.created_at >= @from_at::timestamptz AND o.created_at < @to_at::timestamptz
GROUP BY 1, 2;

-- name: RollupOrdersClosed :many
SELECT timezone(@tz::text, o.closed_at)::date AS day,
       coalesce(o.outlet_id, '00000000-0000-0000-0000-000000000000'::uuid) AS outlet_key,
       count(*)::bigint AS closed
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.closed_at >= @from_at::timestamptz AND o.closed_at < @to_at::timestamptz
GROUP BY 1, 2;

-- name: RollupOrdersCompleted :many
-- Completed work by coverage class; fixed the first time: the first completion fixed it, it
-- was never reopened and never waited for parts.
SELECT timezone(@tz::text, o.completed_at)::date AS day,
       coalesce(o.outlet_id, '00000000-0000-0000-0000-000000000000'::uuid) AS outlet_key,
       o.entitlement_class AS class, count(*)::bigint AS completed,
       count(*) FILTER (WHERE o.result = 'fixed' AND o.reopen_count = 0 AND NOT EXISTS (
         SELECT 1 FROM order_events e WHERE e.tenant_id = @tenant_id AND e.order_id = o.id
           AND e.to_status = 'waiting_parts'))::bigint AS first_time_fixed
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.completed_at >= @from_at::timestamptz AND o.completed_at < @to_at::timestamptz
GROUP BY 1, 2, 3;

-- name: RollupSLA :many
-- Clocks that ended (met or breached), as GET /v1/sla/attainment counts them.
SELECT timezone(@tz::text, coalesce(c.met_at, c.breached_at))::date AS day,
       coalesce(c.outlet_id, '00000000-0000-0000-0000-000000000000'::uuid) AS outlet_key,
       c.target, c.tier_code, coalesce(c.engineer_id::text, '')::text AS engineer,
       count(*) FILTER (WHERE c.status = 'met')::bigint AS met,
       count(*) FILTER (WHERE c.status = 'breached')::bigint AS breached
FROM sla_clocks c
WHERE c.tenant_id = @tenant_id AND c.status IN ('met', 'breached')
  AND coalesce(c.met_at, c.breached_at) >= @from_at::timestamptz AND coalesce(c.met_at, c.breached_at) < @to_at::timestamptz
GROUP BY 1, 2, 3, 4, 5;

-- name: RollupLedger :many
SELECT timezone(@tz::text, l.occurred_at)::date AS day, l.kind, l.currency::text AS currency,
       sum(l.amount)::bigint AS amount
FROM ledger_entries l
WHERE l.tenant_id = @tenant_id AND l.occurred_at >= @from_at::timestamptz AND l.occurred_at < @to_at::timestamptz
GROUP BY 1, 2, 3;

-- name: RollupBacklog :many
-- Open orders now, by outlet, status and age.
SELECT coalesce(o.outlet_id, '00000000-0000-0000-0000-000000000000'::uuid) AS outlet_key, o.status,
       (CASE WHEN o.created_at > sqlc.arg(as_of)::timestamptz - interval '1 day' THEN '0-1d'
             WHEN o.created_at > sqlc.arg(as_of)::timestamptz - interval '3 days' THEN '1-3d'
             WHEN o.created_at > sqlc.arg(as_of)::timestamptz - interval '7 days' THEN '3-7d'
             ELSE '7d+' END)::text AS age,
       count(*)::bigint AS open
FROM service_orders o
WHERE o.tenant_id = @tenant_id AND o.status NOT IN ('closed', 'cancelled', 'approved', 'completed', 'picked_up')
GROUP BY 1, 2, 3;

-- name: FirstOrderAt :one
SELECT coalesce(min(created_at), now())::timestamptz FROM service_orders WHERE tenant_id = @tenant_id;

-- name: DeleteReportDays :exec
-- The figures of the days a roll-up recomputes; the backlog is a snapshot of one day.
DELETE FROM report_days
WHERE tenant_id = @tenant_id AND day >= @from_day AND day <= @to_day
  AND (metric <> 'backlog' OR (@snapshot::boolean AND day = @to_day));

-- name: InsertReportDay :exec
INSERT INTO report_days (tenant_id, metric, day, outlet_key, dim, key, value)
VALUES (@tenant_id, @metric, @day, @outlet_key, @dim, @key, @value);

-- name: GetReportRollup :one
SELECT * FROM report_rollups WHERE tenant_id = @tenant_id;

-- name: LockReportRollup :exec
-- One roll-up of a tenant at a time.
SELECT pg_advisory_xact_lock(hashtextextended('report_rollup:' || CAST(sqlc.arg(tenant_id)::uuid AS text), 0));

-- name: SetReportRollup :exec
INSERT INTO report_rollups (tenant_id, rolled_through, rolled_at)
VALUES (@tenant_id, @rolled_through, @rolled_at)
ON CONFLICT (tenant_id) DO UPDATE SET rolled_through = EXCLUDED.rolled_through, rolled_at = EXCLUDED.rolled_at;

-- name: ReportSeries :many
-- One metric's figures per day and breakdown, over the outlets in scope (or one of them).
SELECT r.day, r.dim, r.key, sum(r.value)::bigint AS value
FROM report_days r
WHERE r.tenant_id = @tenant_id AND r.metric = @metric AND r.day >= @from_day AND r.day <= @to_day
  AND (sqlc.narg(outlet_key)::uuid IS NULL OR r.outlet_key = sqlc.narg(outlet_key)::uuid)
GROUP BY r.day, r.dim, r.key
ORDER BY r.day, r.dim, r.key;

-- name: ReportTotals :many
-- One metric's figures summed over the days, per breakdown (and per outlet when by_outlet).
SELECT (CASE WHEN @by_outlet::boolean THEN r.outlet_key::text ELSE '' END)::text AS outlet, r.dim, r.key,
       sum(r.value)::bigint AS value
FROM report_days r
WHERE r.tenant_id = @tenant_id AND r.metric = @metric AND r.day >= @from_day AND r.day <= @to_day
  AND (sqlc.narg(outlet_key)::uuid IS NULL OR r.outlet_key = sqlc.narg(outlet_key)::uuid)
GROUP BY 1, r.dim, r.key
ORDER BY 1, r.dim, r.key;

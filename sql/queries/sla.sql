-- name: GetSLASettings :one
SELECT * FROM sla_settings WHERE tenant_id = @tenant_id;

-- name: UpsertSLASettings :one
-- Writes the settings as next_version if the stored version is the one before (none stored: version 1).
INSERT INTO sla_settings (tenant_id, warn_percent, pause_statuses, escalation, carry_in_arrival, version)
VALUES (@tenant_id, @warn_percent, @pause_statuses, @escalation, @carry_in_arrival, @next_version)
ON CONFLICT (tenant_id) DO UPDATE
SET warn_percent = EXCLUDED.warn_percent, pause_statuses = EXCLUDED.pause_statuses, escalation = EXCLUDED.escalation,
    carry_in_arrival = EXCLUDED.carry_in_arrival, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
WHERE sla_settings.version = EXCLUDED.version - 1
RETURNING *;

-- name: InsertSLAClock :exec
-- Starts one clock of an order. An order's clocks go as one multi-row INSERT
-- (tenants.MultiInsert) whose RETURNING gives the clocks started: an existing clock of the
-- order and target is left as it is (no row returned for it).
INSERT INTO sla_clocks (tenant_id, order_id, order_number, target, outlet_id, engineer_id, tier_code, order_type, business,
  duration_ms, status, started_at, due_at, warn_at)
VALUES (@tenant_id, @order_id, @order_number, @target, sqlc.narg(outlet_id), sqlc.narg(engineer_id), @tier_code, @order_type,
  @business, @duration_ms, 'running', @started_at, @due_at, @warn_at)
ON CONFLICT (tenant_id, order_id, target) DO NOTHING
RETURNING *;

-- name: ListSLAClocks :many
SELECT * FROM sla_clocks WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY started_at, target;

-- name: LockSLAClocks :many
-- The order's clocks, locked for a change, in a fixed order (no deadlocks between changes).
SELECT * FROM sla_clocks WHERE tenant_id = @tenant_id AND order_id = @order_id ORDER BY target FOR UPDATE;

-- name: UpdateSLAClock :one
-- Writes a clock changed by the order (pause, resume, meet, cancel, retarget) if unchanged since read.
UPDATE sla_clocks
SET status = @status, business = @business, duration_ms = @duration_ms, started_at = @started_at,
    due_at = @due_at, warn_at = @warn_at, warned_at = @warned_at, met_at = @met_at, stopped_at = @stopped_at,
    pauses = @pauses, engineer_id = @engineer_id, escalate_at = @escalate_at,
    version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND target = @target AND version = @version
RETURNING *;

-- name: WarnSLAClock :one
-- Marks the warning given, once, if the clock still runs and the threshold has passed but not the due time.
UPDATE sla_clocks SET warned_at = @now::timestamptz, updated_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND target = @target
  AND status = 'running' AND warned_at IS NULL AND warn_at <= @now::timestamptz AND due_at > @now::timestamptz
RETURNING *;

-- name: BreachSLAClock :one
-- Breaches a running clock whose due time has passed: exactly one caller gets the row, and
-- records the breach (InsertSLABreach) in its transaction. The first escalation falls the
-- first level's after_minutes after the breach, from the tenant's settings or, with none
-- stored, default_first_after_s seconds (no escalation when NULL). The breach row is a
-- statement of its own: Citus would pull an INSERT ... SELECT FROM the update to the
-- coordinator.
WITH s AS (
  SELECT CASE WHEN st.tenant_id IS NULL THEN sqlc.narg(default_first_after_s)::float8
              ELSE (st.escalation -> 0 ->> 'after_minutes')::float8 * 60 END AS first_after_s
  FROM (SELECT 1) one LEFT JOIN sla_settings st ON st.tenant_id = @tenant_id
), b AS (
  UPDATE sla_clocks c
  SET status = 'breached', breached_at = c.due_at, escalation_level = 0,
      escalate_at = ((c.due_at AT TIME ZONE 'UTC') + make_interval(secs => (SELECT first_after_s FROM s))) AT TIME ZONE 'UTC',
      version = c.version + 1, updated_at = now()
  WHERE c.tenant_id = @tenant_id AND c.order_id = @order_id AND c.target = @target
    AND c.status = 'running' AND c.due_at <= @now::timestamptz
  RETURNING c.*
)
SELECT b.* FROM b;

-- name: InsertSLABreach :exec
-- Records a breach of a clock (BreachSLAClock, FireSLAClocks), once; a batch's breaches go as
-- one multi-row INSERT (tenants.MultiInsert).
INSERT INTO sla_breaches (tenant_id, order_id, target, outlet_id, engineer_id, tier_code, order_type, due_at, breached_at)
VALUES (@tenant_id, @order_id, @target, sqlc.narg(outlet_id), sqlc.narg(engineer_id), @tier_code, @order_type, @due_at, @breached_at)
ON CONFLICT (tenant_id, order_id, target) DO NOTHING;

-- name: EscalateSLAClock :one
-- Moves a breached, unmet, uncancelled clock to the next escalation level once its time has come;
-- the level after that falls next_after_s seconds after the breach (none when NULL).
UPDATE sla_clocks
SET escalation_level = escalation_level + 1,
    escalate_at = ((breached_at AT TIME ZONE 'UTC') + make_interval(secs => sqlc.narg(next_after_s)::float8)) AT TIME ZONE 'UTC', updated_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND target = @target
  AND status = 'breached' AND met_at IS NULL AND stopped_at IS NULL AND escalation_level = @from_level AND escalate_at <= @now::timestamptz
RETURNING *;

-- name: SLAStepsDue :one
-- Whether the tenant has any step due at now (what DueSLASteps would return), without
-- locking: a wake that finds none ends after this one read.
SELECT (EXISTS (SELECT 1 FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.due_at <= @now::timestamptz)
    OR EXISTS (SELECT 1 FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.warned_at IS NULL
                 AND c.warn_at <= @now::timestamptz AND c.due_at > @now::timestamptz)
    OR EXISTS (SELECT 1 FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'breached' AND c.met_at IS NULL
                 AND c.stopped_at IS NULL AND c.escalate_at <= @now::timestamptz))::boolean AS due;

-- name: DueSLASteps :many
-- The tenant's steps due at now, what a wake fires, up to lim of each kind: running clocks
-- past their due time (step 'breach'), running clocks past their warning and not yet due,
-- not warned (step 'warn'), breached clocks past their next escalation (step 'escalate'):
-- the conditions of FireSLAClocks and EscalateSLAClock, so a clock returned changes when
-- fired. Clocks named in skip ("order_id/target"; NULL for none) are left out (they failed
-- in this wake). The rows are locked; SKIP LOCKED leaves the clocks another transaction
-- holds (a concurrent wake of the same tenant, an order's change) to it, so concurrent wakes
-- take disjoint clocks. Each kind reads its partial index (sla_clocks_due_idx, _warn_idx,
-- _escalate_idx) in time order, the longest overdue first, and stops at lim: a bitmap scan
-- of the three at once would read every due entry, the ones fired a moment ago included,
-- on every batch of a backlog.
WITH breach AS (
  SELECT c.order_id, c.target FROM sla_clocks c
  WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.due_at <= @now::timestamptz
    AND c.order_id::text || '/' || c.target <> ALL (coalesce(@skip::text[], '{}'))
  ORDER BY c.due_at
  LIMIT @lim
  FOR UPDATE SKIP LOCKED
), warn AS (
  SELECT c.order_id, c.target FROM sla_clocks c
  WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.warned_at IS NULL AND c.warn_at <= @now::timestamptz
    AND c.due_at > @now::timestamptz
    AND c.order_id::text || '/' || c.target <> ALL (coalesce(@skip::text[], '{}'))
  ORDER BY c.warn_at
  LIMIT @lim
  FOR UPDATE SKIP LOCKED
), escalate AS (
  SELECT c.order_id, c.target FROM sla_clocks c
  WHERE c.tenant_id = @tenant_id AND c.status = 'breached' AND c.met_at IS NULL AND c.stopped_at IS NULL
    AND c.escalate_at <= @now::timestamptz
    AND c.order_id::text || '/' || c.target <> ALL (coalesce(@skip::text[], '{}'))
  ORDER BY c.escalate_at
  LIMIT @lim
  FOR UPDATE SKIP LOCKED
)
SELECT order_id, target, 'breach'::text AS step FROM breach
UNION ALL
SELECT order_id, target, 'warn'::text FROM warn
UNION ALL
SELECT order_id, target, 'escalate'::text FROM escalate;

-- name: ListTenantIDs :many
-- Root tenants, for per-tenant background sweeps (tenants is a global table).
SELECT id FROM tenants
WHERE (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: SLAAttainment :many
-- Outcomes of clocks that ended (met or breached) in [from, to), grouped by one dimension.
SELECT (CASE @group_by::text
          WHEN 'outlet' THEN coalesce(outlet_id::text, '')
          WHEN 'engineer' THEN coalesce(engineer_id::text, '')
          WHEN 'tier' THEN tier_code
          WHEN 'order_type' THEN order_type
          ELSE target END)::text AS key,
       count(*) FILTER (WHERE status = 'met')::bigint AS met,
       count(*) FILTER (WHERE status = 'breached')::bigint AS breached,
       count(*)::bigint AS total
FROM sla_clocks
WHERE tenant_id = @tenant_id AND status IN ('met', 'breached')
  AND coalesce(met_at, breached_at) >= @from_at::timestamptz AND coalesce(met_at, breached_at) < @to_at::timestamptz
  AND (sqlc.narg(target)::text IS NULL OR target = sqlc.narg(target)::text)
GROUP BY 1
ORDER BY 1;

-- name: GetSLAClock :one
SELECT * FROM sla_clocks WHERE tenant_id = @tenant_id AND order_id = @order_id AND target = @target;

-- name: EndSLAEscalation :exec
-- Ends a breached clock's escalation (its chain has no further level).
UPDATE sla_clocks SET escalate_at = NULL, updated_at = now()
WHERE tenant_id = @tenant_id AND order_id = @order_id AND target = @target AND status = 'breached';

-- name: FireSLAClocks :many
-- The warnings and breaches due for several clocks of the tenant, in one statement: each
-- clock of the warn pairs (warn_orders[i], warn_targets[i]) as WarnSLAClock, each of the
-- breach pairs as BreachSLAClock (first escalation; the caller records the breach rows with
-- InsertSLABreach). A clock cannot take both at one moment (a warning needs due_at > now, a
-- breach due_at <= now). Only the clocks that changed come back, with step 'warning' or
-- 'breach'. Order ids travel as text: pgx sends each element of a []uuid.UUID through its
-- text form, a failed encoding and a re-parse, where a []string costs one allocation. The
-- pairs are unnested in FROM: Citus would try to evaluate a set-returning function of the
-- select list on the coordinator.
WITH s AS (
  SELECT CASE WHEN st.tenant_id IS NULL THEN sqlc.narg(default_first_after_s)::float8
              ELSE (st.escalation -> 0 ->> 'after_minutes')::float8 * 60 END AS first_after_s
  FROM (SELECT 1) one LEFT JOIN sla_settings st ON st.tenant_id = @tenant_id
), w AS (
  UPDATE sla_clocks c SET warned_at = @now::timestamptz, updated_at = now()
  FROM unnest(@warn_orders::text[]) WITH ORDINALITY AS ko (order_id, n)
  JOIN unnest(@warn_targets::text[]) WITH ORDINALITY AS kt (target, n) ON kt.n = ko.n
  WHERE c.tenant_id = @tenant_id AND c.order_id = ko.order_id::uuid AND c.target = kt.target
    AND c.status = 'running' AND c.warned_at IS NULL AND c.warn_at <= @now::timestamptz AND c.due_at > @now::timestamptz
  RETURNING c.*
), b AS (
  UPDATE sla_clocks c
  SET status = 'breached', breached_at = c.due_at, escalation_level = 0,
      escalate_at = ((c.due_at AT TIME ZONE 'UTC') + make_interval(secs => (SELECT first_after_s FROM s))) AT TIME ZONE 'UTC',
      version = c.version + 1, updated_at = now()
  FROM unnest(@breach_orders::text[]) WITH ORDINALITY AS ko (order_id, n)
  JOIN unnest(@breach_targets::text[]) WITH ORDINALITY AS kt (target, n) ON kt.n = ko.n
  WHERE c.tenant_id = @tenant_id AND c.order_id = ko.order_id::uuid AND c.target = kt.target
    AND c.status = 'running' AND c.due_at <= @now::timestamptz
  RETURNING c.*
)
SELECT 'warning'::text AS step, w.order_id, w.order_number, w.target, w.outlet_id, w.engineer_id, w.tier_code, w.order_type,
       w.business, w.duration_ms, w.due_at, w.escalate_at, w.version
FROM w
UNION ALL
SELECT 'breach'::text, b.order_id, b.order_number, b.target, b.outlet_id, b.engineer_id, b.tier_code, b.order_type,
       b.business, b.duration_ms, b.due_at, b.escalate_at, b.version
FROM b;

-- name: EscalateSLAClocks :many
-- EscalateSLAClock for several clocks of the tenant at once, all at one level: clock i
-- (orders[i], targets[i]) moves up from from_level if that level is still its own and due;
-- its next level falls next_after_s seconds after the breach (none when negative). Ids
-- travel as text and are unnested in FROM (see FireSLAClocks).
UPDATE sla_clocks c
SET escalation_level = c.escalation_level + 1,
    escalate_at = CASE WHEN @next_after_s::float8 < 0 THEN NULL
                       ELSE ((c.breached_at AT TIME ZONE 'UTC') + make_interval(secs => @next_after_s::float8)) AT TIME ZONE 'UTC' END,
    updated_at = now()
FROM unnest(@orders::text[]) WITH ORDINALITY AS ko (order_id, n)
JOIN unnest(@targets::text[]) WITH ORDINALITY AS kt (target, n) ON kt.n = ko.n
WHERE c.tenant_id = @tenant_id AND c.order_id = ko.order_id::uuid AND c.target = kt.target
  AND c.status = 'breached' AND c.met_at IS NULL AND c.stopped_at IS NULL AND c.escalation_level = @from_level::integer
  AND c.escalate_at <= @now::timestamptz
RETURNING c.order_id, c.order_number, c.target, c.outlet_id, c.engineer_id, c.tier_code, c.order_type, c.business,
          c.duration_ms, c.due_at, c.escalation_level, c.escalate_at, c.version;

-- name: OrdersOnCalendar :many
-- The orders with running business-time clocks that follow a calendar: an outlet's own
-- (outlet_id given), or the tenant's (outlet_id null: clocks without an outlet, or of an
-- outlet without a calendar of its own), after the cursor, by order.
SELECT DISTINCT c.order_id FROM sla_clocks c
WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.business
  AND (sqlc.narg(after)::uuid IS NULL OR c.order_id > sqlc.narg(after)::uuid)
  AND CASE WHEN sqlc.narg(outlet_id)::uuid IS NOT NULL THEN c.outlet_id = sqlc.narg(outlet_id)::uuid
      ELSE c.outlet_id IS NULL OR NOT EXISTS (SELECT 1 FROM business_calendars b
        WHERE b.tenant_id = @tenant_id AND b.outlet_id = c.outlet_id) END
ORDER BY c.order_id
LIMIT @lim;

-- name: NextSLAStep :one
-- The tenant's first step (a warning, a breach, an escalation, a complaint's deadline not yet
-- met nor escalated) after @after, or @until when none comes sooner: a sandbox tenant's
-- advancing test clock stops at each in time order.
SELECT least(@until::timestamptz,
  (SELECT min(p.first_response_due) FROM complaints p WHERE p.tenant_id = @tenant_id AND p.status IN ('open', 'reopened')
     AND p.first_responded_at IS NULL AND NOT 'first_response' = ANY (p.escalations) AND p.first_response_due > @after::timestamptz),
  (SELECT min(p.report_due) FROM complaints p WHERE p.tenant_id = @tenant_id AND p.status IN ('open', 'reopened')
     AND p.reported_at IS NULL AND NOT 'report' = ANY (p.escalations) AND p.report_due > @after::timestamptz),
  (SELECT min(p.resolution_due) FROM complaints p WHERE p.tenant_id = @tenant_id AND p.status IN ('open', 'reopened')
     AND p.resolved_at IS NULL AND NOT 'resolution' = ANY (p.escalations) AND p.resolution_due > @after::timestamptz),
  (SELECT min(c.warn_at) FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.warned_at IS NULL
     AND c.warn_at > @after::timestamptz AND c.warn_at < c.due_at),
  (SELECT min(c.due_at) FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'running' AND c.due_at > @after::timestamptz),
  (SELECT min(c.escalate_at) FROM sla_clocks c WHERE c.tenant_id = @tenant_id AND c.status = 'breached' AND c.met_at IS NULL
     AND c.stopped_at IS NULL AND c.escalate_at > @after::timestamptz))::timestamptz AS at;

-- Callbacks, surveys and rectification (docs/callbacks.md).

-- name: ListSurveyTemplates :many
SELECT * FROM survey_templates WHERE tenant_id = @tenant_id ORDER BY is_default DESC, created_at, id;

-- name: GetSurveyTemplate :one
SELECT * FROM survey_templates WHERE tenant_id = @tenant_id AND id = @id;

-- name: DefaultSurveyTemplate :one
SELECT * FROM survey_templates WHERE tenant_id = @tenant_id AND is_default AND active;

-- name: InsertSurveyTemplate :one
INSERT INTO survey_templates (tenant_id, id, name, questions, poor_at, is_default, active, created_at, updated_at)
VALUES (@tenant_id, @id, @name, @questions, @poor_at, @is_default, @active, @now, @now)
RETURNING *;

-- name: UpdateSurveyTemplate :one
-- Changes a template if its version is the one read (no row otherwise).
UPDATE survey_templates SET name = @name, questions = @questions, poor_at = @poor_at, is_default = @is_default, active = @active,
  version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: ClearDefaultSurveyTemplate :exec
-- Another template becomes the default: the current one stops being it.
UPDATE survey_templates SET is_default = false WHERE tenant_id = @tenant_id AND is_default AND id <> @id;

-- name: GetCallbackSettings :one
SELECT * FROM callback_settings WHERE tenant_id = @tenant_id;

-- name: PutCallbackSettings :one
INSERT INTO callback_settings (tenant_id, ratio_bp, type_ratios, outlet_ratios, excluded_types, cap_surveys, cap_days, due_minutes,
  rectify_hours, shifts, version, updated_at)
VALUES (@tenant_id, @ratio_bp, @type_ratios, @outlet_ratios, @excluded_types, @cap_surveys, @cap_days, @due_minutes,
  @rectify_hours, @shifts, 1, @now)
ON CONFLICT (tenant_id) DO UPDATE SET ratio_bp = EXCLUDED.ratio_bp, type_ratios = EXCLUDED.type_ratios,
  outlet_ratios = EXCLUDED.outlet_ratios, excluded_types = EXCLUDED.excluded_types, cap_surveys = EXCLUDED.cap_surveys,
  cap_days = EXCLUDED.cap_days, due_minutes = EXCLUDED.due_minutes, rectify_hours = EXCLUDED.rectify_hours, shifts = EXCLUDED.shifts,
  version = callback_settings.version + 1, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: CallbackCandidates :many
-- The orders completed in [from, to) with what sampling needs: the lead engineer, whether
-- the order has a callback already, whether a poor survey answer came in without one, and
-- the order's draw (0..9999, fixed by its id, so a rerun draws the same). Orders the consumer
-- rated in the portal are left out: the rating is the order's one survey answer, so a
-- callback could not record another (its answer would be refused as a conflict).
SELECT o.id, o.number, o.type_code, o.outlet_id, o.customer_id, o.tier_code, o.is_repeat,
  coalesce(lead.user_id, '00000000-0000-0000-0000-000000000000'::uuid)::uuid AS engineer_id,
  EXISTS (SELECT 1 FROM callback_tasks t WHERE t.tenant_id = @tenant_id AND t.order_id = o.id) AS has_task,
  EXISTS (SELECT 1 FROM survey_responses r WHERE r.tenant_id = @tenant_id AND r.order_id = o.id AND r.poor) AS poor_rating,
  (abs(hashtextextended(o.id::text, 0)) % 10000)::integer AS draw
FROM service_orders o
LEFT JOIN LATERAL (
  SELECT e.user_id FROM order_engineers e
  WHERE e.tenant_id = @tenant_id AND e.order_id = o.id AND e.state NOT IN ('declined', 'removed')
  ORDER BY e.role = 'lead' DESC, e.assigned_at LIMIT 1
) lead ON true
WHERE o.tenant_id = @tenant_id AND o.completed_at >= @from_at::timestamptz AND o.completed_at < @to_at::timestamptz AND o.status <> 'cancelled'
  AND NOT EXISTS (SELECT 1 FROM survey_responses pr WHERE pr.tenant_id = @tenant_id AND pr.order_id = o.id AND pr.channel = 'portal')
ORDER BY o.completed_at, o.id;

-- name: OrdersWithComplaints :many
-- Which of the orders have a complaint (any status), as far as the transaction may see
-- complaints: row-level security hides a confidential one from those not handling it.
SELECT DISTINCT order_id::uuid AS order_id FROM complaints
WHERE tenant_id = @tenant_id AND order_id = ANY(@orders::uuid[]);

-- name: CustomerCallbackCounts :many
-- How many callbacks each customer had since a moment, for the cap per customer.
SELECT customer_id, count(*)::integer AS n FROM callback_tasks
WHERE tenant_id = @tenant_id AND customer_id = ANY(@customers::uuid[]) AND created_at >= @since
GROUP BY customer_id;

-- name: OpenCallbacksByAssignee :many
-- Each agent's open callbacks, to spread new ones evenly across the shift.
SELECT assignee_id::uuid AS assignee_id, count(*)::integer AS n FROM callback_tasks
WHERE tenant_id = @tenant_id AND status = 'open' AND assignee_id = ANY(@agents::uuid[])
GROUP BY assignee_id;

-- name: InsertCallbackTask :exec
-- One callback; an order that has one already keeps it (sent as a multi-row insert).
INSERT INTO callback_tasks (tenant_id, id, order_id, order_number, order_type, outlet_id, customer_id, engineer_id, reason, sample_day,
  template_id, assignee_id, due_at, token_hash, created_at, updated_at)
VALUES (@tenant_id, @id, @order_id, @order_number, @order_type, sqlc.narg(outlet_id), @customer_id, sqlc.narg(engineer_id), @reason,
  @sample_day, @template_id, sqlc.narg(assignee_id), @due_at, @token_hash, @now, @now)
ON CONFLICT (tenant_id, order_id) DO NOTHING;

-- name: PutCallbackRun :exec
INSERT INTO callback_runs (tenant_id, day, candidates, created, ran_at)
VALUES (@tenant_id, @day, @candidates, @created, @ran_at)
ON CONFLICT (tenant_id, day) DO UPDATE SET candidates = EXCLUDED.candidates, created = callback_runs.created + EXCLUDED.created,
  ran_at = EXCLUDED.ran_at;

-- name: GetCallbackRun :one
SELECT * FROM callback_runs WHERE tenant_id = @tenant_id AND day = @day;

-- name: ListCallbackTasks :many
-- The callback queue, newest first, with optional filters.
SELECT * FROM callback_tasks
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(assignee_id)::uuid IS NULL OR assignee_id = sqlc.narg(assignee_id)::uuid)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(reason)::text IS NULL OR reason = sqlc.narg(reason)::text)
  AND (sqlc.narg(due_before)::timestamptz IS NULL OR due_at < sqlc.narg(due_before)::timestamptz)
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: GetCallbackTask :one
SELECT * FROM callback_tasks WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockCallbackTask :one
SELECT * FROM callback_tasks WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: CallbackTaskByToken :one
SELECT * FROM callback_tasks WHERE tenant_id = @tenant_id AND token_hash = @token_hash FOR UPDATE;

-- name: FinishCallbackTask :one
UPDATE callback_tasks SET status = @status, attempts = attempts + 1, note = @note, done_at = sqlc.narg(done_at),
  version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id
RETURNING *;

-- name: RetryCallbackTask :one
-- A call the customer did not answer: the attempt is counted, the callback stays open.
UPDATE callback_tasks SET attempts = attempts + 1, note = @note, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'open'
RETURNING *;

-- name: AssignCallbackTask :one
UPDATE callback_tasks SET assignee_id = sqlc.narg(assignee_id), version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'open'
RETURNING *;

-- name: InsertSurveyResponse :one
-- The order's one survey answer; no row when it has one already (from another channel).
INSERT INTO survey_responses (tenant_id, id, order_id, task_id, template_id, outlet_id, customer_id, engineer_id, channel, answers,
  score, nps, comment, poor, answered_by, answered_at)
VALUES (@tenant_id, @id, @order_id, sqlc.narg(task_id), @template_id, sqlc.narg(outlet_id), @customer_id, sqlc.narg(engineer_id),
  @channel, @answers, @score, sqlc.narg(nps), @comment, @poor, @answered_by, @answered_at)
ON CONFLICT (tenant_id, order_id) DO NOTHING
RETURNING *;

-- name: SurveyResponseOfOrder :one
SELECT * FROM survey_responses WHERE tenant_id = @tenant_id AND order_id = @order_id;

-- name: GetSurveyResponse :one
SELECT * FROM survey_responses WHERE tenant_id = @tenant_id AND id = @id;

-- name: OutletManagerOf :one
-- The first active manager of an outlet: a rectification's owner.
SELECT user_id FROM memberships
WHERE tenant_id = @tenant_id AND outlet_id = @outlet_id AND role = 'outlet_manager' AND status = 'active'
ORDER BY created_at, id LIMIT 1;

-- name: InsertRectification :one
INSERT INTO rectifications (tenant_id, id, response_id, order_id, order_number, outlet_id, engineer_id, owner_id, deadline,
  created_at, updated_at)
VALUES (@tenant_id, @id, @response_id, @order_id, @order_number, sqlc.narg(outlet_id), sqlc.narg(engineer_id), sqlc.narg(owner_id),
  @deadline, @now, @now)
ON CONFLICT (tenant_id, response_id) DO NOTHING
RETURNING *;

-- name: ListRectifications :many
SELECT * FROM rectifications
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR outlet_id = sqlc.narg(outlet_id)::uuid)
  AND (sqlc.narg(owner_id)::uuid IS NULL OR owner_id = sqlc.narg(owner_id)::uuid)
  AND (sqlc.narg(after)::uuid IS NULL OR id < sqlc.narg(after)::uuid)
ORDER BY id DESC
LIMIT @lim;

-- name: GetRectification :one
SELECT * FROM rectifications WHERE tenant_id = @tenant_id AND id = @id;

-- name: LockRectification :one
SELECT * FROM rectifications WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: SubmitRectification :one
UPDATE rectifications SET status = 'submitted', actions = @actions, recontacted_at = @recontacted_at, recontact_note = @recontact_note,
  submitted_by = @submitted_by, version = version + 1, updated_at = @now
WHERE tenant_id = @tenant_id AND id = @id AND status = 'open'
RETURNING *;

-- name: ReviewRectification :one
-- The manager's review of a submitted case: approved, or back to open with the reason. The
-- reviewer must be a manager of the case's outlet or a tenant admin (their membership is
-- checked here, in the data layer), and not the person who submitted it.
UPDATE rectifications r SET status = @status, review_note = @review_note,
  approved_by = CASE WHEN @status = 'approved' THEN @reviewer::text ELSE '' END,
  approved_at = CASE WHEN @status = 'approved' THEN @now::timestamptz END,
  version = r.version + 1, updated_at = @now
WHERE r.tenant_id = @tenant_id AND r.id = @id AND r.status = 'submitted' AND r.submitted_by <> @reviewer::text
  AND EXISTS (SELECT 1 FROM memberships m
    WHERE m.tenant_id = @tenant_id AND m.user_id = @reviewer_id AND m.status = 'active'
      AND (m.role = 'tenant_admin' OR (m.role = 'outlet_manager' AND m.outlet_id = r.outlet_id)))
RETURNING *;

-- name: SatisfactionByDay :many
-- The survey answers per day (in the tenant's zone), outlet and engineer with each
-- dimension's average and the overall score's (the satisfaction report and its trend).
SELECT (r.answered_at AT TIME ZONE @tz::text)::date AS day, r.outlet_id, coalesce(ol.name, '')::text AS outlet_name,
  r.engineer_id, coalesce(u.name, '')::text AS engineer_name, a.dimension::text AS dimension,
  count(*)::integer AS answers, avg(a.score)::float8 AS score
FROM survey_responses r
LEFT JOIN outlets ol ON ol.tenant_id = @tenant_id AND ol.id = r.outlet_id
LEFT JOIN users u ON u.id = r.engineer_id
CROSS JOIN LATERAL (
  SELECT x->>'dimension' AS dimension, (x->>'score')::float8 AS score FROM jsonb_array_elements(r.answers) x
  WHERE coalesce(x->>'dimension', '') <> '' AND x ? 'score'
  UNION ALL SELECT 'overall', r.score
) a
WHERE r.tenant_id = @tenant_id AND r.answered_at >= @from_at AND r.answered_at < @to_at
  AND (sqlc.narg(outlet_id)::uuid IS NULL OR r.outlet_id = sqlc.narg(outlet_id)::uuid)
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 3, 5, 6;

-- name: ActiveMemberUsers :many
-- Which of the users are active members of the tenant (a shift roster names only them).
SELECT user_id FROM memberships WHERE tenant_id = @tenant_id AND user_id = ANY(@users::uuid[]) AND status = 'active';

-- name: CallbackTaskOfOrder :one
-- The order's callback, if it has one, locked: a rating from the portal answers its survey.
SELECT * FROM callback_tasks WHERE tenant_id = @tenant_id AND order_id = @order_id FOR UPDATE;

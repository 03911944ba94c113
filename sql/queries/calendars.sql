-- name: CreateCalendar :one
INSERT INTO business_calendars (tenant_id, id, outlet_id, name, timezone, weekly_hours)
VALUES (@tenant_id, @id, @outlet_id, @name, @timezone, @weekly_hours)
RETURNING *;

-- name: GetCalendar :one
SELECT * FROM business_calendars WHERE tenant_id = @tenant_id AND id = @id;

-- name: ListCalendars :many
SELECT * FROM business_calendars
WHERE tenant_id = @tenant_id
  AND (sqlc.narg(after)::uuid IS NULL OR id > sqlc.narg(after)::uuid)
ORDER BY id
LIMIT @lim;

-- name: CalendarForOutlet :one
-- The outlet's own calendar when it has one, else the tenant's.
SELECT * FROM business_calendars
WHERE tenant_id = @tenant_id AND (outlet_id = sqlc.narg(outlet_id)::uuid OR outlet_id IS NULL)
ORDER BY outlet_id NULLS LAST
LIMIT 1;

-- name: UpdateCalendar :one
UPDATE business_calendars
SET name = @name, timezone = @timezone, weekly_hours = @weekly_hours, version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING *;

-- name: DeleteCalendar :execrows
DELETE FROM business_calendars WHERE tenant_id = @tenant_id AND id = @id AND version = @version;

-- name: BumpCalendarVersion :one
-- A change of a calendar's days is a change of the calendar: its version moves on (the
-- days' If-Match is the calendar's ETag), taking the calendar's row lock. The version must
-- be current (no row otherwise).
UPDATE business_calendars SET version = version + 1, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id AND version = @version
RETURNING version;

-- name: UpsertCalendarDay :one
INSERT INTO calendar_days (tenant_id, calendar_id, day, kind, name, hours)
VALUES (@tenant_id, @calendar_id, @day, @kind, @name, @hours)
ON CONFLICT (tenant_id, calendar_id, day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, hours = EXCLUDED.hours
RETURNING *;

-- name: DeleteCalendarDay :execrows
DELETE FROM calendar_days WHERE tenant_id = @tenant_id AND calendar_id = @calendar_id AND day = @day;

-- name: ListCalendarDays :many
SELECT * FROM calendar_days
WHERE tenant_id = @tenant_id AND calendar_id = @calendar_id
  AND day >= @from_day AND day <= @to_day
ORDER BY day;

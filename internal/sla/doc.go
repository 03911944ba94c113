// Package sla runs the time limits (时效) of service orders: one clock per order and target
// (accept, dispatch, appointment, arrival, completion, return, callback), each in business
// time on the outlet's calendar or in clock time (24x7 express service).
//
// # Due times
//
// Due, WarnAt and Elapsed are pure and exact to the nanosecond. Business time walks the
// calendar day by day in the calendar's own IANA timezone: each weekday's working
// intervals, holidays closed, make-up working days (调休) open with their own hours or
// Monday's. Wall-clock hours hold across DST changes (09:00 stays 09:00), while a calendar
// open "00:00"-"24:00" counts the real length of a 23- or 25-hour day. Pauses never count,
// wherever they lie (a pause over a weekend subtracts nothing it did not overlap). Clock
// time is the same walk on AlwaysOpen.
//
// LoadCalendar reads a calendar with a window of its exception days; the clocks size the
// window from the duration and the weekly hours (twice the calendar time an ordinary week
// needs, plus six weeks for holiday seasons) and widen it while a due time falls beyond, so
// a 72-hour business target over Golden Week loads about a month of days in one query.
//
// # Targets
//
// Targets merges a service tier's targets with those of a purchased express product: per
// target the shorter duration wins, and clock time wins a tie (the same span of business
// time never ends earlier). Retarget applies an express plan bought mid-order: its promise
// counts from the purchase and replaces a clock's target only if it ends earlier.
//
// # Lifecycle
//
// Service orders call Start, Meet, ApplyStatus (which pauses on the tenant's pause statuses
// and resumes otherwise), PauseOrder, ResumeOrder, CancelOrder, Retarget and SetEngineer in
// the same transaction as the order's change, and write the returned Changes to the
// order's timeline. Every change locks the order's clocks, bumps their version, and first
// breaches a clock whose due time has passed, so no status change can hide a breach
// (going straight from a paused status to resolved keeps the paused time, and a target
// reached late is recorded as breached and then met late).
//
// # Timers
//
// Warnings (at Settings.WarnPercent of a target), breaches (at its due time) and each level
// of the escalation chain after a breach are River jobs (TimerArgs, on their own queue,
// Queue) inserted in the same transaction as the clock change, so a crash or restart loses
// none. A timer already due is inserted available; a later one scheduled, which River makes
// available within about five seconds of its time. A job re-checks its clock with a
// conditional update (UPDATE ... WHERE status = 'running' AND due_at <= now RETURNING): a
// timer of a clock that has since stopped, paused or moved does nothing, and of concurrent
// timers, the sweep and order changes exactly one gets the row and emits the event. A
// warning job whose queued due time has passed returns without reading the clock (there is
// no warning after a breach). Warning and breach jobs that a worker runs at the same
// moment for the same tenant are fired together in one transaction with set-based
// statements, the escalation levels already due at the breach included, and their events
// go out with one dispatch job (batch.go); each job still succeeds or fails with that
// transaction. The SLA queue runs 1000 workers: a job waits for its batch on a goroutine,
// not a connection, and more of them keep several batches in flight. The sweep
// (SweepArgs, every minute) fires whatever is overdue in every tenant, one clock per
// transaction, for timers that were lost or failed for good.
//
// Events, emitted with package events in the same transaction: sla.warning, sla.breached,
// sla.escalated (payload EventData: order_id, target, due_at, outlet_id, engineer_id, and
// level and role for escalations), with the notification convention of package notify:
// warnings and breaches go to the engineer and the outlet's managers, each escalation level
// to its role (the brand service manager level to the tenant admins), breaches and
// escalations as urgent, with order_number, target and due_time (wall time of the outlet's
// calendar). A breach is also a row of sla_breaches, one per order and target, for reports
// and compensation.
//
// # Isolation
//
// Clocks and breaches carry the order's outlet and are outlet-scoped by row-level security
// like the orders they time; settings are tenant-wide. Background work runs in the scope of
// one tenant at a time.
package sla

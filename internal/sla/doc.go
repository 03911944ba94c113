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
// of the escalation chain after a breach are fired by wakes: River jobs (WakeArgs, on their
// own queue, Queue) of a tenant and a second, inserted in the same transaction as the clock
// change that gives a clock a step, so a crash or restart loses none. A step to come queues
// the wake of its time rounded up to the whole second, scheduled then (River makes it
// available within about five seconds); a step already due queues the wake of the current
// second rounded down, available at once. Wakes are unique by tenant and second while
// queued or running, so all the steps of a tenant that fall in one second share one job:
// overnight orders whose business-hour clocks all start at opening time come due at the
// same instant and are one wake, not a job per step.
//
// A wake fires everything due in its tenant when it runs, whichever clock queued it: it
// locks the due clocks (FOR UPDATE SKIP LOCKED, up to 500 per transaction) and fires the
// warnings and breaches set-based, one statement for the clocks and their breach rows, one
// for the events and one dispatch job for them all, the escalation levels already due at
// the breach included, and escalations of clocks breached earlier one clock at a time;
// batches follow until one comes back short. When the first is full (a backlog), four
// transactions run at once on disjoint clocks; the wakes of one tenant running at the same
// time in a process share those four rather than fight over the same clocks. A batch that
// fails is retried one clock per transaction, so one bad clock cannot hold back the others,
// and the wake fails (River retries it). Every step is a conditional update (UPDATE ... WHERE status = 'running' AND
// due_at <= now RETURNING): a wake that finds nothing due (its clocks stopped, paused,
// moved, or fired by another wake) does nothing, and of concurrent wakes, the sweep and
// order changes exactly one gets the row and emits the event. There is no warning after a
// breach.
//
// A step already due whose second's wake is running already (River's unique insert finds
// the key taken by a running job) could be missed by that wake, which may have read the
// clocks before the step's transaction commits; so that transaction inserts a wake of its own
// (WakeArgs.Again, never a duplicate; tenants.Tx.JobOrAgain), available when it commits:
// the step fires within a second, not at the sweep. A step to come does not meet the race
// (as long as the processes' clocks agree): its wake is scheduled after the moment it is
// queued and runs at or after its time, and the wake of due steps is never after the
// moment it is queued. A wake that is queued but not yet running keeps the second's steps
// together (one wake a second); in the rare case that a worker takes it between the
// insert and the step's commit, the tenant's next wake or the sweep fires the step.
// Transactions that queue the same wake wait for each other from that insert to their
// commit (River's unique key). Wakes are queued with the transaction's other jobs
// (tenants.Tx.Job): inserted just before commit, in one statement, each second once
// however many clock changes of the transaction ask for it, in time order, so that
// transactions take the keys in the same order and the wait is short.
//
// The sweep (SweepArgs, every minute) runs every tenant's wake, for wakes that were skipped,
// lost or failed for good. TimerArgs, the job of earlier releases (one per step), is still
// worked, for the jobs such a release left queued: it runs its tenant's wake.
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

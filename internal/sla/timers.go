package sla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// Event types emitted by the clocks (payload: EventData).
const (
	EventWarning   = "sla.warning"
	EventBreached  = "sla.breached"
	EventEscalated = "sla.escalated"
)

// EventData is the payload of the SLA events: webhooks and billing (compensation on
// sla.breached) read its fields; the notifier reads its notification part (notify.Payload:
// who is told, the template variables order_number, target, due_time, and for escalations
// level and role). Breaches and escalations are urgent (they ignore quiet hours).
type EventData struct {
	notify.Payload
	OrderID     uuid.UUID  `json:"order_id"`
	OrderNumber string     `json:"order_number"`
	Target      string     `json:"target"`
	DueAt       time.Time  `json:"due_at"`
	OutletID    *uuid.UUID `json:"outlet_id"`
	EngineerID  *uuid.UUID `json:"engineer_id"`
	TierCode    string     `json:"tier_code"`
	OrderType   string     `json:"order_type"`
	Business    bool       `json:"business"`
	Minutes     int        `json:"minutes"`
	Level       int        `json:"level,omitempty"` // sla.escalated: 1 is the first level
	Role        string     `json:"role,omitempty"`  // sla.escalated: who is told
}

// payloads builds event data, reading each outlet's calendar timezone and loading its zone
// once (due times in messages are wall time where the clock runs).
type payloads struct {
	zones map[uuid.UUID]*time.Location
}

func (p *payloads) zone(ctx context.Context, tx *tenants.Tx, outlet uuid.UUID) *time.Location {
	if p.zones == nil {
		p.zones = map[uuid.UUID]*time.Location{}
	}
	if z, ok := p.zones[outlet]; ok {
		return z
	}
	name := "Asia/Shanghai"
	if c, err := tenants.EffectiveCalendar(ctx, tx, outlet); err == nil {
		name = c.Timezone
	}
	z := location(name)
	p.zones[outlet] = z
	return z
}

// location is the zone named tz, UTC when there is no such zone (as notify.FormatTime,
// which loads the zone, reading its file, on every call).
func location(tz string) *time.Location {
	l, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		return time.UTC
	}
	return l
}

// dueTimeLayout is notify.FormatTime's layout: due times in messages read as every other
// time does.
const dueTimeLayout = "2006-01-02 15:04"

// data is the payload of event typ about c; level is the escalation level reached (0 for
// warnings and breaches) and role its role.
func (p *payloads) data(ctx context.Context, tx *tenants.Tx, typ string, c Clock, level int, role string) EventData {
	d := EventData{OrderID: c.OrderID, OrderNumber: c.OrderNumber, Target: c.Target, OutletID: c.OutletID,
		EngineerID: c.EngineerID, TierCode: c.TierCode, OrderType: c.OrderType, Business: c.Business, Minutes: c.Minutes,
		Level: level, Role: role}
	if c.DueAt != nil {
		d.DueAt = *c.DueAt
	}
	outlet := ptrID(c.OutletID).UUID
	number := c.OrderNumber
	if number == "" {
		number = c.OrderID.String()
	}
	d.Vars = map[string]string{"order_number": number, "target": c.Target, "due_time": d.DueAt.In(p.zone(ctx, tx, outlet)).Format(dueTimeLayout)}
	engineer := func() []notify.Recipient {
		if c.EngineerID != nil {
			return []notify.Recipient{notify.User(*c.EngineerID)}
		}
		return nil
	}
	manager := notify.Role(RoleOutletManager, outlet)
	switch typ {
	case EventWarning:
		d.Recipients = append(engineer(), manager)
	case EventBreached:
		d.Recipients, d.Urgent = append(engineer(), manager), true
	case EventEscalated:
		d.Urgent = true
		d.Vars["level"], d.Vars["role"] = strconv.Itoa(level), role
		switch role {
		case RoleEngineer:
			if d.Recipients = engineer(); d.Recipients == nil {
				d.Recipients = []notify.Recipient{manager} // no engineer yet: the outlet answers
			}
		case RoleOutletManager:
			d.Recipients = []notify.Recipient{manager}
		case RoleBrandServiceManager:
			d.Recipients = []notify.Recipient{notify.Role("tenant_admin", uuid.Nil)} // the brand's service management
		}
	}
	return d
}

// TimerArgs is the job of earlier releases, one per step of a clock (kind sla_timer).
// Nothing queues it any more; its worker stays for the jobs such a release left queued in a
// database, and runs its tenant's wake (WakeArgs): whatever is due fires, the step it was
// queued for included if still due.
type TimerArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	OrderID  uuid.UUID `json:"order_id"`
	Target   string    `json:"target"`
	Event    string    `json:"event"` // warn, breach, escalate
	Version  int32     `json:"version"`
	DueAt    time.Time `json:"due_at"`
}

// Kind names the job.
func (TimerArgs) Kind() string { return "sla_timer" }

// Queue is the River queue of the wakes: their own, so that a backlog of other work
// (webhook deliveries, imports) never delays a breach.
const Queue = "sla"

// InsertOpts puts timers on the SLA queue.
func (TimerArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// SweepArgs asks for every tenant's overdue clocks to be examined (a periodic safety net
// for wakes that were skipped, lost or failed for good).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "sla_sweep" }

// SweepInterval is how often the sweep runs.
const SweepInterval = time.Minute

// stepsOf lists the times of the steps a clock has to come in its current state: its
// warning (unless given, or not before the due time) and its breach while it runs. A
// breached clock's escalations are queued by the breach and by each level (see Fire).
func stepsOf(c Clock) []time.Time {
	if c.Status != Running || c.DueAt == nil {
		return nil
	}
	if c.WarnedAt == nil && c.WarnAt != nil && c.WarnAt.Before(*c.DueAt) {
		return []time.Time{*c.WarnAt, *c.DueAt}
	}
	return []time.Time{*c.DueAt}
}

// breach marks a running, overdue clock breached and records the breach (one statement) and
// emits sla.breached, in tx. The conditional update makes the caller that gets the row the
// only one: concurrent wakes, the sweep and order changes never emit a second breach for the
// same target. ok is false when there was nothing to breach. With escalateHere the caller
// escalates at once if the first level is due already; otherwise the first escalation's
// time is returned in steps, for the caller to queue its wake.
func breach(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time, escalateHere bool) (r db.SlaClock, ok bool, steps []time.Time, err error) {
	var first *float64
	if def := DefaultSettings().Escalation; len(def) > 0 {
		first = afterSeconds(def[0])
	}
	row, err := tx.Q.BreachSLAClock(ctx, tx, db.BreachSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target,
		Now: now, DefaultFirstAfterS: first})
	r = db.SlaClock(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil, nil
	}
	if err != nil {
		return r, false, nil, fmt.Errorf("breach %s/%s: %w", orderID, target, err)
	}
	if err := tx.Q.InsertSLABreach(ctx, tx, breachRow(r.TenantID, r.OrderID, r.Target, r.OutletID, r.EngineerID,
		r.TierCode, r.OrderType, r.DueAt, r.BreachedAt)); err != nil {
		return r, false, nil, fmt.Errorf("record breach %s/%s: %w", orderID, target, err)
	}
	c, err := clockFromRow(r)
	if err != nil {
		return r, false, nil, err
	}
	if _, err := events.Emit(ctx, tx, jobs, EventBreached, "service_order", orderID, ptrID(c.OutletID).UUID,
		(&payloads{}).data(ctx, tx, EventBreached, c, 0, "")); err != nil {
		return r, false, nil, err
	}
	if r.EscalateAt != nil && (r.EscalateAt.After(now) || !escalateHere) {
		steps = []time.Time{*r.EscalateAt}
	}
	return r, true, steps, nil
}

// breachRow is the breach record of a clock just breached (BreachSLAClock, FireSLAClocks).
func breachRow(tenant, order uuid.UUID, target string, outlet, engineer uuid.NullUUID, tier, orderType string,
	dueAt, breachedAt *time.Time) db.InsertSLABreachParams {
	p := db.InsertSLABreachParams{TenantID: tenant, OrderID: order, Target: target, OutletID: outlet, EngineerID: engineer,
		TierCode: tier, OrderType: orderType}
	if dueAt != nil {
		p.DueAt = *dueAt
	}
	if breachedAt != nil {
		p.BreachedAt = *breachedAt
	}
	return p
}

// warn gives a running clock's warning once, if its threshold has passed but not its due
// time, and emits sla.warning.
func warn(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time) (bool, error) {
	r, err := tx.Q.WarnSLAClock(ctx, tx, db.WarnSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target, Now: now})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("warn %s/%s: %w", orderID, target, err)
	}
	c, err := clockFromRow(r)
	if err != nil {
		return false, err
	}
	if _, err := events.Emit(ctx, tx, jobs, EventWarning, "service_order", orderID, ptrID(c.OutletID).UUID,
		(&payloads{}).data(ctx, tx, EventWarning, c, 0, "")); err != nil {
		return false, err
	}
	return true, nil
}

// Fire examines one clock at now and does what is due: the warning, the breach, the
// escalation levels whose deadlines passed. It reads the clock once to see what may be due;
// each step is then a conditional update that re-checks the clock's state, so Fire may run
// any number of times, concurrently, for the same clock, and only one caller acts on each
// step. It returns the events emitted, and queues the wake of the next escalation level.
func Fire(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time) ([]string, error) {
	fired, steps, err := fire(ctx, tx, jobs, orderID, target, now)
	if err != nil {
		return nil, err
	}
	return fired, queue(ctx, tx, jobs, steps)
}

// fire is Fire without queueing: it returns the time of the next escalation level, if
// any, for the caller to queue with the wakes of its other clocks.
func fire(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time) (fired []string, steps []time.Time, err error) {
	key := db.GetSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target}
	cur, err := tx.Q.GetSLAClock(ctx, tx, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil // gone (or another outlet's, in an outlet scope): nothing to do
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read clock %s/%s: %w", orderID, target, err)
	}
	var s *Settings
	settings := func() (Settings, error) {
		if s == nil {
			v, err := GetSettings(ctx, tx)
			if err != nil {
				return v, err
			}
			s = &v
		}
		return *s, nil
	}
	running := cur.Status == Running && cur.DueAt != nil
	switch {
	case running && !cur.DueAt.After(now):
		r, ok, esc, err := breach(ctx, tx, jobs, orderID, target, now, true)
		if err != nil {
			return nil, nil, err
		}
		steps = esc
		if ok {
			cur = r
			fired = append(fired, EventBreached)
		}
	case running && cur.WarnedAt == nil && cur.WarnAt != nil && !cur.WarnAt.After(now):
		ok, err := warn(ctx, tx, jobs, orderID, target, now)
		if err != nil || !ok {
			return nil, nil, err
		}
		return []string{EventWarning}, nil, nil
	}
	// Escalation levels whose deadlines passed, one at a time (each has its own event).
	for cur.Status == Breached && cur.EscalateAt != nil && !cur.EscalateAt.After(now) {
		st, err := settings()
		if err != nil {
			return nil, nil, err
		}
		level := cur.EscalationLevel
		if int(level) >= len(st.Escalation) {
			// The chain was shortened since the breach: nothing further to tell anyone.
			err := tx.Q.EndSLAEscalation(ctx, tx, db.EndSLAEscalationParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target})
			return fired, nil, err
		}
		var next *float64
		if int(level)+1 < len(st.Escalation) {
			next = afterSeconds(st.Escalation[level+1])
		}
		r, err := tx.Q.EscalateSLAClock(ctx, tx, db.EscalateSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target,
			FromLevel: level, Now: now, NextAfterS: next})
		if errors.Is(err, pgx.ErrNoRows) {
			return fired, nil, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("escalate %s/%s: %w", orderID, target, err)
		}
		c, err := clockFromRow(r)
		if err != nil {
			return nil, nil, err
		}
		d := (&payloads{}).data(ctx, tx, EventEscalated, c, c.EscalationLevel, st.Escalation[c.EscalationLevel-1].Role)
		if _, err := events.Emit(ctx, tx, jobs, EventEscalated, "service_order", orderID, ptrID(c.OutletID).UUID, d); err != nil {
			return nil, nil, err
		}
		fired = append(fired, EventEscalated)
		if r.EscalateAt != nil && r.EscalateAt.After(now) {
			steps = []time.Time{*r.EscalateAt}
		}
		cur = r
	}
	return fired, steps, nil
}

func afterSeconds(l Level) *float64 {
	v := l.After().Seconds()
	return &v
}

// Timers runs the wake and sweep jobs (and the timer jobs earlier releases left queued).
type Timers struct {
	DB  *tenants.DB
	Log *slog.Logger
	// Now is the time the jobs act at; time.Now when nil.
	Now func() time.Time
	// Also are the other deadlines of a tenant that its wakes fire (complaints' escalations):
	// each runs on every wake of the tenant, the sweep's included, after the clocks, at the
	// wake's moment (the test clock of a sandbox tenant), and returns the events it emitted.
	// Each must be idempotent and cheap when nothing is due.
	Also []Waker

	mu   sync.Mutex
	busy map[uuid.UUID]*tenantTurns // tenants whose wakes run (see wakeParallel)
}

func (t *Timers) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Waker fires what is due at now in one tenant (see Timers.Also).
type Waker func(ctx context.Context, jobs Inserter, tenant uuid.UUID, now time.Time) (int, error)

// AddWorkers registers the wake, timer and sweep workers.
func (t *Timers) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &wakeWorker{t: t})
	river.AddWorker(w, &timerWorker{t: t})
	river.AddWorker(w, &sweepWorker{t: t})
}

// PeriodicJobs are the sweep, every SweepInterval.
func (t *Timers) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SweepInterval),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}

type wakeWorker struct {
	river.WorkerDefaults[WakeArgs]
	t *Timers
}

// Work fires everything due in the wake's tenant now. A wake that finds nothing due (its
// clocks stopped, paused, moved, or fired by another wake) does nothing.
func (w *wakeWorker) Work(ctx context.Context, job *river.Job[WakeArgs]) error {
	_, err := w.t.wake(ctx, river.ClientFromContext[pgx.Tx](ctx), job.Args.TenantID, w.t.now())
	return err
}

type timerWorker struct {
	river.WorkerDefaults[TimerArgs]
	t *Timers
}

// Work runs the wake of the timer's tenant (see TimerArgs).
func (w *timerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	_, err := w.t.wake(ctx, river.ClientFromContext[pgx.Tx](ctx), job.Args.TenantID, w.t.now())
	return err
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	t *Timers
}

// Work sweeps every tenant.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	n, err := w.t.Sweep(ctx, river.ClientFromContext[pgx.Tx](ctx))
	if n > 0 && w.t.Log != nil {
		w.t.Log.InfoContext(ctx, "sla sweep", "events", n)
	}
	return err
}

// Sweep runs every tenant's wake: it fires every overdue warning, breach and escalation
// (for wakes that were skipped, lost or failed for good) and returns the number of events
// emitted. Tenants are a global table; each tenant's clocks are read in its own scope, so
// no query crosses tenants.
func (t *Timers) Sweep(ctx context.Context, jobs Inserter) (int, error) {
	now := t.now()
	var after uuid.NullUUID
	n := 0
	var errs []error
	for {
		var ids []uuid.UUID
		if err := t.DB.Platform(ctx, "sla sweep: tenants with clocks", uuid.Nil, func(tx *tenants.Tx) (err error) {
			ids, err = tx.Q.ListTenantIDs(ctx, tx, db.ListTenantIDsParams{After: after, Lim: 500})
			return err
		}); err != nil {
			return n, fmt.Errorf("sweep: list tenants: %w", err)
		}
		for _, id := range ids {
			fired, err := t.wake(ctx, jobs, id, now)
			n += fired
			if err != nil {
				errs = append(errs, fmt.Errorf("sweep: %w", err))
			}
		}
		if len(ids) < 500 {
			return n, errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: ids[len(ids)-1], Valid: true}
	}
}

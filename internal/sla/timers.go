package sla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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

// TimerArgs wakes one clock up: at its warning time, due time or next escalation. The
// worker re-reads the clock and acts only on what is due now (a conditional update), so a
// timer of a clock that has since stopped, paused or moved does nothing; Version and DueAt
// say which state of the clock queued it.
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

// Queue is the River queue of the timers: their own, so that a backlog of other work
// (webhook deliveries, imports) never delays a breach.
const Queue = "sla"

// InsertOpts puts timers on their queue.
func (TimerArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// SweepArgs asks for every tenant's overdue clocks to be examined (a periodic safety net
// for timers that were lost or failed for good).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "sla_sweep" }

// SweepInterval is how often the sweep runs.
const SweepInterval = time.Minute

// timersOf lists the jobs a clock needs in its current state.
func timersOf(tenant uuid.UUID, c Clock) []river.InsertManyParams {
	args := func(event string, at time.Time) river.InsertManyParams {
		a := TimerArgs{TenantID: tenant, OrderID: c.OrderID, Target: c.Target, Event: event, Version: c.Version}
		if c.DueAt != nil {
			a.DueAt = *c.DueAt
		}
		return river.InsertManyParams{Args: a, InsertOpts: timerOpts(at)}
	}
	var out []river.InsertManyParams
	switch {
	case c.Status == Running && c.DueAt != nil:
		if c.WarnedAt == nil && c.WarnAt != nil && c.WarnAt.Before(*c.DueAt) {
			out = append(out, args("warn", *c.WarnAt))
		}
		out = append(out, args("breach", *c.DueAt))
	case c.Status == Breached && c.MetAt == nil && c.StoppedAt == nil:
		// escalations are queued by the breach and by each level (see escalate)
	}
	return out
}

// timerOpts schedules a timer at at. A timer due already is inserted available, to run at
// once: River inserts any job given a ScheduledAt as scheduled, and its scheduler makes
// scheduled jobs available only every few seconds (so a timer fires up to about five
// seconds after its time).
func timerOpts(at time.Time) *river.InsertOpts {
	if !at.After(time.Now()) {
		return &river.InsertOpts{Queue: Queue}
	}
	return &river.InsertOpts{ScheduledAt: at, Queue: Queue}
}

func queue(ctx context.Context, tx *tenants.Tx, jobs Inserter, timers []river.InsertManyParams) error {
	if len(timers) == 0 {
		return nil
	}
	if jobs == nil {
		return errors.New("sla: no job inserter for the clocks' timers")
	}
	if _, err := jobs.InsertManyTx(ctx, tx.Tx, timers); err != nil {
		return fmt.Errorf("queue sla timers: %w", err)
	}
	return nil
}

func escalationTimer(tenant uuid.UUID, r db.SlaClock) []river.InsertManyParams {
	return escalationTimerOf(tenant, r.OrderID, r.Target, r.Version, r.DueAt, r.EscalateAt)
}

func escalationTimerOf(tenant, orderID uuid.UUID, target string, version int32, dueAt, escalateAt *time.Time) []river.InsertManyParams {
	if escalateAt == nil {
		return nil
	}
	a := TimerArgs{TenantID: tenant, OrderID: orderID, Target: target, Event: "escalate", Version: version}
	if dueAt != nil {
		a.DueAt = *dueAt
	}
	return []river.InsertManyParams{{Args: a, InsertOpts: timerOpts(*escalateAt)}}
}

// breach marks a running, overdue clock breached and records the breach (one statement),
// emits sla.breached and queues the first escalation, all in tx. The conditional update
// makes the caller that gets the row the only one: concurrent timers, the sweep and order
// changes never emit a second breach for the same target. ok is false when there was
// nothing to breach. With escalateHere the caller escalates at once if the first level is
// due already; otherwise that level's timer is queued whenever it falls.
func breach(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time, escalateHere bool) (db.SlaClock, bool, error) {
	var first *float64
	if def := DefaultSettings().Escalation; len(def) > 0 {
		first = afterSeconds(def[0])
	}
	row, err := tx.Q.BreachSLAClock(ctx, tx, db.BreachSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target,
		Now: now, DefaultFirstAfterS: first})
	r := db.SlaClock(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("breach %s/%s: %w", orderID, target, err)
	}
	c, err := clockFromRow(r)
	if err != nil {
		return r, false, err
	}
	if _, err := events.Emit(ctx, tx, jobs, EventBreached, "service_order", orderID, ptrID(c.OutletID).UUID,
		(&payloads{}).data(ctx, tx, EventBreached, c, 0, "")); err != nil {
		return r, false, err
	}
	if r.EscalateAt != nil && (r.EscalateAt.After(now) || !escalateHere) {
		return r, true, queue(ctx, tx, jobs, escalationTimer(tx.Scope.TenantID, r))
	}
	return r, true, nil
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
// step. It returns the events emitted.
func Fire(ctx context.Context, tx *tenants.Tx, jobs Inserter, orderID uuid.UUID, target string, now time.Time) ([]string, error) {
	key := db.GetSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target}
	cur, err := tx.Q.GetSLAClock(ctx, tx, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil // gone (or another outlet's, in an outlet scope): nothing to do
	}
	if err != nil {
		return nil, fmt.Errorf("read clock %s/%s: %w", orderID, target, err)
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
	var fired []string
	running := cur.Status == Running && cur.DueAt != nil
	switch {
	case running && !cur.DueAt.After(now):
		r, ok, err := breach(ctx, tx, jobs, orderID, target, now, true)
		if err != nil {
			return nil, err
		}
		if ok {
			cur = r
			fired = append(fired, EventBreached)
		}
	case running && cur.WarnedAt == nil && cur.WarnAt != nil && !cur.WarnAt.After(now):
		ok, err := warn(ctx, tx, jobs, orderID, target, now)
		if err != nil || !ok {
			return nil, err
		}
		return []string{EventWarning}, nil
	}
	// Escalation levels whose deadlines passed, one at a time (each has its own event).
	for cur.Status == Breached && cur.EscalateAt != nil && !cur.EscalateAt.After(now) {
		st, err := settings()
		if err != nil {
			return nil, err
		}
		level := cur.EscalationLevel
		if int(level) >= len(st.Escalation) {
			// The chain was shortened since the breach: nothing further to tell anyone.
			err := tx.Q.EndSLAEscalation(ctx, tx, db.EndSLAEscalationParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target})
			return fired, err
		}
		var next *float64
		if int(level)+1 < len(st.Escalation) {
			next = afterSeconds(st.Escalation[level+1])
		}
		r, err := tx.Q.EscalateSLAClock(ctx, tx, db.EscalateSLAClockParams{TenantID: tx.Scope.TenantID, OrderID: orderID, Target: target,
			FromLevel: level, Now: now, NextAfterS: next})
		if errors.Is(err, pgx.ErrNoRows) {
			return fired, nil
		}
		if err != nil {
			return nil, fmt.Errorf("escalate %s/%s: %w", orderID, target, err)
		}
		c, err := clockFromRow(r)
		if err != nil {
			return nil, err
		}
		d := (&payloads{}).data(ctx, tx, EventEscalated, c, c.EscalationLevel, st.Escalation[c.EscalationLevel-1].Role)
		if _, err := events.Emit(ctx, tx, jobs, EventEscalated, "service_order", orderID, ptrID(c.OutletID).UUID, d); err != nil {
			return nil, err
		}
		fired = append(fired, EventEscalated)
		if err := queue(ctx, tx, jobs, escalationTimer(tx.Scope.TenantID, r)); err != nil {
			return nil, err
		}
		cur = r
	}
	return fired, nil
}

func afterSeconds(l Level) *float64 {
	v := l.After().Seconds()
	return &v
}

// Timers runs the timer and sweep jobs.
type Timers struct {
	DB  *tenants.DB
	Log *slog.Logger
	// Now is the time the jobs act at; time.Now when nil.
	Now func() time.Time

	batch *batcher
}

func (t *Timers) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// AddWorkers registers the timer and sweep workers.
func (t *Timers) AddWorkers(w *river.Workers) {
	t.batch = &batcher{t: t, pending: map[uuid.UUID]*timerBatch{}}
	river.AddWorker(w, &timerWorker{t: t})
	river.AddWorker(w, &sweepWorker{t: t})
}

// PeriodicJobs are the sweep, every SweepInterval.
func (t *Timers) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SweepInterval),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}

type timerWorker struct {
	river.WorkerDefaults[TimerArgs]
	t *Timers
}

// Work does the job's step if it is still due: a breach job tries the breach and a warning
// job the warning (conditional updates: nothing happens to a clock that stopped, paused or
// moved), batched with the other warnings and breaches of the tenant that come due at the
// same moment (see batchLinger); an escalation job goes through Fire, which does whatever
// the clock's state makes due.
func (w *timerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	client := river.ClientFromContext[pgx.Tx](ctx)
	a := job.Args
	now := w.t.now()
	switch a.Event {
	case "warn":
		if !a.DueAt.IsZero() && !a.DueAt.After(now) {
			// Too late to warn: the due time the warning was queued for has passed (no warning
			// after a breach), or the clock moved and queued a warning of its own. Nothing to read.
			return nil
		}
		return w.t.batch.fire(ctx, client, a)
	case "breach":
		return w.t.batch.fire(ctx, client, a)
	}
	return w.t.DB.Tx(ctx, tenants.Scope{TenantID: a.TenantID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return fireOne(ctx, tx, client, a, now)
	})
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

// Sweep fires every overdue warning, breach and escalation of every tenant (up to 1000
// clocks per tenant and run; the next run takes the rest), one transaction per clock, and
// returns the number of events emitted. Tenants are a global
// table; each tenant's clocks are read in its own scope, so no query crosses tenants.
func (t *Timers) Sweep(ctx context.Context, jobs Inserter) (int, error) {
	now := t.now()
	var after uuid.NullUUID
	n := 0
	var errs []error
	for {
		var ids []uuid.UUID
		if err := t.DB.Global(ctx, uuid.Nil, func(tx *tenants.Tx) (err error) {
			ids, err = tx.Q.ListTenantIDs(ctx, tx, db.ListTenantIDsParams{After: after, Lim: 500})
			return err
		}); err != nil {
			return n, fmt.Errorf("sweep: list tenants: %w", err)
		}
		for _, id := range ids {
			scope := tenants.Scope{TenantID: id, Actor: tenants.SystemActor}
			var due []db.DueSLAClocksRow
			if err := t.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
				due, err = tx.Q.DueSLAClocks(ctx, tx, db.DueSLAClocksParams{TenantID: id, Now: now, Lim: 1000})
				return err
			}); err != nil {
				errs = append(errs, fmt.Errorf("sweep tenant %s: %w", id, err))
				continue
			}
			// One transaction per clock: a clock that fails does not hold back the others.
			for _, d := range due {
				var fired []string
				if err := t.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
					fired, err = Fire(ctx, tx, jobs, d.OrderID, d.Target, now)
					return err
				}); err != nil {
					errs = append(errs, fmt.Errorf("sweep %s/%s: %w", d.OrderID, d.Target, err))
					continue
				}
				n += len(fired)
			}
		}
		if len(ids) < 500 {
			return n, errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: ids[len(ids)-1], Valid: true}
	}
}

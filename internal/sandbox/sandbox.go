// Package sandbox advances the test clocks of sandbox tenants and runs, before the advance
// answers, the work that falls due on the way: so that a brand can try its setup, and a
// test can play whole weeks of a tenant in seconds.
//
// A sandbox tenant (tenants.NewTenant.Sandbox, chosen at onboarding) keeps its own "now",
// its test clock (tenants.Tx.Now): frozen until its admin advances it, as Stripe's test
// clocks. Everything that asks the tenant's now follows it: orders start their SLA clocks
// at it, appointments and cooling-off periods count from it, and the SLA wake fires what
// is due at it. A sandbox tenant's future SLA steps get no River job on the wall clock
// (package sla queues none); Advance is what makes them due.
//
// Advance walks the clock forward in order: it stops at each SLA step on the way (the
// next warning, due time or escalation of the tenant's clocks, tenants' NextSLAStep), sets
// the clock there, runs the tenant's SLA wake at that moment (warnings, breaches,
// escalations), and runs the reactions that must be visible when the advance answers
// (billing's compensation of a breached paid promise), until the clock reaches the moment
// asked for. A warning is thus given at its own moment, before a breach that comes later
// in the same advance, and each breach's compensation is issued before the answer. The
// events still go through the product's event pipeline too (notifications, webhooks); the
// reactions run here are idempotent, so the pipeline's later run of them changes nothing.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// MaxStops bounds the stops of one advance: an advance that would stop more often (a
// tenant with very many clocks, or a long jump) fails after moving the clock that far and
// is continued by the next.
const MaxStops = 5000

// MaxJump is the longest one advance may move the clock.
const MaxJump = 366 * 24 * time.Hour

// Reaction runs a consumer's work for an event the advance fired, before the advance
// answers. It must be idempotent: the event pipeline delivers the event too.
type Reaction struct {
	Type string // the event type reacted to, e.g. sla.breached
	Run  func(ctx context.Context, jobs events.Inserter, ev events.Event) error
}

// Clock advances sandbox tenants' test clocks.
type Clock struct {
	DB     *tenants.DB
	Timers *sla.Timers
	// Jobs inserts the jobs of what the advance fires (events' dispatch, notifications).
	Jobs events.Inserter
	// Reactions run for the events fired, in the order fired.
	Reactions []Reaction
}

// Fired counts what an advance fired.
type Fired struct {
	Warnings    int `json:"warnings" doc:"SLA warnings given"`
	Breaches    int `json:"breaches" doc:"SLA targets breached"`
	Escalations int `json:"escalations" doc:"Escalation levels reached after breaches"`
	Reacted     int `json:"reacted" doc:"Events whose reactions (billing's compensation of a breach) ran before the answer"`
}

// Advanced is the outcome of an advance.
type Advanced struct {
	From  time.Time `json:"from" doc:"The tenant's clock before the advance"`
	Now   time.Time `json:"now" doc:"The tenant's clock after it"`
	Stops int       `json:"stops" doc:"Moments the clock stopped at on the way to run what fell due"`
	Fired Fired     `json:"fired"`
}

// Advance moves the scope's tenant's test clock to moment, running what falls due on the
// way (see the package documentation). A production tenant gets tenants.ErrNotSandbox; a
// moment before the clock, or more than MaxJump after it, a fault.FieldError on field.
func (c *Clock) Advance(ctx context.Context, scope tenants.Scope, moment time.Time, field string) (Advanced, error) {
	var out Advanced
	err := c.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		start, err := tenants.GetClock(ctx, tx)
		if err != nil {
			return err
		}
		if !start.Sandbox {
			return tenants.ErrNotSandbox
		}
		if moment.Sub(start.Now) > MaxJump {
			return fault.Invalid(field, "is more than 366 days after the tenant's clock; advance in shorter moves")
		}
		out.From, out.Now = start.Now, start.Now
		return nil
	})
	if err != nil {
		return out, err
	}
	// Events are UUIDv7: the ones fired from here on sort after this id.
	seen := platform.NewID()
	for {
		if out.Stops == MaxStops {
			return out, &fault.ConflictError{Detail: fmt.Sprintf("the advance stopped %d times and the clock is at %s: advance again to go on",
				MaxStops, out.Now.UTC().Format(time.RFC3339))}
		}
		if err := c.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
			next, err := tx.Q.NextSLAStep(ctx, tx, db.NextSLAStepParams{TenantID: tx.Scope.TenantID, After: out.Now, Until: moment})
			if err != nil {
				return fmt.Errorf("next SLA step: %w", err)
			}
			clock, err := tenants.AdvanceClock(ctx, tx, next, field)
			out.Now = clock.Now
			return err
		}); err != nil {
			return out, err
		}
		out.Stops++
		if _, err := c.Timers.Wake(ctx, c.Jobs, scope.TenantID); err != nil {
			return out, fmt.Errorf("run the SLA steps due at %s: %w", out.Now.UTC().Format(time.RFC3339), err)
		}
		var err error
		if seen, err = c.react(ctx, scope, seen, &out.Fired); err != nil {
			return out, err
		}
		if !out.Now.Before(moment) {
			break
		}
	}
	return out, c.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.Audit(ctx, "sandbox.clock.advance", "tenant", tx.Scope.TenantID, map[string]any{"now": out.From}, out)
	})
}

// react counts the SLA events fired since the event after and runs the reactions to them,
// in order, each in its own transactions (as the event pipeline would); it returns the
// last event seen.
func (c *Clock) react(ctx context.Context, scope tenants.Scope, after uuid.UUID, fired *Fired) (uuid.UUID, error) {
	types := []string{sla.EventWarning, sla.EventBreached, sla.EventEscalated}
	var evs []events.Event
	if err := c.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		for _, typ := range types {
			rows, err := tx.Q.ListEventsOfTypeAfter(ctx, tx, db.ListEventsOfTypeAfterParams{TenantID: tx.Scope.TenantID,
				Type: typ, After: after, Lim: 100000})
			if err != nil {
				return fmt.Errorf("events fired: %w", err)
			}
			for _, r := range rows {
				evs = append(evs, events.Event{ID: r.ID, TenantID: r.TenantID, Type: r.Type, Subject: r.Subject,
					SubjectID: r.SubjectID.UUID, OutletID: r.OutletID.UUID, Data: r.Payload, CreatedAt: r.CreatedAt})
			}
		}
		return nil
	}); err != nil {
		return after, err
	}
	last := after
	for _, ev := range evs {
		switch ev.Type {
		case sla.EventWarning:
			fired.Warnings++
		case sla.EventBreached:
			fired.Breaches++
		case sla.EventEscalated:
			fired.Escalations++
		}
		if ev.ID.String() > last.String() {
			last = ev.ID
		}
	}
	var errs []error
	for _, r := range c.Reactions {
		for _, ev := range evs {
			if ev.Type != r.Type {
				continue
			}
			if err := r.Run(ctx, c.Jobs, ev); err != nil {
				errs = append(errs, fmt.Errorf("%s of event %s: %w", r.Type, ev.ID, err))
				continue
			}
			fired.Reacted++
		}
	}
	return last, errors.Join(errs...)
}

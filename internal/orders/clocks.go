package orders

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// AwaitingApproval is the SLA status of an order whose quote waits for the customer: the
// tenant's SLA settings decide whether it stops the clocks (it does by default).
const AwaitingApproval = "awaiting_customer_approval"

// The order's time limits (package sla) follow its changes in the same transaction:
//   - clocks start at intake, with the targets of the order's service tier;
//   - reaching a milestone meets its target (see metOn, and dispatch and appointment); the
//     callback target is the callback task's (package callbacks), not the order's close;
//   - every status change re-applies the tenant's pause statuses, an open quote counting as
//     AwaitingApproval; cancelling stops the clocks;
//   - each clock change is a row of the order's timeline.
// Without a job inserter (seeding) no clocks run.

// prepareClocks computes the clocks of a new order with its tier's targets (reading the
// calendars), before the order has its number; startClocks stores them.
func (s *Service) prepareClocks(ctx context.Context, tx *tenants.Tx, o Order, res *coverage.Result) (*sla.Prepared, error) {
	if s.Jobs == nil {
		return nil, nil
	}
	var tier warranty.Tier
	if res != nil {
		tier = res.Tier.Tier
	}
	if tier.Code == "" {
		tiers, err := coverage.Tiers(ctx, tx)
		if err != nil {
			return nil, err
		}
		for _, t := range tiers {
			if t.Default {
				tier = t
			}
		}
	}
	targets, err := s.flowTargets(ctx, tx, o.Flow, sla.Targets(tier, nil))
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, nil
	}
	outlet := uuid.Nil
	if o.OutletID != nil {
		outlet = *o.OutletID
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return nil, err
	}
	p, err := sla.Prepare(ctx, tx, sla.StartInput{OrderID: o.ID, OutletID: outlet, TierCode: tier.Code, OrderType: o.Type,
		Targets: targets, At: now})
	if err != nil {
		return nil, fmt.Errorf("time limits of the new order: %w", err)
	}
	return &p, nil
}

// flowTargets drops the targets an order of flow never reaches: a carry-in order has no
// visit, so no arrival clock unless the tenant's SLA settings ask for one. The callback
// target is never the order's from intake: it measures the callback task, whose clock
// starts when sampling creates the task (package callbacks).
func (s *Service) flowTargets(ctx context.Context, tx *tenants.Tx, flow string, targets []sla.Target) ([]sla.Target, error) {
	targets = slices.DeleteFunc(slices.Clone(targets), func(t sla.Target) bool { return t.Kind == sla.Callback })
	if flow != FlowCarryIn || !slices.ContainsFunc(targets, func(t sla.Target) bool { return t.Kind == sla.Arrival }) {
		return targets, nil
	}
	settings, err := sla.GetSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	if settings.CarryInArrival {
		return targets, nil
	}
	return slices.DeleteFunc(targets, func(t sla.Target) bool { return t.Kind == sla.Arrival }), nil
}

// FlowClockTargets is flowTargets for clocks started outside this package (an express
// upgrade bought for an order that runs none yet).
func FlowClockTargets(ctx context.Context, tx *tenants.Tx, flow string, targets []sla.Target) ([]sla.Target, error) {
	return (&Service{}).flowTargets(ctx, tx, flow, targets)
}

// startClocks starts the prepared clocks of the stored order o and returns the timeline
// entry that says so (none when no clock started), for the caller to record with its own.
func (s *Service) startClocks(ctx context.Context, tx *tenants.Tx, o Order, p *sla.Prepared) ([]Entry, error) {
	if p == nil {
		return nil, nil
	}
	ch, err := p.Start(ctx, tx, s.Jobs, o.Number)
	if err != nil {
		return nil, fmt.Errorf("start the time limits of %s: %w", o.Number, err)
	}
	if len(ch) == 0 {
		return nil, nil
	}
	return []Entry{clockEntry(ch)}, nil
}

// metOn lists the targets a move reaches.
func metOn(flow, from, to string) []string {
	switch {
	case to == StatusAccepted && from == StatusCreated, flow == FlowCarryIn && from == StatusWaiting && to == StatusRepairing:
		return []string{sla.Accept}
	case to == StatusOnSite:
		return []string{sla.Arrival}
	case to == StatusCompleted, to == StatusReadyForPickup:
		return []string{sla.Completion}
	case to == StatusPickedUp:
		return []string{sla.Return}
	}
	return nil
}

// clocksOnMove tells the clocks about a status change.
func (s *Service) clocksOnMove(ctx context.Context, tx *tenants.Tx, o Order, from, to string) error {
	if s.Jobs == nil {
		return nil
	}
	at, err := s.now(ctx, tx)
	if err != nil {
		return err
	}
	if to == StatusCancelled {
		ch, err := sla.CancelOrder(ctx, tx, s.Jobs, o.ID, at)
		if err != nil {
			return err
		}
		return recordClocks(ctx, tx, o.ID, ch)
	}
	for _, target := range metOn(o.Flow, from, to) {
		if err := s.meet(ctx, tx, o.ID, target); err != nil {
			return err
		}
	}
	return s.applyStatus(ctx, tx, o)
}

// applyStatus pauses or resumes the clocks by the order's SLA status.
func (s *Service) applyStatus(ctx context.Context, tx *tenants.Tx, o Order) error {
	if s.Jobs == nil {
		return nil
	}
	status := o.Status
	open, err := tx.Q.HasOpenQuote(ctx, tx, db.HasOpenQuoteParams{TenantID: tx.Scope.TenantID, OrderID: o.ID})
	if err != nil {
		return fmt.Errorf("open quote of %s: %w", o.Number, err)
	}
	if open {
		status = AwaitingApproval
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return err
	}
	ch, err := sla.ApplyStatus(ctx, tx, s.Jobs, o.ID, status, now)
	if err != nil {
		return err
	}
	return recordClocks(ctx, tx, o.ID, ch)
}

// meet records that the order reached a target.
func (s *Service) meet(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, target string) error {
	if s.Jobs == nil {
		return nil
	}
	now, err := s.now(ctx, tx)
	if err != nil {
		return err
	}
	ch, err := sla.Meet(ctx, tx, s.Jobs, orderID, target, now)
	if err != nil {
		return err
	}
	return recordClocks(ctx, tx, orderID, ch)
}

// RecordClockChanges writes clock changes made outside this package (an express upgrade
// bought for the order retargets its clocks) to the order's timeline.
func RecordClockChanges(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, ch []sla.Change) error {
	return recordClocks(ctx, tx, orderID, ch)
}

func recordClocks(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, ch []sla.Change) error {
	if len(ch) == 0 {
		return nil
	}
	return record(ctx, tx, orderID, clockEntry(ch))
}

// clockEntry is the timeline row of a change of the clocks, naming each clock's move.
func clockEntry(ch []sla.Change) Entry {
	var targets []string
	clocks := make([]map[string]any, 0, len(ch))
	for _, c := range ch {
		x := map[string]any{"target": c.Target, "from": c.From, "to": c.To}
		if c.DueAt != nil {
			x["due_at"] = c.DueAt
		}
		if c.Reason != "" {
			x["reason"] = c.Reason
		}
		if c.Late {
			x["late"] = true
		}
		clocks = append(clocks, x)
		targets = append(targets, c.Target+reasonSuffix(c.Reason))
	}
	first := ch[0]
	return Entry{Kind: "sla", From: first.From, To: first.To, Reason: strings.Join(targets, "; "),
		Data: map[string]any{"clocks": clocks}}
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

// ExpressClockTargets turns an express product's promise into clock targets.
func ExpressClockTargets(express map[string]warranty.Target) []sla.Target {
	return slices.DeleteFunc(sla.Targets(warranty.Tier{}, express), func(t sla.Target) bool { return t.Kind == sla.Callback })
}

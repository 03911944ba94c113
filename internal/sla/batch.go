package sla

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// Set-based firing: the warnings and breaches of a wake's batch of clocks go out in one
// transaction with a statement for the clocks, one for their breach rows, one for the events and
// one dispatch job for them all, instead of a transaction each.

// clockKey names a clock: an order's target.
type clockKey struct {
	OrderID uuid.UUID
	Target  string
}

// fireBatch fires the warnings and breaches of several clocks of the tx's tenant, locked by
// the caller: one statement updates the clocks, one records the breaches, one records the
// events, one job dispatches them; the escalation levels already due at a breach go the
// same way (escalateBatch). It returns the number of events emitted and the times of the
// escalation levels to come, for the caller to queue.
func fireBatch(ctx context.Context, tx *tenants.Tx, jobs Inserter, warns, breaches []clockKey, now time.Time) (int, []time.Time, error) {
	p := db.FireSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now}
	if def := DefaultSettings().Escalation; len(def) > 0 {
		p.DefaultFirstAfterS = afterSeconds(def[0])
	}
	// Each list in key order, without repeats: every batch updates its clocks in the same order.
	for _, k := range sortedKeys(warns) {
		p.WarnOrders, p.WarnTargets = append(p.WarnOrders, k.OrderID.String()), append(p.WarnTargets, k.Target)
	}
	for _, k := range sortedKeys(breaches) {
		p.BreachOrders, p.BreachTargets = append(p.BreachOrders, k.OrderID.String()), append(p.BreachTargets, k.Target)
	}
	rows, err := tx.Q.FireSLAClocks(ctx, tx, p)
	if err != nil {
		return 0, nil, fmt.Errorf("fire %d warnings and %d breaches: %w", len(p.WarnOrders), len(p.BreachOrders), err)
	}
	var breachRows tenants.MultiInsert // the breaches' records, one statement
	for _, r := range rows {
		if r.Step == "breach" { // breached_at is the due time
			if err := tx.Q.InsertSLABreach(ctx, &breachRows, breachRow(tx.Scope.TenantID, r.OrderID, r.Target, r.OutletID,
				r.EngineerID, r.TierCode, r.OrderType, r.DueAt, r.DueAt)); err != nil {
				return 0, nil, err
			}
		}
	}
	if _, err := breachRows.Send(ctx, tx); err != nil {
		return 0, nil, fmt.Errorf("record %d breaches: %w", breachRows.Len(), err)
	}
	evs := make([]events.New, 0, len(rows))
	var pl payloads
	var steps []time.Time // escalations to come
	var escalateNow []clockKey
	for _, r := range rows {
		c := Clock{OrderID: r.OrderID, OrderNumber: r.OrderNumber, Target: r.Target, Business: r.Business,
			Minutes: int(r.DurationMs / 60000), DueAt: r.DueAt, TierCode: r.TierCode, OrderType: r.OrderType, Version: r.Version}
		if r.OutletID.Valid {
			c.OutletID = &r.OutletID.UUID
		}
		if r.EngineerID.Valid {
			c.EngineerID = &r.EngineerID.UUID
		}
		typ := EventWarning
		if r.Step == "breach" {
			typ = EventBreached
			switch {
			case r.EscalateAt == nil:
			case r.EscalateAt.After(now):
				steps = append(steps, *r.EscalateAt)
			default:
				escalateNow = append(escalateNow, clockKey{r.OrderID, r.Target})
			}
		}
		evs = append(evs, events.New{Type: typ, Subject: "service_order", SubjectID: c.OrderID,
			OutletID: r.OutletID.UUID, Data: pl.data(ctx, tx, typ, c, 0, "")})
	}
	if len(escalateNow) > 0 { // the first level is due at the breach (the default chain)
		more, next, err := escalateBatch(ctx, tx, &pl, escalateNow, now)
		if err != nil {
			return 0, nil, err
		}
		evs, steps = append(evs, more...), append(steps, next...)
	}
	if _, err := events.EmitMany(ctx, tx, jobs, evs); err != nil {
		return 0, nil, err
	}
	return len(evs), steps, nil
}

// escalateBatch moves clocks just breached (at level 0) up the tenant's escalation chain
// for every level whose time has come, one statement per level for all of them: what Fire
// does for one clock. It returns the sla.escalated events and the times of the levels
// still to come.
func escalateBatch(ctx context.Context, tx *tenants.Tx, pl *payloads, keys []clockKey, now time.Time) ([]events.New, []time.Time, error) {
	st, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var evs []events.New
	var steps []time.Time
	level := int32(0)
	for len(keys) > 0 {
		if int(level) >= len(st.Escalation) {
			// The chain was shortened since the breach: nothing further to tell anyone.
			for _, k := range keys {
				if err := tx.Q.EndSLAEscalation(ctx, tx, db.EndSLAEscalationParams{TenantID: tx.Scope.TenantID, OrderID: k.OrderID, Target: k.Target}); err != nil {
					return nil, nil, err
				}
			}
			break
		}
		next := -1.0
		if int(level)+1 < len(st.Escalation) {
			next = st.Escalation[level+1].After().Seconds()
		}
		p := db.EscalateSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now, FromLevel: level, NextAfterS: next}
		for _, k := range keys {
			p.Orders, p.Targets = append(p.Orders, k.OrderID.String()), append(p.Targets, k.Target)
		}
		rows, err := tx.Q.EscalateSLAClocks(ctx, tx, p)
		if err != nil {
			return nil, nil, fmt.Errorf("escalate %d clocks: %w", len(keys), err)
		}
		keys = keys[:0]
		for _, r := range rows {
			c := Clock{OrderID: r.OrderID, OrderNumber: r.OrderNumber, Target: r.Target, Business: r.Business,
				Minutes: int(r.DurationMs / 60000), DueAt: r.DueAt, TierCode: r.TierCode, OrderType: r.OrderType, Version: r.Version,
				EscalationLevel: int(r.EscalationLevel)}
			if r.OutletID.Valid {
				c.OutletID = &r.OutletID.UUID
			}
			if r.EngineerID.Valid {
				c.EngineerID = &r.EngineerID.UUID
			}
			evs = append(evs, events.New{Type: EventEscalated, Subject: "service_order", SubjectID: c.OrderID, OutletID: r.OutletID.UUID,
				Data: pl.data(ctx, tx, EventEscalated, c, c.EscalationLevel, st.Escalation[c.EscalationLevel-1].Role)})
			switch {
			case r.EscalateAt == nil:
			case r.EscalateAt.After(now):
				steps = append(steps, *r.EscalateAt)
			default:
				keys = append(keys, clockKey{r.OrderID, r.Target})
			}
		}
		level++
	}
	return evs, steps, nil
}

func sortedKeys(ks []clockKey) []clockKey {
	slices.SortFunc(ks, func(a, b clockKey) int {
		if c := bytes.Compare(a.OrderID[:], b.OrderID[:]); c != 0 {
			return c
		}
		return strings.Compare(a.Target, b.Target)
	})
	return slices.Compact(ks)
}

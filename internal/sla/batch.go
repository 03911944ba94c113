package sla

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/tenants"
)

// Batching: the warning and breach jobs that a worker process runs at the same moment for
// the same tenant are fired together, in one transaction with set-based statements (one
// statement for all the warnings and breaches with their breach rows, one insert for all
// the events, and one dispatch job for them all), instead of one transaction each. Each
// job still waits for the transaction that fired its clock and fails if it fails, so River
// retries it: nothing is lost, and the conditional updates keep every step exactly once.
// Under light load a batch holds one job and costs what a single job did, after waiting
// batchLinger for company; under load (a burst of due times, a backlog after an outage)
// the cost per timer falls with the batch size. A batch that fails is retried one job per
// transaction, so one bad clock cannot hold back the others.
const (
	batchLinger = 2 * time.Millisecond
	batchMax    = 200
)

type timerReq struct {
	args TimerArgs
	jobs Inserter
	done chan error
}

type timerBatch struct{ reqs []*timerReq }

type batcher struct {
	t       *Timers
	mu      sync.Mutex
	pending map[uuid.UUID]*timerBatch // open batch per tenant
}

// fire hands a warning or breach job to the tenant's open batch and waits for its outcome.
func (b *batcher) fire(ctx context.Context, jobs Inserter, a TimerArgs) error {
	r := &timerReq{args: a, jobs: jobs, done: make(chan error, 1)}
	b.mu.Lock()
	bt := b.pending[a.TenantID]
	if bt == nil {
		bt = &timerBatch{}
		b.pending[a.TenantID] = bt
		time.AfterFunc(batchLinger, func() { b.close(a.TenantID, bt) })
	}
	bt.reqs = append(bt.reqs, r)
	full := len(bt.reqs) >= batchMax
	if full {
		delete(b.pending, a.TenantID)
	}
	b.mu.Unlock()
	if full {
		go b.run(a.TenantID, bt)
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the job is retried; its clock may or may not have fired: both are fine
	}
}

// close runs bt when its linger ends, unless it filled up and ran already.
func (b *batcher) close(tenant uuid.UUID, bt *timerBatch) {
	b.mu.Lock()
	if b.pending[tenant] != bt {
		b.mu.Unlock()
		return
	}
	delete(b.pending, tenant)
	b.mu.Unlock()
	b.run(tenant, bt)
}

func (b *batcher) run(tenant uuid.UUID, bt *timerBatch) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	now := b.t.now()
	err := b.t.DB.Tx(ctx, scope, func(tx *tenants.Tx) error { return fireBatch(ctx, tx, bt.reqs[0].jobs, bt.reqs, now) })
	if err == nil || len(bt.reqs) == 1 {
		for _, r := range bt.reqs {
			r.done <- err
		}
		return
	}
	for _, r := range bt.reqs { // one at a time: the failure is some clock's, not every one's
		r.done <- b.t.DB.Tx(ctx, scope, func(tx *tenants.Tx) error { return fireOne(ctx, tx, r.jobs, r.args, now) })
	}
}

type clockKey struct {
	OrderID uuid.UUID
	Target  string
}

// fireBatch fires the warnings and breaches of reqs (one tenant's) in tx: one statement
// updates the clocks and records the breaches, one records the events, one job dispatches
// them.
func fireBatch(ctx context.Context, tx *tenants.Tx, jobs Inserter, reqs []*timerReq, now time.Time) error {
	p := db.FireSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now}
	if def := DefaultSettings().Escalation; len(def) > 0 {
		p.DefaultFirstAfterS = afterSeconds(def[0])
	}
	var warns, breaches []clockKey
	for _, r := range reqs {
		k := clockKey{r.args.OrderID, r.args.Target}
		if r.args.Event == "breach" {
			breaches = append(breaches, k)
		} else {
			warns = append(warns, k)
		}
	}
	// Each list in key order, without repeats (a retried job next to its first run): clocks
	// are locked in the same order by every batch.
	for _, k := range sortedKeys(warns) {
		p.WarnOrders, p.WarnTargets = append(p.WarnOrders, k.OrderID.String()), append(p.WarnTargets, k.Target)
	}
	for _, k := range sortedKeys(breaches) {
		p.BreachOrders, p.BreachTargets = append(p.BreachOrders, k.OrderID.String()), append(p.BreachTargets, k.Target)
	}
	rows, err := tx.Q.FireSLAClocks(ctx, tx, p)
	if err != nil {
		return err
	}
	evs := make([]events.New, 0, len(rows))
	var pl payloads
	var timers []river.InsertManyParams
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
				timers = append(timers, escalationTimerOf(tx.Scope.TenantID, r.OrderID, r.Target, r.Version, r.DueAt, r.EscalateAt)...)
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
			return err
		}
		evs, timers = append(evs, more...), append(timers, next...)
	}
	if _, err := events.EmitMany(ctx, tx, jobs, evs); err != nil {
		return err
	}
	return queue(ctx, tx, jobs, timers)
}

// escalateBatch moves clocks just breached (at level 0) up the tenant's escalation chain
// for every level whose time has come, one statement per level for all of them: what Fire
// does for one clock. It returns the sla.escalated events and the timers of the levels
// still to come.
func escalateBatch(ctx context.Context, tx *tenants.Tx, pl *payloads, keys []clockKey, now time.Time) ([]events.New, []river.InsertManyParams, error) {
	st, err := GetSettings(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var evs []events.New
	var timers []river.InsertManyParams
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
		p := db.EscalateSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now}
		for _, k := range keys {
			p.Orders, p.Targets = append(p.Orders, k.OrderID.String()), append(p.Targets, k.Target)
			p.FromLevels, p.NextAfterS = append(p.FromLevels, level), append(p.NextAfterS, next)
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
				timers = append(timers, escalationTimerOf(tx.Scope.TenantID, r.OrderID, r.Target, r.Version, r.DueAt, r.EscalateAt)...)
			default:
				keys = append(keys, clockKey{r.OrderID, r.Target})
			}
		}
		level++
	}
	return evs, timers, nil
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

// fireOne fires one job's step in tx: its breach or warning, and what its state makes due.
func fireOne(ctx context.Context, tx *tenants.Tx, jobs Inserter, a TimerArgs, now time.Time) error {
	switch a.Event {
	case "breach":
		r, ok, err := breach(ctx, tx, jobs, a.OrderID, a.Target, now, true)
		if err != nil || !ok || r.EscalateAt == nil || r.EscalateAt.After(now) {
			return err
		}
	case "warn":
		_, err := warn(ctx, tx, jobs, a.OrderID, a.Target, now)
		return err
	}
	_, err := Fire(ctx, tx, jobs, a.OrderID, a.Target, now)
	return err
}

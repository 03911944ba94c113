package sla

import (
	"context"
	"encoding/json"
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
// update for all the breaches with their breach rows, one for all the warnings, one insert
// for all the events, one for their dispatch jobs), instead of one transaction each. Each
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
	OrderID uuid.UUID `json:"order_id"`
	Target  string    `json:"target"`
}

// fireBatch fires the warnings and breaches of reqs (one tenant's) in tx.
func fireBatch(ctx context.Context, tx *tenants.Tx, jobs Inserter, reqs []*timerReq, now time.Time) error {
	var warnKeys, breachKeys []clockKey
	type step struct {
		k     clockKey
		event string
	}
	seen := map[step]bool{}
	for _, r := range reqs {
		k := clockKey{r.args.OrderID, r.args.Target}
		if seen[step{k, r.args.Event}] {
			continue
		}
		seen[step{k, r.args.Event}] = true
		if r.args.Event == "breach" {
			breachKeys = append(breachKeys, k)
		} else {
			warnKeys = append(warnKeys, k)
		}
	}
	var evs []events.New
	var pl payloads
	var timers []river.InsertManyParams
	var escalateNow []clockKey
	if len(breachKeys) > 0 {
		var first *float64
		if def := DefaultSettings().Escalation; len(def) > 0 {
			first = afterSeconds(def[0])
		}
		keys, _ := json.Marshal(breachKeys)
		rows, err := tx.Q.BreachSLAClocks(ctx, tx, db.BreachSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now, Keys: keys,
			DefaultFirstAfterS: first})
		if err != nil {
			return err
		}
		for _, row := range rows {
			r := db.SlaClock(row)
			c, err := clockFromRow(r)
			if err != nil {
				return err
			}
			evs = append(evs, events.New{Type: EventBreached, Subject: "service_order", SubjectID: c.OrderID,
				OutletID: ptrID(c.OutletID).UUID, Data: pl.data(ctx, tx, EventBreached, c, 0, "")})
			switch {
			case r.EscalateAt == nil:
			case r.EscalateAt.After(now):
				timers = append(timers, escalationTimer(tx.Scope.TenantID, r)...)
			default:
				escalateNow = append(escalateNow, clockKey{r.OrderID, r.Target})
			}
		}
	}
	if len(warnKeys) > 0 {
		keys, _ := json.Marshal(warnKeys)
		rows, err := tx.Q.WarnSLAClocks(ctx, tx, db.WarnSLAClocksParams{TenantID: tx.Scope.TenantID, Now: now, Keys: keys})
		if err != nil {
			return err
		}
		for _, r := range rows {
			c, err := clockFromRow(r)
			if err != nil {
				return err
			}
			evs = append(evs, events.New{Type: EventWarning, Subject: "service_order", SubjectID: c.OrderID,
				OutletID: ptrID(c.OutletID).UUID, Data: pl.data(ctx, tx, EventWarning, c, 0, "")})
		}
	}
	if _, err := events.EmitMany(ctx, tx, jobs, evs); err != nil {
		return err
	}
	if err := queue(ctx, tx, jobs, timers); err != nil {
		return err
	}
	for _, k := range escalateNow { // the first level is due at the breach (the default chain)
		if _, err := Fire(ctx, tx, jobs, k.OrderID, k.Target, now); err != nil {
			return err
		}
	}
	return nil
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

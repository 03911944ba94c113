package sla

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// WakeArgs wakes a tenant's clocks up at At: the job fires every warning, breach and
// escalation of the tenant that is due when it runs, whichever clock queued it. Wakes are
// unique by their args while queued or running, so every step of a tenant that falls in
// the same second shares one job (overnight orders whose business-hour clocks all start at
// opening time come due at the same instant).
type WakeArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	// At is a whole second in UTC (equal seconds encode, and so hash, equal): a future
	// step's time rounded up, or for steps already due the second they were queued in,
	// rounded down. The job never runs before At.
	At time.Time `json:"at"`
	// Again, when set, makes the wake of due steps whose second's wake was queued or
	// running already a job of its own (see queue): a distinct value, so never a duplicate.
	Again int64 `json:"again,omitempty"`
}

// Kind names the job.
func (WakeArgs) Kind() string { return "sla_wake" }

// InsertOpts puts wakes on the SLA queue, unique by tenant and second.
func (WakeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, UniqueOpts: wakeUnique()}
}

// wakeUnique makes a wake unique by its args in every state in which it has yet to fire or
// fires (River requires available, pending, running and scheduled; retryable waits to run
// again). Completed, cancelled and discarded wakes do not count: a step queued after a
// wake of its second completed gets a wake of its own.
func wakeUnique() river.UniqueOpts {
	return river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
		rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}}
}

// QueueWakes queues, in tx, the wakes of the tenant at the given moments: for deadlines of
// other domains that the wakes fire (Timers.Also), as the clocks queue theirs. A sandbox
// tenant's moments to come get no job (its clock's advance runs the wake).
func QueueWakes(ctx context.Context, tx *tenants.Tx, jobs Inserter, at []time.Time) error {
	return queue(ctx, tx, jobs, at)
}

// wakeParams turns the step times of one tenant's clocks into its wake jobs, one per
// second. A future step's wake is scheduled at the step rounded up to the whole second, so
// it runs at or after every step of that second. Steps already due share a wake at now
// rounded down, available at once (River makes scheduled jobs available only every few
// seconds): its At is never after the moment it may run, and never equal to the At of a
// wake queued for a step still in the future, which could run before that step. The wakes
// come out without repeats (River's unique insert cannot take the same key twice in one
// statement) and in time order, so transactions that queue the same seconds take their
// unique keys in the same order.
func wakeParams(tenant uuid.UUID, steps []time.Time, now time.Time) []river.InsertManyParams {
	due := now.UTC().Truncate(time.Second)
	ats := make([]time.Time, 0, len(steps))
	for _, s := range steps {
		if !s.After(now) {
			ats = append(ats, due)
			continue
		}
		at := s.UTC().Truncate(time.Second)
		if at.Before(s) {
			at = at.Add(time.Second)
		}
		ats = append(ats, at)
	}
	slices.SortFunc(ats, func(a, b time.Time) int { return a.Compare(b) })
	ats = slices.CompactFunc(ats, time.Time.Equal)
	out := make([]river.InsertManyParams, len(ats))
	for i, at := range ats {
		opts := WakeArgs{}.InsertOpts()
		if at.After(now) {
			opts.ScheduledAt = at
		}
		out[i] = river.InsertManyParams{Args: WakeArgs{TenantID: tenant, At: at}, InsertOpts: &opts}
	}
	return out
}

// queue queues the wakes of steps (times at which some clock of the tx's tenant has a step
// due) in tx: they are inserted at commit with the transaction's other jobs
// (tenants.Tx.Job), each second once however many clock changes of the transaction ask for
// it, in time order.
func queue(ctx context.Context, tx *tenants.Tx, jobs Inserter, steps []time.Time) error {
	if len(steps) == 0 {
		return nil
	}
	if jobs == nil {
		return errors.New("sla: no job inserter for the clocks' wakes")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	sandbox, err := tx.Sandbox(ctx)
	if err != nil {
		return err
	}
	for _, p := range wakeParams(tx.Scope.TenantID, steps, now) {
		w := p.Args.(WakeArgs)
		if w.At.After(now) {
			if sandbox {
				// A sandbox tenant's steps to come fall due when its admin advances its
				// test clock, which runs the wake itself (package sandbox): a job on the
				// wall clock would run at a moment that means nothing to the tenant.
				continue
			}
			// A step to come: its wake is scheduled after this moment, so whichever
			// transaction queued it first, it runs after this one commits (see Timers).
			tx.Job(jobs, "sla_wake:"+w.At.Format(time.RFC3339), p)
			continue
		}
		// A step already due: a wake of this second running already may have read the
		// clocks before this transaction commits and miss the step. Then a wake of its own
		// goes in this transaction, available when it commits, so the step fires within a
		// second rather than at the sweep.
		tx.JobOrAgain(jobs, "sla_wake:"+w.At.Format(time.RFC3339), p, func(existing *rivertype.JobRow) *river.InsertManyParams {
			if existing == nil || existing.State != rivertype.JobStateRunning {
				// Queued, not running yet: it reads the clocks when it runs, which is
				// almost always after this commit; the steps of one second keep one wake.
				return nil
			}
			again := w
			again.Again = time.Now().UnixNano()
			opts := WakeArgs{}.InsertOpts()
			return &river.InsertManyParams{Args: again, InsertOpts: &opts}
		})
	}
	return nil
}

// A wake fires its tenant's due clocks in transactions of up to wakeBatch clocks of each
// step (warning, breach, escalation). When the first comes back full (a backlog: a burst of
// due times, a worker outage), wakeParallel transactions run the rest at once, on disjoint
// clocks (the due clocks are read FOR UPDATE SKIP LOCKED), so that one tenant's backlog
// uses more than one core. Each holds a connection.
//
// The wakes of one tenant that run at the same time in a process (a backlog is often due
// in several seconds, each with its wake) share wakeParallel transactions between them:
// more would not fire any faster, they would fight over the same clocks, each skipping the
// rows the others hold and reading the ones they just fired (measured: 16 such wakes at
// once cost the database about 70% more per step than one). A wake that waits for its
// tenant's turn holds its worker but no connection, and still reads the clocks itself, so
// that every wake fires what was due when it started.
const (
	wakeBatch    = 500
	wakeParallel = 4
)

// tenantTurns are the transactions one tenant's wakes may run at once in this process.
type tenantTurns struct {
	sem   chan struct{} // a token per transaction running
	wakes int           // wakes of the tenant under way, sharing sem
}

// turns returns the tenant's transaction tokens, shared by its wakes under way; release
// when the wake is over.
func (t *Timers) turns(tenant uuid.UUID) (sem chan struct{}, release func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy == nil {
		t.busy = map[uuid.UUID]*tenantTurns{}
	}
	tt := t.busy[tenant]
	if tt == nil {
		tt = &tenantTurns{sem: make(chan struct{}, wakeParallel)}
		t.busy[tenant] = tt
	}
	tt.wakes++
	return tt.sem, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if tt.wakes--; tt.wakes == 0 {
			delete(t.busy, tenant)
		}
	}
}

// Wake fires every step of the tenant's clocks due at the tenant's now (its test clock for
// a sandbox tenant, else the Timers' now) and returns the number of events emitted: what
// a wake job does, run by the caller (a sandbox clock's advance) instead of River.
func (t *Timers) Wake(ctx context.Context, jobs Inserter, tenant uuid.UUID) (int, error) {
	return t.wake(ctx, jobs, tenant, t.now())
}

// wake fires every step due in tenant at now, batch after batch until one comes back short,
// and returns the number of events emitted. A batch whose transaction fails is retried one
// clock per transaction, so that one bad clock cannot hold back the others; the clocks that
// still fail are left out of the rest of the wake and their errors returned, joined (River
// retries the wake).
func (t *Timers) wake(ctx context.Context, jobs Inserter, tenant uuid.UUID, now time.Time) (int, error) {
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	// A sandbox tenant's wake acts at its test clock, whenever River runs it.
	clock, err := t.DB.Clock(ctx, tenant)
	if err != nil {
		return 0, fmt.Errorf("wake tenant %s: %w", tenant, err)
	}
	if clock.Sandbox {
		now = clock.Now
	}
	// Most wakes of a backlog find their steps fired already, by the first wake of the
	// tenant to run (it fires everything due): one read, without locks or a transaction,
	// tells, and the wake ends there.
	var due bool
	if err := t.DB.Read(ctx, scope, func(q db.DBTX) (err error) {
		due, err = db.New().SLAStepsDue(ctx, q, db.SLAStepsDueParams{TenantID: tenant, Now: now})
		return err
	}); err != nil {
		return 0, fmt.Errorf("wake tenant %s: %w", tenant, err)
	}
	also := 0
	var alsoErrs []error
	for _, fn := range t.Also {
		n, err := fn(ctx, jobs, tenant, now)
		also += n
		if err != nil {
			alsoErrs = append(alsoErrs, fmt.Errorf("wake tenant %s: %w", tenant, err))
		}
	}
	if !due {
		return also, errors.Join(alsoErrs...)
	}
	sem, release := t.turns(tenant)
	defer release()
	w := &waking{t: t, jobs: jobs, scope: scope, now: now, sem: sem}
	if w.batch(ctx) {
		var wg sync.WaitGroup
		for range wakeParallel {
			wg.Go(func() {
				for w.batch(ctx) {
				}
			})
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil { // cancelled or timed out: the rest waits for the retry
		w.fail(err, "")
	}
	return also + int(w.events.Load()), errors.Join(append(alsoErrs, w.errs...)...)
}

// waking is one wake of a tenant under way, shared by its goroutines.
type waking struct {
	t      *Timers
	jobs   Inserter
	scope  tenants.Scope
	now    time.Time
	sem    chan struct{} // the tenant's turns (see wakeParallel)
	events atomic.Int64

	mu   sync.Mutex
	errs []error
	skip []string // "order_id/target" of the clocks that failed on their own
}

// batch fires one transaction's worth of due clocks and tells whether there may be more: the
// batch was full and fired something. (Every clock the query returns changes when fired, so
// a full batch that emitted nothing can only be clocks whose escalation chain ended; the
// rest is left to the next wake or the sweep rather than risk a loop.)
func (w *waking) batch(ctx context.Context) bool {
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return false
	}
	var due []db.DueSLAStepsRow
	n := 0
	err := w.t.DB.Tx(ctx, w.scope, func(tx *tenants.Tx) (err error) {
		w.mu.Lock()
		skip := slices.Clone(w.skip)
		w.mu.Unlock()
		if due, err = tx.Q.DueSLASteps(ctx, tx, db.DueSLAStepsParams{TenantID: w.scope.TenantID, Now: w.now,
			Skip: skip, Lim: wakeBatch}); err != nil {
			return fmt.Errorf("read due clocks: %w", err)
		}
		n, err = fireDue(ctx, tx, w.jobs, due, w.now)
		return err
	})
	full := fullBatch(due)
	if err == nil {
		w.events.Add(int64(n))
		return full && n > 0
	}
	if len(due) == 0 || ctx.Err() != nil { // the read failed, or the wake is over: nothing to retry
		w.fail(fmt.Errorf("wake tenant %s: %w", w.scope.TenantID, err), "")
		return false
	}
	for _, d := range due { // one at a time: the failure is some clock's, not every one's
		if ctx.Err() != nil {
			return false
		}
		var fired []string
		if err := w.t.DB.Tx(ctx, w.scope, func(tx *tenants.Tx) (err error) {
			fired, err = Fire(ctx, tx, w.jobs, d.OrderID, d.Target, w.now)
			return err
		}); err != nil {
			w.fail(fmt.Errorf("fire %s/%s: %w", d.OrderID, d.Target, err), d.OrderID.String()+"/"+d.Target)
			continue
		}
		w.events.Add(int64(len(fired)))
	}
	return full
}

// fullBatch tells whether DueSLASteps returned as many steps of a kind as it could: there
// may be more.
func fullBatch(due []db.DueSLAStepsRow) bool {
	n := map[string]int{}
	for _, d := range due {
		if n[d.Step]++; n[d.Step] == wakeBatch {
			return true
		}
	}
	return false
}

// fail records err and leaves the clock skip ("order_id/target", if any) out of the wake's
// further batches.
func (w *waking) fail(err error, skip string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err)
	if skip != "" {
		w.skip = append(w.skip, skip)
	}
}

// fireDue fires the due steps of one batch in tx, locked by DueSLASteps: the warnings and
// breaches set-based (fireBatch), the escalations of clocks breached earlier with Fire,
// one clock at a time, in key order. The wakes of the escalation levels to come are queued
// at the end, in one statement (transactions that take the same unique keys take them in
// the same order). It returns the number of events emitted.
func fireDue(ctx context.Context, tx *tenants.Tx, jobs Inserter, due []db.DueSLAStepsRow, now time.Time) (int, error) {
	var warns, breaches, escalations []clockKey
	for _, d := range due {
		k := clockKey{d.OrderID, d.Target}
		switch d.Step {
		case "warn":
			warns = append(warns, k)
		case "breach":
			breaches = append(breaches, k)
		default:
			escalations = append(escalations, k)
		}
	}
	n := 0
	var steps []time.Time
	if len(warns)+len(breaches) > 0 {
		var err error
		if n, steps, err = fireBatch(ctx, tx, jobs, warns, breaches, now); err != nil {
			return 0, err
		}
	}
	for _, k := range sortedKeys(escalations) {
		fired, next, err := fire(ctx, tx, jobs, k.OrderID, k.Target, now)
		if err != nil {
			return 0, err
		}
		n += len(fired)
		steps = append(steps, next...)
	}
	return n, queue(ctx, tx, jobs, steps)
}

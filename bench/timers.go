package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// timersName is the SLA timer measurement's name in the report and for -scenarios.
const timersName = "sla-timers (warnings and breaches by wakes)"

// timersTarget is the ratio to River's bare job throughput the SLA issue asks timers to reach.
const timersTarget = 0.7

// timersCooldown configures the measured worker. The product keeps River's default fetch
// cooldown (100 ms), which caps a queue at its workers ×10 jobs/s: the baseline would
// measure that cap; the bench fetches as often as River allows.
const timersCooldown = river.FetchCooldownMin

// noopWorkers run the baseline's no-op jobs. The baseline is River's bare throughput: how
// many jobs a second River itself can fetch, run and complete here. That takes many
// workers (River fetches only for free ones, and a fetch, a completion batch and a job's
// goroutine each wait on the others): 1000, what the SLA queue had when timers were a job
// per step. It is set here, not taken from the product's SLA queue, which now runs 100
// wakes at most, each firing hundreds of clocks: fewer workers would lower the baseline and flatter
// the ratio, without making a timer any cheaper.
const noopWorkers = 1000

// noopArgs is the baseline's job: River's own cost of fetching, running and completing one.
type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "bench_noop" }

// noopQueue is the baseline's queue, its own: the default queue holds what the API
// scenarios left (their events' dispatch jobs), which would run in the baseline's window.
const noopQueue = "bench_noop"

// InsertOpts puts the no-op jobs on their queue.
func (noopArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: noopQueue} }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// timersResult is the timer measurement: River's no-op jobs, then the warnings and breaches
// of as many clocks, fired by their tenant's wakes, worked by the same client.
type timersResult struct {
	slaWorkers         int // the product's SLA queue's
	clocks             int
	noopJobs           int
	noopTime           time.Duration
	wakes              int // wake jobs available when the window opened
	timerTime          time.Duration
	warnings, breaches int // fired in the window: the timers
	dispatch           int
	sqlPerTimer        float64
	top                []stmtTime
	// CPU used in each window (this process: the worker; the database's backends).
	noopCPU, timerCPU cpuUse
}

func (r timersResult) timers() int        { return r.warnings + r.breaches }
func (r timersResult) noopRate() float64  { return float64(r.noopJobs) / r.noopTime.Seconds() }
func (r timersResult) timerRate() float64 { return float64(r.timers()) / r.timerTime.Seconds() }
func (r timersResult) ratio() float64     { return r.timerRate() / r.noopRate() }

// measureTimers runs the worker (the product's River workers, on a pool of its own as
// `aftersales worker` has) and times, from the moment their queue resumes to the last one
// finished: first as many no-op jobs as clocks, then the steps of clocks clocks due at
// once: warnings (clock update, sla.warning event) and breaches (clock update and breach
// row, sla.breached event), fired by the tenant's wakes as the worker fires them, with the
// events' dispatch jobs queued. The tenant's escalation chain is empty, so a breach queues
// nothing else.
func measureTimers(ctx context.Context, d *database, clocks int) (timersResult, error) {
	r := timersResult{clocks: clocks, noopJobs: clocks}
	timer := newStmtTimer()
	pool, err := platform.NewPool(ctx, d.appURL, func(pcfg *pgxpool.Config) {
		pcfg.ConnConfig.Tracer = &timingTracer{t: timer}
		pcfg.MaxConns = 20 // a wake runs up to four transactions at once; River needs a few connections of its own
	})
	if err != nil {
		return r, fmt.Errorf("connect the worker as app role: %w", err)
	}
	defer pool.Close()
	tdb := tenants.NewDB(pool)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg, err := jobs.NewConfig(tdb, log, true)
	if err != nil {
		return r, err
	}
	river.AddWorker(cfg.Workers, &noopWorker{})
	cfg.PeriodicJobs = nil // no sweep racing the timers, no clean-up
	r.slaWorkers = cfg.Queues[sla.Queue].MaxWorkers
	// No default queue: the events' dispatch jobs (the API scenarios' and the timers') stay
	// queued; their delivery is the events package's throughput, not the timers'.
	cfg.Queues = map[string]river.QueueConfig{noopQueue: {MaxWorkers: noopWorkers}, sla.Queue: {MaxWorkers: r.slaWorkers}}
	cfg.FetchCooldown = timersCooldown
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return r, fmt.Errorf("river client: %w", err)
	}

	// The bench tenant: an outlet, and no escalation chain.
	u := platform.NewID().String()[:8]
	tn, _, err := tdb.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "bench-sla-" + u, Name: "SLA bench", Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "sla-" + u + "@bench.test", AdminName: "Bench",
		AdminPasswordHash: "x"})
	if err != nil {
		return r, fmt.Errorf("onboard the SLA bench tenant: %w", err)
	}
	scope := tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}
	var outlet uuid.UUID
	customer := platform.NewID()
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: "SLA", Name: "SLA outlet", Kind: "service_center"})
		if err != nil {
			return err
		}
		outlet = o.ID
		if _, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES ($1, $2, 'Bench customer')`, tx.Scope.TenantID, customer); err != nil {
			return err
		}
		s := sla.DefaultSettings()
		s.Escalation = nil
		_, err = sla.SaveSettings(ctx, tx, 1, s)
		return err
	}); err != nil {
		return r, err
	}

	if err := client.Start(ctx); err != nil {
		return r, fmt.Errorf("start the worker: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	}()
	watch := watchJobs(client, 3*clocks+1000)
	defer watch.stop()
	probe := &cpuProbe{ownerURL: d.ownerURL, dbName: d.name}

	// Both measurements start alike: their jobs are inserted while their queue is paused, the
	// database is settled (vacuum, analyze, checkpoint: the planner knows the new rows, as
	// autovacuum would tell it soon after such an insert), and the window opens when the
	// queue resumes. Jobs are counted from River's completion events, so that no polling
	// query competes with the worker for the database.
	open := func(queue string) (cpuUse, time.Time, error) {
		if err := d.settle(ctx); err != nil {
			return cpuUse{}, time.Time{}, err
		}
		cpu := probe.sample(ctx)
		t := time.Now()
		return cpu, t, client.QueueResume(ctx, queue, nil)
	}

	// Baseline: no-op jobs.
	if err := client.QueuePause(ctx, noopQueue, nil); err != nil {
		return r, err
	}
	params := make([]river.InsertManyParams, r.noopJobs)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{N: i}}
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := client.InsertManyFastTx(ctx, tx, params)
		return err
	}); err != nil {
		return r, fmt.Errorf("insert no-op jobs: %w", err)
	}
	cpu0, t0, err := open(noopQueue)
	if err != nil {
		return r, err
	}
	if r.noopTime, err = watch.wait(ctx, noopArgs{}.Kind(), r.noopJobs, t0); err != nil {
		return r, err
	}
	r.noopCPU = cpuSince(cpu0, probe.sample(ctx))

	// The timers (as orders would start them, one transaction each, only faster): half the
	// clocks started at one instant 50 minutes ago with a one-hour target, past their
	// warning (45 minutes) and not yet due, so they warn (their breaches wait for a wake
	// scheduled at their due second); the other half at one instant two hours ago, overdue,
	// so they breach (and have no warning: there is none after a breach). All these steps
	// are due now: their wakes are the wake of the second they were queued in (one per
	// second the start took), and each fires whatever is due in the tenant, a burst of due
	// clocks as overnight orders' clocks starting at opening time make. Event dispatch (the
	// events package's job, on the default queue, which this client does not work) stays
	// queued: the timers' figure includes recording each event and queueing its dispatch,
	// not the delivery, which is the events package's throughput.
	if err := client.QueuePause(ctx, sla.Queue, nil); err != nil {
		return r, err
	}
	now := time.Now()
	warned := clocks / 2 // the first half warns, the rest breaches
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		// The orders the clocks time, in multi-row INSERTs (tenants.MultiInsert).
		orders := make([]uuid.UUID, clocks)
		var ins tenants.MultiInsert
		for i := range orders {
			orders[i] = platform.NewID()
			if _, err := ins.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status,
				customer_id, outlet_id, tracking_token) VALUES ($1, $2, $3, 'repair', 'carry_in', 'phone', 'waiting', $4, $5, $6)`,
				tx.Scope.TenantID, orders[i], fmt.Sprintf("SO-B-%d", i+1), customer, outlet, "trk_"+orders[i].String()); err != nil {
				return err
			}
		}
		if _, err := ins.Send(ctx, tx); err != nil {
			return fmt.Errorf("insert the orders: %w", err)
		}
		for i := range clocks {
			start := now.Add(-50 * time.Minute)
			if i >= warned {
				start = now.Add(-2 * time.Hour)
			}
			if _, err := sla.Start(ctx, tx, client, sla.StartInput{OrderID: orders[i], OutletID: outlet, TierCode: "gold",
				OrderType: "repair", Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: start}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return r, fmt.Errorf("start clocks: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = $1 AND state = 'available'`,
		sla.WakeArgs{}.Kind()).Scan(&r.wakes); err != nil {
		return r, fmt.Errorf("count the wakes: %w", err)
	}
	if r.wakes == 0 {
		return r, fmt.Errorf("no wake queued for %d due clocks", clocks)
	}
	if cpu0, t0, err = open(sla.Queue); err != nil {
		return r, err
	}
	timer.reset()
	if r.timerTime, err = watch.wait(ctx, sla.WakeArgs{}.Kind(), r.wakes, t0); err != nil {
		return r, err
	}
	r.timerCPU = cpuSince(cpu0, probe.sample(ctx))
	r.top = timer.top(8)
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE type = 'sla.warning'), count(*) FILTER (WHERE type = 'sla.breached') FROM events`).
			Scan(&r.warnings, &r.breaches)
	}); err != nil {
		return r, err
	}
	if r.timers() > 0 {
		r.sqlPerTimer = float64(timer.count()) / float64(r.timers())
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_dispatch' AND args->>'tenant_id' = $1`,
		tn.ID.String()).Scan(&r.dispatch); err != nil {
		return r, err
	}
	return r, nil
}

// cpuSince is the CPU used between two samples (not ok unless both are).
func cpuSince(a, b cpuUse) cpuUse {
	return cpuUse{self: b.self - a.self, db: b.db - a.db, ok: a.ok && b.ok}
}

// jobWatch counts finished jobs from River's events.
type jobWatch struct {
	ch   <-chan *river.Event
	stop func()
}

// watchJobs subscribes to the client's finished jobs; size must exceed the jobs finished
// while nobody waits (River drops events when the buffer is full).
func watchJobs(c *river.Client[pgx.Tx], size int) jobWatch {
	ch, stop := c.SubscribeConfig(&river.SubscribeConfig{ChanSize: size,
		Kinds: []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed}})
	return jobWatch{ch: ch, stop: stop}
}

// wait waits until n jobs of kind are completed and returns the time from t0 to the last
// one's completion (its finalized_at: when its worker returned).
func (w jobWatch) wait(ctx context.Context, kind string, n int, t0 time.Time) (time.Duration, error) {
	deadline := time.NewTimer(10 * time.Minute)
	defer deadline.Stop()
	var last time.Time
	for done := 0; done < n; {
		select {
		case ev, ok := <-w.ch:
			if !ok {
				return 0, fmt.Errorf("%s: the worker stopped after %d of %d jobs", kind, done, n)
			}
			if ev.Job == nil || ev.Job.Kind != kind {
				continue
			}
			if ev.Kind != river.EventKindJobCompleted {
				return 0, fmt.Errorf("%s job %d: %s: %v", kind, ev.Job.ID, ev.Kind, ev.Job.Errors)
			}
			done++
			if f := ev.Job.FinalizedAt; f != nil && f.After(last) {
				last = *f
			}
		case <-deadline.C:
			return 0, fmt.Errorf("%s: %d of %d jobs done after 10 minutes", kind, done, n)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return last.Sub(t0), nil
}

// reportTimers prints River's no-op baseline, then the timers as a ratio to it.
func reportTimers(w io.Writer, r timersResult) {
	fmt.Fprintf(w, "baseline %-16s %-20s (w=%d): %7.0f jobs/s, %d jobs in %s (fetch cooldown %s)\n",
		"river-noop", "River no-op jobs", noopWorkers, r.noopRate(), r.noopJobs, secs(r.noopTime), timersCooldown)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "timers\tratio\tto baseline\ttime\t\ttimers/s\ttimers\twarnings\tbreaches\twakes\tsql/timer\ttarget")
	fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t\t%.0f\t%d\t%d\t%d\t%d\t%.2f\t%s\n", timersName, r.ratio(), "river-noop", secs(r.timerTime),
		r.timerRate(), r.timers(), r.warnings, r.breaches, r.wakes, r.sqlPerTimer, verdict(r.ratio(), timersTarget))
	tw.Flush()
	fmt.Fprintf(w, "  timers/s counts the warnings and breaches fired (events), from the SLA queue's resuming (w=%d) to the last of its %d wake jobs; their events' %d dispatch jobs stay queued (delivery is not timed)\n",
		r.slaWorkers, r.wakes, r.dispatch)
	if r.noopCPU.ok && r.timerCPU.ok && r.timers() > 0 {
		per := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }
		fmt.Fprintf(w, "  CPU per job or timer, worker process + database: no-op job %.0f + %.0f µs, timer %.0f + %.0f µs\n",
			per(r.noopCPU.self, r.noopJobs), per(r.noopCPU.db, r.noopJobs), per(r.timerCPU.self, r.timers()), per(r.timerCPU.db, r.timers()))
	}
	printWorkerStatements(w, r.top)
}

// checkTimers fails the run unless every warning and breach happened exactly once.
func checkTimers(r *timersResult) error {
	if r != nil && (r.warnings != r.clocks/2 || r.breaches != r.clocks-r.clocks/2) {
		return fmt.Errorf("%s: %d warnings and %d breaches for %d clocks", timersName, r.warnings, r.breaches, r.clocks)
	}
	return nil
}

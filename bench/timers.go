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
const timersName = "sla-timers (warning and breach jobs)"

// timersTarget is the ratio to River's bare job throughput the SLA issue asks timers to reach.
const timersTarget = 0.7

// timersCooldown configures the measured worker. Both queues (the default one of the
// no-op baseline and the SLA queue of the timers) get the workers of the product's SLA
// queue (jobs.NewConfig), so both kinds of job run on as many workers. The product keeps
// River's default fetch cooldown (100 ms), which caps a queue at its workers ×10 jobs/s:
// both measurements would hit that cap and the ratio would say nothing about the timers;
// the bench fetches as often as River allows.
const timersCooldown = river.FetchCooldownMin

// noopArgs is the baseline's job: River's own cost of fetching, running and completing one.
type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// timersResult is the timer measurement: River's no-op jobs, then the SLA timers of as many
// overdue clocks, worked by the same client.
type timersResult struct {
	workers            int // of each queue: the product's SLA queue's
	clocks             int
	noopJobs           int
	noopTime           time.Duration
	timerJobs          int // jobs that warned or breached
	lateWarnings       int // warning jobs of overdue clocks: nothing to do
	timerTime          time.Duration
	warnings, breaches int
	dispatch           int
	sqlPerTimer        float64
	top                []stmtTime
	// CPU used in each window (this process: the worker; the database's backends).
	noopCPU, timerCPU cpuUse
}

func (r timersResult) noopRate() float64  { return float64(r.noopJobs) / r.noopTime.Seconds() }
func (r timersResult) timerRate() float64 { return float64(r.timerJobs) / r.timerTime.Seconds() }
func (r timersResult) ratio() float64     { return r.timerRate() / r.noopRate() }

// measureTimers runs the worker (the product's River workers, on a pool of its own as
// `aftersales worker` has) and times, from the moment their queue resumes to the last one
// finished: first as many no-op jobs as timers, then the timers of clocks clocks: warnings
// (clock update, sla.warning event) and breaches (clock update and breach row,
// sla.breached event), batched as the worker batches them, with the events' dispatch job
// queued. The tenant's escalation chain is empty, so a breach queues nothing else.
func measureTimers(ctx context.Context, d *database, clocks int) (timersResult, error) {
	r := timersResult{clocks: clocks, noopJobs: clocks}
	timer := newStmtTimer()
	pool, err := platform.NewPool(ctx, d.appURL, func(pcfg *pgxpool.Config) {
		pcfg.ConnConfig.Tracer = &timingTracer{t: timer}
		pcfg.MaxConns = 20 // timers share a connection per batch; River needs a few of its own
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
	r.workers = cfg.Queues[sla.Queue].MaxWorkers
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: r.workers}, sla.Queue: {MaxWorkers: r.workers}}
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
		if _, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Bench customer')`, customer); err != nil {
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
	if err := client.QueuePause(ctx, river.QueueDefault, nil); err != nil {
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
	cpu0, t0, err := open(river.QueueDefault)
	if err != nil {
		return r, err
	}
	if r.noopTime, err = watch.wait(ctx, noopArgs{}.Kind(), r.noopJobs, t0); err != nil {
		return r, err
	}
	r.noopCPU = cpuSince(cpu0, probe.sample(ctx))

	// The timers (as orders would start them, one transaction each, only faster): half the
	// clocks started 50 minutes ago with a one-hour target, past their warning (45 minutes)
	// and not yet due, so their warning jobs warn (their breach jobs wait, scheduled); the
	// other half started two hours ago, overdue, so their breach jobs breach.
	// Event dispatch (the events package's job) waits in the paused default queue until the
	// timers are done: the timers' figure includes recording each event and queueing its
	// dispatch, not the delivery, which is the events package's throughput.
	if err := client.QueuePause(ctx, river.QueueDefault, nil); err != nil {
		return r, err
	}
	if err := client.QueuePause(ctx, sla.Queue, nil); err != nil {
		return r, err
	}
	now := time.Now()
	warned, breached := clocks/2, clocks-clocks/2
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		// The orders the clocks time, in one statement.
		orders := make([]uuid.UUID, clocks)
		for i := range orders {
			orders[i] = platform.NewID()
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id,
				outlet_id, tracking_token)
			SELECT app.tenant_id(), id, 'SO-B-' || n, 'repair', 'carry_in', 'phone', 'waiting', $2, $3, 'trk_' || id::text
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, orders, customer, outlet); err != nil {
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
	// The overdue clocks' warning jobs: in production each ran when its warning fell due, an
	// hour and a quarter ago; here the clocks start in the past and the jobs are still queued,
	// too late to warn. Each would return without reading anything, cost what a no-op job
	// costs and count for nothing, which would cap the ratio at 2/3 however cheap the timers
	// were. They are removed before the window opens.
	if r.lateWarnings, err = dropLateWarnings(ctx, d); err != nil {
		return r, err
	}
	if r.lateWarnings != breached {
		return r, fmt.Errorf("%d late warning jobs for %d overdue clocks", r.lateWarnings, breached)
	}
	r.timerJobs = warned + breached
	if cpu0, t0, err = open(sla.Queue); err != nil {
		return r, err
	}
	timer.reset()
	if r.timerTime, err = watch.wait(ctx, sla.TimerArgs{}.Kind(), r.timerJobs, t0); err != nil {
		return r, err
	}
	r.timerCPU = cpuSince(cpu0, probe.sample(ctx))
	if err := client.QueueResume(ctx, river.QueueDefault, nil); err != nil {
		return r, err
	}
	r.sqlPerTimer = float64(timer.count()) / float64(r.timerJobs)
	r.top = timer.top(8)
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE type = 'sla.warning'), count(*) FILTER (WHERE type = 'sla.breached') FROM events`).
			Scan(&r.warnings, &r.breaches)
	}); err != nil {
		return r, err
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_dispatch'`).Scan(&r.dispatch); err != nil {
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

// dropLateWarnings deletes the queued warning jobs whose due time has passed (see
// measureTimers) and returns how many.
func dropLateWarnings(ctx context.Context, d *database) (int, error) {
	conn, err := pgx.Connect(ctx, d.ownerURL)
	if err != nil {
		return 0, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	tag, err := conn.Exec(ctx, `DELETE FROM river.river_job WHERE kind = $1 AND state = 'available'
		AND args->>'event' = 'warn' AND (args->>'due_at')::timestamptz <= now()`, sla.TimerArgs{}.Kind())
	if err != nil {
		return 0, fmt.Errorf("drop late warning jobs: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// reportTimers prints River's no-op baseline, then the timers as a ratio to it.
func reportTimers(w io.Writer, r timersResult) {
	fmt.Fprintf(w, "baseline %-16s %-20s (w=%d): %7.0f jobs/s, %d jobs in %s (fetch cooldown %s)\n",
		"river-noop", "River no-op jobs", r.workers, r.noopRate(), r.noopJobs, secs(r.noopTime), timersCooldown)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "timers\tratio\tto baseline\ttime\t\ttimers/s\ttimers\twarnings\tbreaches\tsql/timer\ttarget")
	fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t\t%.0f\t%d\t%d\t%d\t%.1f\t%s\n", timersName, r.ratio(), "river-noop", secs(r.timerTime),
		r.timerRate(), r.timerJobs, r.warnings, r.breaches, r.sqlPerTimer, verdict(r.ratio(), timersTarget))
	tw.Flush()
	fmt.Fprintf(w, "  timers/s counts jobs that warned or breached; the %d overdue clocks' late warning jobs were dropped before the window; the %d event dispatch jobs ran after it\n",
		r.lateWarnings, r.dispatch)
	if r.noopCPU.ok && r.timerCPU.ok {
		per := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }
		fmt.Fprintf(w, "  CPU per job, worker process + database: no-op %.0f + %.0f µs, timer %.0f + %.0f µs\n",
			per(r.noopCPU.self, r.noopJobs), per(r.noopCPU.db, r.noopJobs), per(r.timerCPU.self, r.timerJobs), per(r.timerCPU.db, r.timerJobs))
	}
	printWorkerStatements(w, r.top)
}

// checkTimers fails the run unless every warning and breach happened exactly once.
func checkTimers(r *timersResult) error {
	if r != nil && r.warnings+r.breaches != r.timerJobs {
		return fmt.Errorf("%s: %d warnings and %d breaches for %d clocks", timersName, r.warnings, r.breaches, r.clocks)
	}
	return nil
}

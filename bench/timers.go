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

// timersWorkers and timersCooldown configure the measured worker. Both queues (the default
// one of the no-op baseline and the SLA queue of the timers) get the SLA queue's 100
// workers of the product's worker, so both kinds of job run on as many workers. The
// product keeps River's default fetch cooldown (100 ms), which caps a queue at its workers
// ×10 jobs/s: both measurements would hit that cap and the ratio would say nothing about
// the timers; the bench fetches as often as River allows.
const (
	timersWorkers  = 100
	timersCooldown = river.FetchCooldownMin
)

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
}

func (r timersResult) noopRate() float64  { return float64(r.noopJobs) / r.noopTime.Seconds() }
func (r timersResult) timerRate() float64 { return float64(r.timerJobs) / r.timerTime.Seconds() }
func (r timersResult) ratio() float64     { return r.timerRate() / r.noopRate() }

// measureTimers runs the worker (the product's River workers, on a pool of its own as
// `aftersales worker` has) and times, from the commit that makes them available to the
// last one finished: first as many no-op jobs as timers, then the timers of clocks clocks:
// warnings (clock update, sla.warning event, its dispatch job queued) and breaches (clock
// update and breach row, sla.breached event, its dispatch job queued), batched as the
// worker batches them. The tenant's escalation chain is empty, so a breach queues nothing
// else.
func measureTimers(ctx context.Context, d *database, clocks int) (timersResult, error) {
	r := timersResult{clocks: clocks, noopJobs: clocks}
	timer := newStmtTimer()
	pcfg, err := pgxpool.ParseConfig(d.appURL)
	if err != nil {
		return r, err
	}
	pcfg.ConnConfig.Tracer = &timingTracer{t: timer}
	pcfg.MaxConns = 20 // timers share a connection per batch; River needs a few of its own
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
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
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: timersWorkers}, sla.Queue: {MaxWorkers: timersWorkers}}
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
	if err := d.settle(ctx); err != nil {
		return r, err
	}

	// Baseline: no-op jobs, all made available by one commit.
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
	t0 := time.Now()
	if r.noopTime, err = waitJobs(ctx, pool, noopArgs{}.Kind(), r.noopJobs, t0); err != nil {
		return r, err
	}

	// The timers, all made available by one commit (as orders would, one transaction each,
	// only faster): half the clocks started 50 minutes ago with a one-hour target, past
	// their warning (45 minutes) and not yet due, so their warning jobs warn (their breach
	// jobs wait, scheduled); the other half started two hours ago, overdue, so their breach
	// jobs breach and their warning jobs, too late, return without reading anything.
	if err := d.settle(ctx); err != nil {
		return r, err
	}
	// Event dispatch (the events package's job per event) waits in the paused default queue
	// until the timers are done: the timers' figure includes recording each event and
	// queueing its dispatch, not the delivery, which is the events package's throughput.
	if err := client.QueuePause(ctx, river.QueueDefault, nil); err != nil {
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
	t0 = time.Now()
	timer.reset()
	r.timerJobs, r.lateWarnings = warned+breached, breached
	if r.timerTime, err = waitJobs(ctx, pool, sla.TimerArgs{}.Kind(), r.timerJobs+r.lateWarnings, t0); err != nil {
		return r, err
	}
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

// waitJobs waits until n jobs of kind are completed and returns the time from t0 to the
// last one's completion.
func waitJobs(ctx context.Context, pool *pgxpool.Pool, kind string, n int, t0 time.Time) (time.Duration, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var done, failed int
		var last *time.Time
		if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'completed'),
			count(*) FILTER (WHERE state IN ('retryable', 'discarded', 'cancelled')), max(finalized_at)
			FROM river.river_job WHERE kind = $1`, kind).Scan(&done, &failed, &last); err != nil {
			return 0, err
		}
		if failed > 0 {
			return 0, fmt.Errorf("%d %s jobs failed", failed, kind)
		}
		if done >= n && last != nil {
			return last.Sub(t0), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s: %d of %d jobs done after 10 minutes", kind, done, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reportTimers prints River's no-op baseline, then the timers as a ratio to it.
func reportTimers(w io.Writer, r timersResult) {
	fmt.Fprintf(w, "baseline %-16s %-20s (w=%d): %7.0f jobs/s, %d jobs in %s (fetch cooldown %s)\n",
		"river-noop", "River no-op jobs", timersWorkers, r.noopRate(), r.noopJobs, secs(r.noopTime), timersCooldown)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "timers\tratio\tto baseline\ttime\t\ttimers/s\ttimers\twarnings\tbreaches\tsql/timer\ttarget")
	fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t\t%.0f\t%d\t%d\t%d\t%.1f\t%s\n", timersName, r.ratio(), "river-noop", secs(r.timerTime),
		r.timerRate(), r.timerJobs, r.warnings, r.breaches, r.sqlPerTimer, verdict(r.ratio(), timersTarget))
	tw.Flush()
	fmt.Fprintf(w, "  timers/s counts jobs that warned or breached; %d late warning jobs (no SQL) ran in the window too; the %d event dispatch jobs ran after it\n",
		r.lateWarnings, r.dispatch)
	if len(r.top) > 0 {
		fmt.Fprintln(w, "  worker's database time by statement (client side, round trips included):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range r.top {
			fmt.Fprintf(tw, "    %s\t%d×\t%s\n", s.label, s.count, secs(s.total))
		}
		tw.Flush()
	}
}

// checkTimers fails the run unless every warning and breach happened exactly once.
func checkTimers(r *timersResult) error {
	if r != nil && r.warnings+r.breaches != r.timerJobs {
		return fmt.Errorf("%s: %d warnings and %d breaches for %d clocks", timersName, r.warnings, r.breaches, r.clocks)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

// notifyName is the key of the notification pipeline's figure.
const notifyName = "notify-pipeline"

// notifyTarget: the pipeline keeps up with intake when it carries the events of orders
// away at least as fast as create-order takes them in (the SLA issue, point 15).
const notifyTarget = 1.0

// notifyResult is the notification pipeline draining what the create-order scenario queued.
type notifyResult struct {
	orders     int           // orders whose order.created event waited for its dispatch when the worker started
	jobs       int           // default-queue jobs waiting then (dispatches; more follow: deliveries, sends)
	worked     int           // default-queue jobs completed while draining
	sends      int           // notification sends recorded (messages to customers and staff)
	deferred   int           // default-queue jobs left scheduled (quiet hours defer customers' SMS)
	took       time.Duration // from the worker's start until the default queue had nothing left to run
	intakeRate float64       // create-order's orders a second, measured in the same run
	workers    int           // the default queue's capacity (JOB_WORKERS)
	pool       poolFigures   // the worker's connection pool while draining
	cpu        cpuUse        // CPU spent while draining: this process (the worker; the API is idle) and the database
	intakeCPU  cpuUse        // create-order's CPU in the same run (with -explain)
	intakeReqs int64         // create-order's requests then
}

// poolFigures say whether the worker's jobs waited for a connection: a pool smaller than
// the jobs running at once makes them queue for it, whatever the database could do.
type poolFigures struct {
	conns    int32         // the pool's size
	acquires int64         // connections handed out
	waited   int64         // of those, the ones that had to wait for a connection to free
	wait     time.Duration // the time spent waiting, all acquires together
}

func (r notifyResult) rate() float64  { return float64(r.orders) / r.took.Seconds() }
func (r notifyResult) ratio() float64 { return r.rate() / r.intakeRate }

// measureNotify starts the product's worker (its event consumers: billing is left out, it
// reacts to no order event; notifications with the development provider, which sends
// nothing but records every send; tenant webhooks; order hooks; the partner network) with the default queue at
// workers (-job-workers: JOB_WORKERS' default unless given) on a pool of its own, and times how long it takes to run every job
// of the default queue that the create-order scenario left (the API only inserts): each
// order's order.created dispatch, its deliveries to the consumers, and the sends they
// queue. Divided into the orders, that is the pipeline's rate in orders a second, set
// against the rate create-order took them in.
func measureNotify(ctx context.Context, d *database, intakeRate float64, workers, poolConns int) (notifyResult, error) {
	r := notifyResult{intakeRate: intakeRate, workers: workers}
	owner, err := pgx.Connect(ctx, d.ownerURL)
	if err != nil {
		return r, fmt.Errorf("%s: connect as owner: %w", notifyName, err)
	}
	defer owner.Close(ctx)
	// The orders whose order.created waits for its dispatch (a dispatch may carry several
	// events of one transaction: event_ids).
	if err := owner.QueryRow(ctx, `SELECT
		  (SELECT count(*) FROM river.river_job j
		   JOIN events e ON e.tenant_id = (j.args->>'tenant_id')::uuid AND e.type = 'order.created'
		     AND (e.id::text = j.args->>'event_id' OR (j.args ? 'event_ids' AND j.args->'event_ids' ? e.id::text))
		   WHERE j.queue = 'default' AND j.kind = 'event_dispatch' AND j.state IN ('available', 'pending', 'retryable')),
		  (SELECT count(*) FROM river.river_job WHERE queue = 'default' AND state IN ('available', 'pending', 'retryable'))`).
		Scan(&r.orders, &r.jobs); err != nil {
		return r, fmt.Errorf("%s: count the queued jobs: %w", notifyName, err)
	}
	if r.orders == 0 {
		return r, fmt.Errorf("%s: create-order queued no events", notifyName)
	}
	var sends0 int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM notification_sends`).Scan(&sends0); err != nil {
		return r, err
	}
	pool, err := platform.NewPool(ctx, d.appURL, func(c *pgxpool.Config) {
		c.MaxConns = jobs.PoolConns(workers) // as `aftersales worker` sizes it
		if poolConns > 0 {
			c.MaxConns = int32(poolConns)
		}
	})
	if err != nil {
		return r, fmt.Errorf("%s: connect the worker as app role: %w", notifyName, err)
	}
	defer pool.Close()
	// Open every connection first: the CPU probe reads the backends connected when it samples.
	held := make([]*pgxpool.Conn, 0, pool.Config().MaxConns)
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return r, fmt.Errorf("%s: open the worker's connections: %w", notifyName, err)
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Release()
	}
	probe := &cpuProbe{ownerURL: d.ownerURL, dbName: d.name}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	tdb := tenants.NewDB(pool)
	providers, err := notify.NewProviders(notify.Config{}, notify.NewDevProvider(log))
	if err != nil {
		return r, err
	}
	consumers := []events.Consumer{notify.New(tdb, log, providers), webhooks.New(tdb, log, webhooks.Options{}), orders.Hooks{},
		network.New(tdb, network.ContextJobs{}, orders.Wire("", network.ContextJobs{}).Service, log)}
	cfg, err := jobs.NewConfig(tdb, log, true, consumers...)
	if err != nil {
		return r, err
	}
	cfg.PeriodicJobs = nil // no sweep or clean-up in the figure
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: r.workers}}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return r, err
	}
	cpu0 := probe.sample(ctx)
	t0 := time.Now()
	if err := client.Start(ctx); err != nil {
		return r, fmt.Errorf("%s: start the worker: %w", notifyName, err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	}()
	deadline := t0.Add(10 * time.Minute)
	for {
		var left int
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job
			WHERE queue = 'default' AND state IN ('available', 'pending', 'retryable', 'running')`).Scan(&left); err != nil {
			return r, err
		}
		if left == 0 {
			r.took = time.Since(t0)
			if cpu1 := probe.sample(ctx); cpu0.ok && cpu1.ok {
				r.cpu = cpuUse{self: cpu1.self - cpu0.self, db: cpu1.db - cpu0.db, ok: true}
			}
			st := pool.Stat()
			r.pool = poolFigures{conns: st.MaxConns(), acquires: st.AcquireCount(), waited: st.EmptyAcquireCount(), wait: st.AcquireDuration()}
			break
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("%s: %d jobs still to run after 10 minutes", notifyName, left)
		}
		time.Sleep(pollInterval)
	}
	if err := owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'completed' AND finalized_at >= $1),
		count(*) FILTER (WHERE state = 'scheduled') FROM river.river_job WHERE queue = 'default'`, t0).Scan(&r.worked, &r.deferred); err != nil {
		return r, err
	}
	var sends int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM notification_sends`).Scan(&sends); err != nil {
		return r, err
	}
	r.sends = sends - sends0
	return r, nil
}

// reportNotify prints the pipeline's rate as a ratio to create-order's, measured in the
// same run, and, when -explain measured create-order's CPU (intake), the CPU each spends
// on an order: on a machine whose cores are shared, that comparison holds where rates do not.
func reportNotify(w io.Writer, r notifyResult) {
	intake, intakeReqs := r.intakeCPU, r.intakeReqs
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pipeline\tratio\tto baseline\ttime\torders/s\tbaseline/s\torders\tjobs queued\tjobs run\tsends\tdeferred\tworkers\ttarget")
	fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t%.0f\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", notifyName, r.ratio(), "create-order", secs(r.took),
		r.rate(), r.intakeRate, r.orders, r.jobs, r.worked, r.sends, r.deferred, r.workers, verdict(r.ratio(), notifyTarget))
	_ = tw.Flush()
	fmt.Fprintf(w, "  the worker (default queue at %d workers) runs every job create-order queued: each order's event dispatch\n"+
		"  (which hands the event to notifications and webhooks in its own transaction; the partner network only where the\n"+
		"  tenant receives jobs) and the sends it queues; ratio >= 1: it keeps up\n", r.workers)
	if r.cpu.ok {
		n := time.Duration(r.orders)
		fmt.Fprintf(w, "  CPU an order: worker %s, database %s", us(r.cpu.self/n), us(r.cpu.db/n))
		if intake.ok && intakeReqs > 0 {
			m := time.Duration(intakeReqs)
			fmt.Fprintf(w, "; create-order's: API %s, database %s (pipeline/intake %.2f)", us(intake.self/m), us(intake.db/m),
				float64((r.cpu.self+r.cpu.db)/n)/float64((intake.self+intake.db)/m))
		}
		fmt.Fprintln(w)
	}
	if p := r.pool; p.acquires > 0 {
		fmt.Fprintf(w, "  worker pool: %d connections, %d acquires, %d (%.0f%%) waited for a free one, %s waiting in all (%.2fms an acquire)\n",
			p.conns, p.acquires, p.waited, 100*float64(p.waited)/float64(p.acquires), secs(p.wait),
			float64(p.wait.Microseconds())/1000/float64(p.acquires))
	}
}

// checkNotify fails the run when the pipeline could not be measured (a slow one only misses
// its target).
func checkNotify(r *notifyResult) error {
	if r != nil && r.took <= 0 {
		return fmt.Errorf("%s: not measured", notifyName)
	}
	return nil
}

// defaultJobWorkers is the product's default queue capacity (JOB_WORKERS unset).
const defaultJobWorkers = jobs.DefaultWorkers

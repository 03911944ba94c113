// Package jobs runs durable background work with River on the product's database:
// periodic housekeeping, SLA wakes and their sweep (package sla), event delivery.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/complaints"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/reports"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// CleanupArgs asks for expired sessions and one-time codes to be deleted.
type CleanupArgs struct{}

// Kind names the job.
func (CleanupArgs) Kind() string { return "cleanup_expired_credentials" }

// CleanupWorker deletes credentials that expired over a day ago. Idempotent by nature.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	DB  *tenants.DB
	Log *slog.Logger
}

// Work deletes expired sessions and codes.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	cutoff := time.Now().Add(-24 * time.Hour)
	return w.DB.Platform(ctx, "cleanup: expired sessions and codes", uuid.Nil, func(tx *tenants.Tx) error {
		s, err := tx.Q.DeleteExpiredSessions(ctx, tx, cutoff)
		if err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		o, err := tx.Q.DeleteExpiredOTPs(ctx, tx, cutoff)
		if err != nil {
			return fmt.Errorf("delete codes: %w", err)
		}
		w.Log.InfoContext(ctx, "cleanup", "sessions", s, "codes", o)
		return nil
	})
}

// WorkerProvider is a consumer that also runs jobs of its own (notifications' sends,
// webhook deliveries); NewClient registers them.
type WorkerProvider interface {
	AddWorkers(w *river.Workers)
}

// QueueProvider is a consumer whose jobs run in queues of their own (webhook deliveries wait
// on tenants' servers and must not hold the workers SLA wakes need); the worker runs them.
type QueueProvider interface {
	Queues() map[string]river.QueueConfig
}

// PeriodicProvider is a consumer with periodic jobs of its own (billing: grace periods,
// usage reports, reconciliation); the worker schedules them.
type PeriodicProvider interface {
	PeriodicJobs() []*river.PeriodicJob
}

// NewClient builds a River client on pool, the application role's pool that main hands it
// (River's tables are the platform's own, outside tenant scopes). With work set it also runs the
// workers and periodic jobs (the worker process); without, it only inserts jobs. The
// consumers receive every event the product emits (see package events); those that are
// WorkerProviders also get their own jobs' workers registered.
func NewClient(pool *pgxpool.Pool, d *tenants.DB, log *slog.Logger, work bool, consumers ...events.Consumer) (*river.Client[pgx.Tx], error) {
	return NewClientWith(pool, d, log, work, Capacity{}, consumers...)
}

// DefaultWorkers is the default queue's capacity unless configured (JOB_WORKERS). A job
// spends most of its time waiting on the database, not on a core, so the jobs a second
// grow with the workers running at once: on the bench's two shared cores, 20 workers
// carried 0.6 of the create-order rate away, 50 about all of it (0.9 to 1.07) and 100 a
// third more than it (1.3), an order's jobs costing about half the CPU of its intake.
// Each worker holds a connection (PoolConns).
const DefaultWorkers = 100

// PoolReserve is the connections a worker process keeps beside its default queue's: River's
// fetches, completions and leadership, and the jobs of the other queues (SLA wakes, imports,
// webhook deliveries), which share them.
const PoolReserve = 8

// PoolConns is the size of the database pool a worker process needs so that its default
// queue's workers (JOB_WORKERS; zero: DefaultWorkers) never wait for a connection: each
// running job holds one while it works. pgxpool's own default, max(4, CPUs), made 20
// workers queue for 4 connections: the bench's notify-pipeline measured 86% of acquires
// waiting, 21 ms each, and that wait, not the database, bounded the jobs a second.
func PoolConns(workers int) int32 {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	return int32(workers + PoolReserve)
}

// DefaultFetchCooldown is the least time between two fetches of the default queue, and
// between two notifications of a client that a queue has new jobs.
const DefaultFetchCooldown = 10 * time.Millisecond

// DefaultFetchPoll is how often the default queue looks for jobs no notification told it
// of (River's default: a second).
const DefaultFetchPoll = 100 * time.Millisecond

// Capacity sizes the worker process's default queue: event dispatch, notifications and
// webhook fan-out run there. Zero: DefaultWorkers.
type Capacity struct {
	DefaultWorkers int
}

// apply sets the capacity on a worker's configuration.
func (c Capacity) apply(cfg *river.Config) {
	if cfg.Queues == nil {
		return // an inserting-only client runs nothing
	}
	n := c.DefaultWorkers
	if n <= 0 {
		n = DefaultWorkers
	}
	// River fetches for a queue at most once per fetch cooldown (100 ms by default), each
	// time for its free workers: 50 workers would start at most 500 jobs a second however
	// short the jobs. Fetching every 10 ms lifts that ceiling tenfold; an idle queue still
	// waits for a notification or the poll interval, not the cooldown.
	cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: n, FetchCooldown: DefaultFetchCooldown, FetchPollInterval: DefaultFetchPoll}
}

// NewClientWith is NewClient with the default queue's capacity given (the worker process
// reads it from JOB_WORKERS).
func NewClientWith(pool *pgxpool.Pool, d *tenants.DB, log *slog.Logger, work bool, capacity Capacity, consumers ...events.Consumer) (*river.Client[pgx.Tx], error) {
	cfg, err := NewConfigWith(d, log, work, capacity, consumers...)
	if err != nil {
		return nil, err
	}
	c, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return c, nil
}

// NewConfig is the River configuration NewClient uses: every worker, and with work the
// default queue and the periodic jobs (the clean-up, the SLA sweep). The benchmark builds
// its worker from it.
func NewConfig(d *tenants.DB, log *slog.Logger, work bool, consumers ...events.Consumer) (*river.Config, error) {
	return NewConfigWith(d, log, work, Capacity{}, consumers...)
}

// NewConfigWith is NewConfig with the default queue's capacity given.
func NewConfigWith(d *tenants.DB, log *slog.Logger, work bool, capacity Capacity, consumers ...events.Consumer) (*river.Config, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &CleanupWorker{DB: d, Log: log})
	imports := &registry.ImportWorker{DB: d, Log: log}
	for _, c := range consumers {
		if in, ok := c.(registry.Installer); ok {
			imports.Install = in // installation orders of imported shipments
		}
	}
	river.AddWorker(workers, imports)
	river.AddWorker(workers, &reports.RollupWorker{DB: d, Log: log})
	river.AddWorker(workers, &stock.DailyWorker{DB: d, Log: log})
	river.AddWorker(workers, &stock.LoanRemindWorker{DB: d, Log: log})
	bus, err := events.NewBus(d, consumers...)
	if err != nil {
		return nil, err
	}
	bus.AddWorkers(workers)
	timers := &sla.Timers{DB: d, Log: log, Also: []sla.Waker{complaints.Waker(d)}}
	timers.AddWorkers(workers)
	for _, c := range consumers {
		if wp, ok := c.(WorkerProvider); ok {
			wp.AddWorkers(workers)
		}
	}
	// An inserting-only client (the API) need not hold every worker: the jobs it inserts are
	// typed args, and the worker process runs them.
	// FetchCooldown is also how long a client keeps quiet after it told the workers that a
	// queue has new jobs (River's insert notification limiter): at River's 100 ms, a job
	// inserted within 100 ms of the last notified one, after the fetch that notification
	// woke, waited for the next poll, up to a second (the bench measured a partner hand-off
	// at 1.05 s, every one of them waiting for it). At 10 ms, and with the default queue
	// polling every 100 ms besides, such a job waits for a fetch no longer than that.
	cfg := &river.Config{Schema: migrate.RiverSchema, Logger: log, Workers: workers, SkipUnknownJobCheck: !work,
		FetchCooldown: DefaultFetchCooldown}
	if work {
		// The SLA queue runs wakes (package sla): one job fires everything due in its tenant,
		// hundreds of clocks per transaction, so a burst of due times is a few jobs, not one
		// per step. Its workers bound how many wakes run at once, and River's fetch cooldown
		// (at most a fetch every 100 ms, each for the free workers) how many start a second:
		// 100 workers, up to about 1000 a second, so that a backlog after a worker outage
		// (a wake per second that had steps, per tenant; the first of a tenant's fires them
		// all, the others end after one read) drains in seconds, not minutes, and new wakes
		// do not wait behind it. The wakes of a tenant with a backlog run up to four
		// transactions at a time between them, each on a connection: the pool (pgxpool's
		// default, max(4, CPUs), unless APP_DATABASE_URL sets pool_max_conns) caps them, and
		// since no wake holds two connections in one goroutine, a small pool slows them,
		// never deadlocks them.
		cfg.Queues = map[string]river.QueueConfig{sla.Queue: {MaxWorkers: 100, FetchCooldown: river.FetchCooldownDefault},
			registry.ImportQueue: {MaxWorkers: registry.ImportWorkers}}
		capacity.apply(cfg) // the default queue: events, notifications, webhook fan-out (JOB_WORKERS)
		for _, c := range consumers {
			if qp, ok := c.(QueueProvider); ok {
				for name, q := range qp.Queues() {
					cfg.Queues[name] = q
				}
			}
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, timers.PeriodicJobs()...)
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, reports.PeriodicJobs()...)
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, stock.PeriodicJobs()...)
		for _, c := range consumers {
			if pp, ok := c.(PeriodicProvider); ok {
				cfg.PeriodicJobs = append(cfg.PeriodicJobs, pp.PeriodicJobs()...)
			}
		}
	}
	return cfg, nil
}

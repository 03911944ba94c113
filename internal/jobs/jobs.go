// Package jobs runs durable background work with River on the product's database:
// periodic housekeeping now, SLA timers, notifications and webhooks as they arrive.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/registry"
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
	return w.DB.Global(ctx, uuid.Nil, func(tx *tenants.Tx) error {
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

// WorkerSource is a consumer that also brings its own jobs (billing: Stripe events, grace
// periods, usage reports, reconciliation).
type WorkerSource interface {
	AddWorkers(w *river.Workers)
	PeriodicJobs() []*river.PeriodicJob
}

// NewClient builds a River client on the application pool. With work set it also runs the
// workers and periodic jobs (the worker process); without, it only inserts jobs. The
// consumers receive every event the product emits (see package events); consumers that are
// also WorkerSources register their jobs.
func NewClient(d *tenants.DB, log *slog.Logger, work bool, consumers ...events.Consumer) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &CleanupWorker{DB: d, Log: log})
	river.AddWorker(workers, &registry.ImportWorker{DB: d, Log: log})
	var periodic []*river.PeriodicJob
	for _, c := range consumers {
		if ws, ok := c.(WorkerSource); ok {
			ws.AddWorkers(workers)
			periodic = append(periodic, ws.PeriodicJobs()...)
		}
	}
	bus, err := events.NewBus(d, consumers...)
	if err != nil {
		return nil, err
	}
	bus.AddWorkers(workers)
	cfg := &river.Config{Schema: migrate.RiverSchema, Logger: log, Workers: workers}
	if work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, periodic...)
	}
	c, err := river.NewClient(riverpgxv5.New(d.Pool()), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return c, nil
}

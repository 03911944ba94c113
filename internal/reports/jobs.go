package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/tenants"
)

// Every is how often the roll-up of every tenant runs: the dashboards' figures are at most
// this old (POST /v1/reports/refresh brings one tenant's up to date at once).
const Every = 10 * time.Minute

// RollupAllArgs rolls up every tenant's recent days.
type RollupAllArgs struct{}

// Kind names the job.
func (RollupAllArgs) Kind() string { return "reports_rollup" }

// RollupWorker runs RollupAllArgs.
type RollupWorker struct {
	river.WorkerDefaults[RollupAllArgs]
	DB  *tenants.DB
	Log *slog.Logger
}

// Timeout gives a first roll-up of a large network the time to read its whole history.
func (w *RollupWorker) Timeout(*river.Job[RollupAllArgs]) time.Duration { return 30 * time.Minute }

// Work rolls up each tenant in turn; one tenant's failure does not stop the others.
func (w *RollupWorker) Work(ctx context.Context, _ *river.Job[RollupAllArgs]) error {
	var errs []error
	after := uuid.NullUUID{}
	for {
		list, err := w.DB.ListTenants(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, t := range list {
			if _, err := Rollup(ctx, w.DB, tenants.Scope{TenantID: t.ID, Actor: tenants.SystemActor}, nil); err != nil {
				w.Log.ErrorContext(ctx, "report roll-up", "tenant", t.ID, "err", err)
				errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			}
		}
		if len(list) < 200 {
			return errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: list[len(list)-1].ID, Valid: true}
	}
}

// PeriodicJobs schedules the roll-up of every tenant. It does not run when the worker starts:
// a restart loop would otherwise roll up every tenant each time.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(Every),
		func() (river.JobArgs, *river.InsertOpts) { return RollupAllArgs{}, nil }, nil)}
}

package stock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// DailyRun is one tenant's replenishment suggestions of one day, as the daily job wrote
// them: the safety stock lines short of their minimum that morning.
type DailyRun struct {
	Day       string       `json:"day" format:"date"`
	Written   bool         `json:"written" doc:"Whether the day's suggestions were written (false: not yet, and no lines)"`
	CreatedAt *time.Time   `json:"created_at,omitempty" doc:"When they were written"`
	Lines     []Suggestion `json:"lines"`
}

// WriteDaily writes the tenant's suggestions of its day (today in its zone, on its clock) once:
// the first run of the day stores the lines that need something, later runs of the same day
// write nothing and report false. It runs tenant-wide (the system's scope).
func WriteDaily(ctx context.Context, tx *tenants.Tx) (bool, int, error) {
	day, err := today(ctx, tx)
	if err != nil {
		return false, 0, err
	}
	if _, err := tx.Q.GetSuggestionRun(ctx, tx, db.GetSuggestionRunParams{TenantID: tx.Scope.TenantID, Day: day}); err == nil {
		return false, 0, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, fmt.Errorf("suggestion run: %w", err)
	}
	lines, err := Suggest(ctx, tx, uuid.NullUUID{}, true)
	if err != nil {
		return false, 0, err
	}
	if _, err := tx.Q.StartSuggestionRun(ctx, tx, db.StartSuggestionRunParams{TenantID: tx.Scope.TenantID, Day: day,
		Lines: int32(len(lines))}); errors.Is(err, pgx.ErrNoRows) {
		return false, 0, nil // a concurrent run wrote the day
	} else if err != nil {
		return false, 0, fault.DBError(err, "", "")
	}
	if len(lines) == 0 {
		return true, 0, nil
	}
	var rows tenants.MultiInsert
	for _, s := range lines {
		if err := tx.Q.InsertSuggestionLine(ctx, &rows, db.InsertSuggestionLineParams{TenantID: tx.Scope.TenantID, Day: day,
			WarehouseID: s.WarehouseID, PartID: s.PartID, OutletID: nullID(s.OutletID), MinQty: s.MinQty, ReorderQty: s.ReorderQty,
			OnHand: s.OnHand, Reserved: s.Reserved, InTransit: s.InTransit, Incoming: s.Incoming, Suggested: s.Suggested}); err != nil {
			return false, 0, fmt.Errorf("queue suggestion line: %w", err)
		}
	}
	if _, err := rows.Send(ctx, tx); err != nil {
		return false, 0, fmt.Errorf("write suggestion lines: %w", err)
	}
	return true, len(lines), nil
}

// GetDaily reads the suggestions written for a day (zero: the tenant's today), those of one
// warehouse or all in scope.
func GetDaily(ctx context.Context, tx *tenants.Tx, day time.Time, warehouse uuid.NullUUID) (DailyRun, error) {
	if day.IsZero() {
		t, err := today(ctx, tx)
		if err != nil {
			return DailyRun{}, err
		}
		day = t
	}
	out := DailyRun{Day: day.Format(time.DateOnly), Lines: []Suggestion{}}
	run, err := tx.Q.GetSuggestionRun(ctx, tx, db.GetSuggestionRunParams{TenantID: tx.Scope.TenantID, Day: day})
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return DailyRun{}, fmt.Errorf("suggestion run: %w", err)
	}
	out.Written, out.CreatedAt = true, &run.CreatedAt
	rows, err := tx.Q.ListSuggestionLines(ctx, tx, db.ListSuggestionLinesParams{TenantID: tx.Scope.TenantID, Day: day, WarehouseID: warehouse})
	if err != nil {
		return DailyRun{}, fmt.Errorf("suggestion lines: %w", err)
	}
	for _, r := range rows {
		out.Lines = append(out.Lines, Suggestion{WarehouseID: r.WarehouseID, PartID: r.PartID, OutletID: ptrID(r.OutletID), MinQty: r.MinQty,
			ReorderQty: r.ReorderQty, OnHand: r.OnHand, Reserved: r.Reserved, Available: r.OnHand - r.Reserved, InTransit: r.InTransit,
			Incoming: r.Incoming, Suggested: r.Suggested})
	}
	return out, nil
}

// DailyEvery is how often the daily suggestions job looks at every tenant: each tenant's day
// (in its own zone, on its own clock) is written by the first run after it begins, so a day
// is written within this long of its start and never twice.
const DailyEvery = time.Hour

// DailyArgs writes every tenant's replenishment suggestions of its day.
type DailyArgs struct{}

// Kind names the job.
func (DailyArgs) Kind() string { return "stock_daily_suggestions" }

// DailyWorker runs DailyArgs.
type DailyWorker struct {
	river.WorkerDefaults[DailyArgs]
	DB  *tenants.DB
	Log *slog.Logger
}

// Work writes each tenant's day in turn; one tenant's failure does not stop the others.
func (w *DailyWorker) Work(ctx context.Context, _ *river.Job[DailyArgs]) error {
	var errs []error
	after := uuid.NullUUID{}
	for {
		list, err := w.DB.ListTenants(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, t := range list {
			err := w.DB.Tx(ctx, tenants.Scope{TenantID: t.ID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
				_, _, err := WriteDaily(ctx, tx)
				return err
			})
			if err != nil {
				w.Log.ErrorContext(ctx, "daily stock suggestions", "tenant", t.ID, "err", err)
				errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			}
		}
		if len(list) < 200 {
			return errors.Join(errs...)
		}
		after = uuid.NullUUID{UUID: list[len(list)-1].ID, Valid: true}
	}
}

// PeriodicJobs schedules the daily suggestions (see DailyEvery) and the overdue loaners'
// reminders (see LoanRemindEvery).
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(DailyEvery),
		func() (river.JobArgs, *river.InsertOpts) { return DailyArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(LoanRemindEvery),
			func() (river.JobArgs, *river.InsertOpts) { return LoanRemindArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}

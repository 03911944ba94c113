// Package reports is the dashboards' figures: a roll-up of each tenant's orders, SLA clocks
// and ledger into daily figures (report_days), and the reports read from them. A report reads
// days × breakdowns rows, a few thousand at most, whatever the tenant's size; the roll-up reads
// each day's rows once when the day is recent and never again once it is final.
package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// The metrics of report_days.
const (
	MetricOrdersIn       = "orders_in"        // orders created
	MetricRepeats        = "repeats"          // orders created that repeat an earlier repair
	MetricClosed         = "closed"           // orders closed
	MetricCompleted      = "completed"        // work completed, by coverage class (dim "class")
	MetricFirstTimeFixed = "first_time_fixed" // completed, fixed by the first visit (dim "class")
	MetricSLAMet         = "sla_met"          // clocks met, by dim target, tier and engineer
	MetricSLABreached    = "sla_breached"     // clocks breached, the same breakdowns
	MetricLedger         = "ledger"           // money by ledger kind (key), per currency (dim)
	MetricBacklog        = "backlog"          // open orders by status (key) and age (dim), a snapshot of the day
)

// chunk is how many days one transaction of a first roll-up reads.
const chunk = 31

// Rollup recomputes the scope's tenant's daily figures from the day after its last final day
// (at least yesterday; from when given, at most a year back; the first run: since the first
// order) through today, then snapshots the backlog. It runs in its own transactions, a month
// at a time, so a first roll-up of a large tenant holds no long transaction. The scope must
// see every outlet.
func Rollup(ctx context.Context, door *tenants.DB, scope tenants.Scope, from *time.Time) (Status, error) {
	var start, today time.Time
	var loc *time.Location
	if err := door.Tx(ctx, scope, func(tx *tenants.Tx) error {
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		if loc, err = tenants.Location(ctx, tx); err != nil {
			return err
		}
		today = dayOf(now, loc)
		start = today.AddDate(0, 0, -1)
		last, err := tx.Q.GetReportRollup(ctx, tx, scope.TenantID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			first, err := tx.Q.FirstOrderAt(ctx, tx, scope.TenantID)
			if err != nil {
				return fmt.Errorf("first order: %w", err)
			}
			if !first.IsZero() {
				start = earlier(start, dayOf(first, loc))
			}
		case err != nil:
			return fmt.Errorf("report roll-up: %w", err)
		default:
			start = earlier(start, last.RolledThrough)
		}
		if from != nil {
			if start = earlier(start, *from); start.Before(today.AddDate(-1, 0, 0)) {
				start = today.AddDate(-1, 0, 0)
			}
		}
		return nil
	}); err != nil {
		return Status{}, err
	}
	for day := start; !day.After(today); day = day.AddDate(0, 0, chunk) {
		last := earlier(day.AddDate(0, 0, chunk-1), today)
		if err := door.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return rollDays(ctx, tx, loc, day, last, last.Equal(today))
		}); err != nil {
			return Status{}, err
		}
	}
	return Status{RolledThrough: today.AddDate(0, 0, -1), From: start}, nil
}

// Status says which days a roll-up recomputed.
type Status struct {
	From          time.Time // the first day recomputed
	RolledThrough time.Time // the last final day (yesterday)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// dayOf is t's calendar day in loc, as a date at UTC midnight (how dates are stored).
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// rollDays replaces the figures of the days [first, last] (and the backlog snapshot when last
// is today) in one transaction.
func rollDays(ctx context.Context, tx *tenants.Tx, loc *time.Location, first, last time.Time, today bool) error {
	tid := tx.Scope.TenantID
	if err := tx.Q.LockReportRollup(ctx, tx, tid); err != nil {
		return fmt.Errorf("lock report roll-up: %w", err)
	}
	// The days' bounds in the tenant's time zone.
	fromAt := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	toAt := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	tz := loc.String()
	var rows tenants.MultiInsert
	add := func(metric string, day time.Time, outlet uuid.NullUUID, dim, key string, v int64) error {
		if v == 0 {
			return nil
		}
		return tx.Q.InsertReportDay(ctx, &rows, db.InsertReportDayParams{TenantID: tid, Metric: metric, Day: day,
			OutletKey: outlet.UUID, Dim: dim, Key: key, Value: v})
	}

	in, err := tx.Q.RollupOrdersIn(ctx, tx, db.RollupOrdersInParams{Tz: tz, TenantID: tid, FromAt: fromAt, ToAt: toAt})
	if err != nil {
		return fmt.Errorf("roll up orders in: %w", err)
	}
	for _, r := range in {
		if err := add(MetricOrdersIn, r.Day, r.OutletKey, "", "", r.OrdersIn); err != nil {
			return err
		}
		if err := add(MetricRepeats, r.Day, r.OutletKey, "", "", r.Repeats); err != nil {
			return err
		}
	}
	closed, err := tx.Q.RollupOrdersClosed(ctx, tx, db.RollupOrdersClosedParams{Tz: tz, TenantID: tid, FromAt: fromAt, ToAt: toAt})
	if err != nil {
		return fmt.Errorf("roll up closed orders: %w", err)
	}
	for _, r := range closed {
		if err := add(MetricClosed, r.Day, r.OutletKey, "", "", r.Closed); err != nil {
			return err
		}
	}
	done, err := tx.Q.RollupOrdersCompleted(ctx, tx, db.RollupOrdersCompletedParams{Tz: tz, TenantID: tid, FromAt: fromAt, ToAt: toAt})
	if err != nil {
		return fmt.Errorf("roll up completed work: %w", err)
	}
	for _, r := range done {
		if err := add(MetricCompleted, r.Day, r.OutletKey, "class", r.Class, r.Completed); err != nil {
			return err
		}
		if err := add(MetricFirstTimeFixed, r.Day, r.OutletKey, "class", r.Class, r.FirstTimeFixed); err != nil {
			return err
		}
	}
	clocks, err := tx.Q.RollupSLA(ctx, tx, db.RollupSLAParams{Tz: tz, TenantID: tid, FromAt: fromAt, ToAt: toAt})
	if err != nil {
		return fmt.Errorf("roll up sla clocks: %w", err)
	}
	if err := addSLA(clocks, add); err != nil {
		return err
	}
	money, err := tx.Q.RollupLedger(ctx, tx, db.RollupLedgerParams{Tz: tz, TenantID: tid, FromAt: fromAt, ToAt: toAt})
	if err != nil {
		return fmt.Errorf("roll up the ledger: %w", err)
	}
	for _, r := range money {
		if err := add(MetricLedger, r.Day, uuid.NullUUID{}, r.Currency, r.Kind, r.Amount); err != nil {
			return err
		}
	}
	if today {
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		open, err := tx.Q.RollupBacklog(ctx, tx, db.RollupBacklogParams{AsOf: now, TenantID: tid})
		if err != nil {
			return fmt.Errorf("roll up the backlog: %w", err)
		}
		for _, r := range open {
			if err := add(MetricBacklog, last, r.OutletKey, r.Age, r.Status, r.Open); err != nil {
				return err
			}
		}
	}

	if err := tx.Q.DeleteReportDays(ctx, tx, db.DeleteReportDaysParams{TenantID: tid, FromDay: first, ToDay: last, Snapshot: today}); err != nil {
		return fmt.Errorf("clear report days: %w", err)
	}
	if _, err := rows.Send(ctx, tx); err != nil {
		return fmt.Errorf("write report days: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	// The days before last are final once last is today; a partial first roll-up marks how far it got.
	through := last
	if today {
		through = last.AddDate(0, 0, -1)
	}
	if err := tx.Q.SetReportRollup(ctx, tx, db.SetReportRollupParams{TenantID: tid, RolledThrough: through, RolledAt: now}); err != nil {
		return fmt.Errorf("mark report roll-up: %w", err)
	}
	return nil
}

// addSLA adds the clocks' outcomes under each breakdown the reports offer: target, tier and
// engineer (the outlet is every figure's own).
func addSLA(clocks []db.RollupSLARow, add func(metric string, day time.Time, outlet uuid.NullUUID, dim, key string, v int64) error) error {
	type cell struct {
		day    time.Time
		outlet uuid.UUID
		dim    string
		key    string
		metric string
	}
	sums := map[cell]int64{}
	for _, r := range clocks {
		for _, b := range [][2]string{{"target", r.Target}, {"tier", r.TierCode}, {"engineer", r.Engineer}} {
			sums[cell{r.Day, r.OutletKey.UUID, b[0], b[1], MetricSLAMet}] += r.Met
			sums[cell{r.Day, r.OutletKey.UUID, b[0], b[1], MetricSLABreached}] += r.Breached
		}
	}
	for c, v := range sums {
		if err := add(c.metric, c.day, uuid.NullUUID{UUID: c.outlet, Valid: true}, c.dim, c.key, v); err != nil {
			return err
		}
	}
	return nil
}

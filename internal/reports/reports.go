package reports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Range is the days a report covers, in the tenant's calendar, both inclusive, and an outlet
// to narrow to (an outlet's people see only their outlet's figures anyway).
type Range struct {
	From, To time.Time // dates at UTC midnight
	Outlet   uuid.NullUUID
}

// MaxDays is the longest range a report covers.
const MaxDays = 366

// Check refuses a range that ends before it starts or spans more than MaxDays.
func (r Range) Check() error {
	if r.To.Before(r.From) {
		return fault.Invalid("query.to", "must not be before from")
	}
	if r.To.Sub(r.From) >= MaxDays*24*time.Hour {
		return fault.Invalid("query.to", "the range is at most a year")
	}
	return nil
}

// days lists the range's days, formatted.
func (r Range) days() []string {
	var out []string
	for d := r.From; !d.After(r.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// OrdersDay is one day's flow of orders.
type OrdersDay struct {
	Day            string `json:"day" doc:"The tenant's calendar day (YYYY-MM-DD); empty in totals"`
	In             int64  `json:"in" doc:"Orders created"`
	Closed         int64  `json:"closed" doc:"Orders closed"`
	Completed      int64  `json:"completed" doc:"Work completed"`
	FirstTimeFixed int64  `json:"first_time_fixed" doc:"Completed work the first visit fixed: never reopened, never waited for parts"`
	Repeats        int64  `json:"repeats" doc:"Orders created that repeat an earlier repair of the unit"`
}

// Share is one part of a whole: its count and percent of the whole (two decimals).
type Share struct {
	Key     string  `json:"key"`
	Count   int64   `json:"count"`
	Percent float64 `json:"percent"`
}

// OrdersReport is the flow of orders over a range: per day, the totals, the first-time-fix
// and repeat-repair rates, and the mix of completed work by coverage class (warranty,
// charged, ...).
type OrdersReport struct {
	Days             []OrdersDay `json:"days"`
	Totals           OrdersDay   `json:"totals"`
	FirstTimeFixRate float64     `json:"first_time_fix_rate" doc:"Percent of completed work fixed the first time"`
	RepeatRate       float64     `json:"repeat_rate" doc:"Percent of orders in that repeat an earlier repair"`
	Mix              []Share     `json:"mix" doc:"Completed work by coverage class"`
	AsOf             *time.Time  `json:"as_of" doc:"When the figures were last rolled up; null before the first roll-up"`
}

// percent is part of whole, in percent with two decimals.
func percent(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part*10000/whole) / 100
}

// series reads one metric per day and breakdown.
func series(ctx context.Context, tx *tenants.Tx, metric string, r Range) ([]db.ReportSeriesRow, error) {
	rows, err := tx.Q.ReportSeries(ctx, tx, db.ReportSeriesParams{TenantID: tx.Scope.TenantID, Metric: metric,
		FromDay: r.From, ToDay: r.To, OutletKey: r.Outlet})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", metric, err)
	}
	return rows, nil
}

// asOf is when the tenant's figures were last rolled up.
func asOf(ctx context.Context, tx *tenants.Tx) (*time.Time, error) {
	st, err := tx.Q.GetReportRollup(ctx, tx, tx.Scope.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report roll-up: %w", err)
	}
	return &st.RolledAt, nil
}

// Orders reports the flow of orders over r.
func Orders(ctx context.Context, tx *tenants.Tx, r Range) (OrdersReport, error) {
	if err := r.Check(); err != nil {
		return OrdersReport{}, err
	}
	days := r.days()
	out := OrdersReport{Days: make([]OrdersDay, len(days)), Mix: []Share{}}
	at := map[string]*OrdersDay{}
	for i, d := range days {
		out.Days[i].Day = d
		at[d] = &out.Days[i]
	}
	mix := map[string]int64{}
	for _, m := range []struct {
		metric string
		field  func(*OrdersDay) *int64
	}{
		{MetricOrdersIn, func(d *OrdersDay) *int64 { return &d.In }},
		{MetricClosed, func(d *OrdersDay) *int64 { return &d.Closed }},
		{MetricCompleted, func(d *OrdersDay) *int64 { return &d.Completed }},
		{MetricFirstTimeFixed, func(d *OrdersDay) *int64 { return &d.FirstTimeFixed }},
		{MetricRepeats, func(d *OrdersDay) *int64 { return &d.Repeats }},
	} {
		rows, err := series(ctx, tx, m.metric, r)
		if err != nil {
			return OrdersReport{}, err
		}
		for _, row := range rows {
			if d := at[row.Day.Format(time.DateOnly)]; d != nil {
				*m.field(d) += row.Value
				*m.field(&out.Totals) += row.Value
			}
			if m.metric == MetricCompleted {
				mix[row.Key] += row.Value
			}
		}
	}
	for k, n := range mix {
		out.Mix = append(out.Mix, Share{Key: k, Count: n, Percent: percent(n, out.Totals.Completed)})
	}
	slices.SortFunc(out.Mix, func(a, b Share) int { return int(b.Count - a.Count) })
	out.FirstTimeFixRate = percent(out.Totals.FirstTimeFixed, out.Totals.Completed)
	out.RepeatRate = percent(out.Totals.Repeats, out.Totals.In)
	var err error
	out.AsOf, err = asOf(ctx, tx)
	return out, err
}

// SLABy are the breakdowns of the SLA report.
var SLABy = []string{"target", "outlet", "engineer", "tier"}

// Attainment is the outcome of the clocks of one group over the range.
type Attainment struct {
	Key      string  `json:"key" doc:"Target, outlet id, engineer id or tier code; empty when unset"`
	Met      int64   `json:"met"`
	Breached int64   `json:"breached"`
	Percent  float64 `json:"percent" doc:"Met on time, percent of the clocks that ended"`
}

// SLADay is one day's clock outcomes, all targets together.
type SLADay struct {
	Day      string `json:"day"`
	Met      int64  `json:"met"`
	Breached int64  `json:"breached"`
}

// SLAReport is SLA attainment over a range: per group of the breakdown, and per day.
type SLAReport struct {
	By    string       `json:"by"`
	Items []Attainment `json:"items"`
	Days  []SLADay     `json:"days"`
	AsOf  *time.Time   `json:"as_of"`
}

// SLA reports the clocks that ended over r, grouped by by (one of SLABy).
func SLA(ctx context.Context, tx *tenants.Tx, r Range, by string) (SLAReport, error) {
	if !slices.Contains(SLABy, by) {
		return SLAReport{}, fault.Invalid("query.by", "must be one of target, outlet, engineer, tier")
	}
	if err := r.Check(); err != nil {
		return SLAReport{}, err
	}
	dim := by
	if by == "outlet" {
		dim = "target" // every clock once; the outlet is each figure's own
	}
	groups := map[string]*Attainment{}
	var keys []string
	for _, metric := range []string{MetricSLAMet, MetricSLABreached} {
		rows, err := tx.Q.ReportTotals(ctx, tx, db.ReportTotalsParams{ByOutlet: by == "outlet", TenantID: tx.Scope.TenantID,
			Metric: metric, FromDay: r.From, ToDay: r.To, OutletKey: r.Outlet})
		if err != nil {
			return SLAReport{}, fmt.Errorf("report %s: %w", metric, err)
		}
		for _, row := range rows {
			if row.Dim != dim {
				continue
			}
			key := row.Key
			if by == "outlet" {
				if key = row.Outlet; key == uuid.Nil.String() {
					key = ""
				}
			}
			g := groups[key]
			if g == nil {
				g = &Attainment{Key: key}
				groups[key] = g
				keys = append(keys, key)
			}
			if metric == MetricSLAMet {
				g.Met += row.Value
			} else {
				g.Breached += row.Value
			}
		}
	}
	slices.Sort(keys)
	out := SLAReport{By: by, Items: make([]Attainment, 0, len(keys))}
	for _, k := range keys {
		g := groups[k]
		g.Percent = percent(g.Met, g.Met+g.Breached)
		out.Items = append(out.Items, *g)
	}
	days := r.days()
	out.Days = make([]SLADay, len(days))
	at := map[string]*SLADay{}
	for i, d := range days {
		out.Days[i].Day = d
		at[d] = &out.Days[i]
	}
	for _, metric := range []string{MetricSLAMet, MetricSLABreached} {
		rows, err := series(ctx, tx, metric, r)
		if err != nil {
			return SLAReport{}, err
		}
		for _, row := range rows {
			d := at[row.Day.Format(time.DateOnly)]
			if d == nil || row.Dim != "target" {
				continue
			}
			if metric == MetricSLAMet {
				d.Met += row.Value
			} else {
				d.Breached += row.Value
			}
		}
	}
	var err error
	out.AsOf, err = asOf(ctx, tx)
	return out, err
}

// BacklogAges are the age bands of open orders, youngest first.
var BacklogAges = []string{"0-1d", "1-3d", "3-7d", "7d+"}

// BacklogCell is how many open orders have one status and are of one age band.
type BacklogCell struct {
	Status string `json:"status"`
	Age    string `json:"age" enum:"0-1d,1-3d,3-7d,7d+"`
	Count  int64  `json:"count"`
}

// BacklogReport is the open orders by status and age, as of the last roll-up.
type BacklogReport struct {
	Items []BacklogCell `json:"items"`
	Total int64         `json:"total"`
	AsOf  *time.Time    `json:"as_of"`
}

// Backlog reports the open orders by status and age as of the last roll-up today.
func Backlog(ctx context.Context, tx *tenants.Tx, outlet uuid.NullUUID) (BacklogReport, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return BacklogReport{}, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return BacklogReport{}, err
	}
	today := dayOf(now, loc)
	rows, err := series(ctx, tx, MetricBacklog, Range{From: today, To: today, Outlet: outlet})
	if err != nil {
		return BacklogReport{}, err
	}
	out := BacklogReport{Items: make([]BacklogCell, 0, len(rows))}
	for _, row := range rows {
		out.Items = append(out.Items, BacklogCell{Status: row.Key, Age: row.Dim, Count: row.Value})
		out.Total += row.Value
	}
	slices.SortFunc(out.Items, func(a, b BacklogCell) int {
		if a.Status != b.Status {
			if a.Status < b.Status {
				return -1
			}
			return 1
		}
		return slices.Index(BacklogAges, a.Age) - slices.Index(BacklogAges, b.Age)
	})
	out.AsOf, err = asOf(ctx, tx)
	return out, err
}

// MoneyDay is one day's money of one currency by ledger kind (signed minor units: + to the
// tenant, - from it).
type MoneyDay struct {
	Day      string           `json:"day"`
	Currency string           `json:"currency"`
	Kinds    map[string]int64 `json:"kinds" doc:"Signed minor units per ledger kind: payment, refund, compensation, ..."`
}

// MoneyReport is the ledger over a range per day and currency, and its totals per currency
// and kind.
type MoneyReport struct {
	Days   []MoneyDay                  `json:"days"`
	Totals map[string]map[string]int64 `json:"totals" doc:"Per currency, signed minor units per ledger kind"`
	AsOf   *time.Time                  `json:"as_of"`
}

// Money reports the ledger over r: express-service revenue (payments less refunds),
// compensation paid, and the rest of the ledger's kinds.
func Money(ctx context.Context, tx *tenants.Tx, r Range) (MoneyReport, error) {
	if err := r.Check(); err != nil {
		return MoneyReport{}, err
	}
	r.Outlet = uuid.NullUUID{} // money is the tenant's, not an outlet's
	rows, err := series(ctx, tx, MetricLedger, r)
	if err != nil {
		return MoneyReport{}, err
	}
	out := MoneyReport{Days: []MoneyDay{}, Totals: map[string]map[string]int64{}}
	for _, row := range rows {
		day := row.Day.Format(time.DateOnly)
		if n := len(out.Days); n == 0 || out.Days[n-1].Day != day || out.Days[n-1].Currency != row.Dim {
			out.Days = append(out.Days, MoneyDay{Day: day, Currency: row.Dim, Kinds: map[string]int64{}})
		}
		out.Days[len(out.Days)-1].Kinds[row.Key] += row.Value
		if out.Totals[row.Dim] == nil {
			out.Totals[row.Dim] = map[string]int64{}
		}
		out.Totals[row.Dim][row.Key] += row.Value
	}
	out.AsOf, err = asOf(ctx, tx)
	return out, err
}

package callbacks

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// Overall is the dimension name of the overall score in the report.
const Overall = "overall"

// Score is an average of answers: how many and their mean on 1-5.
type Score struct {
	Answers int     `json:"answers"`
	Score   float64 `json:"score" doc:"Mean on 1-5, 2 decimals"`
}

// ReportGroup is one outlet's or engineer's satisfaction: overall and by dimension.
type ReportGroup struct {
	ID          *uuid.UUID       `json:"id,omitempty" doc:"The outlet or engineer; absent: orders without one"`
	Name        string           `json:"name"`
	Overall     Score            `json:"overall"`
	ByDimension map[string]Score `json:"by_dimension"`
}

// TrendPoint is one day's overall score.
type TrendPoint struct {
	Day string `json:"day" format:"date"`
	Score
}

// Report is the satisfaction report of a period: by dimension, outlet and engineer, with
// the daily trend of the overall score.
type Report struct {
	From        string           `json:"from" format:"date"`
	To          string           `json:"to" format:"date" doc:"Last day included"`
	Overall     Score            `json:"overall"`
	ByDimension map[string]Score `json:"by_dimension"`
	Outlets     []ReportGroup    `json:"outlets"`
	Engineers   []ReportGroup    `json:"engineers"`
	Trend       []TrendPoint     `json:"trend"`
	Rows        []ReportRow      `json:"-"`
}

// ReportRow is one day, outlet, engineer and dimension of the report (the export's rows).
type ReportRow struct {
	Day          string
	OutletName   string
	EngineerName string
	Dimension    string
	Score
}

// acc sums weighted means.
type acc struct {
	n   int
	sum float64
}

func (a *acc) add(n int, mean float64) { a.n += n; a.sum += mean * float64(n) }
func (a acc) score() Score {
	if a.n == 0 {
		return Score{}
	}
	return Score{Answers: a.n, Score: math.Round(a.sum/float64(a.n)*100) / 100}
}

// Satisfaction reads the report of the days from..to (the tenant's calendar days, both
// included), optionally of one outlet. Outlet staff see their outlet's (row-level security).
func Satisfaction(ctx context.Context, tx *tenants.Tx, from, to time.Time, outlet uuid.NullUUID) (Report, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return Report{}, err
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	rows, err := tx.Q.SatisfactionByDay(ctx, tx, db.SatisfactionByDayParams{TenantID: tx.Scope.TenantID, Tz: loc.String(),
		FromAt: start, ToAt: end, OutletID: outlet})
	if err != nil {
		return Report{}, fmt.Errorf("satisfaction: %w", err)
	}
	rep := Report{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), ByDimension: map[string]Score{},
		Outlets: []ReportGroup{}, Engineers: []ReportGroup{}, Trend: []TrendPoint{}}
	type group struct {
		id   uuid.NullUUID
		name string
		dims map[string]*acc
	}
	dims := map[string]*acc{}
	outlets, engineers := map[uuid.NullUUID]*group{}, map[uuid.NullUUID]*group{}
	days := map[string]*acc{}
	into := func(m map[uuid.NullUUID]*group, id uuid.NullUUID, name, dim string, n int, mean float64) {
		g := m[id]
		if g == nil {
			g = &group{id: id, name: name, dims: map[string]*acc{}}
			m[id] = g
		}
		if g.dims[dim] == nil {
			g.dims[dim] = &acc{}
		}
		g.dims[dim].add(n, mean)
	}
	for _, r := range rows {
		n := int(r.Answers)
		day := r.Day.Format(time.DateOnly)
		rep.Rows = append(rep.Rows, ReportRow{Day: day, OutletName: r.OutletName, EngineerName: r.EngineerName, Dimension: r.Dimension,
			Score: Score{Answers: n, Score: math.Round(r.Score*100) / 100}})
		if dims[r.Dimension] == nil {
			dims[r.Dimension] = &acc{}
		}
		dims[r.Dimension].add(n, r.Score)
		into(outlets, r.OutletID, r.OutletName, r.Dimension, n, r.Score)
		into(engineers, r.EngineerID, r.EngineerName, r.Dimension, n, r.Score)
		if r.Dimension == Overall {
			if days[day] == nil {
				days[day] = &acc{}
			}
			days[day].add(n, r.Score)
		}
	}
	for d, a := range dims {
		if d == Overall {
			rep.Overall = a.score()
			continue
		}
		rep.ByDimension[d] = a.score()
	}
	out := func(m map[uuid.NullUUID]*group) []ReportGroup {
		list := make([]ReportGroup, 0, len(m))
		for _, g := range m {
			rg := ReportGroup{ID: ptr(g.id), Name: g.name, ByDimension: map[string]Score{}}
			for d, a := range g.dims {
				if d == Overall {
					rg.Overall = a.score()
				} else {
					rg.ByDimension[d] = a.score()
				}
			}
			list = append(list, rg)
		}
		// Lowest first: what needs attention leads.
		sort.Slice(list, func(i, j int) bool {
			if list[i].Overall.Score != list[j].Overall.Score {
				return list[i].Overall.Score < list[j].Overall.Score
			}
			return list[i].Name < list[j].Name
		})
		return list
	}
	rep.Outlets, rep.Engineers = out(outlets), out(engineers)
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		p := TrendPoint{Day: key}
		if a := days[key]; a != nil {
			p.Score = a.score()
		}
		rep.Trend = append(rep.Trend, p)
	}
	return rep, nil
}

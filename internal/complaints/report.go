package complaints

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// ComplaintReportGroup is one line of the complaint report: the complaints of a group (an outlet, a
// topic, a severity, or all), their rate per 1000 orders, and the time to close those closed.
type ComplaintReportGroup struct {
	Key         string     `json:"key" doc:"The outlet's id (empty: no outlet), the topic or the severity; all for the total"`
	Name        string     `json:"name,omitempty" doc:"The outlet's name"`
	OutletID    *uuid.UUID `json:"outlet_id,omitempty"`
	Complaints  int        `json:"complaints"`
	Orders      int64      `json:"orders" doc:"Service orders created in the days (of the outlet; of the tenant for topics, severities and the total)"`
	Rate        float64    `json:"rate" doc:"Complaints per 1000 orders, two decimals; 0 without orders"`
	Closed      int        `json:"closed" doc:"Closed by the customer's confirmation or an override"`
	AvgHours    float64    `json:"avg_close_hours" doc:"Mean hours from opening to closing of those closed, one decimal"`
	MedianHours float64    `json:"median_close_hours" doc:"Median hours from opening to closing of those closed, one decimal"`
}

// ComplaintReportBody is the complaint report of a range of days.
type ComplaintReportBody struct {
	From       string                 `json:"from"`
	To         string                 `json:"to"`
	Total      ComplaintReportGroup   `json:"total"`
	ByOutlet   []ComplaintReportGroup `json:"by_outlet"`
	ByTopic    []ComplaintReportGroup `json:"by_topic"`
	BySeverity []ComplaintReportGroup `json:"by_severity"`
}

type reportAcc struct {
	g     ComplaintReportGroup
	hours []float64
}

func (a *reportAcc) add(hours float64) {
	a.g.Complaints++
	if hours >= 0 {
		a.g.Closed++
		a.hours = append(a.hours, hours)
	}
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func (a *reportAcc) done(orders int64) ComplaintReportGroup {
	g := a.g
	g.Orders = orders
	if orders > 0 {
		g.Rate = round(float64(g.Complaints)*1000/float64(orders), 2)
	}
	if n := len(a.hours); n > 0 {
		slices.Sort(a.hours)
		sum := 0.0
		for _, h := range a.hours {
			sum += h
		}
		g.AvgHours = round(sum/float64(n), 1)
		if n%2 == 1 {
			g.MedianHours = round(a.hours[n/2], 1)
		} else {
			g.MedianHours = round((a.hours[n/2-1]+a.hours[n/2])/2, 1)
		}
	}
	return g
}

// ComplaintReport counts the complaints opened in the days from..to (the tenant's calendar
// days, to included) that the scope sees, by outlet, topic and severity, per 1000 service
// orders created in the same days, with the time to close. Merged complaints do not count
// (their case goes on in the one they were merged into).
func ComplaintReport(ctx context.Context, tx *tenants.Tx, from, to time.Time) (ComplaintReportBody, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return ComplaintReportBody{}, err
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	rows, err := tx.Q.ComplaintReportRows(ctx, tx, db.ComplaintReportRowsParams{TenantID: tx.Scope.TenantID, FromAt: start, ToAt: end})
	if err != nil {
		return ComplaintReportBody{}, fmt.Errorf("complaint report: %w", err)
	}
	orders, err := tx.Q.OrdersByOutletIn(ctx, tx, db.OrdersByOutletInParams{TenantID: tx.Scope.TenantID, FromAt: start, ToAt: end})
	if err != nil {
		return ComplaintReportBody{}, fmt.Errorf("complaint report orders: %w", err)
	}
	perOutlet := map[uuid.NullUUID]int64{}
	var allOrders int64
	for _, o := range orders {
		perOutlet[o.OutletID] = o.Orders
		allOrders += o.Orders
	}
	total := &reportAcc{g: ComplaintReportGroup{Key: "all"}}
	outlets, topics, severities := map[uuid.NullUUID]*reportAcc{}, map[string]*reportAcc{}, map[string]*reportAcc{}
	for _, r := range rows {
		total.add(r.CloseHours)
		o := outlets[r.OutletID]
		if o == nil {
			o = &reportAcc{g: ComplaintReportGroup{Name: r.OutletName, OutletID: idPtr(r.OutletID)}}
			if r.OutletID.Valid {
				o.g.Key = r.OutletID.UUID.String()
			}
			outlets[r.OutletID] = o
		}
		o.add(r.CloseHours)
		for _, m := range []struct {
			in  map[string]*reportAcc
			key string
		}{{topics, r.Topic}, {severities, r.Severity}} {
			a := m.in[m.key]
			if a == nil {
				a = &reportAcc{g: ComplaintReportGroup{Key: m.key}}
				m.in[m.key] = a
			}
			a.add(r.CloseHours)
		}
	}
	rep := ComplaintReportBody{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Total: total.done(allOrders),
		ByOutlet: []ComplaintReportGroup{}, ByTopic: []ComplaintReportGroup{}, BySeverity: []ComplaintReportGroup{}}
	for id, a := range outlets {
		rep.ByOutlet = append(rep.ByOutlet, a.done(perOutlet[id]))
	}
	sort.Slice(rep.ByOutlet, func(i, j int) bool {
		a, b := rep.ByOutlet[i], rep.ByOutlet[j]
		if a.Rate != b.Rate {
			return a.Rate > b.Rate
		}
		return a.Name < b.Name
	})
	for _, k := range Topics {
		if a := topics[k]; a != nil {
			rep.ByTopic = append(rep.ByTopic, a.done(allOrders))
		}
	}
	for _, k := range Severities {
		if a := severities[k]; a != nil {
			rep.BySeverity = append(rep.BySeverity, a.done(allOrders))
		}
	}
	return rep, nil
}

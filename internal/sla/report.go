package sla

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// GroupBys are the groupings of the attainment report.
var GroupBys = []string{"outlet", "engineer", "tier", "order_type", "target"}

// AttainmentRow is the outcome of the clocks of one group: met on time, breached, and the
// share met (0 to 100, two decimals).
type AttainmentRow struct {
	Key      string  `json:"key" doc:"Outlet or engineer id, tier code, order type or target; empty when unset"`
	Met      int64   `json:"met"`
	Breached int64   `json:"breached"`
	Total    int64   `json:"total"`
	Percent  float64 `json:"percent" doc:"Met on time, percent of total"`
}

// Attainment reports the clocks that ended (met or breached) in [from, to), grouped by
// groupBy, optionally for one target. Running, paused and cancelled clocks do not count.
func Attainment(ctx context.Context, tx *tenants.Tx, groupBy string, from, to time.Time, target string) ([]AttainmentRow, error) {
	if !slices.Contains(GroupBys, groupBy) {
		return nil, fault.Invalid("group_by", "must be one of outlet, engineer, tier, order_type, target")
	}
	if !to.After(from) {
		return nil, fault.Invalid("to", "must be after from")
	}
	var tp *string
	if target != "" {
		tp = &target
	}
	rows, err := tx.Q.SLAAttainment(ctx, tx, db.SLAAttainmentParams{GroupBy: groupBy, TenantID: tx.Scope.TenantID,
		FromAt: from, ToAt: to, Target: tp})
	if err != nil {
		return nil, fmt.Errorf("sla attainment: %w", err)
	}
	out := make([]AttainmentRow, len(rows))
	for i, r := range rows {
		out[i] = AttainmentRow{Key: r.Key, Met: r.Met, Breached: r.Breached, Total: r.Total}
		if r.Total > 0 {
			out[i].Percent = float64(r.Met*10000/r.Total) / 100
		}
	}
	return out, nil
}

package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// PaidPromises returns, per order, the paid promises that make it serve first, as the
// reasons dispatch shows: "paid express promise: <product>" for an active per-incident
// upgrade of the order, "paid plan: <product>" for an active plan of its unit valid on day
// (the tenant's today). Orders without any are absent. Someone paid for speed, so dispatch
// ranks these orders first and picks outlets and engineers that can be there soonest.
func PaidPromises(ctx context.Context, tx *tenants.Tx, orderIDs []uuid.UUID, day time.Time) (map[uuid.UUID][]string, error) {
	out := map[uuid.UUID][]string{}
	if len(orderIDs) == 0 {
		return out, nil
	}
	rows, err := tx.Q.PaidPromisesForOrders(ctx, tx, db.PaidPromisesForOrdersParams{TenantID: tx.Scope.TenantID,
		OnDate: day, OrderIds: orderIDs})
	if err != nil {
		return nil, fmt.Errorf("paid promises of orders: %w", err)
	}
	for _, r := range rows {
		out[r.OrderID] = append(out[r.OrderID], PromiseReason(r.Kind, r.ProductName))
	}
	return out, nil
}

// PromiseReason is the reason a paid promise gives in dispatch rankings.
func PromiseReason(kind, productName string) string {
	if kind == "plan" {
		return "paid plan: " + productName
	}
	return "paid express promise: " + productName
}

package orders

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// view makes orders what the scope may see. For staff without contacts:unmasked
// (tenants.Scope.MaskContacts) the street address of the service location is masked, except
// on the open orders the scope's user works: an engineer needs the address of their own
// visit, and nobody without the permission needs anyone else's. Region codes stay: dispatch
// and reports use them. Every function that returns orders to a caller passes them through
// view; the product's own logic reads them in full.
func view(ctx context.Context, q db.DBTX, orders []Order) error {
	scope := tenants.ScopeOf(q)
	if !scope.MaskContacts || len(orders) == 0 {
		return nil
	}
	worked := map[uuid.UUID]bool{}
	if scope.UserID != uuid.Nil {
		ids := make([]uuid.UUID, 0, len(orders))
		for _, o := range orders {
			if o.Location.Address != "" && IsOpen(o.Status) {
				ids = append(ids, o.ID)
			}
		}
		if len(ids) > 0 {
			mine, err := db.New().OrdersWorkedBy(ctx, q, db.OrdersWorkedByParams{TenantID: scope.TenantID, UserID: scope.UserID, OrderIds: ids})
			if err != nil {
				return fmt.Errorf("orders worked by the user: %w", err)
			}
			for _, id := range mine {
				worked[id] = true
			}
		}
	}
	for i := range orders {
		if !worked[orders[i].ID] {
			orders[i].Location.Address = access.MaskAddress(orders[i].Location.Address)
		}
	}
	return nil
}

// viewOne is view for one order.
func viewOne(ctx context.Context, tx *tenants.Tx, o Order) (Order, error) {
	one := []Order{o}
	err := view(ctx, tx, one)
	return one[0], err
}

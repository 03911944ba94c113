package stock

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// Suggestion is one warehouse's safety stock of a part beside what it has and expects, and
// what to ask for: below the minimum (counting what is on its way), the reorder quantity or
// the shortfall, whichever is more.
type Suggestion struct {
	WarehouseID uuid.UUID  `json:"warehouse_id"`
	PartID      uuid.UUID  `json:"part_id"`
	OutletID    *uuid.UUID `json:"outlet_id,omitempty"`
	MinQty      int32      `json:"min_qty"`
	ReorderQty  int32      `json:"reorder_qty"`
	OnHand      int32      `json:"on_hand"`
	Reserved    int32      `json:"reserved"`
	Available   int32      `json:"available" doc:"On hand less reserved"`
	InTransit   int32      `json:"in_transit" doc:"Shipped to the warehouse, not received yet"`
	Incoming    int32      `json:"incoming" doc:"Asked for (requests pending or approved, not shipped)"`
	Suggested   int32      `json:"suggested" doc:"What to order or transfer; 0: enough"`
}

// Suggest lists the safety stock of one warehouse or all, each line with its suggestion;
// short only keeps the lines that need something.
func Suggest(ctx context.Context, tx *tenants.Tx, warehouse uuid.NullUUID, short bool) ([]Suggestion, error) {
	rows, err := tx.Q.ListSuggestions(ctx, tx, db.ListSuggestionsParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouse})
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	out := make([]Suggestion, 0, len(rows))
	for _, r := range rows {
		s := Suggestion{WarehouseID: r.WarehouseID, PartID: r.PartID, OutletID: ptrID(r.OutletID), MinQty: r.MinQty, ReorderQty: r.ReorderQty,
			OnHand: r.OnHand, Reserved: r.Reserved, Available: r.OnHand - r.Reserved, InTransit: r.InTransit, Incoming: r.Incoming}
		if expected := s.Available + s.InTransit + s.Incoming; expected < s.MinQty {
			s.Suggested = max(s.ReorderQty, s.MinQty-expected)
		}
		if short && s.Suggested == 0 {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// Balance is the stock of one part in one warehouse.
type Balance struct {
	WarehouseID   uuid.UUID  `json:"warehouse_id"`
	WarehouseCode string     `json:"warehouse_code"`
	WarehouseName string     `json:"warehouse_name"`
	Owner         string     `json:"owner" doc:"Whose goods: only own stock has a value"`
	OutletID      *uuid.UUID `json:"outlet_id,omitempty"`
	PartID        uuid.UUID  `json:"part_id"`
	PartNo        string     `json:"part_no"`
	NameZh        string     `json:"name_zh"`
	NameEn        string     `json:"name_en,omitempty"`
	OnHand        int32      `json:"on_hand"`
	Reserved      int32      `json:"reserved" doc:"Held for orders by open reservations"`
	Available     int32      `json:"available" doc:"On hand less reserved"`
	UnitCost      int64      `json:"unit_cost"`
	Value         int64      `json:"value" doc:"On hand at unit cost, minor units; 0 for stock that is not the tenant's own"`
	Currency      string     `json:"currency"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// BalanceFilter narrows the stock list.
type BalanceFilter struct {
	WarehouseID uuid.NullUUID
	PartID      uuid.NullUUID
	NonZero     bool
	// After is the last row of the previous page.
	AfterWarehouse, AfterPart uuid.NullUUID
	Limit                     int32
}

// ListBalances lists stock on hand in scope, by warehouse and part.
func ListBalances(ctx context.Context, tx *tenants.Tx, f BalanceFilter) ([]Balance, error) {
	tx.PlanForValues()
	rows, err := tx.Q.ListBalances(ctx, tx, db.ListBalancesParams{TenantID: tx.Scope.TenantID, WarehouseID: f.WarehouseID, PartID: f.PartID,
		Nonzero: f.NonZero, AfterWarehouse: f.AfterWarehouse, AfterPart: f.AfterPart, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	out := make([]Balance, len(rows))
	for i, r := range rows {
		out[i] = Balance{WarehouseID: r.WarehouseID, WarehouseCode: r.WarehouseCode, WarehouseName: r.WarehouseName, Owner: r.Owner,
			OutletID: ptr(r.OutletID), PartID: r.PartID, PartNo: r.PartNo, NameZh: r.NameZh, NameEn: r.NameEn, OnHand: r.OnHand,
			Reserved: r.Reserved, Available: r.OnHand - r.Reserved, UnitCost: r.UnitCost, Value: r.Value, Currency: r.Currency,
			UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// Drifted is a balance that disagreed with the journal and the open reservations.
type Drifted struct {
	WarehouseID    uuid.UUID `json:"warehouse_id"`
	PartID         uuid.UUID `json:"part_id"`
	StoredOnHand   int32     `json:"stored_on_hand"`
	StoredReserved int32     `json:"stored_reserved"`
	OnHand         int32     `json:"on_hand" doc:"What the journal sums to"`
	Reserved       int32     `json:"reserved" doc:"What the open reservations hold"`
}

// Drift recomputes every balance in scope from the journal (on hand) and the open
// reservations (reserved) and lists those that differ; with repair, it sets them to the
// recomputed values (in the caller's transaction, audited). Balances are never edited
// otherwise, so drift means a bug or a hand edit of the database: the journal wins.
func Drift(ctx context.Context, tx *tenants.Tx, repair bool) ([]Drifted, error) {
	rows, err := tx.Q.DriftedBalances(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("drifted balances: %w", err)
	}
	out := make([]Drifted, len(rows))
	for i, r := range rows {
		out[i] = Drifted{WarehouseID: r.WarehouseID, PartID: r.PartID, StoredOnHand: r.StoredOnHand, StoredReserved: r.StoredReserved,
			OnHand: r.JournalOnHand, Reserved: r.OpenReserved}
		if !repair {
			continue
		}
		w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: r.WarehouseID})
		if err != nil {
			return nil, fmt.Errorf("warehouse of a drifted balance: %w", err)
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return nil, err
		}
		if err := tx.Q.SetBalance(ctx, tx, db.SetBalanceParams{TenantID: tx.Scope.TenantID, WarehouseID: r.WarehouseID, PartID: r.PartID,
			OutletID: w.OutletID, OnHand: r.JournalOnHand, Reserved: r.OpenReserved, UpdatedAt: now}); err != nil {
			return nil, fmt.Errorf("repair balance: %w", err)
		}
	}
	if repair && len(out) > 0 {
		if err := tx.Audit(ctx, "stock.repair", "stock_balance", uuid.Nil, nil, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package stock

// Stock reports: on hand by warehouse with its value, movements by type, slow movers and
// parts used per fault code and model. Each reads tables row-level security confines to the
// caller's outlet (balances, the journal, order parts), so outlet staff see their outlet's
// stock only, with no filter of the caller's.

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// WarehouseStock is one warehouse's stock in one currency.
type WarehouseStock struct {
	WarehouseID   uuid.UUID  `json:"warehouse_id"`
	WarehouseCode string     `json:"warehouse_code"`
	WarehouseName string     `json:"warehouse_name"`
	Kind          string     `json:"kind"`
	Owner         string     `json:"owner" doc:"Whose goods: only own stock has a value"`
	OutletID      *uuid.UUID `json:"outlet_id,omitempty"`
	Currency      string     `json:"currency"`
	Parts         int32      `json:"parts" doc:"Parts with stock on hand"`
	OnHand        int64      `json:"on_hand"`
	Reserved      int64      `json:"reserved"`
	Value         int64      `json:"value" doc:"On hand at unit cost, minor units; 0 for stock that is not the tenant's own"`
}

// OnHandByWarehouse sums stock on hand per warehouse (and currency of the parts' costs),
// valuing own stock only.
func OnHandByWarehouse(ctx context.Context, tx *tenants.Tx, warehouse uuid.NullUUID) ([]WarehouseStock, error) {
	rows, err := tx.Q.ReportOnHandByWarehouse(ctx, tx, db.ReportOnHandByWarehouseParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouse})
	if err != nil {
		return nil, fmt.Errorf("stock on hand report: %w", err)
	}
	out := make([]WarehouseStock, len(rows))
	for i, r := range rows {
		out[i] = WarehouseStock{WarehouseID: r.WarehouseID, WarehouseCode: r.WarehouseCode, WarehouseName: r.WarehouseName, Kind: r.Kind,
			Owner: r.Owner, OutletID: ptr(r.OutletID), Currency: r.Currency, Parts: r.Parts, OnHand: r.OnHand, Reserved: r.Reserved,
			Value: r.Value}
	}
	return out, nil
}

// MovementSum is the journal's movements of one type (and, for issues, who paid).
type MovementSum struct {
	Type      string `json:"type"`
	IssueKind string `json:"issue_kind,omitempty"`
	Movements int64  `json:"movements"`
	Qty       int64  `json:"qty" doc:"Signed: what the movements added (positive) or took (negative)"`
	Value     int64  `json:"value" doc:"Signed quantity at the unit cost when posted, minor units"`
}

// MovementsByType sums the movements posted from from to to (days, inclusive) per type.
func MovementsByType(ctx context.Context, tx *tenants.Tx, from, to time.Time, warehouse uuid.NullUUID) ([]MovementSum, error) {
	rows, err := tx.Q.ReportMovementsByType(ctx, tx, db.ReportMovementsByTypeParams{TenantID: tx.Scope.TenantID, FromDay: from,
		ToDay: to, WarehouseID: warehouse})
	if err != nil {
		return nil, fmt.Errorf("movements report: %w", err)
	}
	out := make([]MovementSum, len(rows))
	for i, r := range rows {
		out[i] = MovementSum{Type: r.Type, IssueKind: r.IssueKind, Movements: r.Movements, Qty: r.Qty, Value: r.Value}
	}
	return out, nil
}

// SlowMover is a part on hand in a warehouse that nothing was issued from lately.
type SlowMover struct {
	WarehouseID   uuid.UUID  `json:"warehouse_id"`
	WarehouseCode string     `json:"warehouse_code"`
	WarehouseName string     `json:"warehouse_name"`
	OutletID      *uuid.UUID `json:"outlet_id,omitempty"`
	PartID        uuid.UUID  `json:"part_id"`
	PartNo        string     `json:"part_no"`
	NameZh        string     `json:"name_zh"`
	NameEn        string     `json:"name_en,omitempty"`
	OnHand        int32      `json:"on_hand"`
	UnitCost      int64      `json:"unit_cost"`
	Currency      string     `json:"currency"`
	Value         int64      `json:"value" doc:"On hand at unit cost, minor units; 0 for stock that is not the tenant's own"`
	LastIssue     string     `json:"last_issue,omitempty" format:"date" doc:"The last day it was issued from this warehouse; absent: never"`
}

// SlowMovers lists parts on hand with no issue from their warehouse in the last days days
// of the tenant's calendar: an issue after the cut-off day (today less days) keeps a part off.
func SlowMovers(ctx context.Context, tx *tenants.Tx, days int, warehouse uuid.NullUUID) ([]SlowMover, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return nil, err
	}
	y, m, d := now.In(loc).Date()
	cutoff := time.Date(y, m, d-days, 0, 0, 0, 0, time.UTC)
	rows, err := tx.Q.ReportSlowMovers(ctx, tx, db.ReportSlowMoversParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouse, Cutoff: cutoff})
	if err != nil {
		return nil, fmt.Errorf("slow movers report: %w", err)
	}
	out := make([]SlowMover, len(rows))
	for i, r := range rows {
		out[i] = SlowMover{WarehouseID: r.WarehouseID, WarehouseCode: r.WarehouseCode, WarehouseName: r.WarehouseName, OutletID: ptr(r.OutletID),
			PartID: r.PartID, PartNo: r.PartNo, NameZh: r.NameZh, NameEn: r.NameEn, OnHand: r.OnHand, UnitCost: r.UnitCost,
			Currency: r.Currency, Value: r.Value, LastIssue: r.LastIssue}
	}
	return out, nil
}

// PartUse is how many of a part were used on orders of one fault code and model.
type PartUse struct {
	FaultCode string     `json:"fault_code" doc:"The order's fault code; empty when the order has none"`
	ModelID   *uuid.UUID `json:"model_id,omitempty"`
	ModelName string     `json:"model_name,omitempty"`
	PartID    uuid.UUID  `json:"part_id"`
	PartNo    string     `json:"part_no"`
	NameZh    string     `json:"name_zh"`
	NameEn    string     `json:"name_en,omitempty"`
	Qty       int64      `json:"qty" doc:"Units issued and not taken back"`
	Orders    int64      `json:"orders" doc:"Orders they went into"`
}

// PartsUsed sums the parts issued to orders (and not taken back) from from to to (the
// tenant's calendar days, inclusive) per the order's fault code and model.
func PartsUsed(ctx context.Context, tx *tenants.Tx, from, to time.Time) ([]PartUse, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return nil, err
	}
	since := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	until := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	rows, err := tx.Q.ReportPartsUsed(ctx, tx, db.ReportPartsUsedParams{TenantID: tx.Scope.TenantID, Since: since, Until: until})
	if err != nil {
		return nil, fmt.Errorf("parts used report: %w", err)
	}
	out := make([]PartUse, len(rows))
	for i, r := range rows {
		out[i] = PartUse{FaultCode: r.FaultCode, ModelID: ptr(r.ModelID), ModelName: r.ModelName, PartID: r.PartID, PartNo: r.PartNo,
			NameZh: r.NameZh, NameEn: r.NameEn, Qty: r.Qty, Orders: r.Orders}
	}
	return out, nil
}

package stock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// RequestStatuses are a part request's states: pending review, approved (perhaps cut),
// rejected with a reason, shipped as a transfer, or cancelled.
var RequestStatuses = []string{"pending", "approved", "rejected", "shipped", "cancelled"}

// ReviewDecisions are what a reviewer decides about a pending request.
var ReviewDecisions = []string{"approve", "reject"}

// PartRequest is an outlet's request for parts from the central warehouse (需求申请), or the
// replenishment request of a reservation that could not be met.
type PartRequest struct {
	ID                uuid.UUID  `json:"id"`
	WarehouseID       uuid.UUID  `json:"warehouse_id" doc:"Where the parts are wanted"`
	SourceWarehouseID *uuid.UUID `json:"source_warehouse_id,omitempty" doc:"The warehouse asked to send them"`
	OutletID          *uuid.UUID `json:"outlet_id,omitempty"`
	PartID            uuid.UUID  `json:"part_id"`
	Qty               int32      `json:"qty"`
	ApprovedQty       *int32     `json:"approved_qty,omitempty" doc:"What the reviewer approved (less than qty: cut)"`
	Status            string     `json:"status"`
	Reason            string     `json:"reason,omitempty"`
	ReviewNote        string     `json:"review_note,omitempty"`
	OrderID           *uuid.UUID `json:"order_id,omitempty"`
	TransferID        *uuid.UUID `json:"transfer_id,omitempty" doc:"The transfer that shipped it"`
	CancelReason      string     `json:"cancel_reason,omitempty" doc:"Why it was withdrawn (cancelled): the part order that raised it was cancelled"`
	Version           int32      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func ptrID(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

func requestFromRow(r db.PartRequest) PartRequest {
	return PartRequest{ID: r.ID, WarehouseID: r.WarehouseID, SourceWarehouseID: ptrID(r.SourceWarehouseID), OutletID: ptrID(r.OutletID),
		PartID: r.PartID, Qty: r.Qty, ApprovedQty: r.ApprovedQty, Status: r.Status, Reason: r.Reason, ReviewNote: r.ReviewNote,
		OrderID: ptrID(r.OrderID), TransferID: ptrID(r.TransferID), CancelReason: r.CancelReason, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// RequestInput asks for parts.
type RequestInput struct {
	WarehouseID       uuid.UUID `json:"warehouse_id" doc:"Where the parts are wanted (the outlet's warehouse or a van)"`
	SourceWarehouseID uuid.UUID `json:"source_warehouse_id" doc:"The warehouse asked to send them (a central one)"`
	PartID            uuid.UUID `json:"part_id"`
	Qty               int32     `json:"qty" minimum:"1" maximum:"10000"`
	Reason            string    `json:"reason,omitempty" maxLength:"500"`
}

// Request files a part request. Outlet staff request into their outlet's warehouses (row-level
// security refuses the others' as unknown) from a central warehouse.
func Request(ctx context.Context, tx *tenants.Tx, in RequestInput) (PartRequest, error) {
	if in.Qty <= 0 {
		return PartRequest{}, fault.Invalid("qty", "must be a whole number of units above zero")
	}
	if in.WarehouseID == in.SourceWarehouseID {
		return PartRequest{}, fault.Invalid("source_warehouse_id", "must differ from warehouse_id")
	}
	to, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.WarehouseID})
	if err != nil {
		return PartRequest{}, notFoundAt(err, "warehouse_id")
	}
	if tx.Scope.OutletID != uuid.Nil && (!to.OutletID.Valid || to.OutletID.UUID != tx.Scope.OutletID) {
		return PartRequest{}, fault.Invalid("warehouse_id", "is not a warehouse of your outlet")
	}
	src, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.SourceWarehouseID})
	if err != nil {
		return PartRequest{}, notFoundAt(err, "source_warehouse_id")
	}
	if _, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: in.PartID}); err != nil {
		return PartRequest{}, notFoundAt(err, "part_id")
	}
	r, err := tx.Q.CreatePartRequest(ctx, tx, db.CreatePartRequestParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		WarehouseID: to.ID, SourceWarehouseID: uuid.NullUUID{UUID: src.ID, Valid: true}, OutletID: to.OutletID, PartID: in.PartID,
		Qty: in.Qty, Reason: in.Reason, RequestedBy: userOf(tx)})
	if err != nil {
		return PartRequest{}, fault.DBError(err, "", "part_id")
	}
	out := requestFromRow(r)
	return out, tx.Audit(ctx, "part_request.create", "part_request", r.ID, nil, out)
}

func notFoundAt(err error, field string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.Invalid(field, "does not exist")
	}
	return fmt.Errorf("%s: %w", field, err)
}

// GetRequest returns one request.
func GetRequest(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PartRequest, error) {
	r, err := tx.Q.GetPartRequest(ctx, tx, db.GetPartRequestParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PartRequest{}, fault.DBError(err, "", "")
	}
	return requestFromRow(r), nil
}

// RequestFilter narrows the list of requests.
type RequestFilter struct {
	Before            uuid.NullUUID
	Status            string
	WarehouseID       uuid.NullUUID
	SourceWarehouseID uuid.NullUUID
	Limit             int32
}

// ListRequests lists requests newest first.
func ListRequests(ctx context.Context, tx *tenants.Tx, f RequestFilter) ([]PartRequest, error) {
	tx.PlanForValues()
	p := db.ListPartRequestsParams{TenantID: tx.Scope.TenantID, Before: f.Before, WarehouseID: f.WarehouseID,
		SourceWarehouseID: f.SourceWarehouseID, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	rows, err := tx.Q.ListPartRequests(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list part requests: %w", err)
	}
	out := make([]PartRequest, len(rows))
	for i, r := range rows {
		out[i] = requestFromRow(r)
	}
	return out, nil
}

// ReviewInput is a reviewer's decision.
type ReviewInput struct {
	Decision    string `json:"decision" enum:"approve,reject"`
	ApprovedQty *int32 `json:"approved_qty,omitempty" minimum:"1" doc:"Approve: the quantity approved, at most the quantity asked (less: a cut); all of it when omitted"`
	Note        string `json:"note,omitempty" maxLength:"500" doc:"Required to reject or cut: why"`
}

// Review approves (perhaps cutting the quantity) or rejects a pending request. Reviews are
// the source warehouse's: requests to the central warehouse are reviewed tenant-wide (outlet
// staff, whose scope is one outlet, cannot review even their own outlet's), requests to an
// outlet's warehouse (its engineers' vans asking for parts) by that outlet.
func Review(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in ReviewInput) (PartRequest, error) {
	r, err := tx.Q.GetPartRequestForUpdate(ctx, tx, db.GetPartRequestForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PartRequest{}, fault.DBError(err, "", "")
	}
	if tx.Scope.OutletID != uuid.Nil {
		var src db.Warehouse
		if r.SourceWarehouseID.Valid {
			if src, err = tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: r.SourceWarehouseID.UUID}); err != nil {
				return PartRequest{}, fault.DBError(err, "", "")
			}
		}
		if !src.OutletID.Valid || src.OutletID.UUID != tx.Scope.OutletID {
			return PartRequest{}, fmt.Errorf("%w: requests are reviewed by the warehouse asked (the central one's tenant-wide)", fault.ErrForbidden)
		}
	}
	if r.Status != "pending" {
		return PartRequest{}, &fault.ConflictError{Detail: "the request was reviewed already (" + r.Status + ")"}
	}
	p := db.ReviewPartRequestParams{TenantID: tx.Scope.TenantID, ID: id, ReviewNote: in.Note, ReviewedBy: userOf(tx)}
	switch in.Decision {
	case "approve":
		qty := r.Qty
		if in.ApprovedQty != nil {
			qty = *in.ApprovedQty
		}
		switch {
		case qty <= 0:
			return PartRequest{}, fault.Invalid("approved_qty", "must be a whole number of units above zero (reject instead)")
		case qty > r.Qty:
			return PartRequest{}, fault.Invalid("approved_qty", "is more than was asked ("+strconv.Itoa(int(r.Qty))+")")
		case qty < r.Qty && in.Note == "":
			return PartRequest{}, fault.Invalid("note", "is required when the quantity is cut")
		}
		p.Status, p.ApprovedQty = "approved", &qty
	case "reject":
		if in.Note == "" {
			return PartRequest{}, fault.Invalid("note", "is required to reject a request")
		}
		zero := int32(0)
		p.Status, p.ApprovedQty = "rejected", &zero
	default:
		return PartRequest{}, fault.Invalid("decision", "must be approve or reject")
	}
	if p.UpdatedAt, err = tx.Now(ctx); err != nil {
		return PartRequest{}, err
	}
	row, err := tx.Q.ReviewPartRequest(ctx, tx, p)
	if err != nil {
		return PartRequest{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	out := requestFromRow(row)
	return out, tx.Audit(ctx, "part_request.review", "part_request", id, requestFromRow(r), out)
}

// ShipRequestsInput ships approved requests.
type ShipRequestsInput struct {
	IdempotencyKey string      `json:"idempotency_key" minLength:"1" maxLength:"150"`
	RequestIDs     []uuid.UUID `json:"request_ids" minItems:"1" maxItems:"200" doc:"Approved requests with the same source and destination warehouses"`
	Note           string      `json:"note,omitempty" maxLength:"500"`
}

// ShipRequests ships approved requests of one source and one destination as one transfer
// (a line per request, the approved quantity), and marks them shipped.
func ShipRequests(ctx context.Context, tx *tenants.Tx, in ShipRequestsInput) (Transfer, error) {
	var from, to uuid.UUID
	rows := make([]db.PartRequest, len(in.RequestIDs))
	lines := make([]ShipLine, len(in.RequestIDs))
	for i, id := range in.RequestIDs {
		at := "request_ids[" + strconv.Itoa(i) + "]"
		r, err := tx.Q.GetPartRequestForUpdate(ctx, tx, db.GetPartRequestForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
		if err != nil {
			return Transfer{}, notFoundAt(err, at)
		}
		if r.Status == "shipped" && r.TransferID.Valid {
			// A replay of the same shipment: the transfer it made.
			return GetTransfer(ctx, tx, r.TransferID.UUID)
		}
		if r.Status != "approved" || r.ApprovedQty == nil || !r.SourceWarehouseID.Valid {
			return Transfer{}, fault.Invalid(at, "is not an approved request ("+r.Status+")")
		}
		if i == 0 {
			from, to = r.SourceWarehouseID.UUID, r.WarehouseID
		} else if r.SourceWarehouseID.UUID != from || r.WarehouseID != to {
			return Transfer{}, fault.Invalid(at, "goes between other warehouses than the first request")
		}
		rows[i], lines[i] = r, ShipLine{PartID: r.PartID, Qty: *r.ApprovedQty}
	}
	t, err := Ship(ctx, tx, ShipInput{IdempotencyKey: in.IdempotencyKey, FromWarehouseID: from, ToWarehouseID: to, Note: in.Note, Lines: lines})
	if err != nil {
		return Transfer{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Transfer{}, err
	}
	for _, r := range rows {
		if _, err := tx.Q.MarkPartRequestShipped(ctx, tx, db.MarkPartRequestShippedParams{TenantID: tx.Scope.TenantID, ID: r.ID,
			TransferID: uuid.NullUUID{UUID: t.ID, Valid: true}, UpdatedAt: now}); err != nil {
			return Transfer{}, fault.DBError(fault.StaleIfMissing(err), "", "")
		}
	}
	return t, nil
}

// SafetyStock is the least a warehouse should hold of a part, and how much to ask for below it.
type SafetyStock struct {
	WarehouseID uuid.UUID  `json:"warehouse_id"`
	PartID      uuid.UUID  `json:"part_id"`
	OutletID    *uuid.UUID `json:"outlet_id,omitempty"`
	MinQty      int32      `json:"min_qty"`
	ReorderQty  int32      `json:"reorder_qty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// SafetyInput sets a warehouse's safety stock of a part.
type SafetyInput struct {
	WarehouseID uuid.UUID `json:"warehouse_id"`
	PartID      uuid.UUID `json:"part_id"`
	MinQty      int32     `json:"min_qty" minimum:"0" maximum:"100000" doc:"Below this available, the part is suggested"`
	ReorderQty  int32     `json:"reorder_qty" minimum:"0" maximum:"100000" doc:"How much to ask for; 0: the shortfall"`
}

// SetSafety sets (or changes) a warehouse's safety stock of a part.
func SetSafety(ctx context.Context, tx *tenants.Tx, in SafetyInput) (SafetyStock, error) {
	switch {
	case in.MinQty < 0:
		return SafetyStock{}, fault.Invalid("min_qty", "must not be negative")
	case in.ReorderQty < 0:
		return SafetyStock{}, fault.Invalid("reorder_qty", "must not be negative")
	}
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.WarehouseID})
	if err != nil {
		return SafetyStock{}, notFoundAt(err, "warehouse_id")
	}
	if tx.Scope.OutletID != uuid.Nil && (!w.OutletID.Valid || w.OutletID.UUID != tx.Scope.OutletID) {
		return SafetyStock{}, fault.Invalid("warehouse_id", "is not a warehouse of your outlet")
	}
	if _, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: in.PartID}); err != nil {
		return SafetyStock{}, notFoundAt(err, "part_id")
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return SafetyStock{}, err
	}
	r, err := tx.Q.PutSafetyStock(ctx, tx, db.PutSafetyStockParams{TenantID: tx.Scope.TenantID, WarehouseID: w.ID, PartID: in.PartID,
		OutletID: w.OutletID, MinQty: in.MinQty, ReorderQty: in.ReorderQty, UpdatedAt: now})
	if err != nil {
		return SafetyStock{}, fault.DBError(err, "", "")
	}
	out := SafetyStock{WarehouseID: r.WarehouseID, PartID: r.PartID, OutletID: ptrID(r.OutletID), MinQty: r.MinQty, ReorderQty: r.ReorderQty,
		UpdatedAt: r.UpdatedAt}
	return out, tx.Audit(ctx, "safety_stock.set", "warehouse", w.ID, nil, out)
}

// ListSafety lists safety stock settings, of one warehouse or all, by warehouse and part.
func ListSafety(ctx context.Context, tx *tenants.Tx, warehouse uuid.NullUUID, afterW, afterP uuid.NullUUID, limit int32) ([]SafetyStock, error) {
	rows, err := tx.Q.ListSafetyStock(ctx, tx, db.ListSafetyStockParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouse,
		AfterWarehouse: afterW, AfterPart: afterP, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list safety stock: %w", err)
	}
	out := make([]SafetyStock, len(rows))
	for i, r := range rows {
		out[i] = SafetyStock{WarehouseID: r.WarehouseID, PartID: r.PartID, OutletID: ptrID(r.OutletID), MinQty: r.MinQty,
			ReorderQty: r.ReorderQty, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

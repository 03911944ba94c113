package stock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// An engineer's van (车载库) is an outlet warehouse whose engineer_id is the engineer. Engineers
// hold no stock:read nor stock:move: what they do with stock goes through the calls of this
// file, which never take a warehouse from the caller. The van is the one whose engineer is
// the transaction's user (tx.Scope.UserID), and the outlet warehouse a van trades with is one
// of the van's own outlet, so an engineer can neither see nor move another engineer's van,
// and row-level security keeps the outlet's stock from any other outlet.

// ErrNoVan is a user without a van of their own.
var ErrNoVan = fmt.Errorf("%w: you have no van: an outlet manager adds a warehouse with you as its engineer", fault.ErrNotFound)

// myVan is the van of the transaction's user.
func myVan(ctx context.Context, tx *tenants.Tx) (db.Warehouse, error) {
	if tx.Scope.UserID == uuid.Nil {
		return db.Warehouse{}, ErrNoVan
	}
	w, err := tx.Q.GetVanOfEngineer(ctx, tx, db.GetVanOfEngineerParams{TenantID: tx.Scope.TenantID,
		EngineerID: uuid.NullUUID{UUID: tx.Scope.UserID, Valid: true}})
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Warehouse{}, ErrNoVan
	}
	if err != nil {
		return db.Warehouse{}, fmt.Errorf("van: %w", err)
	}
	return w, nil
}

// outletWarehouse checks that id names a warehouse of the van's outlet that is not a van; when
// id is nil it picks the outlet's first active spare parts warehouse.
func outletWarehouse(ctx context.Context, tx *tenants.Tx, van db.Warehouse, id *uuid.UUID, field string) (db.Warehouse, error) {
	if id == nil {
		rows, err := tx.Q.ListWarehouses(ctx, tx, db.ListWarehousesParams{TenantID: tx.Scope.TenantID, OutletID: van.OutletID, Lim: 200})
		if err != nil {
			return db.Warehouse{}, fmt.Errorf("outlet warehouses: %w", err)
		}
		for _, w := range rows {
			if !w.EngineerID.Valid && w.Active && w.Kind == "spare_parts" && w.OutletID == van.OutletID {
				return w, nil
			}
		}
		return db.Warehouse{}, fault.Invalid(field, "is required: your outlet has no active spare parts warehouse to default to")
	}
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: *id})
	if err != nil {
		return db.Warehouse{}, notFoundAt(err, field)
	}
	if w.OutletID != van.OutletID || w.EngineerID.Valid {
		return db.Warehouse{}, fault.Invalid(field, "must be a warehouse of your van's outlet, not a van")
	}
	return w, nil
}

// Van is an engineer's van: its stock, what is on its way to it and its open requests.
type Van struct {
	Warehouse Warehouse     `json:"warehouse"`
	Stock     []Balance     `json:"stock" doc:"What the van holds (lines with stock on hand)"`
	Incoming  []Transfer    `json:"incoming" doc:"Transfers to the van not received yet"`
	Requests  []PartRequest `json:"requests" doc:"The van's requests not shipped yet (pending or approved)"`
}

// MyVan returns the van of the transaction's user.
func MyVan(ctx context.Context, tx *tenants.Tx) (Van, error) {
	w, err := myVan(ctx, tx)
	if err != nil {
		return Van{}, err
	}
	at := uuid.NullUUID{UUID: w.ID, Valid: true}
	out := Van{Warehouse: warehouseFromRow(w), Requests: []PartRequest{}}
	if out.Stock, err = ListBalances(ctx, tx, BalanceFilter{WarehouseID: at, NonZero: true, Limit: 1000}); err != nil {
		return Van{}, err
	}
	transfers, err := ListTransfers(ctx, tx, TransferFilter{WarehouseID: at, Status: "in_transit", Limit: 100})
	if err != nil {
		return Van{}, err
	}
	out.Incoming = make([]Transfer, 0, len(transfers))
	for _, t := range transfers {
		if t.ToWarehouseID == w.ID {
			out.Incoming = append(out.Incoming, t)
		}
	}
	for _, status := range []string{"pending", "approved"} {
		rs, err := ListRequests(ctx, tx, RequestFilter{WarehouseID: at, Status: status, Limit: 100})
		if err != nil {
			return Van{}, err
		}
		out.Requests = append(out.Requests, rs...)
	}
	return out, nil
}

// VanRequestInput asks the outlet's warehouse for parts into the van.
type VanRequestInput struct {
	SourceWarehouseID *uuid.UUID `json:"source_warehouse_id,omitempty" doc:"The outlet warehouse asked (of the van's outlet); the outlet's spare parts warehouse when omitted"`
	PartID            uuid.UUID  `json:"part_id"`
	Qty               int32      `json:"qty" minimum:"1" maximum:"10000"`
	Reason            string     `json:"reason,omitempty" maxLength:"500"`
}

// RequestToVan files a part request from the van's outlet warehouse into the van; the
// outlet's manager reviews and ships it (Review, ShipRequests).
func RequestToVan(ctx context.Context, tx *tenants.Tx, in VanRequestInput) (PartRequest, error) {
	van, err := myVan(ctx, tx)
	if err != nil {
		return PartRequest{}, err
	}
	src, err := outletWarehouse(ctx, tx, van, in.SourceWarehouseID, "source_warehouse_id")
	if err != nil {
		return PartRequest{}, err
	}
	return Request(ctx, tx, RequestInput{WarehouseID: van.ID, SourceWarehouseID: src.ID, PartID: in.PartID, Qty: in.Qty, Reason: in.Reason})
}

// VanReceiveInput receives a transfer shipped to the van.
type VanReceiveInput struct {
	TransferID uuid.UUID     `json:"transfer_id" doc:"A transfer to your van"`
	Lines      []ReceiveLine `json:"lines" minItems:"1" maxItems:"200"`
}

// ReceiveIntoVan receives a transfer whose destination is the van (any other transfer is
// refused at transfer_id, as if it did not exist); what arrived serves the van's
// reservations waiting for it.
func (s *Service) ReceiveIntoVan(ctx context.Context, tx *tenants.Tx, in VanReceiveInput) (Transfer, error) {
	van, err := myVan(ctx, tx)
	if err != nil {
		return Transfer{}, err
	}
	t, err := tx.Q.GetTransfer(ctx, tx, db.GetTransferParams{TenantID: tx.Scope.TenantID, ID: in.TransferID})
	if errors.Is(err, pgx.ErrNoRows) || err == nil && t.ToWarehouseID != van.ID {
		return Transfer{}, fault.Invalid("transfer_id", "is not a transfer to your van")
	}
	if err != nil {
		return Transfer{}, fmt.Errorf("transfer: %w", err)
	}
	out, err := Receive(ctx, tx, in.TransferID, in.Lines)
	if err != nil {
		return out, err
	}
	for _, l := range out.Lines {
		if err := s.Arrived(ctx, tx, out.ToWarehouseID, l.PartID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// VanIssueInput uses a part from the van on an order.
type VanIssueInput struct {
	IdempotencyKey string    `json:"idempotency_key" minLength:"1" maxLength:"200" doc:"Names the issue: sending it again returns the first"`
	OrderID        uuid.UUID `json:"order_id" doc:"An order you work (offered or accepted)"`
	PartID         uuid.UUID `json:"part_id"`
	Qty            int32     `json:"qty" minimum:"1" maximum:"10000"`
	IssueKind      string    `json:"issue_kind" doc:"Who pays: in_warranty, charged (out of warranty) or consumer_purchase"`
	OldSerial      string    `json:"old_serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit taken out"`
	NewSerial      string    `json:"new_serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit put in (from the van)"`
}

// UseFromVan issues a part from the van to an order the engineer works (offered or
// accepted): another engineer's order is refused as not found.
func (s *Service) UseFromVan(ctx context.Context, tx *tenants.Tx, in VanIssueInput) (OrderPart, error) {
	van, err := myVan(ctx, tx)
	if err != nil {
		return OrderPart{}, err
	}
	orderID := in.OrderID
	if _, err := orders.Get(ctx, tx, orderID); errors.Is(err, fault.ErrNotFound) {
		return OrderPart{}, fault.Invalid("order_id", "is not an order you work")
	} else if err != nil {
		return OrderPart{}, err
	}
	n, err := tx.Q.EngineerOnOrder(ctx, tx, db.EngineerOnOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID, UserID: tx.Scope.UserID})
	if err != nil {
		return OrderPart{}, fmt.Errorf("engineer on the order: %w", err)
	}
	if n == 0 {
		return OrderPart{}, fault.Invalid("order_id", "is not an order you work")
	}
	return s.Issue(ctx, tx, orderID, IssueInput{IdempotencyKey: in.IdempotencyKey, WarehouseID: van.ID, PartID: in.PartID, Qty: in.Qty,
		IssueKind: in.IssueKind, OldSerial: in.OldSerial, NewSerial: in.NewSerial})
}

// VanReturnInput returns parts from the van to the outlet's warehouse.
type VanReturnInput struct {
	IdempotencyKey string     `json:"idempotency_key" minLength:"1" maxLength:"200" doc:"Names the return: sending it again returns the first"`
	ToWarehouseID  *uuid.UUID `json:"to_warehouse_id,omitempty" doc:"The outlet warehouse the parts go back to (of the van's outlet); the outlet's spare parts warehouse when omitted"`
	PartID         uuid.UUID  `json:"part_id"`
	Qty            int32      `json:"qty" minimum:"1" maximum:"10000"`
	Serial         string     `json:"serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit's serial (qty 1)"`
	Reason         string     `json:"reason" doc:"Why the parts come back (one of VanReturnReasons)"`
	Note           string     `json:"note,omitempty" maxLength:"500" doc:"What happened; required when the reason is other"`
}

// VanReturnReasons are why parts come back from a van (VanReturnInput.Reason), in the order
// the API documents them.
var VanReturnReasons = []string{"unused", "wrong_part", "faulty", "other"}

// ReturnFromVan moves parts out of the van back into the outlet's warehouse (a requisition
// return: two journal rows), and lets them serve reservations waiting there.
func (s *Service) ReturnFromVan(ctx context.Context, tx *tenants.Tx, in VanReturnInput) ([]Movement, bool, error) {
	van, err := myVan(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	to, err := outletWarehouse(ctx, tx, van, in.ToWarehouseID, "to_warehouse_id")
	if err != nil {
		return nil, false, err
	}
	if in.Qty <= 0 {
		return nil, false, fault.Invalid("qty", "must be a whole number of units above zero")
	}
	note := strings.TrimSpace(in.Note)
	if in.Reason == "other" && note == "" {
		return nil, false, fault.Invalid("note", "say why the parts come back")
	}
	return s.Post(ctx, tx, MovementInput{IdempotencyKey: in.IdempotencyKey, Type: "requisition_return", WarehouseID: van.ID,
		ToWarehouseID: &to.ID, PartID: in.PartID, Qty: in.Qty, Serial: in.Serial, Reason: note, ReturnReason: in.Reason}, uuid.Nil)
}

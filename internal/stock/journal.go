package stock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// MovementTypes are the types of journal rows. Each says which way stock moves: receipts,
// returns from orders, transfers received and requisitions into a van add; issues to
// orders, transfers shipped, requisitions out of a warehouse and scrap take; an adjustment
// after a count does either. A requisition (engineer takes parts into the van) and its
// return are two rows each, out of one warehouse and into the other. rma_hold puts a faulty
// part owed to the maker into a returned-goods warehouse (or takes it back out when the part
// leaves the order) and rma_ship sends it to the maker (rma.go). loan_out lends a loaner unit
// to an order's customer and loan_return takes it back (loans.go).
var MovementTypes = []string{"receipt", "issue", "order_return", "transfer_ship", "transfer_receive", "requisition",
	"requisition_return", "adjustment", "scrap", "rma_hold", "rma_ship", "loan_out", "loan_return"}

// DirectTypes are the movement types posted directly (Post); the others come from orders and
// transfers.
var DirectTypes = []string{"receipt", "issue", "requisition", "requisition_return", "adjustment", "scrap"}

// SerialPlaces are where a unit of a serial-tracked part can be.
var SerialPlaces = []string{"in_stock", "in_transit", "installed", "scrapped", "returned_to_maker", "on_loan", "sold"}

// IssueKinds say who pays for parts issued to an order.
var IssueKinds = []string{"in_warranty", "charged", "consumer_purchase"}

// Movement is one journal row.
type Movement struct {
	ID             uuid.UUID  `json:"id"`
	IdempotencyKey string     `json:"idempotency_key"`
	WarehouseID    uuid.UUID  `json:"warehouse_id"`
	PartID         uuid.UUID  `json:"part_id"`
	OutletID       *uuid.UUID `json:"outlet_id,omitempty"`
	Type           string     `json:"type" doc:"One of the movement types"`
	IssueKind      string     `json:"issue_kind,omitempty" doc:"For issues: who pays"`
	Qty            int32      `json:"qty" doc:"Signed: positive adds to the warehouse, negative takes from it"`
	UnitCost       int64      `json:"unit_cost" doc:"The part's unit cost when posted, minor units"`
	Serial         string     `json:"serial,omitempty"`
	OrderID        *uuid.UUID `json:"order_id,omitempty"`
	PartOrderID    *uuid.UUID `json:"part_order_id,omitempty" doc:"Issues of parts bought at the counter: the customer's part order"`
	TransferID     *uuid.UUID `json:"transfer_id,omitempty"`
	ReservationID  *uuid.UUID `json:"reservation_id,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	ReturnReason   string     `json:"return_reason,omitempty" doc:"Returns from a van: why the parts came back (the note is in reason)"`
	ApprovedBy     *uuid.UUID `json:"approved_by,omitempty"`
	PostedOn       string     `json:"posted_on" format:"date"`
	CreatedBy      *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func ptr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

func movementFromRow(r db.StockMovement) Movement {
	return Movement{ID: r.ID, IdempotencyKey: r.IdempotencyKey, WarehouseID: r.WarehouseID, PartID: r.PartID, OutletID: ptr(r.OutletID),
		Type: r.Type, IssueKind: r.IssueKind, Qty: r.Qty, UnitCost: r.UnitCost, Serial: r.Serial, OrderID: ptr(r.OrderID), PartOrderID: ptr(r.PartOrderID),
		TransferID: ptr(r.TransferID), ReservationID: ptr(r.ReservationID), Reason: r.Reason, ReturnReason: r.ReturnReason, ApprovedBy: ptr(r.ApprovedBy),
		PostedOn: r.PostedOn.Format(time.DateOnly), CreatedBy: ptr(r.CreatedBy), CreatedAt: r.CreatedAt}
}

// posting is one journal row to write. Qty is signed; Consume (<= -Qty) of a take comes out
// of the reserved quantity (an issue against a reservation), the rest out of what is free.
type posting struct {
	Key           string
	Type          string
	WarehouseID   uuid.UUID
	PartID        uuid.UUID
	Qty           int32
	Consume       int32
	IssueKind     string
	Serial        string
	SerialPlace   string // where a serial taken out goes: installed, in_transit, scrapped, sold
	OrderID       uuid.NullUUID
	OrderPartID   uuid.NullUUID
	TransferID    uuid.NullUUID
	ReservationID uuid.NullUUID
	PartOrderID   uuid.NullUUID // a consumer's part order its parts were issued to
	Reason        string
	ReturnReason  string // a return from a van: why (VanReturnReasons)
	ApprovedBy    uuid.NullUUID
	PostedOn      time.Time
	// fields name the input's fields, for problems: warehouse_id, part_id, qty, serial.
	fields fields
}

// fields are the input's names of a posting's fields.
type fields struct{ warehouse, part, qty, serial string }

var defaultFields = fields{warehouse: "warehouse_id", part: "part_id", qty: "qty", serial: "serial"}

// ErrKeyReused is a movement key used before for a different movement.
var ErrKeyReused = fault.Invalid("idempotency_key", "was used for a different movement")

// today is the tenant's day now.
func today(ctx context.Context, tx *tenants.Tx) (time.Time, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// postingDate checks a posting date against the tenant's lock date and today (zero: today).
func postingDate(ctx context.Context, tx *tenants.Tx, on time.Time) (time.Time, error) {
	t, err := today(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	if on.IsZero() {
		on = t
	}
	if on.After(t) {
		return time.Time{}, fault.Invalid("posted_on", "is after today")
	}
	s, err := tx.Q.GetStockSettings(ctx, tx, tx.Scope.TenantID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, fmt.Errorf("stock settings: %w", err)
	}
	if err == nil && s.LockDate != nil && !on.After(*s.LockDate) {
		return time.Time{}, fault.Invalid("posted_on", "is on or before the lock date "+s.LockDate.Format(time.DateOnly)+
			": the period is closed; post a correction dated after it")
	}
	return on, nil
}

// post writes one journal row and moves the balance and the serial with it, all or nothing.
// A key used before returns that movement (replayed) if it is the same movement, and
// ErrKeyReused if not. The caller's transaction (or savepoint) undoes everything on error.
func post(ctx context.Context, tx *tenants.Tx, p posting) (Movement, bool, error) {
	fl := p.fields
	if fl == (fields{}) {
		fl = defaultFields
	}
	if p.Qty == 0 {
		return Movement{}, false, fault.Invalid(fl.qty, "must not be zero")
	}
	if prior, err := tx.Q.GetMovementByKey(ctx, tx, db.GetMovementByKeyParams{TenantID: tx.Scope.TenantID, IdempotencyKey: p.Key}); err == nil {
		return sameMovement(prior, p)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Movement{}, false, fmt.Errorf("movement by key: %w", err)
	}
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: p.WarehouseID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Movement{}, false, fault.Invalid(fl.warehouse, "does not exist")
		}
		return Movement{}, false, fmt.Errorf("warehouse: %w", err)
	}
	if tx.Scope.OutletID != uuid.Nil && (!w.OutletID.Valid || w.OutletID.UUID != tx.Scope.OutletID) {
		return Movement{}, false, fault.Invalid(fl.warehouse, "is not a warehouse of your outlet")
	}
	if !w.Active && p.Qty > 0 {
		return Movement{}, false, fault.Invalid(fl.warehouse, "is inactive")
	}
	pr, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: p.PartID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Movement{}, false, fault.Invalid(fl.part, "does not exist")
		}
		return Movement{}, false, fmt.Errorf("part: %w", err)
	}
	if pr.SerialTracked {
		if p.Serial == "" {
			return Movement{}, false, fault.Invalid(fl.serial, "is required: the part is serial-tracked")
		}
		if p.Qty != 1 && p.Qty != -1 {
			return Movement{}, false, fault.Invalid(fl.qty, "must be 1: a serial-tracked part moves one unit at a time, with its serial")
		}
	} else if p.Serial != "" {
		return Movement{}, false, fault.Invalid(fl.serial, "must be empty: the part is not serial-tracked")
	}
	on, err := postingDate(ctx, tx, p.PostedOn)
	if err != nil {
		return Movement{}, false, err
	}
	var by uuid.NullUUID
	if tx.Scope.UserID != uuid.Nil {
		by = uuid.NullUUID{UUID: tx.Scope.UserID, Valid: true}
	}
	r, err := tx.Q.InsertMovement(ctx, tx, db.InsertMovementParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), IdempotencyKey: p.Key,
		WarehouseID: p.WarehouseID, PartID: p.PartID, OutletID: w.OutletID, Type: p.Type, IssueKind: p.IssueKind, Qty: p.Qty,
		UnitCost: pr.UnitCost, Serial: p.Serial, OrderID: p.OrderID, OrderPartID: p.OrderPartID, TransferID: p.TransferID,
		ReservationID: p.ReservationID, Reason: p.Reason, ApprovedBy: p.ApprovedBy, PostedOn: on, CreatedBy: by,
		PartOrderID: p.PartOrderID, ReturnReason: p.ReturnReason})
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent posting with the key committed between the read and the insert.
		prior, err := tx.Q.GetMovementByKey(ctx, tx, db.GetMovementByKeyParams{TenantID: tx.Scope.TenantID, IdempotencyKey: p.Key})
		if err != nil {
			return Movement{}, false, fmt.Errorf("movement by key: %w", err)
		}
		return sameMovement(prior, p)
	}
	if err != nil {
		return Movement{}, false, fault.DBError(err, "", "")
	}
	if pr.SerialTracked {
		if err := moveSerial(ctx, tx, p, w, fl); err != nil {
			return Movement{}, false, err
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Movement{}, false, err
	}
	if p.Qty > 0 {
		if _, err := tx.Q.AddOnHand(ctx, tx, db.AddOnHandParams{TenantID: tx.Scope.TenantID, WarehouseID: p.WarehouseID, PartID: p.PartID,
			OutletID: w.OutletID, Qty: p.Qty, UpdatedAt: now}); err != nil {
			return Movement{}, false, fault.DBError(err, "", "")
		}
	} else {
		free := -p.Qty - p.Consume
		if _, err := tx.Q.TakeOnHand(ctx, tx, db.TakeOnHandParams{TenantID: tx.Scope.TenantID, WarehouseID: p.WarehouseID, PartID: p.PartID,
			Qty: free, Consume: p.Consume, UpdatedAt: now}); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return Movement{}, false, notEnough(ctx, tx, p, fl)
			}
			return Movement{}, false, fault.DBError(err, "", "")
		}
	}
	return movementFromRow(r), false, nil
}

// sameMovement answers a key used before: the same movement is a replay.
func sameMovement(prior db.StockMovement, p posting) (Movement, bool, error) {
	if prior.WarehouseID != p.WarehouseID || prior.PartID != p.PartID || prior.Qty != p.Qty || prior.Type != p.Type || prior.Serial != p.Serial {
		return Movement{}, false, ErrKeyReused
	}
	return movementFromRow(prior), true, nil
}

// notEnough explains a refused take with what is available now.
func notEnough(ctx context.Context, tx *tenants.Tx, p posting, fl fields) error {
	b, err := tx.Q.GetBalance(ctx, tx, db.GetBalanceParams{TenantID: tx.Scope.TenantID, WarehouseID: p.WarehouseID, PartID: p.PartID})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("balance: %w", err)
	}
	if p.Consume > 0 && b.Reserved < p.Consume {
		return &fault.ConflictError{Detail: "the reservation is no longer held in full"}
	}
	return fault.Invalid(fl.qty, fmt.Sprintf("is more than is available: %d on hand, %d reserved for orders", b.OnHand, b.Reserved))
}

// moveSerial checks where the serial is and records where it goes: a serial is in one place at
// a time, so it enters stock only if it is not in stock already (a transfer's own serial
// arrives from in transit), and leaves only the warehouse it is in.
func moveSerial(ctx context.Context, tx *tenants.Tx, p posting, w db.Warehouse, fl fields) error {
	cur, err := tx.Q.GetSerialForUpdate(ctx, tx, db.GetSerialForUpdateParams{TenantID: tx.Scope.TenantID, PartID: p.PartID, Serial: p.Serial})
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("serial: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	next := db.PlaceSerialParams{TenantID: tx.Scope.TenantID, PartID: p.PartID, Serial: p.Serial, UpdatedAt: now}
	if p.Qty > 0 {
		if known && cur.Place == "in_stock" {
			return fault.Invalid(fl.serial, "is already in stock")
		}
		if known && cur.Place == "in_transit" && (p.Type != "transfer_receive" && p.Type != "requisition" && p.Type != "requisition_return" ||
			cur.TransferID != p.TransferID) {
			return fault.Invalid(fl.serial, "is in transit to another warehouse")
		}
		if !known && (p.Type == "transfer_receive") {
			return fault.Invalid(fl.serial, "was not shipped")
		}
		// A loaner unit out with a customer comes back only by its loan's return, into the
		// warehouse it was lent from.
		if known && cur.Place == "on_loan" && p.Type != "loan_return" {
			return fault.Invalid(fl.serial, "is out on loan to a customer: take it back through the loan")
		}
		if p.Type == "loan_return" && (!known || cur.Place != "on_loan") {
			return fault.Invalid(fl.serial, "is not out on loan")
		}
		next.Place, next.WarehouseID, next.OutletID = "in_stock", uuid.NullUUID{UUID: w.ID, Valid: true}, w.OutletID
	} else {
		if !known || cur.Place != "in_stock" || cur.WarehouseID.UUID != w.ID {
			return fault.Invalid(fl.serial, "is not in stock at this warehouse")
		}
		next.Place, next.OrderID, next.TransferID, next.OutletID = p.SerialPlace, p.OrderID, p.TransferID, w.OutletID
		if next.Place == "" {
			next.Place = "scrapped"
		}
	}
	if err := tx.Q.PlaceSerial(ctx, tx, next); err != nil {
		if rlsRefused(err) {
			// The serial is held by another outlet's warehouse, which this scope cannot see.
			return fault.Invalid(fl.serial, "is already in stock")
		}
		return fault.DBError(err, "", "")
	}
	return nil
}

// MovementInput is a movement a caller posts directly: a receipt, an issue without an order (a
// counter sale), a requisition into an engineer's van or its return, an adjustment after a
// count, or scrap. Issues to orders, returns from orders and transfers have their own calls.
type MovementInput struct {
	IdempotencyKey string     `json:"idempotency_key" minLength:"1" maxLength:"200" doc:"Names the movement: posting it again returns the first, nothing moves twice"`
	Type           string     `json:"type" doc:"One of the direct movement types"`
	WarehouseID    uuid.UUID  `json:"warehouse_id" doc:"The warehouse stock moves in (for a requisition: out of; for its return: the van)"`
	ToWarehouseID  *uuid.UUID `json:"to_warehouse_id,omitempty" doc:"Requisitions and their returns: where the parts go"`
	PartID         uuid.UUID  `json:"part_id"`
	Qty            int32      `json:"qty" minimum:"-100000" maximum:"100000" doc:"Units, positive; an adjustment is signed (the count's difference)"`
	IssueKind      string     `json:"issue_kind,omitempty" doc:"Issues: who pays"`
	Serial         string     `json:"serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit's serial (qty 1)"`
	Reason         string     `json:"reason,omitempty" maxLength:"500" doc:"Adjustments and scrap: why"`
	PostedOn       string     `json:"posted_on,omitempty" format:"date" doc:"The day the movement counts on; today when omitted; never on or before the lock date"`
	// ReturnReason is set by a return from a van (ReturnFromVan), never by the API's input.
	ReturnReason string `json:"-"`
}

// Post posts a direct movement. approver is the user approving an adjustment (the caller's
// role was checked for stock approval by the API); it is recorded on the row.
func Post(ctx context.Context, tx *tenants.Tx, in MovementInput, approver uuid.UUID) ([]Movement, bool, error) {
	var on time.Time
	if in.PostedOn != "" {
		t, err := time.Parse(time.DateOnly, in.PostedOn)
		if err != nil {
			return nil, false, fault.Invalid("posted_on", "must be a date, YYYY-MM-DD")
		}
		on = t
	}
	if in.Type != "adjustment" && in.Qty <= 0 {
		return nil, false, fault.Invalid("qty", "must be a whole number of units above zero")
	}
	base := posting{Key: in.IdempotencyKey, Type: in.Type, WarehouseID: in.WarehouseID, PartID: in.PartID, Serial: in.Serial,
		Reason: in.Reason, ReturnReason: in.ReturnReason, PostedOn: on}
	if in.ToWarehouseID != nil && in.Type != "requisition" && in.Type != "requisition_return" {
		return nil, false, fault.Invalid("to_warehouse_id", "is only for requisitions and their returns")
	}
	if in.IssueKind != "" && in.Type != "issue" {
		return nil, false, fault.Invalid("issue_kind", "is only for issues")
	}
	switch in.Type {
	case "receipt":
		base.Qty = in.Qty
	case "issue":
		if in.IssueKind != "consumer_purchase" {
			return nil, false, fault.Invalid("issue_kind", "must be consumer_purchase: issues for repairs go to an order (POST /v1/orders/{id}/parts)")
		}
		base.Qty, base.IssueKind, base.SerialPlace = -in.Qty, in.IssueKind, "installed"
	case "scrap":
		if in.Reason == "" {
			return nil, false, fault.Invalid("reason", "is required for scrap")
		}
		base.Qty, base.SerialPlace = -in.Qty, "scrapped"
	case "adjustment":
		if in.Reason == "" {
			return nil, false, fault.Invalid("reason", "is required: say what the count found")
		}
		if approver == uuid.Nil {
			return nil, false, fault.Invalid("", "an adjustment is approved by a person: sign in as one who may approve stock")
		}
		base.Qty, base.ApprovedBy, base.SerialPlace = in.Qty, uuid.NullUUID{UUID: approver, Valid: true}, "scrapped"
	case "requisition", "requisition_return":
		if in.ToWarehouseID == nil {
			return nil, false, fault.Invalid("to_warehouse_id", "is required")
		}
		if *in.ToWarehouseID == in.WarehouseID {
			return nil, false, fault.Invalid("to_warehouse_id", "must differ from warehouse_id")
		}
		out := base
		out.Qty, out.SerialPlace = -in.Qty, "in_transit"
		m1, replay, err := post(ctx, tx, out)
		if err != nil {
			return nil, false, err
		}
		into := base
		into.Key, into.WarehouseID, into.Qty = in.IdempotencyKey+"#in", *in.ToWarehouseID, in.Qty
		into.fields = fields{warehouse: "to_warehouse_id", part: "part_id", qty: "qty", serial: "serial"}
		m2, _, err := post(ctx, tx, into)
		if err != nil {
			return nil, false, err
		}
		return []Movement{m1, m2}, replay, nil
	default:
		return nil, false, fault.Invalid("type", "must be receipt, issue, requisition, requisition_return, adjustment or scrap")
	}
	m, replay, err := post(ctx, tx, base)
	if err != nil {
		return nil, false, err
	}
	return []Movement{m}, replay, nil
}

// MovementFilter narrows the journal.
type MovementFilter struct {
	Before      uuid.NullUUID
	WarehouseID uuid.NullUUID
	PartID      uuid.NullUUID
	OrderID     uuid.NullUUID
	Type        string
	Limit       int32
}

// ListMovements lists the journal newest first.
func ListMovements(ctx context.Context, tx *tenants.Tx, f MovementFilter) ([]Movement, error) {
	tx.PlanForValues()
	p := db.ListMovementsParams{TenantID: tx.Scope.TenantID, Before: f.Before, WarehouseID: f.WarehouseID, PartID: f.PartID,
		OrderID: f.OrderID, Lim: f.Limit}
	if f.Type != "" {
		p.Type = &f.Type
	}
	rows, err := tx.Q.ListMovements(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list movements: %w", err)
	}
	out := make([]Movement, len(rows))
	for i, r := range rows {
		out[i] = movementFromRow(r)
	}
	return out, nil
}

// GetMovement returns one journal row.
func GetMovement(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Movement, error) {
	r, err := tx.Q.GetMovement(ctx, tx, db.GetMovementParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Movement{}, fault.DBError(err, "", "")
	}
	return movementFromRow(r), nil
}

// SerialHistory is every journal row of one unit of a serial-tracked part, oldest first, and
// where the unit is now.
type SerialHistory struct {
	PartID      uuid.UUID  `json:"part_id"`
	Serial      string     `json:"serial"`
	Place       string     `json:"place" doc:"Where the unit is now"`
	WarehouseID *uuid.UUID `json:"warehouse_id,omitempty"`
	OrderID     *uuid.UUID `json:"order_id,omitempty"`
	Movements   []Movement `json:"movements,omitempty" doc:"Oldest first; only when one serial is asked for"`
}

// ListSerials lists the units of a serial-tracked part in scope and where each is now.
func ListSerials(ctx context.Context, tx *tenants.Tx, partID uuid.UUID, limit int32) ([]SerialHistory, error) {
	if _, err := parts.Get(ctx, tx, partID); err != nil {
		return nil, err
	}
	rows, err := tx.Q.ListSerials(ctx, tx, db.ListSerialsParams{TenantID: tx.Scope.TenantID, PartID: partID, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list serials: %w", err)
	}
	out := make([]SerialHistory, len(rows))
	for i, r := range rows {
		out[i] = SerialHistory{PartID: partID, Serial: r.Serial, Place: r.Place, WarehouseID: ptr(r.WarehouseID), OrderID: ptr(r.OrderID)}
	}
	return out, nil
}

// GetSerialHistory returns a unit's history.
func GetSerialHistory(ctx context.Context, tx *tenants.Tx, partID uuid.UUID, serial string) (SerialHistory, error) {
	if _, err := parts.Get(ctx, tx, partID); err != nil {
		return SerialHistory{}, err
	}
	cur, err := tx.Q.GetSerial(ctx, tx, db.GetSerialParams{TenantID: tx.Scope.TenantID, PartID: partID, Serial: serial})
	if err != nil {
		return SerialHistory{}, fault.DBError(err, "", "")
	}
	rows, err := tx.Q.SerialHistory(ctx, tx, db.SerialHistoryParams{TenantID: tx.Scope.TenantID, PartID: partID, Serial: serial})
	if err != nil {
		return SerialHistory{}, fmt.Errorf("serial history: %w", err)
	}
	h := SerialHistory{PartID: partID, Serial: serial, Place: cur.Place, WarehouseID: ptr(cur.WarehouseID), OrderID: ptr(cur.OrderID),
		Movements: make([]Movement, len(rows))}
	for i, r := range rows {
		h.Movements[i] = movementFromRow(r)
	}
	return h, nil
}

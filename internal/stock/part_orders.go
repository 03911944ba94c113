package stock

// Parts ordered by consumers at the counter (预订购件, docs/part_orders.md). A part order is
// an outlet's: its lines hold stock at one of the outlet's warehouses on reservations of
// their own, which wait (订购待件) and ask for replenishment like a repair's when the part is
// not there; stock that arrives serves them through fulfil, oldest first, with the repairs'.
// When nothing of the order waits any more it is ready and the customer gets the arrival
// notice (到货通知). The pickup issues the parts (consumer_purchase) once the order's bill is
// settled; cancelling releases what the lines hold. Who sees an order is row-level
// security's: an outlet's staff see their outlet's orders.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Part order statuses: ordered (every line held from stock at once), waiting (a line waits
// for the part: 订购待件), ready (what was waited for arrived: 到货), picked_up, cancelled.
const (
	PartOrderOrdered   = "ordered"
	PartOrderWaiting   = "waiting"
	PartOrderReady     = "ready"
	PartOrderPickedUp  = "picked_up"
	PartOrderCancelled = "cancelled"
)

// PartOrderStatuses lists the statuses of a part order, in the order the API documents them.
var PartOrderStatuses = []string{PartOrderOrdered, PartOrderWaiting, PartOrderReady, PartOrderPickedUp, PartOrderCancelled}

// PartOrderLineStatuses are the states of a part order's line: held (in stock for the
// customer), waiting (not in stock yet), picked_up, released (the order was cancelled).
var PartOrderLineStatuses = []string{"held", "waiting", "picked_up", "released"}

// PartOrderLine is one part of a part order.
type PartOrderLine struct {
	ID            uuid.UUID  `json:"id"`
	LineNo        int32      `json:"line_no"`
	PartID        uuid.UUID  `json:"part_id"`
	PartNo        string     `json:"part_no"`
	NameZh        string     `json:"name_zh"`
	NameEn        string     `json:"name_en"`
	Qty           int32      `json:"qty"`
	UnitPrice     int64      `json:"unit_price" doc:"The part's consumer price when ordered (minor units)"`
	Amount        int64      `json:"amount" doc:"Quantity times unit price (minor units)"`
	Status        string     `json:"status" doc:"held, waiting (订购待件), picked_up or released"`
	ReservationID *uuid.UUID `json:"reservation_id,omitempty"`
	ArrivedAt     *time.Time `json:"arrived_at,omitempty" doc:"When the part it waited for arrived"`
	SerialTracked bool       `json:"serial_tracked" doc:"The part is serial-tracked: the pickup names a serial per unit"`
	Serials       []string   `json:"serials,omitempty" doc:"Serial-tracked parts: the serials handed over at the pickup"`
	RequestID     *uuid.UUID `json:"request_id,omitempty" doc:"The replenishment request the line raised when it had to wait"`
}

// PartOrder is a customer's order for parts at an outlet's counter.
type PartOrder struct {
	ID           uuid.UUID       `json:"id"`
	Number       string          `json:"number"`
	OutletID     uuid.UUID       `json:"outlet_id"`
	WarehouseID  uuid.UUID       `json:"warehouse_id" doc:"The outlet's warehouse the parts are held at and picked up from"`
	CustomerID   uuid.UUID       `json:"customer_id"`
	Status       string          `json:"status" doc:"ordered, waiting, ready, picked_up or cancelled"`
	Currency     string          `json:"currency"`
	Total        int64           `json:"total" doc:"The lines' amounts (minor units)"`
	Note         string          `json:"note,omitempty"`
	CancelReason string          `json:"cancel_reason,omitempty"`
	CreatedBy    string          `json:"created_by,omitempty"`
	PickedUpBy   string          `json:"picked_up_by,omitempty"`
	ArrivedAt    *time.Time      `json:"arrived_at,omitempty" doc:"When the last part waited for arrived (the arrival notice went out)"`
	PickedUpAt   *time.Time      `json:"picked_up_at,omitempty"`
	CancelledAt  *time.Time      `json:"cancelled_at,omitempty"`
	Version      int32           `json:"version"`
	CreatedAt    time.Time       `json:"created_at"`
	Lines        []PartOrderLine `json:"lines"`
}

func partOrderFromRow(r db.PartOrder) PartOrder {
	return PartOrder{ID: r.ID, Number: r.Number, OutletID: r.OutletID, WarehouseID: r.WarehouseID, CustomerID: r.CustomerID,
		Status: r.Status, Currency: r.Currency, Total: r.Total, Note: r.Note, CancelReason: r.CancelReason, CreatedBy: r.CreatedBy,
		PickedUpBy: r.PickedUpBy, ArrivedAt: r.ArrivedAt, PickedUpAt: r.PickedUpAt, CancelledAt: r.CancelledAt, Version: r.Version,
		CreatedAt: r.CreatedAt, Lines: []PartOrderLine{}}
}

func lineStatus(reservation string) string {
	switch reservation {
	case "open":
		return "held"
	case "consumed":
		return "picked_up"
	case "released":
		return "released"
	}
	return "waiting"
}

// partOrderWithLines reads the order's lines.
func partOrderWithLines(ctx context.Context, tx *tenants.Tx, r db.PartOrder) (PartOrder, error) {
	po := partOrderFromRow(r)
	ls, err := tx.Q.ListPartOrderLines(ctx, tx, db.ListPartOrderLinesParams{TenantID: tx.Scope.TenantID, PartOrderID: r.ID})
	if err != nil {
		return PartOrder{}, fmt.Errorf("lines of part order %s: %w", r.Number, err)
	}
	for _, l := range ls {
		po.Lines = append(po.Lines, PartOrderLine{ID: l.ID, LineNo: l.LineNo, PartID: l.PartID, PartNo: l.PartNo, NameZh: l.NameZh,
			NameEn: l.NameEn, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.UnitPrice * int64(l.Qty), Status: lineStatus(l.ReservationStatus),
			ReservationID: ptr(l.ReservationID), ArrivedAt: l.ArrivedAt, SerialTracked: l.SerialTracked, Serials: l.Serials,
			RequestID: ptr(l.RequestID)})
	}
	return po, nil
}

// PartOrderLineInput is a part and a quantity ordered.
type PartOrderLineInput struct {
	PartID uuid.UUID `json:"part_id"`
	Qty    int32     `json:"qty" minimum:"1" maximum:"1000" doc:"Whole units"`
}

// PartOrderInput records a customer's order for parts at an outlet's counter.
type PartOrderInput struct {
	CustomerID  uuid.UUID            `json:"customer_id"`
	WarehouseID uuid.UUID            `json:"warehouse_id" doc:"A warehouse of the outlet (not a van): the parts are held and picked up there"`
	Lines       []PartOrderLineInput `json:"lines" minItems:"1" maxItems:"50"`
	Note        string               `json:"note,omitempty" maxLength:"1000"`
}

// CreatePartOrder records a customer's order for parts. Each line holds what is available at
// the warehouse at once; a line that cannot be held waits on its reservation and raises a
// replenishment request, and the order waits (订购待件). Everything is checked before
// anything is held.
func (s *Service) CreatePartOrder(ctx context.Context, tx *tenants.Tx, in PartOrderInput) (PartOrder, error) {
	if _, err := tx.Q.GetCustomer(ctx, tx, db.GetCustomerParams{TenantID: tx.Scope.TenantID, ID: in.CustomerID}); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return PartOrder{}, fault.Invalid("customer_id", "does not exist")
		}
		return PartOrder{}, fmt.Errorf("customer: %w", err)
	}
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.WarehouseID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return PartOrder{}, fault.Invalid("warehouse_id", "does not exist")
		}
		return PartOrder{}, fmt.Errorf("warehouse: %w", err)
	}
	switch {
	case !w.OutletID.Valid:
		return PartOrder{}, fault.Invalid("warehouse_id", "is a central warehouse: parts are ordered at an outlet's counter")
	case tx.Scope.OutletID != uuid.Nil && w.OutletID.UUID != tx.Scope.OutletID:
		return PartOrder{}, fault.Invalid("warehouse_id", "is not a warehouse of your outlet")
	case w.EngineerID.Valid:
		return PartOrder{}, fault.Invalid("warehouse_id", "is an engineer's van")
	case w.Owner != "own":
		return PartOrder{}, fault.Invalid("warehouse_id", "does not hold the outlet's own stock (its owner must be own)")
	}
	if len(in.Lines) == 0 {
		return PartOrder{}, fault.Invalid("lines", "order at least one part")
	}
	parts := make([]db.Part, len(in.Lines))
	var total int64
	for i, l := range in.Lines {
		if l.Qty <= 0 || l.Qty > 1000 {
			return PartOrder{}, fault.Invalid(fmt.Sprintf("lines[%d].qty", i), "must be a whole number of units from 1 to 1000")
		}
		p, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: l.PartID})
		if err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return PartOrder{}, fault.Invalid(fmt.Sprintf("lines[%d].part_id", i), "does not exist")
			}
			return PartOrder{}, fmt.Errorf("part: %w", err)
		}
		parts[i] = p
		total += p.ConsumerPrice * int64(l.Qty)
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return PartOrder{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return PartOrder{}, err
	}
	// Hold what is there, line by line, before the order is written (its status follows).
	held := make([]bool, len(in.Lines))
	status := PartOrderOrdered
	for i, l := range in.Lines {
		if _, err := tx.Q.HoldStock(ctx, tx, db.HoldStockParams{TenantID: tx.Scope.TenantID, WarehouseID: w.ID, PartID: l.PartID, Qty: l.Qty,
			UpdatedAt: now}); err == nil {
			held[i] = true
		} else if errors.Is(err, pgx.ErrNoRows) {
			status = PartOrderWaiting
		} else {
			return PartOrder{}, fault.DBError(err, "", "")
		}
	}
	id := platform.NewID()
	number := "PO-" + now.Format("20060102") + "-" + strings.ToUpper(strings.ReplaceAll(id.String(), "-", "")[24:])
	row, err := tx.Q.InsertPartOrder(ctx, tx, db.InsertPartOrderParams{TenantID: tx.Scope.TenantID, ID: id, Number: number,
		OutletID: w.OutletID.UUID, WarehouseID: w.ID, CustomerID: in.CustomerID, Status: status, Currency: t.Currency, Total: total,
		Note: strings.TrimSpace(in.Note), CreatedBy: tx.Scope.Actor.Label})
	if err != nil {
		return PartOrder{}, fault.DBError(err, "", "")
	}
	for i, l := range in.Lines {
		line, err := tx.Q.InsertPartOrderLine(ctx, tx, db.InsertPartOrderLineParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			PartOrderID: id, LineNo: int32(i + 1), OutletID: w.OutletID.UUID, PartID: l.PartID, Qty: l.Qty, UnitPrice: parts[i].ConsumerPrice})
		if err != nil {
			return PartOrder{}, fault.DBError(err, "", "")
		}
		rs := "open"
		if !held[i] {
			rs = "waiting"
		}
		r, err := tx.Q.InsertPartOrderReservation(ctx, tx, db.InsertPartOrderReservationParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), PartOrderLineID: uuid.NullUUID{UUID: line.ID, Valid: true}, WarehouseID: w.ID, PartID: l.PartID,
			OutletID: w.OutletID, Qty: l.Qty, Status: rs, CreatedBy: userOf(tx)})
		if err != nil {
			return PartOrder{}, fault.DBError(err, "", "")
		}
		if !held[i] {
			req, err := tx.Q.CreatePartRequest(ctx, tx, db.CreatePartRequestParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
				WarehouseID: w.ID, OutletID: w.OutletID, PartID: l.PartID, Qty: l.Qty,
				Reason: "part order " + number + " waits for " + parts[i].PartNo, ReservationID: uuid.NullUUID{UUID: r.ID, Valid: true},
				RequestedBy: userOf(tx)})
			if err != nil {
				return PartOrder{}, fault.DBError(err, "", "")
			}
			if _, err := tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: r.ID,
				Status: "waiting", RequestID: uuid.NullUUID{UUID: req.ID, Valid: true}}); err != nil {
				return PartOrder{}, fault.DBError(err, "", "")
			}
		}
		if _, err := tx.Q.SetPartOrderLineReservation(ctx, tx, db.SetPartOrderLineReservationParams{TenantID: tx.Scope.TenantID,
			ID: line.ID, ReservationID: uuid.NullUUID{UUID: r.ID, Valid: true}}); err != nil {
			return PartOrder{}, fault.DBError(err, "", "")
		}
	}
	po, err := partOrderWithLines(ctx, tx, row)
	if err != nil {
		return PartOrder{}, err
	}
	return po, tx.Audit(ctx, "part_order.create", "part_order", po.ID, nil, po)
}

// GetPartOrder returns a part order in scope with its lines.
func GetPartOrder(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PartOrder, error) {
	r, err := tx.Q.GetPartOrder(ctx, tx, db.GetPartOrderParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PartOrder{}, fault.DBError(err, "", "")
	}
	return partOrderWithLines(ctx, tx, r)
}

// PickupChoice is what a part order's pickup may hand over for one line of a serial-tracked
// part: the units of the part on the shelf of the order's warehouse.
type PickupChoice struct {
	LineID  uuid.UUID `json:"line_id"`
	PartID  uuid.UUID `json:"part_id"`
	Serials []string  `json:"serials" doc:"Serials in stock at the order's warehouse, in order (at most 500)"`
}

// maxPickupChoices bounds the serials offered for one line: a counter picks from a shelf.
const maxPickupChoices = 500

// PickupChoices lists, for each line of a serial-tracked part of an open part order, the
// serials its pickup may name (PickUpPartOrder checks each again under its row's lock). It
// reads the order's own warehouse only, so whoever hands the order over can choose, with or
// without the right to read the stock; a part's units sold or installed long ago are not
// walked (part_serials_in_stock_idx).
func PickupChoices(ctx context.Context, tx *tenants.Tx, id uuid.UUID) ([]PickupChoice, error) {
	po, err := GetPartOrder(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	out := []PickupChoice{}
	if po.Status == PartOrderPickedUp || po.Status == PartOrderCancelled {
		return out, nil
	}
	for _, l := range po.Lines {
		if !l.SerialTracked {
			continue
		}
		serials, err := tx.Q.SerialsInStockAt(ctx, tx, db.SerialsInStockAtParams{TenantID: tx.Scope.TenantID,
			WarehouseID: uuid.NullUUID{UUID: po.WarehouseID, Valid: true}, PartID: l.PartID, Lim: maxPickupChoices})
		if err != nil {
			return nil, fmt.Errorf("serials of %s at the warehouse: %w", l.PartNo, err)
		}
		out = append(out, PickupChoice{LineID: l.ID, PartID: l.PartID, Serials: append([]string{}, serials...)})
	}
	return out, nil
}

// PartOrderFilter narrows the list of part orders.
type PartOrderFilter struct {
	Status   string
	Outlet   uuid.NullUUID
	Customer uuid.NullUUID
	Before   uuid.NullUUID
	Limit    int32
}

// ListPartOrders lists part orders in scope, newest first, with their lines.
func ListPartOrders(ctx context.Context, tx *tenants.Tx, f PartOrderFilter) ([]PartOrder, error) {
	var status *string
	if f.Status != "" {
		status = &f.Status
	}
	rows, err := tx.Q.ListPartOrders(ctx, tx, db.ListPartOrdersParams{TenantID: tx.Scope.TenantID, Status: status, OutletID: f.Outlet,
		CustomerID: f.Customer, Before: f.Before, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list part orders: %w", err)
	}
	out := make([]PartOrder, 0, len(rows))
	for _, r := range rows {
		po, err := partOrderWithLines(ctx, tx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, po)
	}
	return out, nil
}

// lineArrived marks a part order's line whose waiting reservation stock now holds; when
// nothing of the order waits any more the order is ready and its customer is told (到货通知).
func (s *Service) lineArrived(ctx context.Context, tx *tenants.Tx, lineID uuid.UUID, now time.Time) error {
	line, err := tx.Q.MarkPartOrderLineArrived(ctx, tx, db.MarkPartOrderLineArrivedParams{TenantID: tx.Scope.TenantID, ID: lineID,
		ArrivedAt: &now})
	if err != nil {
		return fmt.Errorf("part order line: %w", err)
	}
	n, err := tx.Q.CountWaitingOfPartOrder(ctx, tx, db.CountWaitingOfPartOrderParams{TenantID: tx.Scope.TenantID, PartOrderID: line.PartOrderID})
	if err != nil {
		return fmt.Errorf("waiting lines of the part order: %w", err)
	}
	if n > 0 {
		return nil
	}
	cur, err := tx.Q.GetPartOrderForUpdate(ctx, tx, db.GetPartOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: line.PartOrderID})
	if err != nil {
		return fmt.Errorf("part order: %w", err)
	}
	if cur.Status != PartOrderWaiting {
		return nil
	}
	row, err := tx.Q.SetPartOrderStatus(ctx, tx, db.SetPartOrderStatusParams{TenantID: tx.Scope.TenantID, ID: cur.ID, Status: PartOrderReady,
		ArrivedAt: &now})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	po, err := partOrderWithLines(ctx, tx, row)
	if err != nil {
		return err
	}
	if err := s.announceArrival(ctx, tx, po); err != nil {
		return err
	}
	return tx.Audit(ctx, "part_order.ready", "part_order", po.ID, map[string]string{"status": cur.Status}, map[string]string{"status": po.Status})
}

// announceArrival tells the customer that the parts they ordered can be picked up.
func (s *Service) announceArrival(ctx context.Context, tx *tenants.Tx, po PartOrder) error {
	if s.Orders == nil || s.Orders.Jobs == nil {
		return nil
	}
	names := make([]string, 0, len(po.Lines))
	for _, l := range po.Lines {
		names = append(names, l.NameZh)
	}
	outletName := ""
	if o, err := tx.Q.GetOutlet(ctx, tx, db.GetOutletParams{TenantID: tx.Scope.TenantID, ID: po.OutletID}); err == nil {
		outletName = o.Name
	}
	_, err := events.Emit(ctx, tx, s.Orders.Jobs, notify.PartOrderArrived, "part_order", po.ID, po.OutletID, map[string]any{
		"part_order_id": po.ID, "number": po.Number, "customer_id": po.CustomerID,
		"recipients": []notify.Recipient{notify.Customer(po.CustomerID)},
		"vars":       map[string]string{"order_number": po.Number, "part_name": strings.Join(names, "、"), "outlet_name": outletName},
	})
	return err
}

// lockPartOrder locks a part order in scope and checks the version the caller read.
func lockPartOrder(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) (db.PartOrder, error) {
	cur, err := tx.Q.GetPartOrderForUpdate(ctx, tx, db.GetPartOrderForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return cur, fault.DBError(err, "", "")
	}
	if version != 0 && cur.Version != version {
		return cur, fault.ErrStale
	}
	return cur, nil
}

// PickupLineInput names the serials handed over for a line of a serial-tracked part.
type PickupLineInput struct {
	LineID  uuid.UUID `json:"line_id" doc:"A line of the order whose part is serial-tracked"`
	Serials []string  `json:"serials" maxItems:"1000" doc:"One serial per unit, each in stock at the order's warehouse"`
}

// PickupInput is what the staff name at the pickup: the serials of serial-tracked lines.
type PickupInput struct {
	Lines []PickupLineInput `json:"lines,omitempty" maxItems:"50" doc:"Required for every line of a serial-tracked part"`
}

// pickupSerials checks the serials named for the order's lines: every serial-tracked line
// gets exactly one serial per unit, no serial twice, none for other lines. Where each serial
// is (in stock at the warehouse, not gone) is checked as it moves, under its row lock.
func pickupSerials(lines []db.ListPartOrderLinesRow, in PickupInput) (map[uuid.UUID][]string, map[uuid.UUID]int, error) {
	byLine := map[uuid.UUID][]string{}
	at := map[uuid.UUID]int{}
	tracked := map[uuid.UUID]db.ListPartOrderLinesRow{}
	for _, l := range lines {
		if l.SerialTracked {
			tracked[l.ID] = l
		}
	}
	seen := map[string]string{}
	for i, pl := range in.Lines {
		l, ok := tracked[pl.LineID]
		switch {
		case !ok:
			return nil, nil, fault.Invalid(fmt.Sprintf("lines[%d].line_id", i), "is not a line of a serial-tracked part of this order")
		case byLine[pl.LineID] != nil:
			return nil, nil, fault.Invalid(fmt.Sprintf("lines[%d].line_id", i), "is named twice")
		case int32(len(pl.Serials)) != l.Qty:
			return nil, nil, fault.Invalid(fmt.Sprintf("lines[%d].serials", i), fmt.Sprintf("must name %d serials, one per unit", l.Qty))
		}
		clean := make([]string, len(pl.Serials))
		for j, sn := range pl.Serials {
			sn = strings.TrimSpace(sn)
			field := fmt.Sprintf("lines[%d].serials[%d]", i, j)
			key := l.PartID.String() + "/" + sn
			switch {
			case sn == "" || len(sn) > 100:
				return nil, nil, fault.Invalid(field, "must be a serial of 1 to 100 characters")
			case seen[key] != "":
				return nil, nil, fault.Invalid(field, "is named twice (also at "+seen[key]+")")
			}
			seen[key], clean[j] = field, sn
		}
		byLine[pl.LineID], at[pl.LineID] = clean, i
	}
	for _, l := range lines {
		if l.SerialTracked && byLine[l.ID] == nil {
			return nil, nil, fault.Invalid("lines", fmt.Sprintf("name the serials handed over for line %d (%s)", l.LineNo, l.PartNo))
		}
	}
	return byLine, at, nil
}

// PickUpPartOrder hands the parts to the customer: each line's reservation is consumed by an
// issue (consumer_purchase) out of the order's warehouse; a serial-tracked line's units go one
// by one with the serials named, which are then the customer's (sold). It is refused while a
// part is still waited for and until the order's bill is paid (or a manager released it).
func (s *Service) PickUpPartOrder(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, in PickupInput) (PartOrder, error) {
	cur, err := lockPartOrder(ctx, tx, id, version)
	if err != nil {
		return PartOrder{}, err
	}
	switch cur.Status {
	case PartOrderPickedUp, PartOrderCancelled:
		return PartOrder{}, &fault.ConflictError{Detail: "part order " + cur.Number + " is already " + cur.Status}
	case PartOrderWaiting:
		return PartOrder{}, &fault.ConflictError{Detail: "part order " + cur.Number + " still waits for parts"}
	}
	bill, err := tx.Q.GetBillOfPartOrder(ctx, tx, db.GetBillOfPartOrderParams{TenantID: tx.Scope.TenantID,
		PartOrderID: uuid.NullUUID{UUID: cur.ID, Valid: true}})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if cur.Total > 0 {
			return PartOrder{}, &fault.ConflictError{Detail: "part order " + cur.Number + " has no bill: bill the customer and take payment first"}
		}
	case err != nil:
		return PartOrder{}, fmt.Errorf("bill of part order: %w", err)
	case bill.Status != "paid" && bill.ReleasedAt == nil:
		return PartOrder{}, &fault.ConflictError{Detail: fmt.Sprintf("the bill of part order %s is not paid (%d minor units owed): "+
			"take payment first", cur.Number, bill.Total-bill.Paid+bill.Refunded)}
	}
	lines, err := tx.Q.ListPartOrderLines(ctx, tx, db.ListPartOrderLinesParams{TenantID: tx.Scope.TenantID, PartOrderID: cur.ID})
	if err != nil {
		return PartOrder{}, fmt.Errorf("lines of part order: %w", err)
	}
	serials, at, err := pickupSerials(lines, in)
	if err != nil {
		return PartOrder{}, err
	}
	before, err := partOrderWithLines(ctx, tx, cur)
	if err != nil {
		return PartOrder{}, err
	}
	for _, l := range lines {
		r, err := tx.Q.GetReservationForUpdate(ctx, tx, db.GetReservationForUpdateParams{TenantID: tx.Scope.TenantID, ID: l.ReservationID.UUID})
		if err != nil {
			return PartOrder{}, fmt.Errorf("reservation of line %d: %w", l.LineNo, err)
		}
		if r.Status != "open" {
			return PartOrder{}, &fault.ConflictError{Detail: fmt.Sprintf("line %d of part order %s is not held (%s)", l.LineNo, cur.Number, r.Status)}
		}
		issue := posting{Key: "part-order-pickup:" + l.ID.String(), Type: "issue", IssueKind: "consumer_purchase",
			WarehouseID: r.WarehouseID, PartID: r.PartID, Qty: -r.Qty, Consume: r.Qty, ReservationID: uuid.NullUUID{UUID: r.ID, Valid: true},
			PartOrderID: uuid.NullUUID{UUID: cur.ID, Valid: true}, Reason: "part order " + cur.Number + " picked up",
			fields: fields{warehouse: "warehouse_id", part: "part_id", qty: "qty", serial: "serial"}}
		if !l.SerialTracked {
			if _, _, err := post(ctx, tx, issue); err != nil {
				return PartOrder{}, err
			}
		} else {
			// One unit per serial: the serial's row lock makes a concurrent pickup of the same
			// unit wait, then find it sold.
			for j, sn := range serials[l.ID] {
				unit := issue
				unit.Key, unit.Qty, unit.Consume, unit.Serial, unit.SerialPlace = issue.Key+":"+strconv.Itoa(j), -1, 1, sn, "sold"
				unit.fields.serial = fmt.Sprintf("lines[%d].serials[%d]", at[l.ID], j)
				if err := serialAtWarehouse(ctx, tx, r.PartID, r.WarehouseID, sn, unit.fields.serial); err != nil {
					return PartOrder{}, err
				}
				if _, _, err := post(ctx, tx, unit); err != nil {
					return PartOrder{}, err
				}
			}
			if _, err := tx.Q.SetPartOrderLineSerials(ctx, tx, db.SetPartOrderLineSerialsParams{TenantID: tx.Scope.TenantID, ID: l.ID,
				Serials: serials[l.ID]}); err != nil {
				return PartOrder{}, fault.DBError(err, "", "")
			}
		}
		if _, err := tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: r.ID,
			Status: "consumed"}); err != nil {
			return PartOrder{}, fault.DBError(err, "", "")
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return PartOrder{}, err
	}
	by := tx.Scope.Actor.Label
	row, err := tx.Q.SetPartOrderStatus(ctx, tx, db.SetPartOrderStatusParams{TenantID: tx.Scope.TenantID, ID: cur.ID, Status: PartOrderPickedUp,
		Version: cur.Version, PickedUpAt: &now, PickedUpBy: &by})
	if err != nil {
		return PartOrder{}, fault.StaleIfMissing(err)
	}
	po, err := partOrderWithLines(ctx, tx, row)
	if err != nil {
		return PartOrder{}, err
	}
	return po, tx.Audit(ctx, "part_order.pickup", "part_order", po.ID, before, po)
}

// CancelPartOrder cancels an order not picked up: each line's reservation is released (held
// stock serves the next waiting reservation) and a bill that took no money is void. An
// order whose bill took money is refused until it is refunded.
func (s *Service) CancelPartOrder(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, reason string) (PartOrder, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PartOrder{}, fault.Invalid("reason", "give a reason to cancel the order")
	}
	cur, err := lockPartOrder(ctx, tx, id, version)
	if err != nil {
		return PartOrder{}, err
	}
	if cur.Status == PartOrderPickedUp || cur.Status == PartOrderCancelled {
		return PartOrder{}, &fault.ConflictError{Detail: "part order " + cur.Number + " is already " + cur.Status}
	}
	bill, err := tx.Q.GetBillOfPartOrder(ctx, tx, db.GetBillOfPartOrderParams{TenantID: tx.Scope.TenantID,
		PartOrderID: uuid.NullUUID{UUID: cur.ID, Valid: true}})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return PartOrder{}, fmt.Errorf("bill of part order: %w", err)
	}
	if err == nil && bill.Paid-bill.Refunded > 0 {
		return PartOrder{}, &fault.ConflictError{Detail: fmt.Sprintf("the customer paid %d minor units on part order %s: refund the "+
			"payments before cancelling", bill.Paid-bill.Refunded, cur.Number)}
	}
	before, err := partOrderWithLines(ctx, tx, cur)
	if err != nil {
		return PartOrder{}, err
	}
	// A replenishment request a line raised and nobody reviewed yet is withdrawn with the
	// order; one approved or shipped stays (its stock arrives anyway and serves others).
	now, err := tx.Now(ctx)
	if err != nil {
		return PartOrder{}, err
	}
	for _, l := range before.Lines {
		if l.RequestID == nil {
			continue
		}
		req, err := tx.Q.WithdrawPartRequest(ctx, tx, db.WithdrawPartRequestParams{TenantID: tx.Scope.TenantID, ID: *l.RequestID,
			CancelReason: "part order " + cur.Number + " was cancelled: " + reason, UpdatedAt: now})
		if errors.Is(err, pgx.ErrNoRows) {
			continue // reviewed already
		} else if err != nil {
			return PartOrder{}, fault.DBError(err, "", "")
		}
		if err := tx.Audit(ctx, "part_request.withdraw", "part_request", req.ID, map[string]string{"status": "pending"},
			requestFromRow(req)); err != nil {
			return PartOrder{}, err
		}
	}
	// Waiting lines first: releasing a held one lets its stock serve waiting reservations,
	// which must not be this order's own.
	for _, waiting := range []bool{true, false} {
		for _, l := range before.Lines {
			if l.ReservationID == nil || (l.Status == "waiting") != waiting {
				continue
			}
			if _, err := s.Release(ctx, tx, *l.ReservationID); err != nil {
				return PartOrder{}, err
			}
		}
	}
	if err := tx.Q.VoidPartOrderBill(ctx, tx, db.VoidPartOrderBillParams{TenantID: tx.Scope.TenantID,
		PartOrderID: uuid.NullUUID{UUID: cur.ID, Valid: true}}); err != nil {
		return PartOrder{}, fmt.Errorf("void bill: %w", err)
	}
	row, err := tx.Q.SetPartOrderStatus(ctx, tx, db.SetPartOrderStatusParams{TenantID: tx.Scope.TenantID, ID: cur.ID, Status: PartOrderCancelled,
		Version: cur.Version, CancelledAt: &now, CancelReason: &reason})
	if err != nil {
		return PartOrder{}, fault.StaleIfMissing(err)
	}
	po, err := partOrderWithLines(ctx, tx, row)
	if err != nil {
		return PartOrder{}, err
	}
	return po, tx.Audit(ctx, "part_order.cancel", "part_order", po.ID, before, po)
}

// serialAtWarehouse explains a serial that cannot be handed over from the warehouse: not one
// of the part's, or not (or no longer) in stock there.
func serialAtWarehouse(ctx context.Context, tx *tenants.Tx, partID, warehouseID uuid.UUID, serial, field string) error {
	cur, err := tx.Q.GetSerialForUpdate(ctx, tx, db.GetSerialForUpdateParams{TenantID: tx.Scope.TenantID, PartID: partID, Serial: serial})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fault.Invalid(field, "is not a serial of this part")
	case err != nil:
		return fmt.Errorf("serial: %w", err)
	case cur.Place != "in_stock":
		return fault.Invalid(field, "is no longer in stock ("+cur.Place+")")
	case cur.WarehouseID.UUID != warehouseID:
		return fault.Invalid(field, "is in stock at another warehouse")
	}
	return nil
}

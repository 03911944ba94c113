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
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Service ties stock to service orders: a reservation that cannot be met puts its order in
// 待件 (waiting_parts, where its SLA clocks pause) and asks for replenishment; stock that
// arrives for it moves the order on again, which announces parts.arrived to the customer.
type Service struct {
	Orders *orders.Service
	// Deposits takes loan deposits paid online; nil where Stripe is not set up (online
	// deposits are then refused).
	Deposits DepositDesk
}

// ReservationStatuses are the states of a reservation.
var ReservationStatuses = []string{"open", "waiting", "consumed", "released"}

// Reservation holds a part for an order at a warehouse.
type Reservation struct {
	ID      uuid.UUID  `json:"id"`
	OrderID *uuid.UUID `json:"order_id,omitempty" doc:"The service order it holds the part for"`
	// PartOrderLineID is the line of a part order (parts bought at the counter) it holds the part for.
	PartOrderLineID *uuid.UUID `json:"part_order_line_id,omitempty" doc:"The part order's line it holds the part for"`
	WarehouseID     uuid.UUID  `json:"warehouse_id"`
	PartID          uuid.UUID  `json:"part_id"`
	Qty             int32      `json:"qty"`
	Status          string     `json:"status" doc:"open: held (counted as reserved); waiting: not in stock, the order waits for parts"`
	RequestID       *uuid.UUID `json:"request_id,omitempty" doc:"The replenishment request a waiting reservation raised"`
	CreatedAt       time.Time  `json:"created_at"`
}

func reservationFromRow(r db.StockReservation) Reservation {
	return Reservation{ID: r.ID, OrderID: ptr(r.OrderID), PartOrderLineID: ptr(r.PartOrderLineID), WarehouseID: r.WarehouseID, PartID: r.PartID, Qty: r.Qty, Status: r.Status,
		RequestID: ptr(r.RequestID), CreatedAt: r.CreatedAt}
}

// ReserveInput asks for a part for an order.
type ReserveInput struct {
	WarehouseID uuid.UUID `json:"warehouse_id"`
	PartID      uuid.UUID `json:"part_id"`
	Qty         int32     `json:"qty" minimum:"1" maximum:"10000"`
}

// place checks that the warehouse and part exist in scope and that outlet staff use their
// own outlet's warehouse.
func place(ctx context.Context, tx *tenants.Tx, warehouseID, partID uuid.UUID) (db.Warehouse, db.Part, error) {
	w, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: warehouseID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return w, db.Part{}, fault.Invalid("warehouse_id", "does not exist")
		}
		return w, db.Part{}, fmt.Errorf("warehouse: %w", err)
	}
	if tx.Scope.OutletID != uuid.Nil && (!w.OutletID.Valid || w.OutletID.UUID != tx.Scope.OutletID) {
		return w, db.Part{}, fault.Invalid("warehouse_id", "is not a warehouse of your outlet")
	}
	p, err := tx.Q.GetPart(ctx, tx, db.GetPartParams{TenantID: tx.Scope.TenantID, ID: partID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return w, p, fault.Invalid("part_id", "does not exist")
		}
		return w, p, fmt.Errorf("part: %w", err)
	}
	return w, p, nil
}

func userOf(tx *tenants.Tx) uuid.NullUUID {
	if tx.Scope.UserID == uuid.Nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: tx.Scope.UserID, Valid: true}
}

// Reserve holds a part for an order. What is available (on hand less reserved) is held at
// once; otherwise the reservation waits, a replenishment request asks for the part, and the
// order moves to waiting_parts if its flow allows that move now.
func (s *Service) Reserve(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in ReserveInput) (Reservation, error) {
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return Reservation{}, err
	}
	if in.Qty <= 0 {
		return Reservation{}, fault.Invalid("qty", "must be a whole number of units above zero")
	}
	w, p, err := place(ctx, tx, in.WarehouseID, in.PartID)
	if err != nil {
		return Reservation{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Reservation{}, err
	}
	status := "open"
	if _, err := tx.Q.HoldStock(ctx, tx, db.HoldStockParams{TenantID: tx.Scope.TenantID, WarehouseID: w.ID, PartID: p.ID, Qty: in.Qty,
		UpdatedAt: now}); errors.Is(err, pgx.ErrNoRows) {
		status = "waiting"
	} else if err != nil {
		return Reservation{}, fault.DBError(err, "", "")
	}
	r, err := tx.Q.InsertReservation(ctx, tx, db.InsertReservationParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		OrderID:     uuid.NullUUID{UUID: o.ID, Valid: true},
		WarehouseID: w.ID, PartID: p.ID, OutletID: w.OutletID, Qty: in.Qty, Status: status, CreatedBy: userOf(tx)})
	if err != nil {
		return Reservation{}, fault.DBError(err, "", "")
	}
	if status == "waiting" {
		req, err := tx.Q.CreatePartRequest(ctx, tx, db.CreatePartRequestParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			WarehouseID: w.ID, OutletID: w.OutletID, PartID: p.ID, Qty: in.Qty, Reason: "order " + o.Number + " waits for " + p.PartNo,
			OrderID: uuid.NullUUID{UUID: o.ID, Valid: true}, ReservationID: uuid.NullUUID{UUID: r.ID, Valid: true}, RequestedBy: userOf(tx)})
		if err != nil {
			return Reservation{}, fault.DBError(err, "", "")
		}
		if r, err = tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: r.ID, Status: "waiting",
			RequestID: uuid.NullUUID{UUID: req.ID, Valid: true}}); err != nil {
			return Reservation{}, fault.DBError(err, "", "")
		}
		if orders.CheckTransition(o.Flow, o.Status, orders.StatusWaitingParts) == nil {
			if _, err := s.Orders.Transition(ctx, tx, o.ID, 0, orders.TransitionInput{To: orders.StatusWaitingParts,
				Reason: "part " + p.PartNo + " not in stock"}); err != nil {
				return Reservation{}, err
			}
		}
	}
	res := reservationFromRow(r)
	return res, tx.Audit(ctx, "reservation.create", "stock_reservation", res.ID, nil, res)
}

// Release gives a reservation's part back to what is available (an open one) or stops
// waiting for it (a waiting one). Releasing twice changes nothing.
func (s *Service) Release(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Reservation, error) {
	r, err := tx.Q.GetReservationForUpdate(ctx, tx, db.GetReservationForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Reservation{}, fault.DBError(err, "", "")
	}
	switch r.Status {
	case "consumed", "released":
		return reservationFromRow(r), nil
	case "open":
		now, err := tx.Now(ctx)
		if err != nil {
			return Reservation{}, err
		}
		if _, err := tx.Q.ReleaseStock(ctx, tx, db.ReleaseStockParams{TenantID: tx.Scope.TenantID, WarehouseID: r.WarehouseID, PartID: r.PartID,
			Qty: r.Qty, UpdatedAt: now}); err != nil {
			return Reservation{}, fault.DBError(err, "", "")
		}
	}
	after, err := tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: id, Status: "released"})
	if err != nil {
		return Reservation{}, fault.DBError(err, "", "")
	}
	if r.Status == "open" {
		if err := s.fulfil(ctx, tx, r.WarehouseID, r.PartID); err != nil {
			return Reservation{}, err
		}
	} else if r.OrderID.Valid {
		if err := s.resume(ctx, tx, r.OrderID.UUID); err != nil {
			return Reservation{}, err
		}
	}
	out := reservationFromRow(after)
	return out, tx.Audit(ctx, "reservation.release", "stock_reservation", id, reservationFromRow(r), out)
}

// fulfil holds newly available stock for the reservations waiting for it, oldest first, and
// moves on the orders that wait for nothing else.
func (s *Service) fulfil(ctx context.Context, tx *tenants.Tx, warehouseID, partID uuid.UUID) error {
	waiting, err := tx.Q.WaitingReservations(ctx, tx, db.WaitingReservationsParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouseID,
		PartID: partID})
	if err != nil {
		return fmt.Errorf("waiting reservations: %w", err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	for _, r := range waiting {
		if _, err := tx.Q.HoldStock(ctx, tx, db.HoldStockParams{TenantID: tx.Scope.TenantID, WarehouseID: warehouseID, PartID: partID,
			Qty: r.Qty, UpdatedAt: now}); errors.Is(err, pgx.ErrNoRows) {
			return nil // not enough for the oldest: later ones wait their turn
		} else if err != nil {
			return fault.DBError(err, "", "")
		}
		if _, err := tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: r.ID, Status: "open"}); err != nil {
			return fault.DBError(err, "", "")
		}
		if r.PartOrderLineID.Valid {
			if err := s.lineArrived(ctx, tx, r.PartOrderLineID.UUID, now); err != nil {
				return err
			}
		} else if err := s.resume(ctx, tx, r.OrderID.UUID); err != nil {
			return err
		}
	}
	return nil
}

// resume moves an order out of waiting_parts when none of its reservations waits any more;
// the move announces parts.arrived (到货通知).
func (s *Service) resume(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) error {
	n, err := tx.Q.CountWaitingOfOrder(ctx, tx, db.CountWaitingOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return fmt.Errorf("waiting reservations of the order: %w", err)
	}
	if n > 0 {
		return nil
	}
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return err
	}
	if o.Status != orders.StatusWaitingParts {
		return nil
	}
	for _, to := range orders.Next(o.Flow, o.Status) {
		if to == orders.StatusCancelled {
			continue
		}
		_, err := s.Orders.Transition(ctx, tx, o.ID, 0, orders.TransitionInput{To: to, Reason: "parts arrived"})
		return err
	}
	return nil
}

// Post posts a direct movement (Post) and lets stock that arrived serve the reservations
// waiting for it.
func (s *Service) Post(ctx context.Context, tx *tenants.Tx, in MovementInput, approver uuid.UUID) ([]Movement, bool, error) {
	ms, replay, err := Post(ctx, tx, in, approver)
	if err != nil || replay {
		return ms, replay, err
	}
	for _, m := range ms {
		if m.Qty > 0 {
			if err := s.fulfil(ctx, tx, m.WarehouseID, m.PartID); err != nil {
				return nil, false, err
			}
		}
	}
	return ms, false, nil
}

// OrderPart is a part used on an order.
type OrderPart struct {
	ID            uuid.UUID  `json:"id"`
	OrderID       uuid.UUID  `json:"order_id"`
	WarehouseID   uuid.UUID  `json:"warehouse_id"`
	PartID        uuid.UUID  `json:"part_id"`
	Qty           int32      `json:"qty"`
	IssueKind     string     `json:"issue_kind" doc:"Who pays"`
	ReservationID *uuid.UUID `json:"reservation_id,omitempty" doc:"The reservation the issue consumed"`
	OldSerial     string     `json:"old_serial,omitempty" doc:"Serial of the unit taken out of the customer's product"`
	NewSerial     string     `json:"new_serial,omitempty" doc:"Serial of the unit put in"`
	Status        string     `json:"status" doc:"issued, or returned to stock when removed from the order"`
	CreatedAt     time.Time  `json:"created_at"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
}

// OrderPartStatuses are the states of an order's part.
var OrderPartStatuses = []string{"issued", "returned"}

func orderPartFromRow(r db.OrderPart) OrderPart {
	return OrderPart{ID: r.ID, OrderID: r.OrderID, WarehouseID: r.WarehouseID, PartID: r.PartID, Qty: r.Qty, IssueKind: r.IssueKind,
		ReservationID: ptr(r.ReservationID), OldSerial: r.OldSerial, NewSerial: r.NewSerial, Status: r.Status, CreatedAt: r.CreatedAt,
		ReturnedAt: r.ReturnedAt}
}

// IssueInput issues a part to an order.
type IssueInput struct {
	IdempotencyKey string    `json:"idempotency_key" minLength:"1" maxLength:"200" doc:"Names the issue: sending it again returns the first"`
	WarehouseID    uuid.UUID `json:"warehouse_id"`
	PartID         uuid.UUID `json:"part_id"`
	Qty            int32     `json:"qty" minimum:"1" maximum:"10000"`
	IssueKind      string    `json:"issue_kind" doc:"Who pays: in_warranty, charged (out of warranty) or consumer_purchase"`
	OldSerial      string    `json:"old_serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit taken out"`
	NewSerial      string    `json:"new_serial,omitempty" maxLength:"100" doc:"Serial-tracked parts: the unit put in (from the warehouse)"`
}

// Issue takes a part from a warehouse for an order. An open reservation of the order for the
// part at that warehouse is consumed by it (what it held beyond the issue is released).
func (s *Service) Issue(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in IssueInput) (OrderPart, error) {
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return OrderPart{}, err
	}
	if in.Qty <= 0 {
		return OrderPart{}, fault.Invalid("qty", "must be a whole number of units above zero")
	}
	if !oneOf(in.IssueKind, IssueKinds) {
		return OrderPart{}, fault.Invalid("issue_kind", "must be in_warranty, charged or consumer_purchase")
	}
	if prior, err := tx.Q.GetMovementByKey(ctx, tx, db.GetMovementByKeyParams{TenantID: tx.Scope.TenantID, IdempotencyKey: in.IdempotencyKey}); err == nil {
		if !prior.OrderPartID.Valid || !prior.OrderID.Valid || prior.OrderID.UUID != o.ID {
			return OrderPart{}, ErrKeyReused
		}
		r, err := tx.Q.GetOrderPart(ctx, tx, db.GetOrderPartParams{TenantID: tx.Scope.TenantID, ID: prior.OrderPartID.UUID})
		if err != nil {
			return OrderPart{}, fault.DBError(err, "", "")
		}
		return orderPartFromRow(r), nil
	}
	w, part, err := place(ctx, tx, in.WarehouseID, in.PartID)
	if err != nil {
		return OrderPart{}, err
	}
	owes := in.IssueKind == "in_warranty" && part.ReturnRequired
	if owes && part.SerialTracked && in.OldSerial == "" {
		return OrderPart{}, fault.Invalid("old_serial", "is required: the faulty unit goes back to the maker")
	}
	var consume int32
	var reservation uuid.NullUUID
	res, err := tx.Q.OpenReservationOf(ctx, tx, db.OpenReservationOfParams{TenantID: tx.Scope.TenantID, OrderID: o.ID, WarehouseID: w.ID,
		PartID: in.PartID})
	switch {
	case err == nil:
		consume, reservation = min(res.Qty, in.Qty), uuid.NullUUID{UUID: res.ID, Valid: true}
	case !errors.Is(err, pgx.ErrNoRows):
		return OrderPart{}, fmt.Errorf("reservation of the order: %w", err)
	}
	id := platform.NewID()
	if _, _, err := post(ctx, tx, posting{Key: in.IdempotencyKey, Type: "issue", IssueKind: in.IssueKind, WarehouseID: w.ID, PartID: in.PartID,
		Qty: -in.Qty, Consume: consume, Serial: in.NewSerial, SerialPlace: "installed", OrderID: uuid.NullUUID{UUID: o.ID, Valid: true},
		OrderPartID: uuid.NullUUID{UUID: id, Valid: true}, ReservationID: reservation,
		fields: fields{warehouse: "warehouse_id", part: "part_id", qty: "qty", serial: "new_serial"}}); err != nil {
		return OrderPart{}, err
	}
	if reservation.Valid {
		if rest := res.Qty - consume; rest > 0 {
			now, err := tx.Now(ctx)
			if err != nil {
				return OrderPart{}, err
			}
			if _, err := tx.Q.ReleaseStock(ctx, tx, db.ReleaseStockParams{TenantID: tx.Scope.TenantID, WarehouseID: w.ID, PartID: in.PartID,
				Qty: rest, UpdatedAt: now}); err != nil {
				return OrderPart{}, fault.DBError(err, "", "")
			}
		}
		if _, err := tx.Q.SetReservationStatus(ctx, tx, db.SetReservationStatusParams{TenantID: tx.Scope.TenantID, ID: res.ID,
			Status: "consumed"}); err != nil {
			return OrderPart{}, fault.DBError(err, "", "")
		}
	}
	r, err := tx.Q.InsertOrderPart(ctx, tx, db.InsertOrderPartParams{TenantID: tx.Scope.TenantID, ID: id, OrderID: o.ID, WarehouseID: w.ID,
		PartID: in.PartID, OutletID: w.OutletID, Qty: in.Qty, IssueKind: in.IssueKind, ReservationID: reservation, OldSerial: in.OldSerial,
		NewSerial: in.NewSerial})
	if err != nil {
		return OrderPart{}, fault.DBError(err, "", "")
	}
	if owes {
		if err := oweReturn(ctx, tx, in.IdempotencyKey, r, w); err != nil {
			return OrderPart{}, err
		}
	}
	op := orderPartFromRow(r)
	return op, tx.Audit(ctx, "order_part.issue", "order_part", op.ID, nil, op)
}

// Remove takes a part off an order and puts it back into the warehouse it came from (a
// return from the order in the journal; a serial-tracked unit goes back into stock). Removing
// it twice changes nothing.
func (s *Service) Remove(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (OrderPart, error) {
	r, err := tx.Q.GetOrderPartForUpdate(ctx, tx, db.GetOrderPartForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return OrderPart{}, fault.DBError(err, "", "")
	}
	if r.Status == "returned" {
		return orderPartFromRow(r), nil
	}
	if err := forgiveReturn(ctx, tx, r); err != nil {
		return OrderPart{}, err
	}
	if _, _, err := post(ctx, tx, posting{Key: "order-part-return:" + id.String(), Type: "order_return", WarehouseID: r.WarehouseID,
		PartID: r.PartID, Qty: r.Qty, Serial: r.NewSerial, OrderID: uuid.NullUUID{UUID: r.OrderID, Valid: true},
		OrderPartID: uuid.NullUUID{UUID: r.ID, Valid: true}}); err != nil {
		return OrderPart{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return OrderPart{}, err
	}
	after, err := tx.Q.ReturnOrderPart(ctx, tx, db.ReturnOrderPartParams{TenantID: tx.Scope.TenantID, ID: id, ReturnedAt: &now})
	if err != nil {
		return OrderPart{}, fault.DBError(err, "", "")
	}
	if err := s.fulfil(ctx, tx, r.WarehouseID, r.PartID); err != nil {
		return OrderPart{}, err
	}
	op := orderPartFromRow(after)
	return op, tx.Audit(ctx, "order_part.return", "order_part", id, orderPartFromRow(r), op)
}

// OrderStock is what an order holds and used.
type OrderStock struct {
	Reservations []Reservation `json:"reservations"`
	Parts        []OrderPart   `json:"parts"`
}

// ForOrder lists an order's reservations and parts.
func ForOrder(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) (OrderStock, error) {
	if _, err := orders.Get(ctx, tx, orderID); err != nil {
		return OrderStock{}, err
	}
	rs, err := tx.Q.ListOrderReservations(ctx, tx, db.ListOrderReservationsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return OrderStock{}, fmt.Errorf("reservations of the order: %w", err)
	}
	ps, err := tx.Q.ListOrderParts(ctx, tx, db.ListOrderPartsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return OrderStock{}, fmt.Errorf("parts of the order: %w", err)
	}
	out := OrderStock{Reservations: make([]Reservation, len(rs)), Parts: make([]OrderPart, len(ps))}
	for i, r := range rs {
		out.Reservations[i] = reservationFromRow(r)
	}
	for i, p := range ps {
		out.Parts[i] = orderPartFromRow(p)
	}
	return out, nil
}

// GetReservation returns one reservation.
func GetReservation(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Reservation, error) {
	r, err := tx.Q.GetReservation(ctx, tx, db.GetReservationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Reservation{}, fault.DBError(err, "", "")
	}
	return reservationFromRow(r), nil
}

// GetOrderPart returns one part of an order.
func GetOrderPart(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (OrderPart, error) {
	r, err := tx.Q.GetOrderPart(ctx, tx, db.GetOrderPartParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return OrderPart{}, fault.DBError(err, "", "")
	}
	return orderPartFromRow(r), nil
}

// Arrived lets stock that arrived at a warehouse serve the reservations waiting for the part.
func (s *Service) Arrived(ctx context.Context, tx *tenants.Tx, warehouseID, partID uuid.UUID) error {
	return s.fulfil(ctx, tx, warehouseID, partID)
}

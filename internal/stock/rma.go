package stock

// Faulty parts back to the maker (RMA, 返修; docs/stock.md): an in-warranty issue of a
// return-required part owes the faulty part back; the unit waits in the outlet's
// returned-goods warehouse (an rma_hold movement) until a return shipment sends it (rma_ship,
// partial returns allowed); the carrier's updates move the shipment along, and the receiving
// side inspects each line, which the claims' signals read.

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
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// RMALineStatuses are the states of an owed faulty part.
var RMALineStatuses = []string{"owed", "partly_shipped", "shipped", "cancelled"}

// RMAShipmentStatuses are the states of a return shipment: sent, then as the carrier reports
// (in_transit, delivered, exception), then inspected by the receiving side.
var RMAShipmentStatuses = []string{"sent", "in_transit", "delivered", "exception", "inspected"}

// Inspection results of a returned part.
const (
	ResultConfirmedFaulty = "confirmed_faulty"
	ResultNoFaultFound    = "no_fault_found"
	ResultWrongPart       = "wrong_part"
)

// InspectionResults lists the inspection results.
var InspectionResults = []string{ResultConfirmedFaulty, ResultNoFaultFound, ResultWrongPart}

// RMALine is a faulty part owed back to the maker.
type RMALine struct {
	ID          uuid.UUID  `json:"id"`
	OrderID     uuid.UUID  `json:"order_id"`
	OrderPartID uuid.UUID  `json:"order_part_id" doc:"The in-warranty issue that replaced the faulty part"`
	PartID      uuid.UUID  `json:"part_id"`
	OutletID    *uuid.UUID `json:"outlet_id,omitempty"`
	WarehouseID *uuid.UUID `json:"warehouse_id,omitempty" doc:"The returned-goods warehouse holding the faulty units until sent (absent: not held in stock)"`
	Serial      string     `json:"serial,omitempty" doc:"The faulty unit's serial (serial-tracked parts)"`
	Qty         int32      `json:"qty"`
	QtyShipped  int32      `json:"qty_shipped"`
	Status      string     `json:"status" doc:"owed, partly_shipped, shipped or cancelled (the part was taken off the order)"`
	CreatedAt   time.Time  `json:"created_at"`
}

func rmaLineFromRow(r db.RmaLine) RMALine {
	return RMALine{ID: r.ID, OrderID: r.OrderID, OrderPartID: r.OrderPartID, PartID: r.PartID, OutletID: ptr(r.OutletID),
		WarehouseID: ptr(r.WarehouseID), Serial: r.Serial, Qty: r.Qty, QtyShipped: r.QtyShipped, Status: r.Status, CreatedAt: r.CreatedAt}
}

// oweReturn records that an in-warranty issue owes the faulty part back, and puts the faulty
// units into the returned-goods warehouse of the issuing warehouse's outlet when it has one.
func oweReturn(ctx context.Context, tx *tenants.Tx, key string, op db.OrderPart, from db.Warehouse) error {
	var held uuid.NullUUID
	rw, err := tx.Q.ReturnsWarehouseOf(ctx, tx, db.ReturnsWarehouseOfParams{TenantID: tx.Scope.TenantID, OutletID: from.OutletID})
	switch {
	case err == nil:
		held = uuid.NullUUID{UUID: rw.ID, Valid: true}
		if _, _, err := post(ctx, tx, posting{Key: key + "#rma", Type: "rma_hold", WarehouseID: rw.ID, PartID: op.PartID, Qty: op.Qty,
			Serial: op.OldSerial, OrderID: uuid.NullUUID{UUID: op.OrderID, Valid: true}, OrderPartID: uuid.NullUUID{UUID: op.ID, Valid: true},
			Reason: "faulty part owed to the maker", fields: fields{warehouse: "warehouse_id", part: "part_id", qty: "qty", serial: "old_serial"}}); err != nil {
			return err
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("returned-goods warehouse: %w", err)
	}
	l, err := tx.Q.InsertRMALine(ctx, tx, db.InsertRMALineParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), OrderID: op.OrderID,
		OrderPartID: op.ID, PartID: op.PartID, OutletID: op.OutletID, WarehouseID: held, Serial: op.OldSerial, Qty: op.Qty})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	out := rmaLineFromRow(l)
	return tx.Audit(ctx, "rma_line.owe", "rma_line", out.ID, nil, out)
}

// forgiveReturn cancels what an order part owed when the part is taken off the order: the
// faulty unit goes back into the product. A faulty part already sent cannot be taken back.
func forgiveReturn(ctx context.Context, tx *tenants.Tx, op db.OrderPart) error {
	l, err := tx.Q.RMALineOfOrderPart(ctx, tx, db.RMALineOfOrderPartParams{TenantID: tx.Scope.TenantID, OrderPartID: op.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("rma line of the order part: %w", err)
	}
	switch l.Status {
	case "cancelled":
		return nil
	case "partly_shipped", "shipped":
		return &fault.ConflictError{Detail: "the faulty part was already sent back to the maker"}
	}
	if l.WarehouseID.Valid {
		if _, _, err := post(ctx, tx, posting{Key: "rma-forgive:" + l.ID.String(), Type: "rma_hold", WarehouseID: l.WarehouseID.UUID,
			PartID: l.PartID, Qty: -l.Qty, Serial: l.Serial, SerialPlace: "installed", OrderID: uuid.NullUUID{UUID: l.OrderID, Valid: true},
			OrderPartID: uuid.NullUUID{UUID: op.ID, Valid: true}, Reason: "part taken off the order: the faulty part stays in the product"}); err != nil {
			return err
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return err
	}
	after, err := tx.Q.CancelRMALine(ctx, tx, db.CancelRMALineParams{TenantID: tx.Scope.TenantID, ID: l.ID, UpdatedAt: now})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	return tx.Audit(ctx, "rma_line.cancel", "rma_line", l.ID, rmaLineFromRow(l), rmaLineFromRow(after))
}

// RMALineFilter narrows the owed lines.
type RMALineFilter struct {
	Before  uuid.NullUUID
	Status  string
	OrderID uuid.NullUUID
	Limit   int32
}

// ListRMALines lists the faulty parts owed (and sent) newest first; outlet staff see their
// outlet's.
func ListRMALines(ctx context.Context, tx *tenants.Tx, f RMALineFilter) ([]RMALine, error) {
	p := db.ListRMALinesParams{TenantID: tx.Scope.TenantID, Before: f.Before, OrderID: f.OrderID, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	rows, err := tx.Q.ListRMALines(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list rma lines: %w", err)
	}
	out := make([]RMALine, len(rows))
	for i, r := range rows {
		out[i] = rmaLineFromRow(r)
	}
	return out, nil
}

// GetRMALine returns one owed line.
func GetRMALine(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (RMALine, error) {
	r, err := tx.Q.GetRMALine(ctx, tx, db.GetRMALineParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return RMALine{}, fault.DBError(err, "", "")
	}
	return rmaLineFromRow(r), nil
}

// RMAShipmentLine is one line of a return shipment.
type RMAShipmentLine struct {
	LineNo      int32      `json:"line_no"`
	RMALineID   uuid.UUID  `json:"rma_line_id"`
	OrderID     uuid.UUID  `json:"order_id"`
	PartID      uuid.UUID  `json:"part_id"`
	Serial      string     `json:"serial,omitempty"`
	Qty         int32      `json:"qty"`
	Result      string     `json:"result,omitempty" doc:"The inspection's result: confirmed_faulty, no_fault_found or wrong_part (absent until inspected)"`
	ResultNote  string     `json:"result_note,omitempty"`
	InspectedBy *uuid.UUID `json:"inspected_by,omitempty"`
	InspectedAt *time.Time `json:"inspected_at,omitempty"`
}

// TrackingEvent is a carrier's status update of a shipment.
type TrackingEvent struct {
	EventID    string    `json:"event_id"`
	Status     string    `json:"status"`
	Detail     string    `json:"detail,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// RMAShipment is a return shipment of faulty parts to the maker.
type RMAShipment struct {
	ID          uuid.UUID         `json:"id"`
	OutletID    *uuid.UUID        `json:"outlet_id,omitempty" doc:"The outlet that sent it (absent: the centre)"`
	Carrier     string            `json:"carrier"`
	TrackingNo  string            `json:"tracking_no"`
	TrackingURL string            `json:"tracking_url,omitempty"`
	Status      string            `json:"status" doc:"sent, in_transit, delivered, exception or inspected"`
	Note        string            `json:"note,omitempty"`
	SentBy      *uuid.UUID        `json:"sent_by,omitempty"`
	SentAt      time.Time         `json:"sent_at"`
	DeliveredAt *time.Time        `json:"delivered_at,omitempty"`
	InspectedAt *time.Time        `json:"inspected_at,omitempty"`
	Version     int32             `json:"version"`
	Lines       []RMAShipmentLine `json:"lines"`
	Tracking    []TrackingEvent   `json:"tracking"`
}

func shipmentFromRow(r db.RmaShipment) RMAShipment {
	return RMAShipment{ID: r.ID, OutletID: ptr(r.OutletID), Carrier: r.Carrier, TrackingNo: r.TrackingNo, Status: r.Status, Note: r.Note,
		SentBy: ptr(r.SentBy), SentAt: r.SentAt, DeliveredAt: r.DeliveredAt, InspectedAt: r.InspectedAt, Version: r.Version,
		Lines: []RMAShipmentLine{}, Tracking: []TrackingEvent{}}
}

func shipmentLineFromRow(r db.RmaShipmentLine) RMAShipmentLine {
	return RMAShipmentLine{LineNo: r.LineNo, RMALineID: r.RmaLineID, OrderID: r.OrderID, PartID: r.PartID, Serial: r.Serial, Qty: r.Qty,
		Result: r.Result, ResultNote: r.ResultNote, InspectedBy: ptr(r.InspectedBy), InspectedAt: r.InspectedAt}
}

// withLines reads a shipment's lines and tracking.
func withLines(ctx context.Context, tx *tenants.Tx, r db.RmaShipment) (RMAShipment, error) {
	s := shipmentFromRow(r)
	ls, err := tx.Q.ListRMAShipmentLines(ctx, tx, db.ListRMAShipmentLinesParams{TenantID: tx.Scope.TenantID, ShipmentID: r.ID})
	if err != nil {
		return s, fmt.Errorf("shipment lines: %w", err)
	}
	for _, l := range ls {
		s.Lines = append(s.Lines, shipmentLineFromRow(l))
	}
	es, err := tx.Q.ListRMATrackingEvents(ctx, tx, db.ListRMATrackingEventsParams{TenantID: tx.Scope.TenantID, ShipmentID: r.ID})
	if err != nil {
		return s, fmt.Errorf("shipment tracking: %w", err)
	}
	for _, e := range es {
		s.Tracking = append(s.Tracking, TrackingEvent{EventID: e.EventID, Status: e.Status, Detail: e.Detail, OccurredAt: e.OccurredAt})
	}
	return s, nil
}

// RMAShipmentLineInput sends all or part of an owed line.
type RMAShipmentLineInput struct {
	RMALineID uuid.UUID `json:"rma_line_id"`
	Qty       int32     `json:"qty" minimum:"1" maximum:"10000" doc:"Units sent: at most what the line still owes (a partial return leaves the rest owed)"`
}

// RMAShipmentInput is a return shipment to send.
type RMAShipmentInput struct {
	IdempotencyKey string                 `json:"idempotency_key" minLength:"1" maxLength:"200" doc:"Names the shipment: sending it again returns the first"`
	Carrier        string                 `json:"carrier" doc:"The carrier's code (one the product is wired with, e.g. dev)"`
	TrackingNo     string                 `json:"tracking_no" pattern:"^[A-Za-z0-9-]{4,64}$" doc:"The carrier's tracking number"`
	Note           string                 `json:"note,omitempty" maxLength:"500"`
	Lines          []RMAShipmentLineInput `json:"lines" minItems:"1" maxItems:"200"`
}

// SendReturns batches owed faulty parts of one outlet into a return shipment and sends it:
// each line ships all or part of what its owed line still owes, and the faulty units held in
// stock leave it (rma_ship). Everything is checked before anything moves; sending the same
// key again returns the first shipment.
func SendReturns(ctx context.Context, tx *tenants.Tx, carriers logistics.Carriers, in RMAShipmentInput) (RMAShipment, error) {
	if prior, err := tx.Q.RMAShipmentByKey(ctx, tx, db.RMAShipmentByKeyParams{TenantID: tx.Scope.TenantID, IdempotencyKey: in.IdempotencyKey}); err == nil {
		return withLines(ctx, tx, prior)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return RMAShipment{}, fmt.Errorf("shipment by key: %w", err)
	}
	if _, ok := carriers.Get(in.Carrier); !ok {
		return RMAShipment{}, fault.Invalid("carrier", "is not a carrier the service is wired with")
	}
	in.TrackingNo = strings.TrimSpace(in.TrackingNo)
	if len(in.Lines) == 0 {
		return RMAShipment{}, fault.Invalid("lines", "name at least one owed part")
	}
	ids := make([]uuid.UUID, len(in.Lines))
	seen := map[uuid.UUID]bool{}
	for i, l := range in.Lines {
		if l.Qty <= 0 {
			return RMAShipment{}, fault.Invalid(fmt.Sprintf("lines[%d].qty", i), "must be a whole number of units above zero")
		}
		if seen[l.RMALineID] {
			return RMAShipment{}, fault.Invalid(fmt.Sprintf("lines[%d].rma_line_id", i), "is named twice")
		}
		seen[l.RMALineID], ids[i] = true, l.RMALineID
	}
	locked, err := tx.Q.LockRMALines(ctx, tx, db.LockRMALinesParams{TenantID: tx.Scope.TenantID, Ids: ids})
	if err != nil {
		return RMAShipment{}, fmt.Errorf("lock rma lines: %w", err)
	}
	byID := map[uuid.UUID]db.RmaLine{}
	for _, l := range locked {
		byID[l.ID] = l
	}
	var outlet uuid.NullUUID
	for i, in := range in.Lines {
		at := fmt.Sprintf("lines[%d]", i)
		l, ok := byID[in.RMALineID]
		if !ok {
			return RMAShipment{}, fault.Invalid(at+".rma_line_id", "does not exist")
		}
		if i == 0 {
			outlet = l.OutletID
		} else if l.OutletID != outlet {
			return RMAShipment{}, fault.Invalid(at+".rma_line_id", "is owed by another outlet: a shipment carries one outlet's parts")
		}
		if l.Status != "owed" && l.Status != "partly_shipped" {
			return RMAShipment{}, fault.Invalid(at+".rma_line_id", "owes nothing any more ("+l.Status+")")
		}
		if rest := l.Qty - l.QtyShipped; in.Qty > rest {
			return RMAShipment{}, fault.Invalid(at+".qty", fmt.Sprintf("is more than the line still owes (%d)", rest))
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return RMAShipment{}, err
	}
	sh, err := tx.Q.InsertRMAShipment(ctx, tx, db.InsertRMAShipmentParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		IdempotencyKey: in.IdempotencyKey, OutletID: outlet, Carrier: in.Carrier, TrackingNo: in.TrackingNo, Note: in.Note, SentBy: userOf(tx),
		SentAt: now})
	if errors.Is(err, pgx.ErrNoRows) {
		if prior, err := tx.Q.RMAShipmentByKey(ctx, tx, db.RMAShipmentByKeyParams{TenantID: tx.Scope.TenantID, IdempotencyKey: in.IdempotencyKey}); err == nil {
			return withLines(ctx, tx, prior)
		}
		return RMAShipment{}, fault.Invalid("tracking_no", "is already on another return shipment with this carrier")
	}
	if err != nil {
		return RMAShipment{}, fault.DBError(err, "", "")
	}
	for i, in := range in.Lines {
		l := byID[in.RMALineID]
		if _, err := tx.Q.ShipRMALine(ctx, tx, db.ShipRMALineParams{TenantID: tx.Scope.TenantID, ID: l.ID, Qty: in.Qty, UpdatedAt: now}); err != nil {
			return RMAShipment{}, fault.DBError(err, "", "")
		}
		if _, err := tx.Q.InsertRMAShipmentLine(ctx, tx, db.InsertRMAShipmentLineParams{TenantID: tx.Scope.TenantID, ShipmentID: sh.ID,
			LineNo: int32(i + 1), RmaLineID: l.ID, OrderID: l.OrderID, PartID: l.PartID, OutletID: l.OutletID, Serial: l.Serial, Qty: in.Qty}); err != nil {
			return RMAShipment{}, fault.DBError(err, "", "")
		}
		if l.WarehouseID.Valid {
			at := "lines[" + strconv.Itoa(i) + "]."
			if _, _, err := post(ctx, tx, posting{Key: "rma-ship:" + sh.ID.String() + ":" + strconv.Itoa(i+1), Type: "rma_ship",
				WarehouseID: l.WarehouseID.UUID, PartID: l.PartID, Qty: -in.Qty, Serial: l.Serial, SerialPlace: "returned_to_maker",
				OrderID: uuid.NullUUID{UUID: l.OrderID, Valid: true}, OrderPartID: uuid.NullUUID{UUID: l.OrderPartID, Valid: true},
				Reason: "returned to the maker, " + sh.Carrier + " " + sh.TrackingNo,
				fields: fields{warehouse: at + "rma_line_id", part: at + "rma_line_id", qty: at + "qty", serial: at + "rma_line_id"}}); err != nil {
				return RMAShipment{}, err
			}
		}
	}
	out, err := withLines(ctx, tx, sh)
	if err != nil {
		return RMAShipment{}, err
	}
	return out, tx.Audit(ctx, "rma_shipment.send", "rma_shipment", out.ID, nil, out)
}

// RMAShipmentFilter narrows the shipments.
type RMAShipmentFilter struct {
	Before uuid.NullUUID
	Status string
	Limit  int32
}

// ListRMAShipments lists return shipments newest first (with their lines); outlet staff see
// their outlet's.
func ListRMAShipments(ctx context.Context, tx *tenants.Tx, f RMAShipmentFilter) ([]RMAShipment, error) {
	p := db.ListRMAShipmentsParams{TenantID: tx.Scope.TenantID, Before: f.Before, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	rows, err := tx.Q.ListRMAShipments(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list rma shipments: %w", err)
	}
	out := make([]RMAShipment, len(rows))
	for i, r := range rows {
		if out[i], err = withLines(ctx, tx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetRMAShipment returns one shipment with its lines and tracking.
func GetRMAShipment(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (RMAShipment, error) {
	r, err := tx.Q.GetRMAShipment(ctx, tx, db.GetRMAShipmentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return RMAShipment{}, fault.DBError(err, "", "")
	}
	return withLines(ctx, tx, r)
}

// ErrUnknownParcel is a carrier update for a tracking number no shipment of the tenant has.
var ErrUnknownParcel = errors.New("no return shipment has this tracking number")

// Track applies a carrier's status update to the shipment with its tracking number: each
// update is stored once (by the carrier's event id); the status follows it until the parcel
// is delivered (a late in-transit update does not undo a delivery) or inspected. It reports
// whether the update was new.
func Track(ctx context.Context, tx *tenants.Tx, carrier string, u logistics.Update) (bool, error) {
	sh, err := tx.Q.RMAShipmentByTracking(ctx, tx, db.RMAShipmentByTrackingParams{TenantID: tx.Scope.TenantID, Carrier: carrier,
		TrackingNo: u.TrackingNo})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, ErrUnknownParcel
	}
	if err != nil {
		return false, fmt.Errorf("shipment by tracking: %w", err)
	}
	if _, err := tx.Q.InsertRMATrackingEvent(ctx, tx, db.InsertRMATrackingEventParams{TenantID: tx.Scope.TenantID, ShipmentID: sh.ID,
		EventID: u.EventID, OutletID: sh.OutletID, Status: u.Status, Detail: truncate(u.Detail, 500), OccurredAt: u.OccurredAt}); errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fault.DBError(err, "", "")
	}
	if sh.Status == "delivered" || sh.Status == "inspected" || sh.Status == u.Status {
		return true, nil
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return false, err
	}
	p := db.SetRMAShipmentStatusParams{TenantID: tx.Scope.TenantID, ID: sh.ID, Status: u.Status, UpdatedAt: now}
	if u.Status == logistics.Delivered {
		p.DeliveredAt = &u.OccurredAt
	}
	after, err := tx.Q.SetRMAShipmentStatus(ctx, tx, p)
	if err != nil {
		return false, fault.DBError(err, "", "")
	}
	return true, tx.Audit(ctx, "rma_shipment.track", "rma_shipment", sh.ID, shipmentFromRow(sh), shipmentFromRow(after))
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// InspectionLine is the receiving side's finding on one line.
type InspectionLine struct {
	LineNo int32  `json:"line_no" minimum:"1" maximum:"200"`
	Result string `json:"result" doc:"confirmed_faulty, no_fault_found or wrong_part"`
	Note   string `json:"note,omitempty" maxLength:"500" doc:"What the inspection found; required unless confirmed_faulty"`
}

// InspectionInput is the inspection of some or all of a shipment's lines.
type InspectionInput struct {
	Lines []InspectionLine `json:"lines" minItems:"1" maxItems:"200"`
}

// Inspect records the receiving side's findings on a shipment's lines, each once; when every
// line is inspected the shipment is. Inspection is the centre's: a scope of one outlet is
// refused, even for its own shipment.
func Inspect(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in InspectionInput) (RMAShipment, error) {
	if tx.Scope.OutletID != uuid.Nil {
		return RMAShipment{}, fmt.Errorf("%w: returned parts are inspected by the receiving side, not the outlet that sent them", fault.ErrForbidden)
	}
	sh, err := tx.Q.LockRMAShipment(ctx, tx, db.LockRMAShipmentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return RMAShipment{}, fault.DBError(err, "", "")
	}
	before, err := withLines(ctx, tx, sh)
	if err != nil {
		return RMAShipment{}, err
	}
	lines := map[int32]RMAShipmentLine{}
	for _, l := range before.Lines {
		lines[l.LineNo] = l
	}
	seen := map[int32]bool{}
	for i, l := range in.Lines {
		at := fmt.Sprintf("lines[%d]", i)
		cur, ok := lines[l.LineNo]
		switch {
		case !ok:
			return RMAShipment{}, fault.Invalid(at+".line_no", "is not a line of the shipment")
		case seen[l.LineNo]:
			return RMAShipment{}, fault.Invalid(at+".line_no", "is named twice")
		case cur.Result != "":
			return RMAShipment{}, fault.Invalid(at+".line_no", "is already inspected ("+cur.Result+")")
		case !oneOf(l.Result, InspectionResults):
			return RMAShipment{}, fault.Invalid(at+".result", "must be confirmed_faulty, no_fault_found or wrong_part")
		case l.Result != ResultConfirmedFaulty && strings.TrimSpace(l.Note) == "":
			return RMAShipment{}, fault.Invalid(at+".note", "say what the inspection found")
		}
		seen[l.LineNo] = true
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return RMAShipment{}, err
	}
	for _, l := range in.Lines {
		if _, err := tx.Q.InspectRMAShipmentLine(ctx, tx, db.InspectRMAShipmentLineParams{TenantID: tx.Scope.TenantID, ShipmentID: id,
			LineNo: l.LineNo, Result: l.Result, ResultNote: strings.TrimSpace(l.Note), InspectedBy: userOf(tx), InspectedAt: &now}); err != nil {
			return RMAShipment{}, fault.DBError(err, "", "")
		}
	}
	if len(seen)+countInspected(before.Lines) == len(before.Lines) {
		if _, err := tx.Q.SetRMAShipmentStatus(ctx, tx, db.SetRMAShipmentStatusParams{TenantID: tx.Scope.TenantID, ID: id, Status: "inspected",
			InspectedAt: &now, UpdatedAt: now}); err != nil {
			return RMAShipment{}, fault.DBError(err, "", "")
		}
	}
	after, err := GetRMAShipment(ctx, tx, id)
	if err != nil {
		return RMAShipment{}, err
	}
	return after, tx.Audit(ctx, "rma_shipment.inspect", "rma_shipment", id, before, after)
}

func countInspected(ls []RMAShipmentLine) int {
	n := 0
	for _, l := range ls {
		if l.Result != "" {
			n++
		}
	}
	return n
}

package stock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// DiscrepancyReasons say why a transfer line was received short.
var DiscrepancyReasons = []string{"short_shipped", "damaged", "lost", "wrong_part", "other"}

// TransferLine is one part of a transfer.
type TransferLine struct {
	LineNo            int32     `json:"line_no"`
	PartID            uuid.UUID `json:"part_id"`
	QtyShipped        int32     `json:"qty_shipped"`
	QtyReceived       *int32    `json:"qty_received,omitempty"`
	DiscrepancyReason string    `json:"discrepancy_reason,omitempty"`
	Serials           []string  `json:"serials,omitempty"`
}

// Transfer is stock shipped from one warehouse to another. While in transit it is the
// sender's: the ship took it off the sender's shelf, and only the receipt puts it on the
// receiver's.
type Transfer struct {
	ID              uuid.UUID      `json:"id"`
	FromWarehouseID uuid.UUID      `json:"from_warehouse_id"`
	ToWarehouseID   uuid.UUID      `json:"to_warehouse_id"`
	Status          string         `json:"status" doc:"in_transit, then received"`
	Note            string         `json:"note,omitempty"`
	Lines           []TransferLine `json:"lines"`
	ShippedAt       time.Time      `json:"shipped_at"`
	ReceivedAt      *time.Time     `json:"received_at,omitempty"`
}

// ShipLine is a line to ship.
type ShipLine struct {
	PartID  uuid.UUID `json:"part_id"`
	Qty     int32     `json:"qty" minimum:"1" maximum:"10000"`
	Serials []string  `json:"serials,omitempty" maxItems:"10000" doc:"Serial-tracked parts: one serial per unit"`
}

// ShipInput ships a transfer.
type ShipInput struct {
	IdempotencyKey  string     `json:"idempotency_key" minLength:"1" maxLength:"150"`
	FromWarehouseID uuid.UUID  `json:"from_warehouse_id"`
	ToWarehouseID   uuid.UUID  `json:"to_warehouse_id"`
	Note            string     `json:"note,omitempty" maxLength:"500"`
	Lines           []ShipLine `json:"lines" minItems:"1" maxItems:"200"`
}

// Ship takes the lines off the sender's warehouse (transfer_ship rows) and opens the transfer.
func Ship(ctx context.Context, tx *tenants.Tx, in ShipInput) (Transfer, error) {
	if in.FromWarehouseID == in.ToWarehouseID {
		return Transfer{}, fault.Invalid("to_warehouse_id", "must differ from from_warehouse_id")
	}
	to, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.ToWarehouseID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Transfer{}, fault.Invalid("to_warehouse_id", "does not exist")
		}
		return Transfer{}, fmt.Errorf("warehouse: %w", err)
	}
	from, err := tx.Q.GetWarehouse(ctx, tx, db.GetWarehouseParams{TenantID: tx.Scope.TenantID, ID: in.FromWarehouseID})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Transfer{}, fault.Invalid("from_warehouse_id", "does not exist")
		}
		return Transfer{}, fmt.Errorf("warehouse: %w", err)
	}
	if len(in.Lines) == 0 {
		return Transfer{}, fault.Invalid("lines", "must have at least one line")
	}
	if prior, err := tx.Q.GetMovementByKey(ctx, tx, db.GetMovementByKeyParams{TenantID: tx.Scope.TenantID,
		IdempotencyKey: in.IdempotencyKey + "/1/0"}); err == nil && prior.TransferID.Valid {
		return GetTransfer(ctx, tx, prior.TransferID.UUID)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Transfer{}, err
	}
	t, err := tx.Q.InsertTransfer(ctx, tx, db.InsertTransferParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), FromWarehouseID: from.ID,
		ToWarehouseID: to.ID, FromOutletID: from.OutletID, ToOutletID: to.OutletID, Note: in.Note, ShippedBy: userOf(tx), ShippedAt: now})
	if err != nil {
		return Transfer{}, fault.DBError(err, "", "")
	}
	for i, l := range in.Lines {
		at := "lines[" + strconv.Itoa(i) + "]."
		if l.Qty <= 0 {
			return Transfer{}, fault.Invalid(at+"qty", "must be a whole number of units above zero")
		}
		if len(l.Serials) > 0 && len(l.Serials) != int(l.Qty) {
			return Transfer{}, fault.Invalid(at+"serials", "must list one serial per unit shipped")
		}
		if err := tx.Q.InsertTransferLine(ctx, tx, db.InsertTransferLineParams{TenantID: tx.Scope.TenantID, TransferID: t.ID, LineNo: int32(i + 1),
			PartID: l.PartID, FromOutletID: from.OutletID, ToOutletID: to.OutletID, QtyShipped: l.Qty, Serials: orEmpty(l.Serials)}); err != nil {
			return Transfer{}, fault.DBError(err, "", at+"part_id")
		}
		legs := []posting{{Qty: -l.Qty}}
		if len(l.Serials) > 0 {
			legs = make([]posting, len(l.Serials))
			for j, s := range l.Serials {
				legs[j] = posting{Qty: -1, Serial: s}
			}
		}
		for j, p := range legs {
			p.Key, p.Type, p.WarehouseID, p.PartID = fmt.Sprintf("%s/%d/%d", in.IdempotencyKey, i+1, j), "transfer_ship", from.ID, l.PartID
			p.TransferID, p.SerialPlace = uuid.NullUUID{UUID: t.ID, Valid: true}, "in_transit"
			p.fields = fields{warehouse: "from_warehouse_id", part: at + "part_id", qty: at + "qty", serial: at + "serials"}
			if _, _, err := post(ctx, tx, p); err != nil {
				return Transfer{}, err
			}
		}
	}
	out, err := GetTransfer(ctx, tx, t.ID)
	if err != nil {
		return Transfer{}, err
	}
	return out, tx.Audit(ctx, "transfer.ship", "transfer", t.ID, nil, out)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetTransfer returns a transfer with its lines.
func GetTransfer(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Transfer, error) {
	t, err := tx.Q.GetTransfer(ctx, tx, db.GetTransferParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Transfer{}, fault.DBError(err, "", "")
	}
	lines, err := tx.Q.ListTransferLines(ctx, tx, db.ListTransferLinesParams{TenantID: tx.Scope.TenantID, TransferID: id})
	if err != nil {
		return Transfer{}, fmt.Errorf("transfer lines: %w", err)
	}
	out := Transfer{ID: t.ID, FromWarehouseID: t.FromWarehouseID, ToWarehouseID: t.ToWarehouseID, Status: t.Status, Note: t.Note,
		ShippedAt: t.ShippedAt, ReceivedAt: t.ReceivedAt, Lines: make([]TransferLine, len(lines))}
	for i, l := range lines {
		out.Lines[i] = TransferLine{LineNo: l.LineNo, PartID: l.PartID, QtyShipped: l.QtyShipped, QtyReceived: l.QtyReceived,
			DiscrepancyReason: l.DiscrepancyReason, Serials: l.Serials}
	}
	return out, nil
}

// TransferFilter narrows the list of transfers.
type TransferFilter struct {
	Before      uuid.NullUUID
	WarehouseID uuid.NullUUID // sent from or received at
	Status      string
	Limit       int32
}

// TransferStatuses are a transfer's states: shipped and on the way, then received.
var TransferStatuses = []string{"in_transit", "received"}

// ListTransfers lists transfers newest first, each with its lines (two queries, whatever
// the page size).
func ListTransfers(ctx context.Context, tx *tenants.Tx, f TransferFilter) ([]Transfer, error) {
	tx.PlanForValues()
	p := db.ListTransfersParams{TenantID: tx.Scope.TenantID, Before: f.Before, WarehouseID: f.WarehouseID, Lim: f.Limit}
	if f.Status != "" {
		p.Status = &f.Status
	}
	rows, err := tx.Q.ListTransfers(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	out := make([]Transfer, len(rows))
	ids := make([]uuid.UUID, len(rows))
	at := make(map[uuid.UUID]int, len(rows))
	for i, t := range rows {
		out[i] = Transfer{ID: t.ID, FromWarehouseID: t.FromWarehouseID, ToWarehouseID: t.ToWarehouseID, Status: t.Status, Note: t.Note,
			ShippedAt: t.ShippedAt, ReceivedAt: t.ReceivedAt, Lines: []TransferLine{}}
		ids[i], at[t.ID] = t.ID, i
	}
	if len(rows) == 0 {
		return out, nil
	}
	lines, err := tx.Q.ListLinesOfTransfers(ctx, tx, db.ListLinesOfTransfersParams{TenantID: tx.Scope.TenantID, TransferIds: ids})
	if err != nil {
		return nil, fmt.Errorf("transfer lines: %w", err)
	}
	for _, l := range lines {
		i := at[l.TransferID]
		out[i].Lines = append(out[i].Lines, TransferLine{LineNo: l.LineNo, PartID: l.PartID, QtyShipped: l.QtyShipped,
			QtyReceived: l.QtyReceived, DiscrepancyReason: l.DiscrepancyReason, Serials: l.Serials})
	}
	return out, nil
}

// ReceiveLine is what arrived of one line.
type ReceiveLine struct {
	LineNo            int32    `json:"line_no" minimum:"1"`
	QtyReceived       int32    `json:"qty_received" minimum:"0"`
	DiscrepancyReason string   `json:"discrepancy_reason,omitempty" doc:"Required when less arrived than was shipped"`
	Serials           []string `json:"serials,omitempty" doc:"Serial-tracked parts: the serials that arrived"`
}

// Receive puts what arrived on the receiver's shelf (transfer_receive rows), every line at
// once: more than was shipped is refused, less needs a discrepancy reason.
func Receive(ctx context.Context, tx *tenants.Tx, id uuid.UUID, in []ReceiveLine) (Transfer, error) {
	t, err := tx.Q.GetTransferForUpdate(ctx, tx, db.GetTransferForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Transfer{}, fault.DBError(err, "", "")
	}
	if t.Status != "in_transit" {
		return Transfer{}, &fault.ConflictError{Detail: "the transfer was received already"}
	}
	lines, err := tx.Q.ListTransferLines(ctx, tx, db.ListTransferLinesParams{TenantID: tx.Scope.TenantID, TransferID: id})
	if err != nil {
		return Transfer{}, fmt.Errorf("transfer lines: %w", err)
	}
	if len(in) != len(lines) {
		return Transfer{}, fault.Invalid("lines", fmt.Sprintf("must give each of the %d lines once", len(lines)))
	}
	for i, r := range in {
		at := "lines[" + strconv.Itoa(i) + "]."
		if r.LineNo < 1 || int(r.LineNo) > len(lines) {
			return Transfer{}, fault.Invalid(at+"line_no", "is not a line of the transfer")
		}
		l := lines[r.LineNo-1]
		switch {
		case r.QtyReceived < 0:
			return Transfer{}, fault.Invalid(at+"qty_received", "must not be negative")
		case r.QtyReceived > l.QtyShipped:
			return Transfer{}, fault.Invalid(at+"qty_received", fmt.Sprintf("is more than was shipped (%d)", l.QtyShipped))
		case r.QtyReceived < l.QtyShipped && !oneOf(r.DiscrepancyReason, DiscrepancyReasons):
			return Transfer{}, fault.Invalid(at+"discrepancy_reason", "is required when less arrived than was shipped: "+
				"short_shipped, damaged, lost, wrong_part or other")
		case r.QtyReceived == l.QtyShipped && r.DiscrepancyReason != "":
			return Transfer{}, fault.Invalid(at+"discrepancy_reason", "must be empty when everything arrived")
		}
		legs := []posting{{Qty: r.QtyReceived}}
		if len(l.Serials) > 0 {
			if len(r.Serials) != int(r.QtyReceived) {
				return Transfer{}, fault.Invalid(at+"serials", "must list the serial of each unit that arrived")
			}
			legs = make([]posting, len(r.Serials))
			for j, s := range r.Serials {
				if !slices.Contains(l.Serials, s) {
					return Transfer{}, fault.Invalid(at+"serials", s+" was not shipped on this line")
				}
				legs[j] = posting{Qty: 1, Serial: s}
			}
		}
		for j, p := range legs {
			if p.Qty == 0 {
				continue
			}
			p.Key, p.Type, p.WarehouseID, p.PartID = fmt.Sprintf("transfer-receive:%s/%d/%d", id, r.LineNo, j), "transfer_receive", t.ToWarehouseID, l.PartID
			p.TransferID = uuid.NullUUID{UUID: id, Valid: true}
			p.fields = fields{warehouse: "to_warehouse_id", part: at + "part_id", qty: at + "qty_received", serial: at + "serials"}
			if _, _, err := post(ctx, tx, p); err != nil {
				return Transfer{}, err
			}
		}
		if err := tx.Q.ReceiveTransferLine(ctx, tx, db.ReceiveTransferLineParams{TenantID: tx.Scope.TenantID, TransferID: id, LineNo: r.LineNo,
			QtyReceived: &r.QtyReceived, DiscrepancyReason: r.DiscrepancyReason}); err != nil {
			return Transfer{}, fault.DBError(err, "", "")
		}
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Transfer{}, err
	}
	if _, err := tx.Q.MarkTransferReceived(ctx, tx, db.MarkTransferReceivedParams{TenantID: tx.Scope.TenantID, ID: id, ReceivedBy: userOf(tx),
		ReceivedAt: &now}); err != nil {
		return Transfer{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	out, err := GetTransfer(ctx, tx, id)
	if err != nil {
		return Transfer{}, err
	}
	return out, tx.Audit(ctx, "transfer.receive", "transfer", id, nil, out)
}

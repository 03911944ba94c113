package stock_test

import (
	"context"
	"testing"

	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestTransferShipAndReceive: shipped stock leaves the sender at once and reaches the
// receiver only when received; a short line needs a reason, more than was shipped is refused,
// and a serial travels with its transfer.
func TestTransferShipAndReceive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	p, sp := newPart(ctx, t, tx, false), newPart(ctx, t, tx, true)
	central, outlet := newWarehouse(ctx, t, tx, nil, ""), newWarehouse(ctx, t, tx, nil, "")
	receive(ctx, t, tx, central, p, 10, "")
	receive(ctx, t, tx, central, sp, 1, "MB-1")
	tr, err := stock.Ship(ctx, tx, stock.ShipInput{IdempotencyKey: "ship-1", FromWarehouseID: central.ID, ToWarehouseID: outlet.ID,
		Lines: []stock.ShipLine{{PartID: p.ID, Qty: 4}, {PartID: sp.ID, Qty: 1, Serials: []string{"MB-1"}}}})
	if err != nil || tr.Status != "in_transit" || len(tr.Lines) != 2 {
		t.Fatalf("ship: %+v %v", tr, err)
	}
	if again, err := stock.Ship(ctx, tx, stock.ShipInput{IdempotencyKey: "ship-1", FromWarehouseID: central.ID, ToWarehouseID: outlet.ID,
		Lines: []stock.ShipLine{{PartID: p.ID, Qty: 4}}}); err != nil || again.ID != tr.ID {
		t.Errorf("ship again: %+v %v, want the first transfer", again, err)
	}
	if b := balance(ctx, t, tx, central, p); b.OnHand != 6 {
		t.Errorf("sender holds %d after shipping 4 of 10, want 6", b.OnHand)
	}
	if b := balance(ctx, t, tx, outlet, p); b.OnHand != 0 {
		t.Errorf("receiver holds %d while in transit, want 0", b.OnHand)
	}
	for _, c := range []struct {
		name  string
		lines []stock.ReceiveLine
		field string
	}{
		{"more than shipped", []stock.ReceiveLine{{LineNo: 1, QtyReceived: 5}, {LineNo: 2, QtyReceived: 1, Serials: []string{"MB-1"}}},
			"lines[0].qty_received"},
		{"short without reason", []stock.ReceiveLine{{LineNo: 1, QtyReceived: 3}, {LineNo: 2, QtyReceived: 1, Serials: []string{"MB-1"}}},
			"lines[0].discrepancy_reason"},
		{"a serial not shipped", []stock.ReceiveLine{{LineNo: 1, QtyReceived: 4}, {LineNo: 2, QtyReceived: 1, Serials: []string{"MB-2"}}},
			"lines[1].serials"},
		{"a line missing", []stock.ReceiveLine{{LineNo: 1, QtyReceived: 4}}, "lines"},
	} {
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error { _, err := stock.Receive(ctx, tx, tr.ID, c.lines); return err })
		if got := testfactory.ErrField(err); got != c.field {
			t.Errorf("%s: %v, want a problem at %s", c.name, err, c.field)
		}
	}
	got, err := stock.Receive(ctx, tx, tr.ID, []stock.ReceiveLine{{LineNo: 1, QtyReceived: 3, DiscrepancyReason: "damaged"},
		{LineNo: 2, QtyReceived: 1, Serials: []string{"MB-1"}}})
	if err != nil || got.Status != "received" || got.Lines[0].DiscrepancyReason != "damaged" {
		t.Fatalf("receive: %+v %v", got, err)
	}
	if b := balance(ctx, t, tx, outlet, p); b.OnHand != 3 {
		t.Errorf("receiver holds %d, want the 3 that arrived", b.OnHand)
	}
	if h, err := stock.GetSerialHistory(ctx, tx, sp.ID, "MB-1"); err != nil || h.Place != "in_stock" || *h.WarehouseID != outlet.ID {
		t.Errorf("serial after the transfer: %+v %v", h, err)
	}
	if drift, err := stock.Drift(ctx, tx, false); err != nil || len(drift) != 0 {
		t.Errorf("drift: %+v %v", drift, err)
	}
}

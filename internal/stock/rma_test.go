package stock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

var devCarriers = logistics.Carriers{logistics.DevCode: logistics.Dev{Secret: "s"}}

// TestFaultyPartsGoBackToTheMaker: an in-warranty issue of a return-required part owes the
// faulty parts back and holds them in the returned-goods warehouse; a charged issue owes
// nothing; a shipment sends part of the line (stock leaves when sent) and refuses more than
// is still owed; the carrier's updates move it (once each, a late update never undoes a
// delivery); the inspection records each line once and the shipment is inspected when all
// are; a part taken off its order cancels what it owed.
func TestFaultyPartsGoBackToTheMaker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	osvc := &orders.Service{Jobs: &testfactory.Jobs{}}
	svc := &stock.Service{Orders: osvc}
	o := testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{Service: osvc})
	p := newPart(ctx, t, tx, false)
	f := p.PartFields
	f.ReturnRequired = true
	p, err := parts.Update(ctx, tx, p.ID, p.Version, f)
	if err != nil {
		t.Fatal(err)
	}
	w := newWarehouse(ctx, t, tx, nil, "")
	rw, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "RG-" + testfactory.Unique(), Name: "返修品库", Kind: "returned_goods"})
	if err != nil {
		t.Fatal(err)
	}
	receive(ctx, t, tx, w, p, 10, "")

	issue := func(key, kind string, qty int32) stock.OrderPart {
		t.Helper()
		op, err := svc.Issue(ctx, tx, o.ID, stock.IssueInput{IdempotencyKey: key, WarehouseID: w.ID, PartID: p.ID, Qty: qty, IssueKind: kind})
		if err != nil {
			t.Fatalf("issue %s: %v", kind, err)
		}
		return op
	}
	issue("charged-"+testfactory.Unique(), "charged", 1)
	op := issue("warranty-"+testfactory.Unique(), "in_warranty", 3)
	lines, err := stock.ListRMALines(ctx, tx, stock.RMALineFilter{OrderID: uuid.NullUUID{UUID: o.ID, Valid: true}, Limit: 10})
	if err != nil || len(lines) != 1 {
		t.Fatalf("owed lines: %+v %v, want one (the charged issue owes nothing)", lines, err)
	}
	line := lines[0]
	if line.Status != "owed" || line.Qty != 3 || line.OrderPartID != op.ID || line.WarehouseID == nil || *line.WarehouseID != rw.ID {
		t.Errorf("owed line: %+v", line)
	}
	if b := balance(ctx, t, tx, stock.Warehouse{ID: rw.ID}, p); b.OnHand != 3 {
		t.Errorf("returned goods after the issue: %+v, want 3 faulty units held", b)
	}

	send := func(key, tracking string, qty int32) (stock.RMAShipment, error) {
		var out stock.RMAShipment
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			var err error
			out, err = stock.SendReturns(ctx, tx, devCarriers, stock.RMAShipmentInput{IdempotencyKey: key, Carrier: "dev", TrackingNo: tracking,
				Lines: []stock.RMAShipmentLineInput{{RMALineID: line.ID, Qty: qty}}})
			return err
		})
		return out, err
	}
	if _, err := stock.SendReturns(ctx, tx, devCarriers, stock.RMAShipmentInput{IdempotencyKey: "x", Carrier: "pigeon", TrackingNo: "T-0001",
		Lines: []stock.RMAShipmentLineInput{{RMALineID: line.ID, Qty: 1}}}); testfactory.ErrField(err) != "carrier" {
		t.Errorf("an unknown carrier: %v, want a problem at carrier", err)
	}
	if _, err := send("too-many", "T-0000", 4); testfactory.ErrField(err) != "lines[0].qty" {
		t.Errorf("sending more than owed: %v, want a problem at lines[0].qty", err)
	}
	key := "rma-" + testfactory.Unique()
	tracking := "DEV-" + testfactory.Unique()
	sh, err := send(key, tracking, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Status != "sent" || len(sh.Lines) != 1 || sh.Lines[0].Qty != 2 {
		t.Errorf("the shipment: %+v", sh)
	}
	if again, err := send(key, tracking, 2); err != nil || again.ID != sh.ID {
		t.Errorf("sending the same key again: %+v %v, want the first shipment", again.ID, err)
	}
	if b := balance(ctx, t, tx, stock.Warehouse{ID: rw.ID}, p); b.OnHand != 1 {
		t.Errorf("returned goods after sending 2: %+v, want 1", b)
	}
	if l, _ := stock.GetRMALine(ctx, tx, line.ID); l.Status != "partly_shipped" || l.QtyShipped != 2 {
		t.Errorf("line after a partial return: %+v", l)
	}
	if _, err := send("rma-2-"+testfactory.Unique(), "DEV-2-"+testfactory.Unique(), 2); testfactory.ErrField(err) != "lines[0].qty" {
		t.Errorf("sending 2 when 1 is owed: %v, want lines[0].qty", err)
	}
	if _, err := send("rma-3-"+testfactory.Unique(), tracking, 1); testfactory.ErrField(err) != "tracking_no" {
		t.Errorf("a tracking number used twice: %v, want tracking_no", err)
	}
	if _, err := send("rma-4-"+testfactory.Unique(), "DEV-4-"+testfactory.Unique(), 1); err != nil {
		t.Fatal(err)
	}
	if l, _ := stock.GetRMALine(ctx, tx, line.ID); l.Status != "shipped" || l.QtyShipped != 3 {
		t.Errorf("line after the rest: %+v", l)
	}
	if b := balance(ctx, t, tx, stock.Warehouse{ID: rw.ID}, p); b.OnHand != 0 {
		t.Errorf("returned goods after all was sent: %+v", b)
	}

	// Tracking.
	at := time.Now().Add(-time.Hour)
	track := func(id, status string, at time.Time) bool {
		t.Helper()
		ok, err := stock.Track(ctx, tx, "dev", logistics.Update{EventID: id, TrackingNo: tracking, Status: status, OccurredAt: at})
		if err != nil {
			t.Fatalf("track %s: %v", id, err)
		}
		return ok
	}
	if !track("e1", "in_transit", at) || !track("e2", "delivered", at.Add(time.Minute)) || track("e2", "delivered", at.Add(time.Minute)) {
		t.Error("updates: the first of each is new, a repeat is not")
	}
	track("e3", "in_transit", at.Add(2*time.Minute))
	got, err := stock.GetRMAShipment(ctx, tx, sh.ID)
	if err != nil || got.Status != "delivered" || got.DeliveredAt == nil || len(got.Tracking) != 3 {
		t.Errorf("after a late in-transit update: %+v %v, want delivered with 3 updates", got, err)
	}
	if _, err := stock.Track(ctx, tx, "dev", logistics.Update{EventID: "z", TrackingNo: "NOPE-1", Status: "delivered", OccurredAt: at}); !errors.Is(err, stock.ErrUnknownParcel) {
		t.Errorf("an unknown parcel: %v", err)
	}

	// Inspection, each line once; the note is needed unless the part is confirmed faulty.
	inspect := func(in stock.InspectionInput) (stock.RMAShipment, error) {
		var out stock.RMAShipment
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			var err error
			out, err = stock.Inspect(ctx, tx, sh.ID, in)
			return err
		})
		return out, err
	}
	if _, err := inspect(stock.InspectionInput{Lines: []stock.InspectionLine{{LineNo: 1, Result: "no_fault_found"}}}); testfactory.ErrField(err) != "lines[0].note" {
		t.Errorf("no fault found without a note: %v", err)
	}
	if _, err := inspect(stock.InspectionInput{Lines: []stock.InspectionLine{{LineNo: 2, Result: "confirmed_faulty"}}}); testfactory.ErrField(err) != "lines[0].line_no" {
		t.Errorf("a line the shipment does not have: %v", err)
	}
	done, err := inspect(stock.InspectionInput{Lines: []stock.InspectionLine{{LineNo: 1, Result: "no_fault_found", Note: "boots and cools on the bench"}}})
	if err != nil || done.Status != "inspected" || done.Lines[0].Result != "no_fault_found" || done.InspectedAt == nil {
		t.Fatalf("inspected: %+v %v", done, err)
	}
	if _, err := inspect(stock.InspectionInput{Lines: []stock.InspectionLine{{LineNo: 1, Result: "confirmed_faulty"}}}); testfactory.ErrField(err) != "lines[0].line_no" {
		t.Errorf("inspecting a line twice: %v", err)
	}

	// A part taken off its order cancels what it still owed, and the faulty units leave the
	// returned-goods warehouse.
	op2 := issue("warranty-2-"+testfactory.Unique(), "in_warranty", 2)
	if b := balance(ctx, t, tx, stock.Warehouse{ID: rw.ID}, p); b.OnHand != 2 {
		t.Errorf("returned goods after a second issue: %+v", b)
	}
	if _, err := svc.Remove(ctx, tx, op2.ID); err != nil {
		t.Fatal(err)
	}
	if b := balance(ctx, t, tx, stock.Warehouse{ID: rw.ID}, p); b.OnHand != 0 {
		t.Errorf("returned goods after the part left the order: %+v", b)
	}
	all, _ := stock.ListRMALines(ctx, tx, stock.RMALineFilter{Status: "cancelled", OrderID: uuid.NullUUID{UUID: o.ID, Valid: true}, Limit: 10})
	if len(all) != 1 || all[0].OrderPartID != op2.ID {
		t.Errorf("cancelled lines: %+v", all)
	}
	// A part whose faulty units were sent cannot leave its order.
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error { _, err := svc.Remove(ctx, tx, op.ID); return err })
	if err == nil {
		t.Error("removing a part whose faulty units went to the maker: accepted")
	}
}

// TestSerialTrackedFaultyPart: the faulty unit of a serial-tracked part is owed by its serial
// (the issue refuses without it) and ends returned to the maker.
func TestSerialTrackedFaultyPart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	osvc := &orders.Service{Jobs: &testfactory.Jobs{}}
	svc := &stock.Service{Orders: osvc}
	o := testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{Service: osvc})
	p := newPart(ctx, t, tx, true)
	f := p.PartFields
	f.ReturnRequired = true
	p, err := parts.Update(ctx, tx, p.ID, p.Version, f)
	if err != nil {
		t.Fatal(err)
	}
	w := newWarehouse(ctx, t, tx, nil, "")
	if _, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "RG-" + testfactory.Unique(), Name: "返修品库", Kind: "returned_goods"}); err != nil {
		t.Fatal(err)
	}
	receive(ctx, t, tx, w, p, 1, "NEW-1")
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := svc.Issue(ctx, tx, o.ID, stock.IssueInput{IdempotencyKey: "k-" + testfactory.Unique(), WarehouseID: w.ID, PartID: p.ID, Qty: 1,
			IssueKind: "in_warranty", NewSerial: "NEW-1"})
		return err
	})
	if testfactory.ErrField(err) != "old_serial" {
		t.Fatalf("an in-warranty issue without the faulty unit's serial: %v, want old_serial", err)
	}
	if _, err := svc.Issue(ctx, tx, o.ID, stock.IssueInput{IdempotencyKey: "k-" + testfactory.Unique(), WarehouseID: w.ID, PartID: p.ID, Qty: 1,
		IssueKind: "in_warranty", NewSerial: "NEW-1", OldSerial: "OLD-1"}); err != nil {
		t.Fatal(err)
	}
	lines, _ := stock.ListRMALines(ctx, tx, stock.RMALineFilter{Limit: 10})
	if len(lines) != 1 || lines[0].Serial != "OLD-1" {
		t.Fatalf("owed: %+v", lines)
	}
	if _, err := stock.SendReturns(ctx, tx, devCarriers, stock.RMAShipmentInput{IdempotencyKey: "s-" + testfactory.Unique(), Carrier: "dev",
		TrackingNo: "DEV-" + testfactory.Unique(), Lines: []stock.RMAShipmentLineInput{{RMALineID: lines[0].ID, Qty: 1}}}); err != nil {
		t.Fatal(err)
	}
	h, err := stock.GetSerialHistory(ctx, tx, p.ID, "OLD-1")
	if err != nil || h.Place != "returned_to_maker" || len(h.Movements) != 2 || h.Movements[0].Type != "rma_hold" || h.Movements[1].Type != "rma_ship" {
		t.Errorf("the faulty unit's history: %+v %v", h, err)
	}
}

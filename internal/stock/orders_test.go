package stock_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

func orderStatus(ctx context.Context, t *testing.T, tx *tenants.Tx, id uuid.UUID) string {
	t.Helper()
	o, err := orders.Get(ctx, tx, id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Status
}

// TestReservationsMoveTheOrder: an order reserves what is in stock; a reservation that cannot
// be met puts the order in waiting_parts and asks for the part; the receipt serves it, the
// order moves on and parts.arrived is announced; issuing consumes the reservation and removing
// the part from the order puts it back.
func TestReservationsMoveTheOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	osvc := &orders.Service{Jobs: &testfactory.Jobs{}}
	svc := &stock.Service{Orders: osvc}
	o := testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{Service: osvc})
	if _, err := osvc.Transition(ctx, tx, o.ID, 0, orders.TransitionInput{To: orders.StatusRepairing}); err != nil {
		t.Fatal(err)
	}
	p, w := newPart(ctx, t, tx, false), newWarehouse(ctx, t, tx, nil, "")
	receive(ctx, t, tx, w, p, 1, "")

	first, err := svc.Reserve(ctx, tx, o.ID, stock.ReserveInput{WarehouseID: w.ID, PartID: p.ID, Qty: 1})
	if err != nil || first.Status != "open" {
		t.Fatalf("reserve what is in stock: %+v %v", first, err)
	}
	if b := balance(ctx, t, tx, w, p); b.Reserved != 1 || b.Available != 0 {
		t.Errorf("after the reservation: %+v, want 1 reserved, 0 available", b)
	}
	// Nobody else can take the reserved unit.
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "sale", Type: "issue", IssueKind: "consumer_purchase",
			WarehouseID: w.ID, PartID: p.ID, Qty: 1}, uuid.Nil)
		return err
	})
	if testfactory.ErrField(err) != "qty" {
		t.Errorf("selling a reserved unit: %v, want a problem at qty", err)
	}
	second, err := svc.Reserve(ctx, tx, o.ID, stock.ReserveInput{WarehouseID: w.ID, PartID: p.ID, Qty: 2})
	if err != nil || second.Status != "waiting" || second.RequestID == nil {
		t.Fatalf("reserve what is not in stock: %+v %v", second, err)
	}
	if s := orderStatus(ctx, t, tx, o.ID); s != orders.StatusWaitingParts {
		t.Fatalf("order %s after an unmet reservation, want waiting_parts", s)
	}
	var requests int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM part_requests WHERE tenant_id = $1 AND order_id = $2 AND qty = 2 AND status = 'pending'`,
		tx.Scope.TenantID, o.ID).Scan(&requests); err != nil || requests != 1 {
		t.Errorf("replenishment requests: %d %v, want 1", requests, err)
	}
	if _, _, err := svc.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "grn-2", Type: "receipt", WarehouseID: w.ID, PartID: p.ID, Qty: 2},
		uuid.Nil); err != nil {
		t.Fatal(err)
	}
	if s := orderStatus(ctx, t, tx, o.ID); s != orders.StatusRepairing {
		t.Errorf("order %s after the parts arrived, want repairing", s)
	}
	testfactory.Flush(ctx, t, tx)
	var arrived int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM events WHERE tenant_id = $1 AND subject_id = $2 AND type = 'parts.arrived'`,
		tx.Scope.TenantID, o.ID).Scan(&arrived); err != nil || arrived != 1 {
		t.Errorf("parts.arrived events: %d %v, want 1", arrived, err)
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 3 || b.Reserved != 3 {
		t.Errorf("after the receipt: %+v, want 3 on hand, all 3 reserved", b)
	}
	op, err := svc.Issue(ctx, tx, o.ID, stock.IssueInput{IdempotencyKey: "use-1", WarehouseID: w.ID, PartID: p.ID, Qty: 1, IssueKind: "in_warranty"})
	if err != nil || op.ReservationID == nil || *op.ReservationID != first.ID {
		t.Fatalf("issue: %+v %v, want it to consume the first reservation", op, err)
	}
	if again, err := svc.Issue(ctx, tx, o.ID, stock.IssueInput{IdempotencyKey: "use-1", WarehouseID: w.ID, PartID: p.ID, Qty: 1,
		IssueKind: "in_warranty"}); err != nil || again.ID != op.ID {
		t.Errorf("issue again: %+v %v, want the first", again, err)
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 2 || b.Reserved != 2 {
		t.Errorf("after the issue: %+v, want 2 on hand, 2 reserved", b)
	}
	if _, err := svc.Remove(ctx, tx, op.ID); err != nil {
		t.Fatal(err)
	}
	if back, err := svc.Remove(ctx, tx, op.ID); err != nil || back.Status != "returned" {
		t.Errorf("remove again: %+v %v", back, err)
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 3 || b.Reserved != 2 {
		t.Errorf("after removing the part from the order: %+v, want 3 on hand, 2 reserved", b)
	}
	if _, err := svc.Release(ctx, tx, second.ID); err != nil {
		t.Fatal(err)
	}
	if b := balance(ctx, t, tx, w, p); b.Reserved != 0 || b.Available != 3 {
		t.Errorf("after the release: %+v, want 3 available", b)
	}
	if drift, err := stock.Drift(ctx, tx, false); err != nil || len(drift) != 0 {
		t.Errorf("drift: %+v %v", drift, err)
	}
}

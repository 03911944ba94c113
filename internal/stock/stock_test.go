package stock_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// newPart adds a part to the transaction's tenant.
func newPart(ctx context.Context, t *testing.T, tx *tenants.Tx, serial bool) parts.SparePart {
	t.Helper()
	p, err := parts.Create(ctx, tx, parts.PartFields{PartNo: "P-" + testfactory.Unique(), NameZh: "主控板", NameEn: "Main board",
		SerialTracked: serial, UnitCost: 12_50, OutletPrice: 20_00, ConsumerPrice: 35_00})
	if err != nil {
		t.Fatalf("create part: %v", err)
	}
	return p
}

// newWarehouse adds a warehouse (outlet nil: central).
func newWarehouse(ctx context.Context, t *testing.T, tx *tenants.Tx, outlet *uuid.UUID, owner string) stock.Warehouse {
	t.Helper()
	w, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "W-" + testfactory.Unique(), Name: "备件库", Kind: "spare_parts",
		Owner: owner, OutletID: outlet})
	if err != nil {
		t.Fatalf("create warehouse: %v", err)
	}
	return w
}

func receive(ctx context.Context, t *testing.T, tx *tenants.Tx, w stock.Warehouse, p parts.SparePart, qty int32, serial string) {
	t.Helper()
	if _, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "rcv-" + testfactory.Unique(), Type: "receipt", WarehouseID: w.ID,
		PartID: p.ID, Qty: qty, Serial: serial}, uuid.Nil); err != nil {
		t.Fatalf("receive %d: %v", qty, err)
	}
}

func balance(ctx context.Context, t *testing.T, tx *tenants.Tx, w stock.Warehouse, p parts.SparePart) stock.Balance {
	t.Helper()
	rows, err := stock.ListBalances(ctx, tx, stock.BalanceFilter{WarehouseID: uuid.NullUUID{UUID: w.ID, Valid: true},
		PartID: uuid.NullUUID{UUID: p.ID, Valid: true}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		return stock.Balance{}
	}
	return rows[0]
}

// TestConcurrentIssuesNeverGoNegative: 32 transactions issue one unit each of a part with 10
// on hand, at once: exactly 10 succeed, the rest are refused at qty, on hand ends at 0 and the
// journal sums to it.
func TestConcurrentIssuesNeverGoNegative(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	tn := testfactory.Tenant(ctx, t, d, nil)
	scope := tenants.Scope{TenantID: tn.ID, Actor: tenants.Actor{Kind: "system", Label: "test"}}
	var p parts.SparePart
	var w stock.Warehouse
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		p, w = newPart(ctx, t, tx, false), newWarehouse(ctx, t, tx, nil, "")
		receive(ctx, t, tx, w, p, 10, "")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const clients = 32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = d.Tx(ctx, scope, func(tx *tenants.Tx) error {
				_, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: fmt.Sprintf("issue-%d", i), Type: "issue",
					IssueKind: "consumer_purchase", WarehouseID: w.ID, PartID: p.ID, Qty: 1}, uuid.Nil)
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case testfactory.ErrField(err) != "qty":
			t.Errorf("issue %d: %v, want success or a problem at qty", i, err)
		}
	}
	if ok != 10 {
		t.Errorf("%d issues succeeded, want exactly 10", ok)
	}
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if b := balance(ctx, t, tx, w, p); b.OnHand != 0 || b.Reserved != 0 {
			t.Errorf("balance after the rush: %+v, want 0 on hand", b)
		}
		var sum, n int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(qty), 0), count(*) FILTER (WHERE type = 'issue') FROM stock_movements
			WHERE tenant_id = $1 AND part_id = $2`, tn.ID, p.ID).Scan(&sum, &n); err != nil {
			return err
		}
		if sum != 0 || n != 10 {
			t.Errorf("journal sums to %d with %d issues, want 0 with 10", sum, n)
		}
		drift, err := stock.Drift(ctx, tx, false)
		if err != nil || len(drift) != 0 {
			t.Errorf("drift after the rush: %+v %v", drift, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPostingIsIdempotent: a key posted twice moves stock once and replays the first
// movement; the key with another movement is refused at idempotency_key.
func TestPostingIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	p, w := newPart(ctx, t, tx, false), newWarehouse(ctx, t, tx, nil, "")
	in := stock.MovementInput{IdempotencyKey: "grn-1", Type: "receipt", WarehouseID: w.ID, PartID: p.ID, Qty: 4}
	first, replay, err := stock.Post(ctx, tx, in, uuid.Nil)
	if err != nil || replay {
		t.Fatalf("first post: %v replay=%v", err, replay)
	}
	again, replay, err := stock.Post(ctx, tx, in, uuid.Nil)
	if err != nil || !replay || again[0].ID != first[0].ID {
		t.Fatalf("second post: %+v replay=%v %v, want the first movement replayed", again, replay, err)
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 4 {
		t.Errorf("on hand %d after a replay, want 4", b.OnHand)
	}
	in.Qty = 5
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error { _, _, err := stock.Post(ctx, tx, in, uuid.Nil); return err })
	if testfactory.ErrField(err) != "idempotency_key" {
		t.Errorf("key reused for another quantity: %v, want a problem at idempotency_key", err)
	}
}

// TestLockDate: postings on or before the lock date are refused; after it they go through.
func TestLockDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	p, w := newPart(ctx, t, tx, false), newWarehouse(ctx, t, tx, nil, "")
	today := testfactory.Today(ctx, t, tx)
	lock := today.AddDate(0, 0, -10).Format(time.DateOnly)
	if _, err := stock.PutSettings(ctx, tx, 0, &lock); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		on    string
		field string
	}{
		{lock, "posted_on"},
		{today.AddDate(0, 0, -11).Format(time.DateOnly), "posted_on"},
		{today.AddDate(0, 0, 1).Format(time.DateOnly), "posted_on"},
		{today.AddDate(0, 0, -9).Format(time.DateOnly), ""},
		{"", ""},
	} {
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			_, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "k-" + testfactory.Unique(), Type: "receipt", WarehouseID: w.ID,
				PartID: p.ID, Qty: 1, PostedOn: c.on}, uuid.Nil)
			return err
		})
		if got := testfactory.ErrField(err); got != c.field || (c.field == "" && err != nil) {
			t.Errorf("posted on %q: %v, want a problem at %q", c.on, err, c.field)
		}
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 2 {
		t.Errorf("on hand %d, want the 2 postings after the lock date", b.OnHand)
	}
}

// TestBadInputWritesNothing: each bad movement is refused at its field, and nothing moves.
func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	other := testfactory.TestTx(ctx, t, nil)
	foreign := newWarehouse(ctx, t, other, nil, "")
	foreignPart := newPart(ctx, t, other, false)
	tx := testfactory.TestTx(ctx, t, nil)
	_ = d
	p, w := newPart(ctx, t, tx, false), newWarehouse(ctx, t, tx, nil, "")
	sp := newPart(ctx, t, tx, true)
	van := newWarehouse(ctx, t, tx, nil, "")
	receive(ctx, t, tx, w, p, 3, "")
	receive(ctx, t, tx, w, sp, 1, "MB-0001")
	for _, c := range []struct {
		name  string
		in    stock.MovementInput
		field string
	}{
		{"negative receipt", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: p.ID, Qty: -2}, "qty"},
		{"zero issue", stock.MovementInput{Type: "issue", IssueKind: "consumer_purchase", WarehouseID: w.ID, PartID: p.ID, Qty: 0}, "qty"},
		{"more than on hand", stock.MovementInput{Type: "issue", IssueKind: "consumer_purchase", WarehouseID: w.ID, PartID: p.ID, Qty: 4}, "qty"},
		{"unknown part", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: uuid.New(), Qty: 1}, "part_id"},
		{"another tenant's part", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: foreignPart.ID, Qty: 1}, "part_id"},
		{"another tenant's warehouse", stock.MovementInput{Type: "receipt", WarehouseID: foreign.ID, PartID: p.ID, Qty: 1}, "warehouse_id"},
		{"requisition to another tenant's warehouse", stock.MovementInput{Type: "requisition", WarehouseID: w.ID, ToWarehouseID: &foreign.ID,
			PartID: p.ID, Qty: 1}, "to_warehouse_id"},
		{"serial already in stock", stock.MovementInput{Type: "receipt", WarehouseID: van.ID, PartID: sp.ID, Qty: 1, Serial: "MB-0001"}, "serial"},
		{"serial part without serial", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: sp.ID, Qty: 1}, "serial"},
		{"two serial units at once", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: sp.ID, Qty: 2, Serial: "MB-9"}, "qty"},
		{"serial not in this warehouse", stock.MovementInput{Type: "scrap", Reason: "broken", WarehouseID: van.ID, PartID: sp.ID, Qty: 1,
			Serial: "MB-0001"}, "serial"},
		{"serial on a plain part", stock.MovementInput{Type: "receipt", WarehouseID: w.ID, PartID: p.ID, Qty: 1, Serial: "X"}, "serial"},
		{"scrap without reason", stock.MovementInput{Type: "scrap", WarehouseID: w.ID, PartID: p.ID, Qty: 1}, "reason"},
		{"adjustment without reason", stock.MovementInput{Type: "adjustment", WarehouseID: w.ID, PartID: p.ID, Qty: -1}, "reason"},
		{"adjustment below zero", stock.MovementInput{Type: "adjustment", Reason: "count", WarehouseID: w.ID, PartID: p.ID, Qty: -4}, "qty"},
		{"issue for an order", stock.MovementInput{Type: "issue", IssueKind: "in_warranty", WarehouseID: w.ID, PartID: p.ID, Qty: 1}, "issue_kind"},
	} {
		c.in.IdempotencyKey = "bad-" + testfactory.Unique()
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			_, _, err := stock.Post(ctx, tx, c.in, uuid.New())
			return err
		})
		if got := testfactory.ErrField(err); got != c.field {
			t.Errorf("%s: %v, want a problem at %s", c.name, err, c.field)
		}
	}
	if b := balance(ctx, t, tx, w, p); b.OnHand != 3 {
		t.Errorf("on hand %d after refused movements, want 3", b.OnHand)
	}
	if drift, err := stock.Drift(ctx, tx, false); err != nil || len(drift) != 0 {
		t.Errorf("drift after refused movements: %+v %v", drift, err)
	}
}

// TestRequisitionAndSerialHistory: an engineer's requisition moves a serial-tracked unit from
// the warehouse into the van (two journal rows), the unit cannot be received twice, and its
// history lists where it went.
func TestRequisitionAndSerialHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	sp := newPart(ctx, t, tx, true)
	w, van := newWarehouse(ctx, t, tx, nil, ""), newWarehouse(ctx, t, tx, nil, "")
	receive(ctx, t, tx, w, sp, 1, "CP-77")
	ms, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "req-1", Type: "requisition", WarehouseID: w.ID, ToWarehouseID: &van.ID,
		PartID: sp.ID, Qty: 1, Serial: "CP-77"}, uuid.Nil)
	if err != nil || len(ms) != 2 || ms[0].Qty != -1 || ms[1].Qty != 1 || ms[1].WarehouseID != van.ID {
		t.Fatalf("requisition: %+v %v", ms, err)
	}
	if b := balance(ctx, t, tx, van, sp); b.OnHand != 1 {
		t.Errorf("van holds %d, want 1", b.OnHand)
	}
	if _, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "scrap-1", Type: "scrap", Reason: "dead on arrival", WarehouseID: van.ID,
		PartID: sp.ID, Qty: 1, Serial: "CP-77"}, uuid.Nil); err != nil {
		t.Fatal(err)
	}
	h, err := stock.GetSerialHistory(ctx, tx, sp.ID, "CP-77")
	if err != nil {
		t.Fatal(err)
	}
	if h.Place != "scrapped" || len(h.Movements) != 4 {
		t.Errorf("history: place %s, %d movements, want scrapped after 4", h.Place, len(h.Movements))
	}
	if _, err := stock.GetSerialHistory(ctx, tx, sp.ID, "NOPE"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("unknown serial: %v", err)
	}
}

// TestDriftIsFoundAndRepaired: a balance changed behind the journal's back is found and set
// back to what the journal says; only own stock is valued.
func TestDriftIsFoundAndRepaired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	p := newPart(ctx, t, tx, false)
	own, consigned := newWarehouse(ctx, t, tx, nil, ""), newWarehouse(ctx, t, tx, nil, "consigned")
	receive(ctx, t, tx, own, p, 5, "")
	receive(ctx, t, tx, consigned, p, 7, "")
	if b := balance(ctx, t, tx, own, p); b.Value != 5*p.UnitCost {
		t.Errorf("own stock valued %d, want %d", b.Value, 5*p.UnitCost)
	}
	if b := balance(ctx, t, tx, consigned, p); b.Value != 0 || b.OnHand != 7 {
		t.Errorf("consigned stock: %+v, want 7 on hand valued 0", b)
	}
	if _, err := tx.Exec(ctx, `UPDATE stock_balances SET on_hand = on_hand + 3 WHERE tenant_id = $1 AND warehouse_id = $2`,
		tx.Scope.TenantID, own.ID); err != nil {
		t.Fatal(err)
	}
	drift, err := stock.Drift(ctx, tx, false)
	if err != nil || len(drift) != 1 || drift[0].StoredOnHand != 8 || drift[0].OnHand != 5 {
		t.Fatalf("drift: %+v %v, want one balance at 8 that the journal says is 5", drift, err)
	}
	if _, err := stock.Drift(ctx, tx, true); err != nil {
		t.Fatal(err)
	}
	if b := balance(ctx, t, tx, own, p); b.OnHand != 5 {
		t.Errorf("on hand %d after repair, want 5", b.OnHand)
	}
	if drift, err := stock.Drift(ctx, tx, false); err != nil || len(drift) != 0 {
		t.Errorf("drift after repair: %+v %v", drift, err)
	}
}

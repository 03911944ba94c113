package stock_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// sandbox onboards a sandbox tenant (its business rules follow a test clock) on d.
func sandbox(ctx context.Context, t *testing.T, d *tenants.DB) uuid.UUID {
	t.Helper()
	u := testfactory.Unique()
	tn, _, err := d.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "sb-" + u, Name: "Sandbox " + u, Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "sb-" + u + "@stock.test", AdminName: "Admin",
		AdminPasswordHash: "x", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// TestStockStampsFollowTheTenantClock: a sandbox tenant whose clock is days ahead ships and
// receives a transfer, takes a part off an order and repairs nothing: the transfer's shipped
// and received times, the balances' and serials' times and the posting days are the tenant's
// clock, not the wall clock.
func TestStockStampsFollowTheTenantClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	id := sandbox(ctx, t, d)
	scope := tenants.Scope{TenantID: id, Actor: tenants.SystemActor}
	var clock time.Time
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		c, err := tenants.GetClock(ctx, tx)
		if err != nil {
			return err
		}
		clock = c.Now.Add(72 * time.Hour).Truncate(time.Second)
		_, err = tenants.AdvanceClock(ctx, tx, clock, "to")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := d.Rollback(ctx, scope, func(tx *tenants.Tx) error {
		p, sp := newPart(ctx, t, tx, false), newPart(ctx, t, tx, true)
		central, outlet := newWarehouse(ctx, t, tx, nil, ""), newWarehouse(ctx, t, tx, nil, "")
		receive(ctx, t, tx, central, p, 5, "")
		receive(ctx, t, tx, central, sp, 1, "SB-1")
		tr, err := stock.Ship(ctx, tx, stock.ShipInput{IdempotencyKey: "ship-sb", FromWarehouseID: central.ID, ToWarehouseID: outlet.ID,
			Lines: []stock.ShipLine{{PartID: p.ID, Qty: 2}, {PartID: sp.ID, Qty: 1, Serials: []string{"SB-1"}}}})
		if err != nil {
			t.Fatalf("ship: %v", err)
		}
		got, err := stock.Receive(ctx, tx, tr.ID, []stock.ReceiveLine{{LineNo: 1, QtyReceived: 2}, {LineNo: 2, QtyReceived: 1,
			Serials: []string{"SB-1"}}})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if !got.ShippedAt.Equal(clock) || got.ReceivedAt == nil || !got.ReceivedAt.Equal(clock) {
			t.Errorf("transfer shipped %v, received %v; want the tenant's clock %v", got.ShippedAt, got.ReceivedAt, clock)
		}
		if b := balance(ctx, t, tx, outlet, p); !b.UpdatedAt.Equal(clock) {
			t.Errorf("balance updated at %v, want the tenant's clock %v", b.UpdatedAt, clock)
		}
		ms, err := stock.ListMovements(ctx, tx, stock.MovementFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		day := clock.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		for _, m := range ms {
			if m.PostedOn != day {
				t.Errorf("movement %s posted on %s, want the tenant's day %s", m.Type, m.PostedOn, day)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDailySuggestionsOncePerDay: the daily job writes each tenant's short safety stock lines
// once per tenant and day: a second run the same day writes nothing (even when more lines
// have become short since), the next day (on the tenant's clock) is written afresh, and an
// outlet's staff read their outlet's lines only.
func TestDailySuggestionsOncePerDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := testdb.New(t) // a database of its own: the job walks every tenant
	d := tenants.NewDB(tdb.App)
	id := sandbox(ctx, t, d)
	scope := tenants.Scope{TenantID: id, Actor: tenants.SystemActor}
	var outlet tenants.Outlet
	var whC, wh1 stock.Warehouse
	var p1, p2 uuid.UUID
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		outlet = testfactory.Outlet(ctx, t, tx, nil)
		whC, wh1 = newWarehouse(ctx, t, tx, nil, ""), newWarehouse(ctx, t, tx, &outlet.ID, "")
		p1, p2 = newPart(ctx, t, tx, false).ID, newPart(ctx, t, tx, false).ID
		for _, s := range []stock.SafetyInput{{WarehouseID: whC.ID, PartID: p1, MinQty: 5, ReorderQty: 10},
			{WarehouseID: wh1.ID, PartID: p1, MinQty: 2}} {
			if _, err := stock.SetSafety(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	worker := &stock.DailyWorker{DB: d, Log: slog.New(slog.DiscardHandler)}
	run := func() {
		t.Helper()
		if err := worker.Work(ctx, &river.Job[stock.DailyArgs]{}); err != nil {
			t.Fatalf("daily job: %v", err)
		}
	}
	read := func(s tenants.Scope, day time.Time) stock.DailyRun {
		t.Helper()
		var out stock.DailyRun
		if err := d.Tx(ctx, s, func(tx *tenants.Tx) (err error) {
			out, err = stock.GetDaily(ctx, tx, day, uuid.NullUUID{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if r := read(scope, time.Time{}); r.Written || len(r.Lines) != 0 {
		t.Fatalf("before the job: %+v", r)
	}
	run()
	first := read(scope, time.Time{})
	if !first.Written || len(first.Lines) != 2 {
		t.Fatalf("after the job: %+v, want 2 lines", first)
	}
	for _, l := range first.Lines {
		want := int32(2)
		if l.WarehouseID == whC.ID {
			want = 10
		}
		if l.Suggested != want {
			t.Errorf("line of %s suggests %d, want %d", l.WarehouseID, l.Suggested, want)
		}
	}
	// A new short line the same day: the day is written already.
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		_, err := stock.SetSafety(ctx, tx, stock.SafetyInput{WarehouseID: whC.ID, PartID: p2, MinQty: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run()
	if again := read(scope, time.Time{}); len(again.Lines) != 2 || !again.CreatedAt.Equal(*first.CreatedAt) {
		t.Errorf("second run of the day: %d lines written at %v, want the first run's 2 at %v", len(again.Lines), again.CreatedAt, first.CreatedAt)
	}
	mine := read(tenants.Scope{TenantID: id, OutletID: outlet.ID, Actor: tenants.SystemActor}, time.Time{})
	if len(mine.Lines) != 1 || mine.Lines[0].WarehouseID != wh1.ID {
		t.Errorf("outlet staff read %+v, want only their warehouse's line", mine.Lines)
	}
	// The next day on the tenant's clock.
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		c, err := tenants.GetClock(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tenants.AdvanceClock(ctx, tx, c.Now.Add(24*time.Hour), "to")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run()
	if next := read(scope, time.Time{}); !next.Written || len(next.Lines) != 3 || next.Day == first.Day {
		t.Errorf("next day: %+v, want 3 lines of a new day", next)
	}
	day, _ := time.Parse(time.DateOnly, first.Day)
	if old := read(scope, day); len(old.Lines) != 2 {
		t.Errorf("the first day read later: %d lines, want 2", len(old.Lines))
	}
}

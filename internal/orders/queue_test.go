package orders_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
)

// TestDispatchQueueMatchesTheRankedQuery checks that the dispatch queue read in two
// index-served parts returns, for every page size, what the one ranking statement
// (ListDispatchQueue) returns: the same orders in the same order, priorities mixed.
func TestDispatchQueueMatchesTheRankedQuery(t *testing.T) {
	b := setup(t)
	var made []uuid.UUID
	for i := range 7 {
		o := b.order(t, b.unit(t, 30), "")
		made = append(made, o.ID)
		if _, err := b.tx.Exec(b.ctx, "UPDATE service_orders SET priority = $2 WHERE tenant_id = $1 AND id = $3",
			b.tx.Scope.TenantID, []int{0, 5, 0, 9, 5, 0, 1}[i], o.ID); err != nil {
			t.Fatalf("set priority: %v", err)
		}
	}
	if _, err := b.tx.Exec(b.ctx, "UPDATE service_orders SET status = 'cancelled' WHERE tenant_id = $1 AND id = $2",
		b.tx.Scope.TenantID, made[1]); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	day := testfactory.Today(b.ctx, t, b.tx)
	for lim := int32(1); lim <= 8; lim++ {
		want, err := b.tx.Q.ListDispatchQueue(b.ctx, b.tx, db.ListDispatchQueueParams{TenantID: b.tx.Scope.TenantID,
			PromiseDay: day, Lim: lim})
		if err != nil {
			t.Fatalf("ranked query: %v", err)
		}
		got, err := orders.DispatchQueue(b.ctx, b.tx, orders.Filter{Undispatched: true, Limit: lim})
		if err != nil {
			t.Fatalf("dispatch queue: %v", err)
		}
		var w, g []uuid.UUID
		for _, r := range want {
			w = append(w, r.ID)
		}
		for _, o := range got {
			g = append(g, o.ID)
		}
		if !slices.Equal(g, w) {
			t.Errorf("limit %d: queue %v, want the ranked query's %v", lim, g, w)
		}
		if lim == 8 && (len(g) != 6 || slices.Contains(g, made[1]) || g[0] != made[3]) {
			t.Errorf("queue %v: want the 6 open orders, highest priority (%s) first, not the cancelled %s", g, made[3], made[1])
		}
	}
}

// TestOrderListForAPeriodPagesByCreationTime checks the list of a period of intake: newest
// first by created_at (ties by id), page by page through the cursor, each order of the
// period once and none outside it; and open orders older than a moment, without the
// closed ones.
func TestOrderListForAPeriodPagesByCreationTime(t *testing.T) {
	b := setup(t)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// Days after base: two orders share a moment; the first and last fall outside March.
	days := []int{-1, 3, 10, 10, 20, 30, 31}
	var made []uuid.UUID
	for _, d := range days {
		o := b.order(t, b.unit(t, 30), "")
		if _, err := b.tx.Exec(b.ctx, "UPDATE service_orders SET created_at = $2 WHERE tenant_id = $1 AND id = $3",
			b.tx.Scope.TenantID, base.AddDate(0, 0, d), o.ID); err != nil {
			t.Fatalf("set created_at: %v", err)
		}
		made = append(made, o.ID)
	}
	// March, newest first; the two of day 10 by id, newest id first.
	want := []uuid.UUID{made[5], made[4]}
	if made[3].String() > made[2].String() {
		want = append(want, made[3], made[2])
	} else {
		want = append(want, made[2], made[3])
	}
	want = append(want, made[1])
	from, to := base, base.AddDate(0, 1, 0)
	var got []uuid.UUID
	cursor := uuid.NullUUID{}
	for range 5 {
		page, err := orders.List(b.ctx, b.tx, orders.Filter{From: &from, To: &to, BeforeID: cursor, Limit: 2})
		if err != nil {
			t.Fatalf("list March: %v", err)
		}
		for _, o := range page {
			got = append(got, o.ID)
		}
		if len(page) < 2 {
			break
		}
		cursor = uuid.NullUUID{UUID: page[len(page)-1].ID, Valid: true}
	}
	if !slices.Equal(got, want) {
		t.Errorf("March in pages of 2: %v, want %v", got, want)
	}

	if _, err := b.tx.Exec(b.ctx, "UPDATE service_orders SET status = 'cancelled' WHERE tenant_id = $1 AND id = $2",
		b.tx.Scope.TenantID, made[4]); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	before := base.AddDate(0, 0, 21)
	open, err := orders.List(b.ctx, b.tx, orders.Filter{OverdueBefore: &before, Limit: 10})
	if err != nil {
		t.Fatalf("list open before: %v", err)
	}
	var g []uuid.UUID
	for _, o := range open {
		g = append(g, o.ID)
	}
	if w := append(slices.Clone(want[2:]), made[0]); !slices.Equal(g, w) {
		t.Errorf("open orders created before day 21: %v, want %v (not the cancelled %s)", g, w, made[4])
	}
}

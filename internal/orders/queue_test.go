package orders_test

import (
	"slices"
	"testing"

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

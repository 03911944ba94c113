package billing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/tenants"
)

// TestEventsForAnotherTenantsObjectsAreRefused: an event addressed to one tenant that names
// another tenant's purchase, or carries another tenant's payment intent, changes nothing,
// teaches no route, and is recorded as a mismatch (and alerted), never as applied.
func TestEventsForAnotherTenantsObjectsAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fa, fb := b.tenant(), b.tenant()
	onA, _ := demoProducts(b, fa)
	onB, _ := demoProducts(b, fb)
	buy := func(f fixture, p billing.Product) (id uuid.UUID) {
		order := b.order(f)
		b.in(f.tenant, func(tx *tenants.Tx) error {
			co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: p.ID, OrderID: order})
			id = co.Purchase.ID
			return err
		})
		return id
	}
	pa, pb := buy(fa, onA), buy(fb, onB)
	base := time.Now().Add(-time.Hour).Unix()
	// A's payment: applied, and pi_a is known to be A's.
	if _, err := b.deliver(intentSucceeded("evt_a_paid", base, fa.tenant, pa, "pi_a", onsitePrice)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	for _, p := range [][]byte{
		intentSucceeded("evt_b_names_a_purchase", base+1, fb.tenant, pa, "pi_x", onsitePrice),
		sessionCompleted("evt_b_session_a_purchase", base+1, fb.tenant, pa, "pi_y", onsitePrice),
		intentFailed("evt_b_with_a_intent", base+2, fb.tenant, pb, "pi_a", onsitePrice),
		intentSucceeded("evt_b_paid_with_a_intent", base+3, fb.tenant, pb, "pi_a", onsitePrice),
	} {
		if _, err := b.deliver(p); err != nil {
			t.Fatal(err)
		}
	}
	b.settle()

	outcome := func(id string) (o, detail string) {
		if err := b.db.Owner.QueryRow(b.ctx, `SELECT outcome, detail FROM stripe_events WHERE id = $1`, id).Scan(&o, &detail); err != nil {
			t.Fatal(err)
		}
		return o, detail
	}
	if o, d := outcome("evt_a_paid"); o != "applied" {
		t.Errorf("A's own payment: %s (%s)", o, d)
	}
	for _, id := range []string{"evt_b_names_a_purchase", "evt_b_session_a_purchase", "evt_b_with_a_intent", "evt_b_paid_with_a_intent"} {
		if o, d := outcome(id); o != "mismatch" {
			t.Errorf("%s: recorded %s (%s), want mismatch", id, o, d)
		}
	}
	status := func(f fixture, id uuid.UUID) (s string) {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			p, err := billing.GetPurchase(b.ctx, tx, id)
			s = p.Status
			return err
		})
		return s
	}
	if s := status(fa, pa); s != billing.StatusActive {
		t.Errorf("A's purchase: %s, want active", s)
	}
	if s := status(fb, pb); s != billing.StatusPending {
		t.Errorf("B's purchase after events carrying A's payment intent: %s, want pending", s)
	}
	b.in(fb.tenant, func(tx *tenants.Tx) error {
		var n int
		if err := tx.QueryRow(b.ctx, `SELECT count(*) FROM ledger_entries`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("B's ledger has %d entries", n)
		}
		return nil
	})
	var routed []uuid.UUID
	rows, err := b.db.Owner.Query(b.ctx, `SELECT tenant FROM stripe_routes WHERE object_id IN ('pi_x', 'pi_y', 'cs_pi_y', 'ch_pi_x', 'pi_a')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		_ = rows.Scan(&id)
		routed = append(routed, id)
	}
	rows.Close()
	if len(routed) != 1 || routed[0] != fa.tenant {
		t.Errorf("routes learned: %v, want only pi_a to A", routed)
	}
}

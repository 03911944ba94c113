package billing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/tenants"
)

// TestStripeOwnerComesFromThePurchase: an event whose metadata names tenant B but whose
// purchase the platform created for tenant A binds nothing to B and is recorded as a
// mismatch; A's own payment and its later refund are then applied to A. A second payment
// intent for a purchase already paid by another is a mismatch too, never a second payment.
func TestStripeOwnerComesFromThePurchase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fa, fb := b.tenant(), b.tenant()
	onA, _ := demoProducts(b, fa)
	order := b.order(fa)
	var pa uuid.UUID
	b.in(fa.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: onA.ID, OrderID: order})
		pa = co.Purchase.ID
		return err
	})
	base := time.Now().Add(-time.Hour).Unix()
	steps := [][]byte{
		intentSucceeded("evt_b_metadata_a_purchase", base, fb.tenant, pa, "pi_shared", onsitePrice),
		intentSucceeded("evt_a_paid", base+1, fa.tenant, pa, "pi_shared", onsitePrice),
		intentSucceeded("evt_a_paid_again_other_intent", base+2, fa.tenant, pa, "pi_other", onsitePrice),
		chargeRefunded("evt_a_refunded", base+3, "pi_shared", onsitePrice, onsitePrice),
	}
	for _, p := range steps {
		if _, err := b.deliver(p); err != nil {
			t.Fatal(err)
		}
		b.settle()
	}
	outcome := func(id string) (o, detail string) {
		if err := b.db.Owner.QueryRow(b.ctx, `SELECT outcome, detail FROM stripe_events WHERE id = $1`, id).Scan(&o, &detail); err != nil {
			t.Fatal(err)
		}
		return o, detail
	}
	for id, want := range map[string]string{"evt_b_metadata_a_purchase": "mismatch", "evt_a_paid": "applied",
		"evt_a_paid_again_other_intent": "mismatch", "evt_a_refunded": "applied"} {
		if o, d := outcome(id); o != want {
			t.Errorf("%s: %s (%s), want %s", id, o, d, want)
		}
	}
	b.in(fa.tenant, func(tx *tenants.Tx) error {
		p, err := billing.GetPurchase(b.ctx, tx, pa)
		if err != nil {
			return err
		}
		if p.Status != billing.StatusRefunded || p.PaymentIntentID != "pi_shared" {
			t.Errorf("A's purchase: %s paid by %q, want refunded, paid by pi_shared", p.Status, p.PaymentIntentID)
		}
		var payments, refunds int64
		if err := tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0),
			coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) FROM ledger_entries`).Scan(&payments, &refunds); err != nil {
			return err
		}
		if payments != onsitePrice || refunds != -onsitePrice {
			t.Errorf("A's ledger: payments %d, refunds %d", payments, refunds)
		}
		return nil
	})
	var routes []uuid.UUID
	rows, err := b.db.Owner.Query(b.ctx, `SELECT DISTINCT tenant FROM stripe_routes WHERE object_id IN ('pi_shared', 'ch_pi_shared', 'pi_other')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		_ = rows.Scan(&id)
		routes = append(routes, id)
	}
	rows.Close()
	if len(routes) != 1 || routes[0] != fa.tenant {
		t.Errorf("owners of A's payment objects: %v, want only A", routes)
	}
}

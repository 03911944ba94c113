package billing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// TestRefundedUpgradeStopsTimingTheOrder: a paid 2-minute upgrade times its order (the tenant
// has no tier targets); once Stripe confirms its refund, the clock it started is cancelled, so
// it neither breaches nor escalates, and no compensation is paid for it.
func TestRefundedUpgradeStopsTimingTheOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	var fast billing.Product
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		fast, err = billing.CreateProduct(b.ctx, tx, billing.ProductInput{Code: "accept-2m", Name: "Accepted in 2 minutes", Kind: billing.PerIncident,
			Targets:        map[string]warranty.Target{warranty.TargetAccept: {Minutes: 2, Clock: "clock"}},
			CoolingOffDays: 1, AfterCoolingOff: "none", Compensation: billing.Compensation{Kind: "refund_full"}},
			[]billing.PriceInput{{Currency: "CNY", UnitAmount: 1000}})
		return err
	})
	order := b.order(f)
	var purchase uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: fast.ID, OrderID: order})
		purchase = co.Purchase.ID
		return err
	})
	now := time.Now().Unix()
	if _, err := b.deliver(sessionCompleted("evt_fast_paid", now-60, f.tenant, purchase, "pi_fast", 1000)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	accept := func() sla.Clock {
		var out sla.Clock
		b.in(f.tenant, func(tx *tenants.Tx) error {
			cs, err := sla.Clocks(b.ctx, tx, order)
			for _, c := range cs {
				if c.Target == sla.Accept {
					out = c
				}
			}
			return err
		})
		return out
	}
	if c := accept(); c.Status != sla.Running || c.Minutes != 2 {
		t.Fatalf("accept clock after payment: %+v", c)
	}
	if _, err := b.deliver(chargeRefunded("evt_fast_refunded", now, "pi_fast", 1000, 1000)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	if c := accept(); c.Status != sla.Cancelled || c.DueAt != nil {
		t.Errorf("accept clock after the refund: %+v, want cancelled", c)
	}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		p, err := billing.GetPurchase(b.ctx, tx, purchase)
		if err == nil && p.Status != billing.StatusRefunded {
			t.Errorf("purchase %s, want refunded", p.Status)
		}
		comps, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
		if len(comps) != 0 {
			t.Errorf("compensations for a refunded promise: %+v", comps)
		}
		return err
	})
}

// TestExpiredCheckoutExpiresThePurchase: checkout.session.expired ends a pending purchase as
// expired (once, however often delivered) and leaves a paid one alone; a payment Stripe still
// confirms afterwards activates the expired purchase.
func TestExpiredCheckoutExpiresThePurchase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, _ := demoProducts(b, f)
	buy := func() (id uuid.UUID) {
		order := b.order(f)
		b.in(f.tenant, func(tx *tenants.Tx) error {
			co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: order})
			id = co.Purchase.ID
			return err
		})
		return id
	}
	stale, paid, late := buy(), buy(), buy()
	expired := func(id string, p uuid.UUID) []byte {
		return ev(id, "checkout.session.expired", time.Now().Unix(), map[string]any{"id": "cs_" + id, "object": "checkout.session",
			"mode": "payment", "status": "expired", "payment_status": "unpaid", "client_reference_id": p.String(), "metadata": md(f.tenant, p)})
	}
	base := time.Now().Add(-time.Hour).Unix()
	for _, p := range [][]byte{
		expired("evt_exp_stale", stale), expired("evt_exp_stale", stale),
		sessionCompleted("evt_paid_then_exp", base, f.tenant, paid, "pi_paid_exp", onsitePrice), expired("evt_exp_paid", paid),
		expired("evt_exp_late", late),
	} {
		if _, err := b.deliver(p); err != nil {
			t.Fatal(err)
		}
		b.settle()
	}
	if _, err := b.deliver(intentSucceeded("evt_late_paid", base+10, f.tenant, late, "pi_late_paid", onsitePrice)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		for p, want := range map[uuid.UUID]string{stale: billing.StatusExpired, paid: billing.StatusActive, late: billing.StatusActive} {
			got, err := billing.GetPurchase(b.ctx, tx, p)
			if err != nil {
				return err
			}
			if got.Status != want {
				t.Errorf("purchase %s: %s, want %s", p, got.Status, want)
			}
		}
		return nil
	})
}

// TestPlanTermAndCoolingOffShareThePayment: a plan's term starts on the day of its payment
// (in the tenant's time zone), the same moment its cooling-off period counts from, even when
// the payment's event is applied days later.
func TestPlanTermAndCoolingOffShareThePayment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	_, gold := demoProducts(b, f)
	unit := b.unit(f, "SN-TERM")
	var purchase uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: gold.ID, RegistrationID: unit})
		purchase = co.Purchase.ID
		return err
	})
	paid := time.Now().Add(-3 * 24 * time.Hour)
	if _, err := b.deliver(sessionCompleted("evt_term_paid", paid.Unix(), f.tenant, purchase, "pi_term", goldPrice)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		p, err := billing.GetPurchase(b.ctx, tx, purchase)
		if err != nil {
			return err
		}
		loc, err := tenants.Location(b.ctx, tx)
		if err != nil {
			return err
		}
		day := paid.In(loc).Format(time.DateOnly)
		if p.PaidAt == nil || p.PaidAt.In(loc).Format(time.DateOnly) != day || p.ValidFrom != day {
			t.Errorf("paid %v, term from %s; want both on %s", p.PaidAt, p.ValidFrom, day)
		}
		until, _ := time.Parse(time.DateOnly, day)
		if want := until.AddDate(0, 24, -1).Format(time.DateOnly); p.ValidUntil != want {
			t.Errorf("term until %s, want %s", p.ValidUntil, want)
		}
		return nil
	})
}

package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

func TestQuoteCancel(t *testing.T) {
	t.Parallel()
	paid := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 12, -1) // 365 days
	plan := billing.Purchase{Kind: billing.Plan, Amount: 36500, Currency: "CNY", PaidAt: &paid,
		ValidFrom: from.Format(time.DateOnly), ValidUntil: until.Format(time.DateOnly)}
	prod := billing.Product{ProductInput: billing.ProductInput{CoolingOffDays: 14, AfterCoolingOff: "pro_rata"}}

	if q := billing.QuoteCancel(plan, prod, paid.AddDate(0, 0, 13)); q.Basis != "full" || q.Amount != 36500 || !q.CoolingOff {
		t.Errorf("in cooling-off: %+v", q)
	}
	// 100 days used of 365: 265/365 of the price.
	if q := billing.QuoteCancel(plan, prod, from.AddDate(0, 0, 100).Add(time.Hour)); q.Basis != "pro_rata" || q.Amount != 26500 {
		t.Errorf("pro rata: %+v", q)
	}
	// Already partly refunded (compensation): only the rest.
	part := plan
	part.RefundedAmount = 30000
	if q := billing.QuoteCancel(part, prod, from.AddDate(0, 0, 100)); q.Amount != 6500 {
		t.Errorf("pro rata after a partial refund: %+v", q)
	}
	none := prod
	none.AfterCoolingOff = "none"
	if q := billing.QuoteCancel(plan, none, from.AddDate(0, 0, 100)); q.Amount != 0 || q.Basis != "none" {
		t.Errorf("no refund after cooling-off: %+v", q)
	}
	upgrade := billing.Purchase{Kind: billing.PerIncident, Amount: 9900, PaidAt: &paid}
	if q := billing.QuoteCancel(upgrade, prod, paid.AddDate(0, 0, 20)); q.Amount != 0 {
		t.Errorf("per-incident after cooling-off: %+v", q)
	}
	if q := billing.QuoteCancel(billing.Purchase{Kind: billing.Plan, Amount: 100}, prod, paid); q.Amount != 0 {
		t.Errorf("unpaid: %+v", q)
	}
}

func TestProductValidationAndEligibility(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	unit := b.unit(f, "SN-E1")
	b.in(f.tenant, func(tx *tenants.Tx) error {
		bad := []struct {
			in    billing.ProductInput
			field string
		}{
			{billing.ProductInput{Code: "a", Name: "A", Kind: billing.PerIncident}, "targets"},
			{billing.ProductInput{Code: "a", Name: "A", Kind: billing.PerIncident, Targets: map[string]warranty.Target{"teleport": {Minutes: 1}}}, "targets.teleport"},
			{billing.ProductInput{Code: "a", Name: "A", Kind: billing.Plan, TermMonths: 12, TierCode: "platinum"}, "tier_code"},
			{billing.ProductInput{Code: "a", Name: "A", Kind: billing.Plan, TermMonths: 12, TierCode: "gold",
				Compensation: billing.Compensation{Kind: "credit"}}, "compensation.percent"},
			{billing.ProductInput{Code: "a", Name: "A", Kind: billing.Plan, TermMonths: 12,
				Coverage: &billing.PlanCoverage{Kind: "accidental"}}, "coverage.covered.parts.mode"},
		}
		for _, c := range bad {
			_, err := billing.CreateProduct(b.ctx, tx, c.in, []billing.PriceInput{{Currency: "CNY", UnitAmount: 1}})
			var fe *fault.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("%+v: %v, want a field error at %s", c.in, err, c.field)
			}
		}
		// Eligibility: another model, too old a unit, a region no outlet serves.
		other := platform.NewID()
		for _, e := range []billing.Eligibility{{ModelIDs: []uuid.UUID{other}}, {MaxUnitAgeDays: 10}, {ProvinceCodes: []string{"440000"}}} {
			p := billing.Product{ProductInput: billing.ProductInput{Code: "x", Kind: billing.Plan, Eligibility: e}}
			if err := billing.CheckEligible(b.ctx, tx, p, unit, "registration_id"); err == nil {
				t.Errorf("eligibility %+v: the unit passed", e)
			}
		}
		for _, e := range []billing.Eligibility{{ModelIDs: []uuid.UUID{f.model}}, {MaxUnitAgeDays: 60}, {ProvinceCodes: []string{"310000"}}, {}} {
			p := billing.Product{ProductInput: billing.ProductInput{Code: "x", Kind: billing.Plan, Eligibility: e}}
			if err := billing.CheckEligible(b.ctx, tx, p, unit, "registration_id"); err != nil {
				t.Errorf("eligibility %+v: %v", e, err)
			}
		}
		if _, ok, err := billing.ExpressTargets(b.ctx, tx, platform.NewID()); ok || err != nil {
			t.Errorf("targets of an order without an upgrade: %v %v", ok, err)
		}
		return nil
	})
}

// A credit promise is issued once however many breaches are reported, and recorded at once.
func TestCompensationCreditOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	var order, customer, purchase uuid.UUID
	var intent string
	b.in(f.tenant, func(tx *tenants.Tx) error {
		// A carry-in order of a customer (taken without a job runner: no clocks or events).
		c, err := (&orders.Service{}).Create(b.ctx, tx, orders.Intake{Type: "repair_minor", Channel: "carry_in",
			Customer: &customers.Fields{Name: "Zhao", Phone: "+8613912345678"}, OutletID: &f.outlet, FaultDescription: "not cooling"})
		if err != nil {
			return err
		}
		order, customer = c.Order.ID, c.Order.CustomerID
		p, err := billing.CreateProduct(b.ctx, tx, billing.ProductInput{Code: "sameday", Name: "Same-day carry-in", Kind: billing.PerIncident,
			Targets:      map[string]warranty.Target{warranty.TargetCompletion: {Minutes: 480, Clock: "business"}},
			Compensation: billing.Compensation{Kind: "credit", Percent: 20}}, []billing.PriceInput{{Currency: "CNY", UnitAmount: 5000}})
		if err != nil {
			return err
		}
		co, err := b.svc.StartCounter(b.ctx, tx, billing.BuyInput{ProductID: p.ID, OrderID: order, OutletID: f.outlet})
		purchase, intent = co.Purchase.ID, co.Purchase.PaymentIntentID
		return err
	})
	if _, err := b.deliver(intentSucceeded("evt_credit_paid", time.Now().Unix(), f.tenant, purchase, intent, 5000)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	for range 4 {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", order, f.outlet,
				map[string]any{"order_id": order, "target": "completion", "outlet_id": f.outlet})
			return err
		})
	}
	b.settle()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		comps, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
		if err != nil {
			return err
		}
		if len(comps) != 1 || comps[0].Kind != "credit" || comps[0].Amount != 1000 || comps[0].Status != "issued" {
			t.Errorf("compensations: %+v", comps)
		}
		entries, err := billing.ListLedger(b.ctx, tx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), uuid.NullUUID{}, 10)
		if err != nil {
			return err
		}
		var credit, payment int64
		for _, e := range entries {
			switch e.Kind {
			case "credit":
				credit += e.Amount
			case "payment":
				payment += e.Amount
			}
		}
		if credit != -1000 || payment != 5000 || len(entries) != 2 {
			t.Errorf("ledger: %+v", entries)
		}
		var n int
		if err := tx.QueryRow(b.ctx, `SELECT count(*) FROM events WHERE type = 'compensation.issued'`).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("compensation.issued %d times", n)
		}
		var payload []byte
		if err := tx.QueryRow(b.ctx, `SELECT payload FROM events WHERE type = 'compensation.issued'`).Scan(&payload); err != nil {
			return err
		}
		msg, err := notify.ParsePayload(payload)
		if err != nil || len(msg.Recipients) != 1 || *msg.Recipients[0].CustomerID != customer ||
			len(notify.MissingVars(notify.CompensationIssued, msg.Vars)) > 0 || msg.Vars["amount"] != "¥10.00" {
			t.Errorf("compensation message: %+v %v", msg, err)
		}
		targets, ok, err := billing.ExpressTargets(b.ctx, tx, order)
		if !ok || err != nil || targets[warranty.TargetCompletion].Clock != "business" {
			t.Errorf("targets: %v %v %v", targets, ok, err)
		}
		return nil
	})
}

// Subscription events apply in event order whatever the delivery order; usage is reported
// as a total.
func TestSubscriptionOrderAndUsage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO platform_subscriptions (tenant_id, plan_code, stripe_customer_id, stripe_subscription_id, metered_item_id, status)
			VALUES (app.tenant_id(), 'growth', 'cus_t', 'sub_t', 'si_t', 'active')`)
		return err
	})
	sub := func(id string, created int64, status string) []byte {
		return ev(id, "customer.subscription.updated", created, map[string]any{"id": "sub_t", "object": "subscription", "status": status,
			"customer": "cus_t", "current_period_end": time.Now().Add(30 * 24 * time.Hour).Unix(),
			"metadata": map[string]string{"tenant_id": f.tenant.String()}})
	}
	now := time.Now().Unix()
	for _, p := range [][]byte{sub("evt_sub_new", now, "past_due"), sub("evt_sub_old", now-100, "active")} {
		if _, err := b.deliver(p); err != nil {
			t.Fatal(err)
		}
		b.settle()
	}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		s, err := billing.GetSubscription(b.ctx, tx)
		if err != nil {
			return err
		}
		if s.Status != "past_due" || s.GraceUntil == nil || s.TenantStatus != "active" {
			t.Errorf("after a newer past_due and an older active: %+v", s)
		}
		for range 3 {
			if err := billing.CountOrder(b.ctx, tx, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err := b.svc.ReportUsage(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		var count, reported int64
		if err := tx.QueryRow(b.ctx, `SELECT count, reported FROM usage_counters`).Scan(&count, &reported); err != nil {
			return err
		}
		if count != 3 || reported != 3 {
			t.Errorf("usage: %d counted, %d reported", count, reported)
		}
		return nil
	})
}

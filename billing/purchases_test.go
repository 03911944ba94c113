package billing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// A purchase's state only moves forward: pending, then active once paid, then refunded or
// disputed for good. These tests drive the state changes the webhook applies (activate,
// end) directly, in the test's transaction.

type purchaseBundle struct {
	ctx  context.Context
	tx   *tenants.Tx
	svc  *Service
	jobs *testfactory.Jobs
}

func setupPurchases(t *testing.T) *purchaseBundle {
	t.Helper()
	ctx := context.Background()
	return &purchaseBundle{ctx: ctx, tx: testfactory.TestTx(ctx, t, nil),
		svc: New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{}), jobs: &testfactory.Jobs{}}
}

func (b *purchaseBundle) product(t *testing.T, in ProductInput) Product {
	t.Helper()
	in.Code = in.Code + "-" + testfactory.Unique()
	p, err := CreateProduct(b.ctx, b.tx, in, []PriceInput{{Currency: "CNY", UnitAmount: 19900}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// extendedPlan is a one-year plan adding extended coverage of the whole unit.
func extendedPlan() ProductInput {
	return ProductInput{Code: "extended", Name: "Extended warranty", Kind: Plan, TermMonths: 12,
		Coverage: &PlanCoverage{Kind: warranty.GrantExtended, Covered: warranty.AllFree}}
}

func onsite() ProductInput {
	return ProductInput{Code: "onsite", Name: "6-hour on-site", Kind: PerIncident,
		Targets: map[string]warranty.Target{warranty.TargetArrival: {Minutes: 360, Clock: "clock"}}}
}

func (b *purchaseBundle) status(t *testing.T, id uuid.UUID) Purchase {
	t.Helper()
	p, err := GetPurchase(b.ctx, b.tx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewPurchaseIsPendingAndChecked(t *testing.T) {
	t.Parallel()
	b := setupPurchases(t)
	plan, upgrade := b.product(t, extendedPlan()), b.product(t, onsite())
	unit := testfactory.Registration(b.ctx, t, b.tx, nil)
	order := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{RegistrationID: unit.ID})

	_, _, row, err := b.svc.newPurchase(b.ctx, b.tx, BuyInput{ProductID: plan.ID, RegistrationID: unit.ID}, "checkout")
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != StatusPending || row.Amount != 19900 || row.Currency != "CNY" || row.Kind != Plan || row.PaidAt != nil {
		t.Fatalf("new purchase: %+v", row)
	}
	archived := b.product(t, onsite())
	in := onsite()
	in.Status = "archived"
	if _, err := UpdateProduct(b.ctx, b.tx, archived.ID, archived.Version, in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		in    BuyInput
		field string
	}{
		{"an upgrade without an order", BuyInput{ProductID: upgrade.ID}, "order_id"},
		{"a plan without a unit", BuyInput{ProductID: plan.ID}, "registration_id"},
		{"an unknown product", BuyInput{ProductID: uuid.New(), OrderID: order.ID}, "product_id"},
		{"an archived product", BuyInput{ProductID: archived.ID, OrderID: order.ID}, "product_id"},
		{"a currency without a price", BuyInput{ProductID: upgrade.ID, OrderID: order.ID, Currency: "USD"}, "currency"},
	} {
		if _, _, _, err := b.svc.newPurchase(b.ctx, b.tx, c.in, "checkout"); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a field error at %s", c.name, err, c.field)
		}
	}
	if _, err := b.svc.StartCheckout(b.ctx, b.tx, BuyInput{ProductID: plan.ID, RegistrationID: unit.ID}); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("checkout without Stripe: %v", err)
	}
}

func TestPlanPurchaseStates(t *testing.T) {
	t.Parallel()
	b := setupPurchases(t)
	plan := b.product(t, extendedPlan())
	today := testfactory.Today(b.ctx, t, b.tx)
	model := testfactory.Model(b.ctx, t, b.tx, nil)
	testfactory.Policy(b.ctx, t, b.tx, &testfactory.PolicyOpts{ModelIDs: []uuid.UUID{model.ID}})
	unit := testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: model.ID, PurchaseDate: today.AddDate(0, 0, -400)})
	class := func() string {
		t.Helper()
		res, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: unit.ID})
		if err != nil {
			t.Fatal(err)
		}
		return res.Decision.Class
	}
	if c := class(); c != warranty.OutOfWarranty {
		t.Fatalf("before the plan: %s", c)
	}
	_, _, row, err := b.svc.newPurchase(b.ctx, b.tx, BuyInput{ProductID: plan.ID, RegistrationID: unit.ID}, "checkout")
	if err != nil {
		t.Fatal(err)
	}

	// A payment of another amount activates nothing (it is flagged for finance).
	paidAt := time.Now()
	if out, err := activate(b.ctx, b.tx, b.jobs, row.ID, "pi_0", "ch_0", 100, "cny", paidAt); err != nil || !strings.Contains(out, "does not match") {
		t.Fatalf("a payment of 1.00: %q, %v", out, err)
	}
	if p := b.status(t, row.ID); p.Status != StatusPending {
		t.Fatalf("after a wrong amount: %s", p.Status)
	}

	// Paid: the plan runs a year from today and its coverage decides the unit's entitlement.
	if out, err := activate(b.ctx, b.tx, b.jobs, row.ID, "pi_1", "ch_1", row.Amount, "cny", paidAt); err != nil || out != "activated" {
		t.Fatalf("activate: %q, %v", out, err)
	}
	p := b.status(t, row.ID)
	if p.Status != StatusActive || p.PaidAt == nil || p.GrantID == nil || p.ValidFrom != today.Format(time.DateOnly) ||
		p.ValidUntil != today.AddDate(0, 12, -1).Format(time.DateOnly) || p.PaymentIntentID != "pi_1" {
		t.Fatalf("active plan: %+v", p)
	}
	if c := class(); c != warranty.Contract {
		t.Fatalf("with the plan: %s", c)
	}
	// A second delivery of the payment changes nothing and records the money once.
	if out, err := activate(b.ctx, b.tx, b.jobs, row.ID, "pi_1", "ch_1", row.Amount, "cny", paidAt); err != nil || out != "purchase is already active" {
		t.Fatalf("activate again: %q, %v", out, err)
	}
	entries, err := ListLedger(b.ctx, b.tx, paidAt.Add(-time.Hour), paidAt.Add(time.Hour), uuid.NullUUID{}, 10)
	// The flagged payment of the wrong amount is recorded too, once.
	if err != nil || len(entries) != 2 || entries[0].Amount+entries[1].Amount != row.Amount+100 {
		t.Fatalf("ledger after two deliveries: %+v, %v", entries, err)
	}
	testfactory.Flush(b.ctx, t, b.tx)
	if kinds := b.jobs.Kinds(); !slices.Contains(kinds, "event_dispatch") {
		t.Fatalf("purchase.activated was not dispatched: %v", kinds)
	}

	// Refunded: the coverage ends, for good.
	cur, err := b.tx.Q.GetPurchase(b.ctx, b.tx, db.GetPurchaseParams{TenantID: b.tx.Scope.TenantID, ID: row.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := end(b.ctx, b.tx, b.jobs, cur, StatusRefunded); err != nil {
		t.Fatal(err)
	}
	if p := b.status(t, row.ID); p.Status != StatusRefunded {
		t.Fatalf("after the refund: %s", p.Status)
	}
	grants, err := registry.Grants(b.ctx, b.tx, unit.ID)
	if err != nil || len(grants) != 1 || grants[0].Status != "cancelled" {
		t.Fatalf("the plan's grant after the refund: %+v, %v", grants, err)
	}
	if c := class(); c != warranty.OutOfWarranty {
		t.Fatalf("after the refund: %s", c)
	}
	if out, err := activate(b.ctx, b.tx, b.jobs, row.ID, "pi_1", "ch_1", row.Amount, "cny", paidAt); err != nil ||
		out != "purchase is already refunded" || b.status(t, row.ID).Status != StatusRefunded {
		t.Fatalf("a late payment event after the refund: %q, %v", out, err)
	}
	if err := end(b.ctx, b.tx, b.jobs, cur, StatusDisputed); err != nil || b.status(t, row.ID).Status != StatusRefunded {
		t.Fatalf("a dispute after the refund: %v, status %s", err, b.status(t, row.ID).Status)
	}
}

// A paid upgrade of an order sets the order's SLA targets; unpaid, it sets none.
func TestUpgradeSetsExpressTargets(t *testing.T) {
	t.Parallel()
	b := setupPurchases(t)
	upgrade := b.product(t, onsite())
	order := testfactory.Order(b.ctx, t, b.tx, nil)
	_, _, row, err := b.svc.newPurchase(b.ctx, b.tx, BuyInput{ProductID: upgrade.ID, OrderID: order.ID}, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ExpressTargets(b.ctx, b.tx, order.ID); err != nil || ok {
		t.Fatalf("targets of an unpaid upgrade: %v, %v", ok, err)
	}
	if out, err := activate(b.ctx, b.tx, b.jobs, row.ID, "pi_2", "", row.Amount, "CNY", time.Now()); err != nil || out != "activated" {
		t.Fatalf("activate: %q, %v", out, err)
	}
	targets, ok, err := ExpressTargets(b.ctx, b.tx, order.ID)
	if err != nil || !ok || targets[warranty.TargetArrival].Minutes != 360 {
		t.Fatalf("targets of a paid upgrade: %v %v, %v", targets, ok, err)
	}
	if p := b.status(t, row.ID); p.ValidFrom != "" || p.GrantID != nil {
		t.Fatalf("an upgrade has no validity or grant: %+v", p)
	}
}

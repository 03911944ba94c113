package billing_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

var cny = []billing.PriceInput{{Currency: "CNY", UnitAmount: 9900}}

func upgrade(code string) billing.ProductInput {
	return billing.ProductInput{Code: code, Name: "6-hour on-site", Kind: billing.PerIncident,
		Targets: map[string]warranty.Target{warranty.TargetArrival: {Minutes: 360}}}
}

func plan(code string) billing.ProductInput {
	return billing.ProductInput{Code: code, Name: "Gold care", Kind: billing.Plan, TermMonths: 12, TierCode: "gold"}
}

func TestCreateProductValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	for _, c := range []struct {
		name   string
		in     billing.ProductInput
		prices []billing.PriceInput
		field  string
	}{
		{"upgrade with a term", func() billing.ProductInput { p := upgrade("a"); p.TermMonths = 3; return p }(), cny, "term_months"},
		{"upgrade with coverage", func() billing.ProductInput {
			p := upgrade("a")
			p.Coverage = &billing.PlanCoverage{Kind: warranty.GrantExtended, Covered: warranty.AllFree}
			return p
		}(), cny, "coverage"},
		{"upgrade without targets", func() billing.ProductInput { p := upgrade("a"); p.Targets = nil; return p }(), cny, "targets"},
		{"plan without a term", func() billing.ProductInput { p := plan("a"); p.TermMonths = 0; return p }(), cny, "term_months"},
		{"plan granting nothing", func() billing.ProductInput { p := plan("a"); p.TierCode = ""; return p }(), cny, "tier_code"},
		{"unknown kind", func() billing.ProductInput { p := plan("a"); p.Kind = "bundle"; return p }(), cny, "kind"},
		{"unknown target", func() billing.ProductInput {
			p := upgrade("a")
			p.Targets["teleport"] = warranty.Target{Minutes: 1}
			return p
		}(), cny, "targets.teleport"},
		{"target without minutes", func() billing.ProductInput {
			p := upgrade("a")
			p.Targets[warranty.TargetArrival] = warranty.Target{}
			return p
		}(), cny, "targets.arrival.minutes"},
		{"unknown tier", func() billing.ProductInput { p := plan("a"); p.TierCode = "platinum"; return p }(), cny, "tier_code"},
		{"coverage of another kind", func() billing.ProductInput {
			p := plan("a")
			p.Coverage = &billing.PlanCoverage{Kind: warranty.GrantRepairWarranty, Covered: warranty.AllFree}
			return p
		}(), cny, "coverage.kind"},
		{"coverage line without a mode", func() billing.ProductInput {
			p := plan("a")
			p.Coverage = &billing.PlanCoverage{Kind: warranty.GrantExtended, Covered: warranty.Lines{Parts: warranty.Line{Mode: warranty.Free}}}
			return p
		}(), cny, "coverage.covered.labour.mode"},
		{"partial refund without a percent", func() billing.ProductInput {
			p := upgrade("a")
			p.Compensation = billing.Compensation{Kind: "refund_partial"}
			return p
		}(), cny, "compensation.percent"},
		{"unknown compensation", func() billing.ProductInput {
			p := upgrade("a")
			p.Compensation = billing.Compensation{Kind: "apology"}
			return p
		}(), cny, "compensation.kind"},
		{"region that is no code", func() billing.ProductInput {
			p := upgrade("a")
			p.Eligibility.CityCodes = []string{"310100", "Shanghai"}
			return p
		}(), cny, "eligibility.city_codes[1]"},
		{"no price", upgrade("a"), nil, "prices"},
		{"a currency twice", upgrade("a"), []billing.PriceInput{{Currency: "CNY", UnitAmount: 1}, {Currency: "CNY", UnitAmount: 2}}, "prices[1].currency"},
	} {
		if _, err := billing.CreateProduct(ctx, tx, c.in, c.prices); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a field error at %s", c.name, err, c.field)
		}
	}
	list, err := billing.ListProducts(ctx, tx, uuid.NullUUID{}, 10, false)
	if err != nil || len(list) != 0 {
		t.Fatalf("products after refused creations: %d, %v", len(list), err)
	}
}

func TestCreateProductDefaultsAndPlanTierRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	up, err := billing.CreateProduct(ctx, tx, upgrade("onsite-6h"), cny)
	if err != nil {
		t.Fatal(err)
	}
	if up.Targets[warranty.TargetArrival].Clock != "clock" || up.Compensation.Kind != "none" || up.AfterCoolingOff != "pro_rata" ||
		up.Status != "active" || len(up.Prices) != 1 || !up.Prices[0].Active {
		t.Fatalf("defaults: %+v", up)
	}
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := billing.CreateProduct(ctx, tx, upgrade("onsite-6h"), cny)
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("a second product with the code: %v", err)
	}

	// A plan that grants a tier brings the rule that moves its buyers to the tier, once.
	gold, err := billing.CreateProduct(ctx, tx, plan("gold-care"), cny)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := coverage.TierRules(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	isRule := func(r coverage.TierRuleEntry) bool {
		return r.Tier == "gold" && r.Kind == warranty.RulePlan && r.Match == "gold-care"
	}
	if !slices.ContainsFunc(rules, isRule) {
		t.Fatalf("tier rules after the plan: %+v", rules)
	}

	// An update keeps code, kind and term; a stale one is refused.
	in := plan("renamed-code")
	in.Name, in.TermMonths, in.Status = "Gold care 2", 24, "archived"
	after, err := billing.UpdateProduct(ctx, tx, gold.ID, gold.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if after.Code != "gold-care" || after.TermMonths != 12 || after.Name != "Gold care 2" || after.Status != "archived" {
		t.Fatalf("updated plan: %+v", after)
	}
	if _, err := billing.UpdateProduct(ctx, tx, gold.ID, gold.Version, in); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	rules, err = coverage.TierRules(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rules {
		if isRule(r) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the plan's tier rule %d times after an update, want once", n)
	}
	if active, err := billing.ListProducts(ctx, tx, uuid.NullUUID{}, 10, true); err != nil || len(active) != 1 || active[0].ID != up.ID {
		t.Fatalf("active products: %+v, %v", active, err)
	}
}

// A new price replaces the current one in its currency; the old one stays, inactive, for
// the purchases made at it.
func TestSetPrice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	svc := billing.New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), billing.Config{})
	p, err := billing.CreateProduct(ctx, tx, upgrade("onsite-4h"), []billing.PriceInput{{Currency: "CNY", UnitAmount: 9900},
		{Currency: "USD", UnitAmount: 1500}})
	if err != nil {
		t.Fatal(err)
	}
	after, err := svc.SetPrice(ctx, tx, p.ID, billing.PriceInput{Currency: "CNY", UnitAmount: 12900})
	if err != nil {
		t.Fatal(err)
	}
	if pr, ok := after.ActivePrice("CNY"); !ok || pr.UnitAmount != 12900 {
		t.Fatalf("current CNY price: %+v %v", pr, ok)
	}
	if pr, ok := after.ActivePrice("USD"); !ok || pr.UnitAmount != 1500 {
		t.Fatalf("the USD price changed: %+v %v", pr, ok)
	}
	inactive := 0
	for _, pr := range after.Prices {
		if !pr.Active {
			inactive++
			if pr.UnitAmount != 9900 {
				t.Errorf("the old price was edited: %+v", pr)
			}
		}
	}
	if len(after.Prices) != 3 || inactive != 1 {
		t.Fatalf("prices: %+v", after.Prices)
	}
	if _, ok := after.ActivePrice("EUR"); ok {
		t.Fatal("a price in a currency never set")
	}
}

func TestCheckEligible(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	testfactory.Outlet(ctx, t, tx, nil) // in Shanghai
	today := testfactory.Today(ctx, t, tx)
	model, other := testfactory.Model(ctx, t, tx, nil), testfactory.Model(ctx, t, tx, nil)
	recent := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID, PurchaseDate: today.AddDate(0, 0, -10)})
	old := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID, PurchaseDate: today.AddDate(0, 0, -60)})
	foreign := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: other.ID, PurchaseDate: today.AddDate(0, 0, -10)})

	in := plan("care-" + testfactory.Unique())
	in.Eligibility = billing.Eligibility{ModelIDs: []uuid.UUID{model.ID}, MaxUnitAgeDays: 30, ProvinceCodes: []string{"310000"}}
	p, err := billing.CreateProduct(ctx, tx, in, cny)
	if err != nil {
		t.Fatal(err)
	}
	if err := billing.CheckEligible(ctx, tx, p, recent.ID, "registration_id"); err != nil {
		t.Fatalf("an eligible unit: %v", err)
	}
	for name, reg := range map[string]uuid.UUID{"older than 30 days": old.ID, "another model": foreign.ID, "no unit": uuid.Nil,
		"an unknown unit": uuid.New()} {
		if err := billing.CheckEligible(ctx, tx, p, reg, "registration_id"); testfactory.ErrField(err) != "registration_id" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A promise no outlet can keep in the product's regions is not for sale.
	in = upgrade("gz-" + testfactory.Unique())
	in.Eligibility.ProvinceCodes = []string{"440000"}
	far, err := billing.CreateProduct(ctx, tx, in, cny)
	if err != nil {
		t.Fatal(err)
	}
	if err := billing.CheckEligible(ctx, tx, far, uuid.Nil, "order_id"); testfactory.ErrField(err) != "order_id" {
		t.Fatalf("no outlet in Guangdong: %v", err)
	}
	in.Code, in.Eligibility.ProvinceCodes = "sh-"+testfactory.Unique(), []string{"310000"}
	near, err := billing.CreateProduct(ctx, tx, in, cny)
	if err != nil {
		t.Fatal(err)
	}
	if err := billing.CheckEligible(ctx, tx, near, uuid.Nil, "order_id"); err != nil {
		t.Fatalf("an outlet in Shanghai: %v", err)
	}
}

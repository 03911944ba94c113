package coverage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// testBundle is one test's tenant transaction with a model under the national 三包 policy.
type testBundle struct {
	ctx   context.Context
	tx    *tenants.Tx
	model catalog.Model
	today time.Time
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{CategoryIDs: []uuid.UUID{model.CategoryID}})
	return &testBundle{ctx: ctx, tx: tx, model: model, today: testfactory.Today(ctx, t, tx)}
}

// unit registers a unit of the bundle's model bought daysAgo days before today.
func (b *testBundle) unit(t *testing.T, daysAgo int, opts *testfactory.RegistrationOpts) registry.Registration {
	t.Helper()
	if opts == nil {
		opts = &testfactory.RegistrationOpts{}
	}
	if opts.ModelID == uuid.Nil {
		opts.ModelID = b.model.ID
	}
	opts.PurchaseDate = b.today.AddDate(0, 0, -daysAgo)
	return testfactory.Registration(b.ctx, t, b.tx, opts)
}

func (b *testBundle) check(t *testing.T, src coverage.HistorySource, in coverage.CheckInput) coverage.Result {
	t.Helper()
	if src == nil {
		src = coverage.NoHistory{}
	}
	res, err := coverage.Check(b.ctx, b.tx, src, in)
	if err != nil {
		t.Fatalf("check %+v: %v", in, err)
	}
	return res
}

func hasReason(res coverage.Result, rule, outcome string) bool {
	return slices.ContainsFunc(res.Decision.Reasons, func(r warranty.Reason) bool { return r.Rule == rule && r.Outcome == outcome })
}

func TestCheckClasses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	day := func(n int) string { return b.today.AddDate(0, 0, n).Format(time.DateOnly) }

	in := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, 60, nil).ID})
	if in.Decision.Class != warranty.Manufacturer || in.Decision.CoveredUntil == nil ||
		in.Decision.CoveredUntil.String() != b.today.AddDate(0, 0, -60).AddDate(0, 12, 0).AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Fatalf("bought 60 days ago: %+v", in.Decision)
	}
	if in.Policy == nil || in.Policy.Version != 1 || in.Date != day(0) || in.Component != warranty.WholeUnit {
		t.Fatalf("decision facts: policy %+v date %s component %s", in.Policy, in.Date, in.Component)
	}
	if c := in.Decision.Charges; c.Parts.Mode != warranty.Free || c.Labour.Amount == nil || *c.Labour.Amount != 0 || c.Currency != "CNY" {
		t.Fatalf("in-warranty charges: %+v", c)
	}

	out := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, 400, nil).ID})
	if out.Decision.Class != warranty.OutOfWarranty || out.Decision.CoveredUntil != nil ||
		out.Decision.Charges.Labour.Mode != warranty.Charged || !hasReason(out, "warranty_period", "fail") {
		t.Fatalf("bought 400 days ago: %+v", out.Decision)
	}

	// The national template asks for an invoice and a warranty card.
	noProof := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, 60, &testfactory.RegistrationOpts{NoInvoice: true}).ID})
	if noProof.Decision.Class != warranty.OutOfWarranty || !hasReason(noProof, "proof.invoice", "fail") || hasReason(noProof, "proof.warranty_card", "fail") {
		t.Fatalf("without an invoice: %+v", noProof.Decision)
	}

	// A model no policy applies to is out of warranty, and the first reason says why.
	bare := testfactory.Model(b.ctx, t, b.tx, nil)
	none := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, 10, &testfactory.RegistrationOpts{ModelID: bare.ID}).ID})
	if none.Decision.Class != warranty.OutOfWarranty || none.Policy != nil || none.Decision.Reasons[0].Rule != "policy" {
		t.Fatalf("no policy: %+v", none.Decision)
	}

	// An exclusion found by the diagnosis voids the manufacturer's coverage.
	wet := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, 60, nil).ID, Exclusion: "liquid_damage"})
	if wet.Decision.Class != warranty.OutOfWarranty || !hasReason(wet, "exclusion.liquid_damage", "applies") {
		t.Fatalf("liquid damage: %+v", wet.Decision)
	}
}

// The 三包 windows count the purchase day as day 1: return up to day 7, exchange up to
// day 15, repair after.
func TestCheckSanBaoWindows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	refund := []string{warranty.Refund, warranty.Exchange, warranty.Repair}
	exchange := []string{warranty.Exchange, warranty.Repair}
	repair := []string{warranty.Repair}
	for _, c := range []struct {
		daysAgo, day int
		want         []string
	}{
		{0, 1, refund}, {6, 7, refund}, {7, 8, exchange}, {14, 15, exchange}, {15, 16, repair}, {300, 301, repair},
	} {
		res := b.check(t, nil, coverage.CheckInput{RegistrationID: b.unit(t, c.daysAgo, nil).ID})
		if res.Decision.DayNumber != c.day || !slices.Equal(res.Decision.Remedies, c.want) {
			t.Errorf("bought %d days ago: day %d remedies %v, want day %d %v", c.daysAgo, res.Decision.DayNumber,
				res.Decision.Remedies, c.day, c.want)
		}
	}
}

// history is a HistorySource with a fixed history.
type history warranty.History

func (h history) History(coverage.ServiceRecord, string, time.Time) warranty.History {
	return warranty.History(h)
}

// The repair history reaches the 三包 limits: two failed repairs of a fault, or a parts wait
// over 30 days, allow an exchange; days in repair extend the warranty.
func TestCheckSanBaoHistoryThresholds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	unit := b.unit(t, 60, nil)
	for _, c := range []struct {
		h    warranty.History
		want []string
	}{
		{warranty.History{FailedRepairs: 1}, []string{warranty.Repair}},
		{warranty.History{FailedRepairs: 2}, []string{warranty.Exchange, warranty.Refund}},
		{warranty.History{PartsWaitDays: 30}, []string{warranty.Repair}},
		{warranty.History{PartsWaitDays: 31}, []string{warranty.Exchange, warranty.Repair}},
	} {
		res := b.check(t, history(c.h), coverage.CheckInput{RegistrationID: unit.ID, FaultCode: "E1"})
		if !slices.Equal(res.Decision.Remedies, c.want) || res.History != c.h {
			t.Errorf("history %+v: remedies %v, want %v", c.h, res.Decision.Remedies, c.want)
		}
	}
	// Bought a year and five days ago: out of warranty, unless ten days in repair extend it.
	old := b.unit(t, 370, nil)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: old.ID}); res.Decision.Class != warranty.OutOfWarranty {
		t.Fatalf("day 371 without repairs: %s", res.Decision.Class)
	}
	res := b.check(t, history{DaysInRepair: 10}, coverage.CheckInput{RegistrationID: old.ID})
	if res.Decision.Class != warranty.Manufacturer || !hasReason(res, "sanbao.extend_by_repair_days", "applies") {
		t.Fatalf("day 371 after 10 days in repair: %+v", res.Decision)
	}
}

// A main part's own term outlasts the whole unit's; the fault dictionary names the part.
func TestCheckComponentTerm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil) // with a compressor
	rules := coverage.NationalRules("CNY")
	rules.Terms = append(rules.Terms, warranty.Term{Component: "compressor", Months: 36, Basis: warranty.FromPurchase, Covered: warranty.AllFree})
	testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{ModelIDs: []uuid.UUID{model.ID}, Rules: &rules})
	unit := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID,
		PurchaseDate: testfactory.Today(ctx, t, tx).AddDate(-2, 0, 0)})
	if _, err := catalog.EnsureFaultCode(ctx, tx, "E5", "Compressor stalls", "compressor"); err != nil {
		t.Fatal(err)
	}
	check := func(in coverage.CheckInput) (coverage.Result, error) {
		in.RegistrationID = unit.ID
		return coverage.Check(ctx, tx, coverage.NoHistory{}, in)
	}
	if res, err := check(coverage.CheckInput{}); err != nil || res.Decision.Class != warranty.OutOfWarranty {
		t.Fatalf("whole unit after two years: %+v, %v", res.Decision, err)
	}
	if res, err := check(coverage.CheckInput{Component: "compressor"}); err != nil || res.Decision.Class != warranty.Manufacturer {
		t.Fatalf("compressor after two years: %+v, %v", res.Decision, err)
	}
	if res, err := check(coverage.CheckInput{FaultCode: "e5"}); err != nil || res.Component != "compressor" || res.Decision.Class != warranty.Manufacturer {
		t.Fatalf("fault E5 (a compressor fault): component %s, %+v, %v", res.Component, res.Decision, err)
	}
	if _, err := check(coverage.CheckInput{Component: "door"}); testfactory.ErrField(err) != "component" {
		t.Fatalf("a component the model lacks: %v", err)
	}
}

// Extra coverage decides once the manufacturer's has run out: a contract, a repair warranty.
func TestCheckGrants(t *testing.T) {
	t.Parallel()
	b := setup(t)
	grant := func(reg registry.Registration, kind string, from, until int) registry.Grant {
		t.Helper()
		g, err := registry.AddGrant(b.ctx, b.tx, reg.ID, registry.GrantInput{Kind: kind, Source: "contract C-1",
			ValidFrom: b.today.AddDate(0, 0, from).Format(time.DateOnly), ValidUntil: b.today.AddDate(0, 0, until).Format(time.DateOnly),
			Covered: warranty.AllFree})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	extended := b.unit(t, 400, nil)
	g := grant(extended, warranty.GrantExtended, -40, 300)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: extended.ID}); res.Decision.Class != warranty.Contract ||
		res.Decision.GrantID != g.ID.String() || res.Decision.CoveredUntil.String() != g.ValidUntil {
		t.Fatalf("extended warranty: %+v", res.Decision)
	}
	repaired := b.unit(t, 400, nil)
	grant(repaired, warranty.GrantRepairWarranty, -10, 80)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: repaired.ID}); res.Decision.Class != warranty.RepairWarranty {
		t.Fatalf("repair warranty: %+v", res.Decision)
	}
	lapsed := b.unit(t, 800, nil)
	grant(lapsed, warranty.GrantExtended, -500, -1)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: lapsed.ID}); res.Decision.Class != warranty.OutOfWarranty ||
		!hasReason(res, "grant.extended", "fail") {
		t.Fatalf("lapsed extended warranty: %+v", res.Decision)
	}
	if _, err := registry.CancelGrant(b.ctx, b.tx, g.ID); err != nil {
		t.Fatal(err)
	}
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: extended.ID}); res.Decision.Class != warranty.OutOfWarranty {
		t.Fatalf("after the contract was cancelled: %s", res.Decision.Class)
	}
}

// A unit is found by its serial, with the model's SKU when the serial repeats.
func TestCheckFindsUnits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := testfactory.Model(b.ctx, t, b.tx, &testfactory.ModelOpts{CategoryID: b.model.CategoryID})
	serial := "SN-SHARED-" + testfactory.Unique()
	mine := b.unit(t, 30, &testfactory.RegistrationOpts{Serial: serial})
	b.unit(t, 30, &testfactory.RegistrationOpts{ModelID: other.ID, Serial: serial})
	lone := b.unit(t, 30, nil)

	if res := b.check(t, nil, coverage.CheckInput{Serial: " " + lone.Serial + " "}); res.RegistrationID != lone.ID {
		t.Fatalf("by serial: %s, want %s", res.RegistrationID, lone.ID)
	}
	if _, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{Serial: serial}); testfactory.ErrField(err) != "model_sku" {
		t.Fatalf("a serial of two models: %v", err)
	}
	if res := b.check(t, nil, coverage.CheckInput{Serial: serial, ModelSKU: b.model.SKU}); res.RegistrationID != mine.ID {
		t.Fatalf("by serial and SKU: %s, want %s", res.RegistrationID, mine.ID)
	}
	if _, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{Serial: "NOPE", ModelSKU: "NO-SUCH-SKU"}); testfactory.ErrField(err) != "model_sku" {
		t.Fatalf("unknown SKU: %v", err)
	}
	if _, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{Serial: "NOPE", ModelSKU: b.model.SKU}); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("unknown serial of a known model: %v", err)
	}
	if _, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{}); testfactory.ErrField(err) != "serial" {
		t.Fatalf("nothing to look up: %v", err)
	}
}

// The service tier follows the customer: the default tier, or the one set by hand.
func TestCheckTier(t *testing.T) {
	t.Parallel()
	b := setup(t)
	unit := b.unit(t, 60, nil)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: unit.ID}); res.Tier.Code != "standard" {
		t.Fatalf("default tier: %s", res.Tier.Code)
	}
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: unit.ID, NoTier: true}); res.Tier.Code != "" {
		t.Fatalf("NoTier: %s", res.Tier.Code)
	}
	buyer, err := customers.Get(b.ctx, b.tx, *unit.BuyerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := customers.SetValue(b.ctx, b.tx, buyer.ID, buyer.Version, customers.ValueFacts{TierOverride: "gold",
		TierOverrideReason: "key account"}); err != nil {
		t.Fatal(err)
	}
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: unit.ID}); res.Tier.Code != "gold" || len(res.Tier.Reasons) == 0 {
		t.Fatalf("tier set by hand: %+v", res.Tier)
	}
}

// A question about a day or a moment before the purchase has no answer: it is refused at the
// field.
func TestCheckBeforePurchaseIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 10, nil)
	before := b.today.AddDate(0, 0, -11)
	_, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: reg.ID, Date: &before})
	if testfactory.ErrField(err) != "date" {
		t.Fatalf("a day before the purchase: %v, want a field error at date", err)
	}
	bought := b.today.AddDate(0, 0, -10)
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: reg.ID, Date: &bought}); res.Decision.DayNumber != 1 {
		t.Fatalf("the purchase day: day %d", res.Decision.DayNumber)
	}
	// A moment is judged on its date in the tenant's zone: 00:30 in Shanghai on the purchase
	// day is still the day before in UTC, and an hour earlier is before the purchase.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	early := time.Date(bought.Year(), bought.Month(), bought.Day(), 0, 30, 0, 0, sh).UTC()
	if res := b.check(t, nil, coverage.CheckInput{RegistrationID: reg.ID, At: &early}); res.Decision.DayNumber != 1 ||
		res.Date != bought.Format(time.DateOnly) {
		t.Fatalf("at %s: day %d of %s", early, res.Decision.DayNumber, res.Date)
	}
	earlier := early.Add(-time.Hour)
	if _, err := coverage.Check(b.ctx, b.tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: reg.ID, At: &earlier}); testfactory.ErrField(err) != "date" {
		t.Fatalf("at %s, before the purchase: %v", earlier, err)
	}
}

// Reasons cite the policy by its name, version and clause.
func TestReasonsCiteThePolicyByName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{Name: "空调三包", CategoryIDs: []uuid.UUID{model.CategoryID}})
	reg := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID,
		PurchaseDate: testfactory.Today(ctx, t, tx).AddDate(0, 0, -3)})
	res, err := coverage.Check(ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: reg.ID})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Decision.Reasons, func(r warranty.Reason) bool { return r.Rule == "sanbao.return_days" })
	if i < 0 || res.Decision.Reasons[i].Source != "空调三包 v1, sanbao.return_days" {
		t.Fatalf("the 7-day rule's source: %+v", res.Decision.Reasons)
	}
	if src := res.Decision.Reasons[0].Source; src != "空调三包 v1" {
		t.Fatalf("the policy version's source: %q", src)
	}
}

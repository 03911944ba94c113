package coverage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

func TestCreatePolicyRefusesBadRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	cat := testfactory.Category(ctx, t, tx, nil)
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		edit  func(in *coverage.PolicyInput)
		field string
	}{
		{"no scope", func(in *coverage.PolicyInput) { in.CategoryIDs = nil }, "category_ids"},
		{"unknown category", func(in *coverage.PolicyInput) { in.CategoryIDs = []uuid.UUID{uuid.New()} }, "category_ids[0]"},
		{"unknown model", func(in *coverage.PolicyInput) { in.ModelIDs = []uuid.UUID{uuid.New()} }, "model_ids[0]"},
		{"no terms", func(in *coverage.PolicyInput) { in.Rules.Terms = nil }, "rules.terms"},
		{"no whole-unit term", func(in *coverage.PolicyInput) { in.Rules.Terms[0].Component = "compressor" }, "rules.terms"},
		{"empty term", func(in *coverage.PolicyInput) { in.Rules.Terms[0].Months = 0 }, "rules.terms[0]"},
		{"shared line without a share", func(in *coverage.PolicyInput) {
			in.Rules.Terms[0].Covered.Labour = warranty.Line{Mode: warranty.Shared}
		}, "rules.terms[0].covered.labour.customer_percent"},
		{"return after exchange", func(in *coverage.PolicyInput) { in.Rules.SanBao.ReturnDays = 20 }, "rules.sanbao.return_days"},
		{"unknown proof", func(in *coverage.PolicyInput) { in.Rules.RequiredProof = []string{"receipt"} }, "rules.required_proof[0]"},
	} {
		in := coverage.PolicyInput{Name: "National", CategoryIDs: []uuid.UUID{cat.ID}, EffectiveFrom: from,
			Rules: coverage.NationalRules("CNY")}
		c.edit(&in)
		_, err := coverage.CreatePolicy(ctx, tx, in)
		if got := testfactory.ErrField(err); got != c.field {
			t.Errorf("%s: %v (field %q), want a field error at %s", c.name, err, got, c.field)
		}
	}
	list, err := coverage.ListPolicies(ctx, tx, uuid.NullUUID{}, 10)
	if err != nil || len(list) != 0 {
		t.Fatalf("policies after refused creations: %d, %v", len(list), err)
	}
}

// A new version applies to units sold from its first day on; units sold before keep the
// terms they were sold under, so no version starts before a sale a policy judges.
func TestPolicyVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	p := testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{CategoryIDs: []uuid.UUID{model.CategoryID}})
	if len(p.Versions) != 1 || p.Versions[0].EffectiveFrom != "2020-01-01" || p.Versions[0].CreatedBy != "test" {
		t.Fatalf("created policy: %+v", p.Versions)
	}
	today := testfactory.Today(ctx, t, tx)
	longer := coverage.NationalRules("CNY")
	longer.Terms[0].Months = 24
	testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID, PurchaseDate: today.AddDate(0, 0, -1)})
	err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := coverage.AddVersion(ctx, tx, p.ID, today.AddDate(0, 0, -1), longer)
		return err
	})
	if testfactory.ErrField(err) != "effective_from" {
		t.Fatalf("a version starting yesterday, when a unit was sold: %v", err)
	}
	if _, err := coverage.AddVersion(ctx, tx, uuid.New(), today, longer); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("a version of no policy: %v", err)
	}
	v, err := coverage.AddVersion(ctx, tx, p.ID, today, longer)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 2 {
		t.Fatalf("second version: %d", v.Version)
	}
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := coverage.AddVersion(ctx, tx, p.ID, today, longer)
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("two versions starting the same day: %v", err)
	}

	judged := func(daysAgo int) coverage.Result {
		t.Helper()
		reg := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID,
			PurchaseDate: today.AddDate(0, 0, -daysAgo)})
		res, err := coverage.Check(ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: reg.ID})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	until := func(daysAgo, months int) string {
		return today.AddDate(0, 0, -daysAgo).AddDate(0, months, 0).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if res := judged(1); res.Policy.Version != 1 || res.Decision.CoveredUntil.String() != until(1, 12) {
		t.Fatalf("sold yesterday: version %d until %s, want 1 until %s", res.Policy.Version, res.Decision.CoveredUntil, until(1, 12))
	}
	if res := judged(0); res.Policy.Version != 2 || res.Decision.CoveredUntil.String() != until(0, 24) {
		t.Fatalf("sold today: version %d until %s, want 2 until %s", res.Policy.Version, res.Decision.CoveredUntil, until(0, 24))
	}
	got, err := coverage.GetPolicy(ctx, tx, p.ID)
	if err != nil || len(got.Versions) != 2 {
		t.Fatalf("versions: %+v, %v", got.Versions, err)
	}
}

func TestUpdatePolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	a, b := testfactory.Category(ctx, t, tx, nil), testfactory.Category(ctx, t, tx, nil)
	p := testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{CategoryIDs: []uuid.UUID{a.ID}})
	up, err := coverage.UpdatePolicy(ctx, tx, p.ID, p.Version, "Renamed", []uuid.UUID{a.ID, b.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Renamed" || len(up.CategoryIDs) != 2 || up.Version != p.Version+1 || len(up.Versions) != 1 {
		t.Fatalf("updated: %+v", up)
	}
	if _, err := coverage.UpdatePolicy(ctx, tx, p.ID, p.Version, "Again", []uuid.UUID{a.ID}, nil); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := coverage.UpdatePolicy(ctx, tx, p.ID, up.Version, "Empty", nil, nil); testfactory.ErrField(err) != "category_ids" {
		t.Fatalf("update to no scope: %v", err)
	}
	if _, err := coverage.GetPolicy(ctx, tx, uuid.New()); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("get of no policy: %v", err)
	}
}

// One policy per model and one per category: a second policy naming the same model or the
// same category is refused, on creation and on a change of scope. A policy naming a model
// takes precedence over one naming its category, and the decision says so.
func TestPolicyPrecedence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	other := testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{CategoryID: model.CategoryID})
	byCategory := testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{Name: "品类三包", CategoryIDs: []uuid.UUID{model.CategoryID}})
	create := func(name string, cats, models []uuid.UUID) (coverage.Policy, error) {
		var p coverage.Policy
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) (err error) {
			p, err = coverage.CreatePolicy(ctx, tx, coverage.PolicyInput{Name: name, CategoryIDs: cats, ModelIDs: models,
				EffectiveFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Rules: coverage.NationalRules("CNY")})
			return err
		})
		return p, err
	}
	if _, err := create("Another for the category", []uuid.UUID{model.CategoryID}, nil); !errors.Is(err, fault.ErrConflict) ||
		!strings.Contains(err.Error(), "品类三包") {
		t.Fatalf("a second policy for the category: %v", err)
	}
	byModel, err := create("机型三包", nil, []uuid.UUID{model.ID})
	if err != nil {
		t.Fatalf("a policy for one model of the category: %v", err)
	}
	if _, err := create("Another for the model", nil, []uuid.UUID{model.ID, other.ID}); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("a second policy for the model: %v", err)
	}
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := coverage.UpdatePolicy(ctx, tx, byCategory.ID, byCategory.Version, byCategory.Name, []uuid.UUID{model.CategoryID}, []uuid.UUID{model.ID})
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("the category's policy extended to the model another policy names: %v", err)
	}

	today := testfactory.Today(ctx, t, tx)
	check := func(modelID uuid.UUID) coverage.Result {
		t.Helper()
		reg := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: modelID, PurchaseDate: today.AddDate(0, 0, -30)})
		res, err := coverage.Check(ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: reg.ID})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := check(model.ID)
	if res.Policy == nil || res.Policy.ID != byModel.ID || res.Policy.Name != "机型三包" {
		t.Fatalf("the model's unit is judged by %+v, want the model's policy", res.Policy)
	}
	i := slices.IndexFunc(res.Decision.Reasons, func(r warranty.Reason) bool { return r.Rule == "policy_precedence" })
	if i < 0 || res.Decision.Reasons[i].Outcome != "applies" || !strings.Contains(res.Decision.Reasons[i].Detail, "品类三包") ||
		!strings.Contains(res.Decision.Reasons[i].Detail, "机型三包") {
		t.Fatalf("the decision does not show which policy took precedence and why: %+v", res.Decision.Reasons)
	}
	if res := check(other.ID); res.Policy == nil || res.Policy.ID != byCategory.ID || hasReason(res, "policy_precedence", "applies") {
		t.Fatalf("another model of the category: %+v", res.Policy)
	}
}

// The first version of a policy and its later versions follow one rule: a version may start
// on a past day unless a unit it covers, bought on or after that day, is already judged by a
// policy (its terms would change). Units with no policy yet, or none sold since, leave the
// past open: a brand moving onto the product enters its policies' history first.
func TestPolicyBackdating(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	today := testfactory.Today(ctx, t, tx)
	model := testfactory.Model(ctx, t, tx, nil)
	p := testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{CategoryIDs: []uuid.UUID{model.CategoryID},
		EffectiveFrom: today.AddDate(-5, 0, 0)})
	rules := coverage.NationalRules("CNY")
	addVersion := func(from time.Time) error {
		return testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			_, err := coverage.AddVersion(ctx, tx, p.ID, from, rules)
			return err
		})
	}
	// Nothing sold yet: the policy's history can be entered.
	if err := addVersion(today.AddDate(-3, 0, 0)); err != nil {
		t.Fatalf("a later version three years back, no unit sold: %v", err)
	}
	testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: model.ID, PurchaseDate: today.AddDate(0, 0, -100)})
	if err := addVersion(today.AddDate(-1, 0, 0)); testfactory.ErrField(err) != "effective_from" {
		t.Fatalf("a later version from before a sale: %v", err)
	}
	if err := addVersion(today.AddDate(0, 0, -50)); err != nil {
		t.Fatalf("a later version from after the last sale: %v", err)
	}

	// A new policy for the model, back-dated over the unit its category's policy judges.
	create := func(models []uuid.UUID, from time.Time) error {
		return testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
			_, err := coverage.CreatePolicy(ctx, tx, coverage.PolicyInput{Name: "Model " + testfactory.Unique(), ModelIDs: models,
				EffectiveFrom: from, Rules: rules})
			return err
		})
	}
	if err := create([]uuid.UUID{model.ID}, today.AddDate(-1, 0, 0)); testfactory.ErrField(err) != "effective_from" {
		t.Fatalf("a first version back-dated over a sold unit: %v", err)
	}
	if err := create([]uuid.UUID{model.ID}, today.AddDate(0, 0, -99)); err != nil {
		t.Fatalf("a first version from after the sale: %v", err)
	}
	// Units that no policy judged take a back-dated first version.
	lone := testfactory.Model(ctx, t, tx, nil)
	testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: lone.ID, PurchaseDate: today.AddDate(0, 0, -100)})
	if err := create([]uuid.UUID{lone.ID}, today.AddDate(-1, 0, 0)); err != nil {
		t.Fatalf("a first version for units without a policy: %v", err)
	}
}

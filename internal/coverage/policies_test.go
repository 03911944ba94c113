package coverage_test

import (
	"context"
	"errors"
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
// terms they were sold under, and no version can start in the past.
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
	if _, err := coverage.AddVersion(ctx, tx, p.ID, today.AddDate(0, 0, -1), longer); testfactory.ErrField(err) != "effective_from" {
		t.Fatalf("a version starting yesterday: %v", err)
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

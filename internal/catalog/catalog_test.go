package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

func TestNormalizeFaultCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"e1":     "E1",
		" E-1 ":  "E1",
		"e_1":    "E1",
		"f2.03":  "F2.03",
		"故障 7":   "故障7",
		"--":     "",
		"":       "",
		"p 0/1a": "P01A",
	} {
		if got := catalog.NormalizeFaultCode(in); got != want {
			t.Errorf("NormalizeFaultCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreateModelValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	cat := testfactory.Category(ctx, t, tx, nil)
	for _, c := range []struct {
		name  string
		f     catalog.ModelFields
		field string
	}{
		{"bad serial pattern", catalog.ModelFields{SerialPattern: "([A-Z"}, "serial_pattern"},
		{"component twice", catalog.ModelFields{Components: []catalog.Component{{Code: "motor", Name: "Motor"},
			{Code: "fan", Name: "Fan"}, {Code: "motor", Name: "Motor 2"}}}, "components[2].code"},
	} {
		c.f.CategoryID, c.f.SKU, c.f.Name = cat.ID, "SKU-"+testfactory.Unique(), "Model"
		if _, err := catalog.CreateModel(ctx, tx, c.f); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a field error at %s", c.name, err, c.field)
		}
	}
	// A model of a category the tenant does not have is refused at the category.
	err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := catalog.CreateModel(ctx, tx, catalog.ModelFields{CategoryID: uuid.New(), SKU: "SKU-X", Name: "X"})
		return err
	})
	if testfactory.ErrField(err) != "category_id" {
		t.Fatalf("unknown category: %v", err)
	}

	m := testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{CategoryID: cat.ID, SerialPattern: "KF[0-9]{6}",
		Components: []catalog.Component{}})
	if m.Components == nil || len(m.Components) != 0 || m.SerialPattern != "KF[0-9]{6}" {
		t.Fatalf("created model: %+v", m)
	}
	// The SKU is unique in the tenant.
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := catalog.CreateModel(ctx, tx, catalog.ModelFields{CategoryID: cat.ID, SKU: m.SKU, Name: "Copy"})
		return err
	})
	var conflict *fault.ConflictError
	if !errors.As(err, &conflict) || conflict.Detail != "a model with this SKU exists" {
		t.Fatalf("duplicate SKU: %v", err)
	}
}

func TestUpdateModelAndCategory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	m := testfactory.Model(ctx, t, tx, nil)
	other := testfactory.Category(ctx, t, tx, nil)
	f := m.ModelFields
	f.CategoryID, f.Name, f.IMEI = other.ID, "Renamed", true
	up, err := catalog.UpdateModel(ctx, tx, m.ID, m.Version, f)
	if err != nil {
		t.Fatal(err)
	}
	if up.CategoryID != other.ID || up.Name != "Renamed" || !up.IMEI || up.Version != m.Version+1 || len(up.Components) != 1 {
		t.Fatalf("updated model: %+v", up)
	}
	if _, err := catalog.UpdateModel(ctx, tx, m.ID, m.Version, f); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale model update: %v", err)
	}
	f.SerialPattern = "("
	if _, err := catalog.UpdateModel(ctx, tx, m.ID, up.Version, f); testfactory.ErrField(err) != "serial_pattern" {
		t.Fatalf("update to a bad pattern: %v", err)
	}
	if _, err := catalog.GetModel(ctx, tx, uuid.New()); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("get of no model: %v", err)
	}
	listed, err := catalog.ListModels(ctx, tx, uuid.NullUUID{}, uuid.NullUUID{UUID: other.ID, Valid: true}, 10)
	if err != nil || len(listed) != 1 || listed[0].ID != m.ID {
		t.Fatalf("models of the new category: %+v, %v", listed, err)
	}

	c, err := catalog.UpdateCategory(ctx, tx, other.ID, other.Version, "renamed-"+testfactory.Unique(), "Renamed")
	if err != nil || c.Name != "Renamed" || c.Version != other.Version+1 {
		t.Fatalf("updated category: %+v, %v", c, err)
	}
	if _, err := catalog.UpdateCategory(ctx, tx, other.ID, other.Version, "x", "X"); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale category update: %v", err)
	}
	err = testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error {
		_, err := catalog.CreateCategory(ctx, tx, c.Code, "Same code")
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("duplicate category code: %v", err)
	}
}

// The fault dictionary grows at entry time; spellings of one code are one entry, and a
// merged duplicate resolves to the code it was merged into.
func TestFaultCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	e1, err := catalog.EnsureFaultCode(ctx, tx, "e-1", "Sensor", "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := catalog.EnsureFaultCode(ctx, tx, " E1 ", "", "")
	if err != nil || again.ID != e1.ID || again.Code != "E1" || again.Name != "Sensor" {
		t.Fatalf("the same code again: %+v (first %+v), %v", again, e1, err)
	}
	for _, bad := range []string{"", "--", "X123456789012345678901234567890123"} {
		if _, err := catalog.EnsureFaultCode(ctx, tx, bad, "", ""); testfactory.ErrField(err) != "fault_code" {
			t.Errorf("code %q: %v", bad, err)
		}
	}

	dup, err := catalog.EnsureFaultCode(ctx, tx, "E01", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.MergeFaultCode(ctx, tx, dup.ID, dup.ID); testfactory.ErrField(err) != "into" {
		t.Fatalf("merge into itself: %v", err)
	}
	if _, err := catalog.MergeFaultCode(ctx, tx, dup.ID, uuid.New()); testfactory.ErrField(err) != "into" {
		t.Fatalf("merge into nothing: %v", err)
	}
	merged, err := catalog.MergeFaultCode(ctx, tx, dup.ID, e1.ID)
	if err != nil || merged.MergedInto == nil || *merged.MergedInto != e1.ID {
		t.Fatalf("merged: %+v, %v", merged, err)
	}
	if got, err := catalog.EnsureFaultCode(ctx, tx, "e01", "", ""); err != nil || got.ID != e1.ID {
		t.Fatalf("a merged code resolves to %+v, %v; want %s", got, err, e1.Code)
	}
	if _, err := catalog.MergeFaultCode(ctx, tx, dup.ID, e1.ID); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("merging twice: %v", err)
	}
	third, err := catalog.EnsureFaultCode(ctx, tx, "E001", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.MergeFaultCode(ctx, tx, third.ID, dup.ID); testfactory.ErrField(err) != "into" {
		t.Fatalf("merge into a merged code: %v", err)
	}
	list, err := catalog.ListFaultCodes(ctx, tx, uuid.NullUUID{}, "e0", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("codes starting E0: %+v, %v", list, err)
	}
}

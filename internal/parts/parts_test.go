package parts_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestPartValidation: bad fields are refused at the field, references must exist in the
// tenant, and serial tracking cannot change while the part is in stock.
func TestPartValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	other := testfactory.TestTx(ctx, t, nil)
	foreignModel := testfactory.Model(ctx, t, other, nil)
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	ok := parts.PartFields{PartNo: "MB-" + testfactory.Unique(), NameZh: "主板", ModelIDs: []uuid.UUID{model.ID}, Components: []string{"main_board"}}
	p, err := parts.Create(ctx, tx, ok)
	if err != nil || p.Currency != "CNY" || !*p.Active {
		t.Fatalf("create: %+v %v", p, err)
	}
	for _, c := range []struct {
		name  string
		edit  func(f *parts.PartFields)
		field string
	}{
		{"bad part number", func(f *parts.PartFields) { f.PartNo = "has space" }, "part_no"},
		{"no name", func(f *parts.PartFields) { f.NameZh = "" }, "name_zh"},
		{"bad currency", func(f *parts.PartFields) { f.Currency = "yuan" }, "currency"},
		{"negative cost", func(f *parts.PartFields) { f.UnitCost = -1 }, "unit_cost"},
		{"bad component", func(f *parts.PartFields) { f.Components = []string{"Main Board"} }, "components[0]"},
		{"another tenant's model", func(f *parts.PartFields) { f.ModelIDs = []uuid.UUID{foreignModel.ID} }, "model_ids"},
		{"unknown substitute", func(f *parts.PartFields) { f.SubstituteIDs = []uuid.UUID{uuid.New()} }, "substitute_ids"},
	} {
		f := ok
		f.PartNo = "X-" + testfactory.Unique()
		c.edit(&f)
		err := testfactory.Savepoint(ctx, t, tx, func(tx *tenants.Tx) error { _, err := parts.Create(ctx, tx, f); return err })
		if got := testfactory.ErrField(err); got != c.field {
			t.Errorf("%s: %v, want a problem at %s", c.name, err, c.field)
		}
	}
	self := ok
	self.SubstituteIDs = []uuid.UUID{p.ID}
	if _, err := parts.Update(ctx, tx, p.ID, p.Version, self); testfactory.ErrField(err) != "substitute_ids" {
		t.Errorf("a part as its own substitute: %v", err)
	}
	w, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "W-" + testfactory.Unique(), Name: "备件库", Kind: "spare_parts"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "in", Type: "receipt", WarehouseID: w.ID, PartID: p.ID, Qty: 2},
		uuid.Nil); err != nil {
		t.Fatal(err)
	}
	tracked := ok
	tracked.SerialTracked = true
	if _, err := parts.Update(ctx, tx, p.ID, p.Version, tracked); testfactory.ErrField(err) != "serial_tracked" {
		t.Errorf("serial tracking turned on with 2 plain units in stock: %v", err)
	}
}

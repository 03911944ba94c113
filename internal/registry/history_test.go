package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
)

// Each service record is checked on its own and every problem is reported at its field.
func TestCheckHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	today := testfactory.Today(ctx, t, tx)
	day := func(n int) string { return today.AddDate(0, 0, -n).Format(time.DateOnly) }
	unit := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{PurchaseDate: today.AddDate(0, 0, -100)})
	// The same serial on two models.
	a := testfactory.Model(ctx, t, tx, nil)
	b := testfactory.Model(ctx, t, tx, nil)
	testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: a.ID, Serial: "SHARED-1", PurchaseDate: today.AddDate(0, 0, -50)})
	testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{ModelID: b.ID, Serial: "SHARED-1", PurchaseDate: today.AddDate(0, 0, -50)})

	repair := registry.HistoryInput{Serial: unit.Serial, Reference: "R-1", FaultCode: "e-1", Result: "未修好", DateIn: day(90), DateOut: day(85)}
	cases := []struct {
		name  string
		edit  func(in *registry.HistoryInput)
		field string // "" when valid
	}{
		{"a repair by serial", func(*registry.HistoryInput) {}, ""},
		{"by registration", func(in *registry.HistoryInput) { in.Serial, in.RegistrationID = "", unit.ID.String() }, ""},
		{"an exchange needs no date in", func(in *registry.HistoryInput) { in.Result, in.DateIn = "exchange", "" }, ""},
		{"a serial on two models, with the model", func(in *registry.HistoryInput) {
			in.Serial, in.ModelSKU, in.DateIn, in.DateOut = "SHARED-1", a.SKU, day(40), day(30)
		}, ""},
		{"a serial on two models", func(in *registry.HistoryInput) { in.Serial, in.DateIn, in.DateOut = "SHARED-1", day(40), day(30) }, "model_sku"},
		{"an unknown serial", func(in *registry.HistoryInput) { in.Serial = "NOT-REGISTERED" }, "serial"},
		{"no unit", func(in *registry.HistoryInput) { in.Serial = "" }, "serial"},
		{"an unknown registration", func(in *registry.HistoryInput) { in.Serial, in.RegistrationID = "", uuid.NewString() }, "registration_id"},
		{"no reference", func(in *registry.HistoryInput) { in.Reference = " " }, "reference"},
		{"an unknown result", func(in *registry.HistoryInput) { in.Result = "sent away" }, "result"},
		{"a repair without the day in", func(in *registry.HistoryInput) { in.DateIn = "" }, "date_in"},
		{"no day out", func(in *registry.HistoryInput) { in.DateOut = "" }, "date_out"},
		{"returned before handed over", func(in *registry.HistoryInput) { in.DateOut = day(95) }, "date_out"},
		{"before the purchase", func(in *registry.HistoryInput) { in.DateIn = day(120) }, "date_in"},
		{"in the future", func(in *registry.HistoryInput) { in.DateOut = day(-1) }, "date_out"},
		{"not a date", func(in *registry.HistoryInput) { in.DateIn = "90 days ago" }, "date_in"},
		{"a fault code without letters or digits", func(in *registry.HistoryInput) { in.FaultCode = "--" }, "fault_code"},
	}
	ins := make([]registry.HistoryInput, len(cases))
	for i, c := range cases {
		ins[i] = repair
		c.edit(&ins[i])
	}
	checked, probs, err := registry.CheckHistory(ctx, tx, ins)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		switch {
		case c.field == "" && len(probs[i]) > 0:
			t.Errorf("%s: %v", c.name, probs[i])
		case c.field != "" && (len(probs[i]) == 0 || probs[i][0].Field != c.field):
			t.Errorf("%s: problems %v, want one at %s", c.name, probs[i], c.field)
		}
	}
	if c := checked[0]; c.RegistrationID != unit.ID || c.Result != registry.HistoryNotFixed || c.FaultCode != "E1" ||
		c.DateIn == nil || c.DateIn.Format(time.DateOnly) != day(90) || c.DateOut.Format(time.DateOnly) != day(85) {
		t.Fatalf("checked: %+v", c)
	}
}

// A record is keyed by its unit and reference: storing it again stores nothing, and a record
// an import stored counts as created when the import runs again.
func TestStoreHistoryIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	today := testfactory.Today(ctx, t, tx)
	unit := testfactory.Registration(ctx, t, tx, &testfactory.RegistrationOpts{PurchaseDate: today.AddDate(0, 0, -100)})
	in, out := today.AddDate(0, 0, -30), today.AddDate(0, 0, -28)
	rec := func(ref string) registry.CheckedHistory {
		return registry.CheckedHistory{RegistrationID: unit.ID, Reference: ref, Result: registry.HistoryFixed, DateIn: &in, DateOut: out}
	}
	importID := uuid.NullUUID{UUID: uuid.New(), Valid: true}
	outs, stats, err := registry.StoreHistory(ctx, tx, []registry.CheckedHistory{rec("A"), rec("B"), rec("A")}, importID)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Created != 2 || stats.Existing != 1 || outs[2].Status != registry.StatusExisting || outs[2].ID != outs[0].ID {
		t.Fatalf("first store: %+v %+v", stats, outs)
	}
	if _, stats, err = registry.StoreHistory(ctx, tx, []registry.CheckedHistory{rec("A"), rec("B")}, importID); err != nil || stats.Created != 2 {
		t.Fatalf("the same import again: %+v %v", stats, err)
	}
	outs, stats, err = registry.StoreHistory(ctx, tx, []registry.CheckedHistory{rec("A"), rec("C")}, uuid.NullUUID{})
	if err != nil || stats.Created != 1 || stats.Existing != 1 || outs[0].Status != registry.StatusExisting {
		t.Fatalf("a batch with one record stored before: %+v %+v %v", stats, outs, err)
	}
	list, err := registry.ListHistory(ctx, tx, unit.ID, uuid.NullUUID{}, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("the unit's records: %+v %v", list, err)
	}
	if list[0].DateIn != in.Format(time.DateOnly) || list[0].ImportID == nil || *list[0].ImportID != importID.UUID {
		t.Fatalf("a stored record: %+v", list[0])
	}
}

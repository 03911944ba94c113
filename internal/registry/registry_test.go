package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// testBundle is one test's tenant transaction with an air conditioner (serials
// [A-Z0-9]{8,20}) and a phone (IMEI serials) in its catalog.
type testBundle struct {
	ctx       context.Context
	tx        *tenants.Tx
	ac, phone catalog.Model
	today     time.Time
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	return &testBundle{ctx: ctx, tx: tx, today: testfactory.Today(ctx, t, tx),
		ac:    testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{SerialPattern: "[A-Z0-9]{8,20}"}),
		phone: testfactory.Model(ctx, t, tx, &testfactory.ModelOpts{IMEI: true, Components: []catalog.Component{}})}
}

func (b *testBundle) daysAgo(n int) string { return b.today.AddDate(0, 0, -n).Format(time.DateOnly) }

// register runs Register in a savepoint, so that a refused unit leaves the transaction usable.
func (b *testBundle) register(t *testing.T, in registry.Input) (registry.Registration, error) {
	t.Helper()
	var r registry.Registration
	err := testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) (err error) {
		r, err = registry.Register(b.ctx, tx, in, registry.ChannelStaff)
		return err
	})
	return r, err
}

// A unit's facts are checked field by field; a serial registered before is a conflict
// naming the existing unit; a buyer's phone finds the customer who bought before.
func TestRegisterChecksFactsDuplicatesAndRepeatCustomers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	phone := testfactory.Phone()
	reg, err := b.register(t, registry.Input{ModelSKU: b.ac.SKU, Serial: "SN12345678", PurchaseDate: b.daysAgo(3), InvoiceNo: "INV-1",
		HasWarrantyCard: true, Buyer: &registry.Party{Name: "王芳", Phone: phone}, User: &registry.Party{Name: "王老先生", Phone: testfactory.Phone()}})
	if err != nil {
		t.Fatal(err)
	}
	if reg.BuyerID == nil || reg.UserID == nil || *reg.BuyerID == *reg.UserID || reg.Channel != registry.ChannelStaff {
		t.Fatalf("registration: buyer %v user %v channel %s", reg.BuyerID, reg.UserID, reg.Channel)
	}

	_, err = b.register(t, registry.Input{ModelID: b.ac.ID.String(), Serial: "SN12345678", PurchaseDate: b.daysAgo(3)})
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) || dup.Existing != reg.ID || !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("the same unit again: %v", err)
	}

	again, err := b.register(t, registry.Input{ModelSKU: b.ac.SKU, Serial: "SN87654321", PurchaseDate: b.daysAgo(400),
		Buyer: &registry.Party{Name: "王芳", Phone: phone}})
	if err != nil {
		t.Fatal(err)
	}
	if again.BuyerID == nil || *again.BuyerID != *reg.BuyerID {
		t.Fatalf("repeat customer not recognised: %v vs %v", again.BuyerID, reg.BuyerID)
	}

	for _, c := range []struct {
		name  string
		in    registry.Input
		field string
	}{
		{"bad IMEI check digit", registry.Input{ModelID: b.phone.ID.String(), Serial: "490154203237519", PurchaseDate: b.daysAgo(1)}, "serial"},
		{"serial format", registry.Input{ModelID: b.ac.ID.String(), Serial: "sn-lower", PurchaseDate: b.daysAgo(1)}, "serial"},
		{"no serial", registry.Input{ModelID: b.ac.ID.String(), Serial: " ", PurchaseDate: b.daysAgo(1)}, "serial"},
		{"future purchase", registry.Input{ModelID: b.ac.ID.String(), Serial: "SN00000001", PurchaseDate: b.daysAgo(-1)}, "purchase_date"},
		{"install before purchase", registry.Input{ModelID: b.ac.ID.String(), Serial: "SN00000002", PurchaseDate: b.daysAgo(1),
			InstallDate: b.daysAgo(5)}, "install_date"},
		{"unknown sku", registry.Input{ModelSKU: "NOPE", Serial: "SN00000003", PurchaseDate: b.daysAgo(1)}, "model_sku"},
		{"model id not a uuid", registry.Input{ModelID: "x", Serial: "SN00000004", PurchaseDate: b.daysAgo(1)}, "model_id"},
	} {
		if _, err := b.register(t, c.in); testfactory.ErrField(err) != c.field {
			t.Errorf("%s: %v, want a field error at %s", c.name, err, c.field)
		}
	}
	if _, err := b.register(t, registry.Input{ModelID: b.phone.ID.String(), Serial: "490154203237518", PurchaseDate: b.daysAgo(1)}); err != nil {
		t.Fatalf("a valid IMEI: %v", err)
	}
}

// A scan at installation records the install date of a registered unit, or registers a
// new one through the scan channel; a delivery scan of a known unit records nothing.
func TestScanRecordsInstallOrRegisters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg, err := b.register(t, registry.Input{ModelSKU: b.ac.SKU, Serial: "SN12345678", PurchaseDate: b.daysAgo(3)})
	if err != nil {
		t.Fatal(err)
	}
	scanned, created, err := registry.Scan(b.ctx, b.tx, registry.ScanInput{ModelSKU: b.ac.SKU, Serial: "SN12345678", InstallDate: b.daysAgo(1)})
	if err != nil || created || scanned.ID != reg.ID || scanned.InstallDate != b.daysAgo(1) {
		t.Fatalf("scan of a registered unit: created %v install %q, %v", created, scanned.InstallDate, err)
	}
	delivered, created, err := registry.Scan(b.ctx, b.tx, registry.ScanInput{Stage: "delivery", ModelSKU: b.ac.SKU, Serial: "SN12345678"})
	if err != nil || created || delivered.Version != scanned.Version {
		t.Fatalf("delivery scan of a registered unit: created %v version %d (was %d), %v", created, delivered.Version, scanned.Version, err)
	}
	fresh, created, err := registry.Scan(b.ctx, b.tx, registry.ScanInput{ModelSKU: b.ac.SKU, Serial: "SN55555555"})
	if err != nil || !created || fresh.Channel != registry.ChannelScan || fresh.InstallDate != b.daysAgo(0) || fresh.PurchaseDate != b.daysAgo(0) {
		t.Fatalf("scan of a new unit: created %v %+v, %v", created, fresh, err)
	}
	err = testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) error {
		_, _, err := registry.Scan(b.ctx, tx, registry.ScanInput{ModelSKU: b.ac.SKU, Serial: "SN12345678", InstallDate: b.daysAgo(10)})
		return err
	})
	if testfactory.ErrField(err) != "install_date" {
		t.Fatalf("an install date before the purchase: %v", err)
	}
}

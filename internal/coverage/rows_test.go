package coverage

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
)

// TestRowsFillEveryField: registrationOf and modelOf set every field of the registry's and
// the catalog's types, so a field added there is not left empty in entitlement facts.
func TestRowsFillEveryField(t *testing.T) {
	t.Parallel()
	now := time.Now()
	party := uuid.NullUUID{UUID: uuid.New(), Valid: true}
	reg := registrationOf(db.Registration{ID: uuid.New(), ModelID: uuid.New(), Serial: "SN1", PurchaseDate: now,
		InvoiceNo: "INV-1", InvoiceDate: &now, InvoiceImage: "invoice.jpg", HasWarrantyCard: true, Seller: "Store",
		BuyerID: party, UserID: party, InstallDate: &now, Channel: "api", Version: 1, CreatedAt: now, UpdatedAt: now})
	m, err := modelOf(db.ProductModel{ID: uuid.New(), CategoryID: uuid.New(), Sku: "KFR-35GW", Name: "Air conditioner",
		Components: []byte(`[{"code": "compressor", "name": "Compressor", "main": true}]`), SerialPattern: "[0-9]+",
		Imei: true, NeedsInstall: true, Version: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{reg, m, m.ModelFields} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if rv.Field(i).IsZero() {
				t.Errorf("%s.%s is not set", rv.Type(), rv.Type().Field(i).Name)
			}
		}
	}
}

package coverage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/registry"
)

// The unit facts statement reads a unit's registration and model with everything else the
// decision needs, in one round trip; registrationOf and modelOf turn those parts of its row
// into the registry's and the catalog's types, as those packages do for their own reads.

func registrationOf(r db.Registration) registry.Registration {
	return registry.Registration{ID: r.ID, ModelID: r.ModelID, Serial: r.Serial, PurchaseDate: r.PurchaseDate.Format(time.DateOnly),
		InvoiceNo: r.InvoiceNo, InvoiceDate: dayText(r.InvoiceDate), InvoiceImage: r.InvoiceImage, HasWarrantyCard: r.HasWarrantyCard,
		Seller: r.Seller, BuyerID: idOf(r.BuyerID), UserID: idOf(r.UserID), InstallDate: dayText(r.InstallDate),
		Channel: r.Channel, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func modelOf(r db.ProductModel) (catalog.Model, error) {
	m := catalog.Model{ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ModelFields: catalog.ModelFields{
		CategoryID: r.CategoryID, SKU: r.Sku, Name: r.Name, SerialPattern: r.SerialPattern, IMEI: r.Imei, NeedsInstall: r.NeedsInstall}}
	if err := json.Unmarshal(r.Components, &m.Components); err != nil {
		return m, fmt.Errorf("decode components: %w", err)
	}
	return m, nil
}

func dayText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func idOf(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

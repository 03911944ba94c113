package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// PartOrderBill is what a part order (parts bought at the counter, 预订购件) bills: its
// customer, outlet, number and lines at the consumer price. The bill is then issued, paid at
// the counter or online through its pay link, refunded and counted in the cash-up like a
// repair's bill; the parts are picked up once it is paid.
type PartOrderBill struct {
	PartOrderID uuid.UUID
	OutletID    uuid.UUID
	CustomerID  uuid.UUID
	Number      string
	Currency    string
	Lines       []BillLine
}

// BillPartOrder bills a part order's customer when the order is taken: its lines at the
// consumer price, the bill issued at once (its pay link made) so that the customer can pay at
// the counter or online. A bill issued before is returned as it is. Without the billing
// service (the benchmark's server) the bill stays a draft.
func (s *Service) BillPartOrder(ctx context.Context, tx *tenants.Tx, po stock.PartOrder) (Bill, error) {
	lines := make([]BillLine, len(po.Lines))
	for i, l := range po.Lines {
		lines[i] = BillLine{Description: l.PartNo + " " + l.NameZh, Quantity: int(l.Qty), UnitPrice: l.UnitPrice}
	}
	b, err := CreatePartOrderBill(ctx, tx, PartOrderBill{PartOrderID: po.ID, OutletID: po.OutletID, CustomerID: po.CustomerID,
		Number: po.Number, Currency: po.Currency, Lines: lines})
	if err != nil || s == nil || b.Status != BillDraft {
		return b, err
	}
	return s.IssueBill(ctx, tx, b.ID, b.Version)
}

// CreatePartOrderBill bills a part order's customer for its lines (kind part, the catalog's
// consumer price: the customer's alone, nothing is covered). One bill per part order: billing
// it again returns the bill.
func CreatePartOrderBill(ctx context.Context, tx *tenants.Tx, in PartOrderBill) (Bill, error) {
	po := nullID(in.PartOrderID)
	if existing, err := tx.Q.GetBillOfPartOrder(ctx, tx, db.GetBillOfPartOrderParams{TenantID: tx.Scope.TenantID, PartOrderID: po}); err == nil {
		return billFromRow(existing), nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Bill{}, fmt.Errorf("bill of part order: %w", err)
	}
	for i := range in.Lines {
		in.Lines[i].Kind, in.Lines[i].Source = "part", "rate"
	}
	// No entitlement: parts bought over the counter are charged to the customer in full.
	lines, subtotal, err := priceBill(nil, in.Lines, "lines")
	if err != nil {
		return Bill{}, err
	}
	body, _ := json.Marshal(lines)
	row, err := tx.Q.CreatePartOrderBill(ctx, tx, db.CreatePartOrderBillParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		PartOrderID: po, OutletID: nullID(in.OutletID), CustomerID: in.CustomerID, Number: in.Number, Currency: in.Currency, Lines: body,
		Subtotal: subtotal})
	if errors.Is(err, pgx.ErrNoRows) {
		row, err = tx.Q.GetBillOfPartOrder(ctx, tx, db.GetBillOfPartOrderParams{TenantID: tx.Scope.TenantID, PartOrderID: po})
		if err != nil {
			return Bill{}, err
		}
		return billFromRow(row), nil
	}
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	b := billFromRow(row)
	return b, tx.Audit(ctx, "bill.create", "bill", b.ID, nil, b)
}

// BillOfPartOrder returns a part order's bill; fault.ErrNotFound when it has none.
func BillOfPartOrder(ctx context.Context, tx *tenants.Tx, partOrderID uuid.UUID) (Bill, error) {
	r, err := tx.Q.GetBillOfPartOrder(ctx, tx, db.GetBillOfPartOrderParams{TenantID: tx.Scope.TenantID, PartOrderID: nullID(partOrderID)})
	if err != nil {
		return Bill{}, fault.DBError(err, "", "")
	}
	return billFromRow(r), nil
}

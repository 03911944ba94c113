package billing_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// shared50 is a decision that covers parts, shares labour half and half and charges the
// visit and shipping.
const shared50 = `{"decision": {"class": "in_warranty", "charges": {"parts": {"mode": "free"},
	"labour": {"mode": "shared", "customer_percent": 50}, "visit": {"mode": "charged"}, "shipping": {"mode": "charged"}}}}`

// approvedQuote gives the order an entitlement and an approved quote with lines.
func (b *bundle) approvedQuote(f fixture, order uuid.UUID, entitlement, lines string, total int64) {
	b.t.Helper()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `UPDATE service_orders SET entitlement = $2 WHERE tenant_id = app.tenant_id() AND id = $1`, order, entitlement); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, `INSERT INTO order_quotes (tenant_id, id, order_id, customer_id, status, currency, lines, total_charged, token_hash)
			SELECT app.tenant_id(), $2, id, customer_id, 'approved', 'CNY', $3, $4, '\x00' FROM service_orders WHERE tenant_id = app.tenant_id() AND id = $1`,
			order, platform.NewID(), lines, total)
		return err
	})
}

func (b *bundle) customerOf(f fixture, order uuid.UUID) uuid.UUID {
	b.t.Helper()
	var c uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT customer_id FROM service_orders WHERE tenant_id = app.tenant_id() AND id = $1`, order).Scan(&c)
	})
	return c
}

// TestBillFromQuote: lines come from the approved quote with their payer from the warranty
// decision, only the customer's share is billed, a discount above the giver's limit waits
// for a manager, and the customer's credit pays part of the bill when it is issued.
func TestBillFromQuote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	order := b.order(f)
	b.approvedQuote(f, order, shared50, `[{"kind": "part", "description": "Compressor", "quantity": 1, "unit_price": 20000},
		{"kind": "labour", "description": "Labour", "quantity": 1, "unit_price": 8000},
		{"kind": "shipping", "description": "Courier", "quantity": 1, "unit_price": 1500}]`, 5500)
	customer := b.customerOf(f, order)
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := billing.PutSettings(b.ctx, tx, 0, billing.MoneyTerms{CreditValidityDays: 30, LabourRates: map[string]int64{"repair_minor": 6000},
			DiscountLimits: map[string]int32{"engineer": 5}}); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, `INSERT INTO credits (tenant_id, id, customer_id, currency, amount, remaining, issued_on, expires_on)
			VALUES (app.tenant_id(), $1, $2, 'CNY', 1000, 1000, current_date - 1, current_date + 30)`, platform.NewID(), customer)
		return err
	})
	scope := tenants.Scope{TenantID: f.tenant, Actor: tenants.Actor{Kind: "user", Label: "eng@example.com"}}
	var bill billing.Bill
	if err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) (err error) {
		bill, err = billing.CreateBill(b.ctx, tx, order)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind, payer string
		customer    int64
	}{{"part", "maker", 0}, {"labour", "maker", 4000}, {"shipping", "customer", 1500}}
	if len(bill.Lines) != len(want) {
		t.Fatalf("lines %+v, want 3 (the quote has labour: no labour at the rate)", bill.Lines)
	}
	for i, w := range want {
		l := bill.Lines[i]
		if l.Kind != w.kind || l.Payer != w.payer || l.CustomerAmount != w.customer {
			t.Errorf("line %d = %s payer %s customer %d, want %s payer %s customer %d", i, l.Kind, l.Payer, l.CustomerAmount, w.kind, w.payer, w.customer)
		}
	}
	if bill.Subtotal != 5500 || bill.Total != 5500 || bill.Status != billing.BillDraft {
		t.Fatalf("bill subtotal %d total %d status %s, want 5500 5500 draft", bill.Subtotal, bill.Total, bill.Status)
	}
	// Billing the order again gives the same bill.
	if err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
		again, err := billing.CreateBill(b.ctx, tx, order)
		if err == nil && again.ID != bill.ID {
			t.Errorf("second bill %s, want the first %s", again.ID, bill.ID)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// An engineer's 500 off 5500 is 9%, above their 5%: pending, and the bill cannot be issued.
	err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) (err error) {
		bill, err = billing.UpdateBill(b.ctx, tx, bill.ID, bill.Version, access.Engineer, billing.BillEdit{
			ExtraLines: []billing.BillLine{{Kind: "other", Description: "Cleaning", Quantity: 2, UnitPrice: 250}},
			Discount:   &billing.DiscountInput{Amount: 500, Reason: "goodwill after the dispute"}, BuyerName: "上海某公司", BuyerTaxID: "91310000ABCDEFGH1X"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if bill.DiscountStatus != "pending" || bill.Subtotal != 6000 || bill.Total != 6000 || bill.BuyerTaxID != "91310000ABCDEFGH1X" {
		t.Fatalf("after the engineer's discount: %s subtotal %d total %d tax id %q; want pending 6000 6000", bill.DiscountStatus, bill.Subtotal, bill.Total, bill.BuyerTaxID)
	}
	err = b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
		_, err := b.svc.IssueBill(b.ctx, tx, bill.ID, bill.Version)
		return err
	})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("issuing with a pending discount: %v, want a conflict", err)
	}
	// A stale version is refused.
	err = b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
		_, err := billing.UpdateBill(b.ctx, tx, bill.ID, bill.Version-1, access.Engineer, billing.BillEdit{})
		return err
	})
	if !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale edit: %v, want ErrStale", err)
	}
	// A discount over the subtotal names its field.
	err = b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
		_, err := billing.UpdateBill(b.ctx, tx, bill.ID, bill.Version, access.TenantAdmin, billing.BillEdit{
			Discount: &billing.DiscountInput{Amount: 7000, Reason: "x"}})
		return err
	})
	var fe *fault.FieldError
	if !errors.As(err, &fe) || fe.Field != "discount.amount" {
		t.Fatalf("discount over the subtotal: %v, want a field error at discount.amount", err)
	}

	manager := tenants.Scope{TenantID: f.tenant, Actor: tenants.Actor{Kind: "user", Label: "boss@example.com"}}
	if err := b.tdb.Tx(b.ctx, manager, func(tx *tenants.Tx) (err error) {
		bill, err = billing.DecideDiscount(b.ctx, tx, bill.ID, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if bill.DiscountStatus != "approved" || bill.Total != 5500 || bill.DiscountDecidedBy != "boss@example.com" {
		t.Fatalf("approved discount: %s total %d by %q, want approved 5500 boss", bill.DiscountStatus, bill.Total, bill.DiscountDecidedBy)
	}
	if err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) (err error) {
		bill, err = b.svc.IssueBill(b.ctx, tx, bill.ID, bill.Version)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if bill.Status != billing.BillIssued || bill.CreditApplied != 1000 || bill.Total != 4500 || bill.Balance != 4500 || bill.PayURL == "" {
		t.Fatalf("issued: %s credit %d total %d balance %d link %q; want issued 1000 4500 4500 and a link", bill.Status, bill.CreditApplied,
			bill.Total, bill.Balance, bill.PayURL)
	}
	var spent, remaining int64
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if err := tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE tenant_id = app.tenant_id() AND bill_id = $1
			AND kind = 'credit_redeemed'`, bill.ID).Scan(&spent); err != nil {
			return err
		}
		return tx.QueryRow(b.ctx, `SELECT remaining FROM credits WHERE tenant_id = app.tenant_id() AND customer_id = $1`, customer).Scan(&remaining)
	})
	if spent != 1000 || remaining != 0 {
		t.Fatalf("credit in the ledger %d, left %d; want 1000 spent, 0 left", spent, remaining)
	}
}

// TestBillRatesWithoutQuote: an order without a quote is billed labour at the tenant's rate for
// its type; the warranty decision still decides who pays it.
func TestBillRatesWithoutQuote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	order := b.order(f)
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `UPDATE service_orders SET entitlement = $2 WHERE tenant_id = app.tenant_id() AND id = $1`, order, shared50); err != nil {
			return err
		}
		_, err := billing.PutSettings(b.ctx, tx, 0, billing.MoneyTerms{CreditValidityDays: 30, LabourRates: map[string]int64{"repair_minor": 6001}, VisitFee: 3000})
		return err
	})
	var bill billing.Bill
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		bill, err = billing.CreateBill(b.ctx, tx, order)
		return err
	})
	// Carry-in: no visit fee. Labour shared half: 3000 of 6001 (rounded down: never more than the share).
	if len(bill.Lines) != 1 || bill.Lines[0].Kind != "labour" || bill.Lines[0].Source != "rate" || bill.Subtotal != 3000 {
		t.Fatalf("bill lines %+v subtotal %d, want one labour line at the rate, 3000 to the customer", bill.Lines, bill.Subtotal)
	}
}

package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// DepositInput is money taken at the counter when an order is checked in, before there is a
// quote or a bill.
type DepositInput struct {
	Method    string `json:"method" doc:"Cash, or a card terminal (with its reference)"`
	Amount    int64  `json:"amount" minimum:"1" maximum:"100000000" doc:"Minor units"`
	Reference string `json:"reference,omitempty" maxLength:"100" doc:"The card terminal's transaction reference"`
}

// Deposit is a deposit as held: a credit of the order's customer that issuing the order's
// bill (or any later bill of the customer) spends.
type Deposit struct {
	Credit
	OrderID   uuid.UUID `json:"order_id"`
	Method    string    `json:"method"`
	Reference string    `json:"reference,omitempty"`
	TakenBy   string    `json:"taken_by,omitempty"`
}

// TakeDeposit takes a deposit for an order at check-in. Bills are made from the approved
// quote, which does not exist yet, so the deposit is held as the customer's credit (the
// simple route docs/billing.md names): the ledger records the money in (payment) and what
// the tenant now owes the customer (credit); issuing the bill spends it like any credit
// (credit_redeemed), soonest to expire first. The order must be in the caller's scope.
func TakeDeposit(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, in DepositInput) (Deposit, error) {
	if in.Method != "cash" && in.Method != "card" {
		return Deposit{}, fault.Invalid("method", "must be cash or card")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if in.Method == "card" && in.Reference == "" {
		return Deposit{}, fault.Invalid("reference", "give the card terminal's transaction reference")
	}
	if in.Amount <= 0 {
		return Deposit{}, fault.Invalid("amount", "must be at least 1")
	}
	o, err := orders.Get(ctx, tx, orderID)
	if err != nil {
		return Deposit{}, err
	}
	if o.Status == orders.StatusCancelled {
		return Deposit{}, &fault.ConflictError{Detail: "order " + o.Number + " is cancelled; no deposit is taken for it"}
	}
	t, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return Deposit{}, err
	}
	terms, err := GetSettings(ctx, tx)
	if err != nil {
		return Deposit{}, err
	}
	today, err := creditDay(ctx, tx)
	if err != nil {
		return Deposit{}, err
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return Deposit{}, err
	}
	c, err := tx.Q.CreateDepositCredit(ctx, tx, db.CreateDepositCreditParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), CustomerID: o.CustomerID,
		Currency: t.Currency, Amount: in.Amount, IssuedOn: today, ExpiresOn: today.AddDate(0, 0, int(terms.CreditValidityDays)),
		DepositOrderID: nullID(o.ID), DepositMethod: in.Method, DepositReference: in.Reference, TakenBy: tx.Scope.Actor.Label})
	if err != nil {
		return Deposit{}, fault.DBError(err, "", "")
	}
	for _, l := range []struct {
		kind   string
		amount int64
		memo   string
	}{
		{"payment", in.Amount, fmt.Sprintf("%s deposit at check-in of order %s", in.Method, o.Number)},
		{"credit", -in.Amount, fmt.Sprintf("deposit of order %s held as the customer's credit", o.Number)},
	} {
		if _, err := tx.Q.InsertBillLedgerEntry(ctx, tx, db.InsertBillLedgerEntryParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			Kind: l.kind, Amount: l.amount, Currency: t.Currency, EffectKey: "deposit:" + l.kind + ":" + c.ID.String(), Memo: l.memo,
			OccurredAt: now}); err != nil {
			return Deposit{}, fmt.Errorf("ledger of deposit: %w", err)
		}
	}
	d := Deposit{Credit: Credit{ID: c.ID, CustomerID: c.CustomerID, Currency: c.Currency, Amount: c.Amount, Remaining: c.Remaining,
		IssuedOn: c.IssuedOn.Format("2006-01-02"), ExpiresOn: c.ExpiresOn.Format("2006-01-02"), Status: c.Status},
		OrderID: o.ID, Method: in.Method, Reference: in.Reference, TakenBy: c.TakenBy}
	return d, tx.Audit(ctx, "order.deposit", "service_order", o.ID, nil, d)
}

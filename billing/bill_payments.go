package billing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// PaymentMethods are how a bill is paid (BillPayment.Method), in the order the API documents them: cash
// and a card terminal at the counter, online through Stripe Checkout from the pay link.
var PaymentMethods = []string{"cash", "card", "online"}

// CounterMethods are the methods taken at the counter.
var CounterMethods = []string{"cash", "card"}

// BillPaymentKinds are money in (payment) or out (refund), in the order the API documents them.
var BillPaymentKinds = []string{"payment", "refund"}

// BillPaymentStatuses are the states of a payment or refund, in the order the API documents them.
var BillPaymentStatuses = []string{"pending", "succeeded", "failed", "expired"}

// BillPayment is money taken for a bill or given back, with its receipt number once it succeeded.
type BillPayment struct {
	ID              uuid.UUID  `json:"id"`
	BillID          uuid.UUID  `json:"bill_id"`
	OutletID        *uuid.UUID `json:"outlet_id,omitempty"`
	Kind            string     `json:"kind"`
	Method          string     `json:"method"`
	Amount          int64      `json:"amount" doc:"Minor units"`
	Currency        string     `json:"currency"`
	Status          string     `json:"status"`
	Reference       string     `json:"reference,omitempty" doc:"The card terminal's reference"`
	Reason          string     `json:"reason,omitempty" doc:"Why money was given back"`
	RefundOf        *uuid.UUID `json:"refund_of,omitempty" doc:"The payment a refund gives back"`
	ReceiptNumber   string     `json:"receipt_number,omitempty"`
	PaymentIntentID string     `json:"stripe_payment_intent_id,omitempty"`
	RefundID        string     `json:"stripe_refund_id,omitempty"`
	TakenBy         string     `json:"taken_by,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	SettledAt       *time.Time `json:"settled_at,omitempty"`
}

func billPaymentFromRow(r db.BillPayment) BillPayment {
	out := BillPayment{ID: r.ID, BillID: r.BillID, OutletID: idPtr(r.OutletID), Kind: r.Kind, Method: r.Method, Amount: r.Amount,
		Currency: r.Currency, Status: r.Status, Reference: r.Reference, Reason: r.Reason, RefundOf: idPtr(r.RefundOf),
		PaymentIntentID: r.StripePaymentIntentID, RefundID: r.StripeRefundID, TakenBy: r.TakenBy, CreatedAt: r.CreatedAt, SettledAt: r.SettledAt}
	if r.ReceiptNumber != nil {
		out.ReceiptNumber = *r.ReceiptNumber
	}
	return out
}

// BillPayments lists a bill's payments and refunds, oldest first.
func BillPayments(ctx context.Context, tx *tenants.Tx, billID uuid.UUID) ([]BillPayment, error) {
	rows, err := tx.Q.ListBillPayments(ctx, tx, db.ListBillPaymentsParams{TenantID: tx.Scope.TenantID, BillID: billID})
	if err != nil {
		return nil, fmt.Errorf("list payments of bill: %w", err)
	}
	out := make([]BillPayment, len(rows))
	for i, r := range rows {
		out[i] = billPaymentFromRow(r)
	}
	return out, nil
}

// GetBillPayment returns one payment or refund in scope.
func GetBillPayment(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (BillPayment, error) {
	r, err := tx.Q.GetBillPayment(ctx, tx, db.GetBillPaymentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return BillPayment{}, fault.DBError(err, "", "")
	}
	return billPaymentFromRow(r), nil
}

// CounterPayment is money taken at the counter.
type CounterPayment struct {
	Method    string `json:"method" doc:"cash or card (a card terminal)"`
	Amount    int64  `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; at most the balance (a part payment is fine)"`
	Reference string `json:"reference,omitempty" maxLength:"100" doc:"The card terminal's transaction reference; required for card"`
}

// lockIssued locks a bill that takes money: issued (or paid, for refunds).
func lockIssued(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (db.Bill, error) {
	b, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return b, fault.DBError(err, "", "")
	}
	if b.Status == BillDraft {
		return b, &fault.ConflictError{Detail: "bill " + b.Number + " is a draft; issue it first"}
	}
	return b, nil
}

// TakeCounterPayment records cash or a card terminal's payment of a bill, in full or in part,
// with its receipt and ledger entry. Nobody is paid more than is owed at the counter.
func TakeCounterPayment(ctx context.Context, tx *tenants.Tx, billID uuid.UUID, in CounterPayment) (BillPayment, error) {
	if in.Method != "cash" && in.Method != "card" {
		return BillPayment{}, fault.Invalid("method", "must be cash or card")
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if in.Method == "card" && in.Reference == "" {
		return BillPayment{}, fault.Invalid("reference", "give the card terminal's transaction reference")
	}
	if in.Amount <= 0 {
		return BillPayment{}, fault.Invalid("amount", "must be at least 1")
	}
	b, err := lockIssued(ctx, tx, billID)
	if err != nil {
		return BillPayment{}, err
	}
	if balance := b.Total - b.Paid + b.Refunded; in.Amount > balance {
		return BillPayment{}, fault.Invalid("amount", fmt.Sprintf("is more than the balance owed (%d)", max(balance, 0)))
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return BillPayment{}, err
	}
	row, err := tx.Q.CreateBillPayment(ctx, tx, db.CreateBillPaymentParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), BillID: b.ID,
		OutletID: b.OutletID, Kind: "payment", Method: in.Method, Amount: in.Amount, Currency: b.Currency, Status: "pending",
		Reference: in.Reference, TakenBy: tx.Scope.Actor.Label})
	if err != nil {
		return BillPayment{}, fmt.Errorf("store payment: %w", err)
	}
	out, _, err := settle(ctx, tx, b, row, in.Amount, "", now)
	if err != nil {
		return BillPayment{}, err
	}
	return out, tx.Audit(ctx, "bill.payment", "bill_payment", out.ID, nil, out)
}

// settle makes a pending payment or refund of the locked bill b succeed with amount: its
// receipt number, the bill's money and the ledger, once (a repeated confirmation returns
// false and changes nothing). stripeObject is what reconciliation matches it by.
func settle(ctx context.Context, tx *tenants.Tx, b db.Bill, p db.BillPayment, amount int64, stripeObject string, at time.Time) (BillPayment, bool, error) {
	mark := "P"
	if p.Kind == "refund" {
		mark = "R"
	}
	receipt := b.Number + "-" + mark + strconv.Itoa(int(b.Receipts)+1)
	row, err := tx.Q.SettleBillPayment(ctx, tx, db.SettleBillPaymentParams{TenantID: tx.Scope.TenantID, ID: p.ID, Amount: amount,
		ReceiptNumber: &receipt, Now: &at})
	if errors.Is(err, pgx.ErrNoRows) {
		return billPaymentFromRow(p), false, nil
	}
	if err != nil {
		return BillPayment{}, false, fmt.Errorf("settle payment: %w", err)
	}
	money := db.SetBillMoneyParams{TenantID: tx.Scope.TenantID, ID: b.ID, Now: at}
	signed, kind := amount, "payment"
	if p.Kind == "refund" {
		money.RefundedDelta, signed, kind = amount, -amount, "refund"
	} else {
		money.PaidDelta = amount
	}
	if _, err := tx.Q.SetBillMoney(ctx, tx, money); err != nil {
		return BillPayment{}, false, fault.DBError(err, "amount", "")
	}
	if _, err := tx.Q.InsertBillLedgerEntry(ctx, tx, db.InsertBillLedgerEntryParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
		Kind: kind, BillID: nullID(b.ID), Amount: signed, Currency: b.Currency, StripeObjectID: stripeObject,
		EffectKey: "bill_payment:" + p.ID.String(), Memo: fmt.Sprintf("%s %s of bill %s (%s)", p.Method, kind, b.Number, receipt),
		OccurredAt: at}); err != nil {
		return BillPayment{}, false, err
	}
	// Engineers' pay follows the money: a refund reverses commission in proportion, a bill
	// paid in full lets commission that waited for the money accrue.
	// (A part order's bill names no service order: no engineer's pay waits for it.)
	if b.OrderID.Valid {
		if err := commission.MoneyMoved(ctx, tx, b.OrderID.UUID); err != nil {
			return BillPayment{}, false, err
		}
	}
	return billPaymentFromRow(row), true, nil
}

// PayCheckout is a started online payment: the customer pays at URL.
type PayCheckout struct {
	Payment BillPayment `json:"payment"`
	URL     string      `json:"url" doc:"Stripe Checkout page"`
}

// billPaymentKey is the stripe_routes key of a bill payment the platform created.
func billPaymentKey(id uuid.UUID) string { return "bill_payment:" + id.String() }

// StartBillCheckout starts an online payment of amount (0: the balance) of an issued bill,
// for the customer holding its pay link: a pending payment and a Stripe Checkout Session.
// Nothing counts until Stripe confirms the payment by webhook. Checkout returns the customer
// to back (?paid=1 or ?cancelled=1 added), PUBLIC_URL/bills/{id} when empty.
func (s *Service) StartBillCheckout(ctx context.Context, tx *tenants.Tx, b Bill, amount int64, back string) (PayCheckout, error) {
	row, err := lockIssued(ctx, tx, b.ID)
	if err != nil {
		return PayCheckout{}, err
	}
	balance := row.Total - row.Paid + row.Refunded
	if balance <= 0 {
		return PayCheckout{}, &fault.ConflictError{Detail: "bill " + row.Number + " is paid"}
	}
	if amount == 0 {
		amount = balance
	}
	if amount < 0 || amount > balance {
		return PayCheckout{}, fault.Invalid("amount", fmt.Sprintf("must be between 1 and the balance owed (%d)", balance))
	}
	sc, err := s.api()
	if err != nil {
		return PayCheckout{}, err
	}
	p, err := tx.Q.CreateBillPayment(ctx, tx, db.CreateBillPaymentParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), BillID: row.ID,
		OutletID: row.OutletID, Kind: "payment", Method: "online", Amount: amount, Currency: row.Currency, Status: "pending",
		TakenBy: tx.Scope.Actor.Label})
	if err != nil {
		return PayCheckout{}, fmt.Errorf("store payment: %w", err)
	}
	if err := s.DB.Platform(ctx, "stripe route: bill payment created", uuid.Nil, func(ptx *tenants.Tx) error {
		return ptx.Q.PutStripeRoute(ctx, ptx, db.PutStripeRouteParams{ObjectID: billPaymentKey(p.ID), Tenant: tx.Scope.TenantID})
	}); err != nil {
		return PayCheckout{}, err
	}
	md := map[string]string{"tenant_id": tx.Scope.TenantID.String(), "bill_payment_id": p.ID.String(), "bill_id": row.ID.String()}
	if back == "" {
		back = strings.TrimRight(s.cfg.PublicURL, "/") + "/bills/" + row.ID.String()
	}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(billPaymentKey(p.ID)),
		SuccessURL:        stripe.String(back + "?paid=1"),
		CancelURL:         stripe.String(back + "?cancelled=1"),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{Currency: stripe.String(lower(row.Currency)), UnitAmount: stripe.Int64(amount),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String("Service order " + row.Number)}}}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: md},
	}
	params.Metadata = md
	params.SetIdempotencyKey("bill_checkout:" + p.ID.String())
	params.Context = ctx
	sess, err := sc.CheckoutSessions.New(params)
	if err != nil {
		return PayCheckout{}, stripeError(err)
	}
	if err := tx.Q.SetBillPaymentStripe(ctx, tx, db.SetBillPaymentStripeParams{TenantID: tx.Scope.TenantID, ID: p.ID, SessionID: sess.ID}); err != nil {
		return PayCheckout{}, err
	}
	p.StripeSessionID = sess.ID
	out := PayCheckout{Payment: billPaymentFromRow(p), URL: sess.URL}
	return out, tx.Audit(ctx, "bill.checkout", "bill_payment", p.ID, nil, out.Payment)
}

// RefundInput gives money of a payment back.
type RefundInput struct {
	PaymentID uuid.UUID `json:"payment_id" doc:"The payment given back"`
	Amount    int64     `json:"amount" minimum:"1" maximum:"100000000000" doc:"Minor units; at most what is left of the payment (a part refund is fine)"`
	Reason    string    `json:"reason" minLength:"1" maxLength:"1000"`
}

// RefundBillPayment gives back part or all of a succeeded payment (the API grants it to
// bills:approve). Cash and card refunds are handed over at the counter and recorded at once;
// an online payment's refund is asked of Stripe (with the refund's own idempotency key) after
// it is recorded, and counts when Stripe reports it succeeded.
func (s *Service) RefundBillPayment(ctx context.Context, scope tenants.Scope, billID uuid.UUID, in RefundInput) (BillPayment, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return BillPayment{}, fault.Invalid("reason", "give a reason for the refund")
	}
	if in.Amount <= 0 {
		return BillPayment{}, fault.Invalid("amount", "must be at least 1")
	}
	var refund db.BillPayment
	var paid db.BillPayment
	var out BillPayment
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		b, err := lockIssued(ctx, tx, billID)
		if err != nil {
			return err
		}
		paid, err = tx.Q.GetBillPayment(ctx, tx, db.GetBillPaymentParams{TenantID: tx.Scope.TenantID, ID: in.PaymentID})
		if err != nil || paid.BillID != billID || paid.Kind != "payment" {
			return fault.Invalid("payment_id", "is not a payment of this bill")
		}
		if paid.Status != "succeeded" {
			return fault.Invalid("payment_id", "the payment is "+paid.Status+"; only money received is given back")
		}
		given, err := tx.Q.RefundedOfPayment(ctx, tx, db.RefundedOfPaymentParams{TenantID: tx.Scope.TenantID, RefundOf: nullID(paid.ID)})
		if err != nil {
			return err
		}
		if left := paid.Amount - given; in.Amount > left {
			return fault.Invalid("amount", fmt.Sprintf("is more than is left of the payment (%d)", left))
		}
		if paid.Method == "online" {
			if _, err := s.api(); err != nil {
				return err
			}
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		refund, err = tx.Q.CreateBillPayment(ctx, tx, db.CreateBillPaymentParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), BillID: b.ID,
			OutletID: b.OutletID, Kind: "refund", Method: paid.Method, Amount: in.Amount, Currency: b.Currency, Status: "pending",
			Reason: in.Reason, RefundOf: nullID(paid.ID), TakenBy: tx.Scope.Actor.Label})
		if err != nil {
			return fmt.Errorf("store refund: %w", err)
		}
		if err := tx.Audit(ctx, "bill.refund", "bill_payment", refund.ID, nil, billPaymentFromRow(refund)); err != nil {
			return err
		}
		if paid.Method == "online" {
			out = billPaymentFromRow(refund)
			return nil // asked of Stripe once this is committed
		}
		out, _, err = settle(ctx, tx, b, refund, refund.Amount, "", now)
		return err
	})
	if err != nil || paid.Method != "online" {
		return out, err
	}
	return s.askBillRefund(ctx, scope, refund, paid.StripePaymentIntentID)
}

// askBillRefund asks Stripe for a recorded online refund and applies Stripe's answer.
func (s *Service) askBillRefund(ctx context.Context, scope tenants.Scope, refund db.BillPayment, intent string) (BillPayment, error) {
	sc, err := s.api()
	if err != nil {
		return BillPayment{}, err
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(intent), Amount: stripe.Int64(refund.Amount)}
	params.Metadata = map[string]string{"tenant_id": scope.TenantID.String(), "bill_payment_id": refund.ID.String(), "bill_id": refund.BillID.String()}
	params.SetIdempotencyKey("bill_refund:" + refund.ID.String())
	params.Context = ctx
	rf, serr := sc.Refunds.New(params)
	var out BillPayment
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if serr != nil {
			if _, err := tx.Q.EndBillPayment(ctx, tx, db.EndBillPaymentParams{TenantID: tx.Scope.TenantID, ID: refund.ID, Status: "failed"}); err != nil {
				return err
			}
			return nil
		}
		if err := tx.Q.SetBillPaymentStripe(ctx, tx, db.SetBillPaymentStripeParams{TenantID: tx.Scope.TenantID, ID: refund.ID, RefundID: rf.ID}); err != nil {
			return err
		}
		_, err := applyBillRefund(ctx, tx, refund.ID, string(rf.Status), rf.ID, time.Now())
		if err != nil {
			return err
		}
		out, err = GetBillPayment(ctx, tx, refund.ID)
		return err
	})
	if serr != nil {
		return BillPayment{}, stripeError(serr)
	}
	return out, err
}

// applyBillRefund applies Stripe's status of a bill's online refund: succeeded settles it
// (once), failed or canceled ends it.
func applyBillRefund(ctx context.Context, tx *tenants.Tx, id uuid.UUID, status, refundID string, at time.Time) (string, error) {
	p, err := tx.Q.GetBillPayment(ctx, tx, db.GetBillPaymentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return "", &mismatchError{"names bill refund " + id.String() + ", which the tenant does not have"}
	}
	switch stripe.RefundStatus(status) {
	case stripe.RefundStatusSucceeded:
		b, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: p.BillID})
		if err != nil {
			return "", err
		}
		_, done, err := settle(ctx, tx, b, p, p.Amount, refundID, at)
		if !done {
			return "bill refund already recorded", err
		}
		return "bill refund recorded", err
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		_, err := tx.Q.EndBillPayment(ctx, tx, db.EndBillPaymentParams{TenantID: tx.Scope.TenantID, ID: id, Status: "failed"})
		return "bill refund " + status, err
	}
	return "bill refund " + status + ": awaiting Stripe", nil
}

// confirmBillPayment applies Stripe's confirmation of an online bill payment: the amount
// Stripe received counts (the money wins), once however often and in whatever order Stripe
// reports it. The bill's row lock serializes concurrent confirmations.
func confirmBillPayment(ctx context.Context, tx *tenants.Tx, id uuid.UUID, intent, charge string, amount int64, currency string, at time.Time) (string, error) {
	p, err := tx.Q.GetBillPayment(ctx, tx, db.GetBillPaymentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return "", &mismatchError{"names bill payment " + id.String() + ", which the tenant does not have"}
	}
	if p.Kind != "payment" || p.Method != "online" {
		return "", &mismatchError{"names bill payment " + id.String() + ", which is not an online payment"}
	}
	if !equalFold(currency, p.Currency) {
		return "", &mismatchError{fmt.Sprintf("paid in %s for bill payment %s in %s", currency, id, p.Currency)}
	}
	if p.StripePaymentIntentID != "" && intent != "" && p.StripePaymentIntentID != intent {
		return "", &mismatchError{fmt.Sprintf("payment intent %s paid for bill payment %s, which is paid by %s", intent, id, p.StripePaymentIntentID)}
	}
	b, err := tx.Q.GetBillForUpdate(ctx, tx, db.GetBillForUpdateParams{TenantID: tx.Scope.TenantID, ID: p.BillID})
	if err != nil {
		return "", err
	}
	if err := tx.Q.SetBillPaymentStripe(ctx, tx, db.SetBillPaymentStripeParams{TenantID: tx.Scope.TenantID, ID: id,
		PaymentIntentID: intent, ChargeID: charge}); err != nil {
		return "", err
	}
	if at, err = paidMoment(ctx, tx, at); err != nil {
		return "", err
	}
	_, done, err := settle(ctx, tx, b, p, amount, firstNonEmpty(charge, intent), at)
	if err != nil {
		return "", err
	}
	if !done {
		return "bill payment already recorded", nil
	}
	return fmt.Sprintf("bill payment of %d recorded", amount), nil
}

func (h hints) billPayment() uuid.UUID {
	id, _ := uuid.Parse(h.metadata["bill_payment_id"])
	return id
}

// applyBill runs an event of a bill's payment or refund in its tenant's transaction.
func (s *Service) applyBill(ctx context.Context, tx *tenants.Tx, ev stripe.Event, h hints, id uuid.UUID) (effect, error) {
	at := time.Unix(ev.Created, 0).UTC()
	t := tx.Scope.TenantID
	p, eff, ok := paymentEvent(ev, h, t)
	if ok {
		if p != nil {
			var err error
			eff.detail, err = confirmBillPayment(ctx, tx, id, p.intent, p.charge, p.amount, p.currency, at)
			return eff, err
		}
		return eff, nil
	}
	if rf, eff, ok := refundEvent(ev, t); ok {
		if rf == nil {
			return eff, nil
		}
		var err error
		eff.detail, err = applyBillRefund(ctx, tx, id, string(rf.Status), rf.ID, at)
		return eff, err
	}
	switch ev.Type {
	case "checkout.session.expired", "payment_intent.payment_failed":
		status := "expired"
		if ev.Type == "payment_intent.payment_failed" {
			status = "failed"
		}
		n, err := tx.Q.EndBillPayment(ctx, tx, db.EndBillPaymentParams{TenantID: tx.Scope.TenantID, ID: id, Status: status})
		eff.detail = "bill payment " + status
		if n == 0 {
			eff.detail = "bill payment was not pending (a success wins)"
		}
		return eff, err
	}
	return effect{outcome: "ignored", detail: "type not handled for bill payments"}, nil
}

// CashUpKinds are the kinds of money in a cash-up: payments and refunds of bills, deposits
// taken at check-in before there was a bill, and loaner deposits taken and given back.
var CashUpKinds = []string{"payment", "refund", "deposit", "loan_deposit", "loan_refund"}

// CashUpLine is the money of one outlet, method and kind on a day: payments and refunds of
// bills, deposits taken at check-in (kind deposit) before there was a bill, and loaner
// deposits taken (loan_deposit; an online one when Stripe confirmed it) and given back
// (loan_refund).
type CashUpLine struct {
	OutletID *uuid.UUID `json:"outlet_id,omitempty"`
	Method   string     `json:"method"`
	Kind     string     `json:"kind"`
	Currency string     `json:"currency"`
	Count    int64      `json:"count"`
	Amount   int64      `json:"amount" doc:"Minor units (refunds positive: given back)"`
}

// CashUp is a day's money per outlet: what each method took in and gave back, and the net.
type CashUp struct {
	Day   string       `json:"day" format:"date" doc:"The tenant's day"`
	Lines []CashUpLine `json:"lines"`
	Net   int64        `json:"net" doc:"Payments and deposits less refunds, loaner deposits' included (minor units)"`
}

// DailyCashUp sums the money settled on the tenant's day (its time zone), per outlet,
// method and kind; outlet narrows it to one outlet.
func DailyCashUp(ctx context.Context, tx *tenants.Tx, day time.Time, outlet uuid.NullUUID) (CashUp, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return CashUp{}, err
	}
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	rows, err := tx.Q.CashUp(ctx, tx, db.CashUpParams{TenantID: tx.Scope.TenantID, FromAt: &from, ToAt: &to, OutletID: outlet})
	if err != nil {
		return CashUp{}, fmt.Errorf("cash-up: %w", err)
	}
	deposits, err := tx.Q.CashUpDeposits(ctx, tx, db.CashUpDepositsParams{TenantID: tx.Scope.TenantID, FromAt: from, ToAt: to, OutletID: outlet})
	if err != nil {
		return CashUp{}, fmt.Errorf("cash-up deposits: %w", err)
	}
	out := CashUp{Day: from.Format(time.DateOnly), Lines: make([]CashUpLine, 0, len(rows)+len(deposits))}
	for _, r := range rows {
		out.Lines = append(out.Lines, CashUpLine{OutletID: idPtr(r.OutletID), Method: r.Method, Kind: r.Kind, Currency: r.Currency, Count: r.Count, Amount: r.Amount})
		if r.Kind == "refund" {
			out.Net -= r.Amount
		} else {
			out.Net += r.Amount
		}
	}
	for _, r := range deposits {
		out.Lines = append(out.Lines, CashUpLine{OutletID: idPtr(r.OutletID), Method: r.Method, Kind: "deposit", Currency: r.Currency, Count: r.Count, Amount: r.Amount})
		out.Net += r.Amount
	}
	loans, err := tx.Q.CashUpLoanDeposits(ctx, tx, db.CashUpLoanDepositsParams{TenantID: tx.Scope.TenantID, FromAt: from, ToAt: to, OutletID: outlet})
	if err != nil {
		return CashUp{}, fmt.Errorf("cash-up loaner deposits: %w", err)
	}
	for _, r := range loans {
		l := CashUpLine{OutletID: idPtr(r.OutletID), Method: r.Method, Kind: "loan_deposit", Currency: r.Currency, Count: r.Count, Amount: r.Amount}
		if r.Kind == "refund" {
			l.Kind = "loan_refund"
			out.Net -= r.Amount
		} else {
			out.Net += r.Amount
		}
		out.Lines = append(out.Lines, l)
	}
	return out, nil
}

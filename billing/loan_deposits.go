package billing

// Loaner deposits paid online (docs/loaners.md). The counter lends a loaner unit with a
// deposit the customer pays on a Stripe Checkout page (shown as a QR code); the loan's deposit
// is pending until Stripe confirms it by webhook (stock.DepositPaid). Its refund is asked of
// Stripe by a job queued with the return (stock.LoanRefundArgs) and counts when Stripe says it
// succeeded (stock.DepositRefunded). The loan's rules are package stock's; this file is the
// Stripe side: the pages, the refund and the events.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// loanKey names a loan in the Stripe routes and in Checkout's client reference.
func loanKey(id uuid.UUID) string { return "loan:" + id.String() }

func (h hints) loan() uuid.UUID {
	id, _ := uuid.Parse(h.metadata["loan_id"])
	return id
}

// OpenLoanDeposit makes the Checkout page an online loan deposit is paid on, closing the page
// made before it (a customer never has two pages to pay one deposit). Checkout brings the
// customer back to the order's tracking page (the brand's portal when the order has no
// tracking link), where the timeline shows the deposit paid.
func (s *Service) OpenLoanDeposit(ctx context.Context, tx *tenants.Tx, l db.Loan, o db.ServiceOrder) (string, error) {
	sc, err := s.api()
	if err != nil {
		return "", fault.Invalid("deposit_method", "online payments are not set up here: take the deposit in cash or by card")
	}
	if l.StripeSessionID != "" {
		if err := s.CloseLoanDeposit(ctx, tx, l); err != nil {
			return "", err
		}
	}
	if err := s.DB.Platform(ctx, "stripe route: loan deposit", uuid.Nil, func(ptx *tenants.Tx) error {
		return ptx.Q.PutStripeRoute(ctx, ptx, db.PutStripeRouteParams{ObjectID: loanKey(l.ID), Tenant: tx.Scope.TenantID})
	}); err != nil {
		return "", err
	}
	back := strings.TrimRight(s.cfg.PublicURL, "/")
	if o.TrackingToken != "" {
		back += "/track/" + url.PathEscape(o.TrackingToken)
	} else {
		t, err := tenants.GetTenant(ctx, tx)
		if err != nil {
			return "", err
		}
		back += "/my/" + url.PathEscape(t.Slug) + "/"
	}
	md := map[string]string{"tenant_id": tx.Scope.TenantID.String(), "loan_id": l.ID.String()}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(loanKey(l.ID)),
		SuccessURL:        stripe.String(back + "?deposit=paid"),
		CancelURL:         stripe.String(back + "?deposit=cancelled"),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{Currency: stripe.String(lower(l.Currency)), UnitAmount: stripe.Int64(l.Deposit),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{
					Name: stripe.String(fmt.Sprintf("Loaner deposit %s, service order %s", l.Serial, o.Number))}}}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: md},
	}
	params.Metadata = md
	// Each page has its own key: the first is the loan's, a new one follows the page it replaces.
	params.SetIdempotencyKey("loan_checkout:" + l.ID.String() + ":" + l.StripeSessionID)
	params.Context = ctx
	sess, err := sc.CheckoutSessions.New(params)
	if err != nil {
		return "", stripeError(err)
	}
	now, err := tx.Now(ctx)
	if err != nil {
		return "", err
	}
	if err := tx.Q.SetLoanDepositSession(ctx, tx, db.SetLoanDepositSessionParams{TenantID: tx.Scope.TenantID, ID: l.ID,
		SessionID: sess.ID, Now: now}); err != nil {
		return "", fmt.Errorf("store loan deposit page: %w", err)
	}
	return sess.URL, nil
}

// CloseLoanDeposit expires the deposit's Checkout page so that it can no longer be paid. A
// page that was paid meanwhile cannot be expired: that is a conflict, and Stripe's
// confirmation (waiting for the loan's lock) makes the deposit held.
func (s *Service) CloseLoanDeposit(ctx context.Context, tx *tenants.Tx, l db.Loan) error {
	if l.StripeSessionID == "" {
		return nil
	}
	sc, err := s.api()
	if err != nil {
		return err
	}
	params := &stripe.CheckoutSessionExpireParams{}
	params.Context = ctx
	_, err = sc.CheckoutSessions.Expire(l.StripeSessionID, params)
	if err == nil {
		return nil
	}
	get := &stripe.CheckoutSessionParams{}
	get.Context = ctx
	if sess, gerr := sc.CheckoutSessions.Get(l.StripeSessionID, get); gerr == nil {
		switch sess.Status {
		case stripe.CheckoutSessionStatusComplete:
			return &fault.ConflictError{Detail: "the deposit of loaner " + l.Serial + " was just paid; its confirmation is on its way: try again in a moment"}
		case stripe.CheckoutSessionStatusExpired:
			return nil
		}
	}
	return stripeError(err)
}

// applyLoanDeposit runs an event of a loan deposit's payment or refund in its tenant's
// transaction.
func (s *Service) applyLoanDeposit(ctx context.Context, tx *tenants.Tx, ev stripe.Event, h hints, id uuid.UUID) (effect, error) {
	t := tx.Scope.TenantID
	at, err := paidMoment(ctx, tx, time.Unix(ev.Created, 0).UTC())
	if err != nil {
		return effect{}, err
	}
	p, eff, ok := paymentEvent(ev, h, t)
	rf, refund, isRefund := refundEvent(ev, t)
	switch {
	case ok && p == nil:
		return eff, nil
	case ok:
		eff.detail, err = stock.DepositPaid(ctx, tx, id, p.intent, p.amount, p.currency, at)
	case isRefund && rf == nil:
		return refund, nil
	case isRefund:
		eff.routes = append(eff.routes, refund.routes...)
		eff.detail, err = stock.DepositRefunded(ctx, tx, id, string(rf.Status), rf.ID, at)
	default:
		// An expired page or a failed attempt leaves the deposit pending: staff make a new link.
		return effect{outcome: "ignored", detail: "type not handled for loan deposits"}, nil
	}
	var mm *stock.DepositMismatch
	if errors.As(err, &mm) {
		return eff, &mismatchError{mm.Detail}
	}
	return eff, err
}

// loanRefundWorker asks Stripe to give an online loan deposit back (stock.LoanRefundArgs).
type loanRefundWorker struct {
	river.WorkerDefaults[stock.LoanRefundArgs]
	s *Service
}

// Work asks Stripe for the refund of a refunding deposit and applies the answer. The refund's
// idempotency key (the loan and its version) makes a retry of the job safe; a deposit no
// longer refunding (Stripe's webhook came first) is left alone.
func (w *loanRefundWorker) Work(ctx context.Context, job *river.Job[stock.LoanRefundArgs]) error {
	sc, err := w.s.api()
	if err != nil {
		return err
	}
	scope := tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.Actor{Kind: "system", Label: "loan deposit refund"}}
	return w.s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		l, err := tx.Q.LockLoan(ctx, tx, db.LockLoanParams{TenantID: tx.Scope.TenantID, ID: job.Args.LoanID})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (l.DepositStatus != "refunding" || l.StripeRefundID != "")) {
			// Gone, no longer refunding, or a refund already asked (Stripe's webhook finishes it).
			return nil
		}
		if err != nil {
			return err
		}
		now, err := tx.Now(ctx) // a sandbox tenant's clock
		if err != nil {
			return err
		}
		params := &stripe.RefundParams{PaymentIntent: stripe.String(l.StripePaymentIntentID), Amount: stripe.Int64(l.Deposit)}
		params.Metadata = map[string]string{"tenant_id": tx.Scope.TenantID.String(), "loan_id": l.ID.String()}
		params.SetIdempotencyKey(fmt.Sprintf("loan_refund:%s:%d", l.ID, l.Version))
		params.Context = ctx
		rf, err := sc.Refunds.New(params)
		if err != nil {
			var se *stripe.Error
			if errors.As(err, &se) && (se.HTTPStatusCode == 400 || se.HTTPStatusCode == 402) {
				// Stripe refuses it (e.g. the payment was disputed): staff ask again later.
				_, err = stock.DepositRefunded(ctx, tx, l.ID, "failed", "", now)
				return err
			}
			return fmt.Errorf("loan deposit refund: %w", err) // Stripe unreachable: the job retries
		}
		_, err = stock.DepositRefunded(ctx, tx, l.ID, string(rf.Status), rf.ID, now)
		return err
	})
}

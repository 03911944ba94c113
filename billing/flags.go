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
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Kinds of flagged payments (PaymentFlag.Kind).
const (
	// FlagWrongAmount: Stripe confirmed a payment whose amount or currency is not the
	// purchase's. Nothing is granted; finance refunds it or accepts it with a reason.
	FlagWrongAmount = "wrong_amount"
	// FlagDuplicate: a second payment for an upgrade its order already has. It is refused and
	// refunded at once; finance sees it.
	FlagDuplicate = "duplicate"
)

// FlagKinds and FlagStatuses list the kinds and states of a flagged payment, in the order the
// API documents them.
var (
	FlagKinds    = []string{FlagWrongAmount, FlagDuplicate}
	FlagStatuses = []string{"open", "refunding", "refunded", "accepted"}
)

// Event types billing emits for the tenant's admins and finance (notices) and webhooks.
const (
	EventPaymentFlagged = "payment.flagged"
	EventRefundFailed   = "refund.failed"
	EventDisputeWon     = "dispute.won"
	EventDisputeLost    = "dispute.lost"
)

// PaymentFlag is a payment that activated nothing, waiting for (or resolved by) finance.
type PaymentFlag struct {
	ID               uuid.UUID  `json:"id"`
	PurchaseID       uuid.UUID  `json:"purchase_id"`
	Kind             string     `json:"kind"`
	PaymentIntentID  string     `json:"stripe_payment_intent_id"`
	ExpectedAmount   int64      `json:"expected_amount" doc:"What the purchase costs (minor units)"`
	ExpectedCurrency string     `json:"expected_currency"`
	ReceivedAmount   int64      `json:"received_amount" doc:"What Stripe says was paid (minor units)"`
	ReceivedCurrency string     `json:"received_currency"`
	Status           string     `json:"status"`
	Resolution       string     `json:"resolution,omitempty" doc:"Why it was accepted, or what became of its refund"`
	RefundID         *uuid.UUID `json:"refund_id,omitempty"`
	ResolvedBy       *uuid.UUID `json:"resolved_by,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	Version          int32      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
}

func flagFromRow(r db.PaymentFlag) PaymentFlag {
	return PaymentFlag{ID: r.ID, PurchaseID: r.PurchaseID, Kind: r.Kind, PaymentIntentID: r.StripePaymentIntentID,
		ExpectedAmount: r.ExpectedAmount, ExpectedCurrency: r.ExpectedCurrency, ReceivedAmount: r.ReceivedAmount,
		ReceivedCurrency: r.ReceivedCurrency, Status: r.Status, Resolution: r.Resolution, RefundID: idPtr(r.RefundID),
		ResolvedBy: idPtr(r.ResolvedBy), ResolvedAt: r.ResolvedAt, Version: r.Version, CreatedAt: r.CreatedAt}
}

// flagPayment records a payment that activates nothing: the money is in the ledger, a flag
// tells finance. A duplicate is refused and its refund asked at once (by a job, after the
// transaction commits); a wrong amount waits for finance. Idempotent per payment intent.
func flagPayment(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase, pay payment, kind string) (string, error) {
	memo := fmt.Sprintf("payment of %s: %d %s does not match the purchase's %d %s: flagged for finance", p.ProductCode, pay.amount,
		strings.ToUpper(pay.currency), p.Amount, p.Currency)
	if kind == FlagDuplicate {
		memo = "second payment of " + p.ProductCode + " for an order that has it: refused, refunded"
	}
	if err := ledger(ctx, tx, "payment", p.ID, pay.amount, pay.currency, firstNonEmpty(pay.charge, pay.intent), "payment:"+pay.intent,
		memo, pay.at); err != nil {
		return "", err
	}
	in := db.CreatePaymentFlagParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), PurchaseID: p.ID, Kind: kind,
		StripePaymentIntentID: pay.intent, StripeChargeID: pay.charge, ExpectedAmount: p.Amount, ExpectedCurrency: p.Currency,
		ReceivedAmount: pay.amount, ReceivedCurrency: strings.ToUpper(pay.currency), Status: "open"}
	var refund db.Refund
	if kind == FlagDuplicate {
		var err error
		refund, err = tx.Q.CreateRefund(ctx, tx, db.CreateRefundParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			PurchaseID: p.ID, Reason: FlagDuplicate, Amount: pay.amount, Currency: in.ReceivedCurrency, IdempotencyKey: "duplicate:" + pay.intent})
		if err != nil {
			return "", err
		}
		in.Status, in.Resolution, in.RefundID = "refunding", "refused: the order already has this upgrade; refunded automatically",
			uuid.NullUUID{UUID: refund.ID, Valid: true}
	}
	f, err := tx.Q.CreatePaymentFlag(ctx, tx, in)
	if errors.Is(err, pgx.ErrNoRows) {
		return memo, nil // flagged before
	}
	if err != nil {
		return "", err
	}
	if kind == FlagDuplicate {
		if _, err := tx.Insert(ctx, jobs, RefundArgs{TenantID: tx.Scope.TenantID, RefundID: refund.ID, PaymentIntent: pay.intent}, nil); err != nil {
			return "", err
		}
	}
	return memo, notice(ctx, tx, jobs, EventPaymentFlagged, "payment_flag", f.ID, p, map[string]string{
		"product": p.ProductCode, "amount": notify.FormatMoney(pay.amount, in.ReceivedCurrency), "reason": flagReason(kind)},
		map[string]any{"flag_id": f.ID, "kind": kind, "expected_amount": p.Amount, "received_amount": pay.amount})
}

func flagReason(kind string) string {
	if kind == FlagDuplicate {
		return "duplicate purchase, refunded automatically"
	}
	return "amount does not match the purchase"
}

// notice emits an event for the tenant's admins and finance (an in-app, email or SMS notice
// through notify) that the tenant's webhooks receive too.
func notice(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, typ, subject string, subjectID uuid.UUID, p db.Purchase,
	vars map[string]string, data map[string]any) error {
	data["purchase_id"] = p.ID
	data["recipients"] = []notify.Recipient{notify.Role("tenant_admin", uuid.Nil), notify.Role("finance", uuid.Nil)}
	data["vars"] = vars
	_, err := events.Emit(ctx, tx, jobs, typ, subject, subjectID, p.OutletID.UUID, data)
	return err
}

// ListPaymentFlags lists flagged payments by id, optionally of one status.
func ListPaymentFlags(ctx context.Context, tx *tenants.Tx, status *string, after uuid.NullUUID, limit int32) ([]PaymentFlag, error) {
	rows, err := tx.Q.ListPaymentFlags(ctx, tx, db.ListPaymentFlagsParams{TenantID: tx.Scope.TenantID, Status: status, After: after, Lim: limit})
	if err != nil {
		return nil, err
	}
	out := make([]PaymentFlag, len(rows))
	for i, r := range rows {
		out[i] = flagFromRow(r)
	}
	return out, nil
}

// GetPaymentFlag returns one flagged payment.
func GetPaymentFlag(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (PaymentFlag, error) {
	r, err := tx.Q.GetPaymentFlag(ctx, tx, db.GetPaymentFlagParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return PaymentFlag{}, fault.DBError(err, "", "")
	}
	return flagFromRow(r), nil
}

func openFlag(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (db.PaymentFlag, error) {
	f, err := tx.Q.GetPaymentFlagForUpdate(ctx, tx, db.GetPaymentFlagForUpdateParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return f, fault.DBError(err, "", "")
	}
	if f.Status != "open" {
		return f, &fault.ConflictError{Detail: "the flagged payment is already " + f.Status}
	}
	return f, nil
}

// RefundFlag refunds an open flagged payment in full (finance's decision): the refund is
// recorded and committed, then asked of Stripe with its own key; charge.refunded confirms it.
func (s *Service) RefundFlag(ctx context.Context, scope tenants.Scope, id uuid.UUID) (PaymentFlag, error) {
	if _, err := s.api(); err != nil {
		return PaymentFlag{}, err
	}
	var f db.PaymentFlag
	var refund db.Refund
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		if f, err = openFlag(ctx, tx, id); err != nil {
			return err
		}
		reason := FlagWrongAmount
		if f.Kind == FlagDuplicate {
			reason = FlagDuplicate
		}
		// A new key per attempt: a refund that failed is asked again as a new refund.
		refund, err = tx.Q.CreateRefund(ctx, tx, db.CreateRefundParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			PurchaseID: f.PurchaseID, Reason: reason, Amount: f.ReceivedAmount, Currency: f.ReceivedCurrency,
			IdempotencyKey: "flag:" + f.ID.String() + ":" + strconv.Itoa(int(f.Version))})
		if err != nil {
			return err
		}
		f, err = tx.Q.ResolvePaymentFlag(ctx, tx, db.ResolvePaymentFlagParams{TenantID: tx.Scope.TenantID, ID: f.ID, Status: "refunding",
			Resolution: "refund asked by finance", RefundID: uuid.NullUUID{UUID: refund.ID, Valid: true},
			ResolvedBy: nullID(scope.UserID), ResolvedAt: ptr(time.Now())})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "payment_flag.refund", "payment_flag", f.ID, nil, flagFromRow(f))
	})
	if err != nil {
		return PaymentFlag{}, err
	}
	if err := s.askRefund(ctx, scope, f.PurchaseID, f.StripePaymentIntentID, refund); err != nil {
		return PaymentFlag{}, err
	}
	return flagFromRow(f), nil
}

// AcceptFlag accepts an open flagged payment with finance's reason: the money stays, and a
// payment of the wrong amount counts for its purchase (activated if it is not yet; a
// duplicate upgrade is not activated twice).
func (s *Service) AcceptFlag(ctx context.Context, scope tenants.Scope, jobs events.Inserter, id uuid.UUID, reason string) (PaymentFlag, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PaymentFlag{}, fault.Invalid("reason", "say why the payment is accepted")
	}
	var out db.PaymentFlag
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		f, err := openFlag(ctx, tx, id)
		if err != nil {
			return err
		}
		resolution := "accepted: " + reason
		if f.Kind == FlagWrongAmount {
			detail, err := activatePayment(ctx, tx, jobs, payment{purchase: f.PurchaseID, paid: paid{intent: f.StripePaymentIntentID,
				charge: f.StripeChargeID, amount: f.ReceivedAmount, currency: f.ReceivedCurrency}, at: f.CreatedAt, accepted: true})
			var mm *mismatchError
			if errors.As(err, &mm) {
				detail, err = "not activated, "+mm.detail, nil // the purchase is paid by another payment
			}
			if err != nil {
				return err
			}
			resolution += " (purchase: " + detail + ")"
		}
		out, err = tx.Q.ResolvePaymentFlag(ctx, tx, db.ResolvePaymentFlagParams{TenantID: tx.Scope.TenantID, ID: f.ID, Status: "accepted",
			Resolution: resolution, ResolvedBy: nullID(scope.UserID), ResolvedAt: ptr(time.Now())})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "payment_flag.accept", "payment_flag", f.ID, nil, flagFromRow(out))
	})
	return flagFromRow(out), err
}

func ptr[T any](v T) *T { return &v }

// askRefund asks Stripe for a recorded refund of a payment intent with the refund's
// idempotency key, so a retry never refunds twice, and marks it requested.
func (s *Service) askRefund(ctx context.Context, scope tenants.Scope, purchase uuid.UUID, intent string, r db.Refund) error {
	sc, err := s.api()
	if err != nil {
		return err
	}
	if intent == "" {
		return &fault.ConflictError{Detail: "the purchase has no confirmed payment to refund"}
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(intent), Amount: stripe.Int64(r.Amount)}
	params.Metadata = metadata(scope.TenantID, purchase)
	params.AddMetadata("refund_id", r.ID.String())
	params.AddMetadata("reason", r.Reason)
	params.SetIdempotencyKey(r.IdempotencyKey)
	params.Context = ctx
	rf, err := sc.Refunds.New(params)
	if err != nil {
		return stripeError(err)
	}
	return s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.Q.SetRefundRequested(ctx, tx, db.SetRefundRequestedParams{TenantID: tx.Scope.TenantID, ID: r.ID, StripeRefundID: rf.ID})
	})
}

// RefundArgs asks Stripe for a refund recorded by a webhook's transaction (a duplicate
// payment's), after that transaction committed.
type RefundArgs struct {
	TenantID      uuid.UUID `json:"tenant_id"`
	RefundID      uuid.UUID `json:"refund_id"`
	PaymentIntent string    `json:"payment_intent"`
}

// Kind names the job.
func (RefundArgs) Kind() string { return "billing_refund" }

type refundWorker struct {
	river.WorkerDefaults[RefundArgs]
	s *Service
}

// Work asks Stripe for the refund, once: the refund's idempotency key makes a retry safe,
// and a refund already requested or settled is not asked again.
func (w *refundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	scope := tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.Actor{Kind: "system", Label: "billing refund"}}
	var r db.Refund
	err := w.s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		r, err = tx.Q.GetRefund(ctx, tx, db.GetRefundParams{TenantID: tx.Scope.TenantID, ID: job.Args.RefundID})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && r.Status != "pending") {
		return nil
	}
	if err != nil {
		return err
	}
	return w.s.askRefund(ctx, scope, r.PurchaseID, job.Args.PaymentIntent, r)
}

// applyFlagRefund applies charge.refunded to a flagged payment's charge: its refund is
// confirmed (ledger, flag refunded) once the charge's refunded amount covers it; a refused
// duplicate purchase then ends as refunded.
func applyFlagRefund(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, f db.PaymentFlag, refunded int64, charge string, at time.Time) (string, error) {
	if !f.RefundID.Valid {
		return "flagged payment refunded outside the product", ledger(ctx, tx, "refund", f.PurchaseID, -refunded, f.ReceivedCurrency, charge,
			fmt.Sprintf("refund:%s:%d", charge, refunded), "refund of a flagged payment made outside the product", at)
	}
	r, err := tx.Q.GetRefund(ctx, tx, db.GetRefundParams{TenantID: tx.Scope.TenantID, ID: f.RefundID.UUID})
	if err != nil {
		return "", err
	}
	if refunded < r.Amount {
		return fmt.Sprintf("flagged payment refunded %d of %d", refunded, r.Amount), nil
	}
	if _, err := tx.Q.ConfirmRefund(ctx, tx, db.ConfirmRefundParams{TenantID: tx.Scope.TenantID, ID: r.ID}); err != nil {
		return "", err
	}
	if err := ledger(ctx, tx, "refund", f.PurchaseID, -r.Amount, r.Currency, firstNonEmpty(r.StripeRefundID, charge), "refund:"+r.ID.String(),
		"refund of a flagged payment ("+f.Kind+")", at); err != nil {
		return "", err
	}
	if f.Status == "refunding" {
		if _, err := tx.Q.ResolvePaymentFlag(ctx, tx, db.ResolvePaymentFlagParams{TenantID: tx.Scope.TenantID, ID: f.ID, Status: "refunded",
			Resolution: f.Resolution, ResolvedBy: f.ResolvedBy, ResolvedAt: ptr(at)}); err != nil {
			return "", err
		}
	}
	if f.Kind == FlagDuplicate {
		p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: f.PurchaseID})
		if err != nil {
			return "", err
		}
		if p.Status != StatusActive {
			if err := end(ctx, tx, jobs, p, StatusRefunded); err != nil {
				return "", err
			}
		}
	}
	return "flagged payment refunded", nil
}

// addMoneyWorkers registers the workers of refunds asked after a webhook's transaction and of
// credit expiry.
func (s *Service) addMoneyWorkers(w *river.Workers) {
	river.AddWorker(w, &refundWorker{s: s})
	river.AddWorker(w, &creditExpiryWorker{s: s})
	river.AddWorker(w, &loanRefundWorker{s: s})
}

// moneyPeriodicJobs: credits expire hourly (a credit's last day ends at the tenant's midnight).
func moneyPeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return CreditExpiryArgs{}, nil }, nil),
	}
}

// purchaseRefunds leaves out refunds of flagged payments: they return a payment that never
// paid for the purchase, on a charge of its own.
func purchaseRefunds(rs []db.Refund) []db.Refund {
	out := rs[:0:0]
	for _, r := range rs {
		if r.Reason != FlagDuplicate && r.Reason != FlagWrongAmount {
			out = append(out, r)
		}
	}
	return out
}

package billing

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// refundFailed applies a refund Stripe reports failed or canceled (refund.failed,
// charge.refund.updated): our refund row becomes failed, what it was for is undone, and the
// tenant's admins and finance are told.
//   - a cancellation: the purchase stays active and may be cancelled again;
//   - a compensation: the compensation is failed (nobody was paid);
//   - a flagged payment's refund: the flag is open again for finance.
//
// A refund that had already been confirmed is reversed in the ledger (refund_failed).
func refundFailed(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, rf stripe.Refund) (string, error) {
	var r db.Refund
	var err error
	if id, perr := uuid.Parse(rf.Metadata["refund_id"]); perr == nil {
		r, err = tx.Q.GetRefund(ctx, tx, db.GetRefundParams{TenantID: tx.Scope.TenantID, ID: id})
	} else {
		r, err = tx.Q.GetRefundByStripeID(ctx, tx, db.GetRefundByStripeIDParams{TenantID: tx.Scope.TenantID, StripeRefundID: rf.ID})
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "a refund made outside the product failed: nothing recorded to undo", nil
	}
	if err != nil {
		return "", err
	}
	reason := string(rf.FailureReason)
	if reason == "" {
		reason = string(rf.Status)
	}
	wasConfirmed := r.Status == "succeeded"
	failed, err := tx.Q.FailRefund(ctx, tx, db.FailRefundParams{TenantID: tx.Scope.TenantID, ID: r.ID, FailureReason: reason})
	if errors.Is(err, pgx.ErrNoRows) {
		return "refund already failed", nil
	}
	if err != nil {
		return "", err
	}
	p, err := tx.Q.GetPurchaseForUpdate(ctx, tx, db.GetPurchaseForUpdateParams{TenantID: tx.Scope.TenantID, ID: r.PurchaseID})
	if err != nil {
		return "", err
	}
	if wasConfirmed {
		if err := ledger(ctx, tx, "refund_failed", p.ID, r.Amount, r.Currency, rf.ID, "refund_failed:"+r.ID.String(),
			r.Reason+" refund failed after it was confirmed: "+reason, time.Now()); err != nil {
			return "", err
		}
	}
	switch r.Reason {
	case "cancellation":
		if p.Status == StatusActive {
			if err := tx.Q.ClearPurchaseCancel(ctx, tx, db.ClearPurchaseCancelParams{TenantID: tx.Scope.TenantID, ID: p.ID}); err != nil {
				return "", err
			}
		}
	case "compensation":
		if _, err := tx.Q.FailCompensationOfRefund(ctx, tx, db.FailCompensationOfRefundParams{TenantID: tx.Scope.TenantID,
			RefundID: uuid.NullUUID{UUID: r.ID, Valid: true}}); err != nil {
			return "", err
		}
	case FlagDuplicate, FlagWrongAmount:
		if f, err := tx.Q.GetPaymentFlagByRefund(ctx, tx, db.GetPaymentFlagByRefundParams{TenantID: tx.Scope.TenantID,
			RefundID: uuid.NullUUID{UUID: r.ID, Valid: true}}); err == nil {
			if _, err := tx.Q.ResolvePaymentFlag(ctx, tx, db.ResolvePaymentFlagParams{TenantID: tx.Scope.TenantID, ID: f.ID, Status: "open",
				Resolution: "refund failed (" + reason + "): refund again or accept"}); err != nil {
				return "", err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return "", err
		}
	}
	detail := r.Reason + " refund failed: " + reason
	return detail, notice(ctx, tx, jobs, EventRefundFailed, "refund", failed.ID, p, map[string]string{
		"product": p.ProductCode, "amount": notify.FormatMoney(r.Amount, r.Currency), "reason": reason},
		map[string]any{"refund_id": r.ID, "purpose": r.Reason, "amount": r.Amount, "currency": r.Currency, "failure_reason": reason})
}

// dispute applies a dispute's events. Funds withdrawn are recorded once (dispute:<id>),
// reinstated funds once (dispute_reinstated:<id>); an open dispute ends the entitlement, a won
// one restores it (purchase active, coverage grant and the order's paid targets back), a lost
// one leaves it ended. The outcome is final: a late "created" does not end what was won.
func dispute(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, typ string, d stripe.Dispute, p db.Purchase, at time.Time) (string, error) {
	row, err := tx.Q.RecordDispute(ctx, tx, db.RecordDisputeParams{TenantID: tx.Scope.TenantID, StripeDisputeID: d.ID, PurchaseID: p.ID,
		Amount: d.Amount, Currency: upper(string(d.Currency)), Reason: string(d.Reason)})
	if err != nil {
		return "", err
	}
	withdrawn := func() error {
		return ledger(ctx, tx, "dispute", p.ID, -d.Amount, string(d.Currency), d.ID, "dispute:"+d.ID, "disputed by the card holder", at)
	}
	reinstated := func() error {
		return ledger(ctx, tx, "dispute", p.ID, d.Amount, string(d.Currency), d.ID, "dispute_reinstated:"+d.ID, "dispute funds reinstated", at)
	}
	if err := withdrawn(); err != nil {
		return "", err
	}
	vars := map[string]string{"product": p.ProductCode, "amount": notify.FormatMoney(d.Amount, string(d.Currency))}
	data := func() map[string]any {
		return map[string]any{"dispute_id": d.ID, "amount": d.Amount, "currency": upper(string(d.Currency))}
	}
	switch typ {
	case "charge.dispute.created", "charge.dispute.funds_withdrawn":
		if row.Status != "open" {
			return "dispute already closed " + row.Status, nil
		}
		return "disputed: entitlement ended", end(ctx, tx, jobs, p, StatusDisputed)
	case "charge.dispute.funds_reinstated":
		return "dispute funds reinstated", reinstated()
	}
	// charge.dispute.closed
	switch d.Status {
	case stripe.DisputeStatusWon, stripe.DisputeStatusWarningClosed:
		n, err := tx.Q.CloseDispute(ctx, tx, db.CloseDisputeParams{TenantID: tx.Scope.TenantID, StripeDisputeID: d.ID, Status: "won", ClosedAt: &at})
		if err != nil || n == 0 {
			return "dispute already closed", err
		}
		if err := reinstated(); err != nil {
			return "", err
		}
		if err := reinstate(ctx, tx, jobs, p); err != nil {
			return "", err
		}
		return "dispute won: entitlement restored", notice(ctx, tx, jobs, EventDisputeWon, "purchase", p.ID, p, vars, data())
	case stripe.DisputeStatusLost:
		n, err := tx.Q.CloseDispute(ctx, tx, db.CloseDisputeParams{TenantID: tx.Scope.TenantID, StripeDisputeID: d.ID, Status: "lost", ClosedAt: &at})
		if err != nil || n == 0 {
			return "dispute already closed", err
		}
		if err := end(ctx, tx, jobs, p, StatusDisputed); err != nil {
			return "", err
		}
		return "dispute lost: entitlement stays ended", notice(ctx, tx, jobs, EventDisputeLost, "purchase", p.ID, p, vars, data())
	}
	return "dispute closed as " + string(d.Status) + ": nothing to do", nil
}

// reinstate makes a disputed purchase active again after the dispute was won: its coverage
// grant is back and a per-incident upgrade's targets apply to its order again.
func reinstate(ctx context.Context, tx *tenants.Tx, jobs events.Inserter, p db.Purchase) error {
	if p.Kind == PerIncident && p.OrderID.Valid {
		// The order may have been sold the same upgrade again meanwhile: one stays active.
		if _, err := tx.Q.ActiveUpgradeOfOrder(ctx, tx, db.ActiveUpgradeOfOrderParams{TenantID: tx.Scope.TenantID, OrderID: p.OrderID,
			ProductID: p.ProductID, ID: p.ID}); err == nil {
			return nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	row, err := tx.Q.ReinstatePurchase(ctx, tx, db.ReinstatePurchaseParams{TenantID: tx.Scope.TenantID, ID: p.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // never ended by the dispute (its closing came first), or ended otherwise
	}
	if err != nil {
		return err
	}
	if row.GrantID.Valid {
		if err := tx.Q.ReinstateGrant(ctx, tx, db.ReinstateGrantParams{TenantID: tx.Scope.TenantID, ID: row.GrantID.UUID}); err != nil {
			return err
		}
	}
	if row.PaidAt != nil && jobs != nil {
		return retargetOrder(ctx, tx, jobs, row, *row.PaidAt)
	}
	return nil
}

func upper(c string) string {
	b := []byte(c)
	for i := range b {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

package billing

// Refunds as finance sees them: every refund asked of Stripe (a cancellation's, a
// compensation's), with where it stands.

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// RefundReasons and RefundStatuses list why a refund was made and where it stands, in the
// order the API documents them.
var (
	RefundReasons  = []string{"cancellation", "compensation"}
	RefundStatuses = []string{"pending", "requested", "succeeded", "failed"}
)

// Refund is one refund asked of Stripe.
type Refund struct {
	ID             uuid.UUID  `json:"id"`
	PurchaseID     uuid.UUID  `json:"purchase_id"`
	Reason         string     `json:"reason"`
	Amount         int64      `json:"amount" doc:"Minor units"`
	Currency       string     `json:"currency"`
	Status         string     `json:"status" doc:"succeeded once Stripe confirms it (charge.refunded)"`
	StripeRefundID string     `json:"stripe_refund_id,omitempty"`
	FailureReason  string     `json:"failure_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ConfirmedAt    *time.Time `json:"confirmed_at,omitempty"`
}

// RefundFilter narrows ListRefunds.
type RefundFilter struct {
	After, PurchaseID uuid.NullUUID
	Status            *string
	Limit             int32
}

// ListRefunds lists the tenant's refunds by id (oldest first).
func ListRefunds(ctx context.Context, tx *tenants.Tx, f RefundFilter) ([]Refund, error) {
	rows, err := tx.Q.ListRefunds(ctx, tx, db.ListRefundsParams{TenantID: tx.Scope.TenantID, After: f.After,
		PurchaseID: f.PurchaseID, Status: f.Status, Lim: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Refund, len(rows))
	for i, r := range rows {
		out[i] = Refund{ID: r.ID, PurchaseID: r.PurchaseID, Reason: r.Reason, Amount: r.Amount, Currency: r.Currency,
			Status: r.Status, StripeRefundID: r.StripeRefundID, FailureReason: r.FailureReason, CreatedAt: r.CreatedAt,
			ConfirmedAt: r.ConfirmedAt}
	}
	return out, nil
}

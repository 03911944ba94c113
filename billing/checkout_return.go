package billing

// Coming back from Stripe Checkout: the pages it returns to, and giving up on paying.

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// checkReturnURL refuses a page Checkout cannot return to: anything but an absolute http(s)
// URL (Stripe would refuse it later, or send the consumer nowhere).
func checkReturnURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(strings.ReplaceAll(raw, PurchaseIDPlaceholder, "id"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Invalid(field, "must be an absolute http or https URL")
	}
	return nil
}

// AbandonCheckout is the consumer coming back through Checkout's cancel page: the Checkout
// session is expired at Stripe at once, so it can no longer be paid, and the pending purchase
// expires (its reserved credit is the customer's again), as the checkout.session.expired
// webhook does when it comes later (it then changes nothing). A purchase no longer pending,
// or whose session Stripe refuses to expire (paid meanwhile), is returned as it is: the
// payment's webhook decides.
func (s *Service) AbandonCheckout(ctx context.Context, scope tenants.Scope, id uuid.UUID) (Purchase, error) {
	var row db.Purchase
	if err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		row, err = tx.Q.GetPurchase(ctx, tx, db.GetPurchaseParams{TenantID: tx.Scope.TenantID, ID: id})
		return fault.DBError(err, "", "")
	}); err != nil {
		return Purchase{}, err
	}
	if row.Status == "pending" && row.StripeCheckoutSessionID != "" {
		sc, err := s.api()
		if err != nil {
			return Purchase{}, err
		}
		params := &stripe.CheckoutSessionExpireParams{}
		params.SetIdempotencyKey("checkout_expire:" + id.String())
		params.Context = ctx
		if _, err := sc.CheckoutSessions.Expire(row.StripeCheckoutSessionID, params); err == nil {
			if err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
				n, err := tx.Q.ExpirePurchase(ctx, tx, db.ExpirePurchaseParams{TenantID: tx.Scope.TenantID, ID: id})
				if err != nil || n == 0 {
					return err
				}
				if err := releaseCredit(ctx, tx, row); err != nil {
					return err
				}
				return tx.Audit(ctx, "purchase.checkout_abandoned", "purchase", id, nil, map[string]any{"session": row.StripeCheckoutSessionID})
			}); err != nil {
				return Purchase{}, err
			}
		} else if se := (*stripe.Error)(nil); !errors.As(err, &se) || se.HTTPStatusCode >= 500 || se.HTTPStatusCode == 0 {
			return Purchase{}, stripeError(err) // unreachable: retry; a refusal (the session is not open) leaves it to the webhook
		}
	}
	var out Purchase
	err := s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		out, err = GetPurchase(ctx, tx, id)
		return err
	})
	return out, err
}

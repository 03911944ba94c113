package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v76"
)

// Money asked of Stripe for returns and exchanges (internal/returns): refunds of units sold
// through the platform, and the card hold that secures an advance exchange. Each call carries
// the caller's idempotency key, so a retried step never moves money twice.

// StripeRefund is a refund Stripe made.
type StripeRefund struct {
	ID     string
	Status string
}

// RefundIntent refunds amount (minor units) of a payment intent the platform's account took.
func (s *Service) RefundIntent(ctx context.Context, intent string, amount int64, key string, meta map[string]string) (StripeRefund, error) {
	sc, err := s.api()
	if err != nil {
		return StripeRefund{}, err
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(intent), Amount: stripe.Int64(amount)}
	params.Metadata = meta
	params.SetIdempotencyKey(key)
	params.Context = ctx
	rf, err := sc.Refunds.New(params)
	if err != nil {
		return StripeRefund{}, stripeError(err)
	}
	return StripeRefund{ID: rf.ID, Status: string(rf.Status)}, nil
}

// HoldCard places a hold of amount on a card (a manual-capture payment intent confirmed with
// the payment method given): nothing is charged until CaptureHold.
func (s *Service) HoldCard(ctx context.Context, amount int64, currency, paymentMethod, key string, meta map[string]string) (string, error) {
	sc, err := s.api()
	if err != nil {
		return "", err
	}
	params := &stripe.PaymentIntentParams{Amount: stripe.Int64(amount), Currency: stripe.String(strings.ToLower(currency)),
		CaptureMethod: stripe.String(string(stripe.PaymentIntentCaptureMethodManual)), PaymentMethod: stripe.String(paymentMethod),
		Confirm: stripe.Bool(true), PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
	params.Metadata = meta
	params.SetIdempotencyKey(key)
	params.Context = ctx
	pi, err := sc.PaymentIntents.New(params)
	if err != nil {
		return "", stripeError(err)
	}
	return pi.ID, nil
}

// CaptureHold charges a card hold in full.
func (s *Service) CaptureHold(ctx context.Context, intent, key string) error {
	sc, err := s.api()
	if err != nil {
		return err
	}
	params := &stripe.PaymentIntentCaptureParams{}
	params.SetIdempotencyKey(key)
	params.Context = ctx
	if _, err := sc.PaymentIntents.Capture(intent, params); err != nil {
		return fmt.Errorf("capture %s: %w", intent, stripeError(err))
	}
	return nil
}

// ReleaseHold cancels a card hold: nothing is charged.
func (s *Service) ReleaseHold(ctx context.Context, intent, key string) error {
	sc, err := s.api()
	if err != nil {
		return err
	}
	params := &stripe.PaymentIntentCancelParams{}
	params.SetIdempotencyKey(key)
	params.Context = ctx
	if _, err := sc.PaymentIntents.Cancel(intent, params); err != nil {
		return fmt.Errorf("release %s: %w", intent, stripeError(err))
	}
	return nil
}

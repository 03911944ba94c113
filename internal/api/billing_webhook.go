package api

// The Stripe webhook: public, authenticated by its signature.

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/billing"
)

// registerStripeWebhookRoutes adds the endpoint Stripe sends its events to.
func registerStripeWebhookRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "stripe-webhook", Method: http.MethodPost, Path: "/billing/stripe/webhook", Tags: []string{"Billing"},
		Summary: "Stripe events: verified, stored once, processed by a job", Errors: []int{400, 503}, MaxBodyBytes: 1 << 20,
		SkipValidateBody: true}, // the signature, not a schema, decides what is accepted
		route{public: true}, s.stripeWebhook)
}

type webhookIn struct {
	Signature string `header:"Stripe-Signature" doc:"Stripe's signature of the payload"`
	RawBody   []byte `contentType:"application/json"`
}

type webhookOut struct{ Body billing.Receipt }

func (s *Server) stripeWebhook(ctx context.Context, in *webhookIn) (*webhookOut, error) {
	if s.Billing == nil {
		return nil, billing.ErrNotConfigured
	}
	rec, err := s.Billing.Receive(ctx, s.Jobs, in.RawBody, in.Signature)
	switch {
	case errors.Is(err, billing.ErrBadSignature):
		return nil, huma.Error400BadRequest("invalid Stripe signature", &huma.ErrorDetail{Location: "header.Stripe-Signature",
			Message: "does not verify with the webhook secret (or is older than 5 minutes)"})
	case err != nil && !errors.Is(err, billing.ErrNotConfigured):
		s.Log.ErrorContext(ctx, "store stripe event", "err", err)
		return nil, huma.Error503ServiceUnavailable("the event could not be stored; Stripe will retry")
	case err != nil:
		return nil, err
	}
	return &webhookOut{Body: rec}, nil
}

package api

// Money made right: payments flagged for finance (wrong amount, refused duplicates) and their
// resolution, customers' credits, and the tenant's money terms (credit validity).

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// registerMoneyRoutes adds flagged payments, credits and the money terms.
func registerMoneyRoutes(api huma.API, s *Server) {
	mtags := []string{"Billing"}
	register(api, s, huma.Operation{OperationID: "list-payment-flags", Method: http.MethodGet, Path: "/billing/payment-flags", Tags: mtags,
		Summary: "Payments that activated nothing (wrong amount, a second purchase of an upgrade), for finance to refund or accept"},
		route{perm: access.LedgerRead}, s.listPaymentFlags)
	register(api, s, huma.Operation{OperationID: "get-payment-flag", Method: http.MethodGet, Path: "/billing/payment-flags/{id}", Tags: mtags,
		Summary: "Get a flagged payment", Errors: []int{404}},
		route{perm: access.LedgerRead}, s.getPaymentFlag)
	register(api, s, huma.Operation{OperationID: "refund-payment-flag", Method: http.MethodPost, Path: "/billing/payment-flags/{id}/refund",
		Tags: mtags, Summary: "Refund a flagged payment in full through Stripe", Errors: []int{404, 409, 502, 503},
		Description: "The flag is `refunding` until Stripe confirms the refund (charge.refunded), then `refunded`; a failed refund opens it again."},
		route{perm: access.LedgerReconcile}, s.refundPaymentFlag)
	register(api, s, huma.Operation{OperationID: "accept-payment-flag", Method: http.MethodPost, Path: "/billing/payment-flags/{id}/accept",
		Tags: mtags, Summary: "Accept a flagged payment with a reason (the money stays; a wrong amount then pays its purchase)",
		Errors: []int{404, 409, 422}},
		route{perm: access.LedgerReconcile}, s.acceptPaymentFlag)
	register(api, s, huma.Operation{OperationID: "list-credits", Method: http.MethodGet, Path: "/credits", Tags: []string{"Purchases"},
		Summary: "Customers' credits: spent on their next purchase, expiring per the tenant's terms"},
		route{perm: access.PurchasesRead}, s.listCredits)
	register(api, s, huma.Operation{OperationID: "get-billing-settings", Method: http.MethodGet, Path: "/billing/settings", Tags: mtags,
		Summary: "The tenant's money terms (credit validity)"},
		route{perm: access.LedgerRead}, s.getBillingSettings)
	register(api, s, huma.Operation{OperationID: "put-billing-settings", Method: http.MethodPut, Path: "/billing/settings", Tags: mtags,
		Summary: "Set the tenant's money terms (If-Match: the version read, \"0\" before any were set)", Errors: []int{412, 422, 428}},
		route{perm: access.LedgerReconcile}, s.putBillingSettings)
}

// PaymentFlagOutput is one flagged payment.
type PaymentFlagOutput struct {
	Body billing.PaymentFlag
}

type listFlagsIn struct {
	PageQuery
	Status flagStatus `query:"status"`
}

func (s *Server) listPaymentFlags(ctx context.Context, in *listFlagsIn) (*PageOutput[billing.PaymentFlag], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	var status *string
	if in.Status != "" {
		status = optional(in.Status)
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.PaymentFlag, error) {
		return billing.ListPaymentFlags(ctx, tx, status, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(f billing.PaymentFlag) uuid.UUID { return f.ID }), nil
}

func (s *Server) getPaymentFlag(ctx context.Context, in *IDPath) (*PaymentFlagOutput, error) {
	f, err := within(ctx, s, func(tx *tenants.Tx) (billing.PaymentFlag, error) { return billing.GetPaymentFlag(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PaymentFlagOutput{Body: f}, nil
}

func (s *Server) refundPaymentFlag(ctx context.Context, in *IDPath) (*PaymentFlagOutput, error) {
	f, err := s.Billing.RefundFlag(ctx, principal(ctx).Scope(actorMeta(ctx)), in.id())
	if err != nil {
		return nil, err
	}
	return &PaymentFlagOutput{Body: f}, nil
}

type acceptFlagIn struct {
	IDPath
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the payment is kept (e.g. matched to the customer's bill)"`
	}
}

func (s *Server) acceptPaymentFlag(ctx context.Context, in *acceptFlagIn) (*PaymentFlagOutput, error) {
	f, err := s.Billing.AcceptFlag(ctx, principal(ctx).Scope(actorMeta(ctx)), s.Jobs, in.id(), in.Body.Reason)
	if err != nil {
		return nil, err
	}
	return &PaymentFlagOutput{Body: f}, nil
}

type listCreditsIn struct {
	PageQuery
	Customer string `query:"customer_id" format:"uuid" doc:"Credits of this customer"`
}

func (s *Server) listCredits(ctx context.Context, in *listCreditsIn) (*PageOutput[billing.Credit], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Credit, error) {
		return billing.ListCredits(ctx, tx, optionalID(in.Customer), after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c billing.Credit) uuid.UUID { return c.ID }), nil
}

type billingSettingsOut struct {
	ETag string `header:"ETag" doc:"Version of the terms; PUT takes it as If-Match (\"0\" before any were set)"`
	Body billing.MoneyTerms
}

func (s *Server) getBillingSettings(ctx context.Context, _ *struct{}) (*billingSettingsOut, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (billing.MoneyTerms, error) { return billing.GetSettings(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &billingSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

type putBillingSettingsIn struct {
	IfMatch
	Body struct {
		CreditValidityDays int32 `json:"credit_validity_days" minimum:"1" maximum:"3650" doc:"Days a credit stays spendable after it is issued"`
	}
}

func (s *Server) putBillingSettings(ctx context.Context, in *putBillingSettingsIn) (*billingSettingsOut, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	st, err := within(ctx, s, func(tx *tenants.Tx) (billing.MoneyTerms, error) {
		return billing.PutSettings(ctx, tx, v, billing.MoneyTerms{CreditValidityDays: in.Body.CreditValidityDays})
	})
	if err != nil {
		return nil, err
	}
	return &billingSettingsOut{ETag: etag(st.Version), Body: st}, nil
}

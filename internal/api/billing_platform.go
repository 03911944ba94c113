package api

// The tenant as the platform's customer: plans, its subscription and its invoices.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// registerPlatformBillingRoutes adds the tenant's platform plans, subscription and invoices.
func registerPlatformBillingRoutes(api huma.API, s *Server) {
	mtags := []string{"Billing"}
	register(api, s, huma.Operation{OperationID: "list-platform-plans", Method: http.MethodGet, Path: "/billing/platform-plans", Tags: mtags,
		Summary: "Plans the platform offers"},
		route{perm: access.InvoicesRead}, s.listPlatformPlans)
	register(api, s, huma.Operation{OperationID: "get-platform-subscription", Method: http.MethodGet, Path: "/billing/subscription", Tags: mtags,
		Summary: "The tenant's platform subscription, grace period and read-only state", Errors: []int{404}},
		route{perm: access.InvoicesRead, billing: true}, s.getPlatformSubscription)
	register(api, s, huma.Operation{OperationID: "create-platform-subscription", Method: http.MethodPost, Path: "/billing/subscription", Tags: mtags,
		Summary: "Subscribe the tenant to a platform plan (Stripe subscription with a metered price per order)", DefaultStatus: 201,
		Errors: []int{409, 422, 502, 503}},
		route{perm: access.PlatformBilling, idem: true, billing: true}, s.createPlatformSubscription)
	register(api, s, huma.Operation{OperationID: "list-platform-invoices", Method: http.MethodGet, Path: "/billing/invoices", Tags: mtags,
		Summary: "The tenant's platform invoices"},
		route{perm: access.InvoicesRead, billing: true}, s.listPlatformInvoices)
	register(api, s, huma.Operation{OperationID: "checkout-platform-subscription", Method: http.MethodPost, Path: "/billing/subscription/checkout",
		Tags: mtags, Summary: "Pay for a platform plan: a Stripe Checkout page (subscription mode) for the first invoice",
		Description: "Returns the Checkout page to open. The completed checkout binds the subscription (its first invoice is " +
			"then listed); a tenant already paying for a plan changes it in the billing portal (409).",
		DefaultStatus: 201, Errors: []int{409, 422, 502, 503}},
		route{perm: access.PlatformBilling, idem: true, billing: true}, s.checkoutPlatformSubscription)
	register(api, s, huma.Operation{OperationID: "open-billing-portal", Method: http.MethodPost, Path: "/billing/subscription/portal",
		Tags: mtags, Summary: "Manage the platform plan, card and invoices: a Stripe customer portal page",
		DefaultStatus: 201, Errors: []int{409, 502, 503}},
		route{perm: access.PlatformBilling, billing: true}, s.openBillingPortal)
	register(api, s, huma.Operation{OperationID: "get-platform-usage", Method: http.MethodGet, Path: "/billing/usage", Tags: mtags,
		Summary: "The month's metered platform usage so far (service orders) with the plan's price"},
		route{perm: access.InvoicesRead, billing: true}, s.getPlatformUsage)
}

type subscriptionLinkOut struct{ Body billing.SubscriptionLink }

func (s *Server) checkoutPlatformSubscription(ctx context.Context, in *subscribeIn) (*subscriptionLinkOut, error) {
	link, err := s.Billing.StartSubscriptionCheckout(ctx, principal(ctx).Scope(actorMeta(ctx)), in.Body.PlanCode)
	if err != nil {
		return nil, err
	}
	return &subscriptionLinkOut{Body: link}, nil
}

func (s *Server) openBillingPortal(ctx context.Context, _ *struct{}) (*subscriptionLinkOut, error) {
	link, err := s.Billing.PortalSession(ctx, principal(ctx).Scope(actorMeta(ctx)))
	if err != nil {
		return nil, err
	}
	return &subscriptionLinkOut{Body: link}, nil
}

type usageOut struct{ Body billing.Usage }

func (s *Server) getPlatformUsage(ctx context.Context, _ *struct{}) (*usageOut, error) {
	u, err := within(ctx, s, func(tx *tenants.Tx) (billing.Usage, error) { return billing.CurrentUsage(ctx, tx, time.Now()) })
	if err != nil {
		return nil, err
	}
	return &usageOut{Body: u}, nil
}

type plansOut struct {
	Body struct {
		Items []billing.PlatformPlan `json:"items"`
	}
}

func (s *Server) listPlatformPlans(ctx context.Context, _ *struct{}) (*plansOut, error) {
	out := &plansOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = billing.PlatformPlans(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type subscriptionOut struct{ Body billing.Subscription }

func (s *Server) getPlatformSubscription(ctx context.Context, _ *struct{}) (*subscriptionOut, error) {
	sub, err := within(ctx, s, func(tx *tenants.Tx) (billing.Subscription, error) { return billing.GetSubscription(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &subscriptionOut{Body: sub}, nil
}

type subscribeIn struct {
	Body struct {
		PlanCode string `json:"plan_code" minLength:"1" maxLength:"64"`
	}
}

func (s *Server) createPlatformSubscription(ctx context.Context, in *subscribeIn) (*subscriptionOut, error) {
	sub, err := s.Billing.Subscribe(ctx, principal(ctx).Scope(actorMeta(ctx)), in.Body.PlanCode)
	if err != nil {
		return nil, err
	}
	return &subscriptionOut{Body: sub}, nil
}

type invoicesOut struct {
	Body struct {
		Items []billing.Invoice `json:"items"`
	}
}

func (s *Server) listPlatformInvoices(ctx context.Context, _ *struct{}) (*invoicesOut, error) {
	out := &invoicesOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = billing.ListInvoices(ctx, tx, 100)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

package api

// Purchases of express products and plans as staff see them: the list, receipts, a unit's
// plans, selling at an outlet's counter, cancelling, and compensation for broken promises.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// PurchaseOutput is one purchase (a receipt).
type PurchaseOutput struct {
	Body billing.Purchase
}

// CheckoutOutput is a started purchase with where to pay.
type CheckoutOutput struct {
	Body billing.Checkout
}

// CancelOutput is a cancellation: the refund asked of Stripe and the purchase.
type CancelOutput struct {
	Body struct {
		Refund   billing.RefundQuote `json:"refund"`
		Purchase billing.Purchase    `json:"purchase" doc:"Stays active until Stripe confirms the refund"`
	}
}

// registerPurchaseRoutes adds staff's purchases and compensation.
func registerPurchaseRoutes(api huma.API, s *Server) {
	ptags := []string{"Purchases"}
	register(api, s, huma.Operation{OperationID: "list-purchases", Method: http.MethodGet, Path: "/purchases", Tags: ptags,
		Summary: "List purchases of express products and plans"},
		route{perm: access.PurchasesRead}, s.listPurchases)
	register(api, s, huma.Operation{OperationID: "get-purchase", Method: http.MethodGet, Path: "/purchases/{id}", Tags: ptags,
		Summary: "Get a purchase (receipt)", Errors: []int{404}},
		route{perm: access.PurchasesRead}, s.getPurchase)
	register(api, s, huma.Operation{OperationID: "list-registration-plans", Method: http.MethodGet, Path: "/registrations/{id}/plans",
		Tags: []string{"Registrations"}, Summary: "Plans bought for a unit", Errors: []int{404}},
		route{perm: access.PurchasesRead}, s.listRegistrationPlans)
	register(api, s, huma.Operation{OperationID: "create-counter-purchase", Method: http.MethodPost, Path: "/purchases/counter", Tags: ptags,
		Summary: "Sell an express product or plan at an outlet's counter (Stripe PaymentIntent)", DefaultStatus: 201,
		Errors: []int{422, 502, 503}, Description: "Active only after Stripe confirms the payment (webhook)."},
		route{perm: access.PurchasesWrite, idem: true}, s.createCounterPurchase)
	register(api, s, huma.Operation{OperationID: "cancel-purchase", Method: http.MethodPost, Path: "/purchases/{id}/cancel", Tags: ptags,
		Summary: "Cancel a purchase: full refund in the cooling-off period, after it per the product's terms", Errors: []int{404, 409, 502, 503},
		Description: "The consumer's right, asked through staff: answered even while the tenant is read-only."},
		route{perm: access.PurchasesRefund, right: true}, s.cancelPurchase)
	register(api, s, huma.Operation{OperationID: "list-compensations", Method: http.MethodGet, Path: "/compensations", Tags: ptags,
		Summary: "Compensation issued for broken express promises (SLA breaches)"},
		route{perm: access.PurchasesRead}, s.listCompensations)
}

type listPurchasesIn struct {
	PageQuery
	Registration string         `query:"registration_id" format:"uuid" doc:"Plans of this unit"`
	Order        string         `query:"order_id" format:"uuid" doc:"Upgrades of this service order"`
	Customer     string         `query:"customer_id" format:"uuid"`
	Status       purchaseStatus `query:"status"`
}

func (s *Server) listPurchases(ctx context.Context, in *listPurchasesIn) (*PageOutput[billing.Purchase], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	f := billing.PurchaseFilter{After: after, RegistrationID: optionalID(in.Registration), OrderID: optionalID(in.Order),
		CustomerID: optionalID(in.Customer), Limit: in.limit() + 1}
	if in.Status != "" {
		f.Status = optional(in.Status)
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Purchase, error) { return billing.ListPurchases(ctx, tx, f) })
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p billing.Purchase) uuid.UUID { return p.ID }), nil
}

func (s *Server) getPurchase(ctx context.Context, in *IDPath) (*PurchaseOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Purchase, error) { return billing.GetPurchase(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &PurchaseOutput{Body: p}, nil
}

type unitPlansOut struct {
	Body struct {
		Items []billing.Purchase `json:"items"`
	}
}

func (s *Server) listRegistrationPlans(ctx context.Context, in *IDPath) (*unitPlansOut, error) {
	out := &unitPlansOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if _, err := tx.Q.GetRegistration(ctx, tx, db.GetRegistrationParams{TenantID: tx.Scope.TenantID, ID: in.id()}); err != nil {
			return fault.DBError(err, "", "")
		}
		out.Body.Items, err = billing.ListPurchases(ctx, tx, billing.PurchaseFilter{RegistrationID: uuid.NullUUID{UUID: in.id(), Valid: true}, Limit: 200})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type counterIn struct {
	Body struct {
		ProductID      string `json:"product_id" format:"uuid"`
		Currency       string `json:"currency,omitempty" pattern:"^[A-Z]{3}$" doc:"Default: the tenant's currency"`
		OutletID       string `json:"outlet_id" format:"uuid" doc:"The outlet selling at its counter"`
		RegistrationID string `json:"registration_id,omitempty" format:"uuid" doc:"Plans: the unit covered"`
		OrderID        string `json:"order_id,omitempty" format:"uuid" doc:"Per-incident upgrades: the service order"`
		CustomerID     string `json:"customer_id,omitempty" format:"uuid"`
	}
}

func (s *Server) createCounterPurchase(ctx context.Context, in *counterIn) (*CheckoutOutput, error) {
	b := in.Body
	co, err := within(ctx, s, func(tx *tenants.Tx) (billing.Checkout, error) {
		return s.Billing.StartCounter(ctx, tx, billing.BuyInput{ProductID: uuid.MustParse(b.ProductID), Currency: b.Currency,
			OutletID: uuid.MustParse(b.OutletID), RegistrationID: optionalID(b.RegistrationID).UUID,
			OrderID: optionalID(b.OrderID).UUID, CustomerID: optionalID(b.CustomerID).UUID})
	})
	if err != nil {
		return nil, err
	}
	return &CheckoutOutput{Body: co}, nil
}

func (s *Server) cancelPurchase(ctx context.Context, in *IDPath) (*CancelOutput, error) {
	out := &CancelOutput{}
	var err error
	out.Body.Purchase, out.Body.Refund, err = s.Billing.Cancel(ctx, principal(ctx).Scope(actorMeta(ctx)), in.id())
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) listCompensations(ctx context.Context, in *PageQuery) (*PageOutput[billing.CompensationView], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.CompensationView, error) {
		return billing.ListCompensations(ctx, tx, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c billing.CompensationView) uuid.UUID { return c.ID }), nil
}

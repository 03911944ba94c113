package api

// A consumer buying from a brand: offers, checkout, receipts and cancellation.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/tenants"
)

// registerConsumerBillingRoutes adds the consumer's express products and purchases.
func registerConsumerBillingRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-list-express-products", Method: http.MethodGet,
		Path: "/consumer/tenants/{tenant}/express-products", Tags: ctags, Summary: "Express products and plans on sale (for my unit)",
		Errors: []int{404}},
		route{consumer: true}, s.consumerListExpressProducts)
	register(api, s, huma.Operation{OperationID: "consumer-checkout", Method: http.MethodPost, Path: "/consumer/tenants/{tenant}/purchases",
		Tags: ctags, Summary: "Buy an express upgrade or plan: returns the Stripe Checkout page", DefaultStatus: 201,
		Errors: []int{404, 422, 502, 503}, Description: "Nothing is granted until Stripe confirms the payment."},
		route{consumer: true}, s.consumerCheckout)
	register(api, s, huma.Operation{OperationID: "consumer-list-purchases", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/purchases",
		Tags: ctags, Summary: "My purchases and receipts", Errors: []int{404}},
		route{consumer: true}, s.consumerListPurchases)
	register(api, s, huma.Operation{OperationID: "consumer-get-purchase", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/purchases/{id}",
		Tags: ctags, Summary: "A receipt", Errors: []int{404}},
		route{consumer: true}, s.consumerGetPurchase)
	register(api, s, huma.Operation{OperationID: "consumer-cancel-purchase", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/purchases/{id}/cancel", Tags: ctags,
		Summary: "Cancel my purchase (full refund in the cooling-off period)", Errors: []int{404, 409, 502, 503},
		Description: "A consumer right: answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerCancelPurchase)
	register(api, s, huma.Operation{OperationID: "consumer-abandon-checkout", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/purchases/{id}/abandon", Tags: ctags,
		Summary: "I gave up paying: expire the Checkout session now and the pending purchase with it", Errors: []int{404, 502, 503},
		Description: "Called by Checkout's cancel page. A purchase no longer pending is answered as it is (idempotent; " +
			"the checkout.session.expired webhook that follows changes nothing). A consumer right: answered even while " +
			"the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerAbandonCheckout)
}

func (s *Server) consumerAbandonCheckout(ctx context.Context, in *myPurchaseIn) (*PurchaseOutput, error) {
	scope, err := s.consumerScope(ctx, in.Tenant)
	if err != nil {
		return nil, err
	}
	out := &PurchaseOutput{}
	if out.Body, err = s.Billing.AbandonCheckout(ctx, scope, in.id()); err != nil {
		return nil, err
	}
	return out, nil
}

type offersIn struct {
	TenantPath
	Registration string `query:"registration_id" format:"uuid" doc:"Only products this unit can buy"`
}

type offersOut struct {
	Body struct {
		Items []billing.Product `json:"items"`
	}
}

func (s *Server) consumerListExpressProducts(ctx context.Context, in *offersIn) (*offersOut, error) {
	out := &offersOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = billing.Offers(ctx, tx, optionalID(in.Registration).UUID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type consumerBuyIn struct {
	TenantPath
	Body struct {
		ProductID      string `json:"product_id" format:"uuid"`
		Currency       string `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
		RegistrationID string `json:"registration_id,omitempty" format:"uuid" doc:"Plans: my unit"`
		OrderID        string `json:"order_id,omitempty" format:"uuid" doc:"Per-incident upgrades: my service order"`
		SuccessURL     string `json:"success_url,omitempty" format:"uri" maxLength:"500" doc:"Where Stripe returns after paying; {PURCHASE_ID} in it becomes the purchase's id"`
		CancelURL      string `json:"cancel_url,omitempty" format:"uri" maxLength:"500" doc:"Where Stripe returns when the consumer gives up; {PURCHASE_ID} in it becomes the purchase's id"`
	}
}

func (s *Server) consumerCheckout(ctx context.Context, in *consumerBuyIn) (*CheckoutOutput, error) {
	out := &CheckoutOutput{}
	b := in.Body
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = s.Billing.StartCheckout(ctx, tx, billing.BuyInput{ProductID: uuid.MustParse(b.ProductID), Currency: b.Currency,
			RegistrationID: optionalID(b.RegistrationID).UUID, OrderID: optionalID(b.OrderID).UUID, CustomerID: tx.Scope.CustomerID,
			ConsumerID: tx.Scope.ConsumerID, SuccessURL: b.SuccessURL, CancelURL: b.CancelURL})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type myPurchasesIn struct {
	TenantPath
	Registration string `query:"registration_id" format:"uuid" doc:"Plans of one of my units"`
}

type myPurchasesOut struct {
	Body struct {
		Items []billing.Purchase `json:"items"`
	}
}

func (s *Server) consumerListPurchases(ctx context.Context, in *myPurchasesIn) (*myPurchasesOut, error) {
	out := &myPurchasesOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = billing.ListPurchases(ctx, tx, billing.PurchaseFilter{RegistrationID: optionalID(in.Registration), Limit: 200})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type myPurchaseIn struct {
	TenantPath
	IDPath
}

func (s *Server) consumerGetPurchase(ctx context.Context, in *myPurchaseIn) (*PurchaseOutput, error) {
	out := &PurchaseOutput{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		out.Body, err = billing.GetPurchase(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) consumerCancelPurchase(ctx context.Context, in *myPurchaseIn) (*CancelOutput, error) {
	scope, err := s.consumerScope(ctx, in.Tenant)
	if err != nil {
		return nil, err
	}
	out := &CancelOutput{}
	out.Body.Purchase, out.Body.Refund, err = s.Billing.Cancel(ctx, scope, in.id())
	if err != nil {
		return nil, err
	}
	return out, nil
}

package api

// Express products: paid per-incident upgrades and plans a tenant sells, with their prices.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/tenants"
)

// ExpressProductOutput is one express product or plan with its ETag.
type ExpressProductOutput struct {
	ETag string `header:"ETag"`
	Body billing.Product
}

// ExpressProductBody creates a product with its first prices.
type ExpressProductBody struct {
	billing.ProductInput
	Prices []billing.PriceInput `json:"prices" minItems:"1" maxItems:"20"`
}

// registerExpressProductRoutes adds the catalogue of express products and plans.
func registerExpressProductRoutes(api huma.API, s *Server) {
	tags := []string{"Express products"}
	register(api, s, huma.Operation{OperationID: "list-express-products", Method: http.MethodGet, Path: "/express-products", Tags: tags,
		Summary: "List paid express-service products and plans"},
		route{perm: access.ExpressRead}, s.listExpressProducts)
	register(api, s, huma.Operation{OperationID: "create-express-product", Method: http.MethodPost, Path: "/express-products", Tags: tags,
		Summary: "Create an express product (per-incident upgrade) or plan with its prices", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "Products and prices are created in Stripe (platform account, tagged with the tenant) at once when possible, else at first checkout."},
		route{perm: access.ExpressWrite, idem: true}, s.createExpressProduct)
	register(api, s, huma.Operation{OperationID: "get-express-product", Method: http.MethodGet, Path: "/express-products/{id}", Tags: tags,
		Summary: "Get an express product or plan", Errors: []int{404}},
		route{perm: access.ExpressRead}, s.getExpressProduct)
	register(api, s, huma.Operation{OperationID: "update-express-product", Method: http.MethodPut, Path: "/express-products/{id}", Tags: tags,
		Summary: "Change a product's terms (code, kind and term stay; prices change by new prices); archive it to stop selling",
		Errors:  []int{404, 412, 422, 428}},
		route{perm: access.ExpressWrite}, s.updateExpressProduct)
	register(api, s, huma.Operation{OperationID: "set-express-price", Method: http.MethodPost, Path: "/express-products/{id}/prices", Tags: tags,
		Summary: "Set a new price in a currency (the old price is kept for its purchases, never edited)", DefaultStatus: 201,
		Errors: []int{404, 422}},
		route{perm: access.ExpressWrite, idem: true}, s.setExpressPrice)
}

func (s *Server) listExpressProducts(ctx context.Context, in *PageQuery) (*PageOutput[billing.Product], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Product, error) {
		return billing.ListProducts(ctx, tx, after, in.limit()+1, false)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p billing.Product) uuid.UUID { return p.ID }), nil
}

type createProductIn struct{ Body ExpressProductBody }

func (s *Server) createExpressProduct(ctx context.Context, in *createProductIn) (*ExpressProductOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
		return billing.CreateProduct(ctx, tx, in.Body.ProductInput, in.Body.Prices)
	})
	if err != nil {
		return nil, err
	}
	s.syncProduct(ctx, p.ID)
	return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
}

func (s *Server) getExpressProduct(ctx context.Context, in *IDPath) (*ExpressProductOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) { return billing.GetProduct(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
}

type updateProductIn struct {
	IDPath
	IfMatch
	Body billing.ProductInput
}

func (s *Server) updateExpressProduct(ctx context.Context, in *updateProductIn) (*ExpressProductOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
		return billing.UpdateProduct(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
}

type priceIn struct {
	IDPath
	Body billing.PriceInput
}

func (s *Server) setExpressPrice(ctx context.Context, in *priceIn) (*ExpressProductOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
		return s.Billing.SetPrice(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	s.syncProduct(ctx, p.ID)
	return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
}

// syncProduct pushes a product to Stripe after it was saved; failures are retried at checkout.
func (s *Server) syncProduct(ctx context.Context, id uuid.UUID) {
	if !s.Billing.Configured() {
		return
	}
	if err := s.tx(ctx, func(tx *tenants.Tx) error { return s.Billing.SyncProduct(ctx, tx, id) }); err != nil {
		s.Log.WarnContext(ctx, "sync product to stripe", "product", id, "err", err)
	}
}

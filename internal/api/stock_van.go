package api

// An engineer's van (车载库) without inventory rights: the engineer sees their van's stock,
// asks their outlet's warehouse for parts, receives what is shipped to the van, uses parts on
// the orders they work and returns parts to the outlet. The van is always the caller's own
// (package stock finds it from the signed-in user); no route names a van.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// VanOutput is the caller's van.
type VanOutput struct {
	Body stock.Van
}

func registerVanRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "get-my-van", Method: http.MethodGet, Path: "/me/van", Tags: tags,
		Summary: "My van: its stock, transfers on their way to it and its open requests", Errors: []int{404}},
		route{perm: access.StockVan}, s.getMyVan)
	register(api, s, huma.Operation{OperationID: "request-to-my-van", Method: http.MethodPost, Path: "/me/van/requests", Tags: tags,
		Summary:       "Ask my outlet's warehouse for parts into my van (the outlet reviews and ships the request)",
		DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.StockVan, idem: true}, s.requestToMyVan)
	register(api, s, huma.Operation{OperationID: "receive-into-my-van", Method: http.MethodPost, Path: "/me/van/receipts",
		Tags: tags, Summary: "Receive a transfer shipped to my van", Errors: []int{404, 409, 422}},
		route{perm: access.StockVan}, s.receiveIntoMyVan)
	register(api, s, huma.Operation{OperationID: "use-from-my-van", Method: http.MethodPost, Path: "/me/van/parts", Tags: tags,
		Summary:       "Use a part from my van on an order I work (consumes the order's reservation of it in the van)",
		DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.StockVan, idem: true}, s.useFromMyVan)
	register(api, s, huma.Operation{OperationID: "return-from-my-van", Method: http.MethodPost, Path: "/me/van/returns", Tags: tags,
		Summary:       "Return parts from my van to my outlet's warehouse",
		DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.StockVan, idem: true}, s.returnFromMyVan)
}

func (s *Server) getMyVan(ctx context.Context, _ *struct{}) (*VanOutput, error) {
	v, err := within(ctx, s, func(tx *tenants.Tx) (stock.Van, error) { return stock.MyVan(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &VanOutput{Body: v}, nil
}

type requestToVanIn struct{ Body stock.VanRequestInput }

func (s *Server) requestToMyVan(ctx context.Context, in *requestToVanIn) (*PartRequestOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.PartRequest, error) { return stock.RequestToVan(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &PartRequestOutput{Body: r}, nil
}

type receiveIntoVanIn struct{ Body stock.VanReceiveInput }

func (s *Server) receiveIntoMyVan(ctx context.Context, in *receiveIntoVanIn) (*TransferOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (stock.Transfer, error) { return s.stock().ReceiveIntoVan(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &TransferOutput{Body: t}, nil
}

type useFromVanIn struct{ Body stock.VanIssueInput }

func (s *Server) useFromMyVan(ctx context.Context, in *useFromVanIn) (*OrderPartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (stock.OrderPart, error) { return s.stock().UseFromVan(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &OrderPartOutput{Body: p}, nil
}

type returnFromVanIn struct{ Body stock.VanReturnInput }

func (s *Server) returnFromMyVan(ctx context.Context, in *returnFromVanIn) (*PostedOutput, error) {
	var replayed bool
	ms, err := within(ctx, s, func(tx *tenants.Tx) (ms []stock.Movement, err error) {
		ms, replayed, err = s.stock().ReturnFromVan(ctx, tx, in.Body)
		return ms, err
	})
	if err != nil {
		return nil, err
	}
	out := &PostedOutput{Status: http.StatusCreated, Body: Posted{Movements: ms, Replayed: replayed}}
	if replayed {
		out.Status = http.StatusOK
	}
	return out, nil
}

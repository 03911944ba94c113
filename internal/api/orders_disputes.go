package api

// Disputes of an order's exclusion decision, opened for the customer and reviewed by the
// brand.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerDisputeRoutes adds opening, reading and deciding disputes.
func registerDisputeRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	orderParts(api, s, huma.Operation{OperationID: "list-disputes", Path: "/orders/{id}/disputes", Tags: tags,
		Summary: "The customer's disputes of the order's exclusion decision"}, access.OrdersRead, orders.Disputes)
	register(api, s, huma.Operation{OperationID: "open-dispute", Method: http.MethodPost, Path: "/orders/{id}/disputes", Tags: tags,
		Summary: "Open a dispute of the exclusion decision for the customer", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.OrdersWrite}, s.openDispute)
	register(api, s, huma.Operation{OperationID: "get-dispute", Method: http.MethodGet, Path: "/disputes/{id}", Tags: tags,
		Summary: "Get a dispute", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getDispute)
	register(api, s, huma.Operation{OperationID: "decide-dispute", Method: http.MethodPost, Path: "/disputes/{id}/decision", Tags: tags,
		Summary: "Review a dispute: uphold the exclusion or overturn it (re-evaluating the entitlement)", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersAudit}, s.decideDispute)
}

type staffDisputeIn struct {
	IDPath
	Body struct {
		Statement string `json:"statement" minLength:"1" maxLength:"4000" doc:"The customer's words, as taken by phone or at the counter"`
	}
}

type disputeOut struct{ Body orders.Dispute }

func (s *Server) openDispute(ctx context.Context, in *staffDisputeIn) (*disputeOut, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) {
		return s.Orders.OpenDispute(ctx, tx, in.id(), in.Body.Statement, nil)
	})
	if err != nil {
		return nil, err
	}
	return &disputeOut{Body: d}, nil
}

func (s *Server) getDispute(ctx context.Context, in *IDPath) (*disputeOut, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) { return orders.GetDispute(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &disputeOut{Body: d}, nil
}

type decideDisputeIn struct {
	IDPath
	Body orders.DisputeDecision
}

func (s *Server) decideDispute(ctx context.Context, in *decideDisputeIn) (*disputeOut, error) {
	d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) {
		orderID, err := orders.DisputeOrder(ctx, tx, in.id())
		if err != nil {
			return orders.Dispute{}, err
		}
		return s.Orders.DecideDispute(ctx, tx, orderID, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &disputeOut{Body: d}, nil
}

package api

// Quotes for charged work on an order, and the customer's answers taken by staff.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerQuoteRoutes adds sending quotes and recording the customer's answer.
func registerQuoteRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	register(api, s, huma.Operation{OperationID: "create-quote", Method: http.MethodPost, Path: "/orders/{id}/quotes", Tags: tags,
		Summary: "Send a quote for charged work to the customer", DefaultStatus: 201,
		Description: "Each line is marked covered, shared or charged per the order's entitlement. The approval link is " +
			"returned once; an earlier open quote is superseded. An engineer quotes only orders they work (others are not found).", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.createQuote)
	orderParts(api, s, huma.Operation{OperationID: "list-quotes", Path: "/orders/{id}/quotes", Tags: tags,
		Summary: "List an order's quotes and the customer's answers"}, access.OrdersRead, orders.Quotes)
	register(api, s, huma.Operation{OperationID: "get-quote", Method: http.MethodGet, Path: "/quotes/{id}", Tags: tags,
		Summary: "Get a quote with the customer's answer", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getQuote)
	register(api, s, huma.Operation{OperationID: "record-quote-decision", Method: http.MethodPost, Path: "/quotes/{id}/decision", Tags: tags,
		Summary: "Record the customer's answer to a quote taken by phone or at the counter (declining needs the reason)", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersWrite}, s.recordQuoteDecision)
}

type quoteIn struct {
	IDPath
	Body orders.QuoteInput
}

type quoteOut struct{ Body orders.Quote }

func (s *Server) createQuote(ctx context.Context, in *quoteIn) (*quoteOut, error) {
	engineer := principal(ctx).Role == access.Engineer
	q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) {
		if engineer {
			return s.Orders.CreateQuoteAsEngineer(ctx, tx, in.id(), in.Body)
		}
		return s.Orders.CreateQuote(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &quoteOut{Body: q}, nil
}

func (s *Server) getQuote(ctx context.Context, in *IDPath) (*quoteOut, error) {
	q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) { return orders.GetQuote(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &quoteOut{Body: q}, nil
}

type staffDecisionIn struct {
	IDPath
	Body orders.QuoteAnswer
}

func (s *Server) recordQuoteDecision(ctx context.Context, in *staffDecisionIn) (*quoteOut, error) {
	q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) {
		orderID, err := orders.QuoteOrder(ctx, tx, in.id())
		if err != nil {
			return orders.Quote{}, err
		}
		return s.Orders.DecideQuote(ctx, tx, orderID, in.id(), in.Body, "staff", tx.Scope.Actor.Label)
	})
	if err != nil {
		return nil, err
	}
	return &quoteOut{Body: q}, nil
}

package api

// Dispatching one order: its engineers (proposals, offers, answers) and its outlet.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerOrderEngineerRoutes adds an order's engineers: who is on it, who is proposed,
// offering it, and the engineer's answer.
func registerOrderEngineerRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	orderParts(api, s, huma.Operation{OperationID: "list-order-engineers", Path: "/orders/{id}/engineers", Tags: tags,
		Summary: "The engineers on an order, their roles and answers"}, access.OrdersRead, orders.Engineers)
	register(api, s, huma.Operation{OperationID: "propose-engineers", Method: http.MethodGet, Path: "/orders/{id}/engineer-proposals", Tags: tags,
		Summary: "Engineers of the order's outlet ranked by the dispatch rules, with the rule and reasons", Errors: []int{404, 409}},
		route{perm: access.OrdersDispatch}, s.proposeEngineers)
	register(api, s, huma.Operation{OperationID: "assign-engineer", Method: http.MethodPost, Path: "/orders/{id}/engineers", Tags: tags,
		Summary:     "Offer the order to an engineer (lead or assistant); without a user, to the proposed one",
		Description: "Overriding the proposal needs a reason and is audited. A lead on an accepted on-site order dispatches it.",
		Errors:      []int{404, 409, 422}},
		route{perm: access.OrdersDispatch}, s.assignEngineer)
	register(api, s, huma.Operation{OperationID: "answer-order", Method: http.MethodPost, Path: "/orders/{id}/answer", Tags: tags,
		Summary:     "Accept or decline an order offered to me (engineers)",
		Description: "Declining needs a reason; the order then goes to the next engineer by the dispatch rules.",
		Errors:      []int{404, 409, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.answerOrder)
}

// registerOrderOutletRoutes adds choosing an order's outlet: proposals and dispatch by hand.
func registerOrderOutletRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	register(api, s, huma.Operation{OperationID: "propose-outlets", Method: http.MethodGet, Path: "/orders/{id}/outlet-proposals", Tags: tags,
		Summary: "Outlets covering the order's address, best first, with reasons", Errors: []int{404}},
		route{perm: access.OrdersDispatch}, s.proposeOutlets)
	register(api, s, huma.Operation{OperationID: "set-order-outlet", Method: http.MethodPut, Path: "/orders/{id}/outlet", Tags: tags,
		Summary: "Dispatch the order to an outlet by hand (audited, with a reason)", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.OrdersDispatch}, s.setOrderOutlet)
}

type engProposalsOut struct {
	Body struct {
		Items []dispatch.EngineerCandidate `json:"items"`
	}
}

func (s *Server) proposeEngineers(ctx context.Context, in *IDPath) (*engProposalsOut, error) {
	out := &engProposalsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = s.Orders.ProposeEngineers(ctx, tx, in.id())
		return err
	})
	return out, err
}

type assignIn struct {
	IDPath
	Body orders.Assignment
}

func (s *Server) assignEngineer(ctx context.Context, in *assignIn) (*OrderOutput, error) {
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.Assign(ctx, tx, in.id(), in.Body)
	}))
}

type answerIn struct {
	IDPath
	Body orders.Answer
}

func (s *Server) answerOrder(ctx context.Context, in *answerIn) (*OrderOutput, error) {
	p := principal(ctx)
	if p.UserID == uuid.Nil {
		return nil, huma.Error403Forbidden("only an engineer signed in as themselves answers an offer")
	}
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.Answer(ctx, tx, in.id(), p.UserID, in.Body)
	}))
}

type outletProposalsOut struct {
	Body struct {
		Items []dispatch.OutletCandidate `json:"items"`
	}
}

func (s *Server) proposeOutlets(ctx context.Context, in *IDPath) (*outletProposalsOut, error) {
	out := &outletProposalsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = s.Orders.ProposeOutlets(ctx, tx, in.id())
		if out.Body.Items == nil {
			out.Body.Items = []dispatch.OutletCandidate{}
		}
		return err
	})
	return out, err
}

type outletIn struct {
	IDPath
	IfMatch
	Body orders.OutletChange
}

func (s *Server) setOrderOutlet(ctx context.Context, in *outletIn) (*OrderOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.SetOutlet(ctx, tx, in.id(), v, in.Body)
	}))
}

package api

// Parts on service orders: reservations (an unmet one puts the order in waiting_parts),
// issues to the order and parts taken off it again.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// ReservationOutput is one reservation.
type ReservationOutput struct {
	Body stock.Reservation
}

// OrderPartOutput is one part of an order.
type OrderPartOutput struct {
	Body stock.OrderPart
}

// OrderStockOutput is what an order holds and used.
type OrderStockOutput struct {
	Body stock.OrderStock
}

func registerOrderStockRoutes(api huma.API, s *Server) {
	tags := []string{"Stock"}
	register(api, s, huma.Operation{OperationID: "get-order-stock", Method: http.MethodGet, Path: "/orders/{id}/stock", Tags: tags,
		Summary: "An order's reservations and parts", Errors: []int{404}},
		route{perm: access.StockRead}, s.getOrderStock)
	register(api, s, huma.Operation{OperationID: "reserve-order-part", Method: http.MethodPost, Path: "/orders/{id}/reservations", Tags: tags,
		Summary: "Reserve a part for an order at a warehouse",
		Description: "What is available (on hand less reserved) is held at once (status open). Otherwise the reservation " +
			"waits (status waiting), a replenishment request asks for the part, and the order moves to waiting_parts " +
			"(its SLA clocks pause) if its flow allows that move now; stock received later serves the oldest waiting " +
			"reservation first, and the order moves on with a parts.arrived notice once nothing it waits for is missing.",
		DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.StockMove, idem: true}, s.reserveOrderPart)
	register(api, s, huma.Operation{OperationID: "get-reservation", Method: http.MethodGet, Path: "/reservations/{id}", Tags: tags,
		Summary: "Get a reservation", Errors: []int{404}},
		route{perm: access.StockRead}, s.getReservation)
	register(api, s, huma.Operation{OperationID: "release-reservation", Method: http.MethodPost, Path: "/reservations/{id}/release", Tags: tags,
		Summary: "Release a reservation (its part is available again)", Errors: []int{404}},
		route{perm: access.StockMove}, s.releaseReservation)
	register(api, s, huma.Operation{OperationID: "issue-order-part", Method: http.MethodPost, Path: "/orders/{id}/parts", Tags: tags,
		Summary:       "Issue a part to an order (consumes the order's open reservation of it at that warehouse)",
		DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.StockMove, idem: true}, s.issueOrderPart)
	register(api, s, huma.Operation{OperationID: "get-order-part", Method: http.MethodGet, Path: "/order-parts/{id}", Tags: tags,
		Summary: "Get a part of an order", Errors: []int{404}},
		route{perm: access.StockRead}, s.getOrderPart)
	register(api, s, huma.Operation{OperationID: "return-order-part", Method: http.MethodPost, Path: "/order-parts/{id}/return", Tags: tags,
		Summary: "Take a part off its order and back into its warehouse", Errors: []int{404, 409, 422}},
		route{perm: access.StockMove}, s.returnOrderPart)
}

func (s *Server) stock() *stock.Service {
	st := &stock.Service{Orders: s.Orders}
	if s.Billing.Configured() {
		st.Deposits = s.Billing
	}
	return st
}

func (s *Server) getOrderStock(ctx context.Context, in *IDPath) (*OrderStockOutput, error) {
	st, err := within(ctx, s, func(tx *tenants.Tx) (stock.OrderStock, error) { return stock.ForOrder(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &OrderStockOutput{Body: st}, nil
}

type reserveIn struct {
	IDPath
	Body stock.ReserveInput
}

func (s *Server) reserveOrderPart(ctx context.Context, in *reserveIn) (*ReservationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.Reservation, error) { return s.stock().Reserve(ctx, tx, in.id(), in.Body) })
	if err != nil {
		return nil, err
	}
	return &ReservationOutput{Body: r}, nil
}

func (s *Server) getReservation(ctx context.Context, in *IDPath) (*ReservationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.Reservation, error) { return stock.GetReservation(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ReservationOutput{Body: r}, nil
}

func (s *Server) releaseReservation(ctx context.Context, in *IDPath) (*ReservationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (stock.Reservation, error) { return s.stock().Release(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ReservationOutput{Body: r}, nil
}

type issueIn struct {
	IDPath
	Body stock.IssueInput
}

func (s *Server) issueOrderPart(ctx context.Context, in *issueIn) (*OrderPartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (stock.OrderPart, error) { return s.stock().Issue(ctx, tx, in.id(), in.Body) })
	if err != nil {
		return nil, err
	}
	return &OrderPartOutput{Body: p}, nil
}

func (s *Server) getOrderPart(ctx context.Context, in *IDPath) (*OrderPartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (stock.OrderPart, error) { return stock.GetOrderPart(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &OrderPartOutput{Body: p}, nil
}

func (s *Server) returnOrderPart(ctx context.Context, in *IDPath) (*OrderPartOutput, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (stock.OrderPart, error) { return s.stock().Remove(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &OrderPartOutput{Body: p}, nil
}

package api

// The consumer's side of being served: who serves their order and when (outlet, engineer,
// appointment, the brand's promise), and their rating of the service once it is done, which
// is the order's satisfaction survey answer (the callback's too, when it has one). Staff see
// the answer on the order.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/callbacks"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerConsumerServiceRoutes adds the service details and the rating of a consumer's order
// and the staff's view of an order's survey answer.
func registerConsumerServiceRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-order-service", Method: http.MethodGet,
		Path: "/consumer/tenants/{tenant}/orders/{id}/service", Tags: ctags,
		Summary: "Who serves my order and when: the outlet, the engineer, the appointment, the promise; my rating", Errors: []int{404}},
		route{consumer: true}, s.consumerOrderService)
	register(api, s, huma.Operation{OperationID: "consumer-rate-order", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/rating", Tags: ctags, DefaultStatus: 201,
		Summary: "Rate the service on my completed order (once)", Errors: []int{404, 409, 422},
		Description: "The order's satisfaction survey answer (channel portal): it answers the order's callback too when it has one, " +
			"and 409 when the survey was answered already (by the link or on a call). A consumer right: answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerRateOrder)
	register(api, s, huma.Operation{OperationID: "get-order-survey", Method: http.MethodGet, Path: "/orders/{id}/survey",
		Tags: []string{"Orders"}, Summary: "The customer's satisfaction answer on the order (the portal rating, the link or the callback)",
		Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getOrderSurvey)
}

// orderSurvey is an order's survey answer, if any.
type orderSurvey struct {
	Answered bool                `json:"answered"`
	Response *callbacks.Response `json:"response,omitempty"`
}

type consumerServiceOut struct {
	Body struct {
		orders.ServiceDetails
		CanRate bool                `json:"can_rate" doc:"The order is done and not rated yet"`
		Rating  *callbacks.Response `json:"rating,omitempty" doc:"The order's satisfaction answer, from any channel"`
	}
}

// rateable says whether a customer may rate o: the work is done (ready for pickup, picked
// up, completed, approved or closed after completion); not while it is reopened, escalated
// or cancelled.
func rateable(o orders.Order) bool {
	done := !orders.IsOpen(o.Status) || o.Status == orders.StatusReadyForPickup
	return o.CompletedAt != nil && done && o.Status != orders.StatusCancelled
}

func (s *Server) consumerOrderService(ctx context.Context, in *consumerOrderPath) (*consumerServiceOut, error) {
	out := &consumerServiceOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		o, err := orders.Get(ctx, tx, in.id())
		if err != nil {
			return err
		}
		if out.Body.ServiceDetails, err = orders.ServiceOf(ctx, tx, o); err != nil {
			return err
		}
		if out.Body.Rating, err = callbacks.RatingOf(ctx, tx, o.ID); err != nil {
			return err
		}
		out.Body.CanRate = out.Body.Rating == nil && rateable(o)
		return nil
	})
	return out, err
}

type consumerRateIn struct {
	TenantPath
	IDPath
	Body callbacks.RatingInput
}

type consumerRatingOut struct{ Body callbacks.Response }

func (s *Server) consumerRateOrder(ctx context.Context, in *consumerRateIn) (*consumerRatingOut, error) {
	out := &consumerRatingOut{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		o, err := orders.Get(ctx, tx, in.id())
		if err != nil {
			return err
		}
		if !rateable(o) {
			return &fault.ConflictError{Detail: "order " + o.Number + " is " + o.Status + "; rate the service once the work is done"}
		}
		out.Body, err = s.callbacksService().RatePortal(ctx, tx, callbacks.RatedOrder{ID: o.ID, Number: o.Number, OutletID: o.OutletID,
			CustomerID: o.CustomerID}, in.Body)
		return err
	})
	return out, err
}

type orderSurveyOut struct{ Body orderSurvey }

func (s *Server) getOrderSurvey(ctx context.Context, in *IDPath) (*orderSurveyOut, error) {
	out := &orderSurveyOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		if _, err := orders.Get(ctx, tx, in.id()); err != nil { // the order must be in the caller's scope
			return err
		}
		r, err := callbacks.RatingOf(ctx, tx, in.id())
		out.Body = orderSurvey{Answered: r != nil, Response: r}
		return err
	})
	return out, err
}

package api

// A consumer's own service orders with a brand: asking for service, following it, booking
// the appointment, answering quotes and disputing an exclusion.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerConsumerOrderRoutes adds the consumer's orders in a brand's portal.
func registerConsumerOrderRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-list-orders", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders",
		Tags: ctags, Summary: "My service orders with this brand", Errors: []int{404}},
		route{consumer: true}, s.consumerListOrders)
	register(api, s, huma.Operation{OperationID: "consumer-book-service", Method: http.MethodPost, Path: "/consumer/tenants/{tenant}/orders",
		Tags: ctags, Summary: "Ask for service on one of my units", DefaultStatus: 201, Errors: []int{404, 422}},
		route{consumer: true}, s.consumerBookService)
	register(api, s, huma.Operation{OperationID: "consumer-get-order", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}",
		Tags: ctags, Summary: "One of my orders with its progress", Errors: []int{404}},
		route{consumer: true}, s.consumerGetOrder)
	register(api, s, huma.Operation{OperationID: "consumer-order-slots", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}/slots",
		Tags: ctags, Summary: "Windows I can book for my order", Errors: []int{404, 409}},
		route{consumer: true}, s.consumerOrderSlots)
	register(api, s, huma.Operation{OperationID: "consumer-book-appointment", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/appointment", Tags: ctags,
		Summary: "Book or move the appointment of my order (moving needs a reason)", Errors: []int{404, 409, 422}},
		route{consumer: true}, s.consumerBookAppointment)
	register(api, s, huma.Operation{OperationID: "consumer-list-quotes", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}/quotes",
		Tags: ctags, Summary: "Quotes for my order", Errors: []int{404}},
		route{consumer: true}, s.consumerListQuotes)
	register(api, s, huma.Operation{OperationID: "consumer-decide-quote", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/quotes/{quote}/decision", Tags: ctags,
		Summary: "Approve or decline a quote for my order (declining needs a reason)", Errors: []int{402, 404, 409, 422},
		Description: "Declining is a consumer right, answered even while the tenant is read-only; approving starts paid work and is not."},
		route{consumer: true, right: true}, s.consumerDecideQuote)
	register(api, s, huma.Operation{OperationID: "consumer-dispute-order", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/disputes", Tags: ctags, DefaultStatus: 201,
		Summary: "Dispute the exclusion the diagnosis invoked on my order; the brand reviews it", Errors: []int{404, 409, 422},
		Description: "A consumer right (a complaint): answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerDisputeOrder)
}

type consumerOrderPath struct {
	TenantPath
	IDPath
}

// customerViewOut is one order as its customer sees it.
type customerViewOut struct{ Body orders.CustomerView }

type viewsOut struct {
	Body struct {
		Items []orders.CustomerView `json:"items"`
	}
}

func (s *Server) consumerListOrders(ctx context.Context, in *TenantPath) (*viewsOut, error) {
	out := &viewsOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		list, err := orders.List(ctx, tx, orders.Filter{Limit: 200})
		if err != nil {
			return err
		}
		out.Body.Items = make([]orders.CustomerView, len(list))
		for i, o := range list {
			out.Body.Items[i] = o.ForCustomer(nil)
		}
		return nil
	})
	return out, err
}

type bookServiceIn struct {
	TenantPath
	Body struct {
		RegistrationID   uuid.UUID        `json:"registration_id" doc:"One of my registered units"`
		Type             string           `json:"type" pattern:"^[a-z][a-z0-9_]{0,39}$" example:"repair_minor"`
		OnSite           bool             `json:"on_site,omitempty" doc:"Ask for a visit rather than bringing the unit in"`
		FaultDescription string           `json:"fault_description" minLength:"1" maxLength:"4000"`
		Location         *orders.Location `json:"location,omitempty" doc:"Default: my address on file"`
	}
}

type consumerCreatedOut struct {
	Body struct {
		Order       orders.CustomerView `json:"order"`
		TrackingURL string              `json:"tracking_url"`
	}
}

func (s *Server) consumerBookService(ctx context.Context, in *bookServiceIn) (*consumerCreatedOut, error) {
	scope, err := s.consumerScope(ctx, in.Tenant)
	if err != nil {
		return nil, err
	}
	if scope.CustomerID == uuid.Nil {
		// Not yet a customer of the tenant, so no unit of theirs is registered here.
		return nil, fault.Invalid("registration_id", "is not one of your registered units")
	}
	c, err := s.Orders.Request(ctx, s.DB, scope, orders.ServiceRequest{RegistrationID: in.Body.RegistrationID, Type: in.Body.Type,
		OnSite: in.Body.OnSite, FaultDescription: in.Body.FaultDescription, Location: in.Body.Location})
	if err != nil {
		return nil, err
	}
	out := &consumerCreatedOut{}
	out.Body.Order, out.Body.TrackingURL = c.Order.ForCustomer(nil), c.TrackingURL
	return out, nil
}

func (s *Server) consumerGetOrder(ctx context.Context, in *consumerOrderPath) (*customerViewOut, error) {
	out := &customerViewOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		o, err := orders.Get(ctx, tx, in.id())
		if err != nil {
			return err
		}
		tl, err := orders.Timeline(ctx, tx, o.ID, true)
		out.Body = o.ForCustomer(tl)
		return err
	})
	return out, err
}

type consumerSlotsIn struct {
	TenantPath
	IDPath
	Days int `query:"days" minimum:"1" maximum:"60" default:"7"`
}

type consumerSlotsOut struct {
	Body struct {
		Items []orders.Slot `json:"items"`
	}
}

func (s *Server) consumerOrderSlots(ctx context.Context, in *consumerSlotsIn) (*consumerSlotsOut, error) {
	out := &consumerSlotsOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) error {
		days := in.Days
		if days == 0 {
			days = 7
		}
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		items, err := s.Orders.Slots(ctx, tx, in.id(), now, days)
		out.Body.Items = items
		if out.Body.Items == nil {
			out.Body.Items = []orders.Slot{}
		}
		return err
	})
	return out, err
}

type consumerBookIn struct {
	TenantPath
	IDPath
	Body orders.BookingInput
}

type consumerBookingOut struct{ Body orders.Booking }

func (s *Server) consumerBookAppointment(ctx context.Context, in *consumerBookIn) (*consumerBookingOut, error) {
	out := &consumerBookingOut{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = s.Orders.Book(ctx, tx, in.id(), 0, in.Body, "portal", s.Limits)
		return err
	})
	return out, err
}

type consumerQuotesOut struct {
	Body struct {
		Items []orders.Quote `json:"items"`
	}
}

func (s *Server) consumerListQuotes(ctx context.Context, in *consumerOrderPath) (*consumerQuotesOut, error) {
	out := &consumerQuotesOut{}
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		if _, err = orders.Get(ctx, tx, in.id()); err != nil { // the order must exist in the scope
			return err
		}
		out.Body.Items, err = orders.Quotes(ctx, tx, in.id())
		return err
	})
	return out, err
}

type consumerDecideIn struct {
	TenantPath
	IDPath
	Quote string `path:"quote" format:"uuid"`
	Body  orders.QuoteAnswer
}

type consumerQuoteOut struct{ Body orders.Quote }

func (s *Server) consumerDecideQuote(ctx context.Context, in *consumerDecideIn) (*consumerQuoteOut, error) {
	out := &consumerQuoteOut{}
	if in.Body.Approve {
		// Approving commits the tenant to paid work: a write like any other, refused while
		// the tenant is read-only. Declining is the consumer's right.
		if err := s.refuseReadOnly(ctx, in.Tenant); err != nil {
			return nil, err
		}
	}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = s.Orders.DecideQuote(ctx, tx, in.id(), uuid.MustParse(in.Quote), in.Body, "portal",
			"consumer:"+principal(ctx).Label)
		return err
	})
	return out, err
}

type consumerDisputeIn struct {
	TenantPath
	IDPath
	Body struct {
		Statement     string      `json:"statement" minLength:"1" maxLength:"4000" doc:"Why the exclusion (e.g. misuse) is wrong"`
		AttachmentIDs []uuid.UUID `json:"attachment_ids,omitempty" maxItems:"10" doc:"Photos I uploaded to the order (POST .../orders/{id}/attachments)"`
	}
}

type consumerDisputeOut struct{ Body orders.Dispute }

func (s *Server) consumerDisputeOrder(ctx context.Context, in *consumerDisputeIn) (*consumerDisputeOut, error) {
	out := &consumerDisputeOut{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = s.Orders.OpenDispute(ctx, tx, in.id(), in.Body.Statement, in.Body.AttachmentIDs)
		return err
	})
	return out, err
}

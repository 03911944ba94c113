package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// myOrder returns the consumer's own order; anyone else's is not found.
func myOrder(ctx context.Context, tx *tenants.Tx, me customers.Customer, id uuid.UUID) (orders.Order, error) {
	o, err := orders.Get(ctx, tx, id)
	if err != nil {
		return o, err
	}
	if o.CustomerID != me.ID {
		return orders.Order{}, tenants.ErrNotFound
	}
	return o, nil
}

func registerOrderConsumer(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	type consumerOrderPath struct {
		TenantPath
		IDPath
	}
	type viewOut struct{ Body orders.CustomerView }
	type viewsOut struct {
		Body struct {
			Items []orders.CustomerView `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "consumer-list-orders", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders",
		Tags: ctags, Summary: "My service orders with this brand", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *TenantPath) (*viewsOut, error) {
			out := &viewsOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				list, err := orders.List(ctx, tx, orders.Filter{Customer: uuid.NullUUID{UUID: me.ID, Valid: true}, Limit: 200})
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
		})

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
	register(api, s, huma.Operation{OperationID: "consumer-book-service", Method: http.MethodPost, Path: "/consumer/tenants/{tenant}/orders",
		Tags: ctags, Summary: "Ask for service on one of my units", DefaultStatus: 201, Errors: []int{404, 422}},
		route{consumer: true}, func(ctx context.Context, in *bookServiceIn) (*consumerCreatedOut, error) {
			out := &consumerCreatedOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				r, err := registry.Get(ctx, tx, in.Body.RegistrationID)
				if err != nil || !owns(r, me.ID) {
					return tenants.Invalid("body.registration_id", "is not one of your registered units")
				}
				flow := orders.FlowCarryIn
				if in.Body.OnSite {
					flow = orders.FlowOnSite
				}
				c, err := s.Orders.Create(ctx, tx, orders.Intake{Type: in.Body.Type, Channel: "web", Flow: flow,
					CustomerID: &me.ID, RegistrationID: &r.ID, Location: in.Body.Location, FaultDescription: in.Body.FaultDescription})
				if err != nil {
					return err
				}
				out.Body.Order, out.Body.TrackingURL = c.Order.ForCustomer(nil), c.TrackingURL
				return nil
			})
			return out, err
		})

	register(api, s, huma.Operation{OperationID: "consumer-get-order", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}",
		Tags: ctags, Summary: "One of my orders with its progress", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *consumerOrderPath) (*viewOut, error) {
			out := &viewOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				o, err := myOrder(ctx, tx, me, in.id())
				if err != nil {
					return err
				}
				tl, err := orders.Timeline(ctx, tx, o.ID, true)
				out.Body = o.ForCustomer(tl)
				return err
			})
			return out, err
		})

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
	register(api, s, huma.Operation{OperationID: "consumer-order-slots", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}/slots",
		Tags: ctags, Summary: "Windows I can book for my order", Errors: []int{404, 409}},
		route{consumer: true}, func(ctx context.Context, in *consumerSlotsIn) (*consumerSlotsOut, error) {
			out := &consumerSlotsOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				if _, err := myOrder(ctx, tx, me, in.id()); err != nil {
					return err
				}
				days := in.Days
				if days == 0 {
					days = 7
				}
				items, err := s.Orders.Slots(ctx, tx, in.id(), time.Now(), days)
				out.Body.Items = items
				if out.Body.Items == nil {
					out.Body.Items = []orders.Slot{}
				}
				return err
			})
			return out, err
		})
	type consumerBookIn struct {
		TenantPath
		IDPath
		Body orders.BookingInput
	}
	type consumerBookingOut struct{ Body orders.Booking }
	register(api, s, huma.Operation{OperationID: "consumer-book-appointment", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/appointment", Tags: ctags,
		Summary: "Book or move the appointment of my order (moving needs a reason)", Errors: []int{404, 409, 422}},
		route{consumer: true}, func(ctx context.Context, in *consumerBookIn) (*consumerBookingOut, error) {
			out := &consumerBookingOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				if _, err = myOrder(ctx, tx, me, in.id()); err != nil {
					return err
				}
				out.Body, err = s.Orders.Book(ctx, tx, in.id(), 0, in.Body, "portal", s.Limits)
				return err
			})
			return out, err
		})

	type consumerQuotesOut struct {
		Body struct {
			Items []orders.Quote `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "consumer-list-quotes", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/orders/{id}/quotes",
		Tags: ctags, Summary: "Quotes for my order", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *consumerOrderPath) (*consumerQuotesOut, error) {
			out := &consumerQuotesOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				if _, err = myOrder(ctx, tx, me, in.id()); err != nil {
					return err
				}
				out.Body.Items, err = orders.Quotes(ctx, tx, in.id())
				return err
			})
			return out, err
		})
	type consumerDecideIn struct {
		TenantPath
		IDPath
		Quote string `path:"quote" format:"uuid"`
		Body  orders.QuoteAnswer
	}
	type consumerQuoteOut struct{ Body orders.Quote }
	register(api, s, huma.Operation{OperationID: "consumer-decide-quote", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/quotes/{quote}/decision", Tags: ctags,
		Summary: "Approve or decline a quote for my order", Errors: []int{404, 409}},
		route{consumer: true}, func(ctx context.Context, in *consumerDecideIn) (*consumerQuoteOut, error) {
			out := &consumerQuoteOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				if _, err = myOrder(ctx, tx, me, in.id()); err != nil {
					return err
				}
				out.Body, err = s.Orders.DecideQuote(ctx, tx, in.id(), uuid.MustParse(in.Quote), in.Body.Approve, "portal",
					"consumer:"+access.MaskPhone(me.Phone))
				return err
			})
			return out, err
		})
	type consumerDisputeIn struct {
		TenantPath
		IDPath
		Body struct {
			Statement string `json:"statement" minLength:"1" maxLength:"4000" doc:"Why the exclusion (e.g. misuse) is wrong"`
		}
	}
	type consumerDisputeOut struct{ Body orders.Dispute }
	register(api, s, huma.Operation{OperationID: "consumer-dispute-order", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/disputes", Tags: ctags, DefaultStatus: 201,
		Summary: "Dispute the exclusion the diagnosis invoked on my order; the brand reviews it", Errors: []int{404, 409, 422}},
		route{consumer: true}, func(ctx context.Context, in *consumerDisputeIn) (*consumerDisputeOut, error) {
			out := &consumerDisputeOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				if _, err = myOrder(ctx, tx, me, in.id()); err != nil {
					return err
				}
				out.Body, err = s.Orders.OpenDispute(ctx, tx, in.id(), in.Body.Statement)
				return err
			})
			return out, err
		})

	// Links sent to customers: tracking and quote approval, without signing in.
	ptags := []string{"Public"}
	type trackIn struct {
		Token string `path:"token" maxLength:"200"`
	}
	register(api, s, huma.Operation{OperationID: "public-track-order", Method: http.MethodGet, Path: "/public/track/{token}", Tags: ptags,
		Summary: "Follow an order by its tracking link", Errors: []int{404}},
		route{public: true}, func(ctx context.Context, in *trackIn) (*viewOut, error) {
			o, tl, err := orders.Track(ctx, s.DB, in.Token)
			if err != nil {
				return nil, err
			}
			return &viewOut{Body: o.ForCustomer(tl)}, nil
		})

	type linkQuoteOut struct {
		Body struct {
			OrderNumber string       `json:"order_number"`
			Phone       string       `json:"phone" doc:"Where the confirmation code goes (masked)"`
			Quote       orders.Quote `json:"quote"`
		}
	}
	linkTx := func(ctx context.Context, token string, fn func(tx *tenants.Tx, q orders.Quote, o orders.Order, phone string) error) error {
		tenantID, quoteID, hash, err := orders.ParseQuoteLink(token)
		if err != nil {
			return err
		}
		meta := actorMeta(ctx)
		meta.Kind, meta.Label = "consumer", "quote link"
		return s.DB.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error {
			q, o, err := orders.QuoteByLink(ctx, tx, quoteID, hash)
			if err != nil {
				return err
			}
			c, err := customers.Get(ctx, tx, o.CustomerID)
			if err != nil {
				return err
			}
			return fn(tx, q, o, c.Phone)
		})
	}
	register(api, s, huma.Operation{OperationID: "public-get-quote", Method: http.MethodGet, Path: "/public/quotes/{token}", Tags: ptags,
		Summary: "See a quote sent to me by link", Errors: []int{404}},
		route{public: true}, func(ctx context.Context, in *trackIn) (*linkQuoteOut, error) {
			out := &linkQuoteOut{}
			err := linkTx(ctx, in.Token, func(_ *tenants.Tx, q orders.Quote, o orders.Order, phone string) error {
				out.Body.OrderNumber, out.Body.Phone, out.Body.Quote = o.Number, access.MaskPhone(phone), q
				return nil
			})
			return out, err
		})
	register(api, s, huma.Operation{OperationID: "public-quote-code", Method: http.MethodPost, Path: "/public/quotes/{token}/code", Tags: ptags,
		Summary: "Send a confirmation code to the customer's phone on file", DefaultStatus: 204, Errors: []int{404, 409, 429}},
		route{public: true}, func(ctx context.Context, in *trackIn) (*struct{}, error) {
			var phone string
			err := linkTx(ctx, in.Token, func(_ *tenants.Tx, q orders.Quote, _ orders.Order, p string) error {
				if q.Status != "sent" {
					return &tenants.ConflictError{Detail: "this quote is " + q.Status + "; it cannot be answered"}
				}
				phone = p
				return nil
			})
			if err != nil {
				return nil, err
			}
			if phone == "" {
				return nil, &tenants.ConflictError{Detail: "no phone on file for this order; answer in the portal or call us"}
			}
			return nil, s.Auth.RequestOTP(ctx, phone)
		})
	type linkDecideIn struct {
		Token string `path:"token" maxLength:"200"`
		Body  struct {
			Code    string `json:"code" pattern:"^[0-9]{6}$"`
			Approve bool   `json:"approve"`
		}
	}
	type linkDecisionOut struct{ Body orders.Quote }
	register(api, s, huma.Operation{OperationID: "public-decide-quote", Method: http.MethodPost, Path: "/public/quotes/{token}/decision",
		Tags: ptags, Summary: "Approve or decline a quote with the code sent to my phone", Errors: []int{401, 404, 409, 422}},
		route{public: true}, func(ctx context.Context, in *linkDecideIn) (*linkDecisionOut, error) {
			var phone string
			if err := linkTx(ctx, in.Token, func(_ *tenants.Tx, _ orders.Quote, _ orders.Order, p string) error {
				phone = p
				return nil
			}); err != nil {
				return nil, err
			}
			if err := s.Auth.ConfirmOTP(ctx, phone, in.Body.Code); err != nil {
				return nil, err
			}
			out := &linkDecisionOut{}
			err := linkTx(ctx, in.Token, func(tx *tenants.Tx, q orders.Quote, o orders.Order, p string) (err error) {
				out.Body, err = s.Orders.DecideQuote(ctx, tx, o.ID, q.ID, in.Body.Approve, "link", "consumer:"+access.MaskPhone(p))
				return err
			})
			return out, err
		})
}

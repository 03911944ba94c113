package api

// Links sent to customers: following an order and answering a quote, without signing in.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerOrderLinkRoutes adds the public tracking and quote-approval links.
func registerOrderLinkRoutes(api huma.API, s *Server) {
	ptags := []string{"Public"}
	register(api, s, huma.Operation{OperationID: "public-track-order", Method: http.MethodGet, Path: "/public/track/{token}", Tags: ptags,
		Summary: "Follow an order by its tracking link", Errors: []int{404}},
		route{public: true}, s.publicTrackOrder)
	register(api, s, huma.Operation{OperationID: "public-get-quote", Method: http.MethodGet, Path: "/public/quotes/{token}", Tags: ptags,
		Summary: "See a quote sent to me by link", Errors: []int{404}},
		route{public: true}, s.publicGetQuote)
	register(api, s, huma.Operation{OperationID: "public-quote-code", Method: http.MethodPost, Path: "/public/quotes/{token}/code", Tags: ptags,
		Summary: "Send a confirmation code to the customer's phone on file", DefaultStatus: 204, Errors: []int{404, 409, 429}},
		route{public: true}, s.publicQuoteCode)
	register(api, s, huma.Operation{OperationID: "public-decide-quote", Method: http.MethodPost, Path: "/public/quotes/{token}/decision",
		Tags: ptags, Summary: "Approve or decline a quote with the code sent to my phone (declining needs a reason)", Errors: []int{401, 404, 409, 422}},
		route{public: true}, s.publicDecideQuote)
}

type trackIn struct {
	Token string `path:"token" maxLength:"200"`
}

// TrackedOrder is an order as its tracking link shows it, with its brand.
type TrackedOrder struct {
	orders.CustomerView
	Tenant string `json:"tenant" doc:"The brand's slug: its portal is /my/{tenant}"`
}

type trackOut struct{ Body TrackedOrder }

func (s *Server) publicTrackOrder(ctx context.Context, in *trackIn) (*trackOut, error) {
	o, tl, slug, err := orders.Track(ctx, s.DB, in.Token)
	if err != nil {
		return nil, err
	}
	return &trackOut{Body: TrackedOrder{CustomerView: o.ForCustomer(tl), Tenant: slug}}, nil
}

// quoteLinkTx runs fn in the tenant of a quote link, as the customer holding the link, with
// the quote, its order and the customer's phone on file.
func (s *Server) quoteLinkTx(ctx context.Context, token string, fn func(tx *tenants.Tx, q orders.Quote, o orders.Order, phone string) error) error {
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
		c, err := customers.Contact(ctx, tx, o.CustomerID)
		if err != nil {
			return err
		}
		return fn(tx, q, o, c.Phone)
	})
}

type linkQuoteOut struct {
	Body struct {
		Tenant      string       `json:"tenant" doc:"The brand's slug: its portal is /my/{tenant}"`
		OrderNumber string       `json:"order_number"`
		Phone       string       `json:"phone" doc:"Where the confirmation code goes (masked)"`
		Quote       orders.Quote `json:"quote"`
	}
}

func (s *Server) publicGetQuote(ctx context.Context, in *trackIn) (*linkQuoteOut, error) {
	out := &linkQuoteOut{}
	err := s.quoteLinkTx(ctx, in.Token, func(tx *tenants.Tx, q orders.Quote, o orders.Order, phone string) (err error) {
		out.Body.OrderNumber, out.Body.Phone, out.Body.Quote = o.Number, access.MaskPhone(phone), q
		out.Body.Tenant, err = orders.TenantSlug(ctx, tx)
		return err
	})
	return out, err
}

func (s *Server) publicQuoteCode(ctx context.Context, in *trackIn) (*struct{}, error) {
	var phone string
	err := s.quoteLinkTx(ctx, in.Token, func(_ *tenants.Tx, q orders.Quote, _ orders.Order, p string) error {
		if q.Status != "sent" {
			return &fault.ConflictError{Detail: "this quote is " + q.Status + "; it cannot be answered"}
		}
		phone = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	if phone == "" {
		return nil, &fault.ConflictError{Detail: "no phone on file for this order; answer in the portal or call us"}
	}
	return nil, s.Auth.RequestOTP(ctx, phone)
}

type linkDecideIn struct {
	Token string `path:"token" maxLength:"200"`
	Body  struct {
		Code string `json:"code" pattern:"^[0-9]{6}$"`
		orders.QuoteAnswer
	}
}

type linkDecisionOut struct{ Body orders.Quote }

func (s *Server) publicDecideQuote(ctx context.Context, in *linkDecideIn) (*linkDecisionOut, error) {
	if err := in.Body.QuoteAnswer.Check(); err != nil {
		return nil, err // before the code is spent
	}
	var phone string
	if err := s.quoteLinkTx(ctx, in.Token, func(_ *tenants.Tx, _ orders.Quote, _ orders.Order, p string) error {
		phone = p
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.Auth.ConfirmOTP(ctx, phone, in.Body.Code); err != nil {
		return nil, err
	}
	out := &linkDecisionOut{}
	err := s.quoteLinkTx(ctx, in.Token, func(tx *tenants.Tx, q orders.Quote, o orders.Order, p string) (err error) {
		out.Body, err = s.Orders.DecideQuote(ctx, tx, o.ID, q.ID, in.Body.QuoteAnswer, "link", "consumer:"+access.MaskPhone(p))
		return err
	})
	return out, err
}

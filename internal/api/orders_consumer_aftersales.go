package api

// A consumer's after-sales on their own order in a brand's portal: photos uploaded to the
// order (staff see them with the order's attachments), what the order's decision lets them
// do (dispute an exclusion, ask for a return or an exchange), and asking for a return or an
// exchange (internal/returns decides what is allowed, as for staff).

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/returns"
	"github.com/aftersales/aftersales/tenants"
)

// ConsumerReturnKinds are what a consumer may ask for: a return (their money back) or an
// exchange (a new unit).
var ConsumerReturnKinds = []string{"return", "exchange"}

// registerConsumerAfterSalesRoutes adds the consumer's photos, after-sales options and
// return requests.
func registerConsumerAfterSalesRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-attach-photo", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/orders/{id}/attachments", Tags: ctags, DefaultStatus: 201,
		Summary:      "Upload a photo to my order (to back a dispute or a return); the brand's staff see it on the order",
		MaxBodyBytes: orders.MaxAttachmentBytes, Errors: []int{404, 413, 422},
		Description: "A JPEG, PNG or WebP image, its type checked against its bytes. Part of a consumer right: answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerAttachPhoto)
	register(api, s, huma.Operation{OperationID: "consumer-order-after-sales", Method: http.MethodGet,
		Path: "/consumer/tenants/{tenant}/orders/{id}/after-sales", Tags: ctags,
		Summary: "What I may do about my order's decision: dispute its exclusion, ask for a return or an exchange; my disputes and cases of it",
		Errors:  []int{404}},
		route{consumer: true}, s.consumerOrderAfterSales)
	register(api, s, huma.Operation{OperationID: "consumer-ask-return", Method: http.MethodPost,
		Path: "/consumer/tenants/{tenant}/returns", Tags: ctags, DefaultStatus: 201,
		Summary:     "Ask for a return or an exchange of the unit of my order, where its warranty decision allows it; the brand reviews it",
		Errors:      []int{404, 422},
		Description: "A consumer right (三包): answered even while the tenant is read-only."},
		route{consumer: true, right: true}, s.consumerAskReturn)
}

type consumerPhotoIn struct {
	TenantPath
	IDPath
	RawBody []byte `contentType:"image/jpeg" doc:"JPEG, PNG or WebP"`
}

type consumerPhotoOut struct{ Body orders.Attachment }

func (s *Server) consumerAttachPhoto(ctx context.Context, in *consumerPhotoIn) (*consumerPhotoOut, error) {
	out := &consumerPhotoOut{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		out.Body, err = orders.AttachCustomerPhoto(ctx, tx, in.id(), in.RawBody)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ConsumerReturnRef is a case of the order, as its customer follows it.
type ConsumerReturnRef struct {
	ID     uuid.UUID `json:"id"`
	Number string    `json:"number"`
	Status string    `json:"status"`
	Remedy string    `json:"remedy"`
}

// ConsumerAfterSales is what the customer may do about their order's decision.
type ConsumerAfterSales struct {
	Exclusion   string              `json:"exclusion,omitempty" doc:"The cause the diagnosis found the warranty excludes (e.g. misuse); empty: none"`
	MayDispute  bool                `json:"may_dispute" doc:"The order has an exclusion and no dispute of it is open"`
	Disputes    []orders.Dispute    `json:"disputes"`
	Remedies    []string            `json:"remedies" doc:"What the unit's warranty decision allows today (repair, exchange, refund)"`
	ReturnKinds []string            `json:"return_kinds" doc:"What I may ask for: return (my money back) and/or exchange"`
	Returns     []ConsumerReturnRef `json:"returns" doc:"My cases about this order's unit"`
}

type consumerAfterSalesOut struct{ Body ConsumerAfterSales }

func (s *Server) consumerOrderAfterSales(ctx context.Context, in *consumerOrderPath) (*consumerAfterSalesOut, error) {
	out := &consumerAfterSalesOut{Body: ConsumerAfterSales{Disputes: []orders.Dispute{}, Remedies: []string{}, ReturnKinds: []string{},
		Returns: []ConsumerReturnRef{}}}
	var o orders.Order
	var tenantID uuid.UUID
	err := s.consumerTx(ctx, in.Tenant, false, func(tx *tenants.Tx) (err error) {
		tenantID = tx.Scope.TenantID
		if o, err = orders.Get(ctx, tx, in.id()); err != nil { // row-level security: another's order is not found
			return err
		}
		if out.Body.Disputes, err = orders.Disputes(ctx, tx, o.ID); err != nil {
			return err
		}
		cases, err := returns.List(ctx, tx, returns.Filter{Limit: 200})
		if err != nil {
			return err
		}
		for _, c := range cases {
			for _, l := range c.Lines {
				if (l.OrderID != nil && *l.OrderID == o.ID) || (o.RegistrationID != nil && l.RegistrationID == *o.RegistrationID) {
					out.Body.Returns = append(out.Body.Returns, ConsumerReturnRef{ID: c.ID, Number: c.Number, Status: c.Status, Remedy: l.Remedy})
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if o.Completion != nil && o.Completion.Exclusion != "" {
		out.Body.Exclusion = o.Completion.Exclusion
		out.Body.MayDispute = !slices.ContainsFunc(out.Body.Disputes, func(d orders.Dispute) bool { return d.Status == "open" })
	}
	if o.RegistrationID == nil {
		return out, nil
	}
	res, err := coverage.ForUnits(ctx, s.DB, tenantID, s.History, []uuid.UUID{*o.RegistrationID})
	if err != nil {
		return nil, err
	}
	if len(res) == 1 && res[0].Decision.Remedies != nil {
		out.Body.Remedies = res[0].Decision.Remedies
	}
	open := slices.ContainsFunc(out.Body.Returns, func(r ConsumerReturnRef) bool {
		return r.Status != returns.StatusRejected && r.Status != returns.StatusClosed
	})
	if !open {
		if slices.Contains(out.Body.Remedies, returns.RemedyRefund) {
			out.Body.ReturnKinds = append(out.Body.ReturnKinds, "return")
		}
		if slices.Contains(out.Body.Remedies, returns.RemedyRefund) || slices.Contains(out.Body.Remedies, returns.RemedyExchange) {
			out.Body.ReturnKinds = append(out.Body.ReturnKinds, "exchange")
		}
	}
	return out, nil
}

type consumerAskReturnIn struct {
	TenantPath
	Body struct {
		OrderID       uuid.UUID   `json:"order_id" doc:"My order of the unit"`
		Kind          string      `json:"kind" enum:"return,exchange" doc:"return: my money back; exchange: a new unit"`
		Reason        string      `json:"reason" enum:"quality_fault,not_as_described,transport_damage,personal"`
		Description   string      `json:"description,omitempty" maxLength:"2000"`
		Collection    string      `json:"collection,omitempty" enum:"drop_off,courier,pickup_delivery" doc:"How the unit goes back; default: drop_off"`
		AttachmentIDs []uuid.UUID `json:"attachment_ids,omitempty" maxItems:"10" doc:"Photos I uploaded to the order"`
	}
}

// consumerReturnFields names, in the consumer's request, the field an application's problem
// is about.
func consumerReturnFields(err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	switch {
	case strings.HasSuffix(field, ".remedy"):
		field = "kind"
	case strings.HasPrefix(field, "lines"), field == "customer_id":
		field = "order_id"
	}
	return fault.Invalid(field, fe.Reason)
}

func (s *Server) consumerAskReturn(ctx context.Context, in *consumerAskReturnIn) (*consumerReturnOut, error) {
	b := in.Body
	if !slices.Contains(ConsumerReturnKinds, b.Kind) {
		return nil, fault.Invalid("kind", "must be return or exchange")
	}
	remedy := returns.RemedyExchange
	if b.Kind == "return" {
		remedy = returns.RemedyRefund
	}
	if b.Collection == "" {
		b.Collection = returns.CollectionDropOff
	}
	out := &consumerReturnOut{}
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) error {
		o, err := orders.Get(ctx, tx, b.OrderID) // row-level security: another's order is not found
		if errors.Is(err, fault.ErrNotFound) {
			return fault.Invalid("order_id", "is not one of your orders")
		}
		if err != nil {
			return err
		}
		if o.RegistrationID == nil {
			return fault.Invalid("order_id", "the order's unit is not registered: ask the brand")
		}
		photos, err := orders.CustomerPhotos(ctx, tx, o.ID, tx.Scope.CustomerID, b.AttachmentIDs, "attachment_ids")
		if err != nil {
			return err
		}
		customer := tx.Scope.CustomerID
		c, err := s.returns().Apply(ctx, tx, returns.ApplyInput{CustomerID: &customer, OutletID: o.OutletID, Reason: b.Reason,
			Description: b.Description, Collection: b.Collection, AttachmentIDs: photos,
			Lines: []returns.LineInput{{RegistrationID: *o.RegistrationID, OrderID: &o.ID, FaultCode: o.FaultCode, Remedy: remedy,
				Payment: returns.PaymentOutside}}}, false)
		if err != nil {
			return consumerReturnFields(err)
		}
		out.Body = c.ForCustomer()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

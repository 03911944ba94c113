package api

// Parts ordered by consumers at the counter (预订购件, docs/part_orders.md): an outlet's staff
// record the order, its lines hold stock or wait for it (订购待件), the customer is told when
// it arrives (到货通知), pays the order's bill (at the counter or through its pay link) and
// picks the parts up. Who sees an order is the data layer's: a part order belongs to its
// outlet.

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// PartOrderView is a part order with its bill.
type PartOrderView struct {
	stock.PartOrder
	Bill *billing.Bill `json:"bill,omitempty" doc:"The order's bill to the customer (issued when the order is recorded)"`
}

// PartOrderOutput is one part order with its ETag.
type PartOrderOutput struct {
	ETag string `header:"ETag"`
	Body PartOrderView
}

type partOrderStatus string

func (partOrderStatus) Schema(huma.Registry) *huma.Schema { return enumSchema(stock.PartOrderStatuses) }

func registerPartOrderRoutes(api huma.API, s *Server) {
	tags := []string{"Part orders"}
	register(api, s, huma.Operation{OperationID: "create-part-order", Method: http.MethodPost, Path: "/part-orders", Tags: tags,
		Summary:       "Record a customer's order for parts at an outlet's counter (预订购件)",
		DefaultStatus: 201, Errors: []int{409, 422},
		Description: "Each line holds the part at the outlet's warehouse when it is available; otherwise it waits (订购待件) and a " +
			"replenishment request asks for it. Stock received later serves the waiting lines; when nothing waits any more the " +
			"order is ready and the customer gets the arrival notice (part_order.arrived). The order's bill (the parts at their " +
			"consumer price) is issued at once; its pay link is returned once, in bill.pay_url."},
		route{perm: access.BillsWrite, idem: true}, s.createPartOrder)
	register(api, s, huma.Operation{OperationID: "list-part-orders", Method: http.MethodGet, Path: "/part-orders", Tags: tags,
		Summary: "Part orders, newest first", Errors: []int{422}, Description: "Outlet staff see their outlet's orders only."},
		route{perm: access.BillsRead}, s.listPartOrders)
	register(api, s, huma.Operation{OperationID: "get-part-order", Method: http.MethodGet, Path: "/part-orders/{id}", Tags: tags,
		Summary: "Get a part order with its lines and bill", Errors: []int{404}},
		route{perm: access.BillsRead}, s.getPartOrder)
	register(api, s, huma.Operation{OperationID: "pick-up-part-order", Method: http.MethodPost, Path: "/part-orders/{id}/pickup", Tags: tags,
		Summary: "Hand the parts to the customer: issues them out of the warehouse (consumer_purchase)",
		Errors:  []int{404, 409, 412, 422, 428},
		Description: "Refused while a part is still waited for and until the order's bill is paid (or a manager released it). " +
			"Lines of serial-tracked parts name the serials handed over, one per unit, each in stock at the order's warehouse; " +
			"they are then the customer's (sold)."},
		route{perm: access.BillsWrite}, s.pickUpPartOrder)
	register(api, s, huma.Operation{OperationID: "part-order-pickup-serials", Method: http.MethodGet, Path: "/part-orders/{id}/pickup-serials",
		Tags: tags, Summary: "The serials a part order's pickup may hand over: per serial-tracked line, its part's units in stock at the order's warehouse",
		Errors: []int{404}, Description: "Asked by whoever hands the order over (the pickup's permission); empty once the order is picked up or cancelled."},
		route{perm: access.BillsWrite}, s.partOrderPickupSerials)
	register(api, s, huma.Operation{OperationID: "cancel-part-order", Method: http.MethodPost, Path: "/part-orders/{id}/cancel", Tags: tags,
		Summary:     "Cancel a part order: what its lines hold is released, an unpaid bill is void",
		Errors:      []int{404, 409, 412, 422, 428},
		Description: "Refused once picked up, and while the customer has money paid on its bill (refund it first)."},
		route{perm: access.BillsWrite}, s.cancelPartOrder)
}

// partOrderView adds the order's bill.
func partOrderView(ctx context.Context, tx *tenants.Tx, po stock.PartOrder) (PartOrderView, error) {
	v := PartOrderView{PartOrder: po}
	b, err := billing.BillOfPartOrder(ctx, tx, po.ID)
	if err == nil {
		v.Bill = &b
	} else if !errors.Is(err, fault.ErrNotFound) {
		return v, err
	}
	return v, nil
}

func partOrderOut(v PartOrderView) *PartOrderOutput {
	return &PartOrderOutput{ETag: etag(v.Version), Body: v}
}

type createPartOrderIn struct {
	Body stock.PartOrderInput
}

func (s *Server) createPartOrder(ctx context.Context, in *createPartOrderIn) (*PartOrderOutput, error) {
	v, err := within(ctx, s, func(tx *tenants.Tx) (PartOrderView, error) {
		po, err := s.stock().CreatePartOrder(ctx, tx, in.Body)
		if err != nil {
			return PartOrderView{}, err
		}
		b, err := s.Billing.BillPartOrder(ctx, tx, po)
		if err != nil {
			return PartOrderView{}, err
		}
		return PartOrderView{PartOrder: po, Bill: &b}, nil
	})
	if err != nil {
		return nil, err
	}
	return partOrderOut(v), nil
}

type listPartOrdersIn struct {
	PageQuery
	Status   partOrderStatus `query:"status" doc:"Orders in this status; all when omitted"`
	Outlet   string          `query:"outlet_id" format:"uuid" doc:"Orders of this outlet"`
	Customer string          `query:"customer_id" format:"uuid" doc:"Orders of this customer"`
}

func (s *Server) listPartOrders(ctx context.Context, in *listPartOrdersIn) (*PageOutput[stock.PartOrder], error) {
	before, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.PartOrder, error) {
		return stock.ListPartOrders(ctx, tx, stock.PartOrderFilter{Status: string(in.Status), Outlet: optionalID(in.Outlet),
			Customer: optionalID(in.Customer), Before: before, Limit: in.limit() + 1})
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(p stock.PartOrder) uuid.UUID { return p.ID }), nil
}

// partOrderAnswer answers with the part order fn reads or changes in the caller's
// transaction, with its bill.
func (s *Server) partOrderAnswer(ctx context.Context, fn func(tx *tenants.Tx) (stock.PartOrder, error)) (*PartOrderOutput, error) {
	v, err := within(ctx, s, func(tx *tenants.Tx) (PartOrderView, error) {
		po, err := fn(tx)
		if err != nil {
			return PartOrderView{}, err
		}
		return partOrderView(ctx, tx, po)
	})
	if err != nil {
		return nil, err
	}
	return partOrderOut(v), nil
}

func (s *Server) getPartOrder(ctx context.Context, in *IDPath) (*PartOrderOutput, error) {
	return s.partOrderAnswer(ctx, func(tx *tenants.Tx) (stock.PartOrder, error) { return stock.GetPartOrder(ctx, tx, in.id()) })
}

type pickupSerialsOut struct {
	Body struct {
		Items []stock.PickupChoice `json:"items"`
	}
}

func (s *Server) partOrderPickupSerials(ctx context.Context, in *IDPath) (*pickupSerialsOut, error) {
	items, err := within(ctx, s, func(tx *tenants.Tx) ([]stock.PickupChoice, error) { return stock.PickupChoices(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	out := &pickupSerialsOut{}
	out.Body.Items = items
	return out, nil
}

type pickUpPartOrderIn struct {
	IDPath
	IfMatch
	Body *stock.PickupInput `doc:"The serials handed over for lines of serial-tracked parts (no body when there are none)"`
}

func (s *Server) pickUpPartOrder(ctx context.Context, in *pickUpPartOrderIn) (*PartOrderOutput, error) {
	ver, err := in.version()
	if err != nil {
		return nil, err
	}
	var body stock.PickupInput
	if in.Body != nil {
		body = *in.Body
	}
	return s.partOrderAnswer(ctx, func(tx *tenants.Tx) (stock.PartOrder, error) {
		return s.stock().PickUpPartOrder(ctx, tx, in.id(), ver, body)
	})
}

type cancelPartOrderIn struct {
	IDPath
	IfMatch
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why the order is cancelled"`
	}
}

func (s *Server) cancelPartOrder(ctx context.Context, in *cancelPartOrderIn) (*PartOrderOutput, error) {
	ver, err := in.version()
	if err != nil {
		return nil, err
	}
	return s.partOrderAnswer(ctx, func(tx *tenants.Tx) (stock.PartOrder, error) {
		return s.stock().CancelPartOrder(ctx, tx, in.id(), ver, in.Body.Reason)
	})
}

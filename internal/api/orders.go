package api

// Service orders: the list, intake, one order and its facts, status moves, the timeline,
// comments, the tracking link and the engineer's report. The order's parts (attachments,
// quotes, engineers, appointments, disputes) have files of their own (orders_*.go).

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// OrderOutput is one order with its ETag.
type OrderOutput struct {
	ETag string `header:"ETag"`
	Body orders.Order
}

func orderOut(o orders.Order, err error) (*OrderOutput, error) {
	if err != nil {
		return nil, err
	}
	return &OrderOutput{ETag: etag(o.Version), Body: o}, nil
}

// OrderFilter is the query of order lists.
type OrderFilter struct {
	Status       string `query:"status" maxLength:"300" doc:"Comma-separated statuses"`
	Type         string `query:"type" maxLength:"40"`
	Outlet       string `query:"outlet_id" format:"uuid"`
	Engineer     string `query:"engineer_id" format:"uuid" doc:"Orders offered to or accepted by this engineer"`
	Customer     string `query:"customer_id" format:"uuid"`
	Registration string `query:"registration_id" format:"uuid"`
	From         string `query:"from" format:"date-time" doc:"Created at or after"`
	To           string `query:"to" format:"date-time" doc:"Created before"`
	Repeat       string `query:"repeat" enum:"true,false" doc:"Only repeat repairs (true) or only first ones (false)"`
	OpenOlder    string `query:"open_older_than" pattern:"^[0-9]{1,4}h$" doc:"Open orders created more than this many hours ago, e.g. 48h"`
	Overdue      bool   `query:"overdue" doc:"Only orders with a breached or overdue time limit"`
	Undispatched bool   `query:"undispatched" doc:"The dispatch queue: open orders waiting for dispatch (no outlet, or no lead engineer offered or accepted), ranked paid promises first, then priority; one page, no cursor. Takes only the type and outlet_id filters."`
}

func (f OrderFilter) filter(now time.Time) (orders.Filter, error) {
	if f.Undispatched {
		// The queue is its own ranked read; the other filters select among all orders.
		for _, q := range []struct{ name, v string }{{"status", f.Status}, {"engineer_id", f.Engineer},
			{"customer_id", f.Customer}, {"registration_id", f.Registration}, {"from", f.From}, {"to", f.To},
			{"repeat", f.Repeat}, {"open_older_than", f.OpenOlder}} {
			if q.v != "" {
				return orders.Filter{}, fault.Invalid("query."+q.name, "is not accepted with undispatched=true: the dispatch queue takes only type and outlet_id")
			}
		}
		if f.Overdue {
			return orders.Filter{}, fault.Invalid("query.overdue", "is not accepted with undispatched=true: the dispatch queue takes only type and outlet_id")
		}
	}
	out := orders.Filter{Type: f.Type, Overdue: f.Overdue, Undispatched: f.Undispatched, Outlet: optionalID(f.Outlet), Engineer: optionalID(f.Engineer),
		Customer: optionalID(f.Customer), Registration: optionalID(f.Registration)}
	if f.Status != "" {
		out.Statuses = strings.Split(f.Status, ",")
	}
	for _, t := range []struct {
		s   string
		dst **time.Time
		loc string
	}{{f.From, &out.From, "query.from"}, {f.To, &out.To, "query.to"}} {
		if t.s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.s)
		if err != nil {
			return out, fault.Invalid(t.loc, "must be an RFC 3339 time")
		}
		*t.dst = &v
	}
	if f.Repeat != "" {
		r := f.Repeat == "true"
		out.Repeat = &r
	}
	if f.OpenOlder != "" {
		d, _ := time.ParseDuration(f.OpenOlder)
		cut := now.Add(-d)
		out.OverdueBefore = &cut
	}
	return out, nil
}

// ItemsOutput is a list that is not paged (the parts of one order).
type ItemsOutput[T any] struct {
	Body Items[T]
}

// Items are the elements of an unpaged list.
type Items[T any] struct {
	Items []T `json:"items"`
}

// orderParts registers GET {path} listing one kind of an order's parts: the order must be
// in the caller's scope (another outlet's or tenant's order is not found), then list reads
// its parts.
func orderParts[T any](api huma.API, s *Server, op huma.Operation, perm access.Permission,
	list func(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]T, error)) {
	op.Method, op.Errors = http.MethodGet, []int{404}
	register(api, s, op, route{perm: perm}, orderPartLister[T]{s: s, list: list}.listOrderParts)
}

// orderPartLister answers the operations orderParts registers.
type orderPartLister[T any] struct {
	s    *Server
	list func(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]T, error)
}

func (l orderPartLister[T]) listOrderParts(ctx context.Context, in *IDPath) (*ItemsOutput[T], error) {
	items, err := within(ctx, l.s, func(tx *tenants.Tx) ([]T, error) {
		if _, err := orders.Get(ctx, tx, in.id()); err != nil {
			return nil, err
		}
		return l.list(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []T{}
	}
	return &ItemsOutput[T]{Body: Items[T]{Items: items}}, nil
}

// optionalVersion parses an optional If-Match header (0: not sent).
func optionalVersion(h string) (int32, error) {
	if h == "" {
		return 0, nil
	}
	return IfMatch{IfMatch: h}.version()
}

// registerOrderRoutes adds the service orders themselves.
func registerOrderRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	register(api, s, huma.Operation{OperationID: "list-orders", Method: http.MethodGet, Path: "/orders", Tags: tags,
		Summary: "List service orders, newest first", Description: "Outlet staff see their outlet's orders only."},
		route{perm: access.OrdersRead}, s.listOrders)
	register(api, s, huma.Operation{OperationID: "create-order", Method: http.MethodPost, Path: "/orders", Tags: tags,
		Summary: "Take a service order in", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "Finds or creates the customer, links the registered unit (or flags an unregistered one), snapshots " +
			"the entitlement decision, flags a repeat repair, proposes an outlet, and numbers the order without gaps. " +
			"The tracking link is returned once."},
		route{perm: access.OrdersWrite, idem: true}, s.createOrder)
	register(api, s, huma.Operation{OperationID: "get-order", Method: http.MethodGet, Path: "/orders/{id}", Tags: tags,
		Summary: "Get a service order", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getOrder)
	register(api, s, huma.Operation{OperationID: "update-order", Method: http.MethodPut, Path: "/orders/{id}", Tags: tags,
		Summary:     "Change an order's facts (fault, urgency, address, designated engineer)",
		Description: "A changed fault re-evaluates the entitlement; the change is on the timeline.", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.OrdersWrite}, s.updateOrder)
	register(api, s, huma.Operation{OperationID: "transition-order", Method: http.MethodPost, Path: "/orders/{id}/transitions", Tags: tags,
		Summary: "Move an order to another status",
		Description: "The order's status machine decides; a move it does not allow is a 409 naming the allowed ones. Approving " +
			"or rejecting finished work needs the audit permission. Cancelling, rejecting and reopening need a reason.",
		Errors: []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.transitionOrder)
	orderParts(api, s, huma.Operation{OperationID: "order-timeline", Path: "/orders/{id}/timeline", Tags: tags,
		Summary: "The order's timeline: every change with who, when, from, to and why"}, access.OrdersRead, staffTimeline)
	register(api, s, huma.Operation{OperationID: "comment-order", Method: http.MethodPost, Path: "/orders/{id}/comments", Tags: tags,
		Summary: "Comment on an order (internal, or visible to the customer)", DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.commentOrder)
	register(api, s, huma.Operation{OperationID: "renew-tracking-link", Method: http.MethodPost, Path: "/orders/{id}/tracking-link", Tags: tags,
		Summary: "Issue a new tracking link (the old one stops working)", Errors: []int{404}},
		route{perm: access.OrdersWrite}, s.renewTrackingLink)
	register(api, s, huma.Operation{OperationID: "complete-order", Method: http.MethodPost, Path: "/orders/{id}/completion", Tags: tags,
		Summary:     "File the engineer's report: diagnosis, work, parts, result, evidence",
		Description: "Moves the order by the result and re-evaluates the entitlement (an exclusion needs evidence).",
		Errors:      []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.completeOrder)
}

type listOrdersIn struct {
	PageQuery
	OrderFilter
}

func (s *Server) listOrders(ctx context.Context, in *listOrdersIn) (*PageOutput[orders.Order], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	f, err := in.OrderFilter.filter(time.Now())
	if err != nil {
		return nil, err
	}
	if f.Undispatched && after.Valid {
		// The dispatch queue is ranked (paid promises, then priority), not ordered by id.
		return nil, huma.Error422UnprocessableEntity("the dispatch queue is ranked, not paged",
			&huma.ErrorDetail{Location: "query.cursor", Message: "is not accepted with undispatched=true; ask for a larger limit", Value: in.Cursor})
	}
	f.BeforeID, f.Limit = after, in.limit()+1
	var rows []orders.Order
	if f.Undispatched {
		rows, err = within(ctx, s, func(tx *tenants.Tx) ([]orders.Order, error) { return orders.DispatchQueue(ctx, tx, f) })
	} else { // one statement: one round trip
		err = s.read(ctx, func(q db.DBTX) (err error) {
			rows, err = orders.Filtered(ctx, q, f)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	page := pageOf(rows, in.limit(), func(o orders.Order) uuid.UUID { return o.ID })
	if f.Undispatched {
		page.Body.NextCursor = "" // the first limit of the ranked queue; no id cursor continues it
	}
	return page, nil
}

type createOrderIn struct{ Body orders.Intake }

type createdOrderOut struct {
	Location string `header:"Location"`
	ETag     string `header:"ETag"`
	Body     orders.Created
}

func (s *Server) createOrder(ctx context.Context, in *createOrderIn) (*createdOrderOut, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (orders.Created, error) { return s.Orders.Create(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &createdOrderOut{Location: "/v1/orders/" + c.Order.ID.String(), ETag: etag(c.Order.Version), Body: c}, nil
}

func (s *Server) getOrder(ctx context.Context, in *IDPath) (*OrderOutput, error) {
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) { return orders.Get(ctx, tx, in.id()) }))
}

type updateOrderIn struct {
	IDPath
	IfMatch
	Body orders.Update
}

func (s *Server) updateOrder(ctx context.Context, in *updateOrderIn) (*OrderOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.UpdateFacts(ctx, tx, in.id(), v, in.Body)
	}))
}

type transitionIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"Optional: the ETag you read; a stale one is refused with 412"`
	Body    orders.TransitionInput
}

func (s *Server) transitionOrder(ctx context.Context, in *transitionIn) (*OrderOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	if orders.IsAudit(in.Body.To) && !principal(ctx).Can(access.OrdersAudit) {
		return nil, huma.Error403Forbidden("approving or rejecting work needs the orders:audit permission (outlet manager or brand)")
	}
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.Transition(ctx, tx, in.id(), v, in.Body)
	}))
}

// staffTimeline is an order's whole timeline, internal entries included.
func staffTimeline(ctx context.Context, tx *tenants.Tx, id uuid.UUID) ([]orders.Entry, error) {
	return orders.Timeline(ctx, tx, id, false)
}

type commentIn struct {
	IDPath
	Body orders.Comment
}

type entryOut struct{ Body orders.Entry }

func (s *Server) commentOrder(ctx context.Context, in *commentIn) (*entryOut, error) {
	e, err := within(ctx, s, func(tx *tenants.Tx) (orders.Entry, error) {
		return s.Orders.AddComment(ctx, tx, in.id(), in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &entryOut{Body: e}, nil
}

type linkOut struct {
	Body struct {
		TrackingURL string `json:"tracking_url"`
	}
}

func (s *Server) renewTrackingLink(ctx context.Context, in *IDPath) (*linkOut, error) {
	out := &linkOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.TrackingURL, err = s.Orders.NewTrackingLink(ctx, tx, in.id())
		return err
	})
	return out, err
}

type completeIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"Optional: the ETag you read"`
	Body    orders.Completion
}

func (s *Server) completeOrder(ctx context.Context, in *completeIn) (*OrderOutput, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
		return s.Orders.Complete(ctx, tx, in.id(), v, in.Body)
	}))
}

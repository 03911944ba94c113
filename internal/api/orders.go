package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// orderService is the order runner of this server: its events and timers go through the
// server's job client, its links start at the public URL.
func (s *Server) orderService() *orders.Service {
	svc := &orders.Service{PublicURL: s.Config.PublicURL}
	if s.Jobs != nil {
		svc.Jobs = s.Jobs
	}
	return svc
}

// limits is where appointment bookings learn the order's time limit.
func (s *Server) limits() orders.Limits {
	if s.Limits != nil {
		return s.Limits
	}
	return sla.VisitLimits{} // the order's SLA clocks
}

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
}

func (f OrderFilter) filter(now time.Time) (orders.Filter, error) {
	out := orders.Filter{Type: f.Type, Overdue: f.Overdue, Outlet: optionalID(f.Outlet), Engineer: optionalID(f.Engineer),
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
			return out, tenants.Invalid(t.loc, "must be an RFC 3339 time")
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
func orderParts[T any](s *Server, op huma.Operation, perm access.Permission,
	list func(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]T, error)) {
	op.Method, op.Errors = http.MethodGet, []int{404}
	register(s, op, route{perm: perm}, func(ctx context.Context, in *IDPath) (*ItemsOutput[T], error) {
		items, err := within(ctx, s, func(tx *tenants.Tx) ([]T, error) {
			if _, err := orders.Get(ctx, tx, in.id()); err != nil {
				return nil, err
			}
			return list(ctx, tx, in.id())
		})
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []T{}
		}
		return &ItemsOutput[T]{Body: Items[T]{Items: items}}, nil
	})
}

func registerOrders(s *Server) {
	tags := []string{"Service orders"}
	type listIn struct {
		PageQuery
		OrderFilter
	}
	register(s, huma.Operation{OperationID: "list-orders", Method: http.MethodGet, Path: "/v1/orders", Tags: tags,
		Summary: "List service orders, newest first", Description: "Outlet staff see their outlet's orders only."},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *listIn) (*PageOutput[orders.Order], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			f, err := in.OrderFilter.filter(time.Now())
			if err != nil {
				return nil, err
			}
			f.BeforeID, f.Limit = after, in.limit()+1
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]orders.Order, error) { return orders.List(ctx, tx, f) })
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(o orders.Order) uuid.UUID { return o.ID }), nil
		})

	type createOrderIn struct{ Body orders.Intake }
	type createdOut struct {
		Location string `header:"Location"`
		ETag     string `header:"ETag"`
		Body     orders.Created
	}
	register(s, huma.Operation{OperationID: "create-order", Method: http.MethodPost, Path: "/v1/orders", Tags: tags,
		Summary: "Take a service order in", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "Finds or creates the customer, links the registered unit (or flags an unregistered one), snapshots " +
			"the entitlement decision, flags a repeat repair, proposes an outlet, and numbers the order without gaps. " +
			"The tracking link is returned once."},
		route{perm: access.OrdersWrite, idem: true}, func(ctx context.Context, in *createOrderIn) (*createdOut, error) {
			c, err := within(ctx, s, func(tx *tenants.Tx) (orders.Created, error) { return s.orderService().Create(ctx, tx, in.Body) })
			if err != nil {
				return nil, err
			}
			return &createdOut{Location: "/v1/orders/" + c.Order.ID.String(), ETag: etag(c.Order.Version), Body: c}, nil
		})

	register(s, huma.Operation{OperationID: "get-order", Method: http.MethodGet, Path: "/v1/orders/{id}", Tags: tags,
		Summary: "Get a service order", Errors: []int{404}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *IDPath) (*OrderOutput, error) {
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) { return orders.Get(ctx, tx, in.id()) }))
		})

	type updateOrderIn struct {
		IDPath
		IfMatch
		Body orders.Update
	}
	register(s, huma.Operation{OperationID: "update-order", Method: http.MethodPut, Path: "/v1/orders/{id}", Tags: tags,
		Summary:     "Change an order's facts (fault, urgency, address, designated engineer)",
		Description: "A changed fault re-evaluates the entitlement; the change is on the timeline.", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *updateOrderIn) (*OrderOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().UpdateFacts(ctx, tx, in.id(), v, in.Body)
			}))
		})

	type transitionIn struct {
		IDPath
		IfMatch string `header:"If-Match" doc:"Optional: the ETag you read; a stale one is refused with 412"`
		Body    orders.TransitionInput
	}
	register(s, huma.Operation{OperationID: "transition-order", Method: http.MethodPost, Path: "/v1/orders/{id}/transitions", Tags: tags,
		Summary: "Move an order to another status",
		Description: "The order's status machine decides; a move it does not allow is a 409 naming the allowed ones. Approving " +
			"or rejecting finished work needs the audit permission. Cancelling, rejecting and reopening need a reason.",
		Errors: []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *transitionIn) (*OrderOutput, error) {
			v, err := optionalVersion(in.IfMatch)
			if err != nil {
				return nil, err
			}
			if orders.IsAudit(in.Body.To) && !principal(ctx).Can(access.OrdersAudit) {
				return nil, huma.Error403Forbidden("approving or rejecting work needs the orders:audit permission (outlet manager or brand)")
			}
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().Transition(ctx, tx, in.id(), v, in.Body)
			}))
		})

	orderParts(s, huma.Operation{OperationID: "order-timeline", Path: "/v1/orders/{id}/timeline", Tags: tags,
		Summary: "The order's timeline: every change with who, when, from, to and why"}, access.OrdersRead, func(ctx context.Context, tx *tenants.Tx, id uuid.UUID) ([]orders.Entry, error) {
		return orders.Timeline(ctx, tx, id, false)
	})

	type commentIn struct {
		IDPath
		Body orders.Comment
	}
	type entryOut struct{ Body orders.Entry }
	register(s, huma.Operation{OperationID: "comment-order", Method: http.MethodPost, Path: "/v1/orders/{id}/comments", Tags: tags,
		Summary: "Comment on an order (internal, or visible to the customer)", DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *commentIn) (*entryOut, error) {
			e, err := within(ctx, s, func(tx *tenants.Tx) (orders.Entry, error) {
				return s.orderService().AddComment(ctx, tx, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &entryOut{Body: e}, nil
		})

	type linkOut struct {
		Body struct {
			TrackingURL string `json:"tracking_url"`
		}
	}
	register(s, huma.Operation{OperationID: "renew-tracking-link", Method: http.MethodPost, Path: "/v1/orders/{id}/tracking-link", Tags: tags,
		Summary: "Issue a new tracking link (the old one stops working)", Errors: []int{404}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *IDPath) (*linkOut, error) {
			out := &linkOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.TrackingURL, err = s.orderService().NewTrackingLink(ctx, tx, in.id())
				return err
			})
			return out, err
		})

	type completeIn struct {
		IDPath
		IfMatch string `header:"If-Match" doc:"Optional: the ETag you read"`
		Body    orders.Completion
	}
	register(s, huma.Operation{OperationID: "complete-order", Method: http.MethodPost, Path: "/v1/orders/{id}/completion", Tags: tags,
		Summary:     "File the engineer's report: diagnosis, work, parts, result, evidence",
		Description: "Moves the order by the result and re-evaluates the entitlement (an exclusion needs evidence).",
		Errors:      []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *completeIn) (*OrderOutput, error) {
			v, err := optionalVersion(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().Complete(ctx, tx, in.id(), v, in.Body)
			}))
		})

	registerOrderParts(s)
	registerDispatch(s)
	registerOrderConsumer(s)
}

// optionalVersion parses an optional If-Match header (0: not sent).
func optionalVersion(h string) (int32, error) {
	if h == "" {
		return 0, nil
	}
	return IfMatch{IfMatch: h}.version()
}

func registerOrderParts(s *Server) {
	tags := []string{"Service orders"}

	// Attachments.
	type attachIn struct {
		IDPath
		Kind    attachmentKind `query:"kind" default:"photo"`
		Public  bool           `query:"public" doc:"Show it to the customer"`
		RawBody []byte         `contentType:"image/jpeg" doc:"JPEG, PNG, WebP or PDF"`
	}
	type attachmentOut struct{ Body orders.Attachment }
	register(s, huma.Operation{OperationID: "attach-to-order", Method: http.MethodPost, Path: "/v1/orders/{id}/attachments", Tags: tags,
		Summary: "Attach a photo, the customer's signature or evidence", DefaultStatus: 201,
		MaxBodyBytes: orders.MaxAttachmentBytes, Errors: []int{404, 413, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *attachIn) (*attachmentOut, error) {
			a, err := within(ctx, s, func(tx *tenants.Tx) (orders.Attachment, error) {
				return orders.Attach(ctx, tx, in.id(), string(in.Kind), in.Public, in.RawBody)
			})
			if err != nil {
				return nil, err
			}
			return &attachmentOut{Body: a}, nil
		})
	orderParts(s, huma.Operation{OperationID: "list-order-attachments", Path: "/v1/orders/{id}/attachments", Tags: tags,
		Summary: "List an order's attachments"}, access.OrdersRead, orders.Attachments)
	register(s, huma.Operation{OperationID: "get-attachment", Method: http.MethodGet, Path: "/v1/attachments/{id}", Tags: tags,
		Summary: "Download an attachment", Errors: []int{404}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *IDPath) (*InvoiceImageOutput, error) {
			out := &InvoiceImageOutput{CacheControl: "private, max-age=300"}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.ContentType, out.Body, err = orders.AttachmentContent(ctx, tx, in.id())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	// Quotes.
	type quoteIn struct {
		IDPath
		Body orders.QuoteInput
	}
	type quoteOut struct{ Body orders.Quote }
	register(s, huma.Operation{OperationID: "create-quote", Method: http.MethodPost, Path: "/v1/orders/{id}/quotes", Tags: tags,
		Summary: "Send a quote for charged work to the customer", DefaultStatus: 201,
		Description: "Each line is marked covered, shared or charged per the order's entitlement. The approval link is " +
			"returned once; an earlier open quote is superseded.", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersWrite, idem: true}, func(ctx context.Context, in *quoteIn) (*quoteOut, error) {
			q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) {
				return s.orderService().CreateQuote(ctx, tx, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &quoteOut{Body: q}, nil
		})
	orderParts(s, huma.Operation{OperationID: "list-quotes", Path: "/v1/orders/{id}/quotes", Tags: tags,
		Summary: "List an order's quotes and the customer's answers"}, access.OrdersRead, orders.Quotes)
	type staffDecisionIn struct {
		IDPath
		Body orders.QuoteAnswer
	}
	register(s, huma.Operation{OperationID: "get-quote", Method: http.MethodGet, Path: "/v1/quotes/{id}", Tags: tags,
		Summary: "Get a quote with the customer's answer", Errors: []int{404}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *IDPath) (*quoteOut, error) {
			q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) { return orders.GetQuote(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &quoteOut{Body: q}, nil
		})
	register(s, huma.Operation{OperationID: "record-quote-decision", Method: http.MethodPost, Path: "/v1/quotes/{id}/decision", Tags: tags,
		Summary: "Record the customer's answer to a quote taken by phone or at the counter", Errors: []int{404, 409}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *staffDecisionIn) (*quoteOut, error) {
			q, err := within(ctx, s, func(tx *tenants.Tx) (orders.Quote, error) {
				orderID, err := orders.QuoteOrder(ctx, tx, in.id())
				if err != nil {
					return orders.Quote{}, err
				}
				return s.orderService().DecideQuote(ctx, tx, orderID, in.id(), in.Body.Approve, "staff", tx.Scope.Actor.Label)
			})
			if err != nil {
				return nil, err
			}
			return &quoteOut{Body: q}, nil
		})

	// Engineers.
	orderParts(s, huma.Operation{OperationID: "list-order-engineers", Path: "/v1/orders/{id}/engineers", Tags: tags,
		Summary: "The engineers on an order, their roles and answers"}, access.OrdersRead, orders.Engineers)
	type engProposalsOut struct {
		Body struct {
			Items []dispatch.EngineerCandidate `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "propose-engineers", Method: http.MethodGet, Path: "/v1/orders/{id}/engineer-proposals", Tags: tags,
		Summary: "Engineers of the order's outlet ranked by the dispatch rules, with the rule and reasons", Errors: []int{404, 409}},
		route{perm: access.OrdersDispatch}, func(ctx context.Context, in *IDPath) (*engProposalsOut, error) {
			out := &engProposalsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = s.orderService().ProposeEngineers(ctx, tx, in.id())
				return err
			})
			return out, err
		})
	type assignIn struct {
		IDPath
		Body orders.Assignment
	}
	register(s, huma.Operation{OperationID: "assign-engineer", Method: http.MethodPost, Path: "/v1/orders/{id}/engineers", Tags: tags,
		Summary:     "Offer the order to an engineer (lead or assistant); without a user, to the proposed one",
		Description: "Overriding the proposal needs a reason and is audited. A lead on an accepted on-site order dispatches it.",
		Errors:      []int{404, 409, 422}},
		route{perm: access.OrdersDispatch}, func(ctx context.Context, in *assignIn) (*OrderOutput, error) {
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().Assign(ctx, tx, in.id(), in.Body)
			}))
		})
	type answerIn struct {
		IDPath
		Body orders.Answer
	}
	register(s, huma.Operation{OperationID: "answer-order", Method: http.MethodPost, Path: "/v1/orders/{id}/answer", Tags: tags,
		Summary:     "Accept or decline an order offered to me (engineers)",
		Description: "Declining needs a reason; the order then goes to the next engineer by the dispatch rules.",
		Errors:      []int{404, 409, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *answerIn) (*OrderOutput, error) {
			p := principal(ctx)
			if p.UserID == uuid.Nil {
				return nil, huma.Error403Forbidden("only an engineer signed in as themselves answers an offer")
			}
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().Answer(ctx, tx, in.id(), p.UserID, in.Body)
			}))
		})

	// Outlet dispatch.
	type outletProposalsOut struct {
		Body struct {
			Items []dispatch.OutletCandidate `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "propose-outlets", Method: http.MethodGet, Path: "/v1/orders/{id}/outlet-proposals", Tags: tags,
		Summary: "Outlets covering the order's address, best first, with reasons", Errors: []int{404}},
		route{perm: access.OrdersDispatch}, func(ctx context.Context, in *IDPath) (*outletProposalsOut, error) {
			out := &outletProposalsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = s.orderService().ProposeOutlets(ctx, tx, in.id())
				if out.Body.Items == nil {
					out.Body.Items = []dispatch.OutletCandidate{}
				}
				return err
			})
			return out, err
		})
	type outletIn struct {
		IDPath
		IfMatch
		Body orders.OutletChange
	}
	register(s, huma.Operation{OperationID: "set-order-outlet", Method: http.MethodPut, Path: "/v1/orders/{id}/outlet", Tags: tags,
		Summary: "Dispatch the order to an outlet by hand (audited, with a reason)", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.OrdersDispatch}, func(ctx context.Context, in *outletIn) (*OrderOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			return orderOut(within(ctx, s, func(tx *tenants.Tx) (orders.Order, error) {
				return s.orderService().SetOutlet(ctx, tx, in.id(), v, in.Body)
			}))
		})

	// Appointments.
	type slotsIn struct {
		IDPath
		From string `query:"from" format:"date-time" doc:"Default: now"`
		Days int    `query:"days" minimum:"1" maximum:"60" default:"7"`
	}
	type slotsOut struct {
		Body struct {
			Items []orders.Slot `json:"items"`
		}
	}
	slots := func(ctx context.Context, tx *tenants.Tx, in *slotsIn) ([]orders.Slot, error) {
		from := time.Now()
		if in.From != "" {
			t, err := time.Parse(time.RFC3339, in.From)
			if err != nil {
				return nil, tenants.Invalid("query.from", "must be an RFC 3339 time")
			}
			from = t
		}
		days := in.Days
		if days == 0 {
			days = 7
		}
		items, err := s.orderService().Slots(ctx, tx, in.id(), from, days)
		if items == nil {
			items = []orders.Slot{}
		}
		return items, err
	}
	register(s, huma.Operation{OperationID: "order-slots", Method: http.MethodGet, Path: "/v1/orders/{id}/slots", Tags: tags,
		Summary: "Appointment windows of the order's outlet with places left", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *slotsIn) (*slotsOut, error) {
			out := &slotsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = slots(ctx, tx, in)
				return err
			})
			return out, err
		})
	type bookIn struct {
		IDPath
		IfMatch string `header:"If-Match" doc:"Optional: the ETag you read"`
		Body    orders.BookingInput
	}
	type bookingOut struct{ Body orders.Booking }
	register(s, huma.Operation{OperationID: "book-appointment", Method: http.MethodPost, Path: "/v1/orders/{id}/appointment", Tags: tags,
		Summary:     "Book or reschedule the order's appointment",
		Description: "Rescheduling needs a reason and is counted; a window past the order's time limit is booked with a warning.",
		Errors:      []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *bookIn) (*bookingOut, error) {
			v, err := optionalVersion(in.IfMatch)
			if err != nil {
				return nil, err
			}
			b, err := within(ctx, s, func(tx *tenants.Tx) (orders.Booking, error) {
				return s.orderService().Book(ctx, tx, in.id(), v, in.Body, "staff", s.limits())
			})
			if err != nil {
				return nil, err
			}
			return &bookingOut{Body: b}, nil
		})
	orderParts(s, huma.Operation{OperationID: "list-appointments", Path: "/v1/orders/{id}/appointments", Tags: tags,
		Summary: "The order's appointments, earlier ones as moved or cancelled"}, access.OrdersRead, orders.Appointments)

	// Disputes.
	orderParts(s, huma.Operation{OperationID: "list-disputes", Path: "/v1/orders/{id}/disputes", Tags: tags,
		Summary: "The customer's disputes of the order's exclusion decision"}, access.OrdersRead, orders.Disputes)
	type staffDisputeIn struct {
		IDPath
		Body struct {
			Statement string `json:"statement" minLength:"1" maxLength:"4000" doc:"The customer's words, as taken by phone or at the counter"`
		}
	}
	type disputeOut struct{ Body orders.Dispute }
	register(s, huma.Operation{OperationID: "open-dispute", Method: http.MethodPost, Path: "/v1/orders/{id}/disputes", Tags: tags,
		Summary: "Open a dispute of the exclusion decision for the customer", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *staffDisputeIn) (*disputeOut, error) {
			d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) {
				return s.orderService().OpenDispute(ctx, tx, in.id(), in.Body.Statement)
			})
			if err != nil {
				return nil, err
			}
			return &disputeOut{Body: d}, nil
		})
	register(s, huma.Operation{OperationID: "get-dispute", Method: http.MethodGet, Path: "/v1/disputes/{id}", Tags: tags,
		Summary: "Get a dispute", Errors: []int{404}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *IDPath) (*disputeOut, error) {
			d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) { return orders.GetDispute(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &disputeOut{Body: d}, nil
		})
	type decideDisputeIn struct {
		IDPath
		Body orders.DisputeDecision
	}
	register(s, huma.Operation{OperationID: "decide-dispute", Method: http.MethodPost, Path: "/v1/disputes/{id}/decision", Tags: tags,
		Summary: "Review a dispute: uphold the exclusion or overturn it (re-evaluating the entitlement)", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersAudit}, func(ctx context.Context, in *decideDisputeIn) (*disputeOut, error) {
			d, err := within(ctx, s, func(tx *tenants.Tx) (orders.Dispute, error) {
				orderID, err := orders.DisputeOrder(ctx, tx, in.id())
				if err != nil {
					return orders.Dispute{}, err
				}
				return s.orderService().DecideDispute(ctx, tx, orderID, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &disputeOut{Body: d}, nil
		})
}

package api

// An order's appointments: the windows left, booking and rescheduling, earlier bookings.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerAppointmentRoutes adds booking an order's appointment for the customer.
func registerAppointmentRoutes(api huma.API, s *Server) {
	tags := []string{"Service orders"}
	register(api, s, huma.Operation{OperationID: "order-slots", Method: http.MethodGet, Path: "/orders/{id}/slots", Tags: tags,
		Summary: "Appointment windows of the order's outlet with places left", Errors: []int{404, 409, 422}},
		route{perm: access.OrdersRead}, s.orderSlots)
	register(api, s, huma.Operation{OperationID: "book-appointment", Method: http.MethodPost, Path: "/orders/{id}/appointment", Tags: tags,
		Summary:     "Book or reschedule the order's appointment",
		Description: "Rescheduling needs a reason and is counted; a window past the order's time limit is booked with a warning.",
		Errors:      []int{404, 409, 412, 422}},
		route{perm: access.OrdersWrite}, s.bookAppointment)
	orderParts(api, s, huma.Operation{OperationID: "list-appointments", Path: "/orders/{id}/appointments", Tags: tags,
		Summary: "The order's appointments, earlier ones as moved or cancelled"}, access.OrdersRead, orders.Appointments)
}

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

func (s *Server) orderSlots(ctx context.Context, in *slotsIn) (*slotsOut, error) {
	out := &slotsOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = s.slots(ctx, tx, in)
		return err
	})
	return out, err
}

// slots are the appointment windows of the order's outlet from in.From (default now) for
// in.Days days (default 7).
func (s *Server) slots(ctx context.Context, tx *tenants.Tx, in *slotsIn) ([]orders.Slot, error) {
	from, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	if in.From != "" {
		t, err := time.Parse(time.RFC3339, in.From)
		if err != nil {
			return nil, fault.Invalid("query.from", "must be an RFC 3339 time")
		}
		from = t
	}
	days := in.Days
	if days == 0 {
		days = 7
	}
	items, err := s.Orders.Slots(ctx, tx, in.id(), from, days)
	if items == nil {
		items = []orders.Slot{}
	}
	return items, err
}

type bookIn struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"Optional: the ETag you read"`
	Body    orders.BookingInput
}

type bookingOut struct{ Body orders.Booking }

func (s *Server) bookAppointment(ctx context.Context, in *bookIn) (*bookingOut, error) {
	v, err := optionalVersion(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b, err := within(ctx, s, func(tx *tenants.Tx) (orders.Booking, error) {
		return s.Orders.Book(ctx, tx, in.id(), v, in.Body, "staff", s.Limits)
	})
	if err != nil {
		return nil, err
	}
	return &bookingOut{Body: b}, nil
}

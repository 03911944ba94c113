package orders

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

func (s *Service) trackingURL(token string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/track/" + token
}

// Extra message variables and recipients an event may carry beyond the order's own.
type notice struct {
	vars  map[string]string
	users []uuid.UUID // staff to tell too (e.g. the engineer offered the order)
}

// customerEvents are the order events the customer is told about (see notify's catalogue);
// other events reach webhooks only.
var customerEvents = map[string]bool{
	notify.OrderCreated: true, notify.OrderEngineerAssigned: true, notify.AppointmentBooked: true,
	notify.AppointmentChanged: true, notify.OrderOnTheWay: true, notify.PartsArrived: true, notify.PartsAwaiting: true,
	notify.OrderRepairDone: true, notify.OrderReadyForPickup: true, notify.QuoteToApprove: true,
}

// emit records a domain event about the order in tx: the order's facts plus extra for
// webhooks, and, for events the customer hears about, a notify.Payload addressed to the
// customer (and n.users) with the message variables the event's templates use.
func (s *Service) emit(ctx context.Context, tx *tenants.Tx, o Order, typ string, extra map[string]any, n ...notice) error {
	if s.Jobs == nil {
		return nil
	}
	data := map[string]any{"order_id": o.ID, "number": o.Number, "status": o.Status, "type": o.Type,
		"customer_id": o.CustomerID, "urgent": o.Urgent}
	for k, v := range extra {
		data[k] = v
	}
	var users []uuid.UUID
	vars := map[string]string{}
	for _, x := range n {
		users = append(users, x.users...)
		for k, v := range x.vars {
			vars[k] = v
		}
	}
	if customerEvents[typ] || len(users) > 0 {
		if err := s.messageVars(ctx, tx, o, typ, vars); err != nil {
			return err
		}
		p := notify.Payload{Vars: vars, Urgent: o.Urgent}
		if customerEvents[typ] {
			p.Recipients = append(p.Recipients, notify.Customer(o.CustomerID))
		}
		for _, u := range users {
			p.Recipients = append(p.Recipients, notify.User(u))
		}
		data["recipients"], data["vars"], data["urgent"] = p.Recipients, p.Vars, p.Urgent
	}
	outlet := uuid.Nil
	if o.OutletID != nil {
		outlet = *o.OutletID
	}
	_, err := events.Emit(ctx, tx, s.Jobs, typ, "service_order", o.ID, outlet, data)
	return err
}

// messageVars fills in what the templates of typ need and the caller did not give.
func (s *Service) messageVars(ctx context.Context, tx *tenants.Tx, o Order, typ string, vars map[string]string) error {
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			vars[k] = v
		}
	}
	set("order_number", o.Number)
	if o.trackingToken != "" {
		set("tracking_link", s.trackingURL(o.trackingToken))
	}
	switch typ {
	case notify.OrderEngineerAssigned, notify.OrderOnTheWay:
		name := ""
		engs, err := Engineers(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, e := range engs {
			if e.Role == "lead" && (e.State == "offered" || e.State == "accepted") {
				name = e.Name
			}
		}
		set("engineer_name", name)
		set("eta", "")
	case notify.OrderReadyForPickup:
		name, addr := "", ""
		if o.OutletID != nil {
			out, err := tenants.GetOutlet(ctx, tx, *o.OutletID)
			if err != nil {
				return fmt.Errorf("outlet of %s: %w", o.Number, err)
			}
			name, addr = out.Name, out.Address
		}
		set("outlet_name", name)
		set("outlet_address", addr)
	case notify.PartsArrived, notify.PartsAwaiting:
		var parts []string
		if o.Completion != nil {
			for _, p := range o.Completion.Parts {
				parts = append(parts, firstOf(p.Name, p.Code))
			}
		}
		set("part_name", strings.Join(parts, ", "))
		set("expected_date", "")
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// windowText formats an appointment window in the tenant's time zone for messages.
func windowText(ctx context.Context, tx *tenants.Tx, start, end time.Time) string {
	tz := "Asia/Shanghai"
	if t, err := tenants.GetTenant(ctx, tx); err == nil {
		tz = t.Timezone
	}
	return notify.FormatWindow(start, end, tz)
}

package orders_test

import (
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
)

// Every order event a customer hears about names the customer and carries every variable its
// message templates use; the engineer's assignment also tells the engineer and names them.
func TestOrderEventsCarryMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	svc := orders.Wire("", &testfactory.Jobs{}).Service // events are recorded with the job inserter
	outlet := testfactory.Outlet(b.ctx, t, b.tx, nil)
	eng := testfactory.User(b.ctx, t, b.tx, &testfactory.UserOpts{Name: "师傅", OutletID: outlet.ID})
	if _, err := dispatch.SaveProfile(b.ctx, b.tx, eng.UserID, 0, dispatch.Profile{OutletID: outlet.ID, Level: 3, Active: true}); err != nil {
		t.Fatal(err)
	}
	reg := b.unit(t, 60)
	o := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: svc, Type: "inspection", Channel: "on_site",
		RegistrationID: reg.ID, OutletID: outlet.ID})
	if _, err := svc.Transition(b.ctx, b.tx, o.ID, 0, orders.TransitionInput{To: orders.StatusAccepted}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Assign(b.ctx, b.tx, o.ID, orders.Assignment{Role: "lead"}); err != nil {
		t.Fatal(err)
	}
	slots, err := svc.Slots(b.ctx, b.tx, o.ID, time.Now(), 14)
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots: %v %v", slots, err)
	}
	if _, err := svc.Book(b.ctx, b.tx, o.ID, 0, orders.BookingInput{Start: slots[0].Start}, "staff", orders.NoLimits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateQuote(b.ctx, b.tx, o.ID, orders.QuoteInput{Lines: []orders.QuoteLine{{Kind: "part", Description: "Compressor",
		Quantity: 1, UnitPrice: 45000}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(b.ctx, b.tx, o.ID, 0, orders.TransitionInput{To: orders.StatusEnRoute}); err != nil {
		t.Fatal(err)
	}
	testfactory.Flush(b.ctx, t, b.tx) // events queued for the commit

	evs, err := events.ForSubject(b.ctx, b.tx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range evs {
		seen[ev.Type] = true
		p, err := notify.ParsePayload([]byte(ev.Data))
		if err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
		if _, known := notify.Lookup(ev.Type); !known {
			continue
		}
		if len(p.Recipients) == 0 || p.Recipients[0].Kind != "customer" || p.Recipients[0].CustomerID == nil || *p.Recipients[0].CustomerID != *reg.BuyerID {
			t.Errorf("%s: not addressed to the customer: %+v", ev.Type, p.Recipients)
		}
		if missing := notify.MissingVars(ev.Type, p.Vars); len(missing) > 0 {
			t.Errorf("%s: message variables missing: %v (have %v)", ev.Type, missing, p.Vars)
		}
		if ev.Type == "order.engineer_assigned" && (len(p.Recipients) != 2 || p.Vars["engineer_name"] != "师傅") {
			t.Errorf("engineer assignment tells the engineer too and names them: %+v %v", p.Recipients, p.Vars)
		}
	}
	for _, typ := range []string{"order.created", "order.engineer_assigned", "appointment.booked", "quote.to_approve", "order.on_the_way"} {
		if !seen[typ] {
			t.Errorf("no %s event (saw %v)", typ, seen)
		}
	}
}

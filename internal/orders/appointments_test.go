package orders_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// An on-site order books a window of its outlet's calendar; moving it needs a reason and a
// real window, is counted, and frees the old window. A window past the order's arrival time
// limit (its SLA clock, started at intake) is booked with a warning.
func TestBookAndReschedule(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := orders.Wire("", &testfactory.Jobs{}) // clocks start, so the arrival limit is known
	outlet := testfactory.Outlet(b.ctx, t, b.tx, nil)
	o := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: w.Service, Type: "inspection", Channel: "on_site",
		RegistrationID: b.unit(t, 60).ID, OutletID: outlet.ID})
	slots := func(days int) []orders.Slot {
		t.Helper()
		s, err := w.Service.Slots(b.ctx, b.tx, o.ID, time.Now(), days)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	book := func(start time.Time, reason string) (orders.Booking, error) {
		t.Helper()
		var bk orders.Booking
		err := testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) (err error) {
			bk, err = w.Service.Book(b.ctx, tx, o.ID, 0, orders.BookingInput{Start: start, Reason: reason}, "staff", w.Limits)
			return err
		})
		return bk, err
	}

	two := slots(14)
	if len(two) < 20 || two[0].Free != 4 {
		t.Fatalf("two weeks of a 9-18 calendar with 2-hour windows of 4 places: %d slots, first %+v", len(two), two[0])
	}
	first, err := book(two[0].Start, "")
	if err != nil || first.Rescheduled || len(first.Warnings) != 0 {
		t.Fatalf("booking the first window (within the arrival limit): %+v, %v", first, err)
	}
	if _, err := book(two[1].Start, ""); testfactory.ErrField(err) != "reason" {
		t.Fatalf("reschedule without a reason: %v", err)
	}
	if _, err := book(two[0].Start.Add(17*time.Minute), "x"); testfactory.ErrField(err) != "start" {
		t.Fatalf("a time that is not a window: %v", err)
	}
	moved, err := book(two[1].Start, "customer away")
	if err != nil || !moved.Rescheduled {
		t.Fatalf("reschedule: %+v, %v", moved, err)
	}
	got, err := orders.Get(b.ctx, b.tx, o.ID)
	if err != nil || got.RescheduleCount != 1 {
		t.Fatalf("reschedules counted: %d, %v", got.RescheduleCount, err)
	}
	appts, err := orders.Appointments(b.ctx, b.tx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, a := range appts {
		states = append(states, a.Status)
	}
	if !slices.Equal(states, []string{"moved", "booked"}) {
		t.Fatalf("appointments: %v", states)
	}
	if again := slots(14); again[0].Free != 4 || again[1].Free != 3 {
		t.Fatalf("the moved window is free again, the new one taken: %+v %+v", again[0], again[1])
	}

	three := slots(21)
	late, err := book(three[len(three)-1].Start, "customer travelling")
	if err != nil {
		t.Fatal(err)
	}
	if len(late.Warnings) != 1 || !strings.Contains(late.Warnings[0], "time limit") {
		t.Fatalf("three weeks out breaks the two-day arrival limit: %v", late.Warnings)
	}
}

package orders_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/testfactory"
)

// The order's SLA clocks follow it: intake starts the tier's targets, taking the unit in
// meets the accept target, a quote waiting for the customer and waiting for parts pause the
// clocks (on the timeline), the answer resumes them, the report meets the completion target,
// and cancelling stops them.
func TestStatusesDriveTheClocks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	svc := orders.Wire("", &testfactory.Jobs{}).Service
	outlet := testfactory.Outlet(b.ctx, t, b.tx, nil)
	reg := b.unit(t, 60)
	take := func() orders.Order {
		t.Helper()
		return testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: svc, RegistrationID: reg.ID, OutletID: outlet.ID})
	}
	clocks := func(id uuid.UUID) map[string]sla.Clock {
		t.Helper()
		cs, err := sla.Clocks(b.ctx, b.tx, id)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]sla.Clock{}
		for _, c := range cs {
			out[c.Target] = c
		}
		return out
	}
	move := func(id uuid.UUID, to, reason string) {
		t.Helper()
		if _, err := svc.Transition(b.ctx, b.tx, id, 0, orders.TransitionInput{To: to, Reason: reason}); err != nil {
			t.Fatalf("move to %s: %v", to, err)
		}
	}

	o := take()
	c := clocks(o.ID)
	for _, target := range []string{sla.Accept, sla.Completion} {
		if c[target].Status != sla.Running || c[target].DueAt == nil {
			t.Fatalf("clock %s at intake: %+v", target, c[target])
		}
	}
	// The tier has a callback target, but it measures the callback task (package callbacks),
	// which starts its clock when the order is sampled: intake runs none.
	if _, ok := c[sla.Callback]; ok {
		t.Fatal("intake started a callback clock; the callback task starts it")
	}
	if _, ok := c[sla.Arrival]; ok {
		t.Fatal("a carry-in order runs an arrival clock; it has no visit")
	}
	move(o.ID, orders.StatusRepairing, "")
	if c = clocks(o.ID); c[sla.Accept].Status != sla.Met {
		t.Fatalf("taking the unit into repair meets the accept target: %+v", c[sla.Accept])
	}
	q, err := svc.CreateQuote(b.ctx, b.tx, o.ID, orders.QuoteInput{Lines: []orders.QuoteLine{{Kind: "part", Description: "Compressor",
		Quantity: 1, UnitPrice: 45000}}})
	if err != nil {
		t.Fatal(err)
	}
	if c = clocks(o.ID); c[sla.Completion].Status != sla.Paused {
		t.Fatalf("a quote to approve pauses the clocks: %+v", c[sla.Completion])
	}
	if _, err := svc.DecideQuote(b.ctx, b.tx, o.ID, q.ID, orders.QuoteAnswer{Approve: true}, "staff", "test"); err != nil {
		t.Fatal(err)
	}
	if c = clocks(o.ID); c[sla.Completion].Status != sla.Running || len(c[sla.Completion].Pauses) != 1 {
		t.Fatalf("the answer resumes them: %+v", c[sla.Completion])
	}
	move(o.ID, orders.StatusWaitingParts, "")
	if c = clocks(o.ID); c[sla.Completion].Status != sla.Paused {
		t.Fatalf("waiting for parts pauses the clocks: %+v", c[sla.Completion])
	}
	move(o.ID, orders.StatusRepairing, "")
	if _, err := svc.Complete(b.ctx, b.tx, o.ID, 0, orders.Completion{Diagnosis: "leak", WorkDone: "sealed", Result: "fixed"}); err != nil {
		t.Fatal(err)
	}
	if c = clocks(o.ID); c[sla.Completion].Status != sla.Met {
		t.Fatalf("the repair meets the completion target: %+v", c[sla.Completion])
	}
	testfactory.Flush(b.ctx, t, b.tx)
	tl, err := orders.Timeline(b.ctx, b.tx, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"completion: awaiting_customer_approval", "completion: waiting_parts"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("timeline lacks the pause %s: %s", want, text)
		}
	}

	other := take()
	move(other.ID, orders.StatusCancelled, "customer withdrew")
	for target, x := range clocks(other.ID) {
		if x.Status != sla.Cancelled {
			t.Errorf("clock %s of a cancelled order: %s", target, x.Status)
		}
	}
}

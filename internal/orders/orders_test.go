package orders_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// testBundle is one test's tenant transaction with a model under the national 三包 policy.
type testBundle struct {
	ctx   context.Context
	tx    *tenants.Tx
	svc   *orders.Service
	model catalog.Model
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	model := testfactory.Model(ctx, t, tx, nil)
	testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{CategoryIDs: []uuid.UUID{model.CategoryID}})
	return &testBundle{ctx: ctx, tx: tx, svc: &orders.Service{}, model: model}
}

// unit registers a unit of the bundle's model bought daysAgo days before today.
func (b *testBundle) unit(t *testing.T, daysAgo int) registry.Registration {
	t.Helper()
	return testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: b.model.ID,
		PurchaseDate: testfactory.Today(b.ctx, t, b.tx).AddDate(0, 0, -daysAgo)})
}

func (b *testBundle) order(t *testing.T, reg registry.Registration, faultCode string) orders.Order {
	t.Helper()
	return testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: b.svc, RegistrationID: reg.ID, FaultCode: faultCode})
}

// decision reads the entitlement snapshot stored on an order.
func decision(t *testing.T, o orders.Order) coverage.Result {
	t.Helper()
	var res coverage.Result
	if err := json.Unmarshal(o.Entitlement, &res); err != nil {
		t.Fatalf("entitlement snapshot of %s: %v (%s)", o.Number, err, o.Entitlement)
	}
	return res
}

func TestCreateSnapshotsEntitlement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	o := b.order(t, reg, "")
	if o.Status != orders.StatusWaiting || o.Flow != orders.FlowCarryIn || o.Unregistered {
		t.Fatalf("carry-in intake: status %s flow %s unregistered %v", o.Status, o.Flow, o.Unregistered)
	}
	res := decision(t, o)
	if o.EntitlementClass != warranty.Manufacturer || res.Decision.Class != warranty.Manufacturer ||
		!slices.Equal(res.Decision.Remedies, []string{warranty.Repair}) || res.RegistrationID != reg.ID {
		t.Fatalf("day 61 in warranty: class %s, snapshot %+v", o.EntitlementClass, res.Decision)
	}
	if o.TierCode != "standard" || res.Tier.Code != "standard" || o.Priority != 98 {
		t.Fatalf("tier of a customer no rule matches: %s (snapshot %s), priority %d", o.TierCode, res.Tier.Code, o.Priority)
	}

	// The snapshot is what intake decided: a later change of the unit's facts does not alter
	// it until the order is evaluated again, and then the change is on the timeline.
	old := testfactory.Today(b.ctx, t, b.tx).AddDate(-3, 0, 0).Format(time.DateOnly)
	if _, err := registry.Update(b.ctx, b.tx, reg.ID, reg.Version, registry.Input{PurchaseDate: old, InvoiceNo: reg.InvoiceNo,
		HasWarrantyCard: true, Buyer: &registry.Party{CustomerID: reg.BuyerID.String()}}); err != nil {
		t.Fatal(err)
	}
	stored, err := orders.Get(b.ctx, b.tx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.EntitlementClass != warranty.Manufacturer || decision(t, stored).Decision.Class != warranty.Manufacturer {
		t.Fatalf("the snapshot moved with the registration: %s", stored.EntitlementClass)
	}
	if err := b.svc.Reevaluate(b.ctx, b.tx, reg.ID, "purchase date corrected"); err != nil {
		t.Fatal(err)
	}
	again, err := orders.Get(b.ctx, b.tx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.EntitlementClass != warranty.OutOfWarranty {
		t.Fatalf("after re-evaluation of a unit bought in %s: %s", old, again.EntitlementClass)
	}
	tl, err := orders.Timeline(b.ctx, b.tx, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(tl, func(e orders.Entry) bool { return e.Kind == "entitlement" && e.To == warranty.OutOfWarranty }); i < 0 ||
		tl[i].From != warranty.Manufacturer || tl[i].Reason != "purchase date corrected" {
		t.Fatalf("timeline without the changed decision: %+v", tl)
	}
}

// Within the 7 days of 三包 the intake's snapshot offers a refund; an unregistered unit has
// no decision at all.
func TestCreateSnapshotsSanBaoAndUnregistered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fresh := b.order(t, b.unit(t, 2), "")
	if r := decision(t, fresh); !slices.Equal(r.Decision.Remedies, []string{warranty.Refund, warranty.Exchange, warranty.Repair}) ||
		r.Decision.DayNumber != 3 {
		t.Fatalf("day 3: %+v", r.Decision)
	}
	un := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{Service: b.svc, Serial: "NOT-REGISTERED-1", ModelID: b.model.ID})
	if !un.Unregistered || un.EntitlementClass != "" || un.RegistrationID != nil || string(un.Entitlement) != "{}" ||
		un.Serial != "NOT-REGISTERED-1" || un.ModelID == nil || *un.ModelID != b.model.ID {
		t.Fatalf("unregistered unit: %+v", un)
	}
}

func TestCreateNumbersWithoutGaps(t *testing.T) {
	t.Parallel()
	b := setup(t)
	loc, err := tenants.Location(b.ctx, b.tx)
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(loc).Year()
	number := func(n int) string { return fmt.Sprintf("SO-%d-%06d", year, n) }
	reg := b.unit(t, 60)
	for i := 1; i <= 2; i++ {
		if o := b.order(t, reg, ""); o.Number != number(i) {
			t.Fatalf("order %d: %s, want %s", i, o.Number, number(i))
		}
	}
	// A transaction that fails after its intake (a later step of the same request) rolls back
	// with the number it took: the next order takes it again.
	failed := errors.New("a later step of the request failed")
	var rolledBack string
	err = testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) error {
		c, err := b.svc.Create(b.ctx, tx, orders.Intake{Type: "repair_minor", Channel: "carry_in", CustomerID: reg.BuyerID,
			RegistrationID: &reg.ID, FaultDescription: "noise"})
		if err != nil {
			return err
		}
		rolledBack = c.Order.Number
		return failed
	})
	if !errors.Is(err, failed) || rolledBack != number(3) {
		t.Fatalf("rolled-back intake: %v, number %s", err, rolledBack)
	}
	if o := b.order(t, reg, ""); o.Number != number(3) {
		t.Fatalf("after a rolled-back intake: %s, want %s (no gap)", o.Number, number(3))
	}
	if _, err := orders.Get(b.ctx, b.tx, uuid.Nil); !errors.Is(err, fault.ErrNotFound) {
		t.Fatalf("get of no order: %v", err)
	}
}

func TestCreateRefusesBadIntake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	customer := *reg.BuyerID
	otherModel := uuid.New()
	for _, c := range []struct {
		name  string
		edit  func(in *orders.Intake)
		field string
	}{
		{"unknown type", func(in *orders.Intake) { in.Type = "no_such_type" }, "type"},
		{"unknown channel", func(in *orders.Intake) { in.Channel = "fax" }, "channel"},
		{"bad flow", func(in *orders.Intake) { in.Flow = "drive_through" }, "flow"},
		{"no fault", func(in *orders.Intake) { in.FaultDescription = "  " }, "fault_description"},
		{"no customer for an unregistered unit", func(in *orders.Intake) { in.CustomerID, in.RegistrationID, in.Serial = nil, nil, "X-2" }, "customer_id"},
		{"unknown customer", func(in *orders.Intake) { id := uuid.New(); in.CustomerID = &id }, "customer_id"},
		{"bad customer phone", func(in *orders.Intake) {
			in.CustomerID, in.Customer = nil, &customers.Fields{Name: "X", Phone: "12"}
		}, "customer.phone"},
		{"unknown registration", func(in *orders.Intake) { id := uuid.New(); in.RegistrationID = &id }, "registration_id"},
		{"unknown model", func(in *orders.Intake) { in.RegistrationID, in.Serial, in.ModelID = nil, "X-1", &otherModel }, "model_id"},
		{"unknown outlet", func(in *orders.Intake) { id := uuid.New(); in.OutletID = &id }, "outlet_id"},
		{"bad fault code", func(in *orders.Intake) { in.FaultCode = "--" }, "fault_code"},
	} {
		in := orders.Intake{Type: "repair_minor", Channel: "carry_in", CustomerID: &customer, RegistrationID: &reg.ID,
			FaultDescription: "does not cool"}
		c.edit(&in)
		err := testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) error {
			_, err := b.svc.Create(b.ctx, tx, in)
			return err
		})
		if got := testfactory.ErrField(err); got != c.field {
			t.Errorf("%s: %v (field %q), want a field error at %s", c.name, err, got, c.field)
		}
	}
	// None of them took a number or left an order behind.
	list, err := orders.List(b.ctx, b.tx, orders.Filter{Limit: 10})
	if err != nil || len(list) != 0 {
		t.Fatalf("orders after refused intakes: %d, %v", len(list), err)
	}
}

// The flow follows the channel unless given; an on-site channel starts at created.
func TestCreateFlowAndCustomerByPhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	known := testfactory.Customer(b.ctx, t, b.tx, nil)
	c, err := b.svc.Create(b.ctx, b.tx, orders.Intake{Type: "repair_minor", Channel: "on_site", Customer: &customers.Fields{
		Name: "Someone else", Phone: known.Phone}, FaultDescription: "leaks"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Order.CustomerID != known.ID || c.Order.Flow != orders.FlowOnSite || c.Order.Status != orders.StatusCreated {
		t.Fatalf("on-site intake by a known phone: customer %s (want %s), flow %s, status %s",
			c.Order.CustomerID, known.ID, c.Order.Flow, c.Order.Status)
	}
	if c.TrackingURL == "" {
		t.Error("no tracking link")
	}
	c, err = b.svc.Create(b.ctx, b.tx, orders.Intake{Type: "installation", Channel: "phone", Customer: &customers.Fields{
		Name: "New", Phone: testfactory.Phone()}, FaultDescription: "install please"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Order.CustomerID == known.ID || c.Order.Flow != orders.FlowOnSite {
		t.Fatalf("phone intake of an installation: customer %s, flow %s (the type's)", c.Order.CustomerID, c.Order.Flow)
	}
}

// The same unit and fault within the repeat window is a repeat repair, on the timeline.
func TestCreateMarksRepeatRepairs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	first := b.order(t, reg, "e1")
	if first.IsRepeat || first.FaultCode != "E1" {
		t.Fatalf("first order: repeat %v, fault %q", first.IsRepeat, first.FaultCode)
	}
	second := b.order(t, reg, "E-1")
	if !second.IsRepeat || second.RepeatOf == nil || *second.RepeatOf != first.ID {
		t.Fatalf("same fault again: repeat %v of %v, want of %s", second.IsRepeat, second.RepeatOf, first.ID)
	}
	if other := b.order(t, reg, "E2"); other.IsRepeat {
		t.Fatal("another fault is not a repeat")
	}
	testfactory.Flush(b.ctx, t, b.tx) // an intake's timeline is written at commit
	tl, err := orders.Timeline(b.ctx, b.tx, second.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := make([]string, len(tl))
	for i, e := range tl {
		kinds[i] = e.Kind
	}
	if !slices.Contains(kinds, "created") || !slices.Contains(kinds, "repeat") || !slices.Contains(kinds, "entitlement") {
		t.Fatalf("timeline of a repeat: %v", kinds)
	}
}

// Completed repairs of a fault that comes back count as failed: the third report of the
// same fault reaches the 三包 limit of two and is offered an exchange or a refund.
func TestCreateCountsFailedRepairsTowardsExchange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	repair := func(o orders.Order) {
		t.Helper()
		o, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusRepairing})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, orders.Completion{Diagnosis: "leak", WorkDone: "sealed",
			Result: "fixed"}); err != nil {
			t.Fatal(err)
		}
	}
	first := b.order(t, reg, "E1")
	if h := decision(t, first).History; h.FailedRepairs != 0 {
		t.Fatalf("first report: %+v", h)
	}
	repair(first)
	second := b.order(t, reg, "E1")
	if r := decision(t, second); r.History.FailedRepairs != 1 || !slices.Equal(r.Decision.Remedies, []string{warranty.Repair}) {
		t.Fatalf("second report: history %+v, remedies %v", r.History, r.Decision.Remedies)
	}
	repair(second)
	third := b.order(t, reg, "E1")
	if r := decision(t, third); r.History.FailedRepairs != 2 ||
		!slices.Equal(r.Decision.Remedies, []string{warranty.Exchange, warranty.Refund}) {
		t.Fatalf("third report: history %+v, remedies %v", r.History, r.Decision.Remedies)
	}
	if other := b.order(t, reg, "E9"); decision(t, other).History.FailedRepairs != 0 {
		t.Fatal("repairs of another fault counted")
	}
}

func TestTransition(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order(t, b.unit(t, 60), "")

	// A move the machine does not allow is a conflict naming the allowed moves.
	_, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusPickedUp})
	var te *orders.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, fault.ErrConflict) ||
		!slices.Equal(te.Allowed, []string{orders.StatusRepairing, orders.StatusCancelled}) {
		t.Fatalf("waiting -> picked_up: %v", err)
	}
	// Cancelling needs a reason; a stale version is refused.
	if _, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusCancelled}); testfactory.ErrField(err) != "reason" {
		t.Fatalf("cancel without a reason: %v", err)
	}
	if _, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version+1, orders.TransitionInput{To: orders.StatusRepairing}); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale version: %v", err)
	}

	for _, to := range []string{orders.StatusRepairing, orders.StatusReadyForPickup, orders.StatusPickedUp, orders.StatusApproved, orders.StatusClosed} {
		moved, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: to})
		if err != nil {
			t.Fatalf("%s -> %s: %v", o.Status, to, err)
		}
		if moved.Status != to || moved.Version != o.Version+1 || !slices.Equal(moved.Next, orders.Next(orders.FlowCarryIn, to)) {
			t.Fatalf("after the move to %s: status %s version %d (was %d) next %v", to, moved.Status, moved.Version, o.Version, moved.Next)
		}
		o = moved
	}
	if o.CompletedAt == nil || o.ClosedAt == nil {
		t.Fatalf("closed order: completed %v closed %v", o.CompletedAt, o.ClosedAt)
	}
	// Reopening needs a reason and counts as a repeat repair.
	if _, err := b.svc.Transition(b.ctx, b.tx, o.ID, 0, orders.TransitionInput{To: orders.StatusWaiting}); testfactory.ErrField(err) != "reason" {
		t.Fatalf("reopen without a reason: %v", err)
	}
	re, err := b.svc.Transition(b.ctx, b.tx, o.ID, 0, orders.TransitionInput{To: orders.StatusWaiting, Reason: "fault came back"})
	if err != nil {
		t.Fatal(err)
	}
	if re.ReopenCount != 1 || !re.IsRepeat || re.ClosedAt != nil {
		t.Fatalf("reopened: count %d repeat %v closed %v", re.ReopenCount, re.IsRepeat, re.ClosedAt)
	}

	tl, err := orders.Timeline(b.ctx, b.tx, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var moves []string
	for _, e := range tl {
		if e.Kind == "status" {
			moves = append(moves, e.From+">"+e.To)
		}
	}
	want := []string{"waiting>repairing", "repairing>ready_for_pickup", "ready_for_pickup>picked_up", "picked_up>approved",
		"approved>closed", "closed>waiting"}
	if !slices.Equal(moves, want) {
		t.Fatalf("timeline moves %v, want %v", moves, want)
	}
}

// Facts of a closed order cannot change; a changed fault code re-evaluates the entitlement.
func TestUpdateFacts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order(t, b.unit(t, 60), "E1")
	up, err := b.svc.UpdateFacts(b.ctx, b.tx, o.ID, o.Version, orders.Update{FaultDescription: "loud", FaultCode: "e 7",
		Component: "compressor", Urgent: true})
	if err != nil {
		t.Fatal(err)
	}
	if up.FaultCode != "E7" || up.Priority != o.Priority+1000 || decision(t, up).Component != "compressor" {
		t.Fatalf("updated: code %s priority %d (was %d) component %s", up.FaultCode, up.Priority, o.Priority, decision(t, up).Component)
	}
	if _, err := b.svc.UpdateFacts(b.ctx, b.tx, o.ID, o.Version, orders.Update{FaultDescription: "x"}); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := b.svc.Transition(b.ctx, b.tx, o.ID, 0, orders.TransitionInput{To: orders.StatusCancelled, Reason: "customer withdrew"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.UpdateFacts(b.ctx, b.tx, o.ID, 0, orders.Update{FaultDescription: "x"}); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("update of a cancelled order: %v", err)
	}
}

// An intake for a registered unit without a customer serves the registration's buyer (its
// user when no buyer is on record); an unregistered unit still needs the customer.
func TestCreateServesTheRegistrationsBuyer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	c, err := b.svc.Create(b.ctx, b.tx, orders.Intake{Type: "repair_minor", Channel: "phone", RegistrationID: &reg.ID, FaultDescription: "noise"})
	if err != nil {
		t.Fatalf("intake without a customer: %v", err)
	}
	if c.Order.CustomerID != *reg.BuyerID {
		t.Fatalf("customer %s, want the buyer %s", c.Order.CustomerID, *reg.BuyerID)
	}
	c, err = b.svc.Create(b.ctx, b.tx, orders.Intake{Type: "repair_minor", Channel: "phone", Serial: reg.Serial, FaultDescription: "noise"})
	if err != nil || c.Order.CustomerID != *reg.BuyerID {
		t.Fatalf("intake by serial without a customer: %v, customer %s", err, c.Order.CustomerID)
	}
	userOnly, err := registry.Register(b.ctx, b.tx, registry.Input{ModelID: b.model.ID.String(), Serial: "SN-USER-" + testfactory.Unique(),
		PurchaseDate: testfactory.Today(b.ctx, t, b.tx).AddDate(0, 0, -30).Format(time.DateOnly),
		User:         &registry.Party{Name: "使用人", Phone: testfactory.Phone()}}, registry.ChannelStaff)
	if err != nil {
		t.Fatal(err)
	}
	c, err = b.svc.Create(b.ctx, b.tx, orders.Intake{Type: "repair_minor", Channel: "phone", RegistrationID: &userOnly.ID, FaultDescription: "noise"})
	if err != nil || userOnly.UserID == nil || c.Order.CustomerID != *userOnly.UserID {
		t.Fatalf("intake for a unit with only a user: %v", err)
	}
	err = testfactory.Savepoint(b.ctx, t, b.tx, func(tx *tenants.Tx) error {
		_, err := b.svc.Create(b.ctx, tx, orders.Intake{Type: "repair_minor", Channel: "phone", Serial: "NOT-REGISTERED-9",
			ModelID: &b.model.ID, FaultDescription: "noise"})
		return err
	})
	if testfactory.ErrField(err) != "customer_id" {
		t.Fatalf("an unregistered unit without a customer: %v", err)
	}
}

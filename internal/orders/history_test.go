package orders_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/internal/warranty"
)

// local is a wall-clock time in the tenant's zone (testfactory tenants are in Shanghai).
func local(t *testing.T, d time.Time, hour int) time.Time {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, sh)
}

// backdate moves an order into the past, as if taken in at in and, when it is completed,
// completed at out (its timeline is append-only and keeps its times).
func (b *testBundle) backdate(t *testing.T, o orders.Order, in, out time.Time) {
	t.Helper()
	if _, err := b.tx.Exec(b.ctx, `UPDATE service_orders SET created_at = $3,
	    completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE $4::timestamptz END,
	    completion = CASE WHEN completion IS NULL THEN NULL ELSE jsonb_set(completion, '{completed_at}', to_jsonb($4::timestamptz)) END
	  WHERE tenant_id = $1 AND id = $2`, b.tx.Scope.TenantID, o.ID, in, out); err != nil {
		t.Fatalf("backdate order: %v", err)
	}
}

// repair takes an order into repair and files the engineer's report with result.
func (b *testBundle) repair(t *testing.T, o orders.Order, result string) orders.Order {
	t.Helper()
	o, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusRepairing})
	if err != nil {
		t.Fatal(err)
	}
	o, err = b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, orders.Completion{Diagnosis: "leak", WorkDone: "sealed", Result: result})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (b *testBundle) checkOn(t *testing.T, reg registry.Registration, faultCode string, day *time.Time) coverage.Result {
	t.Helper()
	res, err := coverage.Check(b.ctx, b.tx, orders.History{}, coverage.CheckInput{RegistrationID: reg.ID, FaultCode: faultCode, Date: day})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A question about a past day is answered with what had happened by the end of that day:
// repairs made later, later reports of the fault and grants given later do not count.
func TestHistoryAsOfTheDayAsked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	today := testfactory.Today(b.ctx, t, b.tx)
	reg := b.unit(t, 300)
	bought := today.AddDate(0, 0, -300)

	// Repaired in its second month (four days in the outlet), then reported again today and
	// not fixed.
	first := b.repair(t, b.order(t, reg, "E1"), "fixed")
	b.backdate(t, first, local(t, bought.AddDate(0, 0, 30), 10), local(t, bought.AddDate(0, 0, 34), 10))
	b.repair(t, b.order(t, reg, "E1"), "not_fixed")

	asked := bought.AddDate(0, 0, 60)
	then := b.checkOn(t, reg, "E1", &asked)
	if then.History.FailedRepairs != 0 || then.History.DaysInRepair != 4 || !then.History.LastExchange.IsZero() {
		t.Fatalf("as of %s (day 61): %+v, want no failed repair and 4 days in repair", asked.Format(time.DateOnly), then.History)
	}
	want := warranty.NewDate(bought.Year(), bought.Month(), bought.Day()).AddMonths(12).AddDays(-1 + 4)
	if then.Decision.CoveredUntil == nil || *then.Decision.CoveredUntil != want {
		t.Fatalf("as of day 61 covered until %v, want %s (12 months and the 4 days in repair then)", then.Decision.CoveredUntil, want)
	}
	if now := b.checkOn(t, reg, "E1", nil); now.History.FailedRepairs < 1 {
		t.Fatalf("today the first repair has failed (the fault came back): %+v", now.History)
	}

	// A contract given today does not cover a question about yesterday.
	old := b.unit(t, 400)
	free := warranty.Line{Mode: warranty.Free}
	if _, err := registry.AddGrant(b.ctx, b.tx, old.ID, registry.GrantInput{Kind: warranty.GrantExtended,
		ValidFrom: today.AddDate(0, 0, -35).Format(time.DateOnly), ValidUntil: today.AddDate(0, 0, 330).Format(time.DateOnly),
		Covered: warranty.Lines{Parts: free, Labour: free, Visit: free, Shipping: free}, Source: "EW-1"}); err != nil {
		t.Fatal(err)
	}
	yesterday := today.AddDate(0, 0, -1)
	if res := b.checkOn(t, old, "", &yesterday); res.Decision.Class != warranty.OutOfWarranty || res.Decision.GrantID != "" {
		t.Fatalf("yesterday, before the contract was given: %s (grant %q)", res.Decision.Class, res.Decision.GrantID)
	}
	if res := b.checkOn(t, old, "", nil); res.Decision.Class != warranty.Contract {
		t.Fatalf("today, with the contract: %s", res.Decision.Class)
	}
}

// A repair fails when its result is recorded as not fixed, not when the unit goes back: an
// escalated (难修) unit has a failed repair behind it, and so has one fixed at the second try.
func TestFailedRepairCountsWhenRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 60)
	o := b.repair(t, b.order(t, reg, "E1"), "not_fixed")
	if o.Status != orders.StatusEscalated || o.CompletedAt != nil {
		t.Fatalf("not fixed at the first try: %s, completed %v", o.Status, o.CompletedAt)
	}
	if h := decision(t, o).History; h.FailedRepairs != 1 {
		t.Fatalf("the order's own decision after the report: %+v, want 1 failed repair", h)
	}
	if h := b.checkOn(t, reg, "E1", nil).History; h.FailedRepairs != 1 {
		t.Fatalf("a check while the unit is escalated: %+v, want 1 failed repair", h)
	}
	// Fixed at the second try, and ready for pickup: the first try still failed.
	o, err := b.svc.Transition(b.ctx, b.tx, o.ID, o.Version, orders.TransitionInput{To: orders.StatusRepairing})
	if err != nil {
		t.Fatal(err)
	}
	if o, err = b.svc.Complete(b.ctx, b.tx, o.ID, o.Version, orders.Completion{Diagnosis: "leak", WorkDone: "replaced the valve",
		Result: "fixed"}); err != nil || o.Status != orders.StatusReadyForPickup {
		t.Fatalf("second try: %v", err)
	}
	if h := b.checkOn(t, reg, "E1", nil).History; h.FailedRepairs != 1 {
		t.Fatalf("after the second try fixed it: %+v, want 1 failed repair", h)
	}
	if h := b.checkOn(t, reg, "E2", nil).History; h.FailedRepairs != 0 {
		t.Fatalf("another fault: %+v", h)
	}
}

// Days in repair are calendar days in the tenant's zone from hand-over to return, never a
// day for an order however short, and a day spent in two orders at once counts once. The
// days a unit spent in repair before it was exchanged do not extend the warranty of the unit
// given in exchange, which starts on the exchange day.
func TestDaysInRepairAreCalendarDays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	today := testfactory.Today(b.ctx, t, b.tx)
	bought := today.AddDate(0, 0, -400)
	reg := b.unit(t, 400)
	at := func(days, hour int) time.Time { return local(t, bought.AddDate(0, 0, days), hour) }

	// An afternoon's repair: no day. Taken in at 01:00 and back at 23:00 the same day in
	// Shanghai (two days in UTC): no day.
	b.backdate(t, b.repair(t, b.order(t, reg, "E1"), "fixed"), at(5, 10), at(5, 15))
	b.backdate(t, b.repair(t, b.order(t, reg, "E1"), "fixed"), at(6, 1), at(6, 23))
	asked := bought.AddDate(0, 0, 8)
	if h := b.checkOn(t, reg, "", &asked).History; h.DaysInRepair != 0 {
		t.Fatalf("two same-day repairs: %d days in repair, want 0", h.DaysInRepair)
	}
	// Overnight: one day. Two orders on the unit at once (days 20-24 and 22-26): six days, not
	// eight.
	b.backdate(t, b.repair(t, b.order(t, reg, "E2"), "fixed"), at(10, 22), at(11, 9))
	b.backdate(t, b.repair(t, b.order(t, reg, "E3"), "fixed"), at(20, 10), at(24, 10))
	b.backdate(t, b.repair(t, b.order(t, reg, "E4"), "fixed"), at(22, 10), at(26, 10))
	asked = bought.AddDate(0, 0, 30)
	if h := b.checkOn(t, reg, "", &asked).History; h.DaysInRepair != 7 {
		t.Fatalf("an overnight repair and two overlapping ones: %d days in repair, want 1 + 6", h.DaysInRepair)
	}

	// Exchanged on day 104 after three days in the outlet: the new unit's warranty runs 12
	// months from the exchange day, and the eleven days before do not extend it.
	b.backdate(t, b.repair(t, b.order(t, reg, "E5"), "exchange"), at(101, 10), at(104, 10))
	exchanged := warranty.NewDate(bought.Year(), bought.Month(), bought.Day()).AddDays(104)
	until := exchanged.AddMonths(12).AddDays(-1)
	lastDay, dayAfter := until.Time(), until.AddDays(1).Time()
	res := b.checkOn(t, reg, "", &lastDay)
	if res.History.LastExchange != exchanged || res.Decision.Class != warranty.Manufacturer || *res.Decision.CoveredUntil != until {
		t.Fatalf("last day of the new unit's warranty: %+v, %s until %v, want until %s", res.History, res.Decision.Class,
			res.Decision.CoveredUntil, until)
	}
	if res := b.checkOn(t, reg, "", &dayAfter); res.Decision.Class != warranty.OutOfWarranty {
		t.Fatalf("the day after: %s until %v (days in repair before the exchange extended it)", res.Decision.Class, res.Decision.CoveredUntil)
	}
}

// Two failed repairs of a fault allow an exchange; after it the unit in hand has no failed
// repair behind it.
func TestExchangeEndsTheFailedRepairs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	reg := b.unit(t, 200)
	b.repair(t, b.order(t, reg, "E1"), "not_fixed")
	b.repair(t, b.order(t, reg, "E1"), "not_fixed")
	third := b.order(t, reg, "E1")
	if r := decision(t, third); r.History.FailedRepairs != 2 || r.Decision.Remedies[0] != warranty.Exchange {
		t.Fatalf("third report after two failed repairs: %+v %v", r.History, r.Decision.Remedies)
	}
	b.repair(t, third, "exchange")
	if h := b.checkOn(t, reg, "E1", nil).History; h.FailedRepairs != 0 || h.LastExchange.IsZero() {
		t.Fatalf("after the exchange: %+v, want no failed repair", h)
	}
}

// Service history brought from another system counts as the product's own orders would, as
// of the moment asked: its failed repairs, days in repair and exchange; a refund ends the
// unit's coverage from its day.
func TestImportedHistoryCounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	today := testfactory.Today(b.ctx, t, b.tx)
	bought := today.AddDate(0, 0, -300)
	reg := b.unit(t, 300)
	day := func(n int) *time.Time { d := bought.AddDate(0, 0, n); return &d }
	store := func(ref, result string, in *time.Time, out time.Time) {
		t.Helper()
		if _, _, err := registry.StoreHistory(b.ctx, b.tx, []registry.CheckedHistory{{RegistrationID: reg.ID, Reference: ref, FaultCode: "E1",
			Result: result, DateIn: in, DateOut: out}}, uuid.NullUUID{}); err != nil {
			t.Fatal(err)
		}
	}
	store("OLD-1", registry.HistoryNotFixed, day(20), *day(23))
	store("OLD-2", registry.HistoryFixed, day(40), *day(41))
	// The fault came back in the product: the second repair failed too.
	o := b.order(t, reg, "E1")
	if r := decision(t, o); r.History.FailedRepairs != 2 || r.History.DaysInRepair != 4 ||
		r.Decision.Remedies[0] != warranty.Exchange {
		t.Fatalf("intake after the imported repairs: %+v %v", r.History, r.Decision.Remedies)
	}
	// As of day 30 only the first had happened.
	if h := b.checkOn(t, reg, "E1", day(30)).History; h.FailedRepairs != 1 || h.DaysInRepair != 3 {
		t.Fatalf("as of day 31: %+v", h)
	}
	// Exchanged on day 50 (imported): no failed repair behind the new unit; then refunded on
	// day 60, and nothing is covered from then on.
	store("OLD-3", registry.HistoryExchange, nil, *day(50))
	if res := b.checkOn(t, reg, "E1", day(55)); res.History.FailedRepairs != 0 || res.History.LastExchange.Time() != *day(50) ||
		res.Decision.Class != warranty.Manufacturer {
		t.Fatalf("as of day 56, after the exchange: %+v %s", res.History, res.Decision.Class)
	}
	store("OLD-4", registry.HistoryRefund, nil, *day(60))
	if res := b.checkOn(t, reg, "E1", day(59)); res.Decision.Class != warranty.Manufacturer {
		t.Fatalf("the day before the refund: %s", res.Decision.Class)
	}
	res := b.checkOn(t, reg, "E1", day(60))
	if res.Decision.Class != warranty.OutOfWarranty || res.History.RefundedOn.Time() != *day(60) {
		t.Fatalf("on the day of the refund: %s %+v", res.Decision.Class, res.History)
	}
}

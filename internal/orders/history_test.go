package orders_test

import (
	"testing"
	"time"

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

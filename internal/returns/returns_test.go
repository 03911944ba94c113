package returns_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/returns"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// testBundle is a tenant's test transaction with a model under the national 三包 policy, a
// customer, and the returns service on stripe-mock.
type testBundle struct {
	ctx      context.Context
	tx       *tenants.Tx
	s        *returns.Service
	jobs     *testfactory.Jobs
	model    uuid.UUID
	customer uuid.UUID
}

func setup(t *testing.T, tenant uuid.UUID) *testBundle {
	t.Helper()
	mock := os.Getenv("STRIPE_MOCK_URL")
	if mock == "" {
		t.Fatal("STRIPE_MOCK_URL is not set: run tests with `make test`, which starts stripe-mock")
	}
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, &testfactory.TxOpts{TenantID: tenant})
	pay := billing.New(testfactory.DB(t), slog.New(slog.DiscardHandler), billing.Config{SecretKey: "sk_test_123", APIBase: mock})
	jobs := &testfactory.Jobs{}
	b := &testBundle{ctx: ctx, tx: tx, jobs: jobs, s: &returns.Service{Payments: pay, Jobs: jobs, History: orders.History{Now: time.Now}}}
	b.model = testfactory.Model(ctx, t, tx, nil).ID
	testfactory.Policy(ctx, t, tx, &testfactory.PolicyOpts{ModelIDs: []uuid.UUID{b.model}})
	b.customer = testfactory.Customer(ctx, t, tx, nil).ID
	return b
}

// unit registers a unit of the bundle's model for its customer, bought days ago.
func (b *testBundle) unit(t *testing.T, days int) registry.Registration {
	t.Helper()
	return testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: b.model, BuyerID: b.customer,
		PurchaseDate: testfactory.Today(b.ctx, t, b.tx).AddDate(0, 0, -days)})
}

// stockSetup names a returned-goods and a finished-goods warehouse in the tenant's return
// terms and returns a serial-tracked stock item for the model's units.
func (b *testBundle) stockSetup(t *testing.T) (returned, finished, part uuid.UUID) {
	t.Helper()
	u := testfactory.Unique()
	rw, err := stock.CreateWarehouse(b.ctx, b.tx, stock.WarehouseFields{Code: "RG-" + u, Name: "退货库 " + u, Kind: "returned_goods"})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := stock.CreateWarehouse(b.ctx, b.tx, stock.WarehouseFields{Code: "FG-" + u, Name: "成品库 " + u, Kind: "finished_goods"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.tx.Q.CreatePart(b.ctx, b.tx, db.CreatePartParams{TenantID: b.tx.Scope.TenantID, ID: platform.NewID(), PartNo: "UNIT-" + u,
		NameZh: "整机", ModelIds: []uuid.UUID{b.model}, Components: []string{}, SubstituteIds: []uuid.UUID{}, SerialTracked: true,
		Currency: "CNY", UnitCost: 200000, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	// Wrong kinds are refused; the right ones are kept.
	if _, err := returns.PutSettings(b.ctx, b.tx, 0, returns.TenantTerms{PersonalDays: 7, AdvanceDeadlineDays: 15,
		ReturnedWarehouseID: &fw.ID}); testfactory.ErrField(err) != "returned_warehouse_id" {
		t.Fatalf("a finished-goods warehouse as the returned-goods one: %v", err)
	}
	if _, err := returns.PutSettings(b.ctx, b.tx, 0, returns.TenantTerms{PersonalDays: 7, AdvanceDeadlineDays: 15,
		ReturnedWarehouseID: &rw.ID, ReplacementWarehouseID: &fw.ID}); err != nil {
		t.Fatal(err)
	}
	return rw.ID, fw.ID, p.ID
}

func (b *testBundle) savepoint(t *testing.T, fn func(tx *tenants.Tx) error) error {
	t.Helper()
	return testfactory.Savepoint(b.ctx, t, b.tx, fn)
}

// must fails the test on a step's error and returns the case.
func must(t *testing.T) func(returns.Case, error) returns.Case {
	t.Helper()
	return func(c returns.Case, err error) returns.Case {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func eventTypes(t *testing.T, b *testBundle, id uuid.UUID) []string {
	t.Helper()
	testfactory.Flush(b.ctx, t, b.tx)
	evs, err := events.ForSubject(b.ctx, b.tx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// TestSevenDayReturnRefundedThroughStripe: a unit bought two days ago and paid through the
// platform comes back for a quality fault: the decision allows a refund, the case is
// approved, the unit dropped off, inspected and refunded through stripe-mock (never more
// than was paid), the unit is received into the returned-goods warehouse, and every step is
// an event.
func TestSevenDayReturnRefundedThroughStripe(t *testing.T) {
	t.Parallel()
	b := setup(t, uuid.Nil)
	returned, _, part := b.stockSetup(t)
	u := b.unit(t, 1)
	c := must(t)(b.s.Apply(b.ctx, b.tx, returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionDropOff,
		Lines: []returns.LineInput{{RegistrationID: u.ID, Remedy: returns.RemedyRefund, Paid: 399900, Payment: returns.PaymentPlatform,
			PaymentIntent: "pi_sale_1", PartID: &part}}}, false))
	if c.Status != returns.StatusApplied || c.CustomerID != b.customer || !slices.Contains(c.Lines[0].Remedies, "refund") || c.Lines[0].Overridden {
		t.Fatalf("applied: %+v", c)
	}
	if !strings.HasPrefix(c.Number, "RT-") {
		t.Errorf("number %q", c.Number)
	}
	// Steps out of order are conflicts.
	if err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Receive(b.ctx, tx, c.ID, 0, returns.ReceiveInput{Lines: []int{1}})
		return err
	}); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("receive before approval: %v", err)
	}
	if err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, c.ID, c.Version+1, returns.ReviewDecision{Decision: "approve"})
		return err
	}); !errors.Is(err, fault.ErrStale) {
		t.Fatalf("review at a stale version: %v", err)
	}
	c = must(t)(b.s.Review(b.ctx, b.tx, c.ID, c.Version, returns.ReviewDecision{Decision: "approve", Note: "7 日内性能故障"}))
	c = must(t)(b.s.Receive(b.ctx, b.tx, c.ID, c.Version, returns.ReceiveInput{Lines: []int{1}}))
	if c.Status != returns.StatusReceived || !c.Lines[0].Received {
		t.Fatalf("received: %+v", c)
	}
	c = must(t)(b.s.Inspect(b.ctx, b.tx, c.ID, c.Version, returns.InspectInput{Line: 1, Result: returns.InspectionConfirmed, Note: "压缩机不启动"}))
	if c.Status != returns.StatusInspected {
		t.Fatalf("inspected: %s", c.Status)
	}
	if err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Refund(b.ctx, tx, c.ID, c.Version, returns.LineRefundInput{Line: 1, Amount: 400000})
		return err
	}); testfactory.ErrField(err) != "amount" || !strings.Contains(err.Error(), "larger than was paid") {
		t.Fatalf("refund above what was paid: %v", err)
	}
	if err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Refund(b.ctx, tx, c.ID, c.Version, returns.LineRefundInput{Line: 1, Amount: 1000, Reference: "BANK-1"})
		return err
	}); testfactory.ErrField(err) != "reference" {
		t.Fatalf("a reference for a platform refund: %v", err)
	}
	// The step records the refund pending and queues its job; Stripe is asked after the
	// commit. Stripe failing then leaves it pending (the case cannot close yet) and the job's
	// retry makes it.
	c = must(t)(b.s.Refund(b.ctx, b.tx, c.ID, c.Version, returns.LineRefundInput{Line: 1, Amount: 399900}))
	if r := c.Lines[0].Refund; r == nil || r.Status != returns.RefundPending || r.StripeRefundID != "" {
		t.Fatalf("the refund before the commit: %+v", r)
	}
	testfactory.Flush(b.ctx, t, b.tx)
	if !slices.ContainsFunc(b.jobs.Args(), func(a river.JobArgs) bool {
		r, ok := a.(returns.RefundArgs)
		return ok && r.CaseID == c.ID && r.Line == 1
	}) {
		t.Fatalf("no refund job queued: %v", b.jobs.Kinds())
	}
	run := func(ctx context.Context, fn func(tx *tenants.Tx) error) error { return b.savepoint(t, fn) }
	down := &returns.Service{Payments: billing.New(testfactory.DB(t), slog.New(slog.DiscardHandler),
		billing.Config{SecretKey: "sk_test_123", APIBase: "http://127.0.0.1:1"}), Jobs: b.jobs}
	if _, err := down.SendRefund(b.ctx, run, c.ID, 1); err == nil {
		t.Fatal("Stripe down: no error")
	}
	c = must(t)(returns.Get(b.ctx, b.tx, c.ID))
	if r := c.Lines[0].Refund; r.Status != returns.RefundPending || r.StripeRefundID != "" {
		t.Fatalf("the refund after Stripe failed: %+v", r)
	}
	if err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Close(b.ctx, tx, c.ID, 0, returns.CloseInput{})
		return err
	}); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("closing with the refund pending: %v", err)
	}
	c = must(t)(b.s.SendRefund(b.ctx, run, c.ID, 1))
	again := must(t)(b.s.SendRefund(b.ctx, run, c.ID, 1)) // the job after the caller made it: nothing more
	if again.Lines[0].Refund.StripeRefundID != c.Lines[0].Refund.StripeRefundID {
		t.Fatalf("a second send changed the refund: %+v", again.Lines[0].Refund)
	}
	l := c.Lines[0]
	if c.Status != returns.StatusResolved || l.Outcome != returns.OutcomeRefunded || l.Refund == nil ||
		!strings.HasPrefix(l.Refund.StripeRefundID, "re_") || c.Refunded != 399900 {
		t.Fatalf("refunded: %+v %+v", c, l.Refund)
	}
	if len(l.Movements) != 1 {
		t.Fatalf("the refund's stock movement: %v", l.Movements)
	}
	m, err := stock.GetMovement(b.ctx, b.tx, l.Movements[0])
	if err != nil || m.WarehouseID != returned || m.Qty != 1 || m.Serial != u.Serial {
		t.Fatalf("the returned unit into the returned-goods warehouse: %+v %v", m, err)
	}
	c = must(t)(b.s.Close(b.ctx, b.tx, c.ID, c.Version, returns.CloseInput{Note: "已退款"}))
	if c.Status != returns.StatusClosed || c.ClosedAt == nil {
		t.Fatalf("closed: %+v", c)
	}
	want := []string{returns.EventApplied, returns.EventApproved, returns.EventReceived, returns.EventInspected, returns.EventRefunded,
		returns.EventResolved, returns.EventClosed}
	got := eventTypes(t, b, c.ID)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("event %s missing: %v", w, got)
		}
	}
	if len(c.Steps) != len(want) {
		t.Errorf("steps: %+v", c.Steps)
	}
}

// TestRemedyMustBeAllowed: a unit past the 15-day window gets repair only, so a refund or
// exchange is refused naming the line's remedy, unless a manager overrides with a reason;
// personal reasons need the tenant's consent and its window; an outside payment is refunded
// with a reference.
func TestRemedyMustBeAllowed(t *testing.T) {
	t.Parallel()
	b := setup(t, uuid.Nil)
	old := b.unit(t, 60)
	in := returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionCourier,
		Lines: []returns.LineInput{{RegistrationID: old.ID, Remedy: returns.RemedyExchange, Paid: 100000, Payment: returns.PaymentOutside}}}
	err := b.savepoint(t, func(tx *tenants.Tx) error { _, err := b.s.Apply(b.ctx, tx, in, false); return err })
	if testfactory.ErrField(err) != "lines[0].remedy" || !strings.Contains(err.Error(), "allows repair") {
		t.Fatalf("exchange of a unit whose decision allows repair only: %v", err)
	}
	err = b.savepoint(t, func(tx *tenants.Tx) error { _, err := b.s.Apply(b.ctx, tx, in, true); return err })
	if testfactory.ErrField(err) != "override_reason" {
		t.Fatalf("override without a reason: %v", err)
	}
	in.OverrideReason = "批次质量问题,经理同意换货"
	c := must(t)(b.s.Apply(b.ctx, b.tx, in, true))
	if !c.Lines[0].Overridden || c.OverrideReason == "" || c.Lines[0].Class != "manufacturer" {
		t.Fatalf("overridden: %+v", c)
	}
	// An override where the decision allows everything is refused.
	fresh := b.unit(t, 2)
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Apply(b.ctx, tx, returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionDropOff,
			OverrideReason: "x", Lines: []returns.LineInput{{RegistrationID: fresh.ID, Remedy: returns.RemedyRefund, Payment: returns.PaymentOutside}}}, true)
		return err
	})
	if testfactory.ErrField(err) != "override_reason" {
		t.Fatalf("a needless override: %v", err)
	}
	// Personal reasons: refused until the tenant allows them, then within its window only.
	personal := returns.ApplyInput{Reason: returns.ReasonPersonal, Collection: returns.CollectionDropOff,
		Lines: []returns.LineInput{{RegistrationID: fresh.ID, Remedy: returns.RemedyRefund, Paid: 5000, Payment: returns.PaymentOutside}}}
	err = b.savepoint(t, func(tx *tenants.Tx) error { _, err := b.s.Apply(b.ctx, tx, personal, false); return err })
	if testfactory.ErrField(err) != "reason" {
		t.Fatalf("personal reason the tenant does not accept: %v", err)
	}
	if _, err := returns.PutSettings(b.ctx, b.tx, 0, returns.TenantTerms{AllowPersonal: true, PersonalDays: 7, AdvanceDeadlineDays: 15}); err != nil {
		t.Fatal(err)
	}
	c = must(t)(b.s.Apply(b.ctx, b.tx, personal, false))
	personal.Lines[0].RegistrationID = b.unit(t, 30).ID
	err = b.savepoint(t, func(tx *tenants.Tx) error { _, err := b.s.Apply(b.ctx, tx, personal, false); return err })
	if testfactory.ErrField(err) != "lines[0].remedy" || !strings.Contains(err.Error(), "7 days") {
		t.Fatalf("personal reason past the window: %v", err)
	}
	// Another customer's unit is not this customer's to return.
	other := testfactory.Registration(b.ctx, t, b.tx, &testfactory.RegistrationOpts{ModelID: b.model})
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Apply(b.ctx, tx, returns.ApplyInput{CustomerID: &b.customer, Reason: returns.ReasonQualityFault,
			Collection: returns.CollectionDropOff, Lines: []returns.LineInput{{RegistrationID: other.ID, Remedy: returns.RemedyRefund,
				Payment: returns.PaymentOutside}}}, false)
		return err
	})
	if testfactory.ErrField(err) != "lines[0].registration_id" {
		t.Fatalf("another customer's unit: %v", err)
	}
	// The personal return is refunded outside the platform, with its reference.
	c = must(t)(b.s.Review(b.ctx, b.tx, c.ID, 0, returns.ReviewDecision{Decision: "approve"}))
	c = must(t)(b.s.Receive(b.ctx, b.tx, c.ID, 0, returns.ReceiveInput{Lines: []int{1}}))
	c = must(t)(b.s.Inspect(b.ctx, b.tx, c.ID, 0, returns.InspectInput{Line: 1, Result: returns.InspectionConfirmed}))
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Refund(b.ctx, tx, c.ID, 0, returns.LineRefundInput{Line: 1, Amount: 5000})
		return err
	})
	if testfactory.ErrField(err) != "reference" {
		t.Fatalf("an outside refund without its reference: %v", err)
	}
	c = must(t)(b.s.Refund(b.ctx, b.tx, c.ID, 0, returns.LineRefundInput{Line: 1, Amount: 5000, Reference: "WX-REFUND-1"}))
	if c.Lines[0].Refund.Reference != "WX-REFUND-1" || c.Lines[0].Refund.Status != "recorded" || c.Status != returns.StatusResolved {
		t.Fatalf("recorded refund: %+v", c.Lines[0].Refund)
	}
}

// TestExchangeForAnotherModel: a unit on day 10 may be exchanged, not refunded; the case is
// rejected with a reason or goes on; an exchange for another model needs its price and puts
// the difference on the case; the new unit's warranty starts today (its own decision allows
// a refund again), its serial cannot be one registered already, and a unit whose fault is
// not confirmed goes back to the customer.
func TestExchangeForAnotherModel(t *testing.T) {
	t.Parallel()
	b := setup(t, uuid.Nil)
	_, _, part := b.stockSetup(t)
	u1, u2 := b.unit(t, 9), b.unit(t, 9)
	in := returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionPickup,
		Lines: []returns.LineInput{{RegistrationID: u1.ID, Remedy: returns.RemedyRefund, Payment: returns.PaymentOutside}}}
	err := b.savepoint(t, func(tx *tenants.Tx) error { _, err := b.s.Apply(b.ctx, tx, in, false); return err })
	if testfactory.ErrField(err) != "lines[0].remedy" {
		t.Fatalf("refund on day 10: %v", err)
	}
	rejected := must(t)(b.s.Apply(b.ctx, b.tx, returns.ApplyInput{Reason: returns.ReasonTransportDamage, Collection: returns.CollectionDropOff,
		Lines: []returns.LineInput{{RegistrationID: u1.ID, Remedy: returns.RemedyExchange, Payment: returns.PaymentOutside}}}, false))
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, rejected.ID, 0, returns.ReviewDecision{Decision: "reject"})
		return err
	})
	if testfactory.ErrField(err) != "note" {
		t.Fatalf("reject without a reason: %v", err)
	}
	rejected = must(t)(b.s.Review(b.ctx, b.tx, rejected.ID, 0, returns.ReviewDecision{Decision: "reject", Note: "外包装完好,无运输损坏"}))
	if rejected.Status != returns.StatusRejected {
		t.Fatalf("rejected: %s", rejected.Status)
	}

	c := must(t)(b.s.Apply(b.ctx, b.tx, returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionPickup,
		Lines: []returns.LineInput{
			{RegistrationID: u1.ID, Remedy: returns.RemedyExchange, Paid: 300000, Payment: returns.PaymentOutside, PartID: &part},
			{RegistrationID: u2.ID, Remedy: returns.RemedyExchange, Paid: 300000, Payment: returns.PaymentOutside},
		}}, false))
	c = must(t)(b.s.Review(b.ctx, b.tx, c.ID, 0, returns.ReviewDecision{Decision: "approve"}))
	c = must(t)(b.s.Receive(b.ctx, b.tx, c.ID, 0, returns.ReceiveInput{Lines: []int{1}}))
	if c.Status != returns.StatusApproved {
		t.Fatalf("one of two units back: %s", c.Status)
	}
	c = must(t)(b.s.Receive(b.ctx, b.tx, c.ID, 0, returns.ReceiveInput{Lines: []int{2}, CollectionRef: "visit 2026-12-08"}))
	c = must(t)(b.s.Inspect(b.ctx, b.tx, c.ID, 0, returns.InspectInput{Line: 1, Result: returns.InspectionConfirmed}))
	c = must(t)(b.s.Inspect(b.ctx, b.tx, c.ID, 0, returns.InspectInput{Line: 2, Result: returns.InspectionNotConfirmed, Note: "未发现故障"}))
	if c.Status != returns.StatusInspected || c.Lines[1].Outcome != returns.OutcomeReturnedToCustomer {
		t.Fatalf("inspected: %s %+v", c.Status, c.Lines[1])
	}
	bigger := testfactory.Model(b.ctx, t, b.tx, nil).ID
	testfactory.Policy(b.ctx, t, b.tx, &testfactory.PolicyOpts{ModelIDs: []uuid.UUID{bigger}})
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Exchange(b.ctx, tx, c.ID, 0, returns.LineExchangeInput{Line: 1, Serial: "NEW-" + testfactory.Unique(), ModelID: &bigger})
		return err
	})
	if testfactory.ErrField(err) != "price" {
		t.Fatalf("another model without its price: %v", err)
	}
	err = b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Exchange(b.ctx, tx, c.ID, 0, returns.LineExchangeInput{Line: 1, Serial: u2.Serial, ModelID: &b.model})
		return err
	})
	if testfactory.ErrField(err) != "serial" {
		t.Fatalf("exchange for a unit registered already: %v", err)
	}
	newSerial := "NEW-" + testfactory.Unique()
	price := int64(350000)
	c = must(t)(b.s.Exchange(b.ctx, b.tx, c.ID, 0, returns.LineExchangeInput{Line: 1, Serial: newSerial, ModelID: &bigger, Price: &price}))
	ex := c.Lines[0].Exchange
	if c.Status != returns.StatusResolved || ex == nil || ex.Difference != 50000 || c.Difference != 50000 || ex.ModelID != bigger {
		t.Fatalf("exchanged: %+v %+v", c, ex)
	}
	if ex.PartID != nil {
		t.Errorf("another model's replacement took the old model's stock item: %v", ex.PartID)
	}
	if len(c.Lines[0].Movements) != 1 {
		t.Errorf("the old unit's receipt: %v", c.Lines[0].Movements)
	}
	res, err := coverage.Check(b.ctx, b.tx, orders.History{Now: time.Now}, coverage.CheckInput{RegistrationID: ex.RegistrationID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Decision.Remedies, "refund") || res.Serial != newSerial {
		t.Fatalf("the new unit's warranty did not restart: %+v", res.Decision)
	}
}

// sandbox onboards a tenant whose business rules follow a test clock.
func sandbox(ctx context.Context, t *testing.T) uuid.UUID {
	t.Helper()
	u := testfactory.Unique()
	tn, _, err := testfactory.DB(t).Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "sb-" + u, Name: "Sandbox " + u, Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "sb-" + u + "@returns.test", AdminName: "Admin",
		AdminPasswordHash: "x", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func advance(t *testing.T, b *testBundle, d time.Duration) {
	t.Helper()
	c, err := tenants.GetClock(b.ctx, b.tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenants.AdvanceClock(b.ctx, b.tx, c.Now.Add(d), "to"); err != nil {
		t.Fatal(err)
	}
}

// TestAdvanceExchange: the replacement is registered (warranty restarted) and issued from
// stock at approval against a card hold; the old unit not back by the deadline (the
// tenant's clock moved past it) has the hold captured; a deposit case whose old unit comes
// back is released and never charged, however late the deadline's wake runs.
func TestAdvanceExchange(t *testing.T) {
	t.Parallel()
	b := setup(t, sandbox(context.Background(), t))
	_, finished, part := b.stockSetup(t)
	// The replacement units are in stock.
	for _, sn := range []string{"ADV-1", "ADV-2"} {
		if _, _, err := stock.Post(b.ctx, b.tx, stock.MovementInput{IdempotencyKey: "stock-" + sn, Type: "receipt", WarehouseID: finished,
			PartID: part, Qty: 1, Serial: sn}, uuid.Nil); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(u registry.Registration) returns.Case {
		return must(t)(b.s.Apply(b.ctx, b.tx, returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionCourier,
			Lines: []returns.LineInput{{RegistrationID: u.ID, Remedy: returns.RemedyAdvanceExchange, Paid: 260000, Payment: returns.PaymentOutside,
				PartID: &part}}}, false))
	}
	c := apply(b.unit(t, 5))
	err := b.savepoint(t, func(tx *tenants.Tx) error {
		_, err := b.s.Review(b.ctx, tx, c.ID, 0, returns.ReviewDecision{Decision: "approve", Replacements: []returns.Replacement{{Line: 1, Serial: "ADV-1"}}})
		return err
	})
	if testfactory.ErrField(err) != "hold" {
		t.Fatalf("advance exchange without a hold: %v", err)
	}
	// The card hold is placed before the approval's transaction.
	hold := &returns.HoldInput{Kind: returns.HoldCard, Amount: 260000, PaymentMethod: "pm_card_visa"}
	run := func(ctx context.Context, fn func(tx *tenants.Tx) error) error { return b.savepoint(t, fn) }
	if err := b.s.PlaceHold(b.ctx, run, c.ID, &returns.HoldInput{Kind: returns.HoldCard, Amount: 260000, PaymentMethod: "card"}); testfactory.ErrField(err) != "hold.payment_method" {
		t.Fatalf("a card hold without a payment method: %v", err)
	}
	if err := b.s.PlaceHold(b.ctx, run, c.ID, hold); err != nil || !strings.HasPrefix(hold.Intent, "pi_") {
		t.Fatalf("the card hold: %q %v", hold.Intent, err)
	}
	c = must(t)(b.s.Review(b.ctx, b.tx, c.ID, 0, returns.ReviewDecision{Decision: "approve",
		Replacements: []returns.Replacement{{Line: 1, Serial: "ADV-1"}}, Hold: hold}))
	ex := c.Lines[0].Exchange
	if c.Status != returns.StatusApproved || ex == nil || !ex.Advance || c.Hold == nil || c.Hold.Status != returns.HoldHeld ||
		!strings.HasPrefix(c.Hold.Reference, "pi_") || c.Hold.DueAt == nil {
		t.Fatalf("approved advance exchange: %+v %+v", c, c.Hold)
	}
	if len(c.Lines[0].Movements) != 1 {
		t.Fatalf("the replacement's issue: %v", c.Lines[0].Movements)
	}
	if m, err := stock.GetMovement(b.ctx, b.tx, c.Lines[0].Movements[0]); err != nil || m.WarehouseID != finished || m.Qty != -1 || m.Serial != "ADV-1" {
		t.Fatalf("the replacement left the finished-goods warehouse: %+v %v", m, err)
	}
	reg, err := registry.Get(b.ctx, b.tx, ex.RegistrationID)
	if err != nil || reg.PurchaseDate != testfactory.Today(b.ctx, t, b.tx).Format(time.DateOnly) || reg.InvoiceNo != c.Number {
		t.Fatalf("the replacement's registration (warranty from today): %+v %v", reg, err)
	}
	testfactory.Flush(b.ctx, t, b.tx)
	var deadline bool
	for _, a := range b.jobs.Args() {
		if d, ok := a.(returns.DeadlineArgs); ok && d.CaseID == c.ID {
			deadline = true
		}
	}
	if !deadline {
		t.Errorf("no deadline job queued: %v", b.jobs.Kinds())
	}
	// A deposit case whose old unit comes back: released, never charged.
	d := apply(b.unit(t, 3))
	d = must(t)(b.s.Review(b.ctx, b.tx, d.ID, 0, returns.ReviewDecision{Decision: "approve",
		Replacements: []returns.Replacement{{Line: 1, Serial: "ADV-2"}},
		Hold:         &returns.HoldInput{Kind: returns.HoldDeposit, Amount: 260000, Reference: "POS-8812"}}))
	d = must(t)(b.s.Receive(b.ctx, b.tx, d.ID, 0, returns.ReceiveInput{Lines: []int{1}, CollectionRef: "SF1234567890"}))
	if d.Hold.Status != returns.HoldReleased || d.Status != returns.StatusReceived || len(d.Lines[0].Movements) != 2 {
		t.Fatalf("old unit back: %+v %+v", d.Hold, d.Lines[0])
	}

	// Before the deadline nothing is charged.
	got, left, err := b.s.ChargeIfOverdue(b.ctx, b.tx, c.ID)
	if err != nil || left <= 0 || got.Hold.Status != returns.HoldHeld {
		t.Fatalf("before the deadline: %v %v %+v", left, err, got.Hold)
	}
	advance(t, b, 16*24*time.Hour)
	got, left, err = b.s.ChargeIfOverdue(b.ctx, b.tx, c.ID)
	if err != nil || left != 0 || got.Hold.Status != returns.HoldCharged || got.Status != returns.StatusReceived ||
		got.Lines[0].Inspection != returns.InspectionNotReturned || got.Lines[0].Outcome != returns.OutcomeExchanged {
		t.Fatalf("past the deadline: %v %v %+v", left, err, got)
	}
	if !slices.Contains(eventTypes(t, b, c.ID), returns.EventHoldCharged) {
		t.Errorf("no hold_charged event")
	}
	// The capture is asked of Stripe by a job after the commit, not in the transaction: a
	// Stripe failure fails the job (River retries it), and the retry captures.
	var capture *returns.HoldArgs
	for _, a := range b.jobs.Args() {
		if h, ok := a.(returns.HoldArgs); ok && h.CaseID == c.ID && h.Capture {
			capture = &h
		}
	}
	if capture == nil || capture.Intent != c.Hold.Reference {
		t.Fatalf("no capture job for the hold %s: %v", c.Hold.Reference, b.jobs.Kinds())
	}
	down := &returns.Service{Payments: billing.New(testfactory.DB(t), slog.New(slog.DiscardHandler),
		billing.Config{SecretKey: "sk_test_123", APIBase: "http://127.0.0.1:1"})}
	if err := down.SettleHold(b.ctx, *capture); err == nil {
		t.Fatal("capture with Stripe down: no error")
	}
	if err := b.s.SettleHold(b.ctx, *capture); err != nil {
		t.Fatalf("the capture's retry: %v", err)
	}
	d, _, err = b.s.ChargeIfOverdue(b.ctx, b.tx, d.ID)
	if err != nil || d.Hold.Status != returns.HoldReleased {
		t.Fatalf("a late wake charged a released hold: %v %+v", err, d.Hold)
	}
	d = must(t)(b.s.Inspect(b.ctx, b.tx, d.ID, 0, returns.InspectInput{Line: 1, Result: returns.InspectionConfirmed}))
	if d.Status != returns.StatusResolved {
		t.Fatalf("an advance exchange inspected is resolved: %s", d.Status)
	}
	d = must(t)(b.s.Close(b.ctx, b.tx, d.ID, 0, returns.CloseInput{}))
	if d.Status != returns.StatusClosed {
		t.Fatalf("closed: %s", d.Status)
	}
}

// TestExchangeDatedByTheTenantsClock: a sandbox tenant's test clock moved five days on; an
// advance exchange approved then registers the new unit bought (and its warranty started)
// on the tenant's day, not the wall clock's.
func TestExchangeDatedByTheTenantsClock(t *testing.T) {
	t.Parallel()
	b := setup(t, sandbox(context.Background(), t))
	u := b.unit(t, 5)
	advance(t, b, 5*24*time.Hour)
	clock, err := tenants.GetClock(b.ctx, b.tx)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := clock.Now.In(loc).Format(time.DateOnly)
	if day == time.Now().In(loc).Format(time.DateOnly) {
		t.Fatalf("the tenant's clock did not move: %s", day)
	}
	c := must(t)(b.s.Apply(b.ctx, b.tx, returns.ApplyInput{Reason: returns.ReasonQualityFault, Collection: returns.CollectionCourier,
		Lines: []returns.LineInput{{RegistrationID: u.ID, Remedy: returns.RemedyAdvanceExchange, Paid: 260000, Payment: returns.PaymentOutside}}}, false))
	c = must(t)(b.s.Review(b.ctx, b.tx, c.ID, 0, returns.ReviewDecision{Decision: "approve",
		Replacements: []returns.Replacement{{Line: 1, Serial: "CLK-" + testfactory.Unique()}},
		Hold:         &returns.HoldInput{Kind: returns.HoldDeposit, Amount: 260000, Reference: "POS-1"}}))
	ex := c.Lines[0].Exchange
	if ex == nil || ex.WarrantyFrom != day {
		t.Fatalf("the exchange's warranty start: %+v, want %s", ex, day)
	}
	reg, err := registry.Get(b.ctx, b.tx, ex.RegistrationID)
	if err != nil || reg.PurchaseDate != day || reg.InvoiceDate != day {
		t.Fatalf("the new unit's registration (bought %s on the tenant's clock): %+v %v", day, reg, err)
	}
}

package commission_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// rules10 pays 10% of the labour net of 6% tax, split lead 2 : assistant 1, and charges an
// outlet 50.00 per breached completion target.
func rules10() commission.PayRules {
	return commission.PayRules{
		Rates:          []commission.PayRate{{ID: "labour-10", Basis: commission.Percent, Tiers: []commission.Bracket{{BasisPoints: 1000}}}},
		Shares:         map[string]int{"lead": 2, "assistant": 1},
		TaxBasisPoints: 600,
		Breach:         &commission.BreachRule{ID: "late-outlet", Amount: 5000, Targets: []string{"completion"}},
	}
}

// payBundle is an outlet, two engineers on one order with an approved quote of 318.00 labour
// (300.00 net of 6% tax: 30.00 commission, lead 20.00, assistant 10.00).
type payBundle struct {
	ctx        context.Context
	tx         *tenants.Tx
	outlet     uuid.UUID
	lead, asst uuid.UUID
	order      uuid.UUID
}

func setupPay(t *testing.T, tx *tenants.Tx, rules commission.PayRules) *payBundle {
	t.Helper()
	ctx := context.Background()
	b := &payBundle{ctx: ctx, tx: tx}
	b.outlet = testfactory.Outlet(ctx, t, tx, nil).ID
	b.lead = testfactory.User(ctx, t, tx, &testfactory.UserOpts{OutletID: b.outlet}).UserID
	b.asst = testfactory.User(ctx, t, tx, &testfactory.UserOpts{OutletID: b.outlet}).UserID
	b.exec(t, `INSERT INTO engineer_profiles (tenant_id, user_id, outlet_id, level) VALUES (app.tenant_id(), $1, $3, 3), (app.tenant_id(), $2, $3, 1)`,
		b.lead, b.asst, b.outlet)
	if _, err := commission.AddVersion(ctx, tx, commission.NewRuleVersion{EffectiveFrom: "2020-01-01", Rules: rules}); err != nil {
		t.Fatal(err)
	}
	b.order = b.newOrder(t)
	return b
}

func (b *payBundle) newOrder(t *testing.T) uuid.UUID {
	t.Helper()
	o := testfactory.Order(b.ctx, t, b.tx, &testfactory.OrderOpts{OutletID: b.outlet})
	b.exec(t, `INSERT INTO order_engineers (tenant_id, order_id, user_id, role, state) VALUES
	    (app.tenant_id(), $1, $2, 'lead', 'accepted'), (app.tenant_id(), $1, $3, 'assistant', 'accepted')`, o.ID, b.lead, b.asst)
	b.exec(t, `INSERT INTO order_quotes (tenant_id, id, order_id, customer_id, status, currency, lines, total_charged, token_hash)
	    VALUES (app.tenant_id(), $1, $2, $3, 'approved', 'CNY', '[{"kind":"labour","description":"Labour","quantity":1,"unit_price":31800}]', 31800, '\x00')`,
		platform.NewID(), o.ID, o.CustomerID)
	return o.ID
}

func (b *payBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.tx.Exec(b.ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (b *payBundle) status(t *testing.T, order uuid.UUID, status string) {
	t.Helper()
	b.exec(t, `UPDATE service_orders SET status = $2 WHERE id = $1`, order, status)
}

func (b *payBundle) pay(t *testing.T, order uuid.UUID) string {
	t.Helper()
	what, err := commission.PayOrder(b.ctx, b.tx, order)
	if err != nil {
		t.Fatal(err)
	}
	return what
}

// sums are an order's lines by engineer and kind, all causes netted.
func (b *payBundle) sums(t *testing.T, order uuid.UUID) map[string]int64 {
	t.Helper()
	lines, err := commission.OrderLines(b.ctx, b.tx, order)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, l := range lines {
		who := map[uuid.UUID]string{b.lead: "lead", b.asst: "asst"}[l.PartyID]
		if who == "" {
			who = l.PartyKind
		}
		out[who+"/"+l.Kind] += l.Amount
	}
	return out
}

func (b *payBundle) count(t *testing.T, order uuid.UUID) int {
	t.Helper()
	lines, err := commission.OrderLines(b.ctx, b.tx, order)
	if err != nil {
		t.Fatal(err)
	}
	return len(lines)
}

func want(t *testing.T, what string, got, exp int64) {
	t.Helper()
	if got != exp {
		t.Errorf("%s = %d, want %d", what, got, exp)
	}
}

func TestAuditedOrderIsPaidOnceByRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules10())
	if what := b.pay(t, b.order); what != "nothing to do" {
		t.Fatalf("an order not audited: %q", what)
	}
	b.status(t, b.order, "approved")
	if what := b.pay(t, b.order); what != "audit 1 paid under version 1" {
		t.Fatalf("audit: %q", what)
	}
	s := b.sums(t, b.order)
	want(t, "lead commission", s["lead/commission"], 2000)
	want(t, "assistant commission", s["asst/commission"], 1000)
	lines, _ := commission.OrderLines(ctx, b.tx, b.order)
	for _, l := range lines {
		if l.Rule != "labour-10" || l.RuleVersion != 1 || l.OrderID != b.order || l.Detail == "" || l.AccruedOn == "" || l.StatementID == nil {
			t.Errorf("line does not name its rule, version and order, or is not on a statement: %+v", l)
		}
	}
	// Delivered again (River retries; the closing sends another event): nothing more.
	for range 3 {
		if what := b.pay(t, b.order); what != "nothing to do" {
			t.Fatalf("redelivery: %q", what)
		}
	}
	b.status(t, b.order, "closed")
	b.pay(t, b.order)
	if n := b.count(t, b.order); n != 2 {
		t.Errorf("after redeliveries and closing: %d lines, want 2", n)
	}
	// The statements carry the lines' totals.
	var total int64
	if err := b.tx.QueryRow(ctx, `SELECT sum(total) FROM pay_statements WHERE party_kind = 'engineer'`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	want(t, "statements' total", total, 3000)
	b.balanced(t)
}

func TestReopenedAuditIsReversedAndPaidAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules10())
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	b.status(t, b.order, "waiting") // closed, then reopened: the audit no longer stands
	if what := b.pay(t, b.order); what != "audit 1 reversed" {
		t.Fatalf("reopened: %q", what)
	}
	s := b.sums(t, b.order)
	want(t, "lead after reversal", s["lead/commission"], 0)
	want(t, "assistant after reversal", s["asst/commission"], 0)
	if what := b.pay(t, b.order); what != "nothing to do" {
		t.Fatalf("reversal redelivered: %q", what)
	}
	if n := b.count(t, b.order); n != 4 {
		t.Errorf("lines after reversal: %d, want 4 (2 paid, 2 reversed)", n)
	}
	b.status(t, b.order, "approved")
	if what := b.pay(t, b.order); what != "audit 2 paid under version 1" {
		t.Fatalf("audited again: %q", what)
	}
	want(t, "lead after the second audit", b.sums(t, b.order)["lead/commission"], 2000)
	b.balanced(t)
}

// insertBill gives the order a bill of 318.00 labour with what was paid and refunded.
func (b *payBundle) insertBill(t *testing.T, order uuid.UUID, status string, paid, refunded int64) {
	t.Helper()
	b.exec(t, `INSERT INTO bills (tenant_id, id, order_id, outlet_id, customer_id, number, currency, status, lines, subtotal, total, paid, refunded)
	    SELECT app.tenant_id(), $1, o.id, o.outlet_id, o.customer_id, o.number, 'CNY', $3,
	      '[{"kind":"labour","description":"Labour","quantity":1,"unit_price":31800}]', 31800, 31800, $4, $5
	    FROM service_orders o WHERE o.id = $2`, platform.NewID(), order, status, paid, refunded)
}

func (b *payBundle) money(t *testing.T, order uuid.UUID, status string, paid, refunded int64) {
	t.Helper()
	b.exec(t, `UPDATE bills SET status = $2, paid = $3, refunded = $4 WHERE order_id = $1`, order, status, paid, refunded)
	if err := commission.MoneyMoved(b.ctx, b.tx, order); err != nil {
		t.Fatal(err)
	}
}

func TestRefundReversesCommissionInProportion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules10())
	b.insertBill(t, b.order, "paid", 31800, 0)
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	// A third given back: a third of the commission (rounded down) is reversed.
	b.money(t, b.order, "issued", 31800, 10600)
	s := b.sums(t, b.order)
	want(t, "lead after a third refunded", s["lead/commission"], 2000-666)
	want(t, "assistant after a third refunded", s["asst/commission"], 1000-333)
	// The same refund state seen again changes nothing.
	b.money(t, b.order, "issued", 31800, 10600)
	want(t, "lead after the same refund again", b.sums(t, b.order)["lead/commission"], 2000-666)
	// All of it given back: the commission is reversed exactly.
	b.money(t, b.order, "issued", 31800, 31800)
	s = b.sums(t, b.order)
	want(t, "lead after a full refund", s["lead/commission"], 0)
	want(t, "assistant after a full refund", s["asst/commission"], 0)
	// Reopening reverses nothing more: the round already nets to zero.
	b.status(t, b.order, "waiting")
	b.pay(t, b.order)
	want(t, "lead after refund and reopening", b.sums(t, b.order)["lead/commission"], 0)
	b.balanced(t)
}

func TestAccrualOnMoneyReceivedWaitsForThePayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := rules10()
	rules.Accrual = commission.AccrueOnReceived
	rules.Praise = &commission.FlatRule{ID: "praise", Amount: 500}
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules)
	b.insertBill(t, b.order, "issued", 0, 0)
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	lines, _ := commission.OrderLines(ctx, b.tx, b.order)
	if len(lines) != 2 {
		t.Fatalf("lines: %+v", lines)
	}
	for _, l := range lines {
		if l.AccruedOn != "" || l.StatementID != nil {
			t.Errorf("commission accrued before the money came: %+v", l)
		}
	}
	b.money(t, b.order, "issued", 10000, 0) // part paid: still waiting
	lines, _ = commission.OrderLines(ctx, b.tx, b.order)
	if lines[0].AccruedOn != "" {
		t.Errorf("commission accrued on a part payment: %+v", lines[0])
	}
	b.money(t, b.order, "paid", 31800, 0)
	lines, _ = commission.OrderLines(ctx, b.tx, b.order)
	for _, l := range lines {
		if l.AccruedOn == "" || l.StatementID == nil {
			t.Errorf("paid in full, commission still waits: %+v", l)
		}
	}
	b.balanced(t)
}

func TestLateAndRepeatDeductions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := rules10()
	rules.Late = &commission.LateRule{ID: "late", LateRule: 1000, Cap: 2500}
	rules.Repeat = &commission.RepeatRule{ID: "repeat", Days: 30, Amount: 3000}
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules)
	// The first repair was finished 90 minutes past its completion target's due time.
	b.exec(t, `UPDATE service_orders SET completed_at = now() - interval '10 days' WHERE id = $1`, b.order)
	b.exec(t, `INSERT INTO sla_clocks (tenant_id, order_id, target, outlet_id, business, duration_ms, status, started_at, due_at, breached_at)
	    VALUES (app.tenant_id(), $1, 'completion', $2, false, 3600000, 'breached', now() - interval '12 days',
	            now() - interval '10 days' - interval '90 minutes', now() - interval '10 days' - interval '90 minutes')`, b.order, b.outlet)
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	s := b.sums(t, b.order)
	// 2 started hours at 10.00 = 20.00 each, split 2:1 with the odd cent to the larger remainder.
	want(t, "lead late", s["lead/late"], -1333)
	want(t, "assistant late", s["asst/late"], -667)
	// The same fault back 10 days later: the earlier repair's engineers are charged, on the
	// later order's lines, naming the earlier one.
	later := b.newOrder(t)
	b.exec(t, `UPDATE service_orders SET repeat_of = $2, is_repeat = true, status = 'approved' WHERE id = $1`, later, b.order)
	b.pay(t, later)
	lines, _ := commission.OrderLines(ctx, b.tx, later)
	var repeat int64
	for _, l := range lines {
		if l.Kind == "repeat" {
			repeat += l.Amount
			if l.RelatedOrderID == nil || *l.RelatedOrderID != b.order {
				t.Errorf("repeat line does not name the earlier repair: %+v", l)
			}
		}
	}
	want(t, "repeat charged", repeat, -3000)
	b.balanced(t)
}

func TestBackDatingStopsAtPaidAudits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	b := setupPay(t, tx, rules10())
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	_, err := commission.AddVersion(ctx, tx, commission.NewRuleVersion{EffectiveFrom: "2021-01-01", Rules: rules10()})
	if f := testfactory.ErrField(err); f != "effective_from" {
		t.Fatalf("back-dated behind paid pay: error %v (field %q), want effective_from", err, f)
	}
	if _, err := commission.AddVersion(ctx, tx, commission.NewRuleVersion{EffectiveFrom: "2099-01-01", Rules: rules10()}); err != nil {
		t.Fatalf("a future version: %v", err)
	}
}

func TestOutletChargedForBreachAndCompensationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	b := setupPay(t, tx, rules10())
	ev := func(typ string, data map[string]any) events.Event {
		raw, _ := json.Marshal(data)
		return events.Event{ID: uuid.New(), TenantID: tx.Scope.TenantID, Type: typ, Data: raw}
	}
	for range 2 { // delivered twice
		for _, e := range []events.Event{
			ev("sla.breached", map[string]any{"order_id": b.order, "target": "completion"}),
			ev("sla.breached", map[string]any{"order_id": b.order, "target": "accept"}), // not charged by the rule
			ev("compensation.issued", map[string]any{"order_id": b.order, "compensation_id": "0192f3a0-0000-7000-8000-000000000001",
				"amount": 9900, "currency": "CNY", "kind": "refund", "target": "completion"}),
		} {
			if _, err := commission.ChargeOutlet(ctx, tx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := b.sums(t, b.order)
	want(t, "outlet breach", s["outlet/breach"], -5000)
	want(t, "outlet compensation", s["outlet/compensation"], -9900)
	var total int64
	if err := tx.QueryRow(ctx, `SELECT total FROM pay_statements WHERE party_kind = 'outlet' AND party_id = $1`, b.outlet).Scan(&total); err != nil {
		t.Fatal(err)
	}
	want(t, "outlet statement", total, -14900)

	// The penalties list shows both lines, each with its outlet and statement; the filters
	// narrow by kind, outlet, month and the statement's status.
	list := func(f commission.PenaltyFilter) []commission.OutletPenalty {
		t.Helper()
		f.Limit = 50
		rows, err := commission.OutletPenalties(ctx, tx, f)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	all := list(commission.PenaltyFilter{Outlet: uuid.NullUUID{UUID: b.outlet, Valid: true}})
	if len(all) != 2 || all[0].OutletName == "" || all[0].StatementStatus != commission.StatementOpen || all[0].Month == "" {
		t.Fatalf("outlet penalties: %+v", all)
	}
	if got := list(commission.PenaltyFilter{Outlet: uuid.NullUUID{UUID: b.outlet, Valid: true}, Kind: commission.KindBreach}); len(got) != 1 || got[0].Amount != -5000 {
		t.Errorf("breaches only: %+v", got)
	}
	month, _ := commission.ParseMonth("month", all[0].Month)
	if got := list(commission.PenaltyFilter{Month: month, Outlet: uuid.NullUUID{UUID: b.outlet, Valid: true}}); len(got) != 2 {
		t.Errorf("the statement's month: %d lines, want 2", len(got))
	}
	other := month.AddDate(0, -1, 0)
	if got := list(commission.PenaltyFilter{Month: &other, Outlet: uuid.NullUUID{UUID: b.outlet, Valid: true}}); len(got) != 0 {
		t.Errorf("the month before: %+v", got)
	}
	if got := list(commission.PenaltyFilter{Status: commission.StatementApproved, Outlet: uuid.NullUUID{UUID: b.outlet, Valid: true}}); len(got) != 0 {
		t.Errorf("approved statements only: %+v", got)
	}
	if got := list(commission.PenaltyFilter{Outlet: uuid.NullUUID{UUID: uuid.New(), Valid: true}}); len(got) != 0 {
		t.Errorf("another outlet: %+v", got)
	}
	b.balanced(t)
}

// TestConcurrentDeliveriesPayOnce delivers one audit to the consumer eight times at once, as
// River may after a crash: each delivery runs in its own committed transaction, and the
// order is paid once.
func TestConcurrentDeliveriesPayOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testfactory.DB(t)
	tn := testfactory.Tenant(ctx, t, d, nil)
	var b *payBundle
	if err := d.Tx(ctx, tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		b = setupPay(t, tx, rules10())
		b.status(t, b.order, "approved")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := commission.Consumer{DB: d}
	ev := events.Event{ID: uuid.New(), TenantID: tn.ID, Type: "order.status_changed", Subject: "service_order", SubjectID: b.order}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- c.Handle(ctx, ev) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n, sum int64
	if err := d.Tx(ctx, tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(amount), 0) FROM pay_entries WHERE order_id = $1`, b.order).Scan(&n, &sum)
	}); err != nil {
		t.Fatal(err)
	}
	want(t, "lines after 8 deliveries", n, 2)
	want(t, "paid after 8 deliveries", sum, 3000)
}

// TestOnlyTenantsWithPayRulesGetDeliveries: the dispatch asks the consumer whether the
// tenant has pay rules; without a version it queues no commission delivery.
func TestOnlyTenantsWithPayRulesGetDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := testfactory.TestTx(ctx, t, nil)
	var c commission.Consumer
	if want, err := c.WantsIn(ctx, tx, "order.status_changed"); err != nil || want {
		t.Fatalf("a tenant without pay rules: wants %v, %v; want false", want, err)
	}
	setupPay(t, tx, rules10())
	if want, err := c.WantsIn(ctx, tx, "order.status_changed"); err != nil || !want {
		t.Fatalf("a tenant with pay rules: wants %v, %v; want true", want, err)
	}
}

// balanced checks every statement of the tenant against its lines: its total and count are
// theirs, and every accrued line is on a statement.
func (b *payBundle) balanced(t *testing.T) {
	t.Helper()
	rows, err := b.tx.Query(b.ctx, `SELECT s.id, s.total, s.lines, coalesce(sum(e.amount), 0)::bigint, count(e.id)::integer
	    FROM pay_statements s LEFT JOIN pay_entries e ON e.statement_id = s.id GROUP BY s.id, s.total, s.lines`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id uuid.UUID
		var total, sum int64
		var lines, count int32
		if err := rows.Scan(&id, &total, &lines, &sum, &count); err != nil {
			t.Fatal(err)
		}
		n++
		if total != sum || lines != count {
			t.Errorf("statement %s: total %d over %d lines, its lines sum to %d over %d", id, total, lines, sum, count)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("no statements")
	}
	var loose int
	if err := b.tx.QueryRow(b.ctx, `SELECT count(*) FROM pay_entries WHERE accrued_on IS NOT NULL AND statement_id IS NULL`).Scan(&loose); err != nil {
		t.Fatal(err)
	}
	if loose != 0 {
		t.Errorf("%d accrued lines on no statement", loose)
	}
}

// TestLinesDeliveredAgainAreFiledOnce: a set of lines whose keys are taken in part (a
// repeated delivery) writes only the new ones, and the statements count only those.
func TestLinesDeliveredAgainAreFiledOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPay(t, testfactory.TestTx(ctx, t, nil), rules10())
	b.status(t, b.order, "approved")
	b.pay(t, b.order)
	lines, err := b.tx.Q.PayEntriesOfOrder(ctx, b.tx, db.PayEntriesOfOrderParams{TenantID: b.tx.Scope.TenantID, OrderID: b.order})
	if err != nil || len(lines) != 2 {
		t.Fatalf("lines %+v: %v", lines, err)
	}
	again := make([]db.InsertPayLineParams, 0, 3)
	for _, l := range lines { // the same keys under new ids, and one new line for the lead
		again = append(again, db.InsertPayLineParams{TenantID: l.TenantID, ID: platform.NewID(), PartyKind: l.PartyKind, PartyID: l.PartyID,
			OutletID: l.OutletID, OrderID: l.OrderID, OrderNumber: l.OrderNumber, Kind: l.Kind, Rule: l.Rule, RuleVersion: l.RuleVersion,
			Round: l.Round, Cause: l.Cause, Amount: l.Amount, Currency: l.Currency, Detail: l.Detail, EffectKey: l.EffectKey, AccruedOn: l.AccruedOn})
	}
	extra := again[0]
	extra.ID, extra.EffectKey, extra.Amount, extra.Kind, extra.Rule = platform.NewID(), "test:extra", 700, commission.KindPraise, "praise"
	again = append(again, extra)
	if err := commission.InsertLines(ctx, b.tx, again, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, b.order); n != 3 {
		t.Errorf("after the set delivered again with one new line: %d lines, want 3", n)
	}
	// Delivered a third time: nothing more, and the statements still balance.
	for i := range again {
		again[i].ID, again[i].StatementID = platform.NewID(), uuid.NullUUID{}
	}
	if err := commission.InsertLines(ctx, b.tx, again, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, b.order); n != 3 {
		t.Errorf("delivered a third time: %d lines, want 3", n)
	}
	b.balanced(t)
	var total int64
	if err := b.tx.QueryRow(ctx, `SELECT sum(total) FROM pay_statements WHERE party_kind = 'engineer'`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	want(t, "statements' total", total, 3000+700)
}

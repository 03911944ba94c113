package billing_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

func refundEvent(id, typ string, created int64, tenant, purchase, refundRow uuid.UUID, pi, status string, amount int64) []byte {
	m := md(tenant, purchase)
	m["refund_id"] = refundRow.String()
	return ev(id, typ, created, map[string]any{"id": "re_" + refundRow.String()[:8], "object": "refund", "amount": amount, "currency": "cny",
		"payment_intent": pi, "charge": "ch_" + pi, "status": status, "failure_reason": "expired_or_canceled_card", "metadata": m})
}

func disputeEvent(id, typ string, created int64, pi string, amount int64, status string) []byte {
	return ev(id, typ, created, map[string]any{"id": "dp_" + pi, "object": "dispute", "amount": amount,
		"currency": "cny", "charge": "ch_" + pi, "payment_intent": pi, "status": status, "reason": "fraudulent"})
}

func (b *bundle) count(tenant uuid.UUID, sql string, args ...any) int {
	b.t.Helper()
	var n int
	b.in(tenant, func(tx *tenants.Tx) error { return tx.QueryRow(b.ctx, sql, args...).Scan(&n) })
	return n
}

func (b *bundle) checkout(f fixture, in billing.BuyInput) uuid.UUID {
	b.t.Helper()
	var id uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, in)
		id = co.Purchase.ID
		return err
	})
	return id
}

// deliverAtOnce hands every payload to the receiver from its own goroutine, at once.
func (b *bundle) deliverAtOnce(payloads ...[]byte) {
	b.t.Helper()
	var wg sync.WaitGroup
	for _, p := range payloads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.deliver(p); err != nil {
				b.t.Error(err)
			}
		}()
	}
	wg.Wait()
	b.settle()
}

// TestSameUpgradeBoughtTwiceIsRefused: eight checkouts of one upgrade for one order, all paid
// at once: exactly one is active; the seven others are recorded (ledger), flagged for finance
// as duplicates and refunded at once, and end refunded when Stripe confirms. A ninth checkout
// for the order is refused (422 on order_id).
func TestSameUpgradeBoughtTwiceIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, _ := demoProducts(b, f)
	order := b.order(f)
	var ids []uuid.UUID
	var pays [][]byte
	now := time.Now().Unix()
	for i := range 8 {
		id := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: order})
		ids = append(ids, id)
		pays = append(pays, intentSucceeded(evID("dup", i), now, f.tenant, id, fmt.Sprintf("pi_dup_%d", i), onsitePrice))
	}
	b.deliverAtOnce(pays...)
	if n := b.count(f.tenant, `SELECT count(*) FROM purchases WHERE order_id = $1 AND status = 'active'`, order); n != 1 {
		t.Fatalf("%d active upgrades of one product for one order, want 1", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`); n != 8 {
		t.Errorf("%d payments in the ledger, want 8 (every payment is recorded)", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM payment_flags WHERE kind = 'duplicate' AND status = 'refunding'`); n != 7 {
		t.Errorf("%d duplicates flagged and refunding, want 7", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM refunds WHERE reason = 'duplicate' AND status = 'requested' AND stripe_refund_id <> ''`); n != 7 {
		t.Errorf("%d duplicate refunds asked of Stripe, want 7", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM events WHERE type = 'payment.flagged'`); n != 7 {
		t.Errorf("payment.flagged emitted %d times, want 7", n)
	}
	// Stripe confirms the refunds of the duplicates (and re-sends the payments).
	var confirms [][]byte
	for i := range 8 {
		confirms = append(confirms, chargeRefunded(evID("dupref", i), now+10, fmt.Sprintf("pi_dup_%d", i), onsitePrice, onsitePrice), pays[i])
	}
	var active uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT id FROM purchases WHERE order_id = $1 AND status = 'active'`, order).Scan(&active)
	})
	var dupConfirms [][]byte
	for i, id := range ids {
		if id != active {
			dupConfirms = append(dupConfirms, confirms[2*i], confirms[2*i+1])
		}
	}
	b.deliverAtOnce(dupConfirms...)
	if n := b.count(f.tenant, `SELECT count(*) FROM purchases WHERE order_id = $1 AND status = 'refunded'`, order); n != 7 {
		t.Errorf("%d duplicates ended refunded, want 7", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM payment_flags WHERE status = 'refunded'`); n != 7 {
		t.Errorf("%d flags refunded, want 7", n)
	}
	var net int64
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT sum(amount) FROM ledger_entries`).Scan(&net)
	})
	if net != onsitePrice {
		t.Errorf("ledger sums to %d, want one upgrade's %d", net, onsitePrice)
	}
	if p := b.get(f, active); p.Status != billing.StatusActive || p.RefundedAmount != 0 {
		t.Errorf("the kept upgrade: %s, refunded %d", p.Status, p.RefundedAmount)
	}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: order})
		if err == nil || !isInvalid(err, "order_id") {
			t.Errorf("a ninth checkout of the upgrade the order has: %v, want invalid order_id", err)
		}
		return nil
	})
}

// TestPlansOnOneUnitFollowEachOther: four plans for one unit paid at once are all active, one
// after the other: no two terms overlap, each starts the day after the previous one ends.
func TestPlansOnOneUnitFollowEachOther(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	_, gold := demoProducts(b, f)
	unit := b.unit(f, "SN-STACK")
	var pays [][]byte
	now := time.Now().Unix()
	for i := range 4 {
		id := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: gold.ID, RegistrationID: unit})
		pays = append(pays, intentSucceeded(evID("plan", i), now, f.tenant, id, fmt.Sprintf("pi_plan_%d", i), goldPrice))
	}
	b.deliverAtOnce(pays...)
	var plans []billing.Purchase
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		plans, err = billing.ListPurchases(b.ctx, tx, billing.PurchaseFilter{RegistrationID: uuid.NullUUID{UUID: unit, Valid: true}, Limit: 10})
		return err
	})
	if len(plans) != 4 {
		t.Fatalf("%d plans", len(plans))
	}
	var terms []term
	for _, p := range plans {
		if p.Status != billing.StatusActive {
			t.Errorf("plan %s is %s", p.ID, p.Status)
		}
		from, _ := time.Parse(time.DateOnly, p.ValidFrom)
		until, _ := time.Parse(time.DateOnly, p.ValidUntil)
		terms = append(terms, term{from, until})
	}
	for i := range terms {
		next := 0
		for j := range terms {
			if i != j && terms[i].from.Before(terms[j].until.AddDate(0, 0, 1)) && terms[j].from.Before(terms[i].until.AddDate(0, 0, 1)) {
				t.Errorf("terms overlap: %v and %v", terms[i], terms[j])
			}
			if terms[j].from.Equal(terms[i].until.AddDate(0, 0, 1)) {
				next++
			}
		}
		if next > 1 {
			t.Errorf("two plans start after %v", terms[i])
		}
	}
	var chained int
	for i := range terms {
		for j := range terms {
			if terms[j].from.Equal(terms[i].until.AddDate(0, 0, 1)) {
				chained++
			}
		}
	}
	if chained != 3 {
		t.Errorf("%d plans start the day after another ends, want 3: %v", chained, terms)
	}
}

// TestWrongAmountIsFlaggedThenRefundedOrAccepted: a payment of the wrong amount grants
// nothing but is in the ledger and flagged for finance; finance refunds one (Stripe confirms:
// flag refunded, ledger back to zero) and accepts another with a reason (the purchase is
// activated). Accepting without a reason is refused naming the field.
func TestWrongAmountIsFlaggedThenRefundedOrAccepted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, _ := demoProducts(b, f)
	now := time.Now().Unix()
	refundMe := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: b.order(f)})
	acceptMe := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: b.order(f)})
	b.deliverAtOnce(intentSucceeded("evt_wrong_1", now, f.tenant, refundMe, "pi_wrong_1", onsitePrice-100),
		sessionCompleted("evt_wrong_1cs", now, f.tenant, refundMe, "pi_wrong_1", onsitePrice-100),
		intentSucceeded("evt_wrong_2", now, f.tenant, acceptMe, "pi_wrong_2", onsitePrice+500))
	for _, id := range []uuid.UUID{refundMe, acceptMe} {
		if p := b.get(f, id); p.Status != billing.StatusPending {
			t.Errorf("purchase paid the wrong amount is %s", p.Status)
		}
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM ledger_entries WHERE kind = 'payment' AND amount IN ($1, $2)`,
		onsitePrice-100, onsitePrice+500); n != 2 {
		t.Errorf("%d wrong-amount payments in the ledger, want 2", n)
	}
	var flags []billing.PaymentFlag
	open := "open"
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		flags, err = billing.ListPaymentFlags(b.ctx, tx, &open, uuid.NullUUID{}, 10)
		return err
	})
	if len(flags) != 2 {
		t.Fatalf("open flags: %+v", flags)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM events WHERE type = 'payment.flagged' AND payload->'recipients' @> '[{"role": "finance"}]'`); n != 2 {
		t.Errorf("payment.flagged to finance: %d, want 2", n)
	}
	byPurchase := map[uuid.UUID]billing.PaymentFlag{}
	for _, fl := range flags {
		byPurchase[fl.PurchaseID] = fl
	}
	scope := tenants.Scope{TenantID: f.tenant, Actor: tenants.SystemActor}
	got, err := b.svc.RefundFlag(b.ctx, scope, byPurchase[refundMe].ID)
	if err != nil || got.Status != "refunding" || got.RefundID == nil {
		t.Fatalf("refund flag: %+v %v", got, err)
	}
	if _, err := b.svc.RefundFlag(b.ctx, scope, byPurchase[refundMe].ID); err == nil {
		t.Error("a flag refunded twice")
	}
	b.deliverAtOnce(chargeRefunded("evt_wrong_1_refunded", now+5, "pi_wrong_1", onsitePrice-100, onsitePrice-100))
	var status string
	var net int64
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if err := tx.QueryRow(b.ctx, `SELECT status FROM payment_flags WHERE id = $1`, got.ID).Scan(&status); err != nil {
			return err
		}
		return tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE purchase_id = $1`, refundMe).Scan(&net)
	})
	if status != "refunded" || net != 0 {
		t.Errorf("refunded flag: %s, ledger of its purchase %d, want refunded and 0", status, net)
	}
	if p := b.get(f, refundMe); p.Status != billing.StatusPending || p.RefundedAmount != 0 {
		t.Errorf("purchase of a refunded wrong payment: %s refunded %d, want pending and untouched", p.Status, p.RefundedAmount)
	}

	if _, err := b.svc.AcceptFlag(b.ctx, scope, b.client, byPurchase[acceptMe].ID, "  "); !isInvalid(err, "reason") {
		t.Errorf("accept without a reason: %v", err)
	}
	acc, err := b.svc.AcceptFlag(b.ctx, scope, b.client, byPurchase[acceptMe].ID, "customer paid the old price plus delivery; matched by phone")
	if err != nil || acc.Status != "accepted" {
		t.Fatalf("accept: %+v %v", acc, err)
	}
	if p := b.get(f, acceptMe); p.Status != billing.StatusActive {
		t.Errorf("accepted payment's purchase is %s, want active", p.Status)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM ledger_entries WHERE purchase_id = $1`, acceptMe); n != 1 {
		t.Errorf("accepted payment recorded %d times, want once", n)
	}
}

// TestRefundFailureAndDisputeOutcomes: a cancellation whose refund fails leaves the purchase
// active (and cancellable again, with a new refund), the tenant's admins told; a dispute won
// restores the purchase and its grant with the funds back in the ledger; a dispute lost keeps
// it ended; a dispute closed as won before its "created" arrives never ends the purchase.
func TestRefundFailureAndDisputeOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	_, gold := demoProducts(b, f)
	now := time.Now().Unix()
	var ps []uuid.UUID
	var pays [][]byte
	for i := range 4 {
		id := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: gold.ID, RegistrationID: b.unit(f, fmt.Sprintf("SN-OUT-%d", i))})
		ps = append(ps, id)
		pays = append(pays, intentSucceeded(evID("out", i), now-100, f.tenant, id, fmt.Sprintf("pi_out_%d", i), goldPrice))
	}
	b.deliverAtOnce(pays...)

	// A refund that fails.
	scope := tenants.Scope{TenantID: f.tenant, Actor: tenants.SystemActor}
	if _, _, err := b.svc.Cancel(b.ctx, scope, ps[0]); err != nil {
		t.Fatal(err)
	}
	var refundRow uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT id FROM refunds WHERE purchase_id = $1`, ps[0]).Scan(&refundRow)
	})
	b.deliverAtOnce(refundEvent("evt_refund_failed", "refund.failed", now, f.tenant, ps[0], refundRow, "pi_out_0", "failed", goldPrice),
		refundEvent("evt_refund_updated", "charge.refund.updated", now, f.tenant, ps[0], refundRow, "pi_out_0", "failed", goldPrice))
	if p := b.get(f, ps[0]); p.Status != billing.StatusActive || p.CancelRequested {
		t.Errorf("purchase whose refund failed: %s, cancel requested %v; want active, not requested", p.Status, p.CancelRequested)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM refunds WHERE id = $1 AND status = 'failed' AND failure_reason = 'expired_or_canceled_card'`, refundRow); n != 1 {
		t.Error("the refund row is not failed")
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM events WHERE type = 'refund.failed' AND payload->'recipients' @> '[{"role": "tenant_admin"}]'`); n != 1 {
		t.Errorf("refund.failed to the admins: %d, want 1", n)
	}
	if _, _, err := b.svc.Cancel(b.ctx, scope, ps[0]); err != nil {
		t.Fatalf("cancel again after the refund failed: %v", err)
	}
	if n := b.count(f.tenant, `SELECT count(DISTINCT idempotency_key) FROM refunds WHERE purchase_id = $1`, ps[0]); n != 2 {
		t.Errorf("%d refund keys after a failed refund and a second cancel, want 2", n)
	}

	// Disputes: won, lost, and won before its creation is seen.
	b.deliverAtOnce(disputeEvent("evt_dp1_created", "charge.dispute.created", now, "pi_out_1", goldPrice, "needs_response"),
		disputeEvent("evt_dp2_created", "charge.dispute.created", now, "pi_out_2", goldPrice, "needs_response"))
	for _, id := range ps[1:3] {
		if p := b.get(f, id); p.Status != billing.StatusDisputed {
			t.Errorf("disputed purchase is %s", p.Status)
		}
	}
	b.deliverAtOnce(disputeEvent("evt_dp1_closed", "charge.dispute.closed", now+5, "pi_out_1", goldPrice, "won"),
		disputeEvent("evt_dp1_reinstated", "charge.dispute.funds_reinstated", now+5, "pi_out_1", goldPrice, "won"),
		disputeEvent("evt_dp2_closed", "charge.dispute.closed", now+5, "pi_out_2", goldPrice, "lost"),
		disputeEvent("evt_dp3_closed", "charge.dispute.closed", now+5, "pi_out_3", goldPrice, "won"))
	b.deliverAtOnce(disputeEvent("evt_dp3_created", "charge.dispute.created", now, "pi_out_3", goldPrice, "needs_response"))
	want := map[uuid.UUID]string{ps[1]: billing.StatusActive, ps[2]: billing.StatusDisputed, ps[3]: billing.StatusActive}
	wantNet := map[uuid.UUID]int64{ps[1]: goldPrice, ps[2]: 0, ps[3]: goldPrice}
	for id, w := range want {
		p := b.get(f, id)
		if p.Status != w {
			t.Errorf("after the dispute closed: %s, want %s", p.Status, w)
		}
		var net int64
		var grants int
		b.in(f.tenant, func(tx *tenants.Tx) error {
			if err := tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE purchase_id = $1`, id).Scan(&net); err != nil {
				return err
			}
			return tx.QueryRow(b.ctx, `SELECT count(*) FROM coverage_grants WHERE id = $1 AND status = 'active'`, p.GrantID).Scan(&grants)
		})
		if net != wantNet[id] {
			t.Errorf("ledger of a %s dispute's purchase: %d, want %d", w, net, wantNet[id])
		}
		if (grants == 1) != (w == billing.StatusActive) {
			t.Errorf("purchase %s has %d active grants", w, grants)
		}
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM events WHERE type = 'dispute.won'`); n != 2 {
		t.Errorf("dispute.won emitted %d times, want 2", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM events WHERE type = 'dispute.lost'`); n != 1 {
		t.Errorf("dispute.lost emitted %d times, want 1", n)
	}
}

// TestCompensationsAreOutletScoped: staff confined to an outlet see the compensations of
// their outlet's breached orders only; the brand sees all.
func TestCompensationsAreOutletScoped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, _ := demoProducts(b, f)
	other := platform.NewID()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO outlets (tenant_id, id, code, name, kind, province_code, city_code)
			VALUES (app.tenant_id(), $1, 'SH2', 'Shanghai 2', 'service_center', '310000', '310100')`, other)
		return err
	})
	o1, o2 := b.order(f), b.order(f)
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE service_orders SET outlet_id = $1 WHERE id = $2`, other, o2)
		return err
	})
	now := time.Now().Unix()
	var pays [][]byte
	for i, o := range []uuid.UUID{o1, o2} {
		id := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: o})
		pays = append(pays, intentSucceeded(evID("scope", i), now, f.tenant, id, fmt.Sprintf("pi_scope_%d", i), onsitePrice))
	}
	b.deliverAtOnce(pays...)
	for _, o := range []uuid.UUID{o1, o2} {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", o, uuid.Nil,
				map[string]any{"order_id": o, "target": "arrival", "due_at": time.Now().Add(-time.Minute)})
			return err
		})
	}
	b.settle()
	list := func(scope tenants.Scope) map[uuid.UUID]bool {
		out := map[uuid.UUID]bool{}
		if err := b.tdb.Tx(b.ctx, scope, func(tx *tenants.Tx) error {
			cs, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
			for _, c := range cs {
				out[c.OrderID] = true
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := list(tenants.Scope{TenantID: f.tenant}); !got[o1] || !got[o2] {
		t.Fatalf("brand's compensations: %v, want both orders'", got)
	}
	if got := list(tenants.Scope{TenantID: f.tenant, OutletID: f.outlet}); !got[o1] || got[o2] || len(got) != 1 {
		t.Errorf("outlet 1's compensations: %v, want only order %s's", got, o1)
	}
	if got := list(tenants.Scope{TenantID: f.tenant, OutletID: other}); !got[o2] || got[o1] || len(got) != 1 {
		t.Errorf("outlet 2's compensations: %v, want only order %s's", got, o2)
	}
}

// term is a plan's validity.
type term struct{ from, until time.Time }

func (t term) String() string {
	return t.from.Format(time.DateOnly) + ".." + t.until.Format(time.DateOnly)
}

func (b *bundle) get(f fixture, id uuid.UUID) billing.Purchase {
	b.t.Helper()
	var p billing.Purchase
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		p, err = billing.GetPurchase(b.ctx, tx, id)
		return err
	})
	return p
}

func isInvalid(err error, field string) bool {
	var fe *fault.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

// TestCreditsAreSpentAndExpire: a credit compensation becomes the customer's credit, valid
// for the tenant's credit validity; their next purchase spends it (Stripe charges the rest,
// the ledger records the credit redeemed) and a credit past its last day expires, its
// remainder recorded as no longer owed.
func TestCreditsAreSpentAndExpire(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	_, gold := demoProducts(b, f)
	var creditUpgrade billing.Product
	var settings billing.MoneyTerms
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		if _, err := billing.PutSettings(b.ctx, tx, 1, billing.MoneyTerms{CreditValidityDays: 30}); err == nil {
			t.Error("terms set with a version that is not current")
		}
		if settings, err = billing.PutSettings(b.ctx, tx, 0, billing.MoneyTerms{CreditValidityDays: 30}); err != nil {
			return err
		}
		u := upgradeWithCredit()
		creditUpgrade, err = billing.CreateProduct(b.ctx, tx, u, []billing.PriceInput{{Currency: "CNY", UnitAmount: onsitePrice}})
		return err
	})
	if settings.Version != 1 || settings.CreditValidityDays != 30 {
		t.Errorf("terms: %+v", settings)
	}
	order := b.order(f)
	var customer uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT customer_id FROM service_orders WHERE id = $1`, order).Scan(&customer)
	})
	now := time.Now().Unix()
	up := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: creditUpgrade.ID, OrderID: order, CustomerID: customer})
	b.deliverAtOnce(intentSucceeded("evt_credit_up", now, f.tenant, up, "pi_credit_up", onsitePrice))
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", order, f.outlet,
			map[string]any{"order_id": order, "target": "arrival", "due_at": time.Now().Add(-time.Minute)})
		return err
	})
	b.settle()
	var credits []billing.Credit
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		credits, err = billing.ListCredits(b.ctx, tx, uuid.NullUUID{UUID: customer, Valid: true}, uuid.NullUUID{}, 10)
		return err
	})
	const credit = onsitePrice / 10
	if len(credits) != 1 || credits[0].Amount != credit || credits[0].Remaining != credit || credits[0].Status != "open" {
		t.Fatalf("credits after a credit compensation: %+v", credits)
	}
	issued, _ := time.Parse(time.DateOnly, credits[0].IssuedOn)
	if until, _ := time.Parse(time.DateOnly, credits[0].ExpiresOn); !until.Equal(issued.AddDate(0, 0, 30)) {
		t.Errorf("credit issued %s expires %s, want 30 days later", credits[0].IssuedOn, credits[0].ExpiresOn)
	}

	// The customer's next purchase spends it.
	plan := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: gold.ID, RegistrationID: b.unit(f, "SN-CREDIT"), CustomerID: customer})
	p := b.get(f, plan)
	if p.Amount != goldPrice-credit || p.CreditApplied != credit {
		t.Fatalf("purchase with credit: charges %d with %d credit, want %d and %d", p.Amount, p.CreditApplied, goldPrice-credit, credit)
	}
	b.deliverAtOnce(intentSucceeded("evt_credit_plan", now, f.tenant, plan, "pi_credit_plan", goldPrice-credit))
	if p := b.get(f, plan); p.Status != billing.StatusActive {
		t.Errorf("plan paid with credit is %s", p.Status)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM ledger_entries WHERE kind = 'credit_redeemed' AND amount = $1 AND purchase_id = $2`, credit, plan); n != 1 {
		t.Errorf("%d credit_redeemed entries, want 1", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM credits WHERE status = 'spent' AND remaining = 0`); n != 1 {
		t.Error("the credit is not spent")
	}

	// A credit past its last day expires once; what remained is no longer owed.
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO credits (tenant_id, id, customer_id, currency, amount, remaining, issued_on, expires_on)
			VALUES (app.tenant_id(), $1, $2, 'CNY', 500, 300, current_date - 40, current_date - 10)`, platform.NewID(), customer)
		return err
	})
	for range 2 {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			_, err := billing.ExpireCredits(b.ctx, tx)
			return err
		})
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM ledger_entries WHERE kind = 'credit_expired' AND amount = 300`); n != 1 {
		t.Errorf("%d credit_expired entries of the remainder, want 1", n)
	}
	if n := b.count(f.tenant, `SELECT count(*) FROM credits WHERE status = 'expired' AND remaining = 0`); n != 1 {
		t.Error("the old credit did not expire")
	}
	// An expired credit is not spent.
	next := b.checkout(f, billing.BuyInput{Currency: "CNY", ProductID: gold.ID, RegistrationID: b.unit(f, "SN-CREDIT-2"), CustomerID: customer})
	if p := b.get(f, next); p.CreditApplied != 0 || p.Amount != goldPrice {
		t.Errorf("purchase after the credits ran out: %d credit, %d charged", p.CreditApplied, p.Amount)
	}
}

func upgradeWithCredit() billing.ProductInput {
	return billing.ProductInput{Code: "onsite-credit", Name: "6-hour on-site, credit if late", Kind: billing.PerIncident,
		Targets:        map[string]warranty.Target{warranty.TargetArrival: {Minutes: 360, Clock: "clock"}},
		CoolingOffDays: 1, AfterCoolingOff: "none", Compensation: billing.Compensation{Kind: "credit", Percent: 10}}
}

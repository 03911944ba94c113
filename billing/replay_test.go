package billing_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

const (
	onsitePrice = 9900
	goldPrice   = 39900
)

func demoProducts(b *bundle, f fixture) (onsite, gold billing.Product) {
	b.t.Helper()
	free := warranty.Line{Mode: warranty.Free}
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		onsite, err = billing.CreateProduct(b.ctx, tx, billing.ProductInput{Code: "onsite-6h", Name: "6-hour on-site", Kind: billing.PerIncident,
			Targets:     map[string]warranty.Target{warranty.TargetArrival: {Minutes: 360, Clock: "clock"}},
			Eligibility: billing.Eligibility{ProvinceCodes: []string{"310000"}}, CoolingOffDays: 1, AfterCoolingOff: "none",
			Compensation: billing.Compensation{Kind: "refund_partial", Percent: 50}},
			[]billing.PriceInput{{Currency: "CNY", UnitAmount: onsitePrice}})
		if err != nil {
			return err
		}
		gold, err = billing.CreateProduct(b.ctx, tx, billing.ProductInput{Code: "gold-2y", Name: "Gold express, 2 years", Kind: billing.Plan,
			TermMonths: 24, TierCode: "gold", CoolingOffDays: 14, AfterCoolingOff: "pro_rata",
			Coverage:     &billing.PlanCoverage{Kind: warranty.GrantExtended, Covered: warranty.Lines{Parts: free, Labour: free, Visit: free, Shipping: free}},
			Compensation: billing.Compensation{Kind: "none"}},
			[]billing.PriceInput{{Currency: "CNY", UnitAmount: goldPrice}})
		return err
	})
	return onsite, gold
}

type bought struct {
	id, unit, order uuid.UUID
	plan            bool
	amount          int64
	pi              string
}

// TestReplay drives a realistic stream of Stripe events for 100 purchases, cancellations,
// refunds made outside the product, a failed refund, a payment of the wrong amount, disputes
// won and lost, and an SLA breach; every event is delivered
// three times in shuffled order (and the first stream again, late). Afterwards statuses,
// entitlements, ledger, refunds and compensation are exactly right.
func TestReplay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, gold := demoProducts(b, f)
	rng := rand.New(rand.NewPCG(7, 11))

	var ps []bought
	for i := range 100 {
		p := bought{plan: i%2 == 0}
		in := billing.BuyInput{Currency: "CNY"}
		if p.plan {
			p.unit = b.unit(f, fmt.Sprintf("SN-%03d", i))
			in.ProductID, in.RegistrationID, p.amount = gold.ID, p.unit, goldPrice
		} else {
			p.order = b.order(f)
			in.ProductID, in.OrderID, p.amount = onsite.ID, p.order, onsitePrice
		}
		b.in(f.tenant, func(tx *tenants.Tx) error {
			co, err := b.svc.StartCheckout(b.ctx, tx, in)
			p.id = co.Purchase.ID
			if err == nil && co.URL == "" {
				t.Errorf("checkout without a URL: %+v", co)
			}
			return err
		})
		p.pi = "pi_" + p.id.String()[24:] + p.id.String()[:8]
		ps = append(ps, p)
	}

	late := map[int]bool{5: true, 15: true}
	want := map[int]string{}
	base := time.Now().Add(-time.Hour).Unix()
	var streamA [][]byte
	for i, p := range ps {
		c := base + int64(i)
		switch {
		case i == 39:
			// A payment of the wrong amount: recorded, flagged for finance, nothing granted.
			streamA = append(streamA, intentSucceeded(evID("wrong", i), c, f.tenant, p.id, p.pi, p.amount-1))
			want[i] = billing.StatusPending
		case late[i]:
			want[i] = billing.StatusPending // paid and refunded in the second stream
		case i%20 == 19:
			want[i] = billing.StatusPending
		case i%10 == 7:
			streamA = append(streamA, intentFailed(evID("fail", i), c, f.tenant, p.id, p.pi, p.amount))
			want[i] = billing.StatusFailed
		case i%10 == 3:
			streamA = append(streamA, intentFailed(evID("fail", i), c, f.tenant, p.id, p.pi, p.amount),
				intentSucceeded(evID("pi", i), c+1, f.tenant, p.id, p.pi, p.amount),
				sessionCompleted(evID("cs", i), c+1, f.tenant, p.id, p.pi, p.amount))
			want[i] = billing.StatusActive
		default:
			streamA = append(streamA, sessionCompleted(evID("cs", i), c, f.tenant, p.id, p.pi, p.amount),
				intentSucceeded(evID("pi", i), c, f.tenant, p.id, p.pi, p.amount))
			want[i] = billing.StatusActive
		}
	}
	// Noise: a type billing does not handle, a tenant that does not exist, a charge nobody knows.
	ghost := platform.NewID()
	streamA = append(streamA,
		ev("evt_noise_customer", "customer.created", base, map[string]any{"id": "cus_1", "object": "customer"}),
		sessionCompleted("evt_noise_tenant", base, ghost, platform.NewID(), "pi_ghost_tenant", 100),
		chargeRefunded("evt_noise_charge", base, "pi_nobody", 100, 100))
	deliverAll(t, b, rng, streamA)
	b.settle()
	checkStatuses(t, b, f, ps, want, "after payments")

	// Cancellations in the cooling-off period (full refunds) and a breach of a paid promise.
	cancelled := map[int]bool{}
	for i := 0; i < 20; i += 2 {
		if want[i] != billing.StatusActive {
			continue
		}
		_, q, err := b.svc.Cancel(b.ctx, tenants.Scope{TenantID: f.tenant, Actor: tenants.SystemActor}, ps[i].id)
		if err != nil {
			t.Fatalf("cancel %d: %v", i, err)
		}
		if !q.CoolingOff || q.Amount != goldPrice || q.Basis != "full" {
			t.Errorf("cancel %d in cooling-off: quote %+v", i, q)
		}
		cancelled[i] = true
	}
	// A cancellation whose refund Stripe later reports failed: the plan stays active.
	if _, _, err := b.svc.Cancel(b.ctx, tenants.Scope{TenantID: f.tenant, Actor: tenants.SystemActor}, ps[28].id); err != nil {
		t.Fatalf("cancel 28: %v", err)
	}
	var failedRefund uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT id FROM refunds WHERE purchase_id = $1`, ps[28].id).Scan(&failedRefund)
	})
	breached := ps[1]
	for range 3 {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", breached.order, f.outlet,
				map[string]any{"order_id": breached.order, "target": "arrival", "due_at": time.Now().Add(-time.Minute), "outlet_id": f.outlet})
			return err
		})
	}
	// A breach on an order without a paid promise compensates nothing.
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", ps[7].order, f.outlet,
			map[string]any{"order_id": ps[7].order, "target": "arrival"})
		return err
	})
	b.settle()

	// Stripe confirms: refunds, a partial refund from the dashboard (and an older, smaller
	// report of it), a dispute, and the late purchases paid and refunded in any order.
	c := base + 1000
	var streamB [][]byte
	for i := range cancelled {
		streamB = append(streamB, chargeRefunded(evID("refund", i), c, ps[i].pi, goldPrice, goldPrice))
		want[i] = billing.StatusRefunded
	}
	streamB = append(streamB, chargeRefunded("evt_comp_refund", c, breached.pi, onsitePrice, onsitePrice/2),
		chargeRefunded("evt_dash_refund_2", c+2, ps[22].pi, goldPrice, 1000),
		chargeRefunded("evt_dash_refund_1", c+1, ps[22].pi, goldPrice, 500),
		disputeCreated("evt_dispute", c, ps[24].pi, goldPrice),
		disputeEvent("evt_dispute_lost", "charge.dispute.closed", c+3, ps[24].pi, goldPrice, "lost"),
		disputeCreated("evt_dispute_2", c, ps[26].pi, goldPrice),
		disputeEvent("evt_dispute_2_won", "charge.dispute.closed", c+3, ps[26].pi, goldPrice, "won"),
		disputeEvent("evt_dispute_2_back", "charge.dispute.funds_reinstated", c+3, ps[26].pi, goldPrice, "won"),
		refundEvent("evt_refund_failed", "refund.failed", c+2, f.tenant, ps[28].id, failedRefund, ps[28].pi, "failed", goldPrice))
	want[24] = billing.StatusDisputed // lost
	want[26] = billing.StatusActive   // won: the plan is back
	want[28] = billing.StatusActive   // its refund failed
	for i := range late {
		p := ps[i]
		streamB = append(streamB, sessionCompleted(evID("cs", i), c, f.tenant, p.id, p.pi, p.amount),
			intentSucceeded(evID("pi", i), c, f.tenant, p.id, p.pi, p.amount),
			chargeRefunded(evID("ext", i), c+5, p.pi, p.amount, p.amount))
		want[i] = billing.StatusRefunded
	}
	streamB = append(streamB, streamA...) // Stripe retries the old ones too
	deliverAll(t, b, rng, streamB)
	b.settle()
	checkStatuses(t, b, f, ps, want, "after refunds")

	// Ledger: every movement exactly once.
	type sum struct {
		n   int
		amt int64
	}
	wantLedger := map[string]sum{}
	add := func(kind string, amt int64) { s := wantLedger[kind]; s.n++; s.amt += amt; wantLedger[kind] = s }
	for i, p := range ps {
		if w := want[i]; w == billing.StatusActive || w == billing.StatusRefunded || w == billing.StatusDisputed {
			add("payment", p.amount)
		}
		if cancelled[i] {
			add("refund", -p.amount)
		}
		if late[i] {
			add("refund", -p.amount)
		}
	}
	add("refund", -1000)
	add("compensation", -onsitePrice/2)
	add("dispute", -goldPrice)
	add("dispute", -goldPrice) // the won dispute: withdrawn, then reinstated
	add("dispute", goldPrice)
	add("payment", ps[39].amount-1) // the wrong amount, flagged
	got := map[string]sum{}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT kind, count(*), sum(amount) FROM ledger_entries GROUP BY kind`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var s sum
			if err := rows.Scan(&k, &s.n, &s.amt); err != nil {
				return err
			}
			got[k] = s
		}
		return rows.Err()
	})
	// A refund made outside the product is recorded per increase of the charge's refunded
	// amount that was observed: the dashboard refund (500, then 1000 in all) is one entry or
	// two depending on delivery order; its sum is exact either way.
	if g := got["refund"]; g.n == wantLedger["refund"].n+1 {
		g.n--
		got["refund"] = g
	}
	for k, w := range wantLedger {
		if got[k] != w {
			t.Errorf("ledger %s: %d entries summing %d, want %d summing %d", k, got[k].n, got[k].amt, w.n, w.amt)
		}
	}
	if len(got) != len(wantLedger) {
		t.Errorf("ledger kinds %v, want %v", got, wantLedger)
	}

	// Refunds asked of Stripe: one per cancellation and one compensation, all confirmed.
	var nRefunds, nConfirmed int
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'succeeded') FROM refunds`).Scan(&nRefunds, &nConfirmed)
	})
	if nRefunds != len(cancelled)+2 || nConfirmed != nRefunds-1 {
		t.Errorf("refunds: %d (%d confirmed), want %d, all but the failed one confirmed", nRefunds, nConfirmed, len(cancelled)+2)
	}
	var flagged int
	b.in(f.tenant, func(tx *tenants.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT count(*) FROM payment_flags WHERE purchase_id = $1 AND kind = 'wrong_amount' AND status = 'open'`,
			ps[39].id).Scan(&flagged)
	})
	if flagged != 1 {
		t.Errorf("wrong-amount payment flagged %d times, want once", flagged)
	}

	// Compensation: exactly once, issued, announced once.
	b.in(f.tenant, func(tx *tenants.Tx) error {
		comps, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
		if err != nil {
			return err
		}
		if len(comps) != 1 || comps[0].PurchaseID != breached.id || comps[0].Status != "issued" || comps[0].Amount != onsitePrice/2 ||
			comps[0].Kind != "refund" {
			t.Errorf("compensations: %+v", comps)
		}
		var n int
		if err := tx.QueryRow(b.ctx, `SELECT count(*) FROM events WHERE type = 'compensation.issued'`).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("compensation.issued emitted %d times", n)
		}
		// The upgrade still sets the order's targets: compensation is not a cancellation.
		targets, ok, err := billing.ExpressTargets(b.ctx, tx, breached.order)
		if err != nil || !ok || targets[warranty.TargetArrival].Minutes != 360 {
			t.Errorf("express targets of the breached order: %v %v %v", targets, ok, err)
		}
		if _, ok, _ := billing.ExpressTargets(b.ctx, tx, ps[7].order); ok {
			t.Error("an unpaid upgrade sets targets")
		}
		if _, ok, _ := billing.ExpressTargets(b.ctx, tx, ps[5].order); ok {
			t.Error("a refunded upgrade sets targets")
		}
		// purchase.refunded for every cancellation.
		if err := tx.QueryRow(b.ctx, `SELECT count(DISTINCT subject_id) FROM events WHERE type = 'purchase.refunded'`).Scan(&n); err != nil {
			return err
		}
		if n < len(cancelled) || n > len(cancelled)+len(late) {
			t.Errorf("purchase.refunded for %d purchases, want %d (+ up to %d late)", n, len(cancelled), len(late))
		}
		return nil
	})

	// Entitlements: active plans put the unit in gold with extended coverage; cancelled and
	// disputed ones do not.
	b.in(f.tenant, func(tx *tenants.Tx) error {
		var active, grants int
		for i, p := range ps {
			if !p.plan {
				continue
			}
			res, err := coverage.Check(b.ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: p.unit})
			if err != nil {
				return err
			}
			isActive := want[i] == billing.StatusActive
			if isActive {
				active++
			}
			if (res.Tier.Code == "gold") != isActive {
				t.Errorf("purchase %d (%s): tier %s", i, want[i], res.Tier.Code)
			}
			if (res.Decision.Class == warranty.Contract) != isActive {
				t.Errorf("purchase %d (%s): coverage class %s", i, want[i], res.Decision.Class)
			}
		}
		if err := tx.QueryRow(b.ctx, `SELECT count(*) FROM coverage_grants WHERE status = 'active'`).Scan(&grants); err != nil {
			return err
		}
		if grants != active {
			t.Errorf("%d active grants, want %d (one per active plan)", grants, active)
		}
		return nil
	})

	// The inbox: each event id once; the unknown tenant and type are ignored, never applied.
	var stored, unknownTenant, ignored, deferred int
	if err := b.db.Owner.QueryRow(b.ctx, `SELECT count(*), count(*) FILTER (WHERE outcome = 'unknown_tenant'),
		count(*) FILTER (WHERE outcome = 'ignored'), count(*) FILTER (WHERE outcome = 'deferred') FROM stripe_events`).Scan(&stored, &unknownTenant, &ignored, &deferred); err != nil {
		t.Fatal(err)
	}
	if unknownTenant != 1 || deferred != 1 || ignored < 1 {
		t.Errorf("inbox: %d stored, %d unknown tenant, %d ignored, %d deferred", stored, unknownTenant, ignored, deferred)
	}
}

func deliverAll(t *testing.T, b *bundle, rng *rand.Rand, stream [][]byte) {
	t.Helper()
	var all [][]byte
	for range 3 {
		all = append(all, stream...)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	for _, p := range all {
		if _, err := b.deliver(p); err != nil {
			t.Fatalf("deliver: %v", err)
		}
	}
}

func checkStatuses(t *testing.T, b *bundle, f fixture, ps []bought, want map[int]string, when string) {
	t.Helper()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		for i, p := range ps {
			got, err := billing.GetPurchase(b.ctx, tx, p.id)
			if err != nil {
				return err
			}
			if got.Status != want[i] {
				t.Errorf("%s: purchase %d is %s, want %s", when, i, got.Status, want[i])
			}
		}
		return nil
	})
}

package billing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// TestPlanPromiseIsPaid: a plan's compensation promise (the demo's gold express: 10 % credit)
// pays when an order of its unit breaches, once per breach however often it is reported, and
// again for another breach; an order of another unit gets nothing from it.
func TestPlanPromiseIsPaid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	var plan billing.Product
	b.in(f.tenant, func(tx *tenants.Tx) (err error) {
		plan, err = billing.CreateProduct(b.ctx, tx, billing.ProductInput{Code: "gold-express-2y", Name: "Gold express", Kind: billing.Plan,
			TermMonths: 24, TierCode: "gold", CoolingOffDays: 14, AfterCoolingOff: "pro_rata",
			Compensation: billing.Compensation{Kind: "credit", Percent: 10}}, []billing.PriceInput{{Currency: "CNY", UnitAmount: goldPrice}})
		return err
	})
	unit, other := b.unit(f, "SN-PLAN"), b.unit(f, "SN-OTHER")
	var purchase uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: plan.ID, RegistrationID: unit})
		purchase = co.Purchase.ID
		return err
	})
	if _, err := b.deliver(sessionCompleted("evt_plan_paid", time.Now().Add(-time.Hour).Unix(), f.tenant, purchase, "pi_plan", goldPrice)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	covered, uncovered := b.unitOrder(f, unit), b.unitOrder(f, other)
	breach := func(order uuid.UUID, target string) {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", order, f.outlet,
				map[string]any{"order_id": order, "target": target, "due_at": time.Now().Add(-time.Minute), "outlet_id": f.outlet})
			return err
		})
	}
	for range 3 {
		breach(covered, warranty.TargetAccept)
	}
	breach(covered, warranty.TargetArrival)
	breach(uncovered, warranty.TargetAccept)
	b.settle()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		comps, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
		if err != nil {
			return err
		}
		targets := map[string]int{}
		for _, c := range comps {
			if c.PurchaseID != purchase || c.OrderID != covered || c.Kind != "credit" || c.Amount != goldPrice/10 || c.Status != "issued" {
				t.Errorf("compensation %+v", c)
			}
			targets[c.Target]++
		}
		if len(comps) != 2 || targets[warranty.TargetAccept] != 1 || targets[warranty.TargetArrival] != 1 {
			t.Errorf("compensations: %+v, want one per breach of the covered order", comps)
		}
		var credits int64
		if err := tx.QueryRow(b.ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'credit'`).Scan(&credits); err != nil {
			return err
		}
		if credits != -2*goldPrice/10 {
			t.Errorf("credits in the ledger: %d", credits)
		}
		return nil
	})
}

// unitOrder stores a carry-in service order for a registered unit.
func (b *bundle) unitOrder(f fixture, unit uuid.UUID) uuid.UUID {
	b.t.Helper()
	id, customer := platform.NewID(), platform.NewID()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Customer')`, customer); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id,
				registration_id, outlet_id, tracking_token)
			VALUES (app.tenant_id(), $1, $2, 'repair_minor', 'carry_in', 'phone', 'waiting', $3, $4, $5, $6)`,
			id, "SO-"+id.String(), customer, unit, f.outlet, "trk_"+id.String())
		return err
	})
	return id
}

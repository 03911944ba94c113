package billing_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/warranty"
	"github.com/aftersales/aftersales/tenants"
)

// TestCompensationMessageFollowsStripeAndSpeaksTheTenantsLanguage: a compensation refund is
// announced only when Stripe confirms it, and the zh-CN message has every variable in Chinese.
func TestCompensationMessageFollowsStripeAndSpeaksTheTenantsLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.tenant()
	onsite, _ := demoProducts(b, f)
	order := b.order(f)
	var purchase uuid.UUID
	b.in(f.tenant, func(tx *tenants.Tx) error {
		co, err := b.svc.StartCheckout(b.ctx, tx, billing.BuyInput{Currency: "CNY", ProductID: onsite.ID, OrderID: order})
		purchase = co.Purchase.ID
		return err
	})
	base := time.Now().Add(-time.Hour).Unix()
	if _, err := b.deliver(sessionCompleted("evt_msg_paid", base, f.tenant, purchase, "pi_msg", onsitePrice)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := events.Emit(b.ctx, tx, b.client, "sla.breached", "service_order", order, f.outlet,
			map[string]any{"order_id": order, "target": warranty.TargetArrival, "due_at": time.Now().Add(-time.Minute), "outlet_id": f.outlet})
		return err
	})
	b.settle()
	announced := func() (n int, payload []byte) {
		b.in(f.tenant, func(tx *tenants.Tx) error {
			if err := tx.QueryRow(b.ctx, `SELECT count(*) FROM events WHERE type = 'compensation.issued'`).Scan(&n); err != nil || n == 0 {
				return err
			}
			return tx.QueryRow(b.ctx, `SELECT payload FROM events WHERE type = 'compensation.issued'`).Scan(&payload)
		})
		return n, payload
	}
	if n, _ := announced(); n != 0 {
		t.Errorf("compensation announced %d times before Stripe confirmed the refund", n)
	}
	if _, err := b.deliver(chargeRefunded("evt_msg_refund", base+10, "pi_msg", onsitePrice, onsitePrice/2)); err != nil {
		t.Fatal(err)
	}
	b.settle()
	n, payload := announced()
	if n != 1 {
		t.Fatalf("compensation announced %d times after the confirmation, want 1", n)
	}
	msg, err := notify.ParsePayload(payload)
	if err != nil {
		t.Fatal(err)
	}
	tpl, ok := notify.DefaultTemplate(notify.CompensationIssued, notify.ChannelSMS, msg.Locale)
	if msg.Locale != notify.LocaleZH || !ok {
		t.Fatalf("message locale %q (template found: %v)", msg.Locale, ok)
	}
	msg.Vars["tenant_name"] = "品牌" // the notifier adds the tenant's name
	r, err := notify.Render(tpl.Subject, tpl.Body, msg.Vars)
	if err != nil {
		t.Fatal(err)
	}
	if english := regexp.MustCompile(`[A-Za-z]{3,}`); english.MatchString(msg.Vars["reason"]) || english.MatchString(strings.ReplaceAll(r.Body, msg.Vars["order_number"], "")) {
		t.Errorf("zh-CN message with English: %q", r.Body)
	}
	b.in(f.tenant, func(tx *tenants.Tx) error {
		comps, err := billing.ListCompensations(b.ctx, tx, uuid.NullUUID{}, 10)
		if len(comps) != 1 || comps[0].Status != "issued" {
			t.Errorf("compensations: %+v", comps)
		}
		return err
	})
}

package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// TestPlatformSubscriptionPayAndManage: a tenant admin (or finance) pays the first invoice of a
// platform plan through Stripe Checkout in subscription mode and manages it in the customer
// portal; the completed checkout binds the subscription and lists its first invoice; invoices
// from invoice.* events keep their PDF links, open and paid; a failed payment tells the
// admins and finance in their inbox, and so does, once, the coming end of the grace period;
// the month's metered usage is shown with its price. Other roles may not pay or manage, and
// another tenant sees none of it.
func TestPlatformSubscriptionPayAndManage(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true, Configure: func(c *platform.Config) { c.BillingGrace = time.Hour }})
	ctx := context.Background()
	n := notify.New(env.Tenants, env.Log, notify.Providers{})
	client, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true, env.Billing.Consumer(), n)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	settle := func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var left int
			if err := env.DB.Owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')
				   AND kind NOT IN ('sla_wake', 'sla_timer', 'sla_sweep')`).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d jobs unfinished", left)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if err := env.Tenants.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		return billing.UpsertPlatformPlan(ctx, tx, billing.PlatformPlan{Code: "growth", Name: "Growth", Currency: "CNY",
			MonthlyAmount: 99900, PerOrderAmount: 200, MaxOutlets: 50})
	}); err != nil {
		t.Fatal(err)
	}
	tn, other := env.NewTenant(), env.NewTenant()
	_, fin := env.Person(tn, "finance", "")
	_, auditor := env.Person(tn, "auditor", "")
	_, mgr := env.Person(tn, "outlet_manager", tn.Outlets[0])
	_, eng := env.Person(tn, "engineer", tn.Outlets[0])

	// Only the tenant's admins and finance pay or manage the plan.
	for name, tok := range map[string]string{"auditor": auditor, "outlet manager": mgr, "engineer": eng} {
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/checkout", Token: tok, Body: map[string]any{"plan_code": "growth"}}); r.Status != 403 {
			t.Errorf("%s opened a checkout: %d %s", name, r.Status, r.Body)
		}
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/portal", Token: tok}); r.Status != 403 {
			t.Errorf("%s opened the portal: %d %s", name, r.Status, r.Body)
		}
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/billing/usage", Token: eng}); r.Status != 403 {
		t.Errorf("engineer read the platform usage: %d", r.Status)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/checkout", Token: tn.Admin, Body: map[string]any{"plan_code": "nope"}}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "body.plan_code") {
		t.Errorf("checkout of an unknown plan: %d %s", r.Status, r.Body)
	}
	// No customer yet: nothing to manage.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/portal", Token: tn.Admin}); r.Status != 409 {
		t.Errorf("portal before subscribing: %d %s", r.Status, r.Body)
	}

	// Checkout in subscription mode: a page to pay the first invoice.
	co := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/subscription/checkout", Token: fin, Body: map[string]any{"plan_code": "growth"}}).Map(t)
	session := str(co["session_id"])
	if !strings.HasPrefix(str(co["url"]), "https://") || session == "" {
		t.Fatalf("checkout: %v", co)
	}
	portal := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/subscription/portal", Token: tn.Admin}).Map(t)
	if !strings.HasPrefix(str(portal["url"]), "https://") {
		t.Fatalf("portal: %v", portal)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/portal", Token: other.Admin}); r.Status != 409 {
		t.Errorf("another tenant reached this tenant's portal: %d %s", r.Status, r.Body)
	}

	// The completed checkout binds the subscription (read from Stripe with its first invoice).
	sub := "sub_" + strings.ReplaceAll(tn.ID, "-", "")[:16]
	done := stripeEvent("evt_pay_co_"+tn.ID[:8], "checkout.session.completed", map[string]any{"id": session, "object": "checkout.session",
		"mode": "subscription", "status": "complete", "payment_status": "paid", "amount_total": 99900, "currency": "cny",
		"customer": "cus_co" + tn.ID[:8], "subscription": sub,
		"metadata": map[string]string{"tenant_id": tn.ID, "plan_code": "growth"}})
	if r := postWebhook(env, done, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/subscription", Token: tn.Admin}).Map(t)
	if got["plan_code"] != "growth" || got["status"] != "active" {
		t.Fatalf("subscription after checkout: %v", got)
	}
	invoices := func(tok string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, i := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/invoices", Token: tok})) {
			out[str(i["id"])] = i
		}
		return out
	}
	if invs := invoices(tn.Admin); len(invs) != 1 {
		t.Errorf("invoices after checkout: %v, want the subscription's first invoice", invs)
	}
	// A tenant already paying changes its plan in the portal, not through a second checkout.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/billing/subscription/checkout", Token: tn.Admin, Body: map[string]any{"plan_code": "growth"}}); r.Status != 409 {
		t.Errorf("second checkout while paying: %d %s", r.Status, r.Body)
	}

	// A failed payment: the invoice with its links, and the admins and finance are told.
	inv := func(evID, typ, id, status string, paid int64) []byte {
		return stripeEvent(evID, typ, map[string]any{"id": id, "object": "invoice", "status": status,
			"currency": "cny", "amount_due": 99900, "amount_paid": paid, "customer": "cus_co" + tn.ID[:8], "subscription": sub,
			"hosted_invoice_url": "https://invoice.stripe.com/i/" + id, "invoice_pdf": "https://pay.stripe.com/invoice/" + id + "/pdf",
			"subscription_details": map[string]any{"metadata": map[string]string{"tenant_id": tn.ID}}})
	}
	open, paid := "in_open"+tn.ID[:8], "in_paid"+tn.ID[:8]
	if r := postWebhook(env, inv("evt_pay_fail_"+tn.ID[:8], "invoice.payment_failed", open, "open", 0), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	if r := postWebhook(env, inv("evt_pay_paid_"+tn.ID[:8], "invoice.paid", paid, "paid", 99900), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()
	invs := invoices(fin)
	if i := invs[open]; i == nil || i["status"] != "open" || i["pdf_url"] != "https://pay.stripe.com/invoice/"+open+"/pdf" || i["hosted_url"] == "" {
		t.Errorf("open invoice: %v", i)
	}
	if i := invs[paid]; i == nil || i["status"] != "paid" || i["pdf_url"] != "https://pay.stripe.com/invoice/"+paid+"/pdf" {
		t.Errorf("paid invoice: %v", i)
	}
	if invs := invoices(other.Admin); len(invs) != 0 {
		t.Errorf("another tenant sees invoices: %v", invs)
	}
	inbox := func(tok, word string) int {
		var page struct {
			Items []notify.InboxMessage `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/notifications", Token: tok}).JSON(t, &page)
		c := 0
		for _, m := range page.Items {
			if strings.Contains(m.Title, word) {
				c++
			}
		}
		return c
	}
	if inbox(tn.Admin, "付款失败") != 1 || inbox(fin, "付款失败") != 1 {
		t.Errorf("the admin and finance should each have one payment-failed message")
	}
	if inbox(eng, "付款失败") != 0 || inbox(other.Admin, "付款失败") != 0 {
		t.Errorf("an engineer or another tenant's admin was told of the failed payment")
	}

	// The grace period ends soon: reminded once, however often the hourly job looks.
	inTenant := func(sql string) {
		t.Helper()
		if err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
			tag, err := tx.Exec(ctx, sql)
			if err == nil && tag.RowsAffected() != 1 {
				err = fmt.Errorf("%s: %d rows", sql, tag.RowsAffected())
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	inTenant(`UPDATE platform_subscriptions SET grace_until = now() + interval '10 minutes' WHERE tenant_id = app.tenant_id()`)
	for range 2 {
		if err := env.Billing.EnforceGrace(ctx, client); err != nil {
			t.Fatal(err)
		}
		settle()
	}
	if inbox(tn.Admin, "只读") != 1 || inbox(fin, "只读") != 1 {
		t.Errorf("the admin and finance should each have one grace-ending reminder")
	}
	if inbox(other.Admin, "只读") != 0 {
		t.Errorf("another tenant was reminded")
	}

	// The month's metered usage with its price.
	inTenant(`INSERT INTO usage_counters (tenant_id, metric, month, count, reported)
		VALUES (app.tenant_id(), 'orders', date_trunc('month', now() AT TIME ZONE 'UTC')::date, 7, 5)`)
	u := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/usage", Token: fin}).Map(t)
	items := u["items"].([]any)
	if len(items) != 1 || u["plan_code"] != "growth" || u["currency"] != "CNY" || u["amount"] != float64(1400) || u["monthly_fee"] != float64(99900) {
		t.Fatalf("usage: %v", u)
	}
	if it := items[0].(map[string]any); it["metric"] != "orders" || it["count"] != float64(7) || it["reported"] != float64(5) || it["unit_amount"] != float64(200) {
		t.Errorf("usage item: %v", it)
	}
	ou := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/usage", Token: other.Admin}).Map(t)
	if ou["plan_code"] != nil || ou["amount"] != float64(0) || ou["items"].([]any)[0].(map[string]any)["count"] != float64(0) {
		t.Errorf("another tenant's usage: %v", ou)
	}
}

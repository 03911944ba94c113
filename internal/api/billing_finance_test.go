package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// Finance's money lists: a cancelled plan's refund is listed (requested, then succeeded once
// Stripe confirms it), by purchase and by status; each list exports as XLSX or CSV in the
// reader's language; another tenant sees none of it; a bad filter is a problem naming it.
func TestFinanceRefundsAndMoneyExports(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker, reads the Stripe inbox
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	_, fin := env.Person(tn, "finance", "")
	phone := env.Phone()
	unit := billingUnit(t, env, tn, phone)
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("f")}).Map(t)["id"]
	ctok := consumerLogin(t, env, phone)
	pid := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + tn.Slug + "/purchases", Token: ctok, Body: map[string]any{
		"product_id": prod, "registration_id": unit}}).Map(t)["purchase"].(map[string]any)["id"].(string)
	pi := "pi_" + strings.ReplaceAll(pid, "-", "")[:20]
	if r := postWebhook(env, stripeEvent("evt_fin_paid"+pid[:8], "checkout.session.completed", paidSession(tn.ID, pid, pi, 39900)), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()

	// Staff cancel it for the customer: the refund is asked of Stripe and listed.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/purchases/" + pid + "/cancel", Token: tn.Admin})
	refunds := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds?purchase_id=" + pid, Token: fin}))
	if len(refunds) != 1 || refunds[0]["reason"] != "cancellation" || refunds[0]["amount"] != float64(39900) || refunds[0]["status"] == "succeeded" {
		t.Fatalf("refunds of the cancelled purchase: %v", refunds)
	}
	if got := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds?status=succeeded", Token: fin})); len(got) != 0 {
		t.Errorf("succeeded before Stripe confirmed: %v", got)
	}
	refunded := stripeEvent("evt_fin_refund"+pid[:8], "charge.refunded", map[string]any{"id": "ch_" + pi, "object": "charge", "amount": 39900,
		"amount_refunded": 39900, "refunded": true, "currency": "cny", "payment_intent": pi})
	if r := postWebhook(env, refunded, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("refund webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if got := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds?status=succeeded", Token: fin})); len(got) != 1 || got[0]["confirmed_at"] == nil {
		t.Errorf("succeeded after Stripe confirmed: %v", got)
	}

	// The refunds as a Chinese spreadsheet: reason and status named, the amount in yuan.
	sheet := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds/export?format=xlsx&lang=zh-CN", Token: fin})
	f, err := excelize.OpenReader(bytes.NewReader(sheet.Body))
	if err != nil {
		t.Fatalf("the refunds file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	if err != nil || len(rows) != 2 || rows[0][2] != "原因" || rows[1][1] != pid || rows[1][2] != "取消退款" || rows[1][3] != "已退款" || rows[1][4] != "399" {
		t.Errorf("refunds xlsx rows %q (%v)", rows, err)
	}
	// Purchases in English CSV, filtered by status.
	csv := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/export?format=csv&lang=en&status=refunded", Token: fin}).Body)
	if lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csv, "\ufeff")), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "Purchase,Product,Kind") || !strings.Contains(lines[1], "Refunded") || !strings.Contains(lines[1], "399") {
		t.Errorf("purchases csv: %q", csv)
	}
	if csv := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/export?format=csv&status=active", Token: fin}).Body); strings.Count(csv, "\n") != 1 {
		t.Errorf("active purchases csv holds the refunded one: %q", csv)
	}
	for _, p := range []string{"/v1/compensations/export?format=csv&lang=en", "/v1/billing/payment-flags/export?format=csv&lang=zh-CN"} {
		r := env.Must(200, apitest.Req{Method: "GET", Path: p, Token: fin})
		if body := strings.TrimSpace(strings.TrimPrefix(string(r.Body), "\ufeff")); strings.Contains(body, "\n") || body == "" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
			t.Errorf("%s: want the header only, got %q (%s)", p, body, r.Header.Get("Content-Disposition"))
		}
	}

	// Another tenant: none of it.
	other := env.NewTenant().Admin
	if got := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds", Token: other})); len(got) != 0 {
		t.Errorf("another tenant's refunds: %v", got)
	}
	if csv := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/refunds/export?format=csv", Token: other}).Body); strings.Count(csv, "\n") != 1 {
		t.Errorf("another tenant's refunds export: %q", csv)
	}
	// Bad filters name themselves; an engineer may not read refunds.
	for p, field := range map[string]string{"/v1/refunds?status=gone": "query.status", "/v1/refunds/export?format=pdf": "query.format",
		"/v1/purchases/export?status=x": "query.status", "/v1/refunds?purchase_id=nope": "query.purchase_id"} {
		if r := env.Do(apitest.Req{Method: "GET", Path: p, Token: fin}); r.Status != 422 || !strings.Contains(string(r.Body), field) {
			t.Errorf("%s: %d %s, want 422 at %s", p, r.Status, r.Body, field)
		}
	}
	_, eng := env.Person(tn, "engineer", tn.Outlets[0])
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/refunds", Token: eng}); r.Status != 403 {
		t.Errorf("engineer read refunds: %d", r.Status)
	}
}

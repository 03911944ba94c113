package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// A payment Stripe does not know (stripe-mock keeps no balance transactions) is reported
// missing; finance resolves it once with a note, every run shows the resolution, and the
// next check still lists it but counts it resolved. Bad input is named; another tenant's
// finance reaches neither the run nor the entry.
func TestReconciliationMismatchResolvedOnceByFinance(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	tn := env.NewTenant()
	_, fin := env.Person(tn, "finance", "")
	_, agent := env.Person(tn, "agent", "")
	unit := billingUnit(t, env, tn, env.Phone())
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct("rec")}).Map(t)["id"].(string)
	buy := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: map[string]any{
		"product_id": prod, "outlet_id": tn.Outlets[0], "registration_id": unit}}).Map(t)["purchase"].(map[string]any)
	pid, pi := buy["id"].(string), buy["stripe_payment_intent_id"].(string)
	paid := stripeEvent("evt_rec_"+pid[:8], "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent",
		"amount": 39900, "amount_received": 39900, "currency": "cny", "status": "succeeded",
		"metadata": map[string]string{"tenant_id": tn.ID, "purchase_id": pid}})
	if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	settle()

	days := map[string]any{"from": time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "to": time.Now().AddDate(0, 0, 1).Format(time.DateOnly)}
	var run struct {
		ID         string
		Open       int
		Mismatches []struct {
			LedgerID   string `json:"ledger_id"`
			Problem    string
			Resolution *struct {
				Outcome, Note string
				ResolvedBy    string `json:"resolved_by"`
			} `json:"resolution"`
		}
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/reconciliations", Token: fin, Body: days}).JSON(t, &run)
	if len(run.Mismatches) != 1 || run.Mismatches[0].Problem != "missing" || run.Open != 1 || run.Mismatches[0].Resolution != nil {
		t.Fatalf("the first run: %+v", run)
	}
	entry := run.Mismatches[0].LedgerID
	path := "/v1/billing/reconciliations/" + run.ID + "/resolutions"
	with := func(m map[string]any) map[string]any { m["ledger_id"] = entry; return m }

	// Bad input, each named at its field; nothing is recorded.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{with(map[string]any{"outcome": "forgiven", "note": "x"}), "body.outcome"},
		{with(map[string]any{"outcome": "explained", "note": ""}), "body.note"},
		{with(map[string]any{"outcome": "explained", "note": "   "}), "body.note"},
		{with(map[string]any{"outcome": "explained", "note": strings.Repeat("长", 1001)}), "body.note"},
		{map[string]any{"outcome": "explained", "note": "x"}, "ledger_id"},
		// An entry the run did not report.
		{map[string]any{"ledger_id": run.ID, "outcome": "explained", "note": "x"}, "body.ledger_id"},
	} {
		if r := env.Do(apitest.Req{Method: "POST", Path: path, Token: fin, Body: c.body}); r.Status != 422 || !strings.Contains(string(r.Body), c.field) {
			t.Errorf("%v: %d %s, want 422 at %s", c.body, r.Status, r.Body, c.field)
		}
	}
	// Agents read no ledger; another tenant's finance finds no such run.
	note := with(map[string]any{"outcome": "explained", "note": "测试支付：Stripe 测试模式没有余额流水"})
	if r := env.Do(apitest.Req{Method: "POST", Path: path, Token: agent, Body: note}); r.Status != 403 {
		t.Errorf("an agent resolves: %d %s", r.Status, r.Body)
	}
	stranger := env.NewTenant()
	_, strangerFin := env.Person(stranger, "finance", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: path, Token: strangerFin, Body: note}); r.Status != 404 {
		t.Errorf("another tenant's finance resolves: %d %s, want 404", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/billing/reconciliations/" + run.ID, Token: strangerFin}); r.Status != 404 {
		t.Errorf("another tenant's finance reads the run: %d %s, want 404", r.Status, r.Body)
	}

	env.Must(200, apitest.Req{Method: "POST", Path: path, Token: fin, Body: note}).JSON(t, &run)
	if run.Open != 0 || run.Mismatches[0].Resolution == nil || run.Mismatches[0].Resolution.Outcome != "explained" ||
		run.Mismatches[0].Resolution.ResolvedBy == "" {
		t.Errorf("after resolving: %+v", run)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: path, Token: fin, Body: with(map[string]any{"outcome": "written_off", "note": "again"})}); r.Status != 409 {
		t.Errorf("resolved twice: %d %s, want 409", r.Status, r.Body)
	}

	// The next run reports the entry again, resolved (from the first run).
	var next struct {
		ID         string
		Open       int
		Mismatches []struct {
			Resolution *struct {
				Outcome          string
				ReconciliationID string `json:"reconciliation_id"`
			}
		}
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/billing/reconciliations", Token: fin, Body: days}).JSON(t, &next)
	if next.Open != 0 || len(next.Mismatches) != 1 || next.Mismatches[0].Resolution == nil || next.Mismatches[0].Resolution.ReconciliationID != run.ID {
		t.Errorf("the next run: %+v", next)
	}
	var one struct{ Open int }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/reconciliations/" + run.ID, Token: fin}).JSON(t, &one)
	if one.Open != 0 {
		t.Errorf("the first run read again has %d open", one.Open)
	}
	var list struct{ Items []struct{ Open int } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/reconciliations", Token: fin}).JSON(t, &list)
	if len(list.Items) != 2 || list.Items[0].Open != 0 || list.Items[1].Open != 0 {
		t.Errorf("the runs listed: %+v", list.Items)
	}
	var theirs struct{ Items []any }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/reconciliations", Token: strangerFin}).JSON(t, &theirs)
	if len(theirs.Items) != 0 {
		t.Errorf("another tenant lists %d runs", len(theirs.Items))
	}
}

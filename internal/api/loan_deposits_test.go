package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// loanSession is Stripe's completed Checkout Session of a loan deposit.
func loanSession(tenant, loan, pi string, amount int64) map[string]any {
	md := map[string]string{"tenant_id": tenant, "loan_id": loan}
	return map[string]any{"id": "cs_" + pi, "object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid",
		"amount_total": amount, "currency": "cny", "client_reference_id": "loan:" + loan, "metadata": md, "payment_intent": pi}
}

// cashUpLine is the cash-up's line of a method and kind (nil when there is none).
func cashUpLine(t *testing.T, env *apitest.Env, token, outlet, method, kind string) map[string]any {
	t.Helper()
	c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up?outlet_id=" + outlet, Token: token}).Map(t)
	for _, l := range c["lines"].([]any) {
		if m := l.(map[string]any); m["method"] == method && m["kind"] == kind {
			return m
		}
	}
	return nil
}

// TestLoanerDepositPaidOnlineAndRefundedThroughStripe: a loaner is lent with a deposit paid
// online: the counter gets a Checkout page (stripe-mock) and the deposit is pending, out of
// the cash-up, until Stripe's signed confirmation (delivered twice, and once more as the
// payment intent) makes it held, once, in the cash-up as an online loaner deposit; an event
// naming the loan for another tenant changes nothing. The return with a refund asks Stripe by
// a job: the deposit is refunded and the cash-up gives it back. A second loan's deposit never
// paid gets a new page, comes back unpaid (nothing to refund or keep), and a payment reported
// after that is a mismatch that changes nothing. Cash deposits are in the cash-up and its
// export beside them.
func TestLoanerDepositPaidOnlineAndRefundedThroughStripe(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	wait := payWorker(t, env)
	w := newLoanerWorld(t, env, env.NewTenant())
	adm, tn := w.tn.Admin, w.tn
	id := w.lorder(t, nil)

	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: adm, Body: w.lendBody("LN-1",
		map[string]any{"deposit": 30000, "deposit_method": "online", "deposit_reference": "T-1"})}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "body.deposit_reference") {
		t.Fatalf("an online deposit with a card reference: %d %s, want 422 at body.deposit_reference", r.Status, r.Body)
	}
	loan := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/loans", Token: adm,
		Body: w.lendBody("LN-1", map[string]any{"deposit": 30000, "deposit_method": "online"})}).Map(t)
	loanID := str(loan["id"])
	if loan["deposit_status"] != "pending" || loan["deposit_method"] != "online" || !strings.HasPrefix(str(loan["deposit_pay_url"]), "https://") {
		t.Fatalf("an online deposit's loan %v: want pending with its page", loan)
	}
	if l := cashUpLine(t, env, adm, w.outlet, "online", "loan_deposit"); l != nil {
		t.Fatalf("an unpaid online deposit is in the cash-up: %v", l)
	}

	// Another tenant's event naming this loan: a mismatch, nothing applied.
	other := env.NewTenant()
	if r := postWebhook(env, stripeEvent("evt_loan_x_"+w.u, "checkout.session.completed", loanSession(other.ID, loanID, "pi_loanx"+w.u, 30000)),
		apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	wait()
	if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans/" + loanID, Token: adm}).Map(t); l["deposit_status"] != "pending" {
		t.Fatalf("another tenant's event changed the deposit: %v", l)
	}

	pi := "pi_loan" + strings.ReplaceAll(w.u, "-", "")
	paid := loanSession(tn.ID, loanID, pi, 30000)
	intent := map[string]any{"id": pi, "object": "payment_intent", "amount": 30000, "amount_received": 30000, "currency": "cny",
		"status": "succeeded", "metadata": map[string]string{"tenant_id": tn.ID, "loan_id": loanID}}
	for i, ev := range [][]byte{
		stripeEvent("evt_loan_paid_"+w.u, "checkout.session.completed", paid),
		stripeEvent("evt_loan_paid_"+w.u, "checkout.session.completed", paid),
		stripeEvent("evt_loan_pi_"+w.u, "payment_intent.succeeded", intent),
	} {
		if r := postWebhook(env, ev, apitest.WebhookSecret); r.Status != 200 {
			t.Fatalf("webhook %d: %d %s", i, r.Status, r.Body)
		}
	}
	wait()
	held := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans/" + loanID, Token: adm})
	if l := held.Map(t); l["deposit_status"] != "held" {
		t.Fatalf("a paid online deposit: %v, want held", l)
	}
	if l := cashUpLine(t, env, adm, w.outlet, "online", "loan_deposit"); l == nil || l["amount"] != float64(30000) || l["count"] != float64(1) {
		t.Fatalf("the cash-up's online loaner deposits: %v, want one of 30000", l)
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: adm})
	if !strings.Contains(string(tl.Body), "deposit_paid") {
		t.Fatalf("the order's timeline does not say the deposit was paid: %s", tl.Body)
	}

	back := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/return", Token: adm,
		Header: map[string]string{"If-Match": held.Header.Get("ETag")},
		Body:   map[string]any{"condition_note": "fine", "deposit": "refund"}}).Map(t)
	if back["status"] != "returned" || back["deposit_status"] != "refunding" {
		t.Fatalf("the return of an online deposit: %v, want returned, refunding", back)
	}
	wait()
	if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans/" + loanID, Token: adm}).Map(t); l["deposit_status"] != "refunded" {
		t.Fatalf("after Stripe's refund the deposit is %v, want refunded", l["deposit_status"])
	}
	if l := cashUpLine(t, env, adm, w.outlet, "online", "loan_refund"); l == nil || l["amount"] != float64(30000) {
		t.Fatalf("the cash-up's online loaner refunds: %v, want 30000 given back", l)
	}
	// The ledger names the Stripe objects, for the reconciliation with Stripe.
	var paidIn, givenBack bool
	for _, m := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/billing/ledger", Token: adm})) {
		paidIn = paidIn || (m["stripe_object_id"] == pi && m["amount"] == float64(30000) && m["kind"] == "payment")
		givenBack = givenBack || (strings.HasPrefix(str(m["stripe_object_id"]), "re_") && m["amount"] == float64(-30000) && m["kind"] == "refund")
	}
	if !paidIn || !givenBack {
		t.Fatalf("the ledger names the payment intent: %v, Stripe's refund: %v; want both", paidIn, givenBack)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/deposit/refund", Token: adm}); r.Status != 409 {
		t.Fatalf("asking again for a refunded deposit: %d %s, want 409", r.Status, r.Body)
	}

	// A deposit never paid: a new page, then the unit comes back unpaid.
	id2 := w.lorder(t, nil)
	l2 := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id2 + "/loans", Token: adm,
		Body: w.lendBody("LN-2", map[string]any{"deposit": 20000, "deposit_method": "online"})}).Map(t)
	l2ID := str(l2["id"])
	again := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/loans/" + l2ID + "/deposit/link", Token: adm}).Map(t)
	if !strings.HasPrefix(str(again["deposit_pay_url"]), "https://") || again["deposit_status"] != "pending" {
		t.Fatalf("a new deposit page: %v", again)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + loanID + "/deposit/link", Token: adm}); r.Status != 409 {
		t.Fatalf("a new page for a refunded deposit: %d %s, want 409", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/loans/" + l2ID + "/return", Token: adm,
		Body: map[string]any{"condition_note": "fine", "deposit": "keep", "reason": "scratched"}}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "body.deposit") {
		t.Fatalf("keeping a deposit never paid: %d %s, want 422 at body.deposit", r.Status, r.Body)
	}
	unpaid := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/loans/" + l2ID + "/return", Token: adm,
		Body: map[string]any{"condition_note": "fine"}}).Map(t)
	if unpaid["deposit_status"] != "unpaid" {
		t.Fatalf("a loan back before its deposit was paid: %v, want unpaid", unpaid)
	}
	late := "pi_late" + strings.ReplaceAll(w.u, "-", "")
	if r := postWebhook(env, stripeEvent("evt_loan_late_"+w.u, "checkout.session.completed", loanSession(tn.ID, l2ID, late, 20000)),
		apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	wait()
	if l := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/loans/" + l2ID, Token: adm}).Map(t); l["deposit_status"] != "unpaid" {
		t.Fatalf("a payment after the unit came back unpaid changed the deposit: %v", l)
	}
	var outcome string
	if err := env.DB.Owner.QueryRow(t.Context(), `SELECT outcome FROM stripe_events WHERE id = $1`, "evt_loan_late_"+w.u).Scan(&outcome); err != nil ||
		outcome != "mismatch" {
		t.Fatalf("the late payment's event: %q %v, want mismatch", outcome, err)
	}

	// A cash deposit beside them, and the cash-up's export.
	id3 := w.lorder(t, nil)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id3 + "/loans", Token: adm,
		Body: w.lendBody("LN-3", map[string]any{"deposit": 10000, "deposit_method": "cash"})})
	cash := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up?outlet_id=" + w.outlet, Token: adm}).Map(t)
	if cash["net"] != float64(10000) {
		t.Fatalf("the outlet's cash-up %v, want net 10000 (30000 in and out online, 10000 in cash)", cash)
	}
	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up/export?format=xlsx&lang=zh-CN&outlet_id=" + w.outlet, Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the cash-up file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	joined := ""
	for _, r := range rows {
		joined += strings.Join(r, "|") + "\n"
	}
	if err != nil || !strings.Contains(joined, "现金|备用机押金") || !strings.Contains(joined, "在线支付|备用机押金退还") {
		t.Fatalf("the cash-up export %q (%v), want the cash loaner deposit and the online refund", joined, err)
	}
	en := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up/export?format=csv&lang=en&outlet_id=" + w.outlet, Token: adm})
	if body := string(en.Body); !strings.Contains(body, "Cash,Loaner deposit,") || !strings.Contains(body, "Online,Loaner deposit given back,") ||
		!strings.Contains(body, "Net") {
		t.Fatalf("the English cash-up export:\n%s\nwant the methods and kinds in words", body)
	}
}

package api_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/export"
)

// oldUnit registers a unit of the world's customer bought five years ago: out of warranty,
// every line of its quotes is charged.
func (w *orderWorld) oldUnit(t *testing.T) string {
	t.Helper()
	u := w.env.Unique()
	return str(w.env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: w.tn.Admin, Body: map[string]any{
		"model_id": w.model, "serial": "OLD-" + u, "purchase_date": time.Now().AddDate(-5, 0, 0).Format(time.DateOnly),
		"invoice_no": "INV-OLD-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": w.customer}}}).Map(t)["id"])
}

// approvedQuote sends a quote (a part 45000, a courier 3000) and records the customer's approval.
func (w *orderWorld) approvedQuote(t *testing.T, id string) {
	t.Helper()
	q := w.env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: w.tn.Admin, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "Compressor", "quantity": 1, "unit_price": 45000},
			{"kind": "shipping", "description": "Courier", "quantity": 2, "unit_price": 1500}}}}).Map(t)
	w.env.Must(200, apitest.Req{Method: "POST", Path: "/v1/quotes/" + str(q["id"]) + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"approve": true}})
}

// TestPickupBlockedUntilBillSettled: a carry-in unit is not handed back (已取) through the API
// while its approved quote is unbilled or its bill unpaid; a manager's release with a reason
// lets it go. The pay link shows the bill and takes part payments.
func TestPickupBlockedUntilBillSettled(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	id := str(w.order(t, map[string]any{"component": "compressor", "registration_id": w.oldUnit(t)})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	w.approvedQuote(t, id)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm,
		Body: map[string]any{"diagnosis": "compressor failed", "work_done": "replaced", "result": "fixed"}})

	r := w.move(t, id, "picked_up", "")
	if r.Status != 409 || !strings.Contains(string(r.Body), "no bill") {
		t.Fatalf("pickup with an approved, unbilled quote: %d %s, want 409 naming the missing bill", r.Status, r.Body)
	}
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/bill", Token: adm})
	bill := created.Map(t)
	lines := bill["lines"].([]any)
	if bill["subtotal"] != float64(48000) || len(lines) != 2 || lines[0].(map[string]any)["payer"] != "customer" ||
		lines[1].(map[string]any)["payer"] != "customer" {
		t.Fatalf("bill %v: want subtotal 48000, both lines the customer's (out of warranty)", bill)
	}
	billID := str(bill["id"])
	if r := w.move(t, id, "picked_up", ""); r.Status != 409 || !strings.Contains(string(r.Body), "not settled") {
		t.Fatalf("pickup with a draft bill: %d %s, want 409 not settled", r.Status, r.Body)
	}
	issued := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/issue", Token: adm}).Map(t)
	token := str(issued["pay_url"])[strings.LastIndex(str(issued["pay_url"]), "/")+1:]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/payments", Token: adm,
		Body: map[string]any{"method": "cash", "amount": 1000}})
	if r := w.move(t, id, "picked_up", ""); r.Status != 409 {
		t.Fatalf("pickup with 47000 still owed: %d %s, want 409", r.Status, r.Body)
	}

	// The customer's pay link: the balance, and part payments no larger than it.
	view := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/public/pay/" + token}).Map(t)
	if view["balance"] != float64(47000) {
		t.Fatalf("pay link shows %v, want balance 47000", view)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/public/pay/" + token + "/checkout", Body: map[string]any{"amount": 47001}}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "body.amount") {
		t.Fatalf("paying more than owed by link: %d %s, want 422 at body.amount", r.Status, r.Body)
	}
	co := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/public/pay/" + token + "/checkout", Body: map[string]any{"amount": 500}}).Map(t)
	if co["url"] == "" || co["payment"].(map[string]any)["status"] != "pending" {
		t.Fatalf("online part payment %v, want a pending payment and a Checkout URL", co)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/public/pay/" + token + "x"}); r.Status != 404 {
		t.Fatalf("a wrong pay link: %d, want 404", r.Status)
	}

	// Releasing is a manager's: an agent may not; a reason is required.
	_, agent := env.Person(w.tn, "agent", "")
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/release", Token: agent,
		Body: map[string]any{"reason": "regular customer"}}); r.Status != 403 {
		t.Fatalf("an agent's release: %d %s, want 403", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/release", Token: adm,
		Body: map[string]any{"reason": ""}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.reason") {
		t.Fatalf("release without a reason: %d %s, want 422 at body.reason", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/release", Token: adm,
		Body: map[string]any{"reason": "company account, billed monthly"}})
	if r := w.move(t, id, "picked_up", ""); r.Status != 200 {
		t.Fatalf("pickup after the manager's release: %d %s, want 200", r.Status, r.Body)
	}
	recv := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/receivables", Token: adm}).Map(t)
	if items := recv["items"].([]any); len(items) != 1 || items[0].(map[string]any)["balance"] != float64(47000) {
		t.Fatalf("receivables %v, want the released bill with 47000 owed", recv)
	}
	x := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/receivables/export?format=xlsx&lang=zh-CN", Token: adm})
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the receivables file does not open: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	_ = f.Close()
	if err != nil || len(rows) != 2 || rows[0][0] != "单号" || rows[1][6] != "470" || rows[1][10] != "company account, billed monthly" {
		t.Fatalf("receivables xlsx rows %q (%v), want the header and the bill owing 470.00 with its release", rows, err)
	}
	cash := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up", Token: adm}).Map(t)
	if cash["net"] != float64(1000) {
		t.Fatalf("today's cash-up %v, want net 1000", cash)
	}
	cx := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/cash-up/export?format=xlsx&lang=zh-CN&day=" + str(cash["day"]), Token: adm})
	cf, err := excelize.OpenReader(bytes.NewReader(cx.Body))
	if err != nil {
		t.Fatalf("the cash-up file does not open: %v", err)
	}
	crows, err := cf.GetRows(cf.GetSheetList()[0])
	_ = cf.Close()
	if err != nil || len(crows) != 3 || crows[0][2] != "方式" || crows[1][2] != "现金" || crows[1][6] != "10" || crows[2][3] != "净额" ||
		crows[2][6] != "10" {
		t.Fatalf("cash-up xlsx rows %q (%v), want the header, the cash payment of 10.00 and the net", crows, err)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/cash-up/export?day=yesterday", Token: adm}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "day") {
		t.Fatalf("a cash-up export of a non-date: %d %s, want 422 naming day", r.Status, r.Body)
	}
}

// TestOnSiteReportBlockedUntilPaid: the engineer's report, which completes an on-site visit,
// goes through the same block: refused while the bill is owed, accepted once it is paid.
func TestOnSiteReportBlockedUntilPaid(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	id := str(w.order(t, map[string]any{"channel": "on_site", "type": "inspection", "component": "compressor",
		"registration_id": w.oldUnit(t)})["order"].(map[string]any)["id"])
	for _, to := range []string{"accepted", "dispatched", "scheduled", "en_route", "on_site"} {
		if r := w.move(t, id, to, ""); r.Status != 200 {
			t.Fatalf("move to %s: %d %s", to, r.Status, r.Body)
		}
	}
	w.approvedQuote(t, id)
	report := map[string]any{"diagnosis": "compressor failed", "work_done": "replaced", "result": "fixed"}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm, Body: report}); r.Status != 409 ||
		!strings.Contains(string(r.Body), "no bill") {
		t.Fatalf("report of a visit with an unbilled quote: %d %s, want 409", r.Status, r.Body)
	}
	bill := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/bill", Token: adm}).Map(t)
	billID := str(bill["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/issue", Token: adm})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm, Body: report}); r.Status != 409 {
		t.Fatalf("report of a visit with its bill owed: %d %s, want 409", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/payments", Token: adm,
		Body: map[string]any{"method": "card", "amount": 48000}}); r.Status != 422 || !strings.Contains(string(r.Body), "reference") {
		t.Fatalf("card payment without a terminal reference: %d %s, want 422 naming reference", r.Status, r.Body)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/payments", Token: adm,
		Body: map[string]any{"method": "card", "amount": 48000, "reference": "POS-7781"}})
	done := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: adm, Body: report}).Map(t)
	if done["status"] != "completed" {
		t.Fatalf("report after payment: %v, want completed", done["status"])
	}
}

// TestPaymentReceiptPDFInChineseAndEnglish: a cash payment's receipt is a PDF that says
// everything twice, in Chinese and English (the title, the method, the lines' kinds), with
// the receipt number, the amount to the cent, the bill's lines and totals and the 发票 buyer;
// a pending online payment has none yet, and another tenant cannot fetch it.
func TestPaymentReceiptPDFInChineseAndEnglish(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	id := str(w.order(t, map[string]any{"component": "compressor", "registration_id": w.oldUnit(t)})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: adm, Body: map[string]any{"to": "repairing"}})
	w.approvedQuote(t, id) // 480.00
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/bill", Token: adm})
	billID := str(created.Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/bills/" + billID, Token: adm, Header: map[string]string{"If-Match": created.Header.Get("ETag")},
		Body: map[string]any{"buyer_name": "上海某某电器有限公司", "buyer_tax_id": "91310115MA1K4XXXX1"}})
	issued := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/issue", Token: adm}).Map(t)
	token := str(issued["pay_url"])[strings.LastIndex(str(issued["pay_url"]), "/")+1:]
	pay := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + billID + "/payments", Token: adm,
		Body: map[string]any{"method": "cash", "amount": 12345}}).Map(t)

	r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/bill-payments/" + str(pay["id"]) + "/receipt.pdf", Token: adm})
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-1.")) ||
		!bytes.HasSuffix(bytes.TrimSpace(r.Body), []byte("%%EOF")) {
		t.Fatalf("receipt: %s, starts %q: want a whole PDF", ct, r.Body[:min(len(r.Body), 12)])
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "receipt-"+str(pay["receipt_number"])+".pdf") {
		t.Errorf("receipt's file name: %q", cd)
	}
	text, err := export.PDFText(r.Body)
	if err != nil {
		t.Fatalf("reading the receipt's text: %v", err)
	}
	for _, want := range []string{"收据 Receipt", "收据号 Receipt no.", str(pay["receipt_number"]), "现金 Cash", "CNY 123.45",
		"配件 Part · Compressor", "运费 Shipping · Courier", "CNY 450.00", "应付 Due", "CNY 480.00", "欠款 Balance", "CNY 356.55",
		"上海某某电器有限公司", "91310115MA1K4XXXX1", "This receipt is not a tax invoice"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt does not say %q:\n%s", want, text)
		}
	}

	// An online payment still waiting for Stripe has no receipt; another tenant sees none.
	co := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/public/pay/" + token + "/checkout", Body: map[string]any{"amount": 500}}).Map(t)
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/bill-payments/" + str(co["payment"].(map[string]any)["id"]) + "/receipt.pdf", Token: adm}); r.Status != 409 {
		t.Errorf("the receipt of a pending payment: %d %s, want 409", r.Status, r.Body)
	}
	other := env.NewTenant()
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/bill-payments/" + str(pay["id"]) + "/receipt.pdf", Token: other.Admin}); r.Status != 404 {
		t.Errorf("another tenant's receipt: %d, want 404", r.Status)
	}
}

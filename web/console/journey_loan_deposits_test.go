package console_test

// A loaner's deposit paid online: in English on a phone-sized screen, the counter lends a
// loaner with a deposit paid online and shows the customer the pay link as a QR code; Stripe
// confirms the payment and the card shows the deposit held; the unit comes back with the
// deposit refunded through Stripe (the refund job run by a worker). Then, in Chinese, the
// day's cash-up lists the loaner deposit taken and given back.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/jobs"
)

func TestJourneyLoanerDepositPaidOnlineWithTheQRCode(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	orderID, partNo, serial := loanerOrder(t, j, u)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)
	b.viewport(390, 844, true)

	// 1. Lend with a 300.00 deposit paid online: the pay link shows as a QR code.
	b.open("/orders/" + orderID)
	b.waitVisible(`.loaner-card .loaner-lend`)
	b.clickOpens(`.loaner-card .loaner-lend`, `.form-drawer .lend-form`)
	b.pick(`.form-drawer .lend-part`, partNo+" 备用空调")
	b.pick(`.form-drawer .lend-serial`, serial)
	b.setNumber(`.form-drawer input[name=deposit]`, "300")
	b.waitVisible(`.form-drawer .lend-method`)
	b.click(`.form-drawer .lend-method .el-radio-button:nth-child(3)`)
	b.drawerSubmit()
	b.waitVisible(`.loaner-pay-dialog img.pay-link-code`)
	url := b.js(`document.querySelector('.loaner-pay-dialog input[name=deposit_pay_url]').value`)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("the pay link shown is %q, want Stripe's page", url)
	}
	if got := b.js(`document.querySelector('.loaner-pay-dialog').innerText`); !strings.Contains(got, "300.00") {
		t.Errorf("the pay dialog says %q, want the amount", got)
	}
	b.settle()
	b.noSidewaysScroll("the pay link dialog")
	b.shot("phone-loaner-deposit-qr")
	b.click(`.loaner-pay-dialog .el-dialog__headerbtn`)
	b.waitJS(`(document.querySelector('.loaner-card .loaner-deposit-status') || {}).innerText === 'Deposit not paid yet'`)

	loans := orderLoans(t, env, j.admin, orderID)
	if len(loans) != 1 || loans[0].Deposit != 30000 || loans[0].DepositStatus != "pending" {
		t.Fatalf("the order's loans %+v, want one with a 30000 deposit pending", loans)
	}
	loanID := loans[0].ID

	// 2. The customer pays: Stripe's confirmation arrives, the counter checks and sees it held.
	pi := "pi_jloan" + strings.ReplaceAll(u, "-", "")
	md := map[string]string{"tenant_id": j.tenantID, "loan_id": loanID}
	j.stripeDelivers(t, "evt_jloan_"+u, "checkout.session.completed", map[string]any{"id": "cs_" + pi, "object": "checkout.session",
		"mode": "payment", "status": "complete", "payment_status": "paid", "amount_total": 30000, "currency": "cny",
		"client_reference_id": "loan:" + loanID, "metadata": md, "payment_intent": pi})
	b.click(`.loaner-card .loaner-check-paid`)
	b.waitJS(`(document.querySelector('.loaner-card .loaner-deposit-status') || {}).innerText === 'Deposit held'`)
	b.shotAt("phone-loaner-deposit-held", ".loaner-card")

	// 3. The unit comes back; the deposit is refunded through Stripe by the refund job.
	b.clickOpens(`.loaner-card .loaner-return`, `.form-drawer .return-form`)
	b.typeInto(`.form-drawer textarea[name=condition_note]`, "Fine, remote included")
	if got := b.js(`document.querySelector('.form-drawer .return-form').innerText`); !strings.Contains(got, "through Stripe") {
		t.Errorf("the return drawer says %q, want the online refund explained", got)
	}
	b.drawerSubmit()
	b.drawerClosed()
	b.waitVisible(`.loaner-card .loaner-none`)
	worker, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true, env.Billing.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = worker.Stop(context.Background()) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		loans = orderLoans(t, env, j.admin, orderID)
		if loans[0].DepositStatus == "refunded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deposit is %s 30 s after the return, want refunded", loans[0].DepositStatus)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.open("/orders/" + orderID)
	b.waitJS(`[...document.querySelectorAll('.loaner-card .loaner-earlier')].some((e) => e.innerText.includes('Deposit refunded'))`)
	b.settle()
	b.noSidewaysScroll("the order with its loaner back")
	b.shotAt("phone-loaner-deposit-refunded", ".loaner-card")
	b.noConsoleProblems("the online loaner deposit")

	// 4. In Chinese at the desk: the cash-up has the loaner deposit in and out, online.
	b.viewport(1400, 900, false)
	b.chinese()
	b.open("/cash-up")
	b.waitJS(`[...document.querySelectorAll('.cash-up-lines tbody tr')].filter((r) => r.innerText.includes('备用机押金')).length === 2`)
	rows := b.js(`[...document.querySelectorAll('.cash-up-lines tbody tr')].map((r) => r.innerText.replace(/\s+/g, ' ')).join('\n')`)
	if !strings.Contains(rows, "在线支付 备用机押金 1 ¥300.00") || !strings.Contains(rows, "在线支付 备用机押金退还 1 ¥300.00") {
		t.Errorf("the cash-up rows:\n%s\nwant the online loaner deposit taken and given back", rows)
	}
	b.untranslated("the cash-up with loaner deposits")
	b.shot("zh-cash-up-loaner-deposits")
	b.noConsoleProblems("the cash-up")
}

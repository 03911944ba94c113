package console_test

// The integration and network screens on a fresh tenant: webhooks with their delivery log,
// in English, then in Chinese (scanned for raw codes), then on a 390 px phone.

import (
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyAdminConnectsAWebhookAndReadsItsDeliveries(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// A new endpoint: an address that is not a URL is refused at its field; the saved one's
	// signing secret shows once, never in the list or the API.
	b.open("/webhooks")
	b.click(`.new-endpoint`)
	b.waitVisible(`.form-drawer input[name=url]`)
	b.typeInto(`.form-drawer input[name=url]`, "erp")
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=url]`); got == "" {
		t.Errorf("the address erp is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=url]`, "https://erp.example.com/aftersales/hooks")
	b.typeInto(`.form-drawer input[name=description]`, "ERP 工单同步")
	b.drawerSubmit()
	b.waitVisible(`.secret-dialog input[name=webhook_secret]`)
	secret := b.js(`document.querySelector('.secret-dialog input[name=webhook_secret]').value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the new endpoint's secret shows as %q", secret)
	}
	b.shot("webhook-secret-once")
	b.click(`.secret-dialog .secret-stored`)
	b.waitJS(`document.querySelector('.list-table').innerText.includes('https://erp.example.com/aftersales/hooks') && document.querySelector('.list-table').innerText.includes('All events')`)
	if strings.Contains(b.js(`document.documentElement.outerHTML`), secret) {
		t.Error("the endpoint list shows the secret again")
	}
	var eps struct {
		Items []struct {
			ID, URL, Description string
			Events               []string
		}
	}
	r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints", Token: j.admin})
	r.JSON(t, &eps)
	if strings.Contains(string(r.Body), secret) || len(eps.Items) != 1 || eps.Items[0].Description != "ERP 工单同步" {
		t.Fatalf("the API lists the endpoints %s", r.Body)
	}
	epID := eps.Items[0].ID

	// Edited: only two events now (saved with If-Match).
	b.settle()
	b.click(`.edit-endpoint`)
	b.waitJS(`(() => { const d = ` + openDrawer + `; return !!d && d.querySelector('input[name=url]').value === 'https://erp.example.com/aftersales/hooks' })()`)
	b.settle()
	b.click(`.form-drawer .endpoint-events .el-tag__close`) // drops "All events"
	b.click(`.form-drawer .endpoint-events`)
	b.clickText(`.el-select-dropdown__item`, "Order received")
	b.clickText(`.el-select-dropdown__item`, "Time limit breached")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Time limit breached')`)
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + epID, Token: j.admin}).JSON(t, &eps.Items[0])
	if got := strings.Join(eps.Items[0].Events, ","); got != "order.created,sla.breached" {
		t.Errorf("the endpoint receives %q after the edit", got)
	}
	b.shot("webhooks")

	// The delivery log: a test event is queued; it is sent again (a new delivery of the same
	// event); the status filter lives in the URL.
	b.click(`.endpoint-deliveries`)
	b.waitJS(`location.pathname.endsWith('/webhooks/` + epID + `')`)
	b.settle()
	b.click(`.ping-endpoint`)
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 1 && document.querySelector('.list-table').innerText.includes('Test event')`)
	b.click(`.list-table .redeliver`)
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 2`)
	var dels struct {
		Items []struct {
			ID           string
			EventID      string `json:"event_id"`
			Status       string
			RedeliveryOf string `json:"redelivery_of"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + epID + "/deliveries", Token: j.admin}).JSON(t, &dels)
	if len(dels.Items) != 2 || (dels.Items[0].RedeliveryOf == "") == (dels.Items[1].RedeliveryOf == "") ||
		dels.Items[0].EventID != dels.Items[1].EventID {
		t.Errorf("the endpoint's deliveries are %+v, want a ping and its redelivery", dels.Items)
	}
	b.click(`.list-table .delivery-details`)
	b.waitVisible(`.delivery-dialog .delivery-body`)
	b.shot("webhook-delivery")
	b.js(`(() => { document.querySelector('.delivery-dialog .el-dialog__headerbtn').click(); return '' })()`)
	b.open("/webhooks/" + epID + "?status=succeeded")
	b.waitJS(`document.querySelectorAll('.list-table tbody tr').length === 0 && document.querySelector('.delivery-status').innerText.includes('Delivered')`)
	b.noConsoleProblems("webhooks")

	// 中文, then a phone.
	b.chinese()
	for _, route := range []string{"/webhooks", "/webhooks/" + epID} {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/webhooks")
	b.click(`.edit-endpoint`)
	b.waitVisible(`.form-drawer input[name=url]`)
	b.untranslated("the endpoint drawer")
	b.closeDrawer()
	b.open("/webhooks/" + epID)
	b.click(`.list-table .delivery-details`)
	b.waitVisible(`.delivery-dialog .delivery-body`)
	b.untranslated("a delivery")
	b.viewport(390, 844, true)
	for _, route := range []string{"/webhooks", "/webhooks/" + epID} {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.shot("phone-webhook-deliveries")
	b.noConsoleProblems("webhooks in Chinese")
}

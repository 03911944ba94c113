package console_test

// The repair network's screens: a brand proposes an agreement to a service provider (the
// empty form refused at the partner's field), the provider accepts it, the brand hands an
// order off from the order page, and the partner jobs board shows it; then in Chinese, and
// at 390 px.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestJourneyBrandHandsAnOrderToAPartner(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	partner := env.NewTenant()
	var me struct {
		Memberships []struct {
			TenantID string `json:"tenant_id"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: j.admin}).JSON(t, &me)
	if len(me.Memberships) == 0 {
		t.Fatal("the admin has no membership")
	}
	brand := me.Memberships[0].TenantID
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "serial": "SN-" + env.Unique(), "fault_description": "不制冷",
		"customer": map[string]any{"name": "李女士", "phone": env.Phone()}}}).Map(t)["order"].(map[string]any)
	orderID, number := order["id"].(string), order["number"].(string)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// 1. Propose: the empty form is refused at the partner's field; then sent.
	b.open("/partners")
	b.click(`.propose-agreement`)
	b.waitVisible(`.form-drawer input[name=partner_tenant_id]`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=partner_tenant_id]`); got == "" {
		t.Errorf("the empty partner is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer input[name=partner_tenant_id]`, partner.ID)
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Waiting for the partner')`)
	b.shot("partners-proposed")
	var ags struct{ Items []struct{ ID string } }
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/partner-agreements", Token: j.admin}).JSON(t, &ags)
	if len(ags.Items) != 1 {
		t.Fatalf("agreements after proposing: %+v", ags.Items)
	}
	ag := ags.Items[0].ID

	// 2. The provider accepts (its own copy arrived as a message); the brand's shows active.
	env.DeliverNetwork(t, brand, ag)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/partner-agreements/" + ag + "/accept", Token: partner.Admin})
	env.DeliverNetwork(t, partner.ID, ag)
	b.open("/partners")
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Active')`)

	// 3. Hand the order off from its page.
	b.open("/orders/" + orderID)
	b.waitVisible(`.handoff-card`)
	b.click(`.handoff-card .el-select`)
	b.clickText(`.el-select-dropdown__item`, "Tenant "+strings.TrimPrefix(partner.Slug, "t-"))
	b.click(`.handoff-submit`)
	b.waitJS(`document.querySelector('.handoff-card').innerText.includes('No report yet')`)
	b.shot("order-handed-off")
	var sent struct {
		Items []struct {
			OrderNumber string `json:"order_number"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/network-jobs?direction=sent", Token: j.admin}).JSON(t, &sent)
	if len(sent.Items) != 1 || sent.Items[0].OrderNumber != number {
		t.Fatalf("jobs sent: %+v", sent.Items)
	}

	// 4. The board of jobs sent shows it, filtered in the URL.
	b.open("/network-jobs?direction=sent")
	b.waitJS(fmt.Sprintf(`document.querySelector('.list-table').innerText.includes(%q)`, number))
	b.noConsoleProblems("partner jobs")

	// 5. In Chinese, and on a phone.
	b.click(`.lang-switch`)
	b.clickText(`.el-dropdown-menu__item`, "简体中文")
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	for _, route := range []string{"/partners", "/network-jobs", "/orders/" + orderID} {
		b.open(route)
		b.untranslated(route)
	}
	b.viewport(390, 844, true)
	for _, route := range []string{"/partners", "/network-jobs"} {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/partners")
	b.click(`.propose-agreement`)
	b.waitVisible(`.form-drawer input[name=partner_tenant_id]`)
	if w := b.js(`String(Math.round(document.querySelector('.form-drawer').getBoundingClientRect().width))`); w != "390" {
		t.Errorf("the drawer is %s px wide on a 390 px screen", w)
	}
	b.untranslated("the agreement drawer on a phone")
	b.shot("phone-partners-drawer")
}

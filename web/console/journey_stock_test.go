package console_test

// Parts and stock: the administrator adds a part (the empty drawer refused at the part
// number), receives five into the central warehouse, ships three to the outlet's warehouse,
// the outlet receives two with a discrepancy reason, and the journal shows every leg; then
// the stock screens in Chinese, and at 390 px.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// stockRoutes are the parts and stock screens.
var stockRoutes = []string{"/stock", "/stock/movements", "/stock/transfers", "/stock/requests", "/stock/warehouses", "/parts"}

// pick chooses label in the el-select with class css (in the open drawer or the page).
func (b *browser) pick(css, label string) {
	b.t.Helper()
	b.click(css)
	b.clickText(`.el-select-dropdown__item`, label)
	// The list closes (a later pick must not find this one's items while it fades).
	b.waitJS(`![...document.querySelectorAll('.el-select-dropdown__item')].some((e) => e.offsetParent !== null)`)
}

// setNumber types a number into an el-input-number's input and commits it (it reads on change).
func (b *browser) setNumber(css, value string) {
	b.t.Helper()
	b.typeInto(css, value)
	b.js(fmt.Sprintf(`(() => { document.querySelector(%q).dispatchEvent(new Event('change', { bubbles: true })); return '' })()`, css))
}

func TestJourneyPartIsReceivedTransferredAndJournaled(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	u := env.Unique()
	U := strings.ToUpper(u)
	central := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
		"code": "CW-" + U, "name": "中心备件库", "kind": "spare_parts"}}).Map(t)
	outlet := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: j.admin, Body: map[string]any{
		"code": "SH-" + U, "name": "上海网点库", "kind": "spare_parts", "outlet_id": j.outletID}}).Map(t)
	centralLabel, outletLabel := fmt.Sprintf("中心备件库 (CW-%s)", U), fmt.Sprintf("上海网点库 (SH-%s)", U)

	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	// 1. A part: the empty drawer is refused at the part number, then it is added.
	b.open("/parts")
	b.click(`.new-part`)
	b.waitVisible(`.form-drawer input[name=part_no]`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer input[name=part_no]`); got == "" {
		t.Errorf("the empty part number is not refused at its field:\n%s", b.visibleText())
	}
	partNo := "PCB-" + U
	b.typeInto(`.form-drawer input[name=part_no]`, partNo)
	b.typeInto(`.form-drawer input[name=name_zh]`, "主控板")
	b.setNumber(`.form-drawer input[name=unit_cost]`, "120.5")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(fmt.Sprintf(`document.querySelector('.list-table').innerText.includes(%q)`, partNo))
	b.shot("parts")
	var ps struct {
		Items []struct {
			ID       string
			UnitCost int64 `json:"unit_cost"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/parts?q=" + partNo, Token: j.admin}).JSON(t, &ps)
	if len(ps.Items) != 1 || ps.Items[0].UnitCost != 12050 {
		t.Fatalf("the API lists the parts %+v, want one costing 12050", ps.Items)
	}
	partLabel := partNo + " 主控板"

	// 2. Receive five into the central warehouse; its value is own stock at unit cost.
	b.open("/stock")
	b.click(`.new-receipt`)
	b.waitVisible(`.form-drawer .receipt-form`)
	b.pick(`.form-drawer .receipt-warehouse`, centralLabel)
	b.pick(`.form-drawer .receipt-part`, partLabel)
	b.setNumber(`.form-drawer input[name=qty]`, "5")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('602.50')`)
	b.shot("stock-on-hand")

	// 3. Ship three to the outlet's warehouse.
	b.open("/stock/transfers")
	b.click(`.new-transfer`)
	b.waitVisible(`.form-drawer .ship-form`)
	b.pick(`.form-drawer .ship-from`, centralLabel)
	b.pick(`.form-drawer .ship-to`, outletLabel)
	b.pick(`.form-drawer .ship-part`, partLabel)
	b.setNumber(`.form-drawer input[name="lines.0.qty"]`, "3")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('In transit')`)

	// 4. Receive: two arrived; the short line needs a reason, refused at its field without one.
	b.click(`.receive-transfer`)
	b.waitVisible(`.form-drawer .receive-form`)
	b.setNumber(`.form-drawer input[name="lines.0.qty_received"]`, "2")
	b.waitVisible(`.form-drawer .receive-reason`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer .receive-reason`); got == "" {
		t.Errorf("the missing discrepancy reason is not refused at its field:\n%s", b.visibleText())
	}
	b.pick(`.form-drawer .receive-reason`, "Damaged")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.list-table').innerText.includes('Damaged')`)
	b.shot("stock-transfers")
	var on struct {
		Items []struct {
			WarehouseID string `json:"warehouse_id"`
			OnHand      int    `json:"on_hand"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/stock?part_id=" + ps.Items[0].ID, Token: j.admin}).JSON(t, &on)
	got := map[string]int{}
	for _, it := range on.Items {
		got[it.WarehouseID] = it.OnHand
	}
	if got[central["id"].(string)] != 2 || got[outlet["id"].(string)] != 2 {
		t.Errorf("on hand after the transfer: %v, want 2 central and 2 at the outlet", got)
	}

	// 5. The journal of the part: receipt, ship, receive, newest first.
	b.open("/stock/movements?part_id=" + ps.Items[0].ID)
	b.waitJS(`document.querySelectorAll('.list-table .movement-type').length === 3`)
	if types := b.js(`[...document.querySelectorAll('.list-table .movement-type')].map((e) => e.dataset.type).join(',')`); types != "transfer_receive,transfer_ship,receipt" {
		t.Errorf("the journal shows %s", types)
	}
	b.shot("stock-journal")
	b.noConsoleProblems("stock journal")

	// 6. In Chinese, and on a phone.
	b.click(`.lang-switch`)
	b.clickText(`.el-dropdown-menu__item`, "简体中文")
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	for _, route := range stockRoutes {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/stock/movements?part_id=" + ps.Items[0].ID)
	b.waitJS(`document.querySelector('.list-table').innerText.includes('调拨接收')`)
	b.viewport(390, 844, true)
	for _, route := range stockRoutes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/stock/transfers")
	b.click(`.new-transfer`)
	b.waitVisible(`.form-drawer .ship-form`)
	if w := b.js(`String(Math.round(document.querySelector('.form-drawer').getBoundingClientRect().width))`); w != "390" {
		t.Errorf("the drawer is %s px wide on a 390 px screen", w)
	}
	b.untranslated("the transfer drawer on a phone")
	b.shot("phone-transfer-drawer")
}

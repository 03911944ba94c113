package console_test

import (
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestJourneyDashboardShowsTheDayAndExports: a manager opens the dashboard of a fresh tenant,
// brings its figures up to date, reads the orders that came in, the backlog and the charts,
// in English, in Chinese and on a phone.
func TestJourneyDashboardShowsTheDayAndExports(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: j.admin, Body: map[string]any{
		"name": "张三", "phone": env.Phone()}}).Map(t)["id"].(string)
	for range 3 {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: j.admin, Body: map[string]any{
			"type": "repair_minor", "channel": "carry_in", "customer_id": customer, "fault_description": "无法开机"}})
	}
	b := newBrowser(t, env.Server.URL)
	b.signIn(j.email)

	b.open("/dashboard")
	b.clickText("button", "Refresh now")
	b.waitJS(`(document.querySelector('[data-kpi=in] .kpi-value') || {}).innerText === '3'`)
	b.waitJS(`(document.querySelector('[data-kpi=backlog] .kpi-value') || {}).innerText === '3'`)
	b.waitJS(`document.querySelectorAll('.echart canvas').length >= 2`)
	if got := b.visibleText(); !strings.Contains(got, "Figures as of") || !strings.Contains(got, "Open orders by status and age") {
		t.Errorf("the dashboard does not say how fresh its figures are: %q", got)
	}
	// The range and the breakdown live in the URL: a reload keeps them.
	b.open("/dashboard?by=outlet")
	b.waitJS(`document.querySelectorAll('.echart canvas').length >= 2`)
	if !strings.Contains(b.location(), "by=outlet") {
		t.Errorf("the breakdown left the URL: %s", b.location())
	}
	b.shot("dashboard")
	b.noConsoleProblems("dashboard")

	b.chinese()
	b.open("/dashboard")
	b.waitJS(`(document.querySelector('[data-kpi=in] .kpi-value') || {}).innerText === '3'`)
	b.untranslated("/dashboard")
	b.shot("zh-dashboard")

	b.viewport(390, 844, true)
	b.open("/dashboard")
	b.waitJS(`(document.querySelector('[data-kpi=in] .kpi-value') || {}).innerText === '3'`)
	b.noSidewaysScroll("/dashboard")
	b.untranslated("/dashboard on a phone")
	b.shot("phone-dashboard")
	b.noConsoleProblems("dashboard on a phone")
}

package console_test

// The callbacks' screens: yesterday's completed order is sampled for a callback (the run the
// daily job makes, over the API) and lands in the agent's queue with its countdown; the
// first call is not answered (counted, the callback stays), the second gets a poor score,
// which opens a rectification; an auditor sees the customer's phone masked; the outlet's
// manager reports the actions and the customer recontacted, and the tenant's admin approves it; the
// satisfaction report shows the score. Then the callbacks pages in Chinese and on a phone.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

func TestJourneySampledCallbackPoorScoreThroughRectification(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	tn := env.NewTenant()
	outlet := tn.Outlets[0]
	agentEmail, agent := env.Person(tn, "agent", "")
	managerEmail, _ := env.Person(tn, "outlet_manager", outlet)
	auditorEmail, _ := env.Person(tn, "auditor", "")
	agentID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: agent}).Map(t)["id"].(string)

	// Every completed order called back, the agent on shift all week.
	var shifts []map[string]any
	for d := range 7 {
		shifts = append(shifts, map[string]any{"user_id": agentID, "weekday": d, "starts": "00:00", "ends": "24:00"})
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"ratio_bp": 10000, "type_ratios": map[string]any{}, "outlet_ratios": map[string]any{},
			"excluded_types": []string{"internal"}, "cap_surveys": 5, "cap_days": 30, "due_minutes": 600, "rectify_hours": 48, "shifts": shifts}})

	// An order at the outlet, completed yesterday, and the day's sampling run.
	phone := env.Phone()
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "outlet_id": outlet, "fault_description": "洗衣机不脱水",
		"customer": map[string]any{"name": "赵女士", "phone": phone}, "location": map[string]any{"province_code": "310000"}}}).Map(t)["order"].(map[string]any)
	orderID, number := order["id"].(string), order["number"].(string)
	var yesterday time.Time
	ctx := context.Background()
	if err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		now, err := tx.Now(ctx)
		if err != nil {
			return err
		}
		loc, err := tenants.Location(ctx, tx)
		if err != nil {
			return err
		}
		y := now.In(loc).AddDate(0, 0, -1)
		yesterday = time.Date(y.Year(), y.Month(), y.Day(), 12, 0, 0, 0, loc)
		if _, err = tx.Exec(ctx, `UPDATE service_orders SET status = 'closed', completed_at = $2, closed_at = $2 WHERE id = $1`, orderID, yesterday); err != nil {
			return err
		}
		// The outlet named in Chinese, as the tenant's data is (the report lists it).
		_, err = tx.Exec(ctx, `UPDATE outlets SET name = '浦东服务中心' WHERE id = $1`, outlet)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: tn.Admin,
		Body: map[string]any{"day": yesterday.Format(time.DateOnly)}}).Map(t)
	if run["created"].(float64) != 1 {
		t.Fatalf("the sampling run: %v", run)
	}

	b := newBrowser(t, env.Server.URL)

	// 1. The agent's queue: mine and open by default, in the URL, with the countdown.
	b.signIn(agentEmail)
	b.open("/callbacks")
	b.waitJS(fmt.Sprintf(`document.querySelector('.list-table').innerText.includes(%q)`, number))
	if loc := b.location(); !strings.Contains(loc, "mine=true") && !strings.Contains(b.js(`document.querySelector('.mine-filter .is-active').innerText`), "Mine") {
		t.Errorf("the queue does not start at my callbacks (%s)", loc)
	}
	if got := b.js(`document.querySelector('.callback-countdown').innerText`); !strings.Contains(got, "left") {
		t.Errorf("the open callback shows no countdown: %q", got)
	}
	b.shot("callbacks-queue")
	b.clickOpens(`.callback-link`, `.survey-form`)
	b.waitVisible(`.customer-phone`)
	if got := b.js(`document.querySelector('.customer-phone').innerText`); got != phone {
		t.Errorf("the agent (full contacts) sees the phone as %q, want %q", got, phone)
	}

	// 2. The first call is not answered: counted, the callback stays open.
	b.press(`.no-answer`, `Number(document.querySelector('.callback-facts .attempts').innerText) >= 1`)
	if b.shows(`.callback-response`, time.Second) {
		t.Fatalf("an unanswered call recorded a survey answer")
	}

	// 3. The second call: a poor score on every dimension, NPS 2 and a comment.
	choose := func(q, v string) {
		b.press(fmt.Sprintf(`[data-question=%q] .el-radio-button[data-value=%q]`, q, v),
			fmt.Sprintf(`(document.querySelector('[data-question=%q] .el-radio-button.is-active') || {}).innerText === %q`, q, v))
	}
	for _, q := range []string{"attitude", "speed", "quality", "price", "professionalism"} {
		choose(q, "1")
	}
	choose("nps", "2")
	b.typeInto(`textarea[name=q-comment]`, "工程师迟到且态度差")
	b.shot("callback-survey")
	b.press(`.record-answers`, `!!document.querySelector('.callback-response .poor-tag')`)
	if got := b.js(`document.querySelector('.callback-response').innerText`); !strings.Contains(got, "1.00") || !strings.Contains(got, "NPS 2") {
		t.Errorf("the recorded answer shows %q", got)
	}
	b.shot("callback-answered-poor")
	b.noConsoleProblems("the call")

	// 4. An auditor (who does not see contacts in full) reads the callback with the phone
	// masked; the outlet's manager owns the case.
	b.signIn(auditorEmail)
	var task struct {
		Items []struct{ ID string } `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/callbacks?status=done", Token: tn.Admin}).JSON(t, &task)
	if len(task.Items) != 1 {
		t.Fatalf("done callbacks: %+v", task.Items)
	}
	b.open("/callbacks/" + task.Items[0].ID)
	b.waitVisible(`.masked-tag`)
	if got := b.js(`document.querySelector('.customer-phone').innerText`); got == phone || !strings.Contains(got, "*") {
		t.Errorf("the auditor sees the phone as %q", got)
	}
	if b.shows(`.survey-form`, time.Second) {
		t.Errorf("the auditor is offered the survey of a finished callback")
	}
	b.signIn(managerEmail)
	b.open("/rectifications?mine=true")
	b.waitJS(fmt.Sprintf(`document.querySelector('.list-table').innerText.includes(%q)`, number))
	b.shot("rectifications")
	b.clickOpens(`.rectification-link`, `.submit-rect`)
	rectURL := strings.TrimPrefix(b.location(), env.Server.URL+"/console")
	b.clickOpens(`.submit-rect`, `.form-drawer textarea[name=actions]`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer textarea[name=actions]`); got == "" {
		t.Errorf("empty actions are not refused at their field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer textarea[name=actions]`, "店长带工程师上门致歉，复检设备并免除上门费")
	b.typeInto(`.form-drawer input[name=recontact_note]`, "客户表示满意，接受处理")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.rect-status').innerText.includes('Awaiting approval')`)
	if b.shows(`.review-rect`, time.Second) {
		b.clickOpens(`.review-rect`, `.form-drawer .review-decision`)
		b.drawerSubmit()
		b.waitVisible(`.form-drawer .problem-alert`)
		if got := b.js(`document.querySelector('.form-drawer .problem-alert').innerText`); got == "" {
			t.Errorf("the submitter's own approval is not refused")
		}
		b.closeDrawer()
	}
	b.noConsoleProblems("the rectification")

	// 5. The tenant's admin approves it.
	b.signIn(tn.AdminEmail)
	b.open(rectURL)
	b.clickOpens(`.review-rect`, `.form-drawer .review-decision`)
	b.typeInto(`.form-drawer input[name=review_note]`, "处理到位")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitJS(`document.querySelector('.rect-status').innerText.includes('Approved')`)
	if got := b.js(`document.querySelector('.rect-facts').innerText`); !strings.Contains(got, "店长带工程师上门致歉") || !strings.Contains(got, "客户表示满意") {
		t.Errorf("the approved case does not show the actions and the recontact:\n%s", got)
	}
	b.shot("rectification-approved")

	// 6. The satisfaction report of the period shows the poor score.
	from, to := yesterday.AddDate(0, 0, -1).Format(time.DateOnly), yesterday.AddDate(0, 0, 1).Format(time.DateOnly)
	b.open("/satisfaction?from=" + from + "&to=" + to)
	b.waitJS(`document.querySelector('.overall-score') && document.querySelector('.overall-score').innerText.includes('1.00')`)
	b.shot("satisfaction")
	b.noConsoleProblems("approval and report")

	// 7. In Chinese, and on a phone.
	routes := []string{"/callbacks", "/callbacks/" + task.Items[0].ID, "/rectifications", rectURL, "/survey-templates",
		"/satisfaction?from=" + from + "&to=" + to}
	b.chinese()
	for _, route := range routes {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/survey-templates")
	b.clickOpens(`.edit-template`, `.form-drawer .template-form`)
	b.untranslated("the survey template editor")
	b.closeDrawer()
	b.viewport(390, 844, true)
	for _, route := range routes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open(rectURL)
	b.shot("phone-rectification")
	b.noConsoleProblems("Chinese and phone")
}

// press clicks the element matching css until done (a script expression) holds: when the
// mouse's click did not take within 5 s (a page still settling moved the element between
// aim and press), the element is clicked once more from the page's script.
func (b *browser) press(css, done string) {
	b.t.Helper()
	b.click(css)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](done, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		b.js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) (e.querySelector('input') || e).click(); return '' })()`, css))
	}
	b.waitJS(done)
}

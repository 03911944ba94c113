package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// TestJourneyCustomerAnswersTheSurveyLink: an order sampled for a callback sends the customer
// a survey link (/survey/{token}); on a 390x844 phone, without signing in, the customer
// opens it in the brand's portal frame, in Chinese, answers the tenant's questions and sends
// them; staff read the answer as the order's survey, and the link then says it is answered.
func TestJourneyCustomerAnswersTheSurveyLink(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	tn := env.NewTenant()
	outlet := tn.Outlets[0]
	_, agent := env.Person(tn, "agent", "")
	agentID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: agent}).Map(t)["id"].(string)
	var shifts []map[string]any
	for d := range 7 {
		shifts = append(shifts, map[string]any{"user_id": agentID, "weekday": d, "starts": "00:00", "ends": "24:00"})
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/callback-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"ratio_bp": 10000, "type_ratios": map[string]any{}, "outlet_ratios": map[string]any{},
			"excluded_types": []string{"internal"}, "cap_surveys": 5, "cap_days": 30, "due_minutes": 600, "rectify_hours": 48, "shifts": shifts}})
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "outlet_id": outlet, "fault_description": "洗衣机不脱水",
		"customer": map[string]any{"name": "赵女士", "phone": env.Phone()}, "location": map[string]any{"province_code": "310000"}}}).Map(t)["order"].(map[string]any)
	orderID := order["id"].(string)

	// Completed yesterday; the day's sampling run invites the customer with a link.
	var yesterday time.Time
	var link string
	ctx := context.Background()
	scope := tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}
	if err := env.Tenants.Tx(ctx, scope, func(tx *tenants.Tx) error {
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
		_, err = tx.Exec(ctx, `UPDATE service_orders SET status = 'closed', completed_at = $2, closed_at = $2 WHERE id = $1`, orderID, yesterday)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/callback-runs", Token: tn.Admin, Body: map[string]any{"day": yesterday.Format(time.DateOnly)}})
	if err := env.Tenants.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT payload->'vars'->>'survey_link' FROM events WHERE tenant_id = $1 AND type = 'survey.invite' ORDER BY created_at DESC LIMIT 1`,
			tn.ID).Scan(&link)
	}); err != nil {
		t.Fatalf("the survey invitation: %v", err)
	}
	i := strings.Index(link, "/survey/")
	if i < 0 {
		t.Fatalf("the invitation's link %q", link)
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.openPortal("/")
	b.js(`(() => { localStorage.setItem('aftersales.lang', 'zh-CN'); return '' })()`)
	b.do(chromedp.Navigate(b.base + link[i:]))
	b.settle()
	b.waitVisible(`.survey-question`)
	if !strings.HasPrefix(b.location(), b.base+"/my/survey/") {
		t.Errorf("the link led to %s, want the portal's survey page", b.location())
	}
	b.untranslated("the survey link")
	b.tapTargets("the survey link")
	b.shot("portal-survey-link-zh")

	// Sending without the required answers is refused in words; then every question answered.
	b.click(`.survey-send`)
	b.waitJS(`!!document.querySelector('.survey-form .my-problem[role=alert]')`)
	b.js(`(() => {
		for (const q of document.querySelectorAll('.survey-question')) {
			const stars = q.querySelectorAll('.van-rate__item');
			if (stars.length) stars[stars.length - 2].click();
			const nps = [...q.querySelectorAll('.nps-value')].find((e) => e.innerText.trim() === '9');
			if (nps) nps.click();
		}
		return '' })()`)
	if b.js(`String(!!document.querySelector('.survey-question textarea'))`) == "true" {
		b.typeInto(`.survey-question textarea`, "师傅很专业，准时上门")
	}
	b.click(`.survey-send`)
	b.waitVisible(`.survey-done`)
	b.shot("portal-survey-link-done-zh")
	b.noConsoleProblems("the survey link")

	var s struct {
		Answered bool `json:"answered"`
		Response struct {
			Channel string  `json:"channel"`
			Score   float64 `json:"score"`
		} `json:"response"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/survey", Token: tn.Admin}).JSON(t, &s)
	if !s.Answered || s.Response.Channel != "link" || s.Response.Score < 3 {
		t.Errorf("staff read the link's answer as %+v", s)
	}
	// Opened again, the link says it is answered and asks nothing.
	b.do(chromedp.Navigate(b.base + link[i:]))
	b.settle()
	b.waitVisible(`.survey-done`)
	if b.js(`String(!!document.querySelector('.survey-send'))`) != "false" {
		t.Errorf("an answered survey offers to send again")
	}
}

package console_test

// The complaints' screens: an agent logs a complaint that came through the 12315 hotline and
// sees it classified serious by the channel; the tenant's (sandbox) clock passes its
// first-response deadline and the complaint page shows the escalation on its timeline; the
// agent resolves it and closes it on the customer's confirmation. Then the complaints pages
// in Chinese and on a phone.

import (
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// complaintRoutes are the complaints screens the Chinese and phone passes visit.
var complaintRoutes = []string{"/complaints", "/complaints?severity=serious&overdue=true", "/contacts", "/complaints/reports"}

func TestJourneyComplaintVia12315EscalatedAndClosedByTheCustomer(t *testing.T) {
	chromiumPath(t)
	env := apitest.New(t)
	builtOrSkip(t, env)
	tn := env.NewSandboxTenant()
	agentEmail, _ := env.Person(tn, "agent", "")

	b := newBrowser(t, env.Server.URL)
	b.signIn(agentEmail)

	// 1. The agent logs the 12315 complaint: the channel makes it serious.
	b.open("/complaints")
	b.waitVisible(`.new-complaint`)
	b.clickOpens(`.new-complaint`, `.form-drawer .complaint-channel`)
	b.pick(`.form-drawer .complaint-channel`, "12315 hotline")
	b.pick(`.form-drawer .complaint-topic`, "Repair time")
	b.typeInto(`.form-drawer textarea[name=summary]`, "12315 转来：冰箱维修两周未完成")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitVisible(`.complaint-severity-tag`)
	if got := b.js(`document.querySelector('.complaint-severity-tag').innerText`); !strings.Contains(got, "Serious") {
		t.Fatalf("a 12315 complaint shows as %q, want Serious", got)
	}
	b.shot("complaint-opened")
	path := strings.TrimPrefix(b.location(), env.Server.URL+"/console")
	id := path[strings.LastIndex(path, "/")+1:]

	// 2. The deadline passes: the tenant's test clock moves past the first response's due time.
	c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + id, Token: tn.Admin}).Map(t)
	var due time.Time
	for _, d := range c["deadlines"].([]any) {
		if m := d.(map[string]any); m["name"] == "first_response" {
			due, _ = time.Parse(time.RFC3339Nano, m["due_at"].(string))
		}
	}
	if due.IsZero() {
		t.Fatalf("no first-response deadline: %v", c["deadlines"])
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/sandbox/clock/advance", Token: tn.Admin, Body: map[string]any{"to": due.Add(5 * time.Minute)}})

	// 3. The escalation shows on the complaint page.
	b.open(path)
	b.waitVisible(`.complaint-steps .step-kind-escalated`)
	b.waitVisible(`[data-deadline=first_response] .deadline-escalated`)
	if got := b.js(`document.querySelector('.complaint-steps .step-kind-escalated').innerText`); !strings.Contains(got, "Escalated") ||
		!strings.Contains(got, "First response") {
		t.Errorf("the escalation's timeline entry reads %q", got)
	}
	b.shot("complaint-escalated")
	b.noConsoleProblems("escalated")

	// 4. Resolved, then closed on the customer's confirmation (the note is required).
	b.clickOpens(`.step-resolve`, `.form-drawer textarea[name=note]`)
	b.typeInto(`.form-drawer textarea[name=note]`, "上门更换压缩机")
	b.drawerSubmit()
	b.drawerClosed()
	b.waitVisible(`.step-close`)
	b.clickOpens(`.step-close`, `.form-drawer textarea[name=note]`)
	b.drawerSubmit()
	if got := b.fieldError(`.form-drawer textarea[name=note]`); got == "" {
		t.Errorf("closing without how the customer confirmed is not refused at its field:\n%s", b.visibleText())
	}
	b.typeInto(`.form-drawer textarea[name=note]`, "客户电话确认已修好")
	b.drawerSubmit()
	b.waitJS(`document.querySelector('.complaint-status').innerText.includes('Closed')`)
	b.drawerClosed()
	if got := b.js(`document.querySelector('.complaint-steps').innerText`); !strings.Contains(got, "客户电话确认已修好") {
		t.Errorf("the timeline does not show the customer's confirmation:\n%s", got)
	}
	b.shot("complaint-closed")
	b.noConsoleProblems("closed")

	// The contact log shows the complaint's first contact; the report counts the complaint.
	b.open("/contacts")
	b.waitJS(`document.querySelector('.list-table').innerText.includes('12315')`)
	b.shot("contact-log")
	b.open("/complaints/reports")
	b.waitVisible(`.report-severity`)
	if got := b.js(`document.querySelector('.report-severity').innerText`); !strings.Contains(got, "Serious") {
		t.Errorf("the complaint report's severities:\n%s", got)
	}
	b.shot("complaint-reports")
	b.noConsoleProblems("contacts and reports")

	// 5. In Chinese, and on a phone.
	routes := append([]string{path}, complaintRoutes...)
	b.chinese()
	for _, route := range routes {
		b.open(route)
		b.untranslated(route)
	}
	b.open(path)
	b.waitVisible(`.complaint-steps`)
	b.shot("complaint-zh")
	b.viewport(390, 844, true)
	for _, route := range routes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open(path)
	b.waitVisible(`.complaint-steps`)
	b.shot("phone-complaint")
	b.open("/complaints")
	b.waitVisible(`.new-complaint`)
	b.shot("phone-complaints")
	b.noConsoleProblems("Chinese and phone")
}

// The brand admin sets the complaint rules: WeChat complaints become serious, the serious
// first response is due in an hour and a half, and a named agent joins the critical chain;
// a stale save offers the latest rules. Then the page in Chinese and on a phone.
func TestJourneyAdminSetsTheComplaintRules(t *testing.T) {
	chromiumPath(t)
	env := apitest.New(t)
	builtOrSkip(t, env)
	tn := env.NewTenant()
	_, agent := env.Person(tn, "agent", "")
	agentID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: agent}).Map(t)["id"].(string)

	b := newBrowser(t, env.Server.URL)
	b.signIn(tn.AdminEmail)
	b.open("/complaint-rules")
	b.waitVisible(`.channel-severity[data-channel=wechat]`)
	b.pick(`.channel-severity[data-channel=wechat]`, "Serious")
	b.setNumber(`input[name="serious.first_response"]`, "1.5")
	critical := `.severity-rules[data-severity=critical]`
	levels := b.js(`String(document.querySelectorAll('` + critical + ` .escalation-row').length)`)
	b.click(critical + ` .add-level`)
	row := critical + ` .escalation-row[data-level="` + levels + `"]`
	b.pick(row+` .escalation-role`, "Agents")
	b.pick(row+` .escalation-person`, "agent")
	b.click(`.save-rules`)
	b.waitVisible(`.el-message--success`)
	b.shot("complaint-rules")

	var rules struct {
		Severity  map[string]string
		Deadlines map[string]struct {
			FirstResponse int `json:"first_response_minutes"`
		}
		Escalation map[string][]struct {
			Role   string
			UserID string `json:"user_id"`
		}
	}
	resp := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaint-rules", Token: tn.Admin})
	resp.JSON(t, &rules)
	chain := rules.Escalation["critical"]
	if rules.Severity["wechat"] != "serious" || rules.Deadlines["serious"].FirstResponse != 90 || len(chain) == 0 ||
		chain[len(chain)-1].Role != "agent" || chain[len(chain)-1].UserID != agentID {
		t.Errorf("the rules saved: %+v", rules)
	}

	// Someone else saves first: the page's save is refused and offers the latest rules.
	var raw map[string]any
	resp.JSON(t, &raw)
	raw["severity"].(map[string]any)["email"] = "critical"
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/complaint-rules", Token: tn.Admin, Header: map[string]string{"If-Match": resp.Header.Get("ETag")}, Body: raw})
	b.pick(`.channel-severity[data-channel=phone]`, "Critical")
	b.click(`.save-rules`)
	b.waitVisible(`.complaint-rules .problem-alert .el-button--primary`)
	b.click(`.complaint-rules .problem-alert .el-button--primary`)
	b.waitJS(`document.querySelector('.channel-severity[data-channel=email]').innerText.includes('Critical') && !document.querySelector('.complaint-rules .problem-alert')`)
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaint-rules", Token: tn.Admin}).Map(t)["severity"].(map[string]any)["phone"]; got == "critical" {
		t.Error("the stale save overwrote the rules")
	}
	b.noConsoleProblems("complaint rules")

	b.chinese()
	b.open("/complaint-rules")
	b.waitVisible(`.channel-severity[data-channel=wechat]`)
	b.untranslated("/complaint-rules")
	b.viewport(390, 844, true)
	b.open("/complaint-rules")
	b.waitVisible(`.channel-severity[data-channel=wechat]`)
	b.noSidewaysScroll("/complaint-rules")
	b.shot("phone-complaint-rules")
	b.noConsoleProblems("complaint rules in Chinese")
}

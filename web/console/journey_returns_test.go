package console_test

// Returns and exchanges (三包) carried out through the screens: a 7-day return opened by an
// agent from the unit's service order, reviewed by a manager, received, inspected, refunded
// through stripe-mock and closed; an advance exchange whose new unit ships first against a
// card hold, its warranty restarted on the exchange's day and the old and new serials
// linked on the case page. Both in English, in Chinese and on a phone.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// returnsCatalog gives tn a category and a model under the national 三包 policy.
func returnsCatalog(t *testing.T, env *apitest.Env, tn *apitest.Tenant) string {
	t.Helper()
	u := env.Unique()
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{
		"code": "tv-" + u, "name": "电视"}}).Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": cat, "sku": "TV-" + u, "name": "液晶电视",
		"components": []map[string]any{{"code": "panel", "name": "面板", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: tn.Admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: tn.Admin, Body: map[string]any{
		"name": "三包 " + u, "category_ids": []string{cat}, "effective_from": "2026-01-01", "rules": rules}})
	return model
}

// returnsUnit registers a unit of model bought days ago (invoice and warranty card, as the
// national policy asks) and returns its serial.
func returnsUnit(t *testing.T, env *apitest.Env, tn *apitest.Tenant, model string, days int) string {
	t.Helper()
	u := strings.ToUpper(env.Unique())
	serial := "RT-" + u
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": model, "serial": serial, "purchase_date": time.Now().AddDate(0, 0, -days).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "赵女士", "phone": env.Phone()}}})
	return serial
}

// returnCase reads a case through the API.
type returnCase struct {
	Status string `json:"status"`
	Hold   *struct {
		Kind, Status, Reference string
	} `json:"hold"`
	Lines []struct {
		Serial  string `json:"serial"`
		Outcome string `json:"outcome"`
		Refund  *struct {
			Amount         int64  `json:"amount"`
			StripeRefundID string `json:"stripe_refund_id"`
		} `json:"refund"`
		Exchange *struct {
			RegistrationID string `json:"registration_id"`
			Serial         string `json:"serial"`
			Advance        bool   `json:"advance"`
			WarrantyFrom   string `json:"warranty_from"`
		} `json:"exchange"`
	} `json:"lines"`
}

func getReturn(t *testing.T, env *apitest.Env, token, id string) returnCase {
	t.Helper()
	var c returnCase
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/returns/" + id, Token: token}).JSON(t, &c)
	return c
}

// returnStep opens a step's drawer from its button, saves it with what the drawer offers,
// and waits for the case to reach status (its tag's text).
func (b *browser) returnStep(button, status string) {
	b.t.Helper()
	b.clickOpens(button, `.form-drawer .step-form`)
	b.drawerSubmit()
	b.drawerClosed()
	b.statusIs(status)
}

// statusIs waits for the case page's status tag to read status.
func (b *browser) statusIs(status string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`(document.querySelector('.return-status') || { innerText: '' }).innerText.trim() === %q`, status))
}

// caseID is the id of the case page the browser shows.
func (b *browser) caseID() string {
	b.t.Helper()
	b.waitJS(`/\/console\/returns\/[0-9a-f-]{36}$/.test(location.pathname)`)
	return b.js(`location.pathname.split('/').pop()`)
}

func TestJourneyReturnRefundedWithinSevenDays(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	tn := env.NewTenant()
	model := returnsCatalog(t, env, tn)
	serial := returnsUnit(t, env, tn, model, 3)
	order := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "serial": serial, "fault_description": "开机黑屏",
		"customer": map[string]any{"name": "赵女士", "phone": env.Phone()}, "location": map[string]any{"province_code": "310000"}}}).Map(t)
	orderID := order["order"].(map[string]any)["id"].(string)
	agent, _ := env.Person(tn, "agent", "")
	intent := "pi_" + env.Unique()

	b := newBrowser(t, env.Server.URL)

	// 1. The agent opens the return from the unit's service order: the serial comes along.
	b.signIn(agent)
	b.open("/orders/" + orderID)
	b.clickOpens(`.order-return`, `.return-form`)
	if got := b.js(`document.querySelector('.return-line input[name=serial]').value`); got != serial {
		t.Fatalf("the new case's serial: %q, want %q", got, serial)
	}
	// 3999.00 is off the paid input's step of 100: the browser's own check no longer
	// blocks the form; a platform sale without its payment intent is refused at that field.
	b.setNumber(`.return-line input[name=paid]`, "3999.00")
	b.pick(`.line-payment`, "Paid through the platform")
	b.click(`.submit-return`)
	if got := b.fieldError(`.return-line input[name=payment_intent]`); got == "" {
		t.Fatalf("a platform sale without its payment intent is not refused at its field:\n%s", b.visibleText())
	}
	b.shot("return-new-refused")
	b.typeInto(`.return-line input[name=payment_intent]`, intent)
	b.click(`.submit-return`)
	id := b.caseID()
	b.statusIs("Applied")
	if b.shows(`.step-review`, time.Second) {
		t.Errorf("the agent is offered the manager's review")
	}
	b.shot("return-applied")
	b.noConsoleProblems("apply")

	// 2. The manager approves it.
	b.signIn(tn.AdminEmail)
	b.open("/returns/" + id)
	b.returnStep(`.step-review`, "Approved")
	b.noConsoleProblems("review")

	// 3. The agent marks the unit back, inspects it, refunds what was paid and closes.
	b.signIn(agent)
	b.open("/returns/" + id)
	b.returnStep(`.step-receive`, "Units back")
	b.returnStep(`.step-inspect`, "Inspected")
	b.clickOpens(`.step-refund`, `.form-drawer .refund-amount`)
	if got := b.js(`document.querySelector('.form-drawer .refund-amount input').value`); got != "3999.00" {
		t.Errorf("the refund offers %q, want what was paid (3999.00)", got)
	}
	b.drawerSubmit()
	b.drawerClosed()
	b.statusIs("Resolved")
	if got := b.js(`document.querySelector('.line-outcome').innerText`); !strings.Contains(got, "Refunded") || !strings.Contains(got, "3,999.00") {
		t.Errorf("the line's outcome: %q", got)
	}
	b.shot("return-refunded")
	b.returnStep(`.step-close`, "Closed")
	// The steps speak the user's language: the reason, the inspection and the amount, not codes and cents.
	if got := b.js(`document.querySelector('.return-steps').innerText`); strings.Contains(got, "quality_fault") || strings.Contains(got, "399900") ||
		!strings.Contains(got, "Quality fault") || !strings.Contains(got, "Fault confirmed") || !strings.Contains(got, "3,999.00") {
		t.Errorf("the case's steps:\n%s", got)
	}
	if got := b.js(`document.querySelector('.line-card').innerText`); !strings.Contains(got, "Refund, Exchange and Repair") {
		t.Errorf("the decision's remedies are not labelled: %q", got)
	}
	b.noConsoleProblems("refund and close")
	c := getReturn(t, env, tn.Admin, id)
	if c.Status != "closed" || len(c.Lines) != 1 || c.Lines[0].Refund == nil || c.Lines[0].Refund.Amount != 399900 ||
		!strings.HasPrefix(c.Lines[0].Refund.StripeRefundID, "re_") {
		t.Fatalf("the closed case is not refunded through Stripe: %+v", c)
	}

	// 4. In Chinese, and on a phone.
	b.chinese()
	routes := []string{"/returns/" + id, "/returns", "/returns/new"}
	for _, route := range routes {
		b.open(route)
		b.untranslated(route)
	}
	b.open("/returns/" + id)
	b.statusIs("已关闭")
	b.shot("return-zh")
	b.viewport(390, 844, true)
	for _, route := range routes {
		b.open(route)
		b.noSidewaysScroll(route)
		b.untranslated(route + " on a phone")
	}
	b.open("/returns/new")
	b.shot("phone-return-new")
	b.open("/returns/" + id)
	b.shot("phone-return")
	b.noConsoleProblems("Chinese and phone")
}

func TestJourneyAdvanceExchangeShipsFirstWithTheWarrantyRestarted(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	builtOrSkip(t, j.env)
	env := j.env
	tn := env.NewTenant()
	model := returnsCatalog(t, env, tn)
	serial := returnsUnit(t, env, tn, model, 10) // day 10: exchange, no refund
	newSerial := "NEW-" + strings.ToUpper(env.Unique())
	agent, _ := env.Person(tn, "agent", "")
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, env.Server.URL)

	// 1. The agent opens an advance exchange from the returns list, finding the unit by its
	// serial (looked up even when Create is pressed right after typing it).
	b.signIn(agent)
	b.open("/returns")
	b.clickOpens(`.new-return`, `.return-form`)
	b.pick(`.line-remedy`, "Advance exchange")
	b.setNumber(`.return-line input[name=paid]`, "2599.00")
	b.typeInto(`.return-line input[name=serial]`, serial)
	b.click(`.submit-return`)
	id := b.caseID()
	b.statusIs("Applied")
	b.noConsoleProblems("apply")

	// 2. The manager approves it: the new unit ships now against a card hold (stripe-mock).
	b.signIn(tn.AdminEmail)
	b.open("/returns/" + id)
	b.clickOpens(`.step-review`, `.form-drawer input[name=replacement_serial]`)
	if got := b.js(`document.querySelector('.form-drawer .hold-amount input').value`); got != "2599.00" {
		t.Errorf("the hold offers %q, want what was paid (2599.00)", got)
	}
	b.typeInto(`.form-drawer input[name=replacement_serial]`, newSerial)
	b.drawerSubmit()
	b.drawerClosed()
	b.statusIs("Approved")
	day := time.Now().In(shanghai) // the tenant's day (Asia/Shanghai) when the exchange was made
	b.waitVisible(`.line-exchange`)
	link := b.js(`document.querySelector('.line-exchange').innerText`)
	if !strings.Contains(link, serial) || !strings.Contains(link, newSerial) || !strings.Contains(link, "Shipped first") {
		t.Errorf("the case does not link the old and new serials: %q", link)
	}
	if want := "warranty from " + day.Format("2 Jan 2006"); !strings.Contains(link, want) {
		t.Errorf("the new unit's warranty: %q, want %q", link, want)
	}
	if got := b.js(`document.querySelector('.hold').innerText`); !strings.Contains(got, "Card hold") || !strings.Contains(got, "Held") {
		t.Errorf("the hold: %q", got)
	}
	b.shot("return-advance-shipped")
	c := getReturn(t, env, tn.Admin, id)
	if c.Hold == nil || !strings.HasPrefix(c.Hold.Reference, "pi_") || len(c.Lines) != 1 || c.Lines[0].Exchange == nil ||
		!c.Lines[0].Exchange.Advance || c.Lines[0].Exchange.WarrantyFrom != day.Format(time.DateOnly) {
		t.Fatalf("the approved advance exchange: %+v", c)
	}
	var regs struct {
		Items []struct {
			ID           string `json:"id"`
			PurchaseDate string `json:"purchase_date"`
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/registrations?serial=" + newSerial, Token: tn.Admin}).JSON(t, &regs)
	if len(regs.Items) != 1 || regs.Items[0].ID != c.Lines[0].Exchange.RegistrationID || regs.Items[0].PurchaseDate != day.Format(time.DateOnly) {
		t.Fatalf("the new unit's registration (warranty from %s): %+v", day.Format(time.DateOnly), regs.Items)
	}
	b.noConsoleProblems("review")

	// 3. The old unit comes back: the hold is released; inspected, the case is resolved and closed.
	b.signIn(agent)
	b.open("/returns/" + id)
	b.returnStep(`.step-receive`, "Units back")
	if got := b.js(`document.querySelector('.hold').innerText`); !strings.Contains(got, "Released") {
		t.Errorf("the hold once the old unit is back: %q", got)
	}
	b.returnStep(`.step-inspect`, "Resolved")
	b.returnStep(`.step-close`, "Closed")
	b.noConsoleProblems("receive and close")

	// 4. In Chinese, and on a phone: the link and the restarted warranty stay on the case.
	b.chinese()
	b.open("/returns/" + id)
	b.statusIs("已关闭")
	if got := b.js(`document.querySelector('.line-exchange').innerText`); !strings.Contains(got, newSerial) || !strings.Contains(got, "重新计算") {
		t.Errorf("the link in Chinese: %q", got)
	}
	b.untranslated("the advance exchange")
	b.shot("return-advance-zh")
	b.viewport(390, 844, true)
	b.open("/returns/" + id)
	b.waitVisible(`.line-exchange`)
	b.noSidewaysScroll("the advance exchange")
	b.untranslated("the advance exchange on a phone")
	b.shot("phone-return-advance")
	b.noConsoleProblems("Chinese and phone")
}

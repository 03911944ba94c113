package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestJourneyEngineerQuotesFromThePhoneSeesTheMonthAndSignsOutADevice: on a 390x844 phone an
// engineer builds a quote on the job page (a catalogue part at its consumer price and labour)
// and sends it while the network is down: the app says it waits, and once the network is
// back the quote reaches the order once. Then, in Chinese, My month, and the devices page,
// where the engineer signs another device out: its token is refused from then on.
func TestJourneyEngineerQuotesFromThePhoneSeesTheMonthAndSignsOutADevice(t *testing.T) {
	chromiumPath(t)
	j := newJourney(t)
	env := j.env
	builtOrSkip(t, env)
	adm := j.admin
	u := env.Unique()
	tn := &apitest.Tenant{ID: j.tenantID}
	engEmail, otherDevice := env.Person(tn, "engineer", j.outletID)
	engID := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: otherDevice}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + engID, Token: adm, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": j.outletID, "skills": []string{}, "level": 2, "active": true, "is_default": true}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: adm, Body: map[string]any{
		"part_no": "CAP-" + u, "name_zh": "启动电容", "name_en": "Start capacitor", "unit_cost": 1000, "outlet_price": 1500, "consumer_price": 4500}})
	o := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: adm, Body: map[string]any{
		"type": "repair_minor", "channel": "on_site", "outlet_id": j.outletID, "fault_description": "空调不制冷", "designated_engineer_id": engID,
		"customer": map[string]any{"name": "王先生", "phone": env.Phone()},
		"location": map[string]any{"province_code": "310000", "address": "上海市浦东新区世纪大道100号"}}}).Map(t)["order"].(map[string]any)
	orderID := o["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: adm, Body: map[string]any{"to": "accepted"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/engineers", Token: adm, Body: map[string]any{"role": "lead"}})
	quotes := func() []map[string]any {
		var q struct {
			Items []map[string]any `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/quotes", Token: adm}).JSON(t, &q)
		return q.Items
	}

	b := newBrowser(t, env.Server.URL)
	b.viewport(390, 844, true)
	b.do(chromedp.Navigate(env.Server.URL + "/field/login"))
	b.waitJS(`document.body.innerText.includes('Engineer sign-in')`)
	b.typeInto(`input[name=email]`, engEmail)
	b.typeInto(`input[name=password]`, apitest.Password)
	b.click(`.login-submit`)
	card := fmt.Sprintf(`.job-card[data-order=%q]`, orderID)
	b.waitVisible(card)

	// 1. The job page's quote: a part found by its number at its consumer price, and labour.
	b.do(chromedp.Navigate(env.Server.URL + "/field/jobs/" + orderID))
	b.click(`.job-accept`) // quotes are for jobs the engineer has taken, once the visit is booked
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var es struct {
			Items []struct{ State string } `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + orderID + "/engineers", Token: adm}).JSON(t, &es)
		if len(es.Items) == 1 && es.Items[0].State == "accepted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job was not taken from the phone: %+v", es)
		}
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/transitions", Token: adm, Body: map[string]any{"to": "scheduled"}})
	b.do(chromedp.Navigate(env.Server.URL + "/field/jobs/" + orderID))
	b.waitVisible(`input[name=quote-part-query]`)
	b.typeInto(`input[name=quote-part-query]`, "CAP-"+u)
	b.waitVisible(`.quote-found`)
	b.click(`.quote-found`)
	b.waitVisible(`.quote-line[data-kind=part]`)
	// (by script: at the screen's foot the button may lie under the job's action bar)
	b.js(`(() => { document.querySelector('.quote-add-labour').click(); return '' })()`)
	b.waitVisible(`.quote-line[data-kind=labour]`)
	b.typeInto(`.quote-line[data-kind=labour] input[name$=description]`, "更换启动电容")
	b.typeInto(`.quote-line[data-kind=labour] input[name$=price]`, "80")
	b.waitJS(`document.querySelector('.quote-sum').innerText.includes('125.00')`)
	b.bigTargets("the quote on the job page")
	b.shot("field-quote-en")

	// 2. Sent while the network is down: it waits on the phone, then reaches the order once.
	b.offline(true)
	b.js(`(() => { document.querySelector('.quote-send').click(); return '' })()`)
	b.waitVisible(`.outbox-count`)
	time.Sleep(500 * time.Millisecond)
	if n := len(quotes()); n != 0 {
		t.Fatalf("a quote sent offline reached the order before the network was back: %d", n)
	}
	b.offline(false)
	for deadline := time.Now().Add(20 * time.Second); len(quotes()) == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the quote sent offline never reached the order:\n%s", b.visibleText())
		}
	}
	b.waitJS(`!document.querySelector('.outbox-count')`)
	time.Sleep(time.Second)
	q := quotes()
	if len(q) != 1 || fmt.Sprint(q[0]["total_charged"]) != "12500" || q[0]["status"] != "sent" {
		t.Fatalf("the order's quotes after the network came back: %v", q)
	}
	b.waitJS(`!!document.querySelector('.quote-state[data-status=sent]')`)
	b.noConsoleProblems("the quote")

	// 3. In Chinese: My month, then the devices; the other device is signed out.
	b.do(chromedp.Navigate(env.Server.URL + "/field/"))
	b.waitVisible(`.lang-switch`)
	b.click(`.lang-switch`)
	b.waitJS(`document.documentElement.lang === 'zh-CN'`)
	b.do(chromedp.Navigate(env.Server.URL + "/field/jobs/" + orderID))
	b.waitVisible(`.quote-state[data-status=sent]`)
	b.untranslated("the quote on the job page")
	b.do(chromedp.Navigate(env.Server.URL + "/field/"))
	b.clickOpens(`.day-month`, `.my-month .month-head`)
	b.untranslated("my month")
	b.bigTargets("my month")
	b.shot("field-month")
	b.do(chromedp.Navigate(env.Server.URL + "/field/devices"))
	b.waitJS(`document.querySelectorAll('.my-devices .device').length === 2 && !!document.querySelector('.device[data-current=true] .device-this')`)
	b.untranslated("devices")
	b.bigTargets("devices")
	b.shot("field-devices")
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: otherDevice})
	b.click(`.device[data-current=false] .device-sign-out`)
	b.waitJS(`document.querySelectorAll('.my-devices .device').length === 1`)
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: otherDevice})
	if !strings.Contains(b.visibleText(), "本机") && b.js(`String(!!document.querySelector('.device-this'))`) != "true" {
		t.Errorf("this device is not marked after signing the other out")
	}
	b.noConsoleProblems("devices")
}

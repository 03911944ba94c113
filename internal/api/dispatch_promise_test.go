package api_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestDispatchServesPaidPromisesFirst: an order whose customer paid for express service
// (the 6-hour on-site upgrade) leads the dispatch queue although it is the oldest, its outlet
// proposal puts the outlet with room today before the more specific but busier one, and its
// engineer proposal puts the nearest engineer before the outlet's default; every ranking
// names the promise. An order nobody paid for keeps the ordinary ranking.
func TestDispatchServesPaidPromisesFirst(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := billingWorker(t, env)
	w := newOrderWorld(t, env)
	adm := w.tn.Admin
	busy, free := w.tn.Outlets[0], w.tn.Outlets[1]
	// The busy outlet covers the district (more specific); the free one only the province.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + busy + "/coverage", Token: adm, Body: map[string]any{"region_code": "310115"}})
	eng := map[string]string{}
	for _, name := range []string{"default", "near"} {
		_, tok := env.Person(w.tn, "engineer", busy)
		uid := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok}).Map(t)["id"])
		eng[name] = uid
		env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + uid, Token: adm, Header: map[string]string{"If-Match": `"0"`},
			Body: map[string]any{"outlet_id": busy, "skills": []string{}, "level": 2, "active": true, "is_default": name == "default"}})
		if name == "near" {
			env.Must(204, apitest.Req{Method: "POST", Path: "/v1/me/position", Token: tok, Body: map[string]any{"latitude": 31.221, "longitude": 121.541}})
		}
	}
	loc := map[string]any{"province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号", "latitude": 31.22, "longitude": 121.54}
	take := func() string {
		o := w.order(t, map[string]any{"channel": "on_site", "type": "inspection", "location": loc})["order"].(map[string]any)
		if o["outlet_id"] != busy {
			t.Fatalf("intake should pick the district's outlet: %v", o["outlet_id"])
		}
		return str(o["id"])
	}
	paid, plain, newest := take(), take(), take()

	onsite := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: adm, Body: map[string]any{
		"code": "onsite-6h", "name": "6-hour on-site", "kind": "per_incident", "targets": map[string]any{"arrival": map[string]any{"minutes": 360, "clock": "clock"}},
		"prices": []map[string]any{{"currency": "CNY", "unit_amount": 9900}}}}).Map(t)["id"]
	p := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: adm, Body: map[string]any{
		"product_id": onsite, "outlet_id": busy, "order_id": paid}}).Map(t)["purchase"].(map[string]any)
	pid, pi := str(p["id"]), str(p["stripe_payment_intent_id"])
	if r := postWebhook(env, stripeEvent("evt_dispatch_"+pid[:8], "payment_intent.succeeded", map[string]any{"id": pi, "object": "payment_intent",
		"amount": 9900, "amount_received": 9900, "currency": "cny", "status": "succeeded", "latest_charge": "ch_" + pi[3:],
		"metadata": map[string]string{"tenant_id": w.tn.ID, "purchase_id": pid}}), apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("payment webhook: %d %s", r.Status, r.Body)
	}
	settle()
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/purchases/" + pid, Token: adm}).Map(t)["status"]; got != "active" {
		t.Fatalf("purchase after payment: %v", got)
	}
	const reason = "paid express promise: 6-hour on-site"

	// The dispatch queue: the paid order first, with why; then the rest, newest first.
	queue := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true&limit=10", Token: adm}).Map(t)["items"].([]any)
	var ids []string
	for _, o := range queue {
		ids = append(ids, str(o.(map[string]any)["id"]))
	}
	if !slices.Equal(ids, []string{paid, newest, plain}) {
		t.Fatalf("dispatch queue %v, want the paid order %s first, then %s, %s", ids, paid, newest, plain)
	}
	if pr := queue[0].(map[string]any)["paid_promises"]; str(pr) != "["+reason+"]" {
		t.Errorf("the paid order's promises: %v", pr)
	}
	if pr, ok := queue[1].(map[string]any)["paid_promises"]; ok {
		t.Errorf("an order nobody paid for lists promises: %v", pr)
	}
	// The general list is newest first and does not spend a read on promises.
	for _, o := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?limit=10", Token: adm}).Map(t)["items"].([]any) {
		if pr, ok := o.(map[string]any)["paid_promises"]; ok {
			t.Errorf("the general list names promises: %v", pr)
		}
	}
	// The ranked queue is not paged by id: a cursor with it names the field.
	cur := base64.RawURLEncoding.EncodeToString(func() []byte { u := uuid.MustParse(plain); return u[:] }())
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true&limit=1&cursor=" + cur, Token: adm}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "query.cursor") {
		t.Errorf("a cursor on the ranked queue: %d %s", r.Status, r.Body)
	}
	if next := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?undispatched=true&limit=1", Token: adm}).Map(t)["next_cursor"]; next != nil && next != "" {
		t.Errorf("the ranked queue offers a cursor: %v", next)
	}

	outlets := func(order string) []map[string]any {
		var out []map[string]any
		for _, c := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/outlet-proposals", Token: adm}).Map(t)["items"].([]any) {
			out = append(out, c.(map[string]any))
		}
		return out
	}
	if o := outlets(plain); len(o) != 2 || o[0]["outlet_id"] != busy || strings.Contains(str(o[0]["reasons"]), "paid") {
		t.Errorf("outlets for the plain order: %v, want the district's outlet first", o)
	}
	if o := outlets(paid); len(o) != 2 || o[0]["outlet_id"] != free || !strings.Contains(str(o[0]["reasons"]), reason) {
		t.Errorf("outlets for the paid order: %v, want the outlet with room today first, naming the promise", o)
	}

	engineers := func(order string) []map[string]any {
		var out []map[string]any
		for _, c := range env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/engineer-proposals", Token: adm}).Map(t)["items"].([]any) {
			out = append(out, c.(map[string]any))
		}
		return out
	}
	if e := engineers(plain); len(e) != 2 || e[0]["user_id"] != eng["default"] || e[0]["rule"] != "outlet_default" {
		t.Errorf("engineers for the plain order: %v, want the outlet's default first", e)
	}
	if e := engineers(paid); len(e) != 2 || e[0]["user_id"] != eng["near"] || e[0]["rule"] != "nearest" || !strings.Contains(str(e[0]["reasons"]), reason) {
		t.Errorf("engineers for the paid order: %v, want the nearest first, naming the promise", e)
	}
}

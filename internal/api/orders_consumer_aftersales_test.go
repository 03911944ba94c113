package api_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// asWorld is a consumer with a unit bought days ago (registered by staff) and an order on
// it taken in by staff; with exclusion, the order is completed with that exclusion found.
type asWorld struct {
	w                   *ciWorld
	phone, token, cust  string
	unit, order, serial string
	evidence            string // staff's evidence attachment of the order (with an exclusion)
}

func asMake(t *testing.T, env *apitest.Env, w *ciWorld, phone, customer string, days int, exclusion string) *asWorld {
	t.Helper()
	tn := w.tn
	u := strings.ToUpper(env.Unique())
	a := &asWorld{w: w, phone: phone, cust: customer, serial: "AS-SN-" + u}
	if a.cust == "" {
		a.cust = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
			"name": "Customer " + u, "phone": phone, "province_code": "310000", "city_code": "310100", "district_code": "310115",
			"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	}
	a.unit = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": w.model, "serial": a.serial, "purchase_date": time.Now().AddDate(0, 0, -days).Format(time.DateOnly),
		"invoice_no": "INV-" + u, "has_warranty_card": true, "buyer": map[string]any{"customer_id": a.cust}}}).Map(t)["id"].(string)
	a.order = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": a.cust, "registration_id": a.unit,
		"fault_description": "noisy"}}).Map(t)["order"].(map[string]any)["id"].(string)
	if exclusion != "" {
		a.evidence = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + a.order + "/attachments?kind=evidence", Token: tn.Admin,
			Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}}).Map(t)["id"].(string)
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + a.order + "/transitions", Token: tn.Admin, Body: map[string]any{"to": "repairing"}})
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + a.order + "/completion", Token: tn.Admin, Body: map[string]any{
			"diagnosis": "dropped", "work_done": "inspected", "result": "not_fixed", "exclusion": exclusion, "evidence_ids": []string{a.evidence}}})
	}
	return a
}

func (a *asWorld) path(p string) string { return "/v1/consumer/tenants/" + a.w.tn.Slug + p }

// TestConsumerPhotosDisputeAndReturn: a consumer uploads photos to their own order (an
// image, its type sniffed: text is a problem naming the body, more than 5 MiB is a 413),
// which staff see on the order; another consumer, or the same consumer through another
// tenant, gets 404 for the order. The consumer disputes the misuse decision with their
// photo (staff's evidence is not theirs to name: 422 at the photo), staff see the photos on
// the dispute; they ask for a return where the decision allows it (a second case for the
// unit, another's order and a remedy the decision refuses are 422s naming the field), staff
// approve, and the consumer sees the case move.
func TestConsumerPhotosDisputeAndReturn(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := ciNewWorld(t, env, env.NewTenant())
	a := asMake(t, env, w, env.Phone(), "", 2, "misuse")
	a.token = consumerLogin(t, env, a.phone)
	png := map[string]string{"Content-Type": "image/png"}

	// Photos.
	photo := env.Must(201, apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/attachments"), Token: a.token,
		Body: isoPNG, Header: png}).Map(t)
	if photo["by_customer"] != true || photo["kind"] != "photo" || photo["content_type"] != "image/png" {
		t.Fatalf("the consumer's photo: %v", photo)
	}
	pid := photo["id"].(string)
	r := env.Do(apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/attachments"), Token: a.token,
		Body: []byte("just some text, not a photo"), Header: map[string]string{"Content-Type": "image/jpeg"}})
	if r.Status != 422 || !problemAt(t, r, "body") {
		t.Fatalf("text as a photo: %d %s", r.Status, r.Body)
	}
	big := append(bytes.Clone(isoPNG), make([]byte, 5<<20)...)
	env.Must(413, apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/attachments"), Token: a.token, Body: big, Header: png})
	staff := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + a.order + "/attachments", Token: w.tn.Admin}))
	if !slices.ContainsFunc(staff, func(m map[string]any) bool { return m["id"] == pid && m["by_customer"] == true }) || len(staff) != 2 {
		t.Fatalf("staff see the order's attachments: %v", staff)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/attachments/" + pid, Token: w.tn.Admin}); !bytes.Equal(got.Body, isoPNG) {
		t.Fatalf("staff download the photo: %d bytes", len(got.Body))
	}

	// Another consumer of the tenant, and a consumer of another tenant, find no such order.
	other := asMake(t, env, w, env.Phone(), "", 2, "")
	other.token = consumerLogin(t, env, other.phone)
	env.Must(404, apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/attachments"), Token: other.token, Body: isoPNG, Header: png})
	env.Must(404, apitest.Req{Method: "GET", Path: a.path("/orders/" + a.order + "/after-sales"), Token: other.token})
	w2 := ciNewWorld(t, env, env.NewTenant())
	far := asMake(t, env, w2, a.phone, "", 2, "") // the same person, a customer of the other tenant too
	env.Must(404, apitest.Req{Method: "POST", Path: far.path("/orders/" + a.order + "/attachments"), Token: a.token, Body: isoPNG, Header: png})
	env.Must(404, apitest.Req{Method: "GET", Path: far.path("/orders/" + a.order + "/after-sales"), Token: a.token})
	env.Must(201, apitest.Req{Method: "POST", Path: far.path("/orders/" + far.order + "/attachments"), Token: a.token, Body: isoPNG, Header: png})

	// What the consumer may do: dispute the misuse; return or exchange (bought 2 days ago).
	opts := env.Must(200, apitest.Req{Method: "GET", Path: a.path("/orders/" + a.order + "/after-sales"), Token: a.token}).Map(t)
	if opts["exclusion"] != "misuse" || opts["may_dispute"] != true || strings.Join(asStrings(opts["return_kinds"]), ",") != "return,exchange" {
		t.Fatalf("after-sales options: %v", opts)
	}

	// The dispute with photos: staff's evidence is not the consumer's.
	r = env.Do(apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/disputes"), Token: a.token,
		Body: map[string]any{"statement": "it was never dropped", "attachment_ids": []string{pid, a.evidence}}})
	if r.Status != 422 || !problemAt(t, r, "body.attachment_ids[1]") {
		t.Fatalf("a dispute naming staff's evidence: %d %s", r.Status, r.Body)
	}
	d := env.Must(201, apitest.Req{Method: "POST", Path: a.path("/orders/" + a.order + "/disputes"), Token: a.token,
		Body: map[string]any{"statement": "it was never dropped", "attachment_ids": []string{pid}}}).Map(t)
	if ids := asStrings(d["attachment_ids"]); len(ids) != 1 || ids[0] != pid {
		t.Fatalf("the dispute's photos: %v", d)
	}
	disputes := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + a.order + "/disputes", Token: w.tn.Admin}))
	if len(disputes) != 1 || strings.Join(asStrings(disputes[0]["attachment_ids"]), ",") != pid {
		t.Fatalf("staff see the dispute's photos: %v", disputes)
	}
	if opts := env.Must(200, apitest.Req{Method: "GET", Path: a.path("/orders/" + a.order + "/after-sales"), Token: a.token}).Map(t); opts["may_dispute"] != false {
		t.Fatalf("a dispute is open: %v", opts)
	}

	// A return: another consumer's order is not theirs to name; the photo must be of the order.
	ask := func(order string, photos ...string) map[string]any {
		return map[string]any{"order_id": order, "kind": "return", "reason": "quality_fault", "description": "stopped cooling",
			"attachment_ids": photos}
	}
	r = env.Do(apitest.Req{Method: "POST", Path: a.path("/returns"), Token: other.token, Body: ask(a.order)})
	if r.Status != 422 || !problemAt(t, r, "body.order_id") {
		t.Fatalf("a return of another's order: %d %s", r.Status, r.Body)
	}
	r = env.Do(apitest.Req{Method: "POST", Path: a.path("/returns"), Token: a.token, Body: ask(a.order, a.evidence)})
	if r.Status != 422 || !problemAt(t, r, "body.attachment_ids[0]") {
		t.Fatalf("a return naming staff's evidence: %d %s", r.Status, r.Body)
	}
	c := env.Must(201, apitest.Req{Method: "POST", Path: a.path("/returns"), Token: a.token, Body: ask(a.order, pid)}).Map(t)
	id := c["id"].(string)
	if c["status"] != "applied" || c["photos"] != float64(1) || c["lines"].([]any)[0].(map[string]any)["remedy"] != "refund" {
		t.Fatalf("the consumer's case: %v", c)
	}
	r = env.Do(apitest.Req{Method: "POST", Path: a.path("/returns"), Token: a.token, Body: ask(a.order)})
	if r.Status != 422 || !problemAt(t, r, "body.order_id") || !strings.Contains(string(r.Body), "open case") {
		t.Fatalf("a second case for the unit: %d %s", r.Status, r.Body)
	}
	env.Must(404, apitest.Req{Method: "GET", Path: a.path("/returns/" + id), Token: other.token})
	env.Must(404, apitest.Req{Method: "GET", Path: far.path("/returns/" + id), Token: a.token})

	// Staff see the case with its photos and approve it; the consumer sees it move.
	sc := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/returns/" + id, Token: w.tn.Admin}).Map(t)
	if strings.Join(asStrings(sc["attachment_ids"]), ",") != pid || sc["description"] != "stopped cooling" {
		t.Fatalf("staff's view of the case: %v", sc)
	}
	// The consumer's request records nothing paid: staff confirm the amount from the receipt
	// when they approve, so that the refund can be made; a line the case lacks is refused.
	r = env.Do(apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/review", Token: w.tn.Admin,
		Body: map[string]any{"decision": "approve", "paid": []map[string]any{{"line": 2, "paid": 399900}}}})
	if r.Status != 422 || !problemAt(t, r, "body.paid[0].line") {
		t.Fatalf("paid for a line the case lacks: %d %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/returns/" + id + "/review", Token: w.tn.Admin,
		Body: map[string]any{"decision": "approve", "paid": []map[string]any{{"line": 1, "paid": 399900}}}})
	sc = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/returns/" + id, Token: w.tn.Admin}).Map(t)
	if got := sc["lines"].([]any)[0].(map[string]any)["paid"]; got != float64(399900) {
		t.Fatalf("the paid amount confirmed at approval: %v", got)
	}
	mine := env.Must(200, apitest.Req{Method: "GET", Path: a.path("/returns/" + id), Token: a.token}).Map(t)
	steps := mine["steps"].([]any)
	if mine["status"] != "approved" || steps[len(steps)-1].(map[string]any)["kind"] != "return.approved" {
		t.Fatalf("the consumer's case after approval: %v", mine)
	}

	// A unit bought 60 days ago: repair only; a return is refused at kind, in words.
	old := asMake(t, env, w, a.phone, a.cust, 60, "")
	r = env.Do(apitest.Req{Method: "POST", Path: a.path("/returns"), Token: a.token, Body: ask(old.order)})
	if r.Status != 422 || !problemAt(t, r, "body.kind") || !strings.Contains(string(r.Body), "allows") {
		t.Fatalf("a return the decision does not allow: %d %s", r.Status, r.Body)
	}
	if opts := env.Must(200, apitest.Req{Method: "GET", Path: a.path("/orders/" + old.order + "/after-sales"), Token: a.token}).Map(t); len(asStrings(opts["return_kinds"])) != 0 {
		t.Fatalf("nothing to ask for on day 60: %v", opts)
	}
}

func asStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

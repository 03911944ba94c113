package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// Declining a quote takes the customer's reason, by every channel: without one the answer is
// refused naming body.reason (and a link's code is not spent); with one it is kept on the
// quote and written on the order's timeline.
func TestQuoteDeclineNeedsAReason(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	newOrder := func() string {
		return str(w.order(t, map[string]any{"component": "compressor"})["order"].(map[string]any)["id"])
	}
	quote := func(orderID string) (id, token string) {
		q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/quotes", Token: w.tn.Admin, Body: map[string]any{
			"lines": []map[string]any{{"kind": "shipping", "description": "Courier", "quantity": 1, "unit_price": 8000}}}}).Map(t)
		url := str(q["approval_url"])
		return str(q["id"]), url[strings.LastIndex(url, "/")+1:]
	}
	needsReason := func(r *apitest.Response, what string) {
		t.Helper()
		if r.Status != 422 || !strings.Contains(string(r.Body), `"body.reason"`) || !strings.Contains(string(r.Body), "reason for declining") {
			t.Fatalf("%s without a reason: %d %s, want 422 naming body.reason", what, r.Status, r.Body)
		}
	}

	// Staff taking the answer by phone.
	order := newOrder()
	q1, _ := quote(order)
	needsReason(env.Do(apitest.Req{Method: "POST", Path: "/v1/quotes/" + q1 + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"approve": false, "reason": "   "}}), "staff decline")
	d := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/quotes/" + q1 + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"approve": false, "reason": "Too expensive for an old unit"}}).Map(t)
	if d["status"] != "declined" || d["decided_reason"] != "Too expensive for an old unit" {
		t.Fatalf("staff decline: %v", d)
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/quotes/" + q1, Token: w.tn.Admin}).Map(t)
	if got["decided_reason"] != "Too expensive for an old unit" {
		t.Fatalf("the quote does not keep the reason: %v", got)
	}
	tl := string(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + order + "/timeline", Token: w.tn.Admin}).Body)
	if !strings.Contains(tl, "quote declined via staff: Too expensive for an old unit") {
		t.Fatalf("timeline lacks the reason: %s", tl)
	}

	// The link: the refused answer leaves the code usable.
	q2, token := quote(newOrder())
	env.Must(204, apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/code"})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(w.phone))
	needsReason(env.Do(apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/decision",
		Body: map[string]any{"code": code, "approve": false}}), "link decline")
	d = env.Must(200, apitest.Req{Method: "POST", Path: "/v1/public/quotes/" + token + "/decision",
		Body: map[string]any{"code": code, "approve": false, "reason": "I will buy a new one"}}).Map(t)
	if d["status"] != "declined" || d["decided_reason"] != "I will buy a new one" || d["decided_channel"] != "link" {
		t.Fatalf("link decline: %v", d)
	}
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/quotes/" + q2, Token: w.tn.Admin}).Map(t); got["decided_reason"] != "I will buy a new one" {
		t.Fatalf("staff do not see the link's reason: %v", got)
	}

	// The portal, signed in.
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": w.phone}})
	otp := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(w.phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": w.phone, "code": otp}}).JSON(t, &sess)
	mine := newOrder()
	q3, _ := quote(mine)
	path := "/v1/consumer/tenants/" + w.tn.Slug + "/orders/" + mine + "/quotes/" + q3 + "/decision"
	needsReason(env.Do(apitest.Req{Method: "POST", Path: path, Token: sess.Token, Body: map[string]any{"approve": false}}), "portal decline")
	d = env.Must(200, apitest.Req{Method: "POST", Path: path, Token: sess.Token, Body: map[string]any{"approve": false, "reason": "Not now"}}).Map(t)
	if d["decided_reason"] != "Not now" || d["decided_channel"] != "portal" {
		t.Fatalf("portal decline: %v", d)
	}
	// Approving needs no reason, and keeps none.
	q4, _ := quote(newOrder())
	d = env.Must(200, apitest.Req{Method: "POST", Path: "/v1/quotes/" + q4 + "/decision", Token: w.tn.Admin,
		Body: map[string]any{"approve": true, "reason": "ignored"}}).Map(t)
	if d["status"] != "approved" || d["decided_reason"] != nil {
		t.Fatalf("approval: %v", d)
	}
}

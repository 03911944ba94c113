package api_test

// Faults found by attacking the product, each held by a test at the contract.

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
)

// TestPublicCoverageLimitsTheSerialAsLookedUp: the per-serial limit of the public check
// counts every spelling of a serial that finds the same unit (spaces around or inside it,
// full-width characters, a zero-width space), so a fresh IP cannot go on asking about a
// serial whose limit is spent by writing it differently.
func TestPublicCoverageLimitsTheSerialAsLookedUp(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) { c.RatePublicPerMinute = 3 }})
	f := newWarrantyFixture(t, env)
	phone := env.Phone()
	serial := "SNNORM" + fmt.Sprint(len(phone)) + "0001"
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": serial, "purchase_date": daysAgo(20), "buyer": map[string]any{"name": "李雷", "phone": phone}}})
	check := func(from, s string) int {
		return env.Do(apitest.Req{From: from, Method: "GET", Path: "/v1/public/tenants/" + f.tn.Slug + "/coverage?serial=" +
			url.QueryEscape(s) + "&phone_last4=" + phone[len(phone)-4:]}).Status
	}
	for i := range 3 {
		if st := check("127.0.0.2", serial); st != 200 {
			t.Fatalf("check %d: %d, want 200", i+1, st)
		}
	}
	if st := check("127.0.0.2", serial); st != 429 {
		t.Fatalf("fourth check of the serial: %d, want 429", st)
	}
	// Other spellings of the same serial, each from a fresh client address.
	fullWidth := ""
	for _, r := range serial {
		fullWidth += string(r - 0x21 + 0xFF01) // ASCII ! .. ~ to full width
	}
	for i, s := range []string{" " + serial, serial + "\t", serial[:4] + " " + serial[4:], fullWidth, "\u200b" + serial} {
		from := fmt.Sprintf("127.0.0.%d", 10+i)
		if st := check(from, s); st != 429 {
			t.Errorf("serial spelled %q from %s: %d, want 429 (the serial's limit is spent)", s, from, st)
		}
		// The address is fresh: another serial is answered.
		if st := check(from, fmt.Sprintf("SNOTHER%04d", i)); st != 404 {
			t.Errorf("another serial from %s: %d, want 404", from, st)
		}
	}
	// A unit registered with a spaced, full-width serial is the same unit: no second registration.
	dup := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": " " + fullWidth + " ", "purchase_date": daysAgo(20)}})
	if dup.Status != 409 {
		t.Fatalf("registering %q again: %d %s, want 409", fullWidth, dup.Status, dup.Body)
	}
}

// TestWebhookEndpointsRefuseReservedAddresses: an endpoint cannot be registered, or moved,
// to an address deliveries may not reach (NAT64 and 6to4 forms of the metadata address,
// reserved and special-purpose ranges), nor to a name that resolves to one.
func TestWebhookEndpointsRefuseReservedAddresses(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	ok := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "https://93.184.215.14/hooks", "events": []string{"*"}}}).Map(t)
	for _, u := range []string{
		"http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "http://[2002:a9fe:a9fe::1]/", "http://[::a9fe:a9fe]/",
		"http://[::ffff:169.254.169.254]/", "http://240.0.0.1/", "http://198.18.0.1/", "http://192.0.0.170/",
		"http://0.0.0.0:8080/", "http://169.254.169.254/latest/meta-data", "http://localhost:9000/hook",
	} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
			"url": u, "events": []string{"*"}}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"location":"body.url"`) {
			t.Errorf("POST endpoint at %s: %d %s, want 422 naming body.url", u, r.Status, r.Body)
		}
		r = env.Do(apitest.Req{Method: "PUT", Path: "/v1/webhook-endpoints/" + ok["id"].(string), Token: tn.Admin,
			Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"url": u, "events": []string{"*"}}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"location":"body.url"`) {
			t.Errorf("PUT endpoint to %s: %d %s, want 422 naming body.url", u, r.Status, r.Body)
		}
	}
}

// TestNullArraysAreRefusedByName: a required array sent as null is a 422 naming it (it was
// a 500 from a NOT NULL column); an optional one sent as null is the same as leaving it out.
func TestNullArraysAreRefusedByName(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	ep := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "https://hooks.example.com/a", "events": []string{"*"}}}).Map(t)
	settings := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/order-settings", Token: tn.Admin}).Map(t)
	delete(settings, "version")
	sla := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/sla/settings", Token: tn.Admin})
	slaBody := sla.Map(t)
	delete(slaBody, "version")
	ifm := func(v string) map[string]string { return map[string]string{"If-Match": v} }
	for _, c := range []struct {
		method, path string
		body         map[string]any
		header       map[string]string
		null         string // the field sent as null
	}{
		{"POST", "/v1/webhook-endpoints", map[string]any{"url": "https://hooks.example.com/b"}, nil, "events"},
		{"PUT", "/v1/webhook-endpoints/" + ep["id"].(string), map[string]any{"url": "https://hooks.example.com/b"}, ifm(`"1"`), "events"},
		{"PUT", "/v1/order-settings", settings, ifm(`"0"`), "engineer_rules"},
		{"PUT", "/v1/sla/settings", slaBody, ifm(sla.Header.Get("ETag")), "pause_statuses"},
	} {
		body := map[string]any{c.null: nil}
		for k, v := range c.body {
			if k != c.null {
				body[k] = v
			}
		}
		r := env.Do(apitest.Req{Method: c.method, Path: c.path, Token: tn.Admin, Body: body, Header: c.header})
		badCheck(t, badCase{name: c.null + " null", method: c.method, path: c.path, want: 422, loc: "body." + c.null}, r)
	}
	// An optional array sent as null is left out.
	key := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin, Body: map[string]any{
		"name": "erp", "role": "agent", "scopes": nil}}).Map(t)
	if s, ok := key["scopes"].([]any); key["scopes"] != nil && (!ok || len(s) != 0) {
		t.Errorf("api key with scopes null: %v", key["scopes"])
	}
	// Nothing changed.
	if got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + ep["id"].(string), Token: tn.Admin}).Map(t); got["version"] != ep["version"] {
		t.Errorf("endpoint changed: %v", got)
	}
}

// TestRequestArraysAreNotNullable: no array in any request body is documented as nullable
// unless it says so, so the document and the NOT NULL columns behind it agree.
func TestRequestArraysAreNotNullable(t *testing.T) {
	t.Parallel()
	s := api.New(apitest.Wire(api.Deps{Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Config: platform.Config{MaxBodyBytes: 1 << 20}}))
	doc := s.OpenAPI()
	seen := map[*huma.Schema]bool{}
	var walk func(where string, sc *huma.Schema)
	walk = func(where string, sc *huma.Schema) {
		if sc == nil || seen[sc] {
			return
		}
		if sc.Ref != "" {
			walk(where, doc.Components.Schemas.SchemaFromRef(sc.Ref))
			return
		}
		seen[sc] = true
		if sc.Type == huma.TypeArray && sc.Nullable {
			t.Errorf("%s: a nullable array in a request body", where)
		}
		for name, p := range sc.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", sc.Items)
		if ap, ok := sc.AdditionalProperties.(*huma.Schema); ok {
			walk(where+".*", ap)
		}
		for _, sub := range append(append(sc.OneOf, sc.AnyOf...), sc.AllOf...) {
			walk(where, sub)
		}
	}
	n := 0
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Post, item.Put, item.Patch} {
			if op == nil || op.RequestBody == nil {
				continue
			}
			for ct, mt := range op.RequestBody.Content {
				if strings.Contains(ct, "json") && mt.Schema != nil {
					n++
					walk(op.Method+" "+path+" body", mt.Schema)
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d JSON request bodies found", n)
	}
}

// limited says whether statuses are what a limit of perMinute with a burst of burst gives
// over elapsed: the first burst answered (answer), then 429s, except that a machine slow
// enough to take a refill's time (a minute / perMinute) earns one more answer per refill.
func limited(statuses []int, answer, burst, perMinute int, elapsed time.Duration) bool {
	allowed := burst + int(elapsed/(time.Minute/time.Duration(perMinute)))
	answered := 0
	for i, st := range statuses {
		switch {
		case st == answer:
			answered++
		case st != 429 || i < burst:
			return false
		}
	}
	return answered <= allowed && (answered < len(statuses) || allowed >= len(statuses))
}

// loginStatuses signs in n times from one client address and returns the statuses.
func loginStatuses(env *apitest.Env, from string, header map[string]string, n int, email func(i int) string, password string) []int {
	var out []int
	for i := range n {
		out = append(out, env.Do(apitest.Req{From: from, Method: "POST", Path: "/v1/auth/login", Header: header,
			Body: map[string]string{"email": email(i), "password": password}}).Status)
	}
	return out
}

// TestLoginCannotBeLockedOutFromElsewhere: wrong passwords from one address limit that
// address, not the account: its user still signs in from their own.
func TestLoginCannotBeLockedOutFromElsewhere(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) { c.RateLoginPerMinute, c.RateLoginIPPerMinute = 5, 10 }})
	tn := env.NewTenant()
	victim := func(int) string { return tn.AdminEmail }
	began := time.Now()
	got := loginStatuses(env, "127.0.0.2", nil, 10, victim, "wrong-password")
	if !limited(got, 401, 5, 5, time.Since(began)) {
		t.Errorf("ten wrong passwords from one address: %v, want five answers then 429", got)
	}
	// Other spellings of the address are the same account.
	if st := loginStatuses(env, "127.0.0.2", nil, 1, func(int) string { return " " + strings.ToUpper(tn.AdminEmail) }, "wrong-password"); st[0] != 429 {
		t.Errorf("the account in capitals from the limited address: %v, want 429", st)
	}
	// The user, from their own address, signs in.
	if st := loginStatuses(env, "127.0.0.3", nil, 1, victim, apitest.Password); st[0] != 200 {
		t.Fatalf("the user from their own address after the attack: %v, want 200", st)
	}
}

// TestLoginIsLimitedPerClientAcrossAccounts: one address trying many accounts is refused
// past its ceiling, whatever X-Forwarded-For it sends (no proxy is trusted), while another
// address is not.
func TestLoginIsLimitedPerClientAcrossAccounts(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) { c.RateLoginPerMinute, c.RateLoginIPPerMinute = 5, 10 }})
	tn := env.NewTenant()
	spoof := map[string]string{"X-Forwarded-For": "198.51.100.77"}
	many := func(i int) string { return fmt.Sprintf("guess%d@tenant.test", i) }
	began := time.Now()
	got := loginStatuses(env, "127.0.0.4", nil, 8, many, "password-1")
	got = append(got, loginStatuses(env, "127.0.0.4", spoof, 7, func(i int) string { return many(100 + i) }, "password-1")...)
	if !limited(got, 401, 10, 10, time.Since(began)) {
		t.Fatalf("15 accounts from one address: %v, want ten answers then 429", got)
	}
	if st := loginStatuses(env, "127.0.0.5", nil, 1, func(int) string { return tn.AdminEmail }, apitest.Password); st[0] != 200 {
		t.Fatalf("another address: %v, want 200", st)
	}
}

// TestTrustedProxyNamesTheClient: behind a trusted proxy the client is the address it puts
// in X-Forwarded-For, for the sign-in limits and the audit log alike.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) {
		c.RateLoginPerMinute, c.RateLoginIPPerMinute = 5, 10
		c.TrustedProxies = platform.Proxies{netip.MustParsePrefix("127.0.0.9/32")}
	}})
	tn := env.NewTenant()
	via := func(client string) map[string]string {
		return map[string]string{"X-Forwarded-For": "6.6.6.6, " + client} // the client wrote 6.6.6.6
	}
	victim := func(int) string { return tn.AdminEmail }
	if got := loginStatuses(env, "127.0.0.9", via("198.51.100.1"), 6, victim, "wrong-password"); fmt.Sprint(got) != "[401 401 401 401 401 429]" {
		t.Fatalf("wrong passwords from 198.51.100.1 through the proxy: %v", got)
	}
	if st := loginStatuses(env, "127.0.0.9", via("198.51.100.2"), 1, victim, apitest.Password); st[0] != 200 {
		t.Fatalf("the user from 198.51.100.2 through the proxy: %v, want 200", st)
	}
	audit := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?action=auth.login&limit=200", Token: tn.Admin}))
	found := false
	for _, e := range audit {
		found = found || strings.Contains(fmt.Sprint(e), "198.51.100.2")
	}
	if !found {
		t.Errorf("the audit log does not name the client 198.51.100.2: %v", audit)
	}
}

// TestConsumerCannotLearnAnotherOwnersRegistration: a consumer registering a serial someone
// else registered gets a neutral 409 that names neither the registration nor where it is;
// staff still get its id and Location.
func TestConsumerCannotLearnAnotherOwnersRegistration(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	theirs := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: map[string]any{
		"model_sku": "KFR-35GW", "serial": "SNTHEIRS001", "purchase_date": daysAgo(10), "buyer": map[string]any{"name": "王芳", "phone": env.Phone()}}}).Map(t)
	id := theirs["id"].(string)
	tok := consumerLogin(t, env, env.Phone())
	unit := map[string]any{"model_sku": "KFR-35GW", "serial": "SNTHEIRS001", "purchase_date": daysAgo(3)}
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: tok, Body: unit})
	if r.Status != 409 || r.Header.Get("Location") != "" || strings.Contains(string(r.Body), id) ||
		!strings.Contains(string(r.Body), "contact the brand") {
		t.Fatalf("consumer registering another's unit: %d Location=%q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	badCheck(t, badCase{method: "POST", path: "/v1/consumer/tenants/{tenant}/units", want: 409}, r)
	// The same words for a serial spelled differently, and no registration was made.
	r2 := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: tok,
		Body: badWith(unit, "serial", " SNTHEIRS001 ")})
	if r2.Status != r.Status || string(r2.Body) != string(r.Body) {
		t.Errorf("second attempt answered differently: %d %s", r2.Status, r2.Body)
	}
	if items := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: tok}).Map(t)["items"].([]any); len(items) != 0 {
		t.Errorf("the consumer has units: %v", items)
	}
	// Staff see which registration it is.
	s := env.Do(apitest.Req{Method: "POST", Path: "/v1/registrations", Token: f.tn.Admin, Body: unit})
	if s.Status != 409 || s.Header.Get("Location") != "/v1/registrations/"+id || !strings.Contains(string(s.Body), id) {
		t.Errorf("staff registering it again: %d Location=%q %s", s.Status, s.Header.Get("Location"), s.Body)
	}
}

// TestConsumerRegisteringTheirOwnUnitAgain: the same neutral answer, without a staff URL.
func TestConsumerRegisteringTheirOwnUnitAgain(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	f := newWarrantyFixture(t, env)
	tok := consumerLogin(t, env, env.Phone())
	unit := map[string]any{"model_sku": "KFR-35GW", "serial": "SNMINE00001", "purchase_date": daysAgo(3)}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: tok, Body: unit})
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + f.tn.Slug + "/units", Token: tok, Body: unit})
	if r.Status != 409 || r.Header.Get("Location") != "" || !strings.Contains(string(r.Body), "contact the brand") {
		t.Fatalf("registering my own unit again: %d Location=%q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// TestEngineerSeesTheStreetAddressOnlyOnTheirOwnOpenOrders: an engineer (no
// contacts:unmasked) reads the service address of an open order they work in full, and
// masked on an order of their outlet they do not work, and on their own order once it is
// no longer open.
func TestEngineerSeesTheStreetAddressOnlyOnTheirOwnOpenOrders(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	const address = "上海市浦东新区世纪大道100号"
	outlet := w.tn.Outlets[0]
	_, eng := env.Person(w.tn, "engineer", outlet)
	engID := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: eng}).Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + engID, Token: w.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 2, "active": true, "is_default": true}})
	onSite := map[string]any{"channel": "on_site", "type": "inspection", "outlet_id": outlet}
	mine := str(w.order(t, badWith(onSite, "designated_engineer_id", engID))["order"].(map[string]any)["id"])
	w.move(t, mine, "accepted", "")
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + mine + "/engineers", Token: w.tn.Admin, Body: map[string]any{"role": "lead"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + mine + "/answer", Token: eng, Body: map[string]any{"accept": true}})
	other := str(w.order(t, onSite)["order"].(map[string]any)["id"])

	addressOf := func(id string) string {
		o := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id, Token: eng}).Map(t)
		loc, _ := o["location"].(map[string]any)
		return str(loc["address"])
	}
	if got := addressOf(mine); got != address {
		t.Errorf("the engineer's own open order: address %q, want it in full", got)
	}
	if got := addressOf(other); got != access.MaskAddress(address) {
		t.Errorf("an order of the outlet the engineer does not work: address %q, want %q", got, access.MaskAddress(address))
	}
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders?limit=200", Token: eng}).Map(t)["items"]
	if got := str(findByID(t, list, other, "GET /v1/orders")["location"].(map[string]any)["address"]); got != access.MaskAddress(address) {
		t.Errorf("listed, an order the engineer does not work: address %q", got)
	}
	if r := w.move(t, mine, "cancelled", "customer withdrew"); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if got := addressOf(mine); got != access.MaskAddress(address) {
		t.Errorf("the engineer's own order once cancelled: address %q, want %q", got, access.MaskAddress(address))
	}
}

// TestInvalidUTF8IsRefused: a JSON body that is not UTF-8, or that escapes a lone
// surrogate, is a 400 problem at body; nothing is stored as U+FFFD.
func TestInvalidUTF8IsRefused(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for _, body := range []string{"{\"name\":\"Li\xffLei\"}", `{"name":"Li\ud800Lei"}`, "{\"name\":\"Li Lei\",\"address\":\"\xe4\xb8\"}"} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: body})
		badCheck(t, badCase{method: "POST", path: "/v1/customers", want: 400, loc: "body"}, r)
		if strings.Contains(string(r.Body), "\ufffd") {
			t.Errorf("the problem echoes U+FFFD: %s", r.Body)
		}
	}
	if items := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers", Token: tn.Admin})); len(items) != 0 {
		t.Errorf("customers stored: %v", items)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: `{"name":"\u674e\u96f7 \ud83d\ude00"}`})
}

// TestAPIKeyExpiryInThePastIsRefused: 422 naming expires_at.
func TestAPIKeyExpiryInThePastIsRefused(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for _, at := range []string{"2020-01-01T00:00:00Z", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin, Body: map[string]any{
			"name": "erp", "role": "agent", "expires_at": at}})
		badCheck(t, badCase{method: "POST", path: "/v1/api-keys", want: 422, loc: "body.expires_at"}, r)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin, Body: map[string]any{
		"name": "erp", "role": "agent", "expires_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}})
}

// TestCounterSaleValidatesBeforePaymentsConfiguration: on a server without payments, a
// counter sale that could never succeed says why (422 naming the field), not 503.
func TestCounterSaleValidatesBeforePaymentsConfiguration(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{NoPayments: true})
	w := newOrderWorld(t, env)
	tn := w.tn
	order := str(w.order(t, nil)["order"].(map[string]any)["id"])
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: map[string]any{
		"code": "onsite-6h", "name": "6-hour on-site", "kind": "per_incident",
		"targets": map[string]any{"arrival": map[string]any{"minutes": 360, "clock": "clock"}},
		"prices":  []map[string]any{{"currency": "CNY", "unit_amount": 9900}}}}).Map(t)["id"].(string)
	sale := map[string]any{"product_id": prod, "outlet_id": tn.Outlets[0], "order_id": order, "currency": "USD"}
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: sale})
	badCheck(t, badCase{method: "POST", path: "/v1/purchases/counter", want: 422, loc: "body.currency"}, r)
	r = env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: badWith(sale, "product_id", tn.ID)})
	badCheck(t, badCase{method: "POST", path: "/v1/purchases/counter", want: 422, loc: "body.product_id"}, r)
	// A sale that is right but cannot be paid here: 503.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: badWith(sale, "currency", "CNY")}); r.Status != 503 {
		t.Errorf("a valid sale without payments configured: %d %s, want 503", r.Status, r.Body)
	}
}

// TestTenantSlugThatIsNoSlug: a consumer's write to a tenant path that is no slug (a NUL, a
// space) is refused naming path.tenant, before anything looks it up.
func TestTenantSlugThatIsNoSlug(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tok := consumerLogin(t, env, env.Phone())
	for _, slug := range []string{"%00", "a%20b", "A"} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + slug + "/units", Token: tok,
			Body: map[string]any{"model_sku": "X", "serial": "SN1", "purchase_date": "2026-11-03"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"path.tenant"`) {
			t.Errorf("slug %q: %d %s, want 422 naming path.tenant", slug, r.Status, r.Body)
		}
	}
}

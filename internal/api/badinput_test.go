package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/db"
)

// badCase is one malformed request and the problem it must produce.
type badCase struct {
	name         string
	method, path string
	token        string // "" = the tenant admin's
	body         any
	header       map[string]string
	want         int    // expected status; 0 = any 4xx
	loc          string // a location errors[] must name; "" = none required
}

// badLeaks are strings that reveal internals and must never reach a client.
var badLeaks = []string{"sql", "pq:", "pgx", "constraint", "violates", "goroutine", "panic", "runtime.", ".go:"}

// badProblemTypes are the problem type of each status (internal/api/problems.go).
var badProblemTypes = map[int]string{400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
	405: "method-not-allowed", 409: "conflict", 412: "stale-version", 413: "body-too-large",
	415: "unsupported-media-type", 422: "invalid-input", 428: "precondition-required", 429: "rate-limited"}

// badJSON marshals v, then splices raw JSON members in front (for wrong types and
// unknown fields next to otherwise valid fields).
func badJSON(v map[string]any, extra string) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if extra == "" {
		return string(b)
	}
	if len(v) == 0 {
		return "{" + extra + "}"
	}
	return "{" + extra + "," + string(b[1:])
}

func badWith(v map[string]any, k string, x any) map[string]any {
	out := map[string]any{}
	for kk, vv := range v {
		out[kk] = vv
	}
	if x == nil {
		delete(out, k)
	} else {
		out[k] = x
	}
	return out
}

// badCounts reads how many of each kind the tenant has, and the newest audit entry.
func badCounts(t *testing.T, env *apitest.Env, tn *apitest.Tenant) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range []string{"/v1/outlets", "/v1/customers", "/v1/api-keys", "/v1/invitations", "/v1/calendars", "/v1/members"} {
		out[p] = fmt.Sprint(len(isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: p + "?limit=200", Token: tn.Admin}))))
	}
	audit := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?limit=1", Token: tn.Admin}))
	if len(audit) != 1 {
		t.Fatalf("empty audit log")
	}
	out["newest audit entry"] = fmt.Sprint(audit[0]["id"], " ", audit[0]["action"])
	return out
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	op := env.PlatformAdmin()
	tn := env.NewTenant()
	outlet := tn.Outlets[0]
	outletGet := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + outlet, Token: tn.Admin})
	cal := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/calendars", Token: tn.Admin, Body: map[string]any{
		"outlet_id": outlet, "name": "Outlet hours", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}})
	calID := cal.Map(t)["id"].(string)
	customer := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin,
		Body: map[string]any{"name": "Li Lei", "phone": env.Phone()}}).Map(t)["id"].(string)
	_, agent := env.Person(tn, "agent", "")

	big := strings.Repeat("x", 200<<10) // > MaxBodyBytes (64 KiB)
	if int64(len(big)) <= env.Config.MaxBodyBytes {
		t.Fatalf("oversize body %d is within MaxBodyBytes %d", len(big), env.Config.MaxBodyBytes)
	}
	ifm := map[string]string{"If-Match": `"1"`}
	zero := "00000000-0000-0000-0000-000000000000"

	outletOK := map[string]any{"code": "NEW-1", "name": "New outlet", "kind": "service_center"}
	customerOK := map[string]any{"name": "Han Meimei"}
	loginOK := map[string]any{"email": tn.AdminEmail, "password": apitest.Password}
	keyOK := map[string]any{"name": "erp", "role": "agent"}
	calOK := map[string]any{"name": "Outlet hours", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}
	week := func(mon ...map[string]string) map[string]any {
		w := isoWeek()
		w["mon"] = mon
		return w
	}
	iv := func(s, e string) map[string]string { return map[string]string{"start": s, "end": e} }

	cases := []badCase{
		// POST /v1/outlets
		{name: "outlet malformed JSON", method: "POST", path: "/v1/outlets", body: `{"name":`, want: 400, loc: "body"},
		{name: "outlet truncated object", method: "POST", path: "/v1/outlets", body: `{"code":"A","name":"B","kind":"service_center"`, want: 400},
		{name: "outlet empty body", method: "POST", path: "/v1/outlets", body: "", want: 400},
		{name: "outlet null body", method: "POST", path: "/v1/outlets", body: "null", want: 0},
		{name: "outlet array body", method: "POST", path: "/v1/outlets", body: "[]", want: 422},
		{name: "outlet trailing garbage", method: "POST", path: "/v1/outlets", body: badJSON(outletOK, "") + "}{", want: 400},
		{name: "outlet deep nesting", method: "POST", path: "/v1/outlets", body: strings.Repeat("[", 20000) + strings.Repeat("]", 20000), want: 400},
		{name: "outlet name wrong type", method: "POST", path: "/v1/outlets", body: badJSON(badWith(outletOK, "name", nil), `"name": 5`), want: 422, loc: "body.name"},
		{name: "outlet latitude wrong type", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "latitude", "north"), want: 422, loc: "body.latitude"},
		{name: "outlet latitude out of range", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "latitude", 91), want: 422, loc: "body.latitude"},
		{name: "outlet number overflow", method: "POST", path: "/v1/outlets", body: badJSON(outletOK, `"longitude": 1e400`), want: 0},
		{name: "outlet unknown field", method: "POST", path: "/v1/outlets", body: badJSON(outletOK, `"extra": 1`), want: 422, loc: "body.extra"},
		{name: "outlet mass-assign tenant_id", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "tenant_id", tn.ID), want: 422, loc: "body.tenant_id"},
		{name: "outlet mass-assign id", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "id", zero), want: 422, loc: "body.id"},
		{name: "outlet mass-assign version", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "version", 7), want: 422, loc: "body.version"},
		{name: "outlet mass-assign created_at", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "created_at", "2020-01-01T00:00:00Z"), want: 422, loc: "body.created_at"},
		{name: "outlet invalid kind", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "kind", "spaceship"), want: 422, loc: "body.kind"},
		{name: "outlet invalid status", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "status", "deleted"), want: 422, loc: "body.status"},
		{name: "outlet missing code", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "code", nil), want: 422},
		{name: "outlet empty name", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "name", ""), want: 422, loc: "body.name"},
		{name: "outlet code pattern", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "code", "no spaces/slashes"), want: 422, loc: "body.code"},
		{name: "outlet province pattern", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "province_code", "SH"), want: 422, loc: "body.province_code"},
		{name: "outlet name too long", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "name", strings.Repeat("n", 201)), want: 422, loc: "body.name"},
		{name: "outlet NUL in name", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "name", "a\x00b"), want: 0},
		{name: "outlet oversize body", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "address", big), want: 413},
		{name: "outlet oversize body with Idempotency-Key", method: "POST", path: "/v1/outlets", body: badWith(outletOK, "address", big),
			header: map[string]string{"Idempotency-Key": "big-1"}, want: 413},
		{name: "outlet text/plain body", method: "POST", path: "/v1/outlets", body: badJSON(outletOK, ""),
			header: map[string]string{"Content-Type": "text/plain"}, want: 415},
		{name: "outlet bad X-Tenant-ID", method: "POST", path: "/v1/outlets", body: outletOK,
			header: map[string]string{"X-Tenant-ID": "not-a-uuid"}, want: 400, loc: "header.X-Tenant-ID"},
		{name: "outlet Idempotency-Key too long", method: "POST", path: "/v1/outlets", body: outletOK,
			header: map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, want: 0},

		// PUT /v1/outlets/{id}
		{name: "outlet PUT missing If-Match", method: "PUT", path: "/v1/outlets/" + outlet, body: outletOK, want: 428, loc: "header.If-Match"},
		{name: "outlet PUT bad If-Match", method: "PUT", path: "/v1/outlets/" + outlet, body: outletOK,
			header: map[string]string{"If-Match": "abc"}, want: 400, loc: "header.If-Match"},
		{name: "outlet PUT If-Match zero", method: "PUT", path: "/v1/outlets/" + outlet, body: outletOK,
			header: map[string]string{"If-Match": `"0"`}, want: 400, loc: "header.If-Match"},
		{name: "outlet PUT If-Match overflow", method: "PUT", path: "/v1/outlets/" + outlet, body: outletOK,
			header: map[string]string{"If-Match": `"99999999999999999999"`}, want: 400, loc: "header.If-Match"},
		{name: "outlet PUT stale If-Match", method: "PUT", path: "/v1/outlets/" + outlet, body: outletOK,
			header: map[string]string{"If-Match": `"7"`}, want: 412},
		{name: "outlet PUT malformed JSON", method: "PUT", path: "/v1/outlets/" + outlet, body: `{"name":`, header: ifm, want: 400, loc: "body"},
		{name: "outlet PUT wrong type", method: "PUT", path: "/v1/outlets/" + outlet, body: badJSON(badWith(outletOK, "name", nil), `"name": 5`),
			header: ifm, want: 422, loc: "body.name"},
		{name: "outlet PUT mass-assign version", method: "PUT", path: "/v1/outlets/" + outlet, body: badWith(outletOK, "version", 99),
			header: ifm, want: 422, loc: "body.version"},
		{name: "outlet PUT mass-assign id", method: "PUT", path: "/v1/outlets/" + outlet, body: badWith(outletOK, "id", tn.Outlets[1]),
			header: ifm, want: 422, loc: "body.id"},
		{name: "outlet PUT mass-assign tenant_id", method: "PUT", path: "/v1/outlets/" + outlet, body: badWith(outletOK, "tenant_id", zero),
			header: ifm, want: 422, loc: "body.tenant_id"},
		{name: "outlet PUT invalid kind", method: "PUT", path: "/v1/outlets/" + outlet, body: badWith(outletOK, "kind", "spaceship"),
			header: ifm, want: 422, loc: "body.kind"},
		{name: "outlet PUT oversize", method: "PUT", path: "/v1/outlets/" + outlet, body: badWith(outletOK, "address", big), header: ifm, want: 413},
		{name: "outlet PUT not-a-uuid", method: "PUT", path: "/v1/outlets/not-a-uuid", body: outletOK, header: ifm, want: 422, loc: "path.id"},
		{name: "outlet PUT zero uuid", method: "PUT", path: "/v1/outlets/" + zero, body: outletOK, header: ifm, want: 404},
		{name: "outlet GET not-a-uuid", method: "GET", path: "/v1/outlets/not-a-uuid", want: 422, loc: "path.id"},
		{name: "outlet GET zero uuid", method: "GET", path: "/v1/outlets/" + zero, want: 404},
		{name: "outlet GET uuid with junk", method: "GET", path: "/v1/outlets/" + outlet + "x", want: 422, loc: "path.id"},
		{name: "outlet DELETE missing If-Match", method: "DELETE", path: "/v1/outlets/" + tn.Outlets[1], want: 428, loc: "header.If-Match"},
		{name: "outlet DELETE bad If-Match", method: "DELETE", path: "/v1/outlets/" + tn.Outlets[1], header: map[string]string{"If-Match": "abc"}, want: 400, loc: "header.If-Match"},
		{name: "outlet PATCH not allowed", method: "PATCH", path: "/v1/outlets/" + outlet, body: outletOK, want: 405},
		{name: "unknown route", method: "GET", path: "/v1/nothing-here", want: 404},

		// GET /v1/outlets (query)
		{name: "outlets limit=0", method: "GET", path: "/v1/outlets?limit=0", want: 422, loc: "query.limit"},
		{name: "outlets limit=100000", method: "GET", path: "/v1/outlets?limit=100000", want: 422, loc: "query.limit"},
		{name: "outlets limit=-1", method: "GET", path: "/v1/outlets?limit=-1", want: 422, loc: "query.limit"},
		{name: "outlets limit=abc", method: "GET", path: "/v1/outlets?limit=abc", want: 422, loc: "query.limit"},
		{name: "outlets limit overflow", method: "GET", path: "/v1/outlets?limit=99999999999999999999", want: 422, loc: "query.limit"},
		{name: "outlets bad cursor", method: "GET", path: "/v1/outlets?cursor=!!!not-a-cursor", want: 422, loc: "query.cursor"},
		{name: "outlets short cursor", method: "GET", path: "/v1/outlets?cursor=AAAA", want: 422, loc: "query.cursor"},
		{name: "outlets long cursor", method: "GET", path: "/v1/outlets?cursor=" + strings.Repeat("A", 65), want: 422, loc: "query.cursor"},
		{name: "outlets invalid status filter", method: "GET", path: "/v1/outlets?status=deleted", want: 422, loc: "query.status"},
		{name: "outlets invalid kind filter", method: "GET", path: "/v1/outlets?kind=spaceship", want: 422, loc: "query.kind"},

		// POST /v1/customers
		{name: "customer malformed JSON", method: "POST", path: "/v1/customers", body: `{"name":`, want: 400, loc: "body"},
		{name: "customer wrong type", method: "POST", path: "/v1/customers", body: `{"name": 5}`, want: 422, loc: "body.name"},
		{name: "customer unknown field", method: "POST", path: "/v1/customers", body: badJSON(customerOK, `"extra": 1`), want: 422, loc: "body.extra"},
		{name: "customer mass-assign consumer_id", method: "POST", path: "/v1/customers", body: badWith(customerOK, "consumer_id", zero), want: 422, loc: "body.consumer_id"},
		{name: "customer mass-assign masked", method: "POST", path: "/v1/customers", body: badWith(customerOK, "masked", true), want: 422, loc: "body.masked"},
		{name: "customer mass-assign tenant_id", method: "POST", path: "/v1/customers", body: badWith(customerOK, "tenant_id", tn.ID), want: 422, loc: "body.tenant_id"},
		{name: "customer invalid phone", method: "POST", path: "/v1/customers", body: badWith(customerOK, "phone", "12345"), want: 422, loc: "body.phone"},
		{name: "customer NUL in name", method: "POST", path: "/v1/customers", body: badWith(customerOK, "name", "Li\x00Lei"), want: 0},
		{name: "customer oversize", method: "POST", path: "/v1/customers", body: badWith(customerOK, "address", big), want: 413},
		{name: "customer PUT missing If-Match", method: "PUT", path: "/v1/customers/" + customer, body: customerOK, want: 428, loc: "header.If-Match"},
		{name: "customer PUT mass-assign version", method: "PUT", path: "/v1/customers/" + customer, body: badWith(customerOK, "version", 5),
			header: ifm, want: 422, loc: "body.version"},
		{name: "customers bad cursor", method: "GET", path: "/v1/customers?cursor=zzz", want: 422, loc: "query.cursor"},
		{name: "customers NUL in phone filter", method: "GET", path: "/v1/customers?phone=%00", want: 0},
		{name: "customer PUT NUL in address", method: "PUT", path: "/v1/customers/" + customer, body: badWith(customerOK, "address", "Road\x00 1"),
			header: ifm, want: 0},

		// POST /v1/auth/login (public)
		{name: "login malformed JSON", method: "POST", path: "/v1/auth/login", body: `{"name":`, want: 400, loc: "body"},
		{name: "login wrong type", method: "POST", path: "/v1/auth/login", body: badJSON(badWith(loginOK, "password", nil), `"password": 5`), want: 422, loc: "body.password"},
		{name: "login bad email", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "email", "not-an-email"), want: 422, loc: "body.email"},
		{name: "login unknown field", method: "POST", path: "/v1/auth/login", body: badJSON(loginOK, `"extra": 1`), want: 422, loc: "body.extra"},
		{name: "login mass-assign role", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "role", "platform_admin"), want: 422, loc: "body.role"},
		{name: "login mass-assign tenant_id", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "tenant_id", tn.ID), want: 422, loc: "body.tenant_id"},
		{name: "login oversize", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "password", big), want: 413},
		{name: "login NUL in email", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "email", "admin\x00@tenant.test"), want: 0},
		{name: "login missing password", method: "POST", path: "/v1/auth/login", body: badWith(loginOK, "password", nil), want: 422},

		// POST /v1/api-keys
		{name: "api key malformed JSON", method: "POST", path: "/v1/api-keys", body: `{"name":`, want: 400, loc: "body"},
		{name: "api key wrong type", method: "POST", path: "/v1/api-keys", body: badJSON(badWith(keyOK, "name", nil), `"name": 5`), want: 422, loc: "body.name"},
		{name: "api key unknown field", method: "POST", path: "/v1/api-keys", body: badJSON(keyOK, `"extra": 1`), want: 422, loc: "body.extra"},
		{name: "api key mass-assign tenant_id", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "tenant_id", zero), want: 422, loc: "body.tenant_id"},
		{name: "api key mass-assign id", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "id", zero), want: 422, loc: "body.id"},
		{name: "api key mass-assign revoked_at", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "revoked_at", "2020-01-01T00:00:00Z"), want: 422, loc: "body.revoked_at"},
		{name: "api key platform role", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "role", "platform_admin"), want: 422, loc: "body.role"},
		{name: "api key invalid role", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "role", "root"), want: 422, loc: "body.role"},
		{name: "api key scope beyond role", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "scopes", []string{"outlets:read", "tenants:onboard"}), want: 422, loc: "body.scopes[1]"},
		{name: "api key scopes wrong type", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "scopes", "outlets:read"), want: 422, loc: "body.scopes"},
		{name: "api key outlet role without outlet", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "role", "engineer"), want: 422, loc: "body.outlet_id"},
		{name: "api key outlet not a uuid", method: "POST", path: "/v1/api-keys", body: badWith(badWith(keyOK, "role", "engineer"), "outlet_id", "A1"), want: 422, loc: "body.outlet_id"},
		{name: "api key unknown outlet", method: "POST", path: "/v1/api-keys", body: badWith(badWith(keyOK, "role", "engineer"), "outlet_id", zero), want: 422, loc: "body.outlet_id"},
		{name: "api key bad expires_at", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "expires_at", "tomorrow"), want: 422, loc: "body.expires_at"},
		{name: "api key oversize", method: "POST", path: "/v1/api-keys", body: badWith(keyOK, "name", big), want: 413},
		{name: "api key by an agent", method: "POST", path: "/v1/api-keys", token: agent, body: keyOK, want: 403},

		// POST /v1/invitations
		{name: "invitation invalid role", method: "POST", path: "/v1/invitations", body: map[string]any{"email": "x@people.test", "role": "root"}, want: 422, loc: "body.role"},
		{name: "invitation bad email", method: "POST", path: "/v1/invitations", body: map[string]any{"email": "nope", "role": "agent"}, want: 422, loc: "body.email"},
		{name: "invitation mass-assign tenant_id", method: "POST", path: "/v1/invitations", body: map[string]any{"email": "x@people.test", "role": "agent", "tenant_id": zero}, want: 422, loc: "body.tenant_id"},
		{name: "invitation mass-assign accepted_at", method: "POST", path: "/v1/invitations", body: map[string]any{"email": "x@people.test", "role": "agent", "accepted_at": "2020-01-01T00:00:00Z"}, want: 422, loc: "body.accepted_at"},
		{name: "invitation other tenant's outlet", method: "POST", path: "/v1/invitations", body: map[string]any{"email": "x@people.test", "role": "engineer", "outlet_id": zero}, want: 422, loc: "body.outlet_id"},

		// PUT /v1/calendars/{id}
		{name: "calendar PUT invalid timezone", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "timezone", "Mars/Olympus_Mons"), header: ifm, want: 422, loc: "body.timezone"},
		{name: "calendar PUT Local timezone", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "timezone", "Local"), header: ifm, want: 422, loc: "body.timezone"},
		{name: "calendar PUT empty timezone", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "timezone", ""), header: ifm, want: 422, loc: "body.timezone"},
		{name: "calendar PUT path-like timezone", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "timezone", "../../../../etc/passwd"), header: ifm, want: 422, loc: "body.timezone"},
		{name: "calendar PUT overlapping hours", method: "PUT", path: "/v1/calendars/" + calID,
			body: badWith(calOK, "weekly_hours", week(iv("09:00", "12:00"), iv("11:00", "13:00"))), header: ifm, want: 422, loc: "body.weekly_hours.mon[1]"},
		{name: "calendar PUT start after end", method: "PUT", path: "/v1/calendars/" + calID,
			body: badWith(calOK, "weekly_hours", week(iv("18:00", "09:00"))), header: ifm, want: 422, loc: "body.weekly_hours.mon[0]"},
		{name: "calendar PUT bad time", method: "PUT", path: "/v1/calendars/" + calID,
			body: badWith(calOK, "weekly_hours", week(iv("25:00", "26:00"))), header: ifm, want: 422, loc: "body.weekly_hours.mon[0].start"},
		{name: "calendar PUT unknown weekday", method: "PUT", path: "/v1/calendars/" + calID,
			body: badWith(calOK, "weekly_hours", badWith(isoWeek(), "holiday", []any{})), header: ifm, want: 422, loc: "body.weekly_hours.holiday"},
		{name: "calendar PUT weekly_hours wrong type", method: "PUT", path: "/v1/calendars/" + calID,
			body: badWith(calOK, "weekly_hours", "9-18"), header: ifm, want: 422, loc: "body.weekly_hours"},
		{name: "calendar PUT missing If-Match", method: "PUT", path: "/v1/calendars/" + calID, body: calOK, want: 428, loc: "header.If-Match"},
		{name: "calendar PUT bad If-Match", method: "PUT", path: "/v1/calendars/" + calID, body: calOK, header: map[string]string{"If-Match": "abc"}, want: 400, loc: "header.If-Match"},
		{name: "calendar PUT mass-assign version", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "version", 9), header: ifm, want: 422, loc: "body.version"},
		{name: "calendar PUT mass-assign id", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "id", zero), header: ifm, want: 422, loc: "body.id"},
		{name: "calendar PUT malformed JSON", method: "PUT", path: "/v1/calendars/" + calID, body: `{"name":`, header: ifm, want: 400, loc: "body"},
		{name: "calendar PUT oversize", method: "PUT", path: "/v1/calendars/" + calID, body: badWith(calOK, "name", big), header: ifm, want: 413},
		{name: "calendar POST invalid timezone", method: "POST", path: "/v1/calendars",
			body: badWith(badWith(calOK, "outlet_id", tn.Outlets[1]), "timezone", "Nowhere/Town"), want: 422, loc: "body.timezone"},
		{name: "calendar POST overlapping hours", method: "POST", path: "/v1/calendars",
			body: badWith(badWith(calOK, "outlet_id", tn.Outlets[1]), "weekly_hours", week(iv("09:00", "12:00"), iv("10:00", "11:00"))), want: 422, loc: "body.weekly_hours.mon[1]"},
		{name: "calendar POST unknown outlet", method: "POST", path: "/v1/calendars", body: badWith(calOK, "outlet_id", "0190d1c2-0000-7000-8000-00000000abcd"), want: 422, loc: "body.outlet_id"},
		{name: "calendar POST zero-uuid outlet", method: "POST", path: "/v1/calendars", body: badWith(calOK, "outlet_id", zero), want: 422, loc: "body.outlet_id"},
		{name: "calendar POST without outlet", method: "POST", path: "/v1/calendars", body: calOK, want: 422, loc: "body.outlet_id"},
		{name: "calendar POST duplicate outlet", method: "POST", path: "/v1/calendars", body: badWith(calOK, "outlet_id", outlet), want: 409},
		{name: "calendar day not a date", method: "PUT", path: "/v1/calendars/" + calID + "/days/not-a-date", body: map[string]any{"kind": "holiday"}, want: 422, loc: "path.day"},
		{name: "calendar day impossible date", method: "PUT", path: "/v1/calendars/" + calID + "/days/2026-02-30", body: map[string]any{"kind": "holiday"}, want: 422, loc: "path.day"},
		{name: "calendar day invalid kind", method: "PUT", path: "/v1/calendars/" + calID + "/days/" + isoDay, body: map[string]any{"kind": "party"}, want: 422, loc: "body.kind"},
		{name: "calendar day holiday with hours", method: "PUT", path: "/v1/calendars/" + calID + "/days/" + isoDay,
			body: map[string]any{"kind": "holiday", "hours": []any{iv("09:00", "12:00")}}, header: ifm, want: 422, loc: "body.hours"},
		{name: "calendar day overlapping hours", method: "PUT", path: "/v1/calendars/" + calID + "/days/" + isoDay,
			body: map[string]any{"kind": "workday", "hours": []any{iv("09:00", "12:00"), iv("11:00", "13:00")}}, header: ifm, want: 422, loc: "body.hours[1]"},
		{name: "calendar day make-up on a working day", method: "PUT", path: "/v1/calendars/" + calID + "/days/2026-10-12",
			body: map[string]any{"kind": "workday"}, header: ifm, want: 422, loc: "path.day"},
		{name: "calendar days reversed range", method: "GET", path: "/v1/calendars/" + calID + "/days?from=2026-12-01&to=2026-01-01", want: 422, loc: "query.to"},
		{name: "calendar days missing range", method: "GET", path: "/v1/calendars/" + calID + "/days", want: 422},
		{name: "calendar days bad date", method: "GET", path: "/v1/calendars/" + calID + "/days?from=yesterday&to=2026-01-01", want: 422, loc: "query.from"},

		// GET /v1/audit-log (query)
		{name: "audit bad cursor", method: "GET", path: "/v1/audit-log?cursor=not-a-cursor", want: 422, loc: "query.cursor"},
		{name: "audit cursor wrong length", method: "GET", path: "/v1/audit-log?cursor=AAAAAAAA", want: 422, loc: "query.cursor"},
		{name: "audit limit=0", method: "GET", path: "/v1/audit-log?limit=0", want: 422, loc: "query.limit"},
		{name: "audit limit=100000", method: "GET", path: "/v1/audit-log?limit=100000", want: 422, loc: "query.limit"},
		{name: "audit entity_id not a uuid", method: "GET", path: "/v1/audit-log?entity_id=abc", want: 422, loc: "query.entity_id"},
		{name: "audit NUL in entity filter", method: "GET", path: "/v1/audit-log?entity=%00", want: 0},
		{name: "audit actor_id not a uuid", method: "GET", path: "/v1/audit-log?actor_id=1%27%20OR%201=1--", want: 422, loc: "query.actor_id"},

		// Ids that are not UUIDs, numbers beyond a field's integer type: the field is named.
		{name: "model category_id not a uuid", method: "POST", path: "/v1/models",
			body: map[string]any{"category_id": "空调a", "sku": "X-1", "name": "X", "components": []any{}}, want: 422, loc: "body.category_id"},
		{name: "order customer_id not a uuid", method: "POST", path: "/v1/orders",
			body: map[string]any{"type": "repair_minor", "channel": "phone", "fault_description": "x", "customer_id": "nope"}, want: 422, loc: "body.customer_id"},
		{name: "customer value beyond int64", method: "PUT", path: "/v1/customers/" + customer + "/value", body: `{"lifetime_value": 1e300, "contracts": []}`,
			header: ifm, want: 422, loc: "body.lifetime_value"},

		// Members, tenant settings, tenants
		{name: "member PUT invalid role", method: "PUT", path: "/v1/members/" + zero, body: map[string]any{"role": "platform_admin"}, header: ifm, want: 422, loc: "body.role"},
		{name: "member list invalid role", method: "GET", path: "/v1/members?role=root", want: 422, loc: "query.role"},
		{name: "tenant PUT invalid timezone", method: "PUT", path: "/v1/tenant",
			body: map[string]any{"name": "T", "timezone": "Mars/Base", "currency": "CNY", "locale": "zh-CN"}, header: ifm, want: 422, loc: "body.timezone"},
		{name: "tenant PUT invalid currency", method: "PUT", path: "/v1/tenant",
			body: map[string]any{"name": "T", "timezone": "Asia/Shanghai", "currency": "yuan", "locale": "zh-CN"}, header: ifm, want: 422, loc: "body.currency"},
		{name: "tenant PUT mass-assign slug", method: "PUT", path: "/v1/tenant",
			body: map[string]any{"name": "T", "timezone": "Asia/Shanghai", "currency": "CNY", "locale": "zh-CN", "slug": "taken"}, header: ifm, want: 422, loc: "body.slug"},
		{name: "tenant PUT missing If-Match", method: "PUT", path: "/v1/tenant",
			body: map[string]any{"name": "T", "timezone": "Asia/Shanghai", "currency": "CNY", "locale": "zh-CN"}, want: 428, loc: "header.If-Match"},
		{name: "onboard bad slug", method: "POST", path: "/v1/tenants", token: op, body: map[string]any{"slug": "Bad Slug!", "name": "X", "kind": "brand",
			"admin": map[string]any{"email": "x@x.test", "name": "X", "password": apitest.Password}}, want: 422, loc: "body.slug"},
		{name: "onboard invalid timezone", method: "POST", path: "/v1/tenants", token: op, body: map[string]any{"slug": "tz-bad", "name": "X", "kind": "brand",
			"timezone": "Mars/Base", "admin": map[string]any{"email": "x@x.test", "name": "X", "password": apitest.Password}}, want: 422, loc: "body.timezone"},
		{name: "onboard mass-assign platform admin", method: "POST", path: "/v1/tenants", token: op, body: map[string]any{"slug": "pa-bad", "name": "X", "kind": "brand",
			"admin": map[string]any{"email": "x@x.test", "name": "X", "password": apitest.Password, "is_platform_admin": true}}, want: 422, loc: "body.admin.is_platform_admin"},
		{name: "onboard short password", method: "POST", path: "/v1/tenants", token: op, body: map[string]any{"slug": "pw-bad", "name": "X", "kind": "brand",
			"admin": map[string]any{"email": "x@x.test", "name": "X", "password": "short"}}, want: 422, loc: "body.admin.password"},
	}

	before := badCounts(t, env, tn)
	outletBefore := string(outletGet.Body)
	calBefore := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + calID, Token: tn.Admin}).Body

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := c.token
			if tok == "" && c.path != "/v1/auth/login" {
				tok = tn.Admin
			}
			r := apitest.Req{Method: c.method, Path: c.path, Token: tok, Body: c.body, Header: c.header}
			if s, ok := c.body.(string); ok && s == "" {
				r.Body = nil
				r.Header = map[string]string{"Content-Type": "application/json"}
			}
			resp := env.Do(r)
			badCheck(t, c, resp)
		})
	}

	// Bad input loses nothing and adds nothing.
	after := badCounts(t, env, tn)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s before the bad requests, %s after", k, v, after[k])
		}
	}
	if o := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + outlet, Token: tn.Admin}); string(o.Body) != outletBefore {
		t.Errorf("outlet changed by bad requests:\n%s\n%s", outletBefore, o.Body)
	}
	if c := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + calID, Token: tn.Admin}); string(c.Body) != string(calBefore) {
		t.Errorf("calendar changed by bad requests:\n%s\n%s", calBefore, c.Body)
	}
	days := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + calID + "/days?from=2026-01-01&to=2026-12-31", Token: tn.Admin}))
	if len(days) != 0 {
		t.Errorf("calendar days created by bad requests: %v", days)
	}
	// No refused onboarding left a tenant behind (other tests onboard tenants of their own
	// on the shared database meanwhile, so this looks the slugs up rather than counting).
	if err := env.Tenants.PlatformRead(context.Background(), "test: refused onboardings left no tenant", uuid.Nil, func(q db.DBTX) error {
		for _, slug := range []string{"Bad Slug!", "tz-bad", "pa-bad", "pw-bad"} {
			_, err := db.New().GetTenantBySlug(context.Background(), q, slug)
			switch {
			case err == nil:
				t.Errorf("a refused onboarding created tenant %q", slug)
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The tenant still works normally afterwards.
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: outletOK})
}

// badCheck asserts that resp is the problem c expects.
func badCheck(t *testing.T, c badCase, resp *apitest.Response) {
	t.Helper()
	req := c.method + " " + c.path
	if len(req) > 120 {
		req = req[:120] + "..."
	}
	body := string(resp.Body)
	short := body
	if len(short) > 600 {
		short = short[:600] + "..."
	}
	if resp.Status >= 500 {
		t.Errorf("%s: server error %d: %s", req, resp.Status, short)
	} else if resp.Status < 400 {
		t.Fatalf("%s: accepted with %d: %s", req, resp.Status, short)
	}
	if c.want != 0 && resp.Status != c.want {
		t.Errorf("%s: status %d, want %d: %s", req, resp.Status, c.want, short)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", req, ct)
	}
	lower := strings.ToLower(body)
	for _, leak := range badLeaks {
		if strings.Contains(lower, leak) {
			t.Errorf("%s: response reveals internals (%q): %s", req, leak, short)
		}
	}
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Errors []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		t.Errorf("%s: body is not a JSON problem: %v: %s", req, err, short)
		return
	}
	if !strings.HasPrefix(p.Type, "/problems/") {
		t.Errorf("%s: problem type %q does not start with /problems/", req, p.Type)
	} else if slug, ok := badProblemTypes[resp.Status]; ok && p.Type != "/problems/"+slug {
		t.Errorf("%s: problem type %q for status %d, want /problems/%s", req, p.Type, resp.Status, slug)
	}
	if p.Status != resp.Status {
		t.Errorf("%s: problem status %d, HTTP status %d", req, p.Status, resp.Status)
	}
	if p.Title == "" {
		t.Errorf("%s: problem without title: %s", req, short)
	}
	if c.loc != "" {
		var locs []string
		found := false
		for _, e := range p.Errors {
			locs = append(locs, e.Location)
			found = found || e.Location == c.loc
		}
		if !found {
			t.Errorf("%s: errors[].location %v does not name %s: %s", req, locs, c.loc, short)
		}
	}
}

// TestProblemsEchoOnlySmallValues: a refused value is echoed in the problem's errors only
// when it is small; a deeply nested body or a huge string is left out (the location still
// names it), so the refusal stays small and parses with any JSON parser.
func TestProblemsEchoOnlySmallValues(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for _, c := range []struct {
		name, body, loc string
		echoed          bool
	}{
		{"deep nesting", strings.Repeat("[", 9000) + strings.Repeat("]", 9000), "body", false},
		{"huge string", `{"code":"A","kind":"service_center","name":"` + strings.Repeat("n", 20_000) + `"}`, "body.name", false},
		{"small value", `{"code":"A","kind":"service_center","name":5}`, "body.name", true},
	} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: c.body})
		var p struct {
			Status int `json:"status"`
			Errors []struct {
				Location string `json:"location"`
				Value    any    `json:"value"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Errorf("%s: %d, problem does not parse (%v): %.200s", c.name, r.Status, err, r.Body)
			continue
		}
		if p.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Location != c.loc {
			t.Errorf("%s: %d %.300s, want 422 naming %s", c.name, r.Status, r.Body, c.loc)
			continue
		}
		if echoed := p.Errors[0].Value != nil; echoed != c.echoed || len(r.Body) > 2048 {
			t.Errorf("%s: value echoed %v (want %v), %d bytes: %.300s", c.name, echoed, c.echoed, len(r.Body), r.Body)
		}
	}
}

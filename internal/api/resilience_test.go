package api_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/platform"
)

func outletBody(code string) map[string]any {
	return map[string]any{"code": code, "name": "Outlet " + code, "kind": "authorized_outlet", "province_code": "440000"}
}

func countOutlets(t *testing.T, env *apitest.Env, tok string) int {
	t.Helper()
	page := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets?limit=200", Token: tok}).Map(t)
	return len(page["items"].([]any))
}

func TestIdempotencyKeyReplaysFirstResponse(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	before := countOutlets(t, env, tn.Admin)
	key := map[string]string{"Idempotency-Key": "create-outlet-" + env.Unique()}

	first := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: outletBody("IDEM-1"), Header: key})
	second := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: outletBody("IDEM-1"), Header: key})
	if string(first.Body) != string(second.Body) || second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, second.Body)
	}
	if got := countOutlets(t, env, tn.Admin); got != before+1 {
		t.Fatalf("outlets after replay: %d, want %d", got, before+1)
	}
	// Same key, different body: 422 naming the header, nothing created.
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: outletBody("IDEM-2"), Header: key})
	if r.Status != 422 || !strings.Contains(string(r.Body), "header.Idempotency-Key") {
		t.Fatalf("different body: %d %s", r.Status, r.Body)
	}
	// Keys are per tenant: another tenant may use the same key for its own request.
	other := env.NewTenant()
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: other.Admin, Body: outletBody("IDEM-1"), Header: key})
	if got := countOutlets(t, env, tn.Admin); got != before+1 {
		t.Fatalf("other tenant's key changed this tenant: %d", got)
	}
	// A rejected request frees nothing it did not take: a validation error is replayed too.
	badKey := map[string]string{"Idempotency-Key": "bad-" + env.Unique()}
	b1 := env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: map[string]any{"code": "X"}, Header: badKey})
	if b1.Status != 422 {
		t.Fatalf("invalid body: %d", b1.Status)
	}
}

func TestIdempotencyConcurrentSameKeyCreatesOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	before := countOutlets(t, env, tn.Admin)
	key := map[string]string{"Idempotency-Key": "race-" + env.Unique()}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: outletBody("RACE"), Header: key}).Status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("statuses %v: want only 201 (first or replay) and 409 (in flight)", statuses)
		}
	}
	if got := countOutlets(t, env, tn.Admin); got != before+1 {
		t.Fatalf("concurrent same-key requests created %d outlets", got-before)
	}
}

func TestConcurrentUpdatesNeverOverwrite(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	path := "/v1/outlets/" + tn.Outlets[0]
	got := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin})
	tag := got.Header.Get("ETag")
	if tag != `"1"` {
		t.Fatalf("etag %q", tag)
	}
	// Missing If-Match: 428, nothing changes.
	if r := env.Do(apitest.Req{Method: "PUT", Path: path, Token: tn.Admin, Body: outletBody("NEW")}); r.Status != 428 {
		t.Fatalf("no If-Match: %d %s", r.Status, r.Body)
	}
	// Ten writers with the same ETag: exactly one wins, the rest get 412.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, stale := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := env.Do(apitest.Req{Method: "PUT", Path: path, Token: tn.Admin, Body: outletBody(fmt.Sprintf("W%d", i)),
				Header: map[string]string{"If-Match": tag}})
			mu.Lock()
			defer mu.Unlock()
			switch r.Status {
			case 200:
				wins++
			case 412:
				stale++
			default:
				t.Errorf("writer %d: %d %s", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || stale != 9 {
		t.Fatalf("wins=%d stale=%d, want 1 and 9", wins, stale)
	}
	after := env.Must(200, apitest.Req{Method: "GET", Path: path, Token: tn.Admin})
	if after.Header.Get("ETag") != `"2"` {
		t.Fatalf("etag after one win: %q", after.Header.Get("ETag"))
	}
	// The audit log has exactly one update with before and after.
	audit := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?entity=outlet&action=outlet.update&entity_id=" + tn.Outlets[0], Token: tn.Admin}).Map(t)
	items := audit["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("audit updates: %d", len(items))
	}
	e := items[0].(map[string]any)
	if e["before"].(map[string]any)["version"].(float64) != 1 || e["after"].(map[string]any)["version"].(float64) != 2 {
		t.Fatalf("audit before/after: %v", e)
	}
}

func TestRateLimitPerTenant(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{Configure: func(c *platform.Config) { c.RateTenantPerSecond = 5; c.RateKeyPerSecond = 1000 }})
	tn := env.NewTenant()
	limited := 0
	for i := 0; i < 30; i++ {
		r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tn.Admin})
		if r.Status == 429 {
			limited++
			if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "/problems/rate-limited") {
				t.Fatalf("429 without Retry-After or problem type: %v %s", r.Header, r.Body)
			}
		}
	}
	if limited == 0 {
		t.Fatal("30 requests at a 5/s tenant limit were never limited")
	}
}

func TestRedisDownKeepsServing(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	env := apitest.New(t, apitest.Options{RedisURL: "redis://" + addr + "/0",
		Configure: func(c *platform.Config) { c.RateTenantPerSecond = 1; c.RateKeyPerSecond = 1 }})
	tn := env.NewTenant()
	for i := 0; i < 10; i++ {
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tn.Admin})
	}
	metrics := env.Must(200, apitest.Req{Method: "GET", Path: "/metrics"})
	if !strings.Contains(string(metrics.Body), "aftersales_ratelimit_errors_total") ||
		strings.Contains(string(metrics.Body), "aftersales_ratelimit_errors_total 0\n") {
		t.Fatalf("limiter failures not counted")
	}
}

func TestContactMaskingByRole(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	c := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
		"name": "赵敏", "phone": "13812345678", "email": "zhao.min@example.com", "address": "浦东新区世纪大道100号12楼"}}).Map(t)
	if c["phone"] != "+8613812345678" || c["masked"] != false {
		t.Fatalf("admin sees: %v", c)
	}
	_, finance := env.Person(tn, "finance", "")
	_, agent := env.Person(tn, "agent", "")
	_, eng := env.Person(tn, "engineer", tn.Outlets[0])
	for name, tok := range map[string]string{"finance": finance, "engineer": eng} {
		got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers/" + c["id"].(string), Token: tok}).Map(t)
		if got["phone"] != "+86138****5678" || got["email"] != "z***@example.com" || got["address"] != "浦东新区世纪****" || got["masked"] != true {
			t.Fatalf("%s sees unmasked contact data: %v", name, got)
		}
		list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers", Token: tok})
		if strings.Contains(string(list.Body), "13812345678") {
			t.Fatalf("%s list leaks the phone", name)
		}
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers/" + c["id"].(string), Token: agent}).Map(t)
	if got["phone"] != "+8613812345678" {
		t.Fatalf("agent needs the phone: %v", got["phone"])
	}
	// Repeat-customer lookup by phone in any format.
	found := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers?phone=138-1234-5678", Token: agent}).Map(t)
	if len(found["items"].([]any)) != 1 {
		t.Fatalf("lookup by phone: %v", found)
	}
}

func TestOversizeBodyWithIdempotencyKeyIs413(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	big := map[string]any{"code": "BIG", "name": strings.Repeat("x", 70<<10), "kind": "warehouse"}
	for _, h := range []map[string]string{nil, {"Idempotency-Key": "big-" + env.Unique()}} {
		r := env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: big, Header: h})
		if r.Status != 413 || !strings.Contains(string(r.Body), "/problems/body-too-large") {
			t.Fatalf("oversize body (headers %v): %d %s", h, r.Status, r.Body)
		}
	}
	for _, c := range []struct{ method, path string }{{"PATCH", "/v1/outlets/" + tn.Outlets[0]}, {"GET", "/v1/nothing-here"}} {
		r := env.Do(apitest.Req{Method: c.method, Path: c.path, Token: tn.Admin})
		if r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(r.Body), "/problems/") {
			t.Fatalf("%s %s: %d %q %s", c.method, c.path, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
}

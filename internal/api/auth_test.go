package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

func TestLoginLogoutAndSessions(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	// Onboarding over HTTP: the platform operator creates the tenant and its first admin,
	// whose password is stored at the production cost and signs in below.
	u := env.Unique()
	tn := &apitest.Tenant{AdminEmail: "admin" + u + "@tenant.test"}
	tn.ID = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/tenants", Token: env.PlatformAdmin(), Body: map[string]any{
		"slug": "t-" + u, "name": "Tenant " + u, "kind": "brand",
		"admin": map[string]string{"email": tn.AdminEmail, "name": "Admin " + u, "password": apitest.Password}}}).Map(t)["id"].(string)
	tn.Admin = env.Login(tn.AdminEmail)

	bad := env.Do(apitest.Req{Method: "POST", Path: "/v1/auth/login", Body: map[string]string{"email": tn.AdminEmail, "password": "wrong-password"}})
	if bad.Status != 401 || !strings.Contains(string(bad.Body), "/problems/unauthenticated") {
		t.Fatalf("wrong password: %d %s", bad.Status, bad.Body)
	}
	unknown := env.Do(apitest.Req{Method: "POST", Path: "/v1/auth/login", Body: map[string]string{"email": "nobody@x.test", "password": "whatever-123"}})
	if unknown.Status != 401 || string(unknown.Body) != string(bad.Body) {
		t.Fatalf("unknown email must look like a wrong password: %d %s", unknown.Status, unknown.Body)
	}

	login := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/auth/login", Body: map[string]string{"email": tn.AdminEmail, "password": apitest.Password}})
	cookie := login.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "aftersales_session=ses_") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Fatalf("session cookie: %q", cookie)
	}
	var sess struct{ Token string }
	login.JSON(t, &sess)

	// The cookie alone authenticates.
	sessionCookie := strings.SplitN(cookie, ";", 2)[0]
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Header: map[string]string{"Cookie": sessionCookie}}).Map(t)
	if me["role"] != "tenant_admin" || me["tenant_id"] != tn.ID {
		t.Fatalf("me: %v", me)
	}

	env.Must(204, apitest.Req{Method: "POST", Path: "/v1/auth/logout", Token: sess.Token})
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/me", Token: sess.Token}); r.Status != 401 {
		t.Fatalf("token after logout: %d", r.Status)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets"}); r.Status != 401 {
		t.Fatalf("no credential: %d", r.Status)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: "ses_forged"}); r.Status != 401 {
		t.Fatalf("forged token: %d", r.Status)
	}

	// Logins and failures are in the tenant's audit log with IP and agent.
	page := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?entity=user", Token: tn.Admin}).Map(t)
	actions := map[string]bool{}
	for _, it := range page["items"].([]any) {
		e := it.(map[string]any)
		actions[e["action"].(string)] = true
		if e["ip"] == "" || e["user_agent"] == "" {
			t.Errorf("login entry without ip/agent: %v", e)
		}
	}
	if !actions["auth.login"] || !actions["auth.login_failed"] {
		t.Fatalf("audit actions: %v", actions)
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()

	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin,
		Body: map[string]any{"name": "erp", "role": "agent", "scopes": []string{"outlets:read"}}}).Map(t)
	key := created["token"].(string)
	if !strings.HasPrefix(key, "ask_") {
		t.Fatalf("key: %q", key)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: key})
	// Scoped below its role: the agent role may read customers, this key may not.
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/customers", Token: key}); r.Status != 403 {
		t.Fatalf("scoped key read customers: %d", r.Status)
	}
	// Listing never shows secrets.
	list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/api-keys", Token: tn.Admin})
	if strings.Contains(string(list.Body), key) || strings.Contains(string(list.Body), "secret") {
		t.Fatalf("list leaks the key: %s", list.Body)
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/api-keys/" + created["id"].(string), Token: tn.Admin}).Map(t)
	if got["last_used_at"] == nil {
		t.Fatalf("last_used_at not recorded: %v", got)
	}
	// A tampered secret fails.
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: key[:len(key)-2] + "AA"}); r.Status != 401 {
		t.Fatalf("tampered key: %d", r.Status)
	}
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/api-keys/" + created["id"].(string), Token: tn.Admin})
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: key}); r.Status != 401 {
		t.Fatalf("revoked key: %d", r.Status)
	}
	// A scope the role does not hold is refused.
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin,
		Body: map[string]any{"name": "x", "role": "auditor", "scopes": []string{"outlets:write"}}})
	if r.Status != 422 || !strings.Contains(string(r.Body), "body.scopes[0]") {
		t.Fatalf("scope beyond role: %d %s", r.Status, r.Body)
	}
}

func TestConsumerOTPFlow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{})
	e164 := env.Phone()
	phone := e164[3:] // national form; the API normalises it
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	msg := env.Sender.Last(e164)
	code := regexp.MustCompile(`\d{6}`).FindString(msg)
	if code == "" {
		t.Fatalf("no code in %q", msg)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": wrong}}); r.Status != 401 {
		t.Fatalf("wrong code: %d", r.Status)
	}
	ok := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}})
	var sess struct{ Token string }
	ok.JSON(t, &sess)
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: sess.Token}).Map(t)
	if me["label"] != e164[:6]+"****"+e164[len(e164)-4:] {
		t.Fatalf("consumer label should be masked: %v", me["label"])
	}
	// A code works once.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}}); r.Status != 401 {
		t.Fatalf("reused code: %d", r.Status)
	}
	// Consumers cannot reach staff endpoints, staff cannot reach consumer ones.
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: sess.Token}); r.Status != 403 {
		t.Fatalf("consumer on staff endpoint: %d", r.Status)
	}
	// The same phone signs in to the same consumer.
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": "+86" + phone}})
	code2 := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(e164))
	ok2 := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code2}})
	var sess2 struct{ Token string }
	ok2.JSON(t, &sess2)
	me2 := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: sess2.Token}).Map(t)
	if me2["id"] != me["id"] {
		t.Fatalf("same phone, different consumer: %v vs %v", me2["id"], me["id"])
	}
	// Signing out revokes that session only; staff cannot use the consumers' sign-out.
	out := env.Must(204, apitest.Req{Method: "POST", Path: "/v1/consumer/logout", Token: sess2.Token})
	if c := out.Header.Get("Set-Cookie"); !strings.Contains(c, "Max-Age=0") && !strings.Contains(c, "Expires=Thu, 01 Jan 1970") {
		t.Errorf("sign-out leaves the cookie: %q", c)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: sess2.Token}); r.Status != 401 {
		t.Fatalf("a signed-out session: %d", r.Status)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: sess.Token})
	tn := env.NewTenant()
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/logout", Token: tn.Admin}); r.Status != 403 {
		t.Fatalf("staff on the consumers' sign-out: %d", r.Status)
	}
}

func TestConsumerOTPAttemptsAndRateLimit(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	phone := env.Phone()
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(phone))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 0; i < 5; i++ {
		env.Must(401, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": wrong}})
	}
	// After five wrong tries the right code is dead too.
	env.Must(401, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}})

	// Five sends an hour per destination (the first one above counts).
	for i := 0; i < 4; i++ {
		env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	}
	r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth code: %d %v", r.Status, r.Header)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": "12345"}}); r.Status != 422 {
		t.Fatalf("bad destination: %d", r.Status)
	}
	_ = http.StatusOK
}

// A consumer identity is global: the same phone in two tenants' customer records is one
// consumer, and signing in with a code to that phone is that consumer.
func TestCustomersLinkToOneConsumerIdentity(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewTenant(), env.NewTenant()
	phone := env.Phone()
	ca := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: a.Admin, Body: map[string]any{"name": "张三", "phone": phone[3:]}}).Map(t)
	cb := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: b.Admin, Body: map[string]any{"name": "Zhang San", "phone": phone}}).Map(t)
	if ca["consumer_id"] == nil || ca["consumer_id"] != cb["consumer_id"] {
		t.Fatalf("consumer ids: %v vs %v", ca["consumer_id"], cb["consumer_id"])
	}
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}}).JSON(t, &sess)
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: sess.Token}).Map(t)
	if me["id"] != ca["consumer_id"] {
		t.Fatalf("signed-in consumer %v, customer records point at %v", me["id"], ca["consumer_id"])
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/customers", Token: a.Admin, Body: map[string]any{"name": "x", "email": "not-an-email"}}); r.Status != 422 {
		t.Fatalf("bad email: %d", r.Status)
	}
}

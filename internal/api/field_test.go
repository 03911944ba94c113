package api_test

// The engineer's phone app (/field) signs in once per device and sends what the engineer did
// offline later, perhaps more than once: every action it queues carries an Idempotency-Key,
// and a replay applies once.

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/api/apitest"
)

// TestEngineerStaysSignedInOnTheDevice: a sign-in that remembers the device lasts weeks (the
// cookie too), a plain one a working day; signing out ends the device's session at once.
func TestEngineerStaysSignedInOnTheDevice(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	email, _ := env.Person(tn, "engineer", tn.Outlets[0])
	login := func(device bool) (string, time.Time, *http.Cookie) {
		t.Helper()
		r := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/auth/login",
			Body: map[string]any{"email": email, "password": apitest.Password, "remember_device": device}})
		var out struct {
			Token     string    `json:"token"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		r.JSON(t, &out)
		cookies := (&http.Response{Header: r.Header}).Cookies()
		if len(cookies) != 1 {
			t.Fatalf("sign-in set cookies %v", cookies)
		}
		return out.Token, out.ExpiresAt, cookies[0]
	}
	_, dayEnds, _ := login(false)
	if d := time.Until(dayEnds); d > 24*time.Hour {
		t.Fatalf("a plain sign-in lasts %v", d)
	}
	tok, ends, cookie := login(true)
	if d := time.Until(ends); d < 7*24*time.Hour {
		t.Fatalf("a sign-in that remembers the device lasts only %v", d)
	}
	if cookie.Expires.Sub(ends).Abs() > 2*time.Second {
		t.Fatalf("the device's cookie expires at %v, its session at %v", cookie.Expires, ends)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok})
	env.Must(204, apitest.Req{Method: "POST", Path: "/v1/auth/logout", Token: tok})
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok})
}

// tinyPNG is a 1x1 PNG.
var tinyPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

// TestEngineerActionsSentAgainApplyOnce: accepting, moving, reporting a position, attaching a
// photo and filing the report, each sent twice with its Idempotency-Key (a queue replaying
// after a lost answer), change the order once and answer the same both times.
func TestEngineerActionsSentAgainApplyOnce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	outlet := w.tn.Outlets[0]
	_, eng := env.Person(w.tn, "engineer", outlet)
	uid := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: eng}).Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + uid, Token: w.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 2, "active": true, "is_default": true}})
	id := str(w.order(t, map[string]any{"channel": "on_site", "type": "inspection", "designated_engineer_id": uid})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": "accepted"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin, Body: map[string]any{"role": "lead"}})

	// twice sends a request twice with one key: both answers alike, the second a replay.
	twice := func(name string, want int, r apitest.Req) *apitest.Response {
		t.Helper()
		r.Token = eng
		r.Header = map[string]string{"Idempotency-Key": "field-" + name + "-" + env.Unique()}
		if r.Body != nil {
			if _, raw := r.Body.([]byte); raw {
				r.Header["Content-Type"] = "image/png"
			}
		}
		first := env.Must(want, r)
		again := env.Must(want, r)
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
			t.Fatalf("%s sent again: replayed %q, %s, first %s", name, again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
		}
		return first
	}
	twice("accept", 200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/answer", Body: map[string]any{"accept": true}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": "scheduled"}})
	twice("en-route", 200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Body: map[string]any{"to": "en_route"}})
	twice("position", 204, apitest.Req{Method: "POST", Path: "/v1/me/position", Body: map[string]any{"latitude": 31.23, "longitude": 121.47}})
	twice("check-in", 200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Body: map[string]any{"to": "on_site"}})
	photo := twice("photo", 201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/attachments?kind=photo", Body: tinyPNG}).Map(t)
	atts := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/attachments", Token: eng}).Map(t)["items"].([]any)
	if len(atts) != 1 {
		t.Fatalf("a photo sent twice with one key is attached %d times", len(atts))
	}
	done := twice("complete", 200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Body: map[string]any{
		"diagnosis": "压缩机启动电容失效", "work_done": "更换电容", "result": "fixed", "photo_ids": []any{photo["id"]},
		"parts": []map[string]any{{"code": "CAP-35", "quantity": 1, "old_serial": "OLD-1", "new_serial": "NEW-1"}}}}).Map(t)
	if done["status"] != "completed" {
		t.Fatalf("the report left the order %v", done["status"])
	}
	tl := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/timeline", Token: w.tn.Admin})
	for _, to := range []string{`"on_site"`, `"completed"`} {
		if n := strings.Count(string(tl.Body), `"to":`+to); n != 1 {
			t.Errorf("the timeline moves to %s %d times: %s", to, n, tl.Body)
		}
	}
	// Sent again without its key, the check-in is refused: the order is no longer on its way.
	env.Must(409, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: eng, Body: map[string]any{"to": "on_site"}})
}

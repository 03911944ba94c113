package api_test

// The engineer's phone app, more of it: quotes from the job page, the month's pay so far,
// the devices signed in, and a reason on van returns.

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// engineerOnJob makes an engineer of the world's first outlet, the designated engineer of a
// new on-site order accepted by them; it returns the engineer's token, user id and the order.
func engineerOnJob(t *testing.T, env *apitest.Env, w *orderWorld) (string, string, string) {
	t.Helper()
	outlet := w.tn.Outlets[0]
	_, eng := env.Person(w.tn, "engineer", outlet)
	uid := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: eng}).Map(t)["id"])
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + uid, Token: w.tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"outlet_id": outlet, "skills": []string{}, "level": 2, "active": true, "is_default": true}})
	id := str(w.order(t, map[string]any{"channel": "on_site", "type": "inspection", "designated_engineer_id": uid})["order"].(map[string]any)["id"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: w.tn.Admin, Body: map[string]any{"to": "accepted"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/engineers", Token: w.tn.Admin, Body: map[string]any{"role": "lead"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/answer", Token: eng, Body: map[string]any{"accept": true}})
	return eng, uid, id
}

// TestEngineerQuotesOwnJobOnly: the engineer on a job sends a quote from the phone (sent
// twice with one Idempotency-Key, it is made once) and the staff see it waiting for the
// customer; another engineer of the same outlet, one of another outlet and another tenant's
// staff cannot quote the order (not found), and bad lines are refused at their field.
func TestEngineerQuotesOwnJobOnly(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	eng, _, id := engineerOnJob(t, env, w)
	lines := map[string]any{"lines": []map[string]any{
		{"kind": "part", "description": "Start capacitor", "quantity": 2, "unit_price": 3500},
		{"kind": "labour", "description": "Labour", "quantity": 1, "unit_price": 8000},
		{"kind": "visit", "description": "Visit fee", "quantity": 1, "unit_price": 3000}}}
	key := map[string]string{"Idempotency-Key": "field-quote-" + env.Unique()}
	first := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: eng, Header: key, Body: lines}).Map(t)
	again := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: eng, Header: key, Body: lines}).Map(t)
	if first["id"] != again["id"] || first["status"] != "sent" {
		t.Fatalf("a quote sent twice with one key: %v then %v", first["id"], again["id"])
	}
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/quotes", Token: w.tn.Admin}).Map(t)["items"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["status"] != "sent" || len(got[0].(map[string]any)["lines"].([]any)) != 3 {
		t.Fatalf("the staff see quotes %v", got)
	}

	_, sameOutlet := env.Person(w.tn, "engineer", w.tn.Outlets[0])
	_, otherOutlet := env.Person(w.tn, "engineer", w.tn.Outlets[1])
	other := env.NewTenant()
	for name, tok := range map[string]string{"an engineer of the outlet not on the job": sameOutlet,
		"an engineer of another outlet": otherOutlet, "another tenant's admin": other.Admin} {
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: tok, Body: lines}); r.Status != 404 {
			t.Errorf("%s quotes the order: %d %s", name, r.Status, r.Body)
		}
	}
	bad := env.Do(apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/quotes", Token: eng, Body: map[string]any{
		"lines": []map[string]any{{"kind": "part", "description": "x", "quantity": 0, "unit_price": 100}}}})
	if bad.Status != 422 || !problemAt(t, bad, "body.lines[0].quantity") {
		t.Fatalf("a line of no units: %d %s", bad.Status, bad.Body)
	}
	if n := len(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/" + id + "/quotes", Token: w.tn.Admin}).Map(t)["items"].([]any)); n != 1 {
		t.Fatalf("refused quotes were stored: %d quotes", n)
	}
}

// TestEngineerMonthSoFar: an engineer reads their own pay lines earned this month (the
// tenant's month) and the total: not last month's, not another engineer's of the same
// outlet, and another tenant's engineer sees none of them.
func TestEngineerMonthSoFar(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	eng, uid, order := engineerOnJob(t, env, w)
	_, peer := env.Person(w.tn, "engineer", w.tn.Outlets[0])
	peerID := str(env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: peer}).Map(t)["id"])
	// Lines as the audit writes them: the engineer's commission and a late deduction this
	// month, one of last month, and the peer's commission.
	err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(w.tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `
			WITH today AS (SELECT (now() AT TIME ZONE t.timezone)::date AS d FROM tenants t WHERE t.id = app.tenant_id())
			INSERT INTO pay_entries (tenant_id, id, party_kind, party_id, outlet_id, order_id, order_number, kind, rule, rule_version, cause,
			                         amount, currency, effect_key, accrued_on)
			SELECT app.tenant_id(), gen_random_uuid(), 'engineer', v.party, $3, $4, 'SO-1', v.kind, v.rule, 1, 'audit', v.amount, 'CNY',
			       'k-' || gen_random_uuid(), CASE WHEN v.last THEN date_trunc('month', today.d)::date - 1 ELSE today.d END
			FROM today, (VALUES ($1::uuid, 'commission', 'rate-1', 5000, false), ($1::uuid, 'late', 'late', -800, false),
			                    ($1::uuid, 'commission', 'rate-1', 7000, true), ($2::uuid, 'commission', 'rate-1', 9900, false))
			     AS v(party, kind, rule, amount, last)`, uid, peerID, w.tn.Outlets[0], order)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var mine struct {
		Month       string `json:"month"`
		Base        int64  `json:"base"`
		Adjustments int64  `json:"adjustments"`
		Total       int64  `json:"total"`
		Lines       []struct {
			OrderID string `json:"order_id"`
			Rule    string `json:"rule"`
			Amount  int64  `json:"amount"`
		} `json:"lines"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/pay", Token: eng}).JSON(t, &mine)
	if len(mine.Lines) != 2 || mine.Base != 5000 || mine.Adjustments != -800 || mine.Total != 4200 || mine.Lines[0].OrderID != order {
		t.Fatalf("my month so far: %+v, want commission 5000 and late -800 of this month only", mine)
	}
	var peers struct {
		Total int64 `json:"total"`
		Lines []any `json:"lines"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/pay", Token: peer}).JSON(t, &peers)
	if len(peers.Lines) != 1 || peers.Total != 9900 {
		t.Fatalf("the peer's month: %+v, want only their own line", peers)
	}
	other := env.NewTenant()
	_, stranger := env.Person(other, "engineer", other.Outlets[0])
	var none struct {
		Total int64 `json:"total"`
		Lines []any `json:"lines"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/pay", Token: stranger}).JSON(t, &none)
	if len(none.Lines) != 0 || none.Total != 0 {
		t.Fatalf("another tenant's engineer sees %+v", none)
	}
	// Naming the tenant does not help: the stranger holds no membership there.
	env.Must(403, apitest.Req{Method: "GET", Path: "/v1/me/pay", Token: stranger, Tenant: w.tn.ID})
}

// TestDevicesSignedIn: a user signed in on two devices lists both (this one marked), signs
// the other out (its next request is 401), cannot sign out another user's session (404),
// and signing out all others leaves only this device.
func TestDevicesSignedIn(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	email, phone := env.Person(tn, "engineer", tn.Outlets[0])
	login := func(agent string) string {
		t.Helper()
		var out struct {
			Token string `json:"token"`
		}
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/auth/login", Header: map[string]string{"User-Agent": agent},
			Body: map[string]any{"email": email, "password": apitest.Password, "remember_device": true}}).JSON(t, &out)
		return out.Token
	}
	tablet, laptop := login("Tablet/1.0"), login("Laptop/2.0")
	type device struct {
		ID        string `json:"id"`
		UserAgent string `json:"user_agent"`
		Current   bool   `json:"current"`
	}
	var list struct {
		Items []device `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/sessions", Token: phone}).JSON(t, &list)
	if len(list.Items) != 3 {
		t.Fatalf("devices: %+v, want three", list.Items)
	}
	var tabletID, current string
	for _, d := range list.Items {
		if d.UserAgent == "Tablet/1.0" {
			tabletID = d.ID
		}
		if d.Current {
			current = d.ID
		}
	}
	if tabletID == "" || current == "" || current == tabletID {
		t.Fatalf("devices: %+v, want the tablet listed and this device marked", list.Items)
	}
	// Another user, of this tenant or another, cannot end the tablet's session.
	_, peer := env.Person(tn, "engineer", tn.Outlets[0])
	other := env.NewTenant()
	for _, tok := range []string{peer, other.Admin} {
		env.Must(404, apitest.Req{Method: "DELETE", Path: "/v1/me/sessions/" + tabletID, Token: tok})
		var theirs struct {
			Items []device `json:"items"`
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/sessions", Token: tok}).JSON(t, &theirs)
		for _, d := range theirs.Items {
			if d.ID == tabletID {
				t.Fatalf("another user lists the tablet's session")
			}
		}
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tablet})
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/me/sessions/" + tabletID, Token: phone})
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: tablet})
	env.Must(404, apitest.Req{Method: "DELETE", Path: "/v1/me/sessions/" + tabletID, Token: phone})
	env.Must(404, apitest.Req{Method: "DELETE", Path: "/v1/me/sessions/" + uuid.NewString(), Token: phone})

	var ended struct {
		SignedOut int `json:"signed_out"`
	}
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/me/sessions/sign-out-others", Token: phone}).JSON(t, &ended)
	if ended.SignedOut != 1 {
		t.Fatalf("signed out %d others, want the laptop", ended.SignedOut)
	}
	env.Must(401, apitest.Req{Method: "GET", Path: "/v1/me", Token: laptop})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/sessions", Token: phone}).JSON(t, &list)
	if len(list.Items) != 1 || !list.Items[0].Current {
		t.Fatalf("after signing out the others: %+v", list.Items)
	}
}

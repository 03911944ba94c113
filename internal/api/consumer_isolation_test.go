package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/tenants"
)

// The consumer axis of the isolation matrix: two consumers of one tenant, each with units,
// orders, a quote, a paid purchase and in-app messages. Consumer A addresses every one of
// B's ids through every consumer operation that takes an id (in the path, the query or the
// body), as read from the served OpenAPI document, and gets the answer a never-existing id
// gets; B's rows are unchanged afterwards, and A's lists show A's rows and none of B's.

// ciBase is the prefix of a consumer's operations in one tenant.
const ciBase = "/v1/consumer/tenants/{tenant}"

// ciGhost is an id that never existed: B's ids must be answered exactly like it.
const ciGhost = "0190d1c2-0000-7000-8000-00000000c0de"

// ciWorker runs the worker as the product composes it for what these tests need: the
// billing consumer (Stripe events) and the notifier (in-app messages to customers; SMS and
// email fail at once for want of a provider). The function it returns waits until every job
// but the SLA wakes and sends held back by quiet hours has run.
func ciWorker(t *testing.T, env *apitest.Env) func() {
	t.Helper()
	client, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, true, env.Billing.Consumer(), notify.New(env.Tenants, env.Log, notify.Providers{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return func() {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var n int
			if err := env.DB.Owner.QueryRow(context.Background(),
				`SELECT count(*) FROM river.river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')
				   AND kind NOT IN ('sla_wake', 'sla_timer', 'sla_sweep') AND NOT (kind = 'notify_send' AND state = 'scheduled')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d jobs unfinished", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// ciWorld is a tenant ready for consumers: a model under a policy, outlets covering
// Shanghai and authorized for the category, a plan and an on-site upgrade on sale.
type ciWorld struct {
	tn            *apitest.Tenant
	sku, model    string
	plan, upgrade string // express products
	planAmount    int64
}

func ciNewWorld(t *testing.T, env *apitest.Env, tn *apitest.Tenant) *ciWorld {
	t.Helper()
	u := env.Unique()
	w := &ciWorld{tn: tn, sku: "AC-" + strings.ToUpper(u)}
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{
		"code": "ac-" + u, "name": "Air conditioners"}}).Map(t)["id"].(string)
	w.model = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": cat, "sku": w.sku, "name": "Split AC",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}}).Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: tn.Admin}).Map(t)
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: tn.Admin, Body: map[string]any{
		"name": "National", "category_ids": []string{cat}, "effective_from": "2020-01-01", "rules": rules}})
	for _, o := range tn.Outlets {
		env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + o + "/coverage", Token: tn.Admin, Body: map[string]any{"region_code": "31"}})
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/outlets/" + o + "/authorizations", Token: tn.Admin,
			Body: map[string]any{"category_id": cat, "authorized": true}})
	}
	w.plan = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct(u)}).Map(t)["id"].(string)
	w.planAmount = 39900
	// Personal returns within 30 days: a consumer may ask for an exchange of a unit bought 20 days ago.
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/return-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"0"`},
		Body: map[string]any{"allow_personal": true, "personal_days": 30, "advance_deadline_days": 15}})
	w.upgrade = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: map[string]any{
		"code": "onsite-" + strings.ToLower(u), "name": "6-hour on-site", "kind": "per_incident",
		"targets":      map[string]any{"arrival": map[string]any{"minutes": 360, "clock": "clock"}},
		"compensation": map[string]any{"kind": "refund_partial", "percent": 50},
		"prices":       []map[string]any{{"currency": "CNY", "unit_amount": 9900}}}}).Map(t)["id"].(string)
	return w
}

// ciConsumer is one signed-in consumer and what they have with the world's tenant.
type ciConsumer struct {
	phone, consumerID, customer, token string
	units                              [2]string // [0] registered by staff (bought by them; a paid plan), [1] registered in the portal
	serials                            [2]string
	order, orderNumber                 string // booked in the portal, on site, with an open quote
	quote                              string
	done, doneNumber                   string // taken in by staff, completed with an exclusion: disputable
	purchase                           string // the paid plan of units[0]
	ret                                string // a return case of units[1], opened by staff
	photo                              string // a photo the consumer uploaded to order
	messages                           []string
}

// ids are the consumer's ids, for "none of these in the body" checks.
func (c *ciConsumer) ids() []string {
	return append([]string{c.customer, c.consumerID, c.units[0], c.units[1], c.order, c.quote, c.done, c.purchase, c.ret, c.photo}, c.messages...)
}

// secrets are the consumer's ids and identifying data: none may reach another consumer.
func (c *ciConsumer) secrets() []string {
	return append(c.ids(), strings.TrimPrefix(c.phone, "+86"), c.serials[0], c.serials[1], c.orderNumber, c.doneNumber)
}

func (c *ciConsumer) path(w *ciWorld, p string) string {
	return strings.Replace(ciBase, "{tenant}", w.tn.Slug, 1) + p
}

// ciMake gives a new consumer the lot: a customer record taken by staff, two units, an
// order booked in the portal with a quote, an order taken in by staff and completed with an
// exclusion, a plan bought through Checkout (paid once the worker has run), an invoice image.
func ciMake(t *testing.T, env *apitest.Env, w *ciWorld) *ciConsumer {
	t.Helper()
	tn := w.tn
	u := strings.ToUpper(env.Unique())
	c := &ciConsumer{phone: env.Phone(), serials: [2]string{"SN-A" + u, "SN-B" + u}}
	c.customer = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
		"name": "Customer " + u, "phone": c.phone, "province_code": "310000", "city_code": "310100", "district_code": "310115",
		"address": "上海市浦东新区世纪大道100号"}}).Map(t)["id"].(string)
	c.token = consumerLogin(t, env, c.phone)
	c.consumerID = env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: c.token}).Map(t)["id"].(string)
	bought := time.Now().AddDate(0, 0, -20).Format(time.DateOnly)
	c.units[0] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": w.model, "serial": c.serials[0], "purchase_date": bought, "invoice_no": "INV-" + u,
		"buyer": map[string]any{"customer_id": c.customer}}}).Map(t)["id"].(string)
	c.units[1] = env.Must(201, apitest.Req{Method: "POST", Path: c.path(w, "/units"), Token: c.token, Body: map[string]any{
		"model_sku": w.sku, "serial": c.serials[1], "purchase_date": bought}}).Map(t)["id"].(string)
	for _, unit := range c.units {
		env.Must(200, apitest.Req{Method: "PUT", Path: c.path(w, "/units/"+unit+"/invoice-image"), Token: c.token,
			Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}})
	}

	booked := env.Must(201, apitest.Req{Method: "POST", Path: c.path(w, "/orders"), Token: c.token, Body: map[string]any{
		"registration_id": c.units[0], "type": "repair_minor", "on_site": true, "fault_description": "does not cool"}}).Map(t)["order"].(map[string]any)
	c.order, c.orderNumber = booked["id"].(string), booked["number"].(string)
	c.quote = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + c.order + "/quotes", Token: tn.Admin, Body: isoQuote()}).Map(t)["id"].(string)
	c.photo = env.Must(201, apitest.Req{Method: "POST", Path: c.path(w, "/orders/"+c.order+"/attachments"), Token: c.token,
		Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}}).Map(t)["id"].(string)

	taken := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": c.customer, "registration_id": c.units[0],
		"fault_description": "noisy", "fault_code": "E1"}}).Map(t)["order"].(map[string]any)
	c.done, c.doneNumber = taken["id"].(string), taken["number"].(string)
	att := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + c.done + "/attachments?kind=evidence", Token: tn.Admin,
		Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + c.done + "/transitions", Token: tn.Admin, Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + c.done + "/completion", Token: tn.Admin, Body: map[string]any{
		"diagnosis": "dropped", "work_done": "inspected", "result": "not_fixed", "exclusion": "misuse", "evidence_ids": []string{att}}})

	c.ret = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/returns/override", Token: tn.Admin, Body: map[string]any{
		"reason": "quality_fault", "collection": "courier", "override_reason": "batch fault", "lines": []map[string]any{{
			"registration_id": c.units[1], "remedy": "exchange", "paid": 100, "payment": "outside"}}}}).Map(t)["id"].(string)

	co := env.Must(201, apitest.Req{Method: "POST", Path: c.path(w, "/purchases"), Token: c.token, Body: map[string]any{
		"product_id": w.plan, "registration_id": c.units[0]}}).Map(t)
	c.purchase = co["purchase"].(map[string]any)["id"].(string)
	pi := "pi_" + strings.ReplaceAll(c.purchase, "-", "")[:20]
	paid := stripeEvent("evt_ci_"+c.purchase[:8]+u, "checkout.session.completed", paidSession(tn.ID, c.purchase, pi, w.planAmount))
	if r := postWebhook(env, paid, apitest.WebhookSecret); r.Status != 200 {
		t.Fatalf("payment webhook: %d %s", r.Status, r.Body)
	}
	return c
}

// ciFinish reads what the worker made of the consumer's events (the purchase paid, the
// in-app messages) and checks the fixtures are what the matrix needs.
func ciFinish(t *testing.T, env *apitest.Env, w *ciWorld, c *ciConsumer) {
	t.Helper()
	if got := env.Must(200, apitest.Req{Method: "GET", Path: c.path(w, "/purchases/"+c.purchase), Token: c.token}).Map(t)["status"]; got != "active" {
		t.Fatalf("purchase %s after payment: %v", c.purchase, got)
	}
	for _, m := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: c.path(w, "/notifications?unread=true&limit=100"), Token: c.token})) {
		c.messages = append(c.messages, m["id"].(string))
	}
	if len(c.messages) == 0 {
		t.Fatal("the consumer has no unread in-app message (order received, quote to approve)")
	}
	quotes := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: c.path(w, "/orders/"+c.order+"/quotes"), Token: c.token}))
	if len(quotes) != 1 || quotes[0]["status"] != "sent" {
		t.Fatalf("quotes of %s: %v", c.order, quotes)
	}
}

// ciParam is one id-bearing parameter of a consumer operation: "METHOD template where", where
// is path.<name>, query.<name> or body.<property path>.
type ciParam struct{ op, where, operationID string }

func (p ciParam) key() string { return p.op + " " + p.where }

// ciExempt are id-bearing parameters that name nothing of a consumer's own, with why.
var ciExempt = map[string]string{
	"POST " + ciBase + "/purchases body.product_id": "a product of the tenant's catalogue, on sale to every consumer of the tenant",
}

// ciIDName says whether a parameter or property names an id.
func ciIDName(name, format string) bool {
	return name == "id" || name == "ids" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids") || format == "uuid"
}

// ciSchema is the part of a JSON schema the matrix walks.
type ciSchema struct {
	Ref        string               `json:"$ref"`
	Format     string               `json:"format"`
	Properties map[string]*ciSchema `json:"properties"`
	Items      *ciSchema            `json:"items"`
}

// ciDoc is the part of the OpenAPI document the consumer matrix reads.
type ciDoc struct {
	Paths map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name   string `json:"name"`
			In     string `json:"in"`
			Schema struct {
				Format string `json:"format"`
			} `json:"schema"`
		} `json:"parameters"`
		RequestBody *struct {
			Content map[string]struct {
				Schema *ciSchema `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]*ciSchema `json:"schemas"`
	} `json:"components"`
}

// ciParams lists, from the served OpenAPI document, every parameter of a consumer operation
// that names an id: path parameters but the tenant's slug, and query parameters and body
// properties (at any depth) named like ids.
func ciParams(t *testing.T, env *apitest.Env) (params []ciParam, consumerOps int) {
	t.Helper()
	var doc ciDoc
	env.Must(200, apitest.Req{Method: "GET", Path: "/openapi.json"}).JSON(t, &doc)
	var walk func(where string, s *ciSchema, seen map[string]bool, add func(string))
	walk = func(where string, s *ciSchema, seen map[string]bool, add func(string)) {
		if s == nil {
			return
		}
		if s.Ref != "" {
			name := s.Ref[strings.LastIndex(s.Ref, "/")+1:]
			if seen[name] {
				return
			}
			ref, ok := doc.Components.Schemas[name]
			if !ok {
				t.Fatalf("openapi.json: %s refers to missing schema %s", where, s.Ref)
			}
			next := map[string]bool{name: true}
			for k := range seen {
				next[k] = true
			}
			walk(where, ref, next, add)
			return
		}
		for name, p := range s.Properties {
			format := p.Format
			if p.Items != nil {
				format = p.Items.Format
			}
			if ciIDName(name, format) {
				add(where + "." + name)
			}
			walk(where+"."+name, p, seen, add)
		}
		walk(where+"[]", s.Items, seen, add)
	}
	for tmpl, ops := range doc.Paths {
		if !strings.HasPrefix(tmpl, "/v1/consumer/") {
			continue
		}
		for method, op := range ops {
			method = strings.ToUpper(method)
			switch method {
			case "GET", "PUT", "POST", "PATCH", "DELETE":
			default:
				continue
			}
			consumerOps++
			add := func(where string) {
				params = append(params, ciParam{op: method + " " + tmpl, where: where, operationID: op.OperationID})
			}
			for _, p := range op.Parameters {
				switch {
				case p.In == "path" && p.Name == "tenant":
				case p.In == "path":
					add("path." + p.Name)
				case ciIDName(p.Name, p.Schema.Format):
					add(p.In + "." + p.Name)
				}
			}
			if op.RequestBody != nil {
				for _, ct := range op.RequestBody.Content {
					walk("body", ct.Schema, map[string]bool{}, add)
				}
			}
		}
	}
	sort.Slice(params, func(i, j int) bool { return params[i].key() < params[j].key() })
	return params, consumerOps
}

// ciCase is one of B's ids put, as consumer A, into one id-bearing parameter. cross carries
// B's id, ghost the same request with an id that never existed (so B's answer is compared
// with "no such thing"), own the same request with A's id, which must succeed (so the
// refusal is about ownership, not a wrong path or body).
type ciCase struct {
	key, name         string
	cross, ghost, own apitest.Req
	want              int    // status of cross and ghost
	field             string // with want 422: the location the problem names
	check             func(t *testing.T, r *apitest.Response)
	ownWant           int
}

// ciFill puts the tenant's slug and values into a path template.
func ciFill(tmpl, slug string, kv ...string) string {
	p := strings.Replace(tmpl, "{tenant}", slug, 1)
	for i := 0; i+1 < len(kv); i += 2 {
		p = strings.Replace(p, "{"+kv[i]+"}", kv[i+1], 1)
	}
	return p
}

// ciCases is the consumer matrix: every id-bearing parameter of every consumer operation,
// with each of B's ids of that kind.
func ciCases(t *testing.T, w *ciWorld, a, b *ciConsumer, slot string) []ciCase {
	t.Helper()
	slug := w.tn.Slug
	png := map[string]string{"Content-Type": "image/png"}
	var cases []ciCase
	add := func(c ciCase) {
		c.cross.Token, c.ghost.Token, c.own.Token = a.token, a.token, a.token
		cases = append(cases, c)
	}
	empty := func(t *testing.T, r *apitest.Response) {
		t.Helper()
		if items := isoItems(t, r); len(items) != 0 {
			t.Errorf("items: %v, want none", items)
		}
	}

	// Units: the invoice image, offers for a unit, purchases of a unit, booking service
	// on a unit, buying a plan for a unit.
	for i := range b.units {
		tmpl := ciBase + "/units/{id}/invoice-image"
		req := func(id string) apitest.Req {
			return apitest.Req{Method: "PUT", Path: ciFill(tmpl, slug, "id", id), Body: isoPNG, Header: png}
		}
		add(ciCase{key: "PUT " + tmpl + " path.id", name: fmt.Sprintf("B's unit %d invoice image", i),
			cross: req(b.units[i]), ghost: req(ciGhost), own: req(a.units[i]), want: 404, ownWant: 200})

		tmpl = ciBase + "/express-products"
		offers := func(id string) apitest.Req {
			return apitest.Req{Method: "GET", Path: ciFill(tmpl, slug) + "?registration_id=" + id}
		}
		add(ciCase{key: "GET " + tmpl + " query.registration_id", name: fmt.Sprintf("offers for B's unit %d", i),
			cross: offers(b.units[i]), ghost: offers(ciGhost), own: offers(a.units[i]), want: 404, ownWant: 200})

		tmpl = ciBase + "/purchases"
		mine := func(id string) apitest.Req {
			return apitest.Req{Method: "GET", Path: ciFill(tmpl, slug) + "?registration_id=" + id}
		}
		add(ciCase{key: "GET " + tmpl + " query.registration_id", name: fmt.Sprintf("my purchases of B's unit %d", i),
			cross: mine(b.units[i]), ghost: mine(ciGhost), own: mine(a.units[i]), want: 200, check: empty, ownWant: 200})

		buy := func(id string) apitest.Req {
			return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug), Body: map[string]any{"product_id": w.plan, "registration_id": id}}
		}
		add(ciCase{key: "POST " + tmpl + " body.registration_id", name: fmt.Sprintf("a plan for B's unit %d", i),
			cross: buy(b.units[i]), ghost: buy(ciGhost), own: buy(a.units[1]), want: 422, field: "body.registration_id", ownWant: 201})

		tmpl = ciBase + "/orders"
		book := func(id string) apitest.Req {
			return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug), Body: map[string]any{
				"registration_id": id, "type": "repair_minor", "fault_description": "rattles"}}
		}
		add(ciCase{key: "POST " + tmpl + " body.registration_id", name: fmt.Sprintf("service on B's unit %d", i),
			cross: book(b.units[i]), ghost: book(ciGhost), own: book(a.units[i]), want: 422, field: "body.registration_id", ownWant: 201})
	}

	// Return cases.
	retTmpl := ciBase + "/returns/{id}"
	ret := func(id string) apitest.Req { return apitest.Req{Method: "GET", Path: ciFill(retTmpl, slug, "id", id)} }
	add(ciCase{key: "GET " + retTmpl + " path.id", name: "B's return case", cross: ret(b.ret), ghost: ret(ciGhost), own: ret(a.ret),
		want: 404, ownWant: 200})

	// Orders: both of B's (booked in the portal, taken in by staff).
	for _, o := range []struct{ name, b, a string }{{"B's booked order", b.order, a.order}, {"B's taken-in order", b.done, a.done}} {
		for _, op := range []struct {
			method, tmpl string
			body         any
			ownWant      int
		}{
			{"GET", ciBase + "/orders/{id}", nil, 200},
			{"GET", ciBase + "/orders/{id}/slots", nil, 200},
			{"GET", ciBase + "/orders/{id}/quotes", nil, 200},
			{"GET", ciBase + "/orders/{id}/service", nil, 200},
		} {
			req := func(id string) apitest.Req {
				return apitest.Req{Method: op.method, Path: ciFill(op.tmpl, slug, "id", id), Body: op.body}
			}
			add(ciCase{key: op.method + " " + op.tmpl + " path.id", name: o.name + ": " + op.method + " " + op.tmpl,
				cross: req(o.b), ghost: req(ciGhost), own: req(o.a), want: 404, ownWant: op.ownWant})
		}
		tmpl := ciBase + "/purchases"
		up := func(id string) apitest.Req {
			return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug), Body: map[string]any{"product_id": w.upgrade, "order_id": id}}
		}
		add(ciCase{key: "POST " + tmpl + " body.order_id", name: "an upgrade for " + o.name,
			cross: up(o.b), ghost: up(ciGhost), own: up(a.order), want: 422, field: "body.order_id", ownWant: 201})
	}
	tmpl := ciBase + "/orders/{id}/appointment"
	appt := func(id string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", id), Body: map[string]any{"start": slot}}
	}
	add(ciCase{key: "POST " + tmpl + " path.id", name: "an appointment for B's order",
		cross: appt(b.order), ghost: appt(ciGhost), own: appt(a.order), want: 404, ownWant: 200})
	tmpl = ciBase + "/orders/{id}/disputes"
	dispute := func(id string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", id), Body: map[string]any{"statement": "it was never dropped"}}
	}
	add(ciCase{key: "POST " + tmpl + " path.id", name: "a dispute of B's order's exclusion",
		cross: dispute(b.done), ghost: dispute(ciGhost), own: dispute(a.done), want: 404, ownWant: 201})

	// Photos: uploading to B's order, what B's order allows, B's photo named on A's dispute
	// or return, B's order named on a return.
	tmpl = ciBase + "/orders/{id}/attachments"
	photo := func(id string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", id), Body: isoPNG, Header: png}
	}
	add(ciCase{key: "POST " + tmpl + " path.id", name: "a photo on B's order",
		cross: photo(b.done), ghost: photo(ciGhost), own: photo(a.done), want: 404, ownWant: 201})
	tmpl = ciBase + "/orders/{id}/after-sales"
	options := func(id string) apitest.Req { return apitest.Req{Method: "GET", Path: ciFill(tmpl, slug, "id", id)} }
	add(ciCase{key: "GET " + tmpl + " path.id", name: "what B's order allows",
		cross: options(b.done), ghost: options(ciGhost), own: options(a.done), want: 404, ownWant: 200})
	tmpl = ciBase + "/orders/{id}/disputes"
	withPhoto := func(id string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", a.order), Body: map[string]any{
			"statement": "see the photo", "attachment_ids": []string{id}}}
	}
	// A's own photo on A's order is accepted; the order has no exclusion to dispute (409).
	add(ciCase{key: "POST " + tmpl + " body.attachment_ids", name: "B's photo on A's dispute",
		cross: withPhoto(b.photo), ghost: withPhoto(ciGhost), own: withPhoto(a.photo), want: 422, field: "body.attachment_ids[0]", ownWant: 409})
	tmpl = ciBase + "/returns"
	askReturn := func(order, photo string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug), Body: map[string]any{
			"order_id": order, "kind": "exchange", "reason": "personal", "attachment_ids": []string{photo}}}
	}
	add(ciCase{key: "POST " + tmpl + " body.order_id", name: "a return of B's order",
		cross: askReturn(b.order, a.photo), ghost: askReturn(ciGhost, a.photo), own: askReturn(a.order, a.photo),
		want: 422, field: "body.order_id", ownWant: 201})
	add(ciCase{key: "POST " + tmpl + " body.attachment_ids", name: "B's photo on A's return",
		cross: askReturn(a.order, b.photo), ghost: askReturn(a.order, ciGhost), own: askReturn(a.order, a.photo),
		want: 422, field: "body.attachment_ids[0]", ownWant: 201})

	tmpl = ciBase + "/orders/{id}/rating"
	rate := func(id string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", id), Body: map[string]any{"score": 1, "comment": "poor"}}
	}
	// A's own order is found but in dispute by now (escalated): not to be rated yet.
	add(ciCase{key: "POST " + tmpl + " path.id", name: "a rating of B's completed order",
		cross: rate(b.done), ghost: rate(ciGhost), own: rate(a.done), want: 404, ownWant: 409})

	// Quotes: B's quote on B's order, B's quote on A's order, A's quote on B's order.
	tmpl = ciBase + "/orders/{id}/quotes/{quote}/decision"
	decide := func(order, quote string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug, "id", order, "quote", quote), Body: map[string]any{"approve": true}}
	}
	own := decide(a.order, a.quote)
	add(ciCase{key: "POST " + tmpl + " path.id", name: "approve B's quote on B's order",
		cross: decide(b.order, b.quote), ghost: decide(ciGhost, b.quote), own: own, want: 404, ownWant: 200})
	add(ciCase{key: "POST " + tmpl + " path.quote", name: "approve B's quote through A's order",
		cross: decide(a.order, b.quote), ghost: decide(a.order, ciGhost), own: own, want: 404, ownWant: 200})
	add(ciCase{key: "POST " + tmpl + " path.id", name: "approve A's quote on B's order",
		cross: decide(b.order, a.quote), ghost: decide(ciGhost, a.quote), own: own, want: 404, ownWant: 200})

	// Purchases: the receipt, the cancellation of B's paid plan, and giving up its checkout
	// (A's own paid plan is answered as it is).
	for _, op := range []struct{ method, tmpl string }{{"GET", ciBase + "/purchases/{id}"}, {"POST", ciBase + "/purchases/{id}/cancel"},
		{"POST", ciBase + "/purchases/{id}/abandon"}} {
		req := func(id string) apitest.Req {
			return apitest.Req{Method: op.method, Path: ciFill(op.tmpl, slug, "id", id)}
		}
		add(ciCase{key: op.method + " " + op.tmpl + " path.id", name: "B's purchase: " + op.method + " " + op.tmpl,
			cross: req(b.purchase), ghost: req(ciGhost), own: req(a.purchase), want: 404, ownWant: 200})
	}

	// In-app messages: ids not one's own are ignored, like ids of nothing.
	tmpl = ciBase + "/notifications/read"
	mark := func(ids []string) apitest.Req {
		return apitest.Req{Method: "POST", Path: ciFill(tmpl, slug), Body: map[string]any{"ids": ids}}
	}
	add(ciCase{key: "POST " + tmpl + " body.ids", name: "mark B's messages read",
		cross: mark(b.messages), ghost: mark([]string{ciGhost}), own: mark(a.messages), want: 200, ownWant: 200,
		check: func(t *testing.T, r *apitest.Response) {
			t.Helper()
			if m := r.Map(t); m["marked"] != float64(0) {
				t.Errorf("marked %v, want 0", m["marked"])
			}
		}})
	return cases
}

// ciSnapshot reads B's rows: as B through the portal and as the tenant's admin.
func ciSnapshot(t *testing.T, env *apitest.Env, w *ciWorld, b *ciConsumer) map[string]string {
	t.Helper()
	snap := map[string]string{}
	read := func(tok, p string) {
		r := env.Do(apitest.Req{Method: "GET", Path: p, Token: tok})
		if r.Status != 200 {
			t.Fatalf("GET %s as its owner: %d %s", p, r.Status, r.Body)
		}
		snap[p] = "ETag " + r.Header.Get("ETag") + " " + string(r.Body)
	}
	for _, p := range []string{"/units", "/orders", "/orders/" + b.order, "/orders/" + b.done, "/orders/" + b.order + "/quotes",
		"/purchases", "/purchases/" + b.purchase, "/notifications?limit=100", "/notification-preferences"} {
		read(b.token, b.path(w, p))
	}
	adm := w.tn.Admin
	for _, u := range b.units {
		for _, p := range []string{"", "/invoice-image", "/plans"} {
			read(adm, "/v1/registrations/"+u+p)
		}
	}
	for _, o := range []string{b.order, b.done} {
		for _, p := range []string{"", "/timeline", "/appointments", "/quotes", "/disputes", "/survey"} {
			read(adm, "/v1/orders/"+o+p)
		}
	}
	for _, p := range []string{"/v1/quotes/" + b.quote, "/v1/purchases/" + b.purchase, "/v1/customers/" + b.customer,
		"/v1/customers/" + b.customer + "/notification-preferences", "/v1/orders?customer_id=" + b.customer + "&limit=200",
		"/v1/registrations?customer_id=" + b.customer + "&limit=200",
		"/v1/purchases?limit=200", "/v1/billing/ledger?limit=200", "/v1/audit-log?limit=1"} {
		read(adm, p)
	}
	return snap
}

// ciNone fails if body carries any of the strings (not followed by a digit: order
// SO-2026-000001 is not in SO-2026-000012).
func ciNone(t *testing.T, what string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && regexp.MustCompile(regexp.QuoteMeta(s)+`([^0-9]|$)`).Match(body) {
			t.Errorf("ISOLATION: %s: the answer carries B's %q: %s", what, s, body)
		}
	}
}

// ciListIDs returns the ids of a list's items (for units, of their registrations).
func ciListIDs(t *testing.T, r *apitest.Response) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, it := range isoItems(t, r) {
		if reg, ok := it["registration"].(map[string]any); ok {
			it = reg
		}
		ids[fmt.Sprint(it["id"])] = true
	}
	return ids
}

func TestConsumerIsolationEveryIDParameter(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // runs a worker
	settle := ciWorker(t, env)
	w := ciNewWorld(t, env, env.NewTenant())
	a, b := ciMake(t, env, w), ciMake(t, env, w)
	settle()
	ciFinish(t, env, w, a)
	ciFinish(t, env, w, b)

	// An appointment window B's order can be booked in (and A's, in the same outlets).
	slots := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: b.path(w, "/orders/"+b.order+"/slots?days=14"), Token: b.token}))
	if len(slots) == 0 {
		t.Fatal("B's order has no appointment window to book")
	}
	slot := slots[len(slots)/2]["start"].(string)

	// The matrix covers exactly the id-bearing parameters the API serves.
	params, ops := ciParams(t, env)
	cases := ciCases(t, w, a, b, slot)
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.key] = true
	}
	served := map[string]bool{}
	for _, p := range params {
		served[p.key()] = true
		if why, ok := ciExempt[p.key()]; ok {
			t.Logf("not a consumer's id: %s (%s): %s", p.key(), p.operationID, why)
			continue
		}
		if !covered[p.key()] {
			t.Errorf("%s (%s) names an id: add a case with B's id to the consumer isolation matrix (ciCases), or an exemption with the reason (ciExempt)",
				p.key(), p.operationID)
		}
	}
	for k := range covered {
		if !served[k] {
			t.Errorf("the matrix has a case for %s, which the OpenAPI document no longer has: fix or remove it", k)
		}
	}
	for k := range ciExempt {
		if !served[k] {
			t.Errorf("exemption %s names nothing the OpenAPI document has", k)
		}
	}
	if ops < 15 || len(params) < 12 {
		t.Fatalf("only %d consumer operations, %d id parameters in the OpenAPI document: %v", ops, len(params), params)
	}

	before := ciSnapshot(t, env, w, b)

	// A addresses each of B's ids: the answer is the one an id of nothing gets, and carries
	// nothing of B's.
	for _, c := range cases {
		cross, ghost := env.Do(c.cross), env.Do(c.ghost)
		what := fmt.Sprintf("%s (%s %s)", c.name, c.cross.Method, c.cross.Path)
		if cross.Status != c.want {
			t.Errorf("ISOLATION: %s as consumer A: %d, want %d: %s", what, cross.Status, c.want, cross.Body)
		}
		switch {
		case c.want == 404:
			isoCheckProblem(t, what, cross, "/problems/not-found")
		case c.want == 422:
			isoCheckProblem(t, what, cross, "/problems/invalid-input")
			if !strings.Contains(string(cross.Body), `"`+c.field+`"`) {
				t.Errorf("%s: the problem does not name %s: %s", what, c.field, cross.Body)
			}
		case c.check != nil:
			c.check(t, cross)
		}
		if cross.Status != ghost.Status || !bytes.Equal(cross.Body, ghost.Body) {
			t.Errorf("ISOLATION: %s: B's id (%d %s) is distinguishable from an id of nothing (%d %s)", what,
				cross.Status, cross.Body, ghost.Status, ghost.Body)
		}
		ciNone(t, what, cross.Body, b.secrets())
		t.Logf("%s: %d %.120s", what, cross.Status, cross.Body)
	}

	// B's rows are as they were: same versions, same state, nothing audited.
	after := ciSnapshot(t, env, w, b)
	for p, v := range before {
		if after[p] != v {
			t.Errorf("ISOLATION: B's %s changed after consumer A's requests:\nbefore %s\nafter  %s", p, v, after[p])
		}
	}

	// A's lists show A's rows and none of B's.
	for _, l := range []struct {
		path string
		mine []string
	}{
		{"/units", a.units[:]},
		{"/orders", []string{a.order, a.done}},
		{"/purchases", []string{a.purchase}},
		{"/notifications?limit=100", a.messages},
	} {
		r := env.Must(200, apitest.Req{Method: "GET", Path: a.path(w, l.path), Token: a.token})
		ids := ciListIDs(t, r)
		for _, id := range l.mine {
			if !ids[id] {
				t.Errorf("A's %s does not list A's %s: %s", l.path, id, r.Body)
			}
		}
		ciNone(t, "A's "+l.path, r.Body, b.secrets())
	}

	// Control: the same requests with A's own ids succeed (so the refusals above are about
	// whose the ids are, not a wrong path or body). Reads first, then writes.
	sort.SliceStable(cases, func(i, j int) bool {
		return cases[i].own.Method == http.MethodGet && cases[j].own.Method != http.MethodGet
	})
	done := map[string]bool{}
	for _, c := range cases {
		k := c.own.Method + " " + c.own.Path + " " + string(mustJSON(t, c.own.Body))
		if done[k] {
			continue // one request serves several cases (e.g. A's quote decision)
		}
		done[k] = true
		if r := env.Do(c.own); r.Status != c.ownWant {
			t.Errorf("control: %s with A's own id (%s %s): %d, want %d: %s", c.name, c.own.Method, c.own.Path, r.Status, c.ownWant, r.Body)
		}
	}
	// A's notification preferences are A's: B's stay as they were.
	env.Must(200, apitest.Req{Method: "PUT", Path: a.path(w, "/notification-preferences"), Token: a.token,
		Body: map[string]any{"opt_outs": []map[string]string{{"channel": "sms", "event_class": "*"}}}})
	for _, p := range []struct{ tok, path string }{{b.token, b.path(w, "/notification-preferences")},
		{w.tn.Admin, "/v1/customers/" + b.customer + "/notification-preferences"}} {
		if r := env.Must(200, apitest.Req{Method: "GET", Path: p.path, Token: p.tok}); "ETag "+r.Header.Get("ETag")+" "+string(r.Body) != before[p.path] {
			t.Errorf("ISOLATION: B's preferences %s changed with A's: %s", p.path, r.Body)
		}
	}
	settle()
}

// A consumer new to a tenant reads its portal: lists are empty (or the tenant is not
// found), and reading leaves no trace in the tenant, no customer record above all.
func TestConsumerIsolationNewcomerReadsNothingAndLeavesNothing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	home, other := env.NewTenant(), env.NewTenant()
	phone := env.Phone()
	// A customer of home, with a unit there...
	unit := billingUnit(t, env, home, phone)
	tok := consumerLogin(t, env, phone)
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/me", Token: tok}).Map(t)["id"].(string)
	if ids := ciListIDs(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + home.Slug + "/units", Token: tok})); !ids[unit] {
		t.Fatalf("the consumer's unit in home: %v, want %s", ids, unit)
	}
	count := func() (api, owner int) {
		t.Helper()
		api = len(isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers?phone=" + strings.ReplaceAll(phone, "+", "%2B"), Token: other.Admin})))
		if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(other.ID)}, func(tx *tenants.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT count(*) FROM customers WHERE tenant_id = $1 AND (consumer_id = $2 OR phone = $3)`,
				other.ID, me, phone).Scan(&owner)
		}); err != nil {
			t.Fatal(err)
		}
		return api, owner
	}
	if a, o := count(); a != 0 || o != 0 {
		t.Fatalf("customer records of the newcomer in other before any request: API %d, database %d", a, o)
	}
	audit := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?limit=1", Token: other.Admin}).Body

	// ...reads other's portal, where they never dealt.
	for _, p := range []string{"/units", "/orders", "/purchases", "/notifications"} {
		r := env.Do(apitest.Req{Method: "GET", Path: "/v1/consumer/tenants/" + other.Slug + p, Token: tok})
		switch r.Status {
		case 200:
			if items := isoItems(t, r); len(items) != 0 {
				t.Errorf("ISOLATION: newcomer's %s in other: %v, want none", p, items)
			}
		case 404:
			isoCheckProblem(t, "newcomer's "+p, r, "/problems/not-found")
		default:
			t.Errorf("newcomer's %s in other: %d, want an empty list or 404: %s", p, r.Status, r.Body)
		}
		ciNone(t, "newcomer's "+p+" in other", r.Body, []string{unit})
	}

	// Reading leaves nothing behind: no customer record, nothing audited.
	records, rows := count()
	after := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?limit=1", Token: other.Admin}).Body
	t.Run("no customer record", func(t *testing.T) {
		if records != 0 || rows != 0 {
			t.Errorf("ISOLATION: reading other's portal created a customer record there for the newcomer: API %d, database %d", records, rows)
		}
		if !bytes.Equal(after, audit) {
			t.Errorf("reading other's portal was audited in other: %s", after)
		}
	})
}

// A consumer new to a tenant whose changes there are refused (ids that are not theirs, a
// unit of another model) leaves no customer record behind; the first change that succeeds
// makes them a customer, once, and shows them its result in the same request.
func TestConsumerIsolationNewcomerRefusedChangesLeaveNothing(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	home, other := env.NewTenant(), env.NewTenant()
	phone := env.Phone()
	homeUnit := billingUnit(t, env, home, phone)
	tok := consumerLogin(t, env, phone)
	// other sells a model the newcomer can register.
	u := env.Unique()
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: other.Admin, Body: map[string]any{"code": "ac-" + u, "name": "AC"}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: other.Admin, Body: map[string]any{
		"category_id": cat.Map(t)["id"], "sku": "AC-" + u, "name": "Split AC", "components": []any{}}})
	records := func() int {
		t.Helper()
		var n int
		if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(other.ID)}, func(tx *tenants.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT count(*) FROM customers WHERE tenant_id = $1 AND phone = $2`, other.ID, phone).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := "/v1/consumer/tenants/" + other.Slug
	bought := time.Now().AddDate(0, 0, -5).Format(time.DateOnly)
	for _, r := range []struct {
		name string
		req  apitest.Req
		want int
	}{
		{"invoice image of home's unit", apitest.Req{Method: "PUT", Path: base + "/units/" + homeUnit + "/invoice-image", Body: isoPNG,
			Header: map[string]string{"Content-Type": "image/png"}}, 404},
		{"service on home's unit", apitest.Req{Method: "POST", Path: base + "/orders", Body: map[string]any{
			"registration_id": homeUnit, "type": "repair_minor", "fault_description": "noisy"}}, 422},
		{"a unit of a model other does not sell", apitest.Req{Method: "POST", Path: base + "/units", Body: map[string]any{
			"model_sku": "NOPE-" + u, "serial": "SN-" + u, "purchase_date": bought}}, 422},
		{"a quote decision on a made-up order", apitest.Req{Method: "POST", Path: base + "/orders/" + ciGhost + "/quotes/" + ciGhost + "/decision",
			Body: map[string]any{"approve": true}}, 404},
	} {
		r.req.Token = tok
		resp := env.Do(r.req)
		if resp.Status != r.want {
			t.Errorf("%s: %d, want a refusal (%d): %s", r.name, resp.Status, r.want, resp.Body)
		}
		if n := records(); n != 0 {
			t.Fatalf("ISOLATION: after the refused %s the newcomer has %d customer records in other, want none", r.name, n)
		}
	}

	unit := env.Must(201, apitest.Req{Method: "POST", Path: base + "/units", Token: tok, Body: map[string]any{
		"model_sku": "AC-" + u, "serial": "SN-" + u, "purchase_date": bought}}).Map(t)["id"].(string)
	if n := records(); n != 1 {
		t.Fatalf("after registering a unit in other the newcomer has %d customer records there, want 1", n)
	}
	if ids := ciListIDs(t, env.Must(200, apitest.Req{Method: "GET", Path: base + "/units", Token: tok})); !ids[unit] || len(ids) != 1 {
		t.Fatalf("the newcomer's units in other: %v, want just %s", ids, unit)
	}
	env.Must(201, apitest.Req{Method: "POST", Path: base + "/units", Token: tok, Body: map[string]any{
		"model_sku": "AC-" + u, "serial": "SN2-" + u, "purchase_date": bought}})
	if n := records(); n != 1 {
		t.Fatalf("after a second unit the newcomer has %d customer records in other, want 1", n)
	}
}

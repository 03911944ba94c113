package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// isoDay is the date used for {day} path parameters and date query parameters.
const isoDay = "2026-10-01"

// isoWeek is a valid weekly_hours value.
func isoWeek() map[string]any {
	nine := []map[string]string{{"start": "09:00", "end": "18:00"}}
	none := []map[string]string{}
	return map[string]any{"mon": nine, "tue": nine, "wed": nine, "thu": nine, "fri": nine, "sat": none, "sun": none}
}

// isoFixtures are one resource of every kind with an id endpoint, in one tenant. The keys
// are the path prefixes (up to {id}) of the operations that address that kind.
type isoFixtures map[string]string

// isoKinds lists the path prefixes the matrix knows; an {id} operation under any other
// prefix fails TestIsolationEveryIDEndpoint until a fixture is added here and in isoMake.
var isoKinds = []string{"/v1/outlets/", "/v1/calendars/", "/v1/members/", "/v1/invitations/", "/v1/api-keys/", "/v1/customers/",
	"/v1/categories/", "/v1/models/", "/v1/fault-codes/", "/v1/registrations/", "/v1/policies/", "/v1/tier-rules/", "/v1/grants/",
	"/v1/imports/", "/v1/orders/", "/v1/quotes/", "/v1/attachments/", "/v1/disputes/", "/v1/outlet-coverage/", "/v1/engineers/",
	"/v1/notification-templates/", "/v1/webhook-endpoints/", "/v1/webhook-deliveries/", "/v1/sla/orders/",
	"/v1/express-products/", "/v1/purchases/", "/v1/billing/payment-flags/", "/v1/parts/", "/v1/warehouses/", "/v1/stock/movements/",
	"/v1/reservations/", "/v1/order-parts/", "/v1/transfers/", "/v1/partner-agreements/", "/v1/network-jobs/", "/v1/bills/",
	"/v1/bill-payments/", "/v1/claims/", "/v1/part-requests/", "/v1/claim-statements/", "/v1/pay-statements/",
	"/v1/rma-lines/", "/v1/rma-shipments/", "/v1/complaints/", "/v1/contacts/",
	"/v1/returns/", "/v1/survey-templates/", "/v1/callbacks/", "/v1/rectifications/", "/v1/billing/reconciliations/", "/v1/loans/",
	"/v1/part-orders/"}

// isoSnapshotSuffix completes a kind's prefix and id into a GET path where the kind has no
// GET prefix+id of its own.
var isoSnapshotSuffix = map[string]string{"/v1/sla/orders/": "/clocks"}

// isoMake creates, as the tenant's admin, one resource of each kind that can be changed or
// deleted by a request that crosses tenants if isolation were broken (an unused outlet, an
// outlet calendar with a holiday, a non-admin member, a pending invitation, a live API key,
// a customer).
func isoMake(t *testing.T, env *apitest.Env, tn *apitest.Tenant) isoFixtures {
	t.Helper()
	u := env.Unique()
	f := isoFixtures{}
	o := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: tn.Admin, Body: map[string]any{
		"code": "ISO-" + u, "name": "Isolation outlet " + u, "kind": "authorized_outlet", "province_code": "440000"}})
	f["/v1/outlets/"] = o.Map(t)["id"].(string)

	c := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/calendars", Token: tn.Admin, Body: map[string]any{
		"outlet_id": tn.Outlets[0], "name": "Outlet hours " + u, "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}})
	f["/v1/calendars/"] = c.Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + f["/v1/calendars/"] + "/days/" + isoDay, Token: tn.Admin,
		Body: map[string]any{"kind": "holiday", "name": "National Day"}, Header: map[string]string{"If-Match": c.Header.Get("ETag")}})

	email, _ := env.Person(tn, "agent", "")
	members := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members?role=agent&limit=200", Token: tn.Admin}).Map(t)
	for _, it := range members["items"].([]any) {
		if m := it.(map[string]any); m["email"] == email {
			f["/v1/members/"] = m["id"].(string)
		}
	}
	if f["/v1/members/"] == "" {
		t.Fatalf("membership of %s not listed: %v", email, members)
	}

	inv := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/invitations", Token: tn.Admin, Body: map[string]any{
		"email": "pending" + u + "@people.test", "role": "auditor"}})
	f["/v1/invitations/"] = inv.Map(t)["id"].(string)

	key := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: tn.Admin, Body: map[string]any{
		"name": "erp " + u, "role": "agent"}})
	f["/v1/api-keys/"] = key.Map(t)["id"].(string)

	cu := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
		"name": "Customer " + u, "phone": env.Phone(), "address": "上海市浦东新区世纪大道100号"}})
	f["/v1/customers/"] = cu.Map(t)["id"].(string)

	// Warranty core: catalog, a registered unit with a grant, a policy, a tier rule.
	cat := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/categories", Token: tn.Admin, Body: map[string]any{
		"code": "ac-" + u, "name": "Air conditioners"}})
	f["/v1/categories/"] = cat.Map(t)["id"].(string)
	model := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/models", Token: tn.Admin, Body: map[string]any{
		"category_id": f["/v1/categories/"], "sku": "AC-" + u, "name": "Split AC",
		"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}}})
	f["/v1/models/"] = model.Map(t)["id"].(string)
	for _, k := range []string{"/v1/fault-codes/", "merge-target"} {
		fc := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/fault-codes", Token: tn.Admin, Body: map[string]any{"code": k[:2] + u}})
		f[k] = fc.Map(t)["id"].(string)
	}
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": f["/v1/models/"], "serial": "SN-" + u, "purchase_date": "2026-03-01", "invoice_no": "INV-" + u,
		"buyer": map[string]any{"name": "Buyer " + u, "phone": env.Phone()}}})
	f["/v1/registrations/"] = reg.Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/registrations/" + f["/v1/registrations/"] + "/invoice-image", Token: tn.Admin,
		Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}})
	grant := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations/" + f["/v1/registrations/"] + "/grants", Token: tn.Admin,
		Body: isoGrant()})
	f["/v1/grants/"] = grant.Map(t)["id"].(string)
	rules := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy-templates/national", Token: tn.Admin}).Map(t)
	pol := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/policies", Token: tn.Admin, Body: map[string]any{
		"name": "National " + u, "category_ids": []string{f["/v1/categories/"]}, "effective_from": "2026-01-01", "rules": rules}})
	f["/v1/policies/"] = pol.Map(t)["id"].(string)
	f["rules"] = string(mustJSON(t, rules))
	rule := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/tier-rules", Token: tn.Admin, Body: map[string]any{
		"tier": "gold", "kind": "plan", "match": "gold-express-" + u}})
	f["/v1/tier-rules/"] = rule.Map(t)["id"].(string)
	imp := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/imports/registrations?filename=iso.csv", Token: tn.Admin,
		Body:   []byte("model_sku,serial,purchase_date\nAC-" + u + ",SN-IMP-" + u + ",2026-03-01\n"),
		Header: map[string]string{"Content-Type": "text/csv"}})
	f["/v1/imports/"] = imp.Map(t)["id"].(string)

	// Service orders: dispatch coverage, an engineer with a profile, an order with evidence,
	// a diagnosis invoking an exclusion, the customer's dispute of it, and a quote.
	cov := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets/" + tn.Outlets[0] + "/coverage", Token: tn.Admin,
		Body: map[string]any{"region_code": "31"}})
	f["/v1/outlet-coverage/"] = cov.Map(t)["id"].(string)
	_, engTok := env.Person(tn, "engineer", tn.Outlets[0])
	eng := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: engTok}).Map(t)
	f["/v1/engineers/"] = eng["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/engineers/" + f["/v1/engineers/"], Token: tn.Admin,
		Header: map[string]string{"If-Match": `"0"`}, Body: map[string]any{"outlet_id": tn.Outlets[0], "skills": []string{"install"},
			"level": 3, "active": true}})
	ord := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "customer_id": f["/v1/customers/"], "registration_id": f["/v1/registrations/"],
		"fault_description": "does not cool", "fault_code": "E1", "location": map[string]any{"province_code": "310000"}}}).Map(t)
	f["/v1/orders/"] = ord["order"].(map[string]any)["id"].(string)
	att := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/attachments?kind=evidence", Token: tn.Admin,
		Body: isoPNG, Header: map[string]string{"Content-Type": "image/png"}})
	f["/v1/attachments/"] = att.Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/transitions", Token: tn.Admin,
		Body: map[string]any{"to": "repairing"}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/completion", Token: tn.Admin,
		Body: map[string]any{"diagnosis": "dropped", "work_done": "inspected", "result": "fixed", "exclusion": "misuse",
			"evidence_ids": []string{f["/v1/attachments/"]}}})
	dis := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/disputes", Token: tn.Admin,
		Body: map[string]any{"statement": "it was never dropped"}})
	f["/v1/disputes/"] = dis.Map(t)["id"].(string)
	q := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/quotes", Token: tn.Admin,
		Body: isoQuote()})
	f["/v1/quotes/"] = q.Map(t)["id"].(string)
	f["category"] = f["/v1/categories/"]
	f["outlet0"] = tn.Outlets[0]

	// Notifications and webhooks: a template override, an endpoint and a (test) delivery.
	tpl := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/notification-templates", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.created", "channel": "sms", "locale": "en", "body": "Order {{.order_number}} received " + u}})
	f["/v1/notification-templates/"] = tpl.Map(t)["id"].(string)
	ep := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "https://hooks.example.com/" + u, "events": []string{"order.created"}}})
	f["/v1/webhook-endpoints/"] = ep.Map(t)["id"].(string)
	ping := env.Must(202, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints/" + f["/v1/webhook-endpoints/"] + "/ping", Token: tn.Admin})
	f["/v1/webhook-deliveries/"] = ping.Map(t)["id"].(string)

	// SLA clocks of the order (started the way service orders start them, in the tenant's
	// scope, with their timers queued).
	order := uuid.MustParse(f["/v1/orders/"])
	inserter, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := sla.Start(context.Background(), tx, inserter, sla.StartInput{OrderID: order, OutletID: uuid.MustParse(tn.Outlets[0]),
			TierCode: "gold", OrderType: "repair", Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f["/v1/sla/orders/"] = order.String()
	// Billing: a plan on sale and a (pending) counter sale of it for the unit.
	prod := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/express-products", Token: tn.Admin, Body: isoProduct(u)})
	f["/v1/express-products/"] = prod.Map(t)["id"].(string)
	buy := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/purchases/counter", Token: tn.Admin, Body: map[string]any{
		"product_id": f["/v1/express-products/"], "outlet_id": tn.Outlets[0], "registration_id": f["/v1/registrations/"]}})
	f["/v1/purchases/"] = buy.Map(t)["purchase"].(map[string]any)["id"].(string)
	intent := buy.Map(t)["purchase"].(map[string]any)["stripe_payment_intent_id"].(string)
	// A payment of the wrong amount for it, flagged for finance (as the webhook records it).
	flag := uuid.New()
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO payment_flags (tenant_id, id, purchase_id, kind, stripe_payment_intent_id,
			expected_amount, expected_currency, received_amount, received_currency) VALUES (app.tenant_id(), $1, $2, 'wrong_amount', $3, 39900, 'CNY', 100, 'CNY')`,
			flag, f["/v1/purchases/"], intent)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f["/v1/billing/payment-flags/"] = flag.String()
	// A reconciliation run that reported a payment missing at Stripe.
	entry, run := uuid.New(), uuid.New()
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO ledger_entries (tenant_id, id, kind, amount, currency, stripe_object_id, effect_key, occurred_at)
			VALUES (app.tenant_id(), $1, 'payment', 39900, 'CNY', $2, $3, now())`, entry, "pi_iso_"+u, "iso:"+entry.String()); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO reconciliations (tenant_id, id, from_at, to_at, checked, matched, mismatches)
			VALUES (app.tenant_id(), $1, now() - interval '1 day', now(), 1, 0, $2)`, run,
			`[{"ledger_id": "`+entry.String()+`", "stripe_object_id": "pi_iso_`+u+`", "problem": "missing", "ledger_amount": 39900}]`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f["/v1/billing/reconciliations/"], f["ledger-entry"] = run.String(), entry.String()

	// Parts and stock: a part, an outlet's warehouse and a receipt into it.
	part := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "ISO-" + u, "name_zh": "压缩机", "unit_cost": 30000, "outlet_price": 40000, "consumer_price": 52000}})
	f["/v1/parts/"] = part.Map(t)["id"].(string)
	wh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "ISO-" + u, "name": "Isolation stock", "kind": "spare_parts", "outlet_id": tn.Outlets[0]}})
	f["/v1/warehouses/"] = wh.Map(t)["id"].(string)
	f["outlet-of-warehouse"] = tn.Outlets[0]
	mv := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "iso-" + u, "type": "receipt", "warehouse_id": f["/v1/warehouses/"], "part_id": f["/v1/parts/"], "qty": 3}})
	f["/v1/stock/movements/"] = mv.Map(t)["movements"].([]any)[0].(map[string]any)["id"].(string)
	res := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/reservations", Token: tn.Admin,
		Body: map[string]any{"warehouse_id": f["/v1/warehouses/"], "part_id": f["/v1/parts/"], "qty": 1}})
	f["/v1/reservations/"] = res.Map(t)["id"].(string)
	op := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/parts", Token: tn.Admin,
		Body: map[string]any{"idempotency_key": "iso-use-" + u, "warehouse_id": f["/v1/warehouses/"], "part_id": f["/v1/parts/"], "qty": 1,
			"issue_kind": "in_warranty"}})
	f["/v1/order-parts/"] = op.Map(t)["id"].(string)
	// The repair network: an agreement proposed to a partner tenant and accepted there, and
	// the order handed off under it (deliveries run here as the worker runs them).
	partner := env.NewTenant()
	ag := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/partner-agreements", Token: tn.Admin, Body: map[string]any{
		"partner_tenant_id": partner.ID, "role": "principal", "terms": isoTerms()}})
	f["/v1/partner-agreements/"] = ag.Map(t)["id"].(string)
	f["agreement"] = f["/v1/partner-agreements/"]
	env.DeliverNetwork(t, tn.ID, f["agreement"])
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/partner-agreements/" + f["agreement"] + "/accept", Token: partner.Admin})
	env.DeliverNetwork(t, partner.ID, f["agreement"])
	job := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/handoff", Token: tn.Admin,
		Body: map[string]any{"agreement_id": f["agreement"]}})
	f["/v1/network-jobs/"] = job.Map(t)["id"].(string)
	// A customer's bill of the order (a staff line), issued and partly paid in cash.
	bill := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/bill", Token: tn.Admin})
	f["/v1/bills/"] = bill.Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/bills/" + f["/v1/bills/"], Token: tn.Admin,
		Header: map[string]string{"If-Match": bill.Header.Get("ETag")}, Body: map[string]any{"extra_lines": []map[string]any{
			{"kind": "other", "description": "Cleaning", "quantity": 1, "unit_price": 5000}}}})
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/bills/" + f["/v1/bills/"] + "/issue", Token: tn.Admin})
	pay := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/bills/" + f["/v1/bills/"] + "/payments", Token: tn.Admin,
		Body: map[string]any{"method": "cash", "amount": 1000}})
	f["/v1/bill-payments/"] = pay.Map(t)["id"].(string)
	// A warranty claim of an outlet's in-warranty repair (a compressor swapped), submitted.
	f["/v1/claims/"] = isoClaim(t, env, tn, f["/v1/models/"], "ISO-"+u)
	// Another claim, approved: the outlet's statement of the month, payable.
	approved := isoClaim(t, env, tn, f["/v1/models/"], "ISO-"+u)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + approved + "/review", Token: tn.Admin, Body: map[string]any{"decision": "approve"}})
	sts := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/claim-statements?direction=payable", Token: tn.Admin}).Map(t)["items"].([]any)
	if len(sts) != 1 {
		t.Fatalf("statements after an approval: %v", sts)
	}
	f["/v1/claim-statements/"] = sts[0].(map[string]any)["id"].(string)
	central := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: map[string]any{
		"code": "ISO-C-" + u, "name": "Isolation centre", "kind": "spare_parts"}})
	tr := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/transfers", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "iso-ship-" + u, "from_warehouse_id": f["/v1/warehouses/"], "to_warehouse_id": central.Map(t)["id"],
		"lines": []map[string]any{{"part_id": f["/v1/parts/"], "qty": 1}}}})
	f["/v1/transfers/"] = tr.Map(t)["id"].(string)
	req := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-requests", Token: tn.Admin, Body: map[string]any{
		"warehouse_id": f["/v1/warehouses/"], "source_warehouse_id": central.Map(t)["id"], "part_id": f["/v1/parts/"], "qty": 2}})
	f["/v1/part-requests/"] = req.Map(t)["id"].(string)
	// A faulty part owed back to the maker (an in-warranty issue of a return-required part) and
	// its return shipment.
	rp := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "ISO-R-" + u, "name_zh": "主板", "unit_cost": 100, "outlet_price": 100, "consumer_price": 100, "return_required": true}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "iso-r-" + u, "type": "receipt", "warehouse_id": f["/v1/warehouses/"], "part_id": rp.Map(t)["id"], "qty": 1}})
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/parts", Token: tn.Admin,
		Body: map[string]any{"idempotency_key": "iso-r-use-" + u, "warehouse_id": f["/v1/warehouses/"], "part_id": rp.Map(t)["id"], "qty": 1,
			"issue_kind": "in_warranty"}})
	owed := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/rma-lines?order_id=" + f["/v1/orders/"], Token: tn.Admin}).Map(t)["items"].([]any)
	if len(owed) != 1 {
		t.Fatalf("owed faulty parts of the order: %v", owed)
	}
	f["/v1/rma-lines/"] = owed[0].(map[string]any)["id"].(string)
	rs := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/rma-shipments", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "iso-rma-" + u, "carrier": "dev", "tracking_no": "ISO-" + u,
		"lines": []map[string]any{{"rma_line_id": f["/v1/rma-lines/"], "qty": 1}}}})
	f["/v1/rma-shipments/"] = rs.Map(t)["id"].(string)
	// A loaner unit lent on the order (from a loaner warehouse of its outlet) and taken back.
	lp := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/parts", Token: tn.Admin, Body: map[string]any{
		"part_no": "ISO-L-" + u, "name_zh": "备用机", "serial_tracked": true, "unit_cost": 100, "outlet_price": 0, "consumer_price": 0}}).Map(t)["id"]
	lw := map[string]any{"code": "ISO-L-" + u, "name": "Isolation loaners", "kind": "finished_goods", "owner": "loaner"}
	if o := ord["order"].(map[string]any)["outlet_id"]; o != nil {
		lw["outlet_id"] = o
	}
	lwh := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/warehouses", Token: tn.Admin, Body: lw}).Map(t)["id"]
	env.Must(201, apitest.Req{Method: "POST", Path: "/v1/stock/movements", Token: tn.Admin, Body: map[string]any{
		"idempotency_key": "iso-l-" + u, "type": "receipt", "warehouse_id": lwh, "part_id": lp, "qty": 1, "serial": "ISO-L-" + u}})
	f["/v1/loans/"] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + f["/v1/orders/"] + "/loans", Token: tn.Admin,
		Body: map[string]any{"warehouse_id": lwh, "part_id": lp, "serial": "ISO-L-" + u,
			"due_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}}).Map(t)["id"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/loans/" + f["/v1/loans/"] + "/return", Token: tn.Admin,
		Body: map[string]any{"condition_note": "as lent"}})
	f["loaner-warehouse"], f["loaner-part"], f["loaner-serial"] = fmt.Sprint(lwh), fmt.Sprint(lp), "ISO-L-"+u
	// A customer's part order at the outlet's counter, holding one unit of the stocked part.
	f["/v1/part-orders/"] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/part-orders", Token: tn.Admin, Body: map[string]any{
		"customer_id": f["/v1/customers/"], "warehouse_id": f["/v1/warehouses/"],
		"lines": []map[string]any{{"part_id": f["/v1/parts/"], "qty": 1}}}}).Map(t)["id"].(string)
	// An engineer's pay statement of the month (as the audit's pay writes it).
	stmt := uuid.New()
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO pay_statements (tenant_id, id, party_kind, party_id, outlet_id, month, currency, total, lines)
			VALUES (app.tenant_id(), $1, 'engineer', $2, $3, '2026-11-01', 'CNY', 1000, 0)`, stmt, f["/v1/engineers/"], tn.Outlets[0])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f["/v1/pay-statements/"] = stmt.String()
	// A complaint through 12315 at the first outlet, and a praise in the contact log.
	f["/v1/complaints/"] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Token: tn.Admin, Body: map[string]any{
		"topic": "quality", "channel": "12315", "summary": "isolation complaint", "outlet_id": tn.Outlets[0]}}).Map(t)["id"].(string)
	f["complaint-other"] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Token: tn.Admin, Body: map[string]any{
		"topic": "price", "channel": "store", "summary": "another isolation complaint"}}).Map(t)["id"].(string)
	f["/v1/contacts/"] = env.Must(201, apitest.Req{Method: "POST", Path: "/v1/contacts", Token: tn.Admin, Body: map[string]any{
		"kind": "praise", "channel": "phone", "summary": "isolation praise"}}).Map(t)["id"].(string)
	// A return case, applied (a unit bought yesterday, refund asked).
	f["/v1/returns/"] = isoReturn(t, env, tn, f["/v1/models/"])
	// A survey template, and a callback of the tenant's order answered poorly, with its
	// rectification case, as sampling and the call write them.
	survey := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/survey-templates", Token: tn.Admin, Body: isoSurveyTemplate()})
	f["/v1/survey-templates/"] = survey.Map(t)["id"].(string)
	task, resp, rect := uuid.New(), uuid.New(), uuid.New()
	if err := env.Tenants.Tx(context.Background(), tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO callback_tasks (tenant_id, id, order_id, order_number, customer_id, reason,
			sample_day, template_id, due_at, token_hash) VALUES (app.tenant_id(), $1, $2, 'SO-ISO', $3, 'sampled', '2026-11-02', $4,
			now() + interval '30 days', $5)`, task, f["/v1/orders/"], f["/v1/customers/"], f["/v1/survey-templates/"], "iso-"+u)
		if err != nil {
			return err
		}
		_, err = tx.Exec(context.Background(), `INSERT INTO survey_responses (tenant_id, id, order_id, task_id, template_id, customer_id,
			channel, answers, score, poor, answered_at) VALUES (app.tenant_id(), $1, $2, $3, $4, $5, 'call', '[]', 1, true, now())`,
			resp, f["/v1/orders/"], task, f["/v1/survey-templates/"], f["/v1/customers/"])
		if err != nil {
			return err
		}
		_, err = tx.Exec(context.Background(), `INSERT INTO rectifications (tenant_id, id, response_id, order_id, order_number, deadline)
			VALUES (app.tenant_id(), $1, $2, $3, 'SO-ISO', now() + interval '30 days')`, rect, resp, f["/v1/orders/"])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f["/v1/callbacks/"], f["/v1/rectifications/"] = task.String(), rect.String()
	return f
}

// isoSurveyTemplate is a valid survey template.
func isoSurveyTemplate() map[string]any {
	return map[string]any{"name": "Isolation survey", "questions": []map[string]any{
		{"id": "quality", "kind": "scale", "dimension": "quality", "label": "维修质量", "required": true}}}
}

// isoClaim registers a unit in warranty, repairs it at the tenant's first outlet (a part swapped), passes
// the order through audit and makes and submits its claim; it returns the claim's id.
func isoClaim(t *testing.T, env *apitest.Env, tn *apitest.Tenant, model, partNo string) string {
	t.Helper()
	u := env.Unique()
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/registrations", Token: tn.Admin, Body: map[string]any{
		"model_id": model, "serial": "SN-C-" + u, "purchase_date": time.Now().AddDate(0, 0, -60).Format(time.DateOnly),
		"invoice_no": "INV-C-" + u, "has_warranty_card": true, "buyer": map[string]any{"name": "Buyer " + u, "phone": env.Phone()}}})
	ord := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders", Token: tn.Admin, Body: map[string]any{
		"type": "repair_minor", "channel": "carry_in", "registration_id": reg.Map(t)["id"], "outlet_id": tn.Outlets[0],
		"fault_description": "does not cool", "location": map[string]any{"province_code": "310000"}}}).Map(t)
	id := ord["order"].(map[string]any)["id"].(string)
	move := func(to string) {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/transitions", Token: tn.Admin, Body: map[string]any{"to": to}})
	}
	move("repairing")
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/completion", Token: tn.Admin,
		Body: map[string]any{"diagnosis": "compressor failed", "work_done": "compressor replaced", "result": "fixed",
			"parts": []map[string]any{{"code": partNo, "quantity": 1, "old_serial": "OLD-" + env.Unique(), "new_serial": "NEW-" + env.Unique()}}}})
	move("picked_up")
	move("approved")
	c := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/claim", Token: tn.Admin}).Map(t)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/claims/" + c["id"].(string) + "/submit", Token: tn.Admin})
	return c["id"].(string)
}

// isoTerms are partner agreement terms that are in force.
func isoTerms() map[string]any {
	return map[string]any{"categories": []string{}, "regions": []string{}, "currency": "CNY",
		"labour_rates": []map[string]any{{"order_type": "repair_minor", "engineer_level": 1, "amount": 8000}},
		"parts":        map[string]any{"basis": "list"}, "visit_fee": 3000, "sla_targets": []map[string]any{},
		"contact": map[string]any{"name": "full", "phone": "masked", "address": "masked"}, "valid_from": "2020-01-01"}
}

func isoQuote() map[string]any {
	return map[string]any{"lines": []map[string]any{{"kind": "part", "description": "Compressor", "quantity": 1, "unit_price": 45000},
		{"kind": "labour", "description": "Replacement", "quantity": 1, "unit_price": 8000}}}
}

// isoSlot is the start of an appointment window of the default calendar (weekdays from
// 09:00 in Shanghai, two-hour windows) at least a day ahead.
func isoSlot() string {
	loc := time.FixedZone("CST", 8*3600)
	d := time.Now().In(loc).AddDate(0, 0, 2)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 11, 0, 0, 0, loc).Format(time.RFC3339)
}

func isoProduct(u string) map[string]any {
	return map[string]any{"code": "gold-" + strings.ToLower(u), "name": "Gold express 2 years", "kind": "plan", "term_months": 24,
		"tier_code": "gold", "cooling_off_days": 14, "compensation": map[string]any{"kind": "none"},
		"prices": []map[string]any{{"currency": "CNY", "unit_amount": 39900}}}
}

// isoPNG is the smallest valid PNG (1x1).
var isoPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func isoGrant() map[string]any {
	free := map[string]any{"mode": "free"}
	return map[string]any{"kind": "extended", "valid_from": "2027-03-01", "valid_until": "2029-02-28", "source": "contract EW-1",
		"covered": map[string]any{"parts": free, "labour": free, "visit": free, "shipping": free}}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isoBodies are request bodies that succeed on the caller's own resource, by "METHOD path".
// A cross-tenant call with such a body can only fail because the resource is not found.
func isoBodies(t *testing.T, u string, own isoFixtures) map[string]any {
	var rules any
	if err := json.Unmarshal([]byte(own["rules"]), &rules); err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"PUT /v1/categories/{id}":                    map[string]any{"code": "cat-put-" + u, "name": "Renamed category"},
		"POST /v1/billing/payment-flags/{id}/accept": map[string]any{"reason": "matched to the bill"},
		"PUT /v1/models/{id}": map[string]any{"category_id": own["/v1/categories/"], "sku": "M-PUT-" + u, "name": "Renamed model",
			"components": []map[string]any{{"code": "compressor", "name": "压缩机", "main": true}}},
		"POST /v1/fault-codes/{id}/merge":          map[string]any{"into": own["merge-target"]},
		"PUT /v1/registrations/{id}":               map[string]any{"serial": "ignored", "purchase_date": "2026-03-02", "invoice_no": "INV-PUT"},
		"POST /v1/registrations/{id}/grants":       isoGrant(),
		"PUT /v1/registrations/{id}/invoice-image": isoPNG,
		"PUT /v1/policies/{id}":                    map[string]any{"name": "Renamed policy", "category_ids": []string{own["/v1/categories/"]}},
		"POST /v1/policies/{id}/versions":          map[string]any{"effective_from": "2030-01-01", "rules": rules},
		"PUT /v1/customers/{id}/value":             map[string]any{"lifetime_value": 100, "contracts": []string{"enterprise"}},
		"PUT /v1/outlets/{id}": map[string]any{"code": "ISO-PUT-" + u, "name": "Renamed " + u, "kind": "authorized_outlet",
			"province_code": "440000"},
		"PUT /v1/calendars/{id}":            map[string]any{"name": "Renamed hours", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()},
		"PUT /v1/calendars/{id}/days/{day}": map[string]any{"kind": "holiday", "name": "Renamed holiday"},
		"PUT /v1/members/{id}":              map[string]any{"role": "finance"},
		"PUT /v1/customers/{id}":            map[string]any{"name": "Renamed customer", "address": "北京市朝阳区建国路1号"},

		"PUT /v1/orders/{id}":                             map[string]any{"fault_description": "still does not cool", "location": map[string]any{"province_code": "310000"}},
		"POST /v1/orders/{id}/transitions":                map[string]any{"to": "picked_up"},
		"POST /v1/orders/{id}/comments":                   map[string]any{"text": "called the customer", "public": true},
		"POST /v1/orders/{id}/completion":                 map[string]any{"diagnosis": "worn part", "work_done": "replaced", "result": "fixed"},
		"POST /v1/orders/{id}/attachments":                isoPNG,
		"POST /v1/orders/{id}/quotes":                     isoQuote(),
		"POST /v1/orders/{id}/engineers":                  map[string]any{"role": "assistant"},
		"POST /v1/orders/{id}/answer":                     map[string]any{"accept": true},
		"PUT /v1/orders/{id}/outlet":                      map[string]any{"outlet_id": own["outlet0"], "reason": "customer asked"},
		"POST /v1/orders/{id}/appointment":                map[string]any{"start": isoSlot()},
		"POST /v1/orders/{id}/disputes":                   map[string]any{"statement": "again"},
		"POST /v1/quotes/{id}/decision":                   map[string]any{"approve": true},
		"POST /v1/disputes/{id}/decision":                 map[string]any{"overturn": false, "note": "photos show impact damage"},
		"POST /v1/outlets/{id}/coverage":                  map[string]any{"region_code": "4401"},
		"POST /v1/outlets/{id}/authorizations":            map[string]any{"category_id": own["category"], "authorized": true},
		"PUT /v1/outlets/{id}/capacity":                   map[string]any{"daily_capacity": 20},
		"PUT /v1/engineers/{id}":                          map[string]any{"outlet_id": own["outlet0"], "skills": []string{"gas"}, "level": 2, "active": true},
		"PUT /v1/customers/{id}/notification-preferences": map[string]any{"opt_outs": []map[string]string{{"channel": "sms", "event_class": "order"}}},
		"PUT /v1/notification-templates/{id}":             map[string]any{"body": "Order {{.order_number}} changed"},
		"PUT /v1/webhook-endpoints/{id}":                  map[string]any{"url": "https://hooks.example.com/put-" + u, "events": []string{"*"}},
		"POST /v1/webhook-endpoints/{id}/rotate-secret":   map[string]any{"previous_valid_seconds": 60},
		"PUT /v1/express-products/{id}": map[string]any{"name": "Renamed plan", "kind": "plan", "code": "ignored", "tier_code": "gold",
			"cooling_off_days": 7},
		"POST /v1/express-products/{id}/prices": map[string]any{"currency": "CNY", "unit_amount": 29900},
		"POST /v1/orders/{id}/reservations":     map[string]any{"warehouse_id": own["/v1/warehouses/"], "part_id": own["/v1/parts/"], "qty": 1},
		"POST /v1/orders/{id}/parts": map[string]any{"idempotency_key": "iso-x-" + u, "warehouse_id": own["/v1/warehouses/"],
			"part_id": own["/v1/parts/"], "qty": 1, "issue_kind": "charged"},
		"POST /v1/transfers/{id}/receive":        map[string]any{"lines": []map[string]any{{"line_no": 1, "qty_received": 1}}},
		"POST /v1/part-requests/{id}/review":     map[string]any{"decision": "approve"},
		"POST /v1/rma-shipments/{id}/inspection": map[string]any{"lines": []map[string]any{{"line_no": 1, "result": "confirmed_faulty"}}},
		"PUT /v1/parts/{id}":                     map[string]any{"part_no": "ISO-PUT-" + u, "name_zh": "改名", "unit_cost": 1, "outlet_price": 2, "consumer_price": 3},
		"PUT /v1/warehouses/{id}": map[string]any{"code": "ISO-PUT-" + u, "name": "Renamed", "kind": "spare_parts",
			"outlet_id": own["outlet-of-warehouse"]},
		"POST /v1/partner-agreements/{id}/amend":   map[string]any{"terms": isoTerms()},
		"POST /v1/partner-agreements/{id}/reject":  map[string]any{"reason": "not now"},
		"POST /v1/claims/{id}/review":              map[string]any{"decision": "approve"},
		"POST /v1/claims/{id}/respond":             map[string]any{"action": "accept"},
		"POST /v1/claim-statements/{id}/payments":  map[string]any{"reference": "ISO-BANK-" + u, "amount": 1, "paid_on": "2026-12-01"},
		"POST /v1/partner-agreements/{id}/suspend": map[string]any{"reason": "not now"},
		"POST /v1/orders/{id}/handoff":             map[string]any{"agreement_id": own["agreement"]},
		"PUT /v1/bills/{id}":                       map[string]any{"buyer_name": "Renamed buyer"},
		"POST /v1/bills/{id}/discount-decision":    map[string]any{"approve": true},
		"POST /v1/bills/{id}/release":              map[string]any{"reason": "company account, billed monthly"},
		"POST /v1/bills/{id}/payments":             map[string]any{"method": "cash", "amount": 100},
		"POST /v1/bills/{id}/refunds":              map[string]any{"payment_id": own["/v1/bill-payments/"], "amount": 100, "reason": "overcharged"},
		"POST /v1/pay-statements/{id}/payout":      map[string]any{"paid_on": "2026-12-05", "reference": "BANK-1"},
		"POST /v1/orders/{id}/deposits":            map[string]any{"method": "cash", "amount": 100},
		"POST /v1/complaints/{id}/respond":         map[string]any{"note": "called"},
		"POST /v1/complaints/{id}/wait":            map[string]any{},
		"POST /v1/complaints/{id}/resume":          map[string]any{},
		"POST /v1/complaints/{id}/report":          map[string]any{"note": "report"},
		"POST /v1/complaints/{id}/resolve":         map[string]any{},
		"POST /v1/complaints/{id}/close":           map[string]any{"note": "confirmed"},
		"POST /v1/complaints/{id}/close-override":  map[string]any{"reason": "unreachable"},
		"POST /v1/complaints/{id}/reopen":          map[string]any{"reason": "again"},
		"POST /v1/complaints/{id}/raise":           map[string]any{"severity": "critical", "reason": "media"},
		"POST /v1/complaints/{id}/merge":           map[string]any{"target_id": own["complaint-other"]},
		"POST /v1/complaints/{id}/parent":          map[string]any{"target_id": own["complaint-other"]},
		"POST /v1/complaints/{id}/handlers":        map[string]any{"handler_ids": []string{}},
		"POST /v1/returns/{id}/review":             map[string]any{"decision": "approve"},
		"POST /v1/returns/{id}/receive":            map[string]any{"lines": []int{1}},
		"POST /v1/returns/{id}/inspect":            map[string]any{"line": 1, "result": "confirmed"},
		"POST /v1/returns/{id}/refund":             map[string]any{"line": 1, "amount": 100, "reference": "ISO-REFUND-" + u},
		"POST /v1/returns/{id}/exchange":           map[string]any{"line": 1, "serial": "ISO-EX-" + u},
		"POST /v1/returns/{id}/close":              map[string]any{"note": "done"},
		"PUT /v1/survey-templates/{id}":            isoSurveyTemplate(),
		"POST /v1/callbacks/{id}/call":             map[string]any{"answers": []map[string]any{{"question_id": "quality", "value": 5}}},
		"POST /v1/rectifications/{id}/submit": map[string]any{"actions": "apologised", "recontact_note": "fine",
			"recontacted_at": time.Now().UTC().Format(time.RFC3339)},
		"POST /v1/rectifications/{id}/review": map[string]any{"approve": true},
		"POST /v1/billing/reconciliations/{id}/resolutions": map[string]any{"ledger_id": own["ledger-entry"], "outcome": "explained",
			"note": "a test payment"},
		"POST /v1/orders/{id}/loans": map[string]any{"warehouse_id": own["loaner-warehouse"], "part_id": own["loaner-part"],
			"serial": own["loaner-serial"], "due_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)},
		"POST /v1/loans/{id}/return":       map[string]any{"condition_note": "fine"},
		"POST /v1/loans/{id}/waiver":       map[string]any{"reason": "trusted"},
		"POST /v1/part-orders/{id}/cancel": map[string]any{"reason": "changed their mind"},
		"POST /v1/part-orders/{id}/pickup": map[string]any{},
	}
}

// openAPIDoc is the part of the OpenAPI document the matrix reads.
type openAPIDoc struct {
	Paths map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name     string `json:"name"`
			In       string `json:"in"`
			Required bool   `json:"required"`
			Schema   struct {
				Type   string `json:"type"`
				Format string `json:"format"`
			} `json:"schema"`
		} `json:"parameters"`
		RequestBody *struct {
			Required bool `json:"required"`
		} `json:"requestBody"`
	} `json:"paths"`
}

// isoCall is one {id} operation filled in for a tenant's fixtures.
type isoCall struct {
	op, method, path string // op is "METHOD /template"
	body             any
}

// isoOperations enumerates the API's operations whose path has an {id}, from the served
// OpenAPI document.
func isoOperations(t *testing.T, env *apitest.Env) []isoCall {
	t.Helper()
	resp := env.Must(200, apitest.Req{Method: "GET", Path: "/openapi.json"})
	var doc openAPIDoc
	resp.JSON(t, &doc)
	if len(doc.Paths) == 0 {
		t.Fatalf("openapi.json has no paths: %.300s", resp.Body)
	}
	var calls []isoCall
	for tmpl, ops := range doc.Paths {
		if !strings.Contains(tmpl, "{id}") || strings.HasPrefix(tmpl, "/v1/consumer/") {
			continue // consumer routes refuse staff outright; their ownership is tested with consumers
		}
		if strings.HasPrefix(tmpl, "/v1/me/sessions/") {
			continue // sessions are global, not a tenant's: another user's device is a 404 by user (TestDevicesSignedIn)
		}
		for method, op := range ops {
			method = strings.ToUpper(method)
			switch method {
			case "GET", "PUT", "POST", "PATCH", "DELETE":
			default:
				continue
			}
			c := isoCall{op: method + " " + tmpl, method: method, path: tmpl}
			q := url.Values{}
			for _, p := range op.Parameters {
				switch {
				case p.In == "path" && p.Name == "id":
				case p.In == "path" && p.Name == "day", p.In == "path" && p.Schema.Format == "date":
					c.path = strings.ReplaceAll(c.path, "{"+p.Name+"}", isoDay)
				case p.In == "path":
					t.Errorf("%s (%s): no value for path parameter {%s}: add one to the isolation matrix", c.op, op.OperationID, p.Name)
				case p.In == "query" && p.Required && p.Schema.Format == "date":
					q.Set(p.Name, isoDay)
				case p.In == "query" && p.Required:
					t.Errorf("%s (%s): no value for required query parameter %s: add one to the isolation matrix", c.op, op.OperationID, p.Name)
				}
			}
			if len(q) > 0 {
				c.path += "?" + q.Encode()
			}
			if op.RequestBody != nil {
				// Filled per tenant by isoFill; a missing body is reported there.
				c.body = true
			}
			calls = append(calls, c)
		}
	}
	// Reads, then changes, then deletes of sub-resources before their parents: so that on
	// the caller's own resources (the control run) no call removes what a later call needs.
	rank := map[string]int{"GET": 0, "PUT": 1, "PATCH": 1, "POST": 2, "DELETE": 3}
	sort.Slice(calls, func(i, j int) bool {
		a, b := calls[i], calls[j]
		if rank[a.method] != rank[b.method] {
			return rank[a.method] < rank[b.method]
		}
		if len(a.path) != len(b.path) {
			return len(a.path) > len(b.path)
		}
		return a.op < b.op
	})
	return calls
}

// isoFill returns the request for call c on fixtures f, or ok=false (after reporting) when
// the matrix lacks a fixture or body for it.
func isoFill(t *testing.T, c isoCall, f isoFixtures, bodies map[string]any) (apitest.Req, bool) {
	t.Helper()
	prefix := c.path[:strings.Index(c.path, "{id}")]
	id, known := f[prefix]
	if !known {
		t.Errorf("%s: add a tenant-B fixture for %s to the isolation matrix (isoKinds, isoMake)", c.op, c.path)
		return apitest.Req{}, false
	}
	r := apitest.Req{Method: c.method, Path: strings.Replace(c.path, "{id}", id, 1)}
	if c.body != nil {
		b, ok := bodies[c.op]
		if !ok {
			t.Errorf("%s: add a valid request body for it to the isolation matrix (isoBodies)", c.op)
			return apitest.Req{}, false
		}
		r.Body = b
	}
	if c.method == "PUT" || c.method == "DELETE" || c.method == "PATCH" || strings.HasPrefix(c.op, "POST /v1/part-orders/") {
		r.Header = map[string]string{"If-Match": `"1"`}
	}
	return r, true
}

// isoSnapshot reads every fixture (and what hangs off it) as its own tenant's admin.
func isoSnapshot(t *testing.T, env *apitest.Env, tn *apitest.Tenant, f isoFixtures) map[string]string {
	t.Helper()
	paths := []string{}
	for _, k := range isoKinds {
		paths = append(paths, k+f[k]+isoSnapshotSuffix[k])
	}
	paths = append(paths,
		"/v1/outlets/"+f["/v1/outlets/"]+"/calendar",
		"/v1/outlets/"+tn.Outlets[0]+"/calendar",
		"/v1/calendars/"+f["/v1/calendars/"]+"/days?from=2026-01-01&to=2026-12-31",
		"/v1/members?limit=200", "/v1/invitations?limit=200", "/v1/api-keys?limit=200", "/v1/customers?limit=200",
		"/v1/outlets?limit=200", "/v1/calendars?limit=200", "/v1/tenant",
		"/v1/audit-log?limit=1", "/v1/sla/settings",
	)
	snap := map[string]string{}
	for _, p := range paths {
		r := env.Do(apitest.Req{Method: "GET", Path: p, Token: tn.Admin})
		if r.Status != 200 {
			t.Fatalf("GET %s as its own admin: %d %s", p, r.Status, r.Body)
		}
		snap[p] = "ETag " + r.Header.Get("ETag") + " " + string(r.Body)
	}
	return snap
}

func TestIsolationEveryIDEndpoint(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b := env.NewTenant(), env.NewTenant()
	fa, fb := isoMake(t, env, a), isoMake(t, env, b)
	for _, k := range isoKinds {
		if fa[k] == "" || fb[k] == "" || fa[k] == fb[k] {
			t.Fatalf("fixture %s: A %q, B %q", k, fa[k], fb[k])
		}
	}
	calls := isoOperations(t, env)
	if len(calls) < 15 {
		t.Fatalf("only %d {id} operations in the OpenAPI document: %v", len(calls), calls)
	}
	// Every kind of the matrix is exercised by at least one operation (a renamed route
	// must not silently drop out of the matrix).
	for _, k := range isoKinds {
		found := false
		for _, c := range calls {
			found = found || strings.HasPrefix(c.path, k+"{id}")
		}
		if !found {
			t.Errorf("no {id} operation under %s: remove the fixture or fix the route", k)
		}
	}
	before := isoSnapshot(t, env, b, fb)

	// Tenant A's admin addresses each of B's resources with a request that would succeed
	// on A's own: every one must be an indistinguishable 404.
	u := env.Unique()
	var tried []string
	var notFoundBody []byte
	for _, c := range calls {
		r, ok := isoFill(t, c, fb, isoBodies(t, u, fa))
		if !ok {
			continue
		}
		r.Token = a.Admin
		resp := env.Do(r)
		tried = append(tried, c.op)
		if resp.Status != 404 {
			t.Errorf("ISOLATION: %s on tenant B's resource as tenant A's admin: %d, want 404: %s", c.op, resp.Status, resp.Body)
			continue
		}
		isoCheckProblem(t, c.op, resp, "/problems/not-found")
		// The 404 says nothing about the resource: same body as for an id that never existed.
		if notFoundBody == nil {
			notFoundBody = resp.Body
		} else if !bytes.Equal(resp.Body, notFoundBody) {
			t.Errorf("%s: 404 body differs from other 404s (it may reveal something): %s vs %s", c.op, resp.Body, notFoundBody)
		}
	}
	t.Logf("cross-tenant calls: %d: %v", len(tried), tried)

	// A never-existing id gets the same answer as B's (no existence oracle).
	ghost := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/0190d1c2-0000-7000-8000-000000000000", Token: a.Admin})
	if ghost.Status != 404 || !bytes.Equal(ghost.Body, notFoundBody) {
		t.Errorf("unknown id: %d %s; B's id: %s", ghost.Status, ghost.Body, notFoundBody)
	}

	// B's resources are exactly as they were: same versions, still present, nothing audited.
	after := isoSnapshot(t, env, b, fb)
	for p, v := range before {
		if after[p] != v {
			t.Errorf("ISOLATION: tenant B's %s changed after tenant A's requests:\nbefore %s\nafter  %s", p, v, after[p])
		}
	}

	// A's writes cannot point at B's rows either: a B outlet id in A's bodies is an unknown
	// outlet, reported exactly like one that never existed.
	bOutlet, ghostOutlet := fb["/v1/outlets/"], "0190d1c2-0000-7000-8000-00000000beef"
	agentA := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members/" + fa["/v1/members/"], Token: a.Admin})
	for _, w := range []struct {
		name   string
		method string
		path   string
		body   func(outlet string) map[string]any
		header map[string]string
	}{
		{"calendar for B's outlet", "POST", "/v1/calendars", func(o string) map[string]any {
			return map[string]any{"outlet_id": o, "name": "Hijack", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}
		}, nil},
		{"invitation to B's outlet", "POST", "/v1/invitations", func(o string) map[string]any {
			return map[string]any{"email": "x" + env.Unique() + "@people.test", "role": "engineer", "outlet_id": o}
		}, nil},
		{"API key for B's outlet", "POST", "/v1/api-keys", func(o string) map[string]any {
			return map[string]any{"name": "hijack", "role": "engineer", "outlet_id": o}
		}, nil},
		{"member moved to B's outlet", "PUT", "/v1/members/" + fa["/v1/members/"], func(o string) map[string]any {
			return map[string]any{"role": "engineer", "outlet_id": o}
		}, map[string]string{"If-Match": agentA.Header.Get("ETag")}},
	} {
		cross := env.Do(apitest.Req{Method: w.method, Path: w.path, Token: a.Admin, Body: w.body(bOutlet), Header: w.header})
		ghost := env.Do(apitest.Req{Method: w.method, Path: w.path, Token: a.Admin, Body: w.body(ghostOutlet), Header: w.header})
		if cross.Status != 422 || !strings.Contains(string(cross.Body), `"body.outlet_id"`) {
			t.Errorf("ISOLATION: %s: %d, want 422 at body.outlet_id: %s", w.name, cross.Status, cross.Body)
		}
		if cross.Status != ghost.Status || !bytes.Equal(cross.Body, ghost.Body) {
			t.Errorf("%s: B's outlet (%d %s) is distinguishable from a missing one (%d %s)", w.name,
				cross.Status, cross.Body, ghost.Status, ghost.Body)
		}
	}
	if after := isoSnapshot(t, env, b, fb); after["/v1/audit-log?limit=1"] != before["/v1/audit-log?limit=1"] {
		t.Errorf("ISOLATION: tenant B's audit log changed after tenant A's writes")
	}

	// Control: the same calls on A's own resources are not 404 (so the 404s above are
	// isolation, not a wrong path, body or header), and are accepted (not 400/403/422).
	// Those that end the partner agreement (suspend, reject) go last: the hand-off needs it
	// active.
	control := slices.Clone(calls)
	slices.SortStableFunc(control, func(x, y isoCall) int {
		ends := func(c isoCall) int {
			if strings.HasPrefix(c.op, "POST /v1/partner-agreements/") {
				return 1
			}
			return 0
		}
		return ends(x) - ends(y)
	})
	for _, c := range control {
		r, ok := isoFill(t, c, fa, isoBodies(t, u, fa))
		if !ok {
			continue
		}
		r.Token = a.Admin
		resp := env.Do(r)
		switch {
		case resp.Status == 404:
			t.Errorf("control: %s on tenant A's own resource: 404, so B's 404 proves nothing: %s", c.op, resp.Body)
		case resp.Status < 300, resp.Status == 409, resp.Status == 412:
			// 412: an earlier PUT of the control run moved the version past "1"; 409: a
			// conflict that only exists because the resource was found.
		default:
			t.Errorf("control: %s on tenant A's own resource: %d, want success (the matrix's request is invalid): %s",
				c.op, resp.Status, resp.Body)
		}
	}
}

// isoCheckProblem checks the RFC 9457 shape of an error response.
func isoCheckProblem(t *testing.T, what string, resp *apitest.Response, wantType string) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		t.Errorf("%s: problem body is not JSON: %v: %s", what, err, resp.Body)
		return
	}
	if p.Type != wantType || p.Status != resp.Status {
		t.Errorf("%s: problem type %q status %d, want %q %d", what, p.Type, p.Status, wantType, resp.Status)
	}
}

// isoItems returns the items of a list response.
func isoItems(t *testing.T, resp *apitest.Response) []map[string]any {
	t.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	resp.JSON(t, &page)
	return page.Items
}

// isoIDs returns the sorted ids of a list response.
func isoIDs(t *testing.T, resp *apitest.Response) []string {
	t.Helper()
	var ids []string
	for _, it := range isoItems(t, resp) {
		ids = append(ids, fmt.Sprint(it["id"]))
	}
	sort.Strings(ids)
	return ids
}

func isoSorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

func isoEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestIsolationOutletScope(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := env.NewTenant()
	a1, a2 := a.Outlets[0], a.Outlets[1]
	mgrEmail, mgr := env.Person(a, "outlet_manager", a1)
	engEmail, eng := env.Person(a, "engineer", a1)
	otherEmail, _ := env.Person(a, "engineer", a2)

	for _, who := range []struct{ name, tok string }{{"outlet manager", mgr}, {"engineer", eng}} {
		list := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: who.tok})
		if got := isoIDs(t, list); !isoEqual(got, []string{a1}) {
			t.Errorf("%s of A1 lists outlets %v, want only %s", who.name, got, a1)
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + a1, Token: who.tok})
		if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + a2, Token: who.tok}); r.Status != 404 {
			t.Errorf("%s of A1 GET outlet A2: %d, want 404: %s", who.name, r.Status, r.Body)
		}
		if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + a2 + "/calendar", Token: who.tok}); r.Status != 404 {
			t.Errorf("%s of A1 GET outlet A2's calendar: %d, want 404: %s", who.name, r.Status, r.Body)
		}
		env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + a1 + "/calendar", Token: who.tok})
	}

	// The outlet manager sees only A1's people.
	members := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members?limit=200", Token: mgr}))
	seen := map[string]bool{}
	for _, m := range members {
		seen[fmt.Sprint(m["email"])] = true
		if m["outlet_id"] != a1 {
			t.Errorf("outlet manager of A1 sees a member outside A1: %v", m)
		}
	}
	if !seen[mgrEmail] || !seen[engEmail] {
		t.Errorf("outlet manager of A1 does not see A1's people (%s, %s): %v", mgrEmail, engEmail, seen)
	}
	if seen[otherEmail] || seen[a.AdminEmail] {
		t.Errorf("outlet manager of A1 sees people outside A1: %v", seen)
	}
	// The admin, by contrast, sees all of them (the filter above is scope, not data).
	all := map[string]bool{}
	for _, m := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members?limit=200", Token: a.Admin})) {
		all[fmt.Sprint(m["email"])] = true
	}
	if !all[otherEmail] || !all[mgrEmail] || !all[a.AdminEmail] {
		t.Errorf("admin's member list: %v", all)
	}
	// The A2 engineer's membership cannot be fetched by id either.
	for _, m := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/members?limit=200", Token: a.Admin})) {
		if m["email"] == otherEmail {
			if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/members/" + m["id"].(string), Token: mgr}); r.Status != 404 {
				t.Errorf("outlet manager of A1 GET member of A2: %d, want 404: %s", r.Status, r.Body)
			}
		}
	}

	// Calendars: the tenant's default is read-only to the outlet manager.
	var def map[string]any
	for _, c := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars", Token: a.Admin})) {
		if c["outlet_id"] == nil {
			def = c
		}
	}
	if def == nil {
		t.Fatal("tenant has no default calendar")
	}
	defID := def["id"].(string)
	defGet := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + defID, Token: mgr})
	body := map[string]any{"name": "Taken over", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/calendars/" + defID, Token: mgr, Body: body,
		Header: map[string]string{"If-Match": defGet.Header.Get("ETag")}}); r.Status != 403 {
		t.Errorf("outlet manager PUT the tenant's default calendar: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/calendars/" + defID + "/days/" + isoDay, Token: mgr,
		Body: map[string]any{"kind": "holiday"}, Header: map[string]string{"If-Match": defGet.Header.Get("ETag")}}); r.Status != 403 {
		t.Errorf("outlet manager set a day on the tenant's default calendar: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/calendars/" + defID, Token: a.Admin}); r.Map(t)["name"] == "Taken over" {
		t.Error("the tenant's default calendar was changed by an outlet manager")
	}

	// ...but the outlet manager runs A1's own calendar.
	own := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/calendars", Token: mgr, Body: map[string]any{
		"outlet_id": a1, "name": "A1 hours", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}})
	ownID := own.Map(t)["id"].(string)
	edited := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/calendars/" + ownID, Token: mgr,
		Body:   map[string]any{"name": "A1 hours (summer)", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()},
		Header: map[string]string{"If-Match": own.Header.Get("ETag")}})
	if edited.Map(t)["name"] != "A1 hours (summer)" {
		t.Errorf("edited calendar: %s", edited.Body)
	}
	eff := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + a1 + "/calendar", Token: eng}).Map(t)
	if eff["id"] != ownID {
		t.Errorf("A1's calendar in force: %v, want %s", eff["id"], ownID)
	}
	// ...and not A2's.
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/calendars", Token: mgr, Body: map[string]any{
		"outlet_id": a2, "name": "A2 hours", "timezone": "Asia/Shanghai", "weekly_hours": isoWeek()}}); r.Status != 403 && r.Status != 404 {
		t.Errorf("outlet manager of A1 created a calendar for A2: %d, want 403 or 404: %s", r.Status, r.Body)
	}
	if eff := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + a2 + "/calendar", Token: a.Admin}).Map(t); eff["id"] != defID {
		t.Errorf("A2's calendar in force changed: %v", eff)
	}

	// Outlet staff do not create outlets.
	for _, who := range []struct{ name, tok string }{{"engineer", eng}, {"outlet manager", mgr}} {
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/outlets", Token: who.tok, Body: map[string]any{
			"code": "ROGUE-" + env.Unique(), "name": "Rogue", "kind": "service_center"}}); r.Status != 403 {
			t.Errorf("%s created an outlet: %d, want 403: %s", who.name, r.Status, r.Body)
		}
	}
	if got := isoIDs(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: a.Admin})); !isoEqual(got, isoSorted(a1, a2)) {
		t.Errorf("tenant's outlets after rejected creates: %v", got)
	}
	// An engineer changes nothing of the outlet either.
	og := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets/" + a1, Token: eng})
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/outlets/" + a1, Token: eng, Body: map[string]any{
		"code": "X", "name": "Mine", "kind": "service_center"}, Header: map[string]string{"If-Match": og.Header.Get("ETag")}}); r.Status != 403 {
		t.Errorf("engineer PUT outlet: %d, want 403: %s", r.Status, r.Body)
	}
}

func TestIsolationMultiTenantUser(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a, b, c := env.NewTenant(), env.NewTenant(), env.NewTenant()

	email := "both" + env.Unique() + "@people.test"
	invA := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/invitations", Token: a.Admin,
		Body: map[string]any{"email": email, "role": "agent"}}).Map(t)["token"].(string)
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/invitations/accept",
		Body: map[string]any{"token": invA, "name": "Both", "password": apitest.Password}})
	invB := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/invitations", Token: b.Admin,
		Body: map[string]any{"email": email, "role": "auditor"}}).Map(t)["token"].(string)
	// Existing account: a wrong password does not add the tenant...
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/invitations/accept",
		Body: map[string]any{"token": invB, "password": "not-the-password"}}); r.Status != 401 {
		t.Errorf("accept with the wrong password of an existing account: %d, want 401: %s", r.Status, r.Body)
	}
	// ...the account's password does.
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/invitations/accept",
		Body: map[string]any{"token": invB, "password": apitest.Password}})
	tok := env.Login(email)

	r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tok})
	if r.Status != 400 {
		t.Errorf("two memberships, no X-Tenant-ID: %d, want 400: %s", r.Status, r.Body)
	} else {
		isoCheckProblem(t, "no X-Tenant-ID", r, "/problems/bad-request")
	}
	inA := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tok, Tenant: a.ID})
	if got := isoIDs(t, inA); !isoEqual(got, isoSorted(a.Outlets[:]...)) {
		t.Errorf("outlets in A: %v, want %v", got, a.Outlets)
	}
	inB := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tok, Tenant: b.ID})
	if got := isoIDs(t, inB); !isoEqual(got, isoSorted(b.Outlets[:]...)) {
		t.Errorf("outlets in B: %v, want %v", got, b.Outlets)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tok, Tenant: c.ID}); r.Status != 403 {
		t.Errorf("X-Tenant-ID of a tenant without membership: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + c.Outlets[0], Token: tok, Tenant: c.ID}); r.Status != 403 {
		t.Errorf("C's outlet with X-Tenant-ID C: %d, want 403: %s", r.Status, r.Body)
	}
	// Choosing A does not open B's rows, and the role is the one held in the chosen tenant.
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + b.Outlets[0], Token: tok, Tenant: a.ID}); r.Status != 404 {
		t.Errorf("B's outlet with X-Tenant-ID A: %d, want 404: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/audit-log", Token: tok, Tenant: a.ID}); r.Status != 403 {
		t.Errorf("agent in A read A's audit log: %d, want 403 (auditor only in B): %s", r.Status, r.Body)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log", Token: tok, Tenant: b.ID})
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/customers", Token: tok, Tenant: b.ID,
		Body: map[string]any{"name": "Written as auditor"}}); r.Status != 403 {
		t.Errorf("auditor in B created a customer: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: tok, Header: map[string]string{"X-Tenant-ID": "not-a-uuid"}}); r.Status != 400 {
		t.Errorf("malformed X-Tenant-ID: %d, want 400: %s", r.Status, r.Body)
	}

	var me struct {
		TenantID    *string `json:"tenant_id"`
		Role        string  `json:"role"`
		Memberships []struct {
			TenantID string `json:"tenant_id"`
			Role     string `json:"role"`
		} `json:"memberships"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok}).JSON(t, &me)
	roles := map[string]string{}
	for _, m := range me.Memberships {
		roles[m.TenantID] = m.Role
	}
	if len(me.Memberships) != 2 || roles[a.ID] != "agent" || roles[b.ID] != "auditor" {
		t.Errorf("memberships in /v1/me: %+v, want A agent and B auditor", me.Memberships)
	}
	if me.TenantID != nil {
		t.Errorf("/v1/me without X-Tenant-ID names tenant %v", *me.TenantID)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: tok, Tenant: b.ID}).JSON(t, &me)
	if me.TenantID == nil || *me.TenantID != b.ID || me.Role != "auditor" {
		t.Errorf("/v1/me in B: tenant %v role %q", me.TenantID, me.Role)
	}

	// An API key belongs to one tenant: naming another in X-Tenant-ID is refused.
	key := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Token: a.Admin,
		Body: map[string]any{"name": "erp", "role": "agent"}}).Map(t)["token"].(string)
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: key, Tenant: b.ID}); r.Status != 403 {
		t.Errorf("tenant A's API key with X-Tenant-ID B: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + b.Outlets[0], Token: key, Tenant: b.ID}); r.Status != 403 && r.Status != 404 {
		t.Errorf("tenant A's API key reading B's outlet with X-Tenant-ID B: %d, want 403: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + b.Outlets[0], Token: key}); r.Status != 404 {
		t.Errorf("tenant A's API key reading B's outlet: %d, want 404: %s", r.Status, r.Body)
	}
	for _, tenant := range []string{"", a.ID} {
		got := isoIDs(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: key, Tenant: tenant}))
		if !isoEqual(got, isoSorted(a.Outlets[:]...)) {
			t.Errorf("tenant A's API key (X-Tenant-ID %q) sees outlets %v, want A's %v", tenant, got, a.Outlets)
		}
	}
}

func TestIsolationPlatformOperator(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	op := env.PlatformAdmin()
	a, b := env.NewTenant(), env.NewTenant()

	got := isoIDs(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets", Token: op, Tenant: a.ID}))
	if !isoEqual(got, isoSorted(a.Outlets[:]...)) {
		t.Errorf("operator in A sees outlets %v, want %v", got, a.Outlets)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets/" + b.Outlets[0], Token: op, Tenant: a.ID}); r.Status != 404 {
		t.Errorf("operator in A reads B's outlet: %d, want 404: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: op}); r.Status != 400 {
		t.Errorf("operator without X-Tenant-ID: %d, want 400: %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/outlets", Token: op, Tenant: "0190d1c2-0000-7000-8000-000000000001"}); r.Status != 403 {
		t.Errorf("operator with X-Tenant-ID of no tenant: %d, want 403: %s", r.Status, r.Body)
	}

	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/outlets", Token: op, Tenant: a.ID, Body: map[string]any{
		"code": "OPS-" + env.Unique(), "name": "Opened by support", "kind": "warehouse"}}).Map(t)
	outletID := created["id"].(string)
	entries := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?limit=200", Token: a.Admin}))
	var create, accessed map[string]any
	for _, e := range entries {
		switch {
		case e["action"] == "outlet.create" && e["entity_id"] == outletID:
			create = e
		case e["action"] == "platform.access":
			accessed = e
		}
	}
	if create == nil {
		t.Fatalf("operator's outlet.create is not in A's audit log: %v", entries)
	}
	if create["actor_kind"] != "platform" || create["actor_label"] == "" || create["actor_id"] == nil {
		t.Errorf("operator's write audited as %v / %v / %v, want actor_kind platform with the operator's id",
			create["actor_kind"], create["actor_label"], create["actor_id"])
	}
	if accessed == nil || accessed["actor_kind"] != "platform" {
		t.Errorf("operator's write has no platform.access audit entry: %v", accessed)
	}
	// ...and nothing of it in B's.
	for _, e := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/audit-log?limit=200", Token: b.Admin})) {
		if e["entity_id"] == outletID || e["action"] == "platform.access" {
			t.Errorf("operator's work in A shows in B's audit log: %v", e)
		}
	}

	// Tenant people are not platform operators, whatever their role or tenant header.
	_, agent := env.Person(a, "agent", "")
	for _, who := range []struct{ name, tok, tenant string }{{"tenant admin", a.Admin, ""}, {"tenant admin in A", a.Admin, a.ID},
		{"agent", agent, ""}} {
		if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/tenants", Token: who.tok, Tenant: who.tenant}); r.Status != 403 {
			t.Errorf("%s GET /v1/tenants: %d, want 403: %s", who.name, r.Status, r.Body)
		}
		slug := "rogue-" + strings.ToLower(env.Unique())
		if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/tenants", Token: who.tok, Tenant: who.tenant, Body: map[string]any{
			"slug": slug, "name": "Rogue", "kind": "brand",
			"admin": map[string]string{"email": "rogue" + env.Unique() + "@x.test", "name": "Rogue", "password": apitest.Password}}}); r.Status != 403 {
			t.Errorf("%s POST /v1/tenants: %d, want 403: %s", who.name, r.Status, r.Body)
		}
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/tenants"}); r.Status != 401 {
		t.Errorf("anonymous GET /v1/tenants: %d, want 401", r.Status)
	}
	tenantsList := isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenants?limit=200", Token: op}))
	for _, tn := range tenantsList {
		if strings.HasPrefix(fmt.Sprint(tn["slug"]), "rogue-") {
			t.Errorf("a non-operator onboarded a tenant: %v", tn)
		}
	}
	if len(tenantsList) < 2 {
		t.Errorf("operator's tenant list: %v", tenantsList)
	}
}

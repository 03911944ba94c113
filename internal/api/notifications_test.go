package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

func TestNotificationTemplatesAndSettings(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()

	var list struct {
		Items []notify.Template `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-templates?event_type=order.repair_done", Token: tn.Admin}).JSON(t, &list)
	if len(list.Items) != 6 || !list.Items[0].Default {
		t.Fatalf("defaults of order.repair_done: %+v", list.Items)
	}
	events := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-events", Token: tn.Admin}).Map(t)["items"].([]any)
	if len(events) < 16 {
		t.Errorf("event catalogue: %d types", len(events))
	}

	// A template with a variable the event does not have is refused, naming the field.
	bad := env.Do(apitest.Req{Method: "POST", Path: "/v1/notification-templates", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.repair_done", "channel": "sms", "locale": "zh-CN", "body": "{{.order_number}} 修好了，费用 {{.fee}}"}})
	if bad.Status != 422 || !strings.Contains(string(bad.Body), `"body.body"`) || !strings.Contains(string(bad.Body), "fee") {
		t.Fatalf("template with an unknown variable: %d %s", bad.Status, bad.Body)
	}
	bad = env.Do(apitest.Req{Method: "POST", Path: "/v1/notification-templates", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.repair_done", "channel": "email", "locale": "en", "subject": "{{.order_number", "body": "x"}})
	if bad.Status != 422 || !strings.Contains(string(bad.Body), `"body.subject"`) {
		t.Fatalf("template with a syntax error: %d %s", bad.Status, bad.Body)
	}
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/notification-templates", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.repair_done", "channel": "sms", "locale": "zh-CN", "body": "【{{.tenant_name}}】{{.order_number}} 修好啦"}})
	id := created.Map(t)["id"].(string)
	if created.Header.Get("ETag") != `"1"` {
		t.Errorf("ETag %q", created.Header.Get("ETag"))
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/notification-templates", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.repair_done", "channel": "sms", "locale": "zh-CN", "body": "again"}}); r.Status != 409 {
		t.Errorf("second override of the same template: %d %s", r.Status, r.Body)
	}
	preview := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/notification-templates/preview", Token: tn.Admin, Body: map[string]any{
		"event_type": "order.repair_done", "channel": "sms", "locale": "zh-CN", "vars": map[string]string{"order_number": "SO-X"}}}).Map(t)
	if !strings.HasSuffix(preview["body"].(string), "SO-X 修好啦") || !strings.HasPrefix(preview["body"].(string), "【Tenant ") {
		t.Errorf("preview of the override: %v", preview)
	}
	preview = env.Must(200, apitest.Req{Method: "POST", Path: "/v1/notification-templates/preview", Token: tn.Admin, Body: map[string]any{
		"event_type": "sla.breached", "channel": "email", "locale": "en"}}).Map(t)
	if preview["subject"] != "SLA breached - Tenant "+strings.TrimPrefix(tn.Slug, "t-") {
		t.Errorf("preview of a default: %v", preview)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/notification-templates/preview", Token: tn.Admin, Body: map[string]any{
		"event_type": "sla.breached", "channel": "email", "locale": "en", "body": "{{.nope}}"}}); r.Status != 422 {
		t.Errorf("preview with an unknown variable: %d %s", r.Status, r.Body)
	}
	put := apitest.Req{Method: "PUT", Path: "/v1/notification-templates/" + id, Token: tn.Admin, Body: map[string]any{"body": "{{.order_number}} OK"}}
	if r := env.Do(put); r.Status != 428 {
		t.Errorf("PUT without If-Match: %d", r.Status)
	}
	put.Header = map[string]string{"If-Match": `"1"`}
	if r := env.Must(200, put); r.Header.Get("ETag") != `"2"` {
		t.Errorf("PUT ETag %q", r.Header.Get("ETag"))
	}
	if r := env.Do(put); r.Status != 412 {
		t.Errorf("stale PUT: %d", r.Status)
	}
	env.Must(204, apitest.Req{Method: "DELETE", Path: "/v1/notification-templates/" + id, Token: tn.Admin, Header: map[string]string{"If-Match": `"2"`}})
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-templates?event_type=order.repair_done", Token: tn.Admin}).JSON(t, &list)
	for _, tpl := range list.Items {
		if !tpl.Default {
			t.Errorf("after delete, %+v is not the default", tpl)
		}
	}

	// Quiet hours.
	st := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-settings", Token: tn.Admin})
	if st.Header.Get("ETag") != `"1"` {
		t.Fatalf("settings ETag %q", st.Header.Get("ETag"))
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/notification-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"quiet_start": "22:00", "quiet_end": ""}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.quiet_end") {
		t.Errorf("half quiet hours: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/notification-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"quiet_start": "25:00", "quiet_end": "08:00"}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.quiet_start") {
		t.Errorf("bad time: %d %s", r.Status, r.Body)
	}
	saved := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/notification-settings", Token: tn.Admin, Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"quiet_start": "22:00", "quiet_end": "08:00"}})
	if saved.Header.Get("ETag") != `"2"` || saved.Map(t)["quiet_start"] != "22:00" {
		t.Errorf("saved settings: %s %s", saved.Header.Get("ETag"), saved.Body)
	}

	// Who may: templates are the admin's; an agent reads the send log only.
	_, agent := env.Person(tn, "agent", "")
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/notification-templates", Token: agent}); r.Status != 403 {
		t.Errorf("agent lists templates: %d", r.Status)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-sends", Token: agent})
}

func TestNotificationSendLogInboxesAndPreferences(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	phone := env.Phone()
	cust := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/customers", Token: tn.Admin, Body: map[string]any{
		"name": "王先生", "phone": phone, "email": "wang" + env.Unique() + "@example.com"}}).Map(t)
	customerID := uuid.MustParse(cust["id"].(string))

	// The customer opts out of email for order messages (staff records it).
	prefs := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/customers/" + cust["id"].(string) + "/notification-preferences", Token: tn.Admin,
		Body: map[string]any{"opt_outs": []map[string]string{{"channel": "email", "event_class": "order"}}}}).Map(t)
	if len(prefs["opt_outs"].([]any)) != 1 {
		t.Fatalf("preferences: %v", prefs)
	}
	if r := env.Do(apitest.Req{Method: "PUT", Path: "/v1/customers/" + cust["id"].(string) + "/notification-preferences", Token: tn.Admin,
		Body: map[string]any{"opt_outs": []map[string]string{{"channel": "fax", "event_class": "order"}}}}); r.Status != 422 {
		t.Errorf("unknown channel: %d %s", r.Status, r.Body)
	}

	// An event as a producer emits it, handed to the notifier (no worker runs in API tests).
	ctx := context.Background()
	client, err := jobs.NewClient(env.DB.App, env.Tenants, env.Log, false)
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(env.Tenants, env.Log, notify.Providers{})
	n.Jobs = client
	payload := notify.Payload{Recipients: []notify.Recipient{notify.Customer(customerID), notify.Role("tenant_admin", uuid.Nil)},
		Vars: map[string]string{"order_number": "SO-42", "tracking_link": "https://t.example.com/42"}, Urgent: true}
	subject := platform.NewID()
	scope := tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.SystemActor}
	var ev events.Event
	if err := env.Tenants.Tx(ctx, scope, func(tx *tenants.Tx) error {
		id, err := events.Emit(ctx, tx, client, notify.OrderCreated, "service_order", subject, uuid.Nil, payload)
		if err != nil {
			return err
		}
		ev, err = events.Load(ctx, tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := n.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}

	var page struct {
		Items []notify.Send `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-sends?subject_id=" + subject.String(), Token: tn.Admin}).JSON(t, &page)
	byKey := map[string]notify.Send{}
	for _, s := range page.Items {
		byKey[s.RecipientKind+":"+s.Channel] = s
	}
	if len(page.Items) != 5 || byKey["customer:sms"].Status != "queued" || byKey["customer:email"].Status != "suppressed" ||
		byKey["customer:in_app"].Status != "sent" || byKey["user:in_app"].Status != "sent" {
		t.Fatalf("send log: %+v", page.Items)
	}
	if s := byKey["customer:sms"]; s.Recipient != phone || s.Masked {
		t.Errorf("admin sees the recipient %q masked=%v, want %s", s.Recipient, s.Masked, phone)
	}
	_, auditor := env.Person(tn, "auditor", "")
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-sends?channel=sms", Token: auditor}).JSON(t, &page)
	if len(page.Items) != 1 || !page.Items[0].Masked || strings.Contains(page.Items[0].Recipient, phone[6:]) {
		t.Errorf("auditor's send log is not masked: %+v", page.Items)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/notification-sends?status=suppressed", Token: tn.Admin}).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Channel != "email" {
		t.Errorf("suppressed filter: %+v", page.Items)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/notification-sends?status=lost", Token: tn.Admin}); r.Status != 422 {
		t.Errorf("unknown status filter: %d", r.Status)
	}

	// The admin's in-app message, marked read.
	var inbox struct {
		Items []notify.InboxMessage `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/notifications?unread=true", Token: tn.Admin}).JSON(t, &inbox)
	if len(inbox.Items) != 1 || !strings.Contains(inbox.Items[0].Body, "SO-42") || inbox.Items[0].SubjectID == nil || *inbox.Items[0].SubjectID != subject {
		t.Fatalf("admin inbox: %+v", inbox.Items)
	}
	marked := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/me/notifications/read", Token: tn.Admin,
		Body: map[string]any{"ids": []uuid.UUID{inbox.Items[0].ID}}}).Map(t)
	if marked["marked"] != float64(1) {
		t.Errorf("marked %v", marked)
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/notifications?unread=true", Token: tn.Admin}).JSON(t, &inbox)
	if len(inbox.Items) != 0 {
		t.Errorf("unread after marking: %+v", inbox.Items)
	}

	// The consumer signs in and sees their message; their preferences are theirs to change.
	env.Must(202, apitest.Req{Method: "POST", Path: "/v1/consumer/otp", Body: map[string]string{"destination": phone}})
	code := regexp.MustCompile(`\d{6}`).FindString(env.Sender.Last(phone))
	var sess struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/consumer/otp/verify", Body: map[string]string{"destination": phone, "code": code}}).JSON(t, &sess)
	base := "/v1/consumer/tenants/" + tn.Slug
	env.Must(200, apitest.Req{Method: "GET", Path: base + "/notifications", Token: sess.Token}).JSON(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].Title != "服务单已受理" {
		t.Fatalf("consumer inbox: %+v", inbox.Items)
	}
	// The admin's message id is not the consumer's to mark.
	var adminAll struct {
		Items []notify.InboxMessage `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me/notifications", Token: tn.Admin}).JSON(t, &adminAll)
	m := env.Must(200, apitest.Req{Method: "POST", Path: base + "/notifications/read", Token: sess.Token,
		Body: map[string]any{"ids": []uuid.UUID{inbox.Items[0].ID, adminAll.Items[0].ID}}}).Map(t)
	if m["marked"] != float64(1) {
		t.Errorf("consumer marked %v, want only their own", m)
	}
	mine := env.Must(200, apitest.Req{Method: "GET", Path: base + "/notification-preferences", Token: sess.Token}).Map(t)
	if b, _ := json.Marshal(mine["opt_outs"]); string(b) != `[{"channel":"email","event_class":"order"}]` {
		t.Errorf("consumer sees preferences %s", b)
	}
	env.Must(200, apitest.Req{Method: "PUT", Path: base + "/notification-preferences", Token: sess.Token,
		Body: map[string]any{"opt_outs": []map[string]string{{"channel": "sms", "event_class": "*"}}}})
	staff := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/customers/" + cust["id"].(string) + "/notification-preferences", Token: tn.Admin}).Map(t)
	if b, _ := json.Marshal(staff["opt_outs"]); string(b) != `[{"channel":"sms","event_class":"*"}]` {
		t.Errorf("staff sees preferences %s after the consumer's change", b)
	}
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/me/notifications", Token: sess.Token}); r.Status != 403 {
		t.Errorf("consumer on the staff inbox: %d", r.Status)
	}
}

func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "ftp://erp.example.com/hooks", "events": []string{"order.created"}}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.url") {
		t.Errorf("ftp endpoint: %d %s", r.Status, r.Body)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "https://erp.example.com/hooks", "events": []string{"Order Created"}}}); r.Status != 422 || !strings.Contains(string(r.Body), "body.events[0]") {
		t.Errorf("bad event name: %d %s", r.Status, r.Body)
	}
	created := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints", Token: tn.Admin, Body: map[string]any{
		"url": "https://erp.example.com/hooks", "events": []string{"sla.breached", "order.created", "order.created"}, "description": "ERP"}})
	ep := created.Map(t)
	secret, _ := ep["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || len(ep["events"].([]any)) != 2 || created.Header.Get("Location") == "" {
		t.Fatalf("created endpoint: %v", ep)
	}
	id := ep["id"].(string)
	got := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + id, Token: tn.Admin})
	if strings.Contains(string(got.Body), secret) || strings.Contains(string(got.Body), "whsec_") {
		t.Fatalf("the secret is shown again: %s", got.Body)
	}
	rot := env.Must(200, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints/" + id + "/rotate-secret", Token: tn.Admin,
		Body: map[string]any{"previous_valid_seconds": 3600}}).Map(t)
	if rot["secret"] == secret || !strings.HasPrefix(rot["secret"].(string), "whsec_") || rot["previous_secret_valid_until"] == nil {
		t.Errorf("rotation: %v", rot)
	}
	if r := env.Do(apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints/" + id + "/rotate-secret", Token: tn.Admin,
		Body: map[string]any{"previous_valid_seconds": 9999999}}); r.Status != 422 {
		t.Errorf("overlap of months: %d %s", r.Status, r.Body)
	}
	ping := env.Must(202, apitest.Req{Method: "POST", Path: "/v1/webhook-endpoints/" + id + "/ping", Token: tn.Admin}).Map(t)
	if ping["status"] != "pending" || ping["event_type"] != "webhook.ping" {
		t.Errorf("ping: %v", ping)
	}
	re := env.Must(202, apitest.Req{Method: "POST", Path: "/v1/webhook-deliveries/" + ping["id"].(string) + "/redeliver", Token: tn.Admin}).Map(t)
	if re["redelivery_of"] != ping["id"] || re["event_id"] != ping["event_id"] {
		t.Errorf("redelivery: %v", re)
	}
	var dels struct {
		Items []map[string]any `json:"items"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + id + "/deliveries?status=pending", Token: tn.Admin}).JSON(t, &dels)
	if len(dels.Items) != 2 {
		t.Errorf("deliveries: %v", dels.Items)
	}
	cur := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints/" + id, Token: tn.Admin})
	off := false
	upd := env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/webhook-endpoints/" + id, Token: tn.Admin, Header: map[string]string{"If-Match": cur.Header.Get("ETag")},
		Body: map[string]any{"url": "https://erp.example.com/v2", "events": []string{"*"}, "enabled": off}}).Map(t)
	if upd["enabled"] != false || upd["disabled_reason"] != "disabled by a user" {
		t.Errorf("disabled by hand: %v", upd)
	}
	_, agent := env.Person(tn, "agent", "")
	if r := env.Do(apitest.Req{Method: "GET", Path: "/v1/webhook-endpoints", Token: agent}); r.Status != 403 {
		t.Errorf("agent lists webhooks: %d", r.Status)
	}
}

func TestNotificationAndWebhookBadInput(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tn := env.NewTenant()
	for _, c := range []struct {
		name, method, path string
		body               any
		header             map[string]string
		want               int
		loc                string
	}{
		{"mark read: not a uuid", "POST", "/v1/me/notifications/read", map[string]any{"ids": []string{"nope"}}, nil, 422, "body.ids[0]"},
		{"mark read: no ids", "POST", "/v1/me/notifications/read", map[string]any{"ids": []string{}}, nil, 422, "body.ids"},
		{"webhook: no events", "POST", "/v1/webhook-endpoints", map[string]any{"url": "https://x.example.com/h", "events": []string{}}, nil, 422, "body.events"},
		// Text holding a NUL is refused as the body is read (400), the field named in the message.
		{"webhook: NUL in url", "POST", "/v1/webhook-endpoints", map[string]any{"url": "https://x.example.com/\x00", "events": []string{"*"}}, nil, 400, "body"},
		{"webhook: relative url", "POST", "/v1/webhook-endpoints", map[string]any{"url": "/hooks/aftersales", "events": []string{"*"}}, nil, 422, "body.url"},
		{"template: unknown channel", "POST", "/v1/notification-templates", map[string]any{"event_type": "order.created", "channel": "fax", "locale": "en", "body": "x"}, nil, 422, "body.channel"},
		{"template: unknown event", "POST", "/v1/notification-templates", map[string]any{"event_type": "order.exploded", "channel": "sms", "locale": "en", "body": "x"}, nil, 422, "body.event_type"},
		{"template: empty body", "POST", "/v1/notification-templates", map[string]any{"event_type": "order.created", "channel": "sms", "locale": "en", "body": ""}, nil, 422, "body.body"},
		{"template: bad If-Match", "PUT", "/v1/notification-templates/0190d1c2-0000-7000-8000-000000000000", map[string]any{"body": "x"}, map[string]string{"If-Match": "soon"}, 400, "header.If-Match"},
		{"preferences: bad class", "PUT", "/v1/customers/0190d1c2-0000-7000-8000-000000000000/notification-preferences",
			map[string]any{"opt_outs": []map[string]string{{"channel": "sms", "event_class": "Order Updates"}}}, nil, 422, "body.opt_outs[0].event_class"},
		{"sends: bad subject", "GET", "/v1/notification-sends?subject_id=x", nil, nil, 422, "query.subject_id"},
		{"deliveries: bad status", "GET", "/v1/webhook-endpoints/0190d1c2-0000-7000-8000-000000000000/deliveries?status=lost", nil, nil, 422, "query.status"},
		{"settings: no If-Match", "PUT", "/v1/notification-settings", map[string]any{"quiet_start": "", "quiet_end": ""}, nil, 428, "header.If-Match"},
	} {
		r := env.Do(apitest.Req{Method: c.method, Path: c.path, Token: tn.Admin, Body: c.body, Header: c.header})
		if r.Status != c.want || !strings.Contains(string(r.Body), `"`+c.loc+`"`) {
			t.Errorf("%s: %d %s, want %d naming %s", c.name, r.Status, r.Body, c.want, c.loc)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: Content-Type %q", c.name, r.Header.Get("Content-Type"))
		}
	}
}

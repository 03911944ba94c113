package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

func TestQuietUntil(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name       string
		loc        *time.Location
		now        string
		start, end string
		want       string
	}{
		{"no quiet hours", sh, "2026-10-08 23:00", "", "", "2026-10-08 23:00"},
		{"before quiet", sh, "2026-10-08 21:59", "22:00", "08:00", "2026-10-08 21:59"},
		{"at start", sh, "2026-10-08 22:00", "22:00", "08:00", "2026-10-09 08:00"},
		{"late evening", sh, "2026-10-08 23:30", "22:00", "08:00", "2026-10-09 08:00"},
		{"after midnight", sh, "2026-10-09 03:00", "22:00", "08:00", "2026-10-09 08:00"},
		{"at end", sh, "2026-10-09 08:00", "22:00", "08:00", "2026-10-09 08:00"},
		{"same-day span inside", sh, "2026-10-09 12:30", "12:00", "14:00", "2026-10-09 14:00"},
		{"same-day span outside", sh, "2026-10-09 14:30", "12:00", "14:00", "2026-10-09 14:30"},
		{"month end", sh, "2026-10-31 23:00", "22:00", "08:00", "2026-11-01 08:00"},
		// 2026-11-01 02:00 EDT -> EST: the quiet night is an hour longer, the end is 08:00 local.
		{"DST end", ny, "2026-10-31 23:00", "22:00", "08:00", "2026-11-01 08:00"},
		{"DST start", ny, "2026-03-08 01:00", "22:00", "08:00", "2026-03-08 08:00"},
	} {
		got := notify.QuietUntil(at(c.loc, c.now), c.loc, c.start, c.end)
		if want := at(c.loc, c.want); !got.Equal(want) {
			t.Errorf("%s: QuietUntil(%s) = %s, want %s", c.name, c.now, got.In(c.loc), want)
		}
	}
}

func TestEveryDefaultTemplateRendersWithItsSampleVars(t *testing.T) {
	t.Parallel()
	want := []string{"order.created", "order.engineer_assigned", "appointment.booked", "appointment.changed", "order.on_the_way",
		"parts.arrived", "parts.awaiting", "warranty.cycle_extended", "order.repair_done", "order.ready_for_pickup",
		"quote.to_approve", "sla.warning", "sla.breached", "sla.escalated", "complaint.escalated", "callback.due", "survey.invite", "rectification.opened",
		"rectification.submitted", "rectification.reviewed", "webhook.disabled", "compensation.issued",
		"payment.flagged", "refund.failed", "dispute.won", "dispute.lost", "platform.payment_failed", "platform.grace_ending",
		"loaner.overdue", "return.approved", "return.rejected", "return.received", "return.refunded", "return.exchanged",
		"part_order.arrived"}
	for _, typ := range want {
		for _, ch := range notify.Channels {
			for _, loc := range notify.Locales {
				tpl, ok := notify.DefaultTemplate(typ, ch, loc)
				if !ok {
					t.Errorf("no default template for %s %s %s", typ, ch, loc)
					continue
				}
				r, err := notify.Render(tpl.Subject, tpl.Body, notify.SampleVars(typ))
				if err != nil {
					t.Errorf("%s %s %s: %v", typ, ch, loc, err)
				}
				if strings.Contains(r.Body, "<no value>") || strings.Contains(r.Body, "{{") {
					t.Errorf("%s %s %s renders %q", typ, ch, loc, r.Body)
				}
			}
		}
	}
	if len(notify.Catalogue()) != len(want) {
		t.Errorf("catalogue has %d types, want %d", len(notify.Catalogue()), len(want))
	}
}

func TestRenderRejectsMissingVariables(t *testing.T) {
	t.Parallel()
	if _, err := notify.Render("", "Order {{.order_number}} at {{.eta}}", map[string]string{"order_number": "SO-1"}); err == nil ||
		!strings.Contains(err.Error(), "unknown variable \"eta\"") {
		t.Errorf("missing variable: %v", err)
	}
	err := notify.Validate("order.on_the_way", "", "{{.engineer_name}} arrives at {{.arrival_time}}")
	var fe *fault.FieldError
	if !asField(err, &fe) || fe.Field != "body" || !strings.Contains(fe.Reason, "arrival_time") {
		t.Errorf("Validate with an unknown variable: %v", err)
	}
	if err := notify.Validate("order.on_the_way", "{{.order_number", "x"); !asField(err, &fe) || fe.Field != "subject" {
		t.Errorf("Validate with a broken subject: %v", err)
	}
	if err := notify.Validate("order.on_the_way", "", "{{.engineer_name}} · {{.eta}} · {{.tenant_name}}"); err != nil {
		t.Errorf("valid template rejected: %v", err)
	}
	if err := notify.Validate("no.such_event", "", "x"); !asField(err, &fe) || fe.Field != "event_type" {
		t.Errorf("unknown event type: %v", err)
	}
}

func asField(err error, fe **fault.FieldError) bool { return errors.As(err, fe) }

func TestPreferencesSuppress(t *testing.T) {
	t.Parallel()
	p := notify.Preferences{OptOuts: []notify.OptOut{{Channel: "sms", EventClass: "*"}, {Channel: "*", EventClass: "sla"}}}
	for _, c := range []struct {
		ch, typ string
		want    bool
	}{{"sms", "order.created", true}, {"email", "order.created", false}, {"email", "sla.breached", true},
		{"in_app", "sla.warning", true}, {"in_app", "quote.to_approve", false}} {
		if got := p.Suppresses(c.ch, c.typ); got != c.want {
			t.Errorf("Suppresses(%s, %s) = %v, want %v", c.ch, c.typ, got, c.want)
		}
	}
}

// ---- with the database and River ----

type bundle struct {
	ctx      context.Context
	db       *tenants.DB
	tenant   uuid.UUID
	scope    tenants.Scope
	admin    uuid.UUID
	customer customers.Customer
	dev      *notify.DevProvider
	n        *notify.Notifier
	client   *river.Client[pgx.Tx]
}

// setup makes a tenant with an admin and a customer (phone, email, consumer login), and a
// notifier on a River client (started when work is set).
func setup(t *testing.T, work bool, configure func(n *notify.Notifier)) *bundle {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t).App
	d := tenants.NewDB(pool)
	b := &bundle{ctx: ctx, db: d, tenant: platform.NewID(), admin: platform.NewID()}
	b.scope = tenants.Scope{TenantID: b.tenant, Actor: tenants.SystemActor}
	if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, timezone, locale) VALUES ($1, $2, '安心售后', 'brand', 'Asia/Shanghai', 'zh-CN')`,
			b.tenant, "t-"+b.tenant.String()[:8]); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Admin', 'x')`,
			b.admin, "admin-"+b.admin.String()+"@example.com")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Tx(ctx, b.scope, func(tx *tenants.Tx) (err error) {
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, id, user_id, role) VALUES ($1, $2, $3, 'tenant_admin')`,
			b.tenant, platform.NewID(), b.admin); err != nil {
			return err
		}
		b.customer, err = customers.Create(ctx, tx, customers.Fields{Name: "李女士", Phone: "138" + digits(b.tenant), Email: "li-" + b.tenant.String()[:8] + "@example.com"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	b.dev = notify.NewDevProvider(log)
	b.n = notify.New(d, log, notify.Providers{SMS: b.dev, Email: b.dev})
	if configure != nil {
		configure(b.n)
	}
	var err error
	b.client, err = jobs.NewClient(pool, d, log, work, b.n)
	if err != nil {
		t.Fatal(err)
	}
	if work {
		if err := b.client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.client.Stop(context.Background()) })
	}
	return b
}

// digits derives 8 digits from an id, so that every test's customer has its own phone.
func digits(id uuid.UUID) string {
	var s strings.Builder
	for _, c := range id[8:16] {
		s.WriteByte('0' + c%10)
	}
	return s.String()
}

func (b *bundle) emit(t *testing.T, typ string, p notify.Payload) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		id, err = events.Emit(b.ctx, tx, b.client, typ, "service_order", platform.NewID(), uuid.Nil, p)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (b *bundle) sends(t *testing.T, f notify.SendFilter) []notify.Send {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 100
	}
	var out []notify.Send
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		out, err = notify.ListSends(b.ctx, tx, f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func (b *bundle) eventSends(t *testing.T, event uuid.UUID) map[string]notify.Send {
	out := map[string]notify.Send{}
	for _, s := range b.sends(t, notify.SendFilter{}) {
		if s.EventID == event {
			out[s.RecipientKind+":"+s.Channel] = s
		}
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEventIsSentOncePerRecipientAndChannel(t *testing.T) {
	t.Parallel()
	b := setup(t, true, nil)
	ev := b.emit(t, notify.OrderRepairDone, notify.Payload{
		Recipients: []notify.Recipient{notify.Customer(b.customer.ID), notify.Customer(b.customer.ID), notify.Role("tenant_admin", uuid.Nil)},
		Vars:       map[string]string{"order_number": "SO-2026-000001", "tracking_link": "https://t.example.com/1"},
	})
	waitFor(t, "sms and email to the customer", func() bool {
		s := b.eventSends(t, ev)
		return s["customer:sms"].Status == "sent" && s["customer:email"].Status == "sent" && s["user:email"].Status == "sent"
	})
	sends := b.eventSends(t, ev)
	if len(sends) != 5 {
		t.Errorf("sends: %v, want customer sms/email/in_app and admin email/in_app", sends)
	}
	sms := b.dev.Sent(b.customer.Phone)
	if len(sms) != 1 || sms[0].Body != "【安心售后】服务单 SO-2026-000001 已维修完成。详情：https://t.example.com/1" {
		t.Fatalf("SMS to the customer: %+v", sms)
	}
	if got := b.dev.Sent(b.customer.Email); len(got) != 1 || got[0].Subject != "维修完成 - 安心售后" {
		t.Errorf("email to the customer: %+v", got)
	}
	if s := sends["customer:sms"]; s.Attempts != 1 || s.ProviderMessageID == "" || s.SentAt == nil || s.Locale != "zh-CN" {
		t.Errorf("logged SMS: %+v", s)
	}
	// In-app messages: the customer's consumer login and the admin each have one.
	var mine, admins []notify.InboxMessage
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		if mine, err = notify.ListInbox(b.ctx, tx, notify.Inbox{ConsumerID: *b.customer.ConsumerID}, uuid.NullUUID{}, false, 10); err != nil {
			return err
		}
		admins, err = notify.ListInbox(b.ctx, tx, notify.Inbox{UserID: b.admin}, uuid.NullUUID{}, true, 10)
		if err != nil {
			return err
		}
		n, err := notify.MarkRead(b.ctx, tx, notify.Inbox{UserID: b.admin}, []uuid.UUID{admins[0].ID, mine[0].ID})
		if n != 1 {
			t.Errorf("marked %d read, want 1 (the customer's message is not the admin's)", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].Title != "维修完成" || len(admins) != 1 {
		t.Errorf("inboxes: customer %+v, admin %+v", mine, admins)
	}

	// Handling the event again (a retried delivery to the notifier) sends nothing new.
	raw, _ := json.Marshal(notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)},
		Vars: map[string]string{"order_number": "SO-2026-000001", "tracking_link": "https://t.example.com/1"}})
	b.n.Jobs = b.client
	if err := b.n.Handle(b.ctx, events.Event{ID: ev, TenantID: b.tenant, Type: notify.OrderRepairDone, Data: raw}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if got := len(b.dev.Sent(b.customer.Phone)); got != 1 {
		t.Errorf("after handling the event twice the customer got %d SMS, want 1", got)
	}
	if got := len(b.eventSends(t, ev)); got != 5 {
		t.Errorf("after handling the event twice: %d sends", got)
	}
}

func TestFailedSendIsRetriedAndSentOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, true, nil)
	b.dev.FailNext(b.customer.Phone, 1)
	ev := b.emit(t, notify.PartsArrived, notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)},
		Vars: map[string]string{"order_number": "SO-9", "part_name": "压缩机"}, Channels: []string{notify.ChannelSMS}, Locale: "en"})
	waitFor(t, "the SMS after one failure", func() bool { return b.eventSends(t, ev)["customer:sms"].Status == "sent" })
	s := b.eventSends(t, ev)["customer:sms"]
	if s.Attempts != 2 || s.Error != "" {
		t.Errorf("send after a retry: %+v, want 2 attempts", s)
	}
	if got := b.dev.Sent(b.customer.Phone); len(got) != 1 || !strings.HasPrefix(got[0].Body, "[安心售后] The part for order SO-9") {
		t.Errorf("sent: %+v", got)
	}
	if len(b.eventSends(t, ev)) != 1 {
		t.Errorf("channels restricted to SMS, but: %v", b.eventSends(t, ev))
	}
}

// idempotentProvider deduplicates by key like a gateway that honours Idempotency-Key.
type idempotentProvider struct {
	mu   sync.Mutex
	seen map[string]int
}

func (p *idempotentProvider) Send(_ context.Context, m notify.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen[m.Key]++
	return "gw-" + m.Key, nil
}
func (p *idempotentProvider) Idempotent() bool { return true }

func TestInterruptedSendIsNotDuplicated(t *testing.T) {
	t.Parallel()
	gw := &idempotentProvider{seen: map[string]int{}}
	b := setup(t, false, func(n *notify.Notifier) { n.Providers.SMS = gw })
	b.n.Jobs = b.client
	ev := b.emit(t, notify.OrderCreated, notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)},
		Vars: map[string]string{"order_number": "SO-7", "tracking_link": "https://t.example.com/7"}})
	raw, _ := json.Marshal(notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)},
		Vars: map[string]string{"order_number": "SO-7", "tracking_link": "https://t.example.com/7"}})
	if err := b.n.Handle(b.ctx, events.Event{ID: ev, TenantID: b.tenant, Type: notify.OrderCreated, Data: raw}); err != nil {
		t.Fatal(err)
	}
	sends := b.eventSends(t, ev)
	sms, email := sends["customer:sms"], sends["customer:email"]
	if sms.Status != "queued" || email.Status != "queued" || sends["customer:in_app"].Status != "sent" {
		t.Fatalf("after handling: %+v", sends)
	}
	// Simulate a worker that died after claiming (and maybe calling the provider).
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE notification_sends SET status = 'sending', attempts = 1, claimed_at = now() - interval '5 minutes'
			WHERE id = ANY($1)`, []uuid.UUID{sms.ID, email.ID})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The email provider (dev, like SMTP) cannot deduplicate: the send is failed, not repeated.
	if err := b.n.Deliver(b.ctx, b.tenant, email.ID, 2, 8); err != nil {
		t.Fatal(err)
	}
	if got := b.eventSends(t, ev)["customer:email"]; got.Status != "failed" || !strings.Contains(got.Error, "outcome unknown") {
		t.Errorf("interrupted email: %+v", got)
	}
	if got := b.dev.Sent(b.customer.Email); len(got) != 0 {
		t.Errorf("interrupted email was sent again: %+v", got)
	}
	// The SMS gateway deduplicates by the send id: the send is repeated with the same key.
	for range 2 {
		if err := b.n.Deliver(b.ctx, b.tenant, sms.ID, 2, 8); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.eventSends(t, ev)["customer:sms"]; got.Status != "sent" || got.Attempts != 2 || got.ProviderMessageID != "gw-"+sms.ID.String() {
		t.Errorf("interrupted SMS: %+v", got)
	}
	if gw.seen[sms.ID.String()] != 1 {
		t.Errorf("gateway calls for the SMS: %d, want 1 (a finished send is never repeated)", gw.seen[sms.ID.String()])
	}
	// A claim within the lease belongs to a running attempt: the job waits (snoozes).
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE notification_sends SET status = 'sending', claimed_at = now() WHERE id = $1`, sms.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var snooze *river.JobSnoozeError
	if err := b.n.Deliver(b.ctx, b.tenant, sms.ID, 3, 8); !errorsAs(err, &snooze) {
		t.Errorf("a fresh claim: %v, want a snooze", err)
	}
}

func errorsAs(err error, target **river.JobSnoozeError) bool { return errors.As(err, target) }

func TestOptOutAndQuietHours(t *testing.T) {
	t.Parallel()
	// 23:30 in Shanghai.
	night := time.Date(2026, 10, 8, 15, 30, 0, 0, time.UTC)
	b := setup(t, false, func(n *notify.Notifier) { n.Now = func() time.Time { return night } })
	b.n.Jobs = b.client
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		if _, err := notify.PutQuietHours(b.ctx, tx, 1, notify.QuietHours{QuietStart: "22:00", QuietEnd: "08:00"}); err != nil {
			return err
		}
		_, err := notify.PutPreferences(b.ctx, tx, b.customer.ID, notify.Preferences{OptOuts: []notify.OptOut{{Channel: "email", EventClass: "*"}}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	handle := func(typ string, p notify.Payload) map[string]notify.Send {
		ev := b.emit(t, typ, p)
		raw, _ := json.Marshal(p)
		if err := b.n.Handle(b.ctx, events.Event{ID: ev, TenantID: b.tenant, Type: typ, Data: raw}); err != nil {
			t.Fatal(err)
		}
		return b.eventSends(t, ev)
	}
	vars := map[string]string{"order_number": "SO-1", "amount": "¥350.00", "approve_link": "https://t.example.com/q"}
	got := handle(notify.QuoteToApprove, notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)}, Vars: vars})
	morning := time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
	if s := got["customer:sms"]; s.Status != "queued" || !s.ScheduledAt.Equal(morning) {
		t.Errorf("non-urgent SMS at night: %+v, want queued until %s", s, morning)
	}
	if s := got["customer:email"]; s.Status != "suppressed" || s.Error == "" {
		t.Errorf("email to a customer who opted out: %+v", s)
	}
	if s := got["customer:in_app"]; s.Status != "sent" {
		t.Errorf("in-app at night: %+v (in-app messages are silent and not delayed)", s)
	}
	got = handle(notify.QuoteToApprove, notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)}, Vars: vars, Urgent: true})
	if s := got["customer:sms"]; s.Status != "queued" || !s.ScheduledAt.Equal(night) {
		t.Errorf("urgent SMS at night: %+v, want queued now", s)
	}
	// The job of the delayed SMS waits for the morning.
	var scheduled []time.Time
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT scheduled_at FROM river.river_job WHERE kind = 'notify_send' ORDER BY scheduled_at`)
		if err != nil {
			return err
		}
		scheduled, err = pgx.CollectRows(rows, pgx.RowTo[time.Time])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(scheduled) != 2 || !scheduled[0].Equal(morning) && !scheduled[1].Equal(morning) {
		t.Errorf("send jobs scheduled at %v, want one at %s", scheduled, morning)
	}
	// A template missing a variable is logged as failed, not sent with a hole.
	got = handle(notify.QuoteToApprove, notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)},
		Vars: map[string]string{"order_number": "SO-1"}, Channels: []string{"sms"}})
	if s := got["customer:sms"]; s.Status != "failed" || !strings.Contains(s.Error, "amount") {
		t.Errorf("send with a missing variable: %+v", s)
	}
	// Filters of the send log.
	if n := len(b.sends(t, notify.SendFilter{Status: "suppressed"})); n != 2 {
		t.Errorf("suppressed sends: %d, want 2", n)
	}
	if n := len(b.sends(t, notify.SendFilter{Channel: "in_app", EventType: notify.QuoteToApprove})); n != 2 {
		t.Errorf("in-app quote sends: %d, want 2", n)
	}
}

func TestTenantTemplateOverridesDefault(t *testing.T) {
	t.Parallel()
	b := setup(t, false, nil)
	b.n.Jobs = b.client
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := notify.CreateTemplate(b.ctx, tx, notify.TemplateInput{EventType: notify.OrderCreated, Channel: "sms", Locale: "zh-CN",
			Body: "【{{.tenant_name}}】已受理 {{.order_number}}"})
		if err != nil {
			return err
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := notify.CreateTemplate(b.ctx, tx, notify.TemplateInput{EventType: notify.OrderCreated, Channel: "sms", Locale: "zh-CN", Body: "x"})
		return err
	}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("a second template for the same event, channel and locale: %v, want a conflict", err)
	}
	p := notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)}, Channels: []string{"sms"},
		Vars: map[string]string{"order_number": "SO-5", "tracking_link": "https://t.example.com/5"}}
	ev := b.emit(t, notify.OrderCreated, p)
	raw, _ := json.Marshal(p)
	if err := b.n.Handle(b.ctx, events.Event{ID: ev, TenantID: b.tenant, Type: notify.OrderCreated, Data: raw}); err != nil {
		t.Fatal(err)
	}
	if err := b.n.Deliver(b.ctx, b.tenant, b.eventSends(t, ev)["customer:sms"].ID, 1, 8); err != nil {
		t.Fatal(err)
	}
	if got := b.dev.Sent(b.customer.Phone); len(got) != 1 || got[0].Body != "【安心售后】已受理 SO-5" {
		t.Errorf("sent with the tenant's template: %+v", got)
	}
}

func TestFormatHelpers(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 8, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	if got := notify.FormatTime(at, "Asia/Shanghai"); got != "2026-10-08 09:00" {
		t.Errorf("FormatTime = %q", got)
	}
	if got := notify.FormatWindow(at, at.Add(3*time.Hour), "Asia/Shanghai"); got != "2026-10-08 09:00-12:00" {
		t.Errorf("FormatWindow = %q", got)
	}
	if got := notify.FormatWindow(at.Add(13*time.Hour), at.Add(16*time.Hour), "Asia/Shanghai"); got != "2026-10-08 22:00-2026-10-09 01:00" {
		t.Errorf("FormatWindow over midnight = %q", got)
	}
	if got := notify.MissingVars(notify.OrderOnTheWay, map[string]string{"order_number": "SO-1"}); strings.Join(got, ",") != "engineer_name,eta" {
		t.Errorf("MissingVars = %v", got)
	}
}

// slowProvider takes a while, counting calls per key.
type slowProvider struct {
	idempotentProvider
}

func (p *slowProvider) Send(ctx context.Context, m notify.Message) (string, error) {
	time.Sleep(300 * time.Millisecond)
	return p.idempotentProvider.Send(ctx, m)
}

// TestConcurrentRunsOfOneSendSendOnce: two workers running the same send (a rescued job next
// to the original) call the provider once; the second waits for the first.
func TestConcurrentRunsOfOneSendSendOnce(t *testing.T) {
	t.Parallel()
	gw := &slowProvider{idempotentProvider{seen: map[string]int{}}}
	b := setup(t, false, func(n *notify.Notifier) { n.Providers.SMS = gw })
	b.n.Jobs = b.client
	p := notify.Payload{Recipients: []notify.Recipient{notify.Customer(b.customer.ID)}, Channels: []string{"sms"},
		Vars: map[string]string{"order_number": "SO-3", "tracking_link": "https://t.example.com/3"}}
	ev := b.emit(t, notify.OrderCreated, p)
	raw, _ := json.Marshal(p)
	if err := b.n.Handle(b.ctx, events.Event{ID: ev, TenantID: b.tenant, Type: notify.OrderCreated, Data: raw}); err != nil {
		t.Fatal(err)
	}
	id := b.eventSends(t, ev)["customer:sms"].ID
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- b.n.Deliver(b.ctx, b.tenant, id, 1, 8) }()
	}
	var snoozed int
	for range 2 {
		if err := <-errs; err != nil {
			var sn *river.JobSnoozeError
			if !errors.As(err, &sn) {
				t.Errorf("deliver: %v", err)
			}
			snoozed++
		}
	}
	if gw.seen[id.String()] != 1 || snoozed != 1 {
		t.Errorf("provider calls %d, snoozed %d; want 1 and 1", gw.seen[id.String()], snoozed)
	}
	if s := b.eventSends(t, ev)["customer:sms"]; s.Status != "sent" || s.Attempts != 1 {
		t.Errorf("send: %+v", s)
	}
}

func TestParsePayload(t *testing.T) {
	t.Parallel()
	p, err := notify.ParsePayload([]byte(`{"recipients":[{"kind":"role","role":"tenant_admin"}],"vars":{"order_number":"SO-1","amount":350,"paid":true},
		"urgent":true,"locale":"en","number":"SO-1","customer_id":"0190d1c2-0000-7000-8000-000000000000"}`))
	if err != nil || len(p.Recipients) != 1 || p.Recipients[0].Role != "tenant_admin" || !p.Urgent || p.Locale != "en" ||
		p.Vars["order_number"] != "SO-1" || p.Vars["amount"] != "350" || p.Vars["paid"] != "true" {
		t.Errorf("payload %+v, %v", p, err)
	}
	if _, err := notify.ParsePayload([]byte(`{"vars":{"x":{"y":1}}}`)); err == nil {
		t.Error("an object as a variable was accepted")
	}
	if p, err := notify.ParsePayload([]byte(`{}`)); err != nil || len(p.Recipients) != 0 {
		t.Errorf("empty payload: %+v %v", p, err)
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		amount   int64
		currency string
		want     string
	}{{35000, "CNY", "¥350.00"}, {1250, "usd", "$12.50"}, {5, "EUR", "€0.05"}, {-2990, "CNY", "-¥29.90"}, {120000, "JPY", "JPY 1200.00"}} {
		if got := notify.FormatMoney(c.amount, c.currency); got != c.want {
			t.Errorf("FormatMoney(%d, %s) = %q, want %q", c.amount, c.currency, got, c.want)
		}
	}
}

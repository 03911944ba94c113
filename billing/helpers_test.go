package billing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

const secret = "whsec_billing_test"

// bundle is one test's database, billing service and running job worker.
type bundle struct {
	t      *testing.T
	ctx    context.Context
	db     *testdb.DB
	tdb    *tenants.DB
	svc    *billing.Service
	client *river.Client[pgx.Tx]
}

func setup(t *testing.T) *bundle {
	t.Helper()
	mock := os.Getenv("STRIPE_MOCK_URL")
	if mock == "" {
		t.Fatal("STRIPE_MOCK_URL is not set: run tests with `make test`, which starts stripe-mock")
	}
	d := testdb.New(t)
	tdb := tenants.NewDB(d.App)
	level := slog.LevelError
	if os.Getenv("TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	svc := billing.New(tdb, log, billing.Config{SecretKey: "sk_test_123", WebhookSecret: secret, APIBase: mock,
		PublicURL: "http://portal.test", Grace: time.Hour})
	client, err := jobs.NewClient(d.App, tdb, log, true, svc.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return &bundle{t: t, ctx: ctx, db: d, tdb: tdb, svc: svc, client: client}
}

// tenant creates a root tenant with one outlet in Shanghai, a category and a model.
type fixture struct {
	tenant, outlet, model uuid.UUID
}

func (b *bundle) tenant() fixture {
	b.t.Helper()
	f := fixture{tenant: platform.NewID(), outlet: platform.NewID(), model: platform.NewID()}
	if err := b.tdb.Platform(b.ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'Brand', 'brand')`, f.tenant, "t-"+f.tenant.String()[24:]) // the random end of the id: two tenants made in one millisecond differ
		return err
	}); err != nil {
		b.t.Fatal(err)
	}
	cat := platform.NewID()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `INSERT INTO outlets (tenant_id, id, code, name, kind, province_code, city_code)
			VALUES (app.tenant_id(), $1, 'SH1', 'Shanghai', 'service_center', '310000', '310100')`, f.outlet); err != nil {
			return err
		}
		// The tenant's default calendar, as onboarding makes it (SLA clocks count on it).
		week := `{"mon":[{"start":"09:00","end":"18:00"}],"tue":[{"start":"09:00","end":"18:00"}],"wed":[{"start":"09:00","end":"18:00"}],` +
			`"thu":[{"start":"09:00","end":"18:00"}],"fri":[{"start":"09:00","end":"18:00"}],"sat":[],"sun":[]}`
		if _, err := tx.Exec(b.ctx, `INSERT INTO business_calendars (tenant_id, id, name, timezone, weekly_hours)
			VALUES (app.tenant_id(), $1, 'Default', 'Asia/Shanghai', $2)`, platform.NewID(), week); err != nil {
			return err
		}
		if _, err := tx.Exec(b.ctx, `INSERT INTO product_categories (tenant_id, id, code, name) VALUES (app.tenant_id(), $1, 'ac', 'AC')`, cat); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, `INSERT INTO product_models (tenant_id, id, category_id, sku, name) VALUES (app.tenant_id(), $1, $2, 'AC-1', 'AC')`, f.model, cat)
		return err
	})
	return f
}

func (b *bundle) unit(f fixture, serial string) uuid.UUID {
	b.t.Helper()
	id := platform.NewID()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		_, err := tx.Exec(b.ctx, `INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, channel)
			VALUES (app.tenant_id(), $1, $2, $3, current_date - 30, 'staff')`, id, f.model, serial)
		return err
	})
	return id
}

// order stores a carry-in service order of a new customer at the fixture's outlet.
func (b *bundle) order(f fixture) uuid.UUID {
	b.t.Helper()
	id, customer := platform.NewID(), platform.NewID()
	b.in(f.tenant, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(b.ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Customer')`, customer); err != nil {
			return err
		}
		_, err := tx.Exec(b.ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id,
				outlet_id, tracking_token)
			VALUES (app.tenant_id(), $1, $2, 'repair_minor', 'carry_in', 'phone', 'waiting', $3, $4, $5)`,
			id, "SO-"+id.String(), customer, f.outlet, "trk_"+id.String())
		return err
	})
	return id
}

func (b *bundle) in(tenant uuid.UUID, fn func(tx *tenants.Tx) error) {
	b.t.Helper()
	if err := b.tdb.Tx(b.ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, fn); err != nil {
		b.t.Fatal(err)
	}
}

// deliver signs a payload and hands it to the webhook receiver.
func (b *bundle) deliver(payload []byte) (billing.Receipt, error) {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
	return b.svc.Receive(b.ctx, b.client, sp.Payload, sp.Header)
}

// settle waits until every job but the SLA wakes (due hours ahead) has run.
func (b *bundle) settle() {
	b.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var n int
		if err := b.db.Owner.QueryRow(b.ctx, `SELECT count(*) FROM river.river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')
			   AND kind NOT IN ('sla_wake', 'sla_timer', 'sla_sweep')`).Scan(&n); err != nil {
			b.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			rows, _ := b.db.Owner.Query(b.ctx, `SELECT kind, state, errors::text FROM river.river_job WHERE state <> 'completed' LIMIT 5`)
			for rows.Next() {
				var k, s, e string
				_ = rows.Scan(&k, &s, &e)
				b.t.Logf("job %s %s %.500s", k, s, e)
			}
			rows.Close()
			b.t.Fatalf("%d jobs still unfinished", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ev builds a Stripe event payload on the pinned API version.
func ev(id, typ string, created int64, obj map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "created": created,
		"type": typ, "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj}})
	return b
}

func md(tenant, purchase uuid.UUID) map[string]string {
	return map[string]string{"tenant_id": tenant.String(), "purchase_id": purchase.String()}
}

func sessionCompleted(id string, created int64, tenant, purchase uuid.UUID, pi string, amount int64) []byte {
	return ev(id, "checkout.session.completed", created, map[string]any{"id": "cs_" + pi, "object": "checkout.session", "mode": "payment",
		"status": "complete", "payment_status": "paid", "amount_total": amount, "currency": "cny", "client_reference_id": purchase.String(),
		"metadata": md(tenant, purchase), "payment_intent": pi})
}

func intentSucceeded(id string, created int64, tenant, purchase uuid.UUID, pi string, amount int64) []byte {
	return ev(id, "payment_intent.succeeded", created, map[string]any{"id": pi, "object": "payment_intent", "amount": amount,
		"amount_received": amount, "currency": "cny", "status": "succeeded", "metadata": md(tenant, purchase), "latest_charge": "ch_" + pi})
}

func intentFailed(id string, created int64, tenant, purchase uuid.UUID, pi string, amount int64) []byte {
	return ev(id, "payment_intent.payment_failed", created, map[string]any{"id": pi, "object": "payment_intent", "amount": amount,
		"amount_received": 0, "currency": "cny", "status": "requires_payment_method", "metadata": md(tenant, purchase)})
}

func chargeRefunded(id string, created int64, pi string, amount, refunded int64) []byte {
	return ev(id, "charge.refunded", created, map[string]any{"id": "ch_" + pi, "object": "charge", "amount": amount,
		"amount_refunded": refunded, "refunded": refunded >= amount, "currency": "cny", "payment_intent": pi, "metadata": map[string]string{}})
}

func disputeCreated(id string, created int64, pi string, amount int64) []byte {
	return ev(id, "charge.dispute.created", created, map[string]any{"id": "dp_" + pi, "object": "dispute", "amount": amount,
		"currency": "cny", "charge": "ch_" + pi, "payment_intent": pi, "status": "needs_response", "reason": "fraudulent"})
}

func evID(prefix string, i int) string { return fmt.Sprintf("evt_%s_%03d", prefix, i) }

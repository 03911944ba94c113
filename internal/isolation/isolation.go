// Package isolation is the SQL tenant-isolation matrix: for every tenant table found in the
// catalog, the application role confined to tenant A can neither see, change, delete, nor
// create tenant B's rows, and sees nothing at all without a tenant; outlet scope, a user's own
// memberships and the consumer axis hold too. Run runs it against a given database, so the
// same matrix proves a single PostgreSQL (tenants.TestIsolation) and a Citus cluster
// (deploy.TestCitusIsolation).
package isolation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// The SQL isolation matrix: for every tenant table found in the catalog, the application
// role confined to tenant A can neither see, change, delete, nor create tenant B's rows, and
// sees nothing at all without a tenant. A new tenant table fails here until the fixture
// below gives it rows for both tenants. Within tenant A, consumer_scope does the same along the
// consumer axis: a signed-in consumer reaches only their own rows of every consumer table.

// tenantFixture is what insertFixture created for one tenant.
type tenantFixture struct {
	Tenant           uuid.UUID
	Outlet1, Outlet2 uuid.UUID
	Admin            uuid.UUID // user: tenant-wide tenant_admin
	Eng1, Eng2       uuid.UUID // users: engineers confined to Outlet1, Outlet2
	SharedMembership uuid.UUID // the shared user's membership in this tenant
	// Two customers, each the record of a signed-in consumer (a global consumers row), each
	// with rows in every consumer table. Customer1 is the record of the consumer shared by
	// both tenants (isolation.consumer); Customer2 of Consumer2, who is this tenant's only.
	Customer1, Customer2 uuid.UUID
	Consumer2            uuid.UUID
}

// errRollback ends a scoped transaction without committing it.
var errRollback = errors.New("rollback")

// isolation holds the test database and both tenants' fixtures.
type isolation struct {
	ctx     context.Context
	app     *tenants.DB // application role: NOBYPASSRLS, owns nothing
	appPool *pgxpool.Pool
	owner   *tenants.DB // owner role: still subject to RLS (FORCE), used to look behind the app's back
	appURL  string
	shared  uuid.UUID // user with a membership in both A and B
	// consumer is a global consumer with a customer record (Customer1) in both A and B.
	consumer uuid.UUID
	A, B     tenantFixture
	// stored counts rows per table and tenant after the fixture; every check rolls back.
	stored map[string]map[uuid.UUID]int64
}

// DB is a migrated database to run the matrix in: pools of the owner and of the application
// role, and the application role's URL (for checks on a pool of one connection). The matrix
// creates two tenants of its own (and users and consumers), so it may share the database with
// other tests.
type DB struct {
	Owner  *pgxpool.Pool
	App    *pgxpool.Pool
	AppURL string
}

// Run runs the matrix in d.
func Run(t *testing.T, d DB) {
	ctx := context.Background()
	iso := &isolation{
		ctx: ctx, app: tenants.NewDB(d.App), appPool: d.App, owner: tenants.NewDB(d.Owner), appURL: d.AppURL,
		shared: uuid.New(), consumer: uuid.New(), stored: map[string]map[uuid.UUID]int64{},
	}
	suffix := uuid.NewString()[:8] // tenant slugs are global: unique per run
	iso.insertUser(t, iso.shared, "shared")
	iso.insertConsumer(t, iso.consumer)
	iso.A = iso.insertFixture(t, "tenant-a-"+suffix)
	iso.B = iso.insertFixture(t, "tenant-b-"+suffix)

	tables := TenantTables(t, ctx, d.Owner)
	iso.recordStored(t, tables)
	for _, table := range tables {
		t.Run(table, func(t *testing.T) {
			if !t.Run("fixture", func(t *testing.T) { iso.checkFixture(t, table) }) {
				return
			}
			t.Run("invisible", func(t *testing.T) { iso.checkInvisible(t, table) })
			t.Run("update_other", func(t *testing.T) { iso.checkUpdateOther(t, table) })
			t.Run("delete_other", func(t *testing.T) { iso.checkDeleteOther(t, table) })
			t.Run("insert_other", func(t *testing.T) { iso.checkInsertOther(t, table) })
			t.Run("move_to_other", func(t *testing.T) { iso.checkMoveToOther(t, table) })
			t.Run("no_tenant", func(t *testing.T) { iso.checkNoTenant(t, table) })
		})
	}
	t.Run("pooled_connection_after_tenant_tx", iso.checkPooledConnection)
	t.Run("one_trip_read", iso.checkOneTripRead)
	t.Run("outlet_scope", iso.checkOutletScope)
	t.Run("own_memberships", iso.checkOwnMemberships)
	t.Run("consumer_scope", iso.checkConsumerScope)
	t.Run("confidential", iso.checkConfidential)
}

// MinTenantTables guards against the catalog query silently finding nothing.
const MinTenantTables = 9

// TenantTables lists, from pg_catalog, every table (plain or partitioned) in schema public
// with a tenant_id column: the tables that must be isolated by row-level security. It reads
// pg_catalog rather than information_schema, which hides tables the current role has no
// privilege on.
func TenantTables(t testing.TB, ctx context.Context, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(ctx, `
		SELECT c.relname
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND a.attname = 'tenant_id' AND NOT a.attisdropped
		ORDER BY c.relname`)
	if err != nil {
		t.Fatalf("list tenant tables: %v", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list tenant tables: %v", err)
	}
	if len(tables) < MinTenantTables {
		t.Fatalf("found %d tenant tables %v, want at least %d: is the catalog query broken?",
			len(tables), tables, MinTenantTables)
	}
	return tables
}

// queryStrings returns the first column of every row of sql.
func queryStrings(t testing.TB, ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// ---- fixture ----

func (iso *isolation) insertUser(t *testing.T, id uuid.UUID, name string) {
	t.Helper()
	if _, err := iso.appPool.Exec(iso.ctx,
		`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')`,
		id, name+"-"+id.String()+"@example.com", name); err != nil {
		t.Fatalf("insert user %s: %v", name, err)
	}
}

// insertConsumer creates a global consumer identity (consumers has no tenant: a plain
// statement of the application role, as signing in does).
func (iso *isolation) insertConsumer(t *testing.T, id uuid.UUID) {
	t.Helper()
	if _, err := iso.appPool.Exec(iso.ctx, `INSERT INTO consumers (id, email) VALUES ($1, $2)`,
		id, "consumer-"+id.String()+"@example.com"); err != nil {
		t.Fatalf("insert consumer: %v", err)
	}
}

// insertFixture creates a tenant and, through the application role confined to it, at least
// one row in every tenant table. Add rows here for every new tenant table.
func (iso *isolation) insertFixture(t *testing.T, slug string) tenantFixture {
	t.Helper()
	partner := uuid.New() // the tenant's partner in the repair network
	f := tenantFixture{
		Tenant: uuid.New(), Outlet1: uuid.New(), Outlet2: uuid.New(),
		Admin: uuid.New(), Eng1: uuid.New(), Eng2: uuid.New(), SharedMembership: uuid.New(),
		Customer1: uuid.New(), Customer2: uuid.New(), Consumer2: uuid.New(),
	}
	// tenants is global: a plain transaction of the application role, no tenant set.
	if err := pgx.BeginFunc(iso.ctx, iso.appPool, func(tx pgx.Tx) error {
		_, err := tx.Exec(iso.ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, $2, 'brand'),
		    ($3, $2 || '-partner', $2 || ' partner', 'service_provider')`, f.Tenant, slug, partner)
		return err
	}); err != nil {
		t.Fatalf("insert tenant %s: %v", slug, err)
	}
	iso.insertUser(t, f.Admin, slug+"-admin")
	iso.insertUser(t, f.Eng1, slug+"-eng1")
	iso.insertUser(t, f.Eng2, slug+"-eng2")
	iso.insertConsumer(t, f.Consumer2)

	calendar := uuid.New()
	category, model, registration, policy, importID := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	customer, customer2, event, send, endpoint := f.Customer1, f.Customer2, uuid.New(), uuid.New(), uuid.New()
	registration2, send1, send2 := uuid.New(), uuid.New(), uuid.New() // consumers' registration, in-app sends
	order1, order2, order3 := uuid.New(), uuid.New(), uuid.New()      // order3: customer 2's
	partOrder1, partOrder2 := uuid.New(), uuid.New()                  // parts ordered at the counter
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO outlets (tenant_id, id, code, name, kind) VALUES
		    (app.tenant_id(), $1, 'o1', 'Outlet 1', 'service_center'),
		    (app.tenant_id(), $2, 'o2', 'Outlet 2', 'authorized_outlet')`,
			[]any{f.Outlet1, f.Outlet2}},
		{`INSERT INTO business_calendars (tenant_id, id, outlet_id, name, timezone, weekly_hours) VALUES
		    (app.tenant_id(), $1, NULL, 'Default', 'Asia/Shanghai', '{}'),
		    (app.tenant_id(), $2, $3, 'Outlet 1', 'Asia/Shanghai', '{}')`,
			[]any{calendar, uuid.New(), f.Outlet1}},
		{`INSERT INTO calendar_days (tenant_id, calendar_id, day, kind, name) VALUES
		    (app.tenant_id(), $1, '2026-10-01', 'holiday', 'National Day'),
		    (app.tenant_id(), $1, '2026-10-11', 'workday', '')`,
			[]any{calendar}},
		{`INSERT INTO memberships (tenant_id, id, user_id, outlet_id, role) VALUES
		    (app.tenant_id(), $1, $2, NULL, 'tenant_admin'),
		    (app.tenant_id(), $3, $4, $5, 'engineer'),
		    (app.tenant_id(), $6, $7, $8, 'engineer'),
		    (app.tenant_id(), $9, $10, NULL, 'agent')`,
			[]any{uuid.New(), f.Admin, uuid.New(), f.Eng1, f.Outlet1, uuid.New(), f.Eng2, f.Outlet2,
				f.SharedMembership, iso.shared}},
		{`INSERT INTO invitations (tenant_id, id, email, role, outlet_id, token_hash, invited_by, expires_at) VALUES
		    (app.tenant_id(), $1, 'new@example.com', 'agent', NULL, $3, $2, now() + interval '1 day')`,
			[]any{uuid.New(), f.Admin, randomBytes()}},
		{`INSERT INTO api_keys (tenant_id, id, name, role, outlet_id, scopes, secret_hash, created_by) VALUES
		    (app.tenant_id(), $1, 'integration', 'agent', $2, '{tickets:read}', $4, $3)`,
			[]any{uuid.New(), f.Outlet1, f.Admin, randomBytes()}},
		{`INSERT INTO customers (tenant_id, id, name, phone, consumer_id) VALUES
		    (app.tenant_id(), $1, 'Customer', '13800000000', $2),
		    (app.tenant_id(), $3, 'Customer 2', '13900000000', $4)`,
			[]any{customer, iso.consumer, customer2, f.Consumer2}},
		{`INSERT INTO audit_log (tenant_id, id, actor_kind, action, entity, outlet_id) VALUES
		    (app.tenant_id(), $1, 'system', 'fixture', 'tenant', NULL),
		    (app.tenant_id(), $2, 'system', 'fixture', 'outlet', $3),
		    (app.tenant_id(), $4, 'system', 'fixture', 'outlet', $5)`,
			[]any{uuid.New(), uuid.New(), f.Outlet1, uuid.New(), f.Outlet2}},
		{`INSERT INTO idempotency_keys (tenant_id, key, principal, operation, request_hash, status, response)
		    VALUES (app.tenant_id(), 'key-1', 'user:admin', 'POST /outlets', $1, 201, '\x7b7d')`,
			[]any{randomBytes()}},
		// Warranty core.
		{`INSERT INTO product_categories (tenant_id, id, code, name) VALUES (app.tenant_id(), $1, 'ac', 'Air conditioners')`,
			[]any{category}},
		{`INSERT INTO product_models (tenant_id, id, category_id, sku, name) VALUES (app.tenant_id(), $1, $2, 'AC-1', 'Model 1')`,
			[]any{model, category}},
		{`INSERT INTO fault_codes (tenant_id, id, code) VALUES (app.tenant_id(), $1, 'E1')`, []any{uuid.New()}},
		// Customer 1 bought unit SN-1; customer 2 uses SN-2 (no buyer on record).
		{`INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, channel, buyer_id, user_id) VALUES
		    (app.tenant_id(), $1, $2, 'SN-1', '2026-01-01', 'staff', $3, NULL),
		    (app.tenant_id(), $4, $2, 'SN-2', '2026-01-01', 'consumer', NULL, $5)`,
			[]any{registration, model, customer, registration2, customer2}},
		{`INSERT INTO warranty_policies (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Policy')`, []any{policy}},
		{`INSERT INTO policy_versions (tenant_id, policy_id, version, effective_from, body) VALUES
		    (app.tenant_id(), $1, 1, '2026-01-01', '{}')`, []any{policy}},
		{`INSERT INTO commission_rule_versions (tenant_id, version, effective_from, rules) VALUES
		    (app.tenant_id(), 1, '2026-01-01', '{"rates": []}')`, nil},
		{`INSERT INTO service_tiers (tenant_id, code, name, rank, targets, is_default) VALUES
		    (app.tenant_id(), 'standard', 'Standard', 3, '{}', true)`, nil},
		{`INSERT INTO tier_rules (tenant_id, id, tier_code, kind, match) VALUES (app.tenant_id(), $1, 'standard', 'plan', 'p')`,
			[]any{uuid.New()}},
		{`INSERT INTO coverage_grants (tenant_id, id, registration_id, kind, valid_from, valid_until, covered) VALUES
		    (app.tenant_id(), $1, $2, 'extended', '2027-01-01', '2028-01-01', '{}')`, []any{uuid.New(), registration}},
		{`INSERT INTO imports (tenant_id, id, kind, format, sha256, content) VALUES
		    (app.tenant_id(), $1, 'registrations', 'csv', $2, 'a,b')`, []any{importID, randomBytes()}},
		{`INSERT INTO invoice_images (tenant_id, registration_id, content_type, content, sha256) VALUES
		    (app.tenant_id(), $1, 'image/png', '\x89504e47', $2)`, []any{registration, randomBytes()}},
		{`INSERT INTO import_errors (tenant_id, import_id, row_no, field, message) VALUES
		    (app.tenant_id(), $1, 2, 'serial', 'missing')`, []any{importID}},
		{`INSERT INTO service_history (tenant_id, id, registration_id, reference, fault_code, result, date_in, date_out, import_id) VALUES
		    (app.tenant_id(), $1, $2, 'OLD-1', 'E1', 'not_fixed', '2026-02-01', '2026-02-03', $3)`, []any{uuid.New(), registration, importID}},
		{`INSERT INTO events (tenant_id, id, type, subject, subject_id, outlet_id) VALUES
		    (app.tenant_id(), $1, 'order.created', 'service_order', $2, $3)`, []any{event, uuid.New(), f.Outlet1}},
		// Notifications and webhooks.
		{`INSERT INTO notification_templates (tenant_id, id, event_type, channel, locale, subject, body) VALUES
		    (app.tenant_id(), $1, 'order.created', 'sms', 'en', '', 'Order {{.order_number}}')`, []any{uuid.New()}},
		{`INSERT INTO notification_settings (tenant_id, quiet_start, quiet_end) VALUES (app.tenant_id(), '22:00', '08:00')`, nil},
		{`INSERT INTO notification_preferences (tenant_id, customer_id, channel, event_class) VALUES
		    (app.tenant_id(), $1, 'sms', 'order'), (app.tenant_id(), $2, 'email', '*')`, []any{customer, customer2}},
		{`INSERT INTO notification_sends (tenant_id, id, event_id, event_type, channel, recipient_key, recipient_kind,
		    user_id, address, locale, status) VALUES
		    (app.tenant_id(), $1, $2, 'order.created', 'in_app', 'user:a', 'user', $3, 'user:a', 'en', 'sent')`,
			[]any{send, event, f.Admin}},
		{`INSERT INTO notification_sends (tenant_id, id, event_id, event_type, channel, recipient_key, recipient_kind,
		    customer_id, consumer_id, address, locale, status) VALUES
		    (app.tenant_id(), $1, $2, 'order.created', 'in_app', 'customer:1', 'customer', $3, $4, 'consumer:1', 'en', 'sent'),
		    (app.tenant_id(), $5, $2, 'order.created', 'in_app', 'customer:2', 'customer', $6, $7, 'consumer:2', 'en', 'sent')`,
			[]any{send1, event, customer, iso.consumer, send2, customer2, f.Consumer2}},
		{`INSERT INTO inbox_messages (tenant_id, id, send_id, user_id, consumer_id, event_type, title, body) VALUES
		    (app.tenant_id(), $1, $2, $3, NULL, 'order.created', 'Order', 'Order SO-1'),
		    (app.tenant_id(), $4, $5, NULL, $6, 'order.created', 'Order', 'Your order SO-1'),
		    (app.tenant_id(), $7, $8, NULL, $9, 'order.created', 'Order', 'Your order SO-3')`,
			[]any{uuid.New(), send, f.Admin, uuid.New(), send1, iso.consumer, uuid.New(), send2, f.Consumer2}},
		{`INSERT INTO webhook_endpoints (tenant_id, id, url, events, secret) VALUES
		    (app.tenant_id(), $1, 'https://hooks.example.com/a', '{order.created}', 'whsec_x')`, []any{endpoint}},
		{`INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, payload, status) VALUES
		    (app.tenant_id(), $1, $2, $3, 'order.created', '{}', 'pending')`, []any{uuid.New(), endpoint, event}},
		// Service orders and dispatch.
		{`INSERT INTO order_settings (tenant_id) VALUES (app.tenant_id())`, nil},
		{`INSERT INTO order_types (tenant_id, code, name, flow) VALUES (app.tenant_id(), 'repair_minor', 'Minor repair', 'carry_in')`, nil},
		{`INSERT INTO order_counters (tenant_id, year, last) VALUES (app.tenant_id(), 2026, 3)`, nil},
		// Orders 1 and 2 are customer 1's, order 3 customer 2's.
		{`INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, registration_id, outlet_id, tracking_token)
		    VALUES (app.tenant_id(), $1, 'SO-2026-000001', 'repair_minor', 'carry_in', 'carry_in', 'waiting', $5, $2, $3, $4)`,
			[]any{order1, registration, f.Outlet1, "trk_a", customer}},
		{`INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, outlet_id, tracking_token)
		    VALUES (app.tenant_id(), $1, 'SO-2026-000002', 'installation', 'on_site', 'phone', 'created', $4, $2, $3)`,
			[]any{order2, f.Outlet2, "trk_b", customer}},
		{`INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, registration_id, outlet_id, tracking_token)
		    VALUES (app.tenant_id(), $1, 'SO-2026-000003', 'repair_minor', 'carry_in', 'web', 'waiting', $5, $2, $3, $4)`,
			[]any{order3, registration2, f.Outlet1, "trk_c", customer2}},
		{`INSERT INTO order_events (tenant_id, id, order_id, actor_kind, kind, to_status, public) VALUES
		    (app.tenant_id(), $1, $2, 'system', 'created', 'waiting', true)`, []any{uuid.New(), order1}},
		{`INSERT INTO order_engineers (tenant_id, order_id, user_id, role) VALUES (app.tenant_id(), $1, $2, 'lead')`,
			[]any{order1, f.Eng1}},
		{`INSERT INTO order_quotes (tenant_id, id, order_id, currency, lines, total_charged, token_hash, customer_id) VALUES
		    (app.tenant_id(), $1, $2, 'CNY', '[]', 0, $3, $4),
		    (app.tenant_id(), $5, $6, 'CNY', '[]', 0, $7, $8)`,
			[]any{uuid.New(), order1, randomBytes(), customer, uuid.New(), order3, randomBytes(), customer2}},
		// A staff photo (no customer), and each customer's own photo uploaded in the portal.
		{`INSERT INTO order_attachments (tenant_id, id, order_id, kind, content_type, content, sha256, customer_id) VALUES
		    (app.tenant_id(), $1, $2, 'photo', 'image/png', '\x89504e47', $3, NULL),
		    (app.tenant_id(), $4, $2, 'photo', 'image/png', '\x89504e47', $5, $6),
		    (app.tenant_id(), $7, $8, 'photo', 'image/png', '\x89504e47', $9, $10)`,
			[]any{uuid.New(), order1, randomBytes(), uuid.New(), randomBytes(), customer, uuid.New(), order3, randomBytes(), customer2}},
		{`INSERT INTO order_disputes (tenant_id, id, order_id, statement, exclusion, customer_id) VALUES
		    (app.tenant_id(), $1, $2, 'not my fault', 'misuse', $3),
		    (app.tenant_id(), $4, $5, 'it was like that', 'liquid_damage', $6)`,
			[]any{uuid.New(), order1, customer, uuid.New(), order3, customer2}},
		{`INSERT INTO outlet_coverage (tenant_id, id, outlet_id, region_code) VALUES
		    (app.tenant_id(), $1, $2, '31'), (app.tenant_id(), $3, $4, '44')`, []any{uuid.New(), f.Outlet1, uuid.New(), f.Outlet2}},
		{`INSERT INTO outlet_authorizations (tenant_id, outlet_id, category_id) VALUES
		    (app.tenant_id(), $1, $3), (app.tenant_id(), $2, $3)`, []any{f.Outlet1, f.Outlet2, category}},
		{`INSERT INTO engineer_profiles (tenant_id, user_id, outlet_id) VALUES
		    (app.tenant_id(), $1, $2), (app.tenant_id(), $3, $4)`, []any{f.Eng1, f.Outlet1, f.Eng2, f.Outlet2}},
		{`INSERT INTO appointments (tenant_id, id, order_id, outlet_id, starts_at, ends_at, booked_via) VALUES
		    (app.tenant_id(), $1, $2, $3, now(), now() + interval '2 hours', 'staff')`, []any{uuid.New(), order2, f.Outlet2}},
		// SLA clocks of the orders above.
		{`INSERT INTO sla_settings (tenant_id, warn_percent) VALUES (app.tenant_id(), 80)`, nil},
		{`INSERT INTO sla_clocks (tenant_id, order_id, target, outlet_id, business, duration_ms, status, started_at, due_at, breached_at)
		    VALUES (app.tenant_id(), $1, 'accept', $2, true, 3600000, 'breached', now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour'),
		           (app.tenant_id(), $3, 'accept', $4, false, 3600000, 'breached', now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour')`,
			[]any{order1, f.Outlet1, order2, f.Outlet2}},
		{`INSERT INTO sla_breaches (tenant_id, order_id, target, outlet_id, due_at, breached_at)
		    VALUES (app.tenant_id(), $1, 'accept', $2, now() - interval '1 hour', now() - interval '1 hour'),
		           (app.tenant_id(), $3, 'accept', $4, now() - interval '1 hour', now() - interval '1 hour')`,
			[]any{order1, f.Outlet1, order2, f.Outlet2}},
	}
	// The repair network: an agreement with the partner tenant, a message each way, a job
	// sent to the partner.
	agreement := uuid.New()
	claim1, claim2, statement1, statement2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	stmts = append(stmts, []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO partner_agreements (tenant_id, id, partner_tenant_id, role, status) VALUES
		    (app.tenant_id(), $1, $2, 'principal', 'active')`, []any{agreement, partner}},
		{`INSERT INTO network_outbox (tenant_id, id, agreement_id, receiver_tenant_id, seq, kind) VALUES
		    (app.tenant_id(), $1, $2, $3, 1, 'job.sent')`, []any{uuid.New(), agreement, partner}},
		{`INSERT INTO network_inbox (tenant_id, id, agreement_id, sender_tenant_id, seq, kind) VALUES
		    (app.tenant_id(), $1, $2, $3, 1, 'job.updated')`, []any{uuid.New(), agreement, partner}},
		{`INSERT INTO network_jobs (tenant_id, id, direction, agreement_id, partner_tenant_id, order_id) VALUES
		    (app.tenant_id(), $1, 'sent', $2, $3, $4)`, []any{uuid.New(), agreement, partner, order1}},
		// Warranty claims: the partner's claim for order 1 (the payer's copy) and outlet 2's
		// claim for order 2.
		{`INSERT INTO warranty_claims (tenant_id, id, side, number, order_id, agreement_id, counterparty_tenant_id, currency, status, claimed, approved)
		    VALUES (app.tenant_id(), $1, 'payer', 'CL-SO-2026-000001', $2, $3, $4, 'CNY', 'approved', 8000, 8000)`,
			[]any{claim1, order1, agreement, partner}},
		{`INSERT INTO warranty_claims (tenant_id, id, side, number, order_id, outlet_id, currency, status, claimed, approved)
		    VALUES (app.tenant_id(), $1, 'internal', 'CL-SO-2026-000002', $2, $3, 'CNY', 'approved', 5000, 5000)`,
			[]any{claim2, order2, f.Outlet2}},
		// Statements: the partner's month (claim 1, part paid) and outlet 2's (claim 2).
		{`INSERT INTO claim_statements (tenant_id, id, direction, number, period, agreement_id, counterparty_tenant_id, currency, amount, paid, claims, status)
		    VALUES (app.tenant_id(), $1, 'payable', 'AP-202612-1', '2026-12-01', $2, $3, 'CNY', 8000, 3000, 1, 'partly_paid')`,
			[]any{statement1, agreement, partner}},
		{`INSERT INTO claim_statements (tenant_id, id, direction, number, period, outlet_id, currency, amount, claims, status)
		    VALUES (app.tenant_id(), $1, 'payable', 'AP-202612-2', '2026-12-01', $2, 'CNY', 5000, 1, 'open')`,
			[]any{statement2, f.Outlet2}},
		{`INSERT INTO claim_statement_lines (tenant_id, claim_id, statement_id, order_id, number, amount) VALUES
		    (app.tenant_id(), $1, $2, $3, 'CL-SO-2026-000001', 8000), (app.tenant_id(), $4, $5, $6, 'CL-SO-2026-000002', 5000)`,
			[]any{claim1, statement1, order1, claim2, statement2, order2}},
		{`INSERT INTO claim_statement_payments (tenant_id, id, statement_id, reference, amount, paid_on) VALUES
		    (app.tenant_id(), $1, $2, 'BANK-1', 3000, '2026-12-05')`, []any{uuid.New(), statement1}},
	}...)
	// Billing.
	product, price, purchase, purchase2, refund := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	credit1, credit2 := uuid.New(), uuid.New()
	bill1, bill2 := uuid.New(), uuid.New()
	ledgerEntry, reconciliation := uuid.New(), uuid.New()
	stmts = append(stmts, []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO express_products (tenant_id, id, code, name, kind, targets) VALUES
		    (app.tenant_id(), $1, 'onsite-6h', '6-hour on-site', 'per_incident', '{"arrival": {"minutes": 360, "clock": "clock"}}')`,
			[]any{product}},
		{`INSERT INTO express_prices (tenant_id, id, product_id, currency, unit_amount) VALUES (app.tenant_id(), $1, $2, 'CNY', 9900)`,
			[]any{price, product}},
		// Purchases belong to their order's outlet (order 2 is outlet 2's, order 3 outlet 1's).
		{`INSERT INTO purchases (tenant_id, id, product_id, price_id, kind, product_code, channel, order_id, currency, amount, status,
		    customer_id, consumer_id, outlet_id)
		    VALUES (app.tenant_id(), $1, $2, $3, 'per_incident', 'onsite-6h', 'checkout', $4, 'CNY', 9900, 'active', $5, $6, $11),
		           (app.tenant_id(), $7, $2, $3, 'per_incident', 'onsite-6h', 'checkout', $8, 'CNY', 9900, 'active', $9, $10, $12)`,
			[]any{purchase, product, price, order2, customer, iso.consumer, purchase2, order3, customer2, f.Consumer2, f.Outlet2, f.Outlet1}},
		{`INSERT INTO refunds (tenant_id, id, purchase_id, reason, amount, currency, idempotency_key) VALUES
		    (app.tenant_id(), $1, $2, 'compensation', 9900, 'CNY', $3)`, []any{refund, purchase, "compensation:" + purchase.String()}},
		// Compensations belong to the breached order's outlet (order 2: outlet 2, order 3: outlet 1).
		{`INSERT INTO compensations (tenant_id, id, purchase_id, order_id, breach_key, kind, amount, currency, refund_id, outlet_id) VALUES
		    (app.tenant_id(), $1, $2, $3, 'evt', 'refund', 9900, 'CNY', $4, $5),
		    (app.tenant_id(), $6, $7, $8, 'evt', 'credit', 990, 'CNY', NULL, $9)`,
			[]any{uuid.New(), purchase, order2, refund, f.Outlet2, uuid.New(), purchase2, order3, f.Outlet1}},
		{`INSERT INTO payment_flags (tenant_id, id, purchase_id, kind, stripe_payment_intent_id, expected_amount, expected_currency,
		    received_amount, received_currency) VALUES (app.tenant_id(), $1, $2, 'wrong_amount', $3, 9900, 'CNY', 9800, 'CNY')`,
			[]any{uuid.New(), purchase, "pi_flag_" + uuid.NewString()}},
		{`INSERT INTO disputes (tenant_id, stripe_dispute_id, purchase_id, amount, currency) VALUES (app.tenant_id(), $1, $2, 9900, 'CNY')`,
			[]any{"dp_" + uuid.NewString(), purchase}},
		{`INSERT INTO billing_settings (tenant_id, credit_validity_days) VALUES (app.tenant_id(), 180)`, nil},
		// Credits of both consumers' customer records.
		{`INSERT INTO credits (tenant_id, id, customer_id, currency, amount, remaining, issued_on, expires_on) VALUES
		    (app.tenant_id(), $1, $2, 'CNY', 990, 890, current_date, current_date + 180),
		    (app.tenant_id(), $3, $4, 'CNY', 500, 500, current_date, current_date + 180)`, []any{credit1, customer, credit2, customer2}},
		{`INSERT INTO credit_redemptions (tenant_id, id, credit_id, purchase_id, amount) VALUES (app.tenant_id(), $1, $2, $3, 100)`,
			[]any{uuid.New(), credit1, purchase}},
		// Bills of order 2 (outlet 2, customer 1) and order 3 (outlet 1, customer 2), each with a cash payment.
		{`INSERT INTO bills (tenant_id, id, order_id, outlet_id, customer_id, number, currency, status, subtotal, total, paid)
		    VALUES (app.tenant_id(), $1, $2, $3, $4, 'SO-2026-000002', 'CNY', 'issued', 5000, 5000, 1000),
		           (app.tenant_id(), $5, $6, $7, $8, 'SO-2026-000003', 'CNY', 'issued', 5000, 5000, 1000)`,
			[]any{bill1, order2, f.Outlet2, customer, bill2, order3, f.Outlet1, customer2}},
		// Return cases at outlet 2 (customer 1) and outlet 1 (customer 2), and the return terms.
		{`INSERT INTO return_cases (tenant_id, id, number, customer_id, outlet_id, reason, status, collection, currency)
		    VALUES (app.tenant_id(), $1, 'RT-20261207-000001', $2, $3, 'quality_fault', 'applied', 'drop_off', 'CNY'),
		           (app.tenant_id(), $4, 'RT-20261207-000002', $5, $6, 'personal', 'approved', 'courier', 'CNY')`,
			[]any{uuid.New(), customer, f.Outlet2, uuid.New(), customer2, f.Outlet1}},
		{`INSERT INTO return_settings (tenant_id, allow_personal) VALUES (app.tenant_id(), true)`, nil},
		{`INSERT INTO bill_payments (tenant_id, id, bill_id, outlet_id, kind, method, amount, currency, status, receipt_number)
		    VALUES (app.tenant_id(), $1, $2, $3, 'payment', 'cash', 1000, 'CNY', 'succeeded', 'SO-2026-000002-P1'),
		           (app.tenant_id(), $4, $5, $6, 'payment', 'cash', 1000, 'CNY', 'succeeded', 'SO-2026-000003-P1')`,
			[]any{uuid.New(), bill1, f.Outlet2, uuid.New(), bill2, f.Outlet1}},
		{`INSERT INTO ledger_entries (tenant_id, id, kind, purchase_id, amount, currency, effect_key, occurred_at) VALUES
		    (app.tenant_id(), $1, 'payment', $2, 9900, 'CNY', 'payment:pi_1', now())`, []any{ledgerEntry, purchase}},
		{`INSERT INTO reconciliations (tenant_id, id, from_at, to_at, checked, matched) VALUES
		    (app.tenant_id(), $1, now() - interval '1 day', now(), 1, 1)`, []any{reconciliation}},
		{`INSERT INTO ledger_resolutions (tenant_id, ledger_id, reconciliation_id, outcome, note, resolved_by) VALUES
		    (app.tenant_id(), $1, $2, 'explained', 'a test payment', 'finance')`, []any{ledgerEntry, reconciliation}},
		{`INSERT INTO platform_subscriptions (tenant_id, plan_code, status) VALUES (app.tenant_id(), 'growth', 'active')`, nil},
		{`INSERT INTO platform_invoices (tenant_id, stripe_invoice_id, status, currency, amount_due, amount_paid) VALUES
		    (app.tenant_id(), $1, 'paid', 'CNY', 100, 100)`, []any{"in_" + uuid.NewString()}},
		{`INSERT INTO usage_counters (tenant_id, metric, month, count) VALUES (app.tenant_id(), 'orders', '2026-11-01', 3)`, nil},
		// Daily figures of both outlets, and the roll-up's mark.
		{`INSERT INTO report_days (tenant_id, metric, day, outlet_key, value) VALUES
		    (app.tenant_id(), 'orders_in', current_date, $1, 3), (app.tenant_id(), 'orders_in', current_date, $2, 2)`,
			[]any{f.Outlet1, f.Outlet2}},
		{`INSERT INTO report_rollups (tenant_id, rolled_through, rolled_at) VALUES (app.tenant_id(), current_date - 1, now())`, nil},
	}...)
	// Parts and stock: a central warehouse and one per outlet; stock rows carry their
	// warehouse's outlet (outlet 1: order 1, outlet 2: order 2).
	part, whC, wh1, wh2, transfer := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	op1, op2, rma1, rma2, ship1, ship2 := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	stmts = append(stmts, []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO parts (tenant_id, id, part_no, name_zh, serial_tracked, unit_cost) VALUES (app.tenant_id(), $1, 'PCB-1', '主板', true, 100)`,
			[]any{part}},
		{`INSERT INTO stock_settings (tenant_id, lock_date) VALUES (app.tenant_id(), '2026-01-31')`, nil},
		{`INSERT INTO warehouses (tenant_id, id, code, name, kind, outlet_id) VALUES
		    (app.tenant_id(), $1, 'C', 'Central', 'spare_parts', NULL),
		    (app.tenant_id(), $2, 'W1', 'Outlet 1', 'spare_parts', $4),
		    (app.tenant_id(), $3, 'W2', 'Outlet 2', 'spare_parts', $5)`, []any{whC, wh1, wh2, f.Outlet1, f.Outlet2}},
		{`INSERT INTO stock_balances (tenant_id, warehouse_id, part_id, outlet_id, on_hand, reserved) VALUES
		    (app.tenant_id(), $1, $3, $4, 2, 1), (app.tenant_id(), $2, $3, $5, 1, 1)`, []any{wh1, wh2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO stock_movements (tenant_id, id, idempotency_key, warehouse_id, part_id, outlet_id, type, qty, serial, posted_on) VALUES
		    (app.tenant_id(), $1, 'k1', $3, $5, $6, 'receipt', 1, 'S1', '2026-02-01'),
		    (app.tenant_id(), $2, 'k2', $4, $5, $7, 'receipt', 1, 'S2', '2026-02-01')`,
			[]any{uuid.New(), uuid.New(), wh1, wh2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO part_serials (tenant_id, part_id, serial, place, warehouse_id, outlet_id) VALUES
		    (app.tenant_id(), $1, 'S1', 'in_stock', $2, $4), (app.tenant_id(), $1, 'S2', 'in_stock', $3, $5)`,
			[]any{part, wh1, wh2, f.Outlet1, f.Outlet2}},
		{`INSERT INTO stock_reservations (tenant_id, id, order_id, warehouse_id, part_id, outlet_id, qty, status) VALUES
		    (app.tenant_id(), $1, $3, $5, $7, $8, 1, 'open'), (app.tenant_id(), $2, $4, $6, $7, $9, 1, 'open')`,
			[]any{uuid.New(), uuid.New(), order1, order2, wh1, wh2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO order_parts (tenant_id, id, order_id, warehouse_id, part_id, outlet_id, qty, issue_kind) VALUES
		    (app.tenant_id(), $1, $3, $5, $7, $8, 1, 'in_warranty'), (app.tenant_id(), $2, $4, $6, $7, $9, 1, 'charged')`,
			[]any{op1, op2, order1, order2, wh1, wh2, part, f.Outlet1, f.Outlet2}},
		// Faulty parts owed back to the maker, one per outlet, each sent in a return shipment of its
		// outlet, inspected, with a carrier's update.
		{`INSERT INTO rma_lines (tenant_id, id, order_id, order_part_id, part_id, outlet_id, serial, qty, qty_shipped, status) VALUES
		    (app.tenant_id(), $1, $3, $5, $7, $8, 'F1', 1, 1, 'shipped'), (app.tenant_id(), $2, $4, $6, $7, $9, 'F2', 1, 1, 'shipped')`,
			[]any{rma1, rma2, order1, order2, op1, op2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO rma_shipments (tenant_id, id, idempotency_key, outlet_id, carrier, tracking_no, sent_at) VALUES
		    (app.tenant_id(), $1, 'rma-1', $3, 'dev', 'TRK-0001', now()), (app.tenant_id(), $2, 'rma-2', $4, 'dev', 'TRK-0002', now())`,
			[]any{ship1, ship2, f.Outlet1, f.Outlet2}},
		{`INSERT INTO rma_shipment_lines (tenant_id, shipment_id, line_no, rma_line_id, order_id, part_id, outlet_id, serial, qty, result,
		    result_note, inspected_at) VALUES
		    (app.tenant_id(), $1, 1, $3, $5, $7, $8, 'F1', 1, 'no_fault_found', 'works', now()),
		    (app.tenant_id(), $2, 1, $4, $6, $7, $9, 'F2', 1, '', '', NULL)`,
			[]any{ship1, ship2, rma1, rma2, order1, order2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO rma_tracking_events (tenant_id, shipment_id, event_id, outlet_id, status, occurred_at) VALUES
		    (app.tenant_id(), $1, 'e1', $3, 'in_transit', now()), (app.tenant_id(), $2, 'e1', $4, 'delivered', now())`,
			[]any{ship1, ship2, f.Outlet1, f.Outlet2}},
		{`INSERT INTO part_requests (tenant_id, id, warehouse_id, source_warehouse_id, outlet_id, part_id, qty) VALUES
		    (app.tenant_id(), $1, $3, $5, $6, $8, 2), (app.tenant_id(), $2, $4, $5, $7, $8, 3)`,
			[]any{uuid.New(), uuid.New(), wh1, wh2, whC, f.Outlet1, f.Outlet2, part}},
		{`INSERT INTO safety_stock (tenant_id, warehouse_id, part_id, outlet_id, min_qty) VALUES
		    (app.tenant_id(), $1, $3, $4, 2), (app.tenant_id(), $2, $3, $5, 2)`, []any{wh1, wh2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO stock_suggestion_runs (tenant_id, day, lines) VALUES (app.tenant_id(), '2026-02-02', 2)`, nil},
		{`INSERT INTO stock_suggestion_lines (tenant_id, day, warehouse_id, part_id, outlet_id, min_qty, reorder_qty, on_hand, reserved,
		    in_transit, incoming, suggested) VALUES
		    (app.tenant_id(), '2026-02-02', $1, $3, $4, 2, 0, 0, 0, 0, 0, 2), (app.tenant_id(), '2026-02-02', $2, $3, $5, 2, 0, 0, 0, 0, 0, 2)`,
			[]any{wh1, wh2, part, f.Outlet1, f.Outlet2}},
		{`INSERT INTO transfers (tenant_id, id, from_warehouse_id, to_warehouse_id, from_outlet_id, to_outlet_id) VALUES
		    (app.tenant_id(), $1, $2, $3, NULL, $4)`, []any{transfer, whC, wh1, f.Outlet1}},
		{`INSERT INTO transfer_lines (tenant_id, transfer_id, line_no, part_id, from_outlet_id, to_outlet_id, qty_shipped) VALUES
		    (app.tenant_id(), $1, 1, $2, NULL, $3, 1)`, []any{transfer, part, f.Outlet1}},
		// Loaner units lent on order 2 (outlet 2, customer 1) and order 3 (outlet 1, customer 2).
		{`INSERT INTO loans (tenant_id, id, order_id, outlet_id, customer_id, warehouse_id, part_id, serial, due_at, currency, lent_at) VALUES
		    (app.tenant_id(), $1, $2, $3, $4, $5, $6, 'L1', now() + interval '7 days', 'CNY', now()),
		    (app.tenant_id(), $7, $8, $9, $10, $11, $6, 'L2', now() + interval '7 days', 'CNY', now())`,
			[]any{uuid.New(), order2, f.Outlet2, customer, wh2, part, uuid.New(), order3, f.Outlet1, customer2, wh1}},
		// Parts ordered at the counter: one at outlet 1 (customer 2), one at outlet 2 (customer 1), a line each.
		{`INSERT INTO part_orders (tenant_id, id, number, outlet_id, warehouse_id, customer_id, status, currency) VALUES
		    (app.tenant_id(), $1, 'PO-1', $2, $3, $4, 'ordered', 'CNY'), (app.tenant_id(), $5, 'PO-2', $6, $7, $8, 'ordered', 'CNY')`,
			[]any{partOrder1, f.Outlet1, wh1, customer2, partOrder2, f.Outlet2, wh2, customer}},
		{`INSERT INTO part_order_lines (tenant_id, id, part_order_id, line_no, outlet_id, part_id, qty, unit_price) VALUES
		    (app.tenant_id(), $1, $2, 1, $3, $4, 1, 100), (app.tenant_id(), $5, $6, 1, $7, $4, 1, 100)`,
			[]any{uuid.New(), partOrder1, f.Outlet1, part, uuid.New(), partOrder2, f.Outlet2}},
	}...)
	// Pay: order 1 (outlet 1) and order 2 (outlet 2) paid under version 1, a line of each on
	// its engineer's statement.
	stmt1, stmt2 := uuid.New(), uuid.New()
	stmts = append(stmts, []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO pay_orders (tenant_id, order_id, outlet_id, state, rule_version, computed_at) VALUES
		    (app.tenant_id(), $1, $2, 'computed', 1, now()), (app.tenant_id(), $3, $4, 'computed', 1, now())`,
			[]any{order1, f.Outlet1, order2, f.Outlet2}},
		{`INSERT INTO pay_statements (tenant_id, id, party_kind, party_id, outlet_id, month, currency, total, lines) VALUES
		    (app.tenant_id(), $1, 'engineer', $2, $3, '2026-11-01', 'CNY', 1000, 1),
		    (app.tenant_id(), $4, 'engineer', $5, $6, '2026-11-01', 'CNY', 1000, 1)`,
			[]any{stmt1, f.Eng1, f.Outlet1, stmt2, f.Eng2, f.Outlet2}},
		{`INSERT INTO pay_entries (tenant_id, id, party_kind, party_id, outlet_id, order_id, kind, rule, rule_version, round, cause,
		    amount, currency, effect_key, accrued_on, statement_id) VALUES
		    (app.tenant_id(), $1, 'engineer', $2, $3, $4, 'commission', 'r', 1, 1, 'audit', 1000, 'CNY', 'k1', '2026-11-02', $5),
		    (app.tenant_id(), $6, 'engineer', $7, $8, $9, 'commission', 'r', 1, 1, 'audit', 1000, 'CNY', 'k2', '2026-11-02', $10)`,
			[]any{uuid.New(), f.Eng1, f.Outlet1, order1, stmt1, uuid.New(), f.Eng2, f.Outlet2, order2, stmt2}},
	}...)
	// Complaints and the contact log: a general complaint of each outlet with its contact, a
	// critical (confidential) one of outlet 1 whose only handler is engineer 1, and the rules.
	complaint1, complaint2, critical := uuid.New(), uuid.New(), uuid.New()
	// Callbacks: a template, the settings, the day's run, a callback of order 1 (outlet 1) and
	// of order 2 (outlet 2), each answered poorly, each answer with its rectification.
	tpl, task1, task2, resp1, resp2 := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	stmts = append(stmts, []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO complaints (tenant_id, id, number, topic, channel, severity, status, summary, customer_id, order_id, outlet_id,
		    restricted, handler_ids, opened_at, resolution_from)
		    VALUES (app.tenant_id(), $1, 'CP-1', 'quality', 'store', 'general', 'open', 'noisy', $3, $4, $5, false, '{}', now(), now()),
		           (app.tenant_id(), $2, 'CP-2', 'attitude', '12315', 'serious', 'open', 'rude', $3, $6, $7, false, '{}', now(), now()),
		           (app.tenant_id(), $8, 'CP-3', 'quality', 'media', 'critical', 'open', 'on the news', $3, NULL, $5, true, ARRAY[$9::uuid], now(), now())`,
			[]any{complaint1, complaint2, customer, order1, f.Outlet1, order2, f.Outlet2, critical, f.Eng1}},
		{`INSERT INTO contact_log (tenant_id, id, kind, channel, direction, summary, customer_id, outlet_id, complaint_id, restricted, handler_ids, occurred_at)
		    VALUES (app.tenant_id(), $1, 'complaint', 'store', 'inbound', 'noisy', $2, $3, $4, false, '{}', now()),
		           (app.tenant_id(), $5, 'praise', 'phone', 'inbound', 'thanks', $2, $6, NULL, false, '{}', now()),
		           (app.tenant_id(), $7, 'complaint', 'media', 'inbound', 'on the news', $2, $3, $8, true, ARRAY[$9::uuid], now())`,
			[]any{uuid.New(), customer, f.Outlet1, complaint1, uuid.New(), f.Outlet2, uuid.New(), critical, f.Eng1}},
		{`INSERT INTO complaint_settings (tenant_id, rules) VALUES (app.tenant_id(), '{}')`, nil},
		{`INSERT INTO survey_templates (tenant_id, id, name, questions, is_default) VALUES
		    (app.tenant_id(), $1, 'Standard', '[{"id":"quality","kind":"scale","dimension":"quality","label":"q","max":5}]', true)`, []any{tpl}},
		{`INSERT INTO callback_settings (tenant_id, ratio_bp) VALUES (app.tenant_id(), 1000)`, nil},
		{`INSERT INTO callback_runs (tenant_id, day, candidates, created) VALUES (app.tenant_id(), '2026-11-02', 2, 2)`, nil},
		{`INSERT INTO callback_tasks (tenant_id, id, order_id, order_number, outlet_id, customer_id, reason, sample_day, template_id, due_at,
		    token_hash) VALUES
		    (app.tenant_id(), $1, $3, 'SO-2026-000001', $5, $7, 'sampled', '2026-11-02', $8, now(), 'h1'),
		    (app.tenant_id(), $2, $4, 'SO-2026-000002', $6, $7, 'repeat', '2026-11-02', $8, now(), 'h2')`,
			[]any{task1, task2, order1, order2, f.Outlet1, f.Outlet2, customer, tpl}},
		{`INSERT INTO survey_responses (tenant_id, id, order_id, task_id, template_id, outlet_id, customer_id, channel, answers, score, poor,
		    answered_at) VALUES
		    (app.tenant_id(), $1, $3, $5, $9, $7, $10, 'call', '[]', 1, true, now()),
		    (app.tenant_id(), $2, $4, $6, $9, $8, $10, 'link', '[]', 2, true, now())`,
			[]any{resp1, resp2, order1, order2, task1, task2, f.Outlet1, f.Outlet2, tpl, customer}},
		{`INSERT INTO rectifications (tenant_id, id, response_id, order_id, order_number, outlet_id, deadline) VALUES
		    (app.tenant_id(), $1, $3, $5, 'SO-2026-000001', $7, now()),
		    (app.tenant_id(), $2, $4, $6, 'SO-2026-000002', $8, now())`,
			[]any{uuid.New(), uuid.New(), resp1, resp2, order1, order2, f.Outlet1, f.Outlet2}},
	}...)
	if err := iso.app.Tx(iso.ctx, tenants.Scope{TenantID: f.Tenant}, func(tx *tenants.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(iso.ctx, s.sql, s.args...); err != nil {
				return fmt.Errorf("%s: %w", s.sql, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("fixture of %s: %v", slug, err)
	}
	return f
}

// recordStored counts, as owner, the rows of every tenant table per tenant after the fixture,
// before any check (so that a check run alone with -run compares with the right counts).
func (iso *isolation) recordStored(t *testing.T, tables []string) {
	t.Helper()
	for _, table := range tables {
		iso.stored[table] = map[uuid.UUID]int64{}
		for _, tenant := range []uuid.UUID{iso.A.Tenant, iso.B.Tenant} {
			iso.stored[table][tenant] = iso.ownerCount(t, tenant, ownedRows(table), tenant)
		}
	}
}

// checkFixture fails when the catalog lists a tenant table the fixture gives no rows.
func (iso *isolation) checkFixture(t *testing.T, table string) {
	for _, side := range []struct {
		name   string
		tenant uuid.UUID
	}{{"A", iso.A.Tenant}, {"B", iso.B.Tenant}} {
		if iso.stored[table][side.tenant] == 0 {
			t.Errorf("table %s has no fixture rows for tenant %s: add them to the isolation fixture (insertFixture in internal/isolation/isolation.go)",
				table, side.name)
		}
	}
}

// ---- the matrix, per table ----

// (a) As tenant A: B's rows are invisible, A's are visible, nothing else is.
func (iso *isolation) checkInvisible(t *testing.T, table string) {
	iso.inScope(t, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) {
		q := `SELECT count(*) FILTER (WHERE tenant_id = $1), count(*) FILTER (WHERE tenant_id = $2), count(*) FROM ` + ident(table)
		var ofA, ofB, all int64
		if err := tx.QueryRow(iso.ctx, q, iso.A.Tenant, iso.B.Tenant).Scan(&ofA, &ofB, &all); err != nil {
			t.Fatal(err)
		}
		if ofB != 0 {
			t.Errorf("table %s: tenant A sees %d rows of tenant B, want 0", table, ofB)
		}
		if ofA == 0 {
			t.Errorf("table %s: tenant A sees none of its own rows", table)
		}
		if all != ofA {
			t.Errorf("table %s: tenant A sees %d rows, of which only %d are its own", table, all, ofA)
		}
	})
}

// (b) As tenant A, an UPDATE aimed at B's rows changes nothing (or is refused outright).
func (iso *isolation) checkUpdateOther(t *testing.T, table string) {
	iso.inScope(t, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) {
		stmt := `UPDATE ` + ident(table) + ` SET tenant_id = tenant_id WHERE tenant_id = $1`
		// Control: the statement does reach A's own rows, so 0 rows below means RLS.
		iso.expectRowsOrDenied(t, tx, table, "UPDATE", stmt, iso.A.Tenant)
		iso.expectZeroOrDenied(t, tx, table, "UPDATE of tenant B's rows", stmt, iso.B.Tenant)
	})
	iso.expectOwnerCountUnchanged(t, table)
}

// (c) As tenant A, a DELETE aimed at B's rows removes nothing (or is refused outright).
func (iso *isolation) checkDeleteOther(t *testing.T, table string) {
	iso.inScope(t, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) {
		stmt := `DELETE FROM ` + ident(table) + ` WHERE tenant_id = $1`
		iso.expectRowsOrDenied(t, tx, table, "DELETE", stmt, iso.A.Tenant)
		iso.expectZeroOrDenied(t, tx, table, "DELETE of tenant B's rows", stmt, iso.B.Tenant)
	})
	iso.expectOwnerCountUnchanged(t, table)
}

// (d) As tenant A, inserting a row of tenant B (a copy of one of B's rows, or one of A's rows
// relabelled to B) violates the policy's WITH CHECK.
func (iso *isolation) checkInsertOther(t *testing.T, table string) {
	var rowOfB []byte
	if err := iso.owner.Tx(iso.ctx, tenants.Scope{TenantID: iso.B.Tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(iso.ctx, `SELECT row_to_json(t) FROM `+ident(table)+` t WHERE tenant_id = $1 LIMIT 1`,
			iso.B.Tenant).Scan(&rowOfB)
	}); err != nil {
		t.Fatalf("read a row of tenant B from %s as owner: %v", table, err)
	}
	insert := insertJSON(table)
	relabelled := func(tx *tenants.Tx, tenant uuid.UUID) []byte {
		return visibleRow(t, iso.ctx, tx, table, `true`, `jsonb_build_object('tenant_id', $1::uuid)`, tenant)
	}
	iso.inScope(t, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) {
		_, err := tryExec(iso.ctx, tx, insert, rowOfB)
		expectRLSViolation(t, err, table, "INSERT of a copy of tenant B's row")
		_, err = tryExec(iso.ctx, tx, insert, relabelled(tx, iso.B.Tenant))
		expectRLSViolation(t, err, table, "INSERT of tenant A's row relabelled tenant_id = B")
		// Control: the same relabelled insert for A itself passes the policy and is stopped only
		// by a unique key (the row is a duplicate), so the refusals above are the policy's.
		_, err = tryExec(iso.ctx, tx, insert, relabelled(tx, iso.A.Tenant))
		if code := sqlState(err); code != "23505" {
			t.Errorf("table %s: control INSERT of a duplicate of tenant A's own row: want unique violation 23505, got %v", table, err)
		}
	})
	iso.expectOwnerCountUnchanged(t, table)
}

// (e) As tenant A, moving one of A's rows to tenant B violates the policy (its WITH CHECK, and
// for an UPDATE that reads the row, the SELECT policy applied to the new row).
func (iso *isolation) checkMoveToOther(t *testing.T, table string) {
	iso.inScope(t, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) {
		stmt := `UPDATE ` + ident(table) + ` SET tenant_id = $1 WHERE ctid = (SELECT ctid FROM ` + ident(table) + ` LIMIT 1)`
		_, err := tryExec(iso.ctx, tx, stmt, iso.B.Tenant)
		if !iso.hasPrivilege(t, tx, table, "UPDATE") && isPermissionDenied(err) {
			return // no UPDATE grant (audit_log): refused before RLS is even consulted
		}
		if isDistributionColumnChange(err) {
			return // Citus: a row never changes its tenant_id (the shard is chosen by it), whatever the policy
		}
		expectRLSViolation(t, err, table, "UPDATE moving a row of tenant A to tenant B")
	})
	iso.expectOwnerCountUnchanged(t, table)
}

// (f) Without a tenant, in every way the application may open a transaction, no rows show.
func (iso *isolation) checkNoTenant(t *testing.T, table string) {
	q := `SELECT count(*) FROM ` + ident(table)
	t.Run("global_tx", func(t *testing.T) {
		if err := iso.app.Platform(iso.ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
			expectCount(t, table+" in DB.Global with no user", queryCount(t, iso.ctx, tx, q), 0)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("plain_tx", func(t *testing.T) {
		if err := pgx.BeginFunc(iso.ctx, iso.appPool, func(tx pgx.Tx) error {
			expectCount(t, table+" in a plain transaction of the app role", queryCount(t, iso.ctx, tx, q), 0)
			return errRollback
		}); err != nil && !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	})
	t.Run("no_tx", func(t *testing.T) {
		expectCount(t, table+" outside any transaction", queryCount(t, iso.ctx, iso.appPool, q), 0)
	})
}

// ---- scopes that need no per-table loop ----

// (f) A pooled connection that ran (and committed or rolled back) a transaction of tenant A
// carries no tenant into its next use.
func (iso *isolation) checkPooledConnection(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(iso.appURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MinConns, cfg.MaxConns = 1, 1 // one connection: the next use is surely the same one
	pool, err := pgxpool.NewWithConfig(iso.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	single := tenants.NewDB(pool)
	tables := TenantTables(t, iso.ctx, pool)

	for _, end := range []struct {
		name string
		err  error
	}{{"after_commit", nil}, {"after_rollback", errRollback}} {
		t.Run(end.name, func(t *testing.T) {
			var pid uint32
			err := single.Tx(iso.ctx, tenants.Scope{TenantID: iso.A.Tenant, OutletID: iso.A.Outlet1, UserID: iso.shared},
				func(tx *tenants.Tx) error {
					if err := tx.QueryRow(iso.ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
						return err
					}
					// Control: the tenant is set and visible inside the transaction.
					if n := queryCount(t, iso.ctx, tx, `SELECT count(*) FROM outlets`); n == 0 {
						t.Errorf("control: tenant A's transaction sees no outlets")
					}
					return end.err
				})
			if !errors.Is(err, end.err) {
				t.Fatal(err)
			}
			conn, err := pool.Acquire(iso.ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			var pid2 uint32
			var tenant, outlet, user string
			if err := conn.QueryRow(iso.ctx, `SELECT pg_backend_pid(), current_setting('app.tenant_id', true),
				current_setting('app.outlet_id', true), current_setting('app.user_id', true)`).
				Scan(&pid2, &tenant, &outlet, &user); err != nil {
				t.Fatal(err)
			}
			if pid2 != pid {
				t.Fatalf("pool of one connection handed out backend %d after %d", pid2, pid)
			}
			if tenant != "" || outlet != "" || user != "" {
				t.Errorf("connection kept settings of the previous transaction: tenant=%q outlet=%q user=%q", tenant, outlet, user)
			}
			for _, table := range tables {
				n := queryCount(t, iso.ctx, conn, `SELECT count(*) FROM `+ident(table))
				expectCount(t, table+" on a reused pooled connection", n, 0)
			}
		})
	}
}

// One-trip reads (DB.Read) are confined like transactions, to the tenant and to the outlet,
// and leave nothing on the connection.
func (iso *isolation) checkOneTripRead(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(iso.appURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MinConns, cfg.MaxConns = 1, 1
	pool, err := pgxpool.NewWithConfig(iso.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	single := tenants.NewDB(pool)
	count := func(scope tenants.Scope, q string, args ...any) (n int64) {
		t.Helper()
		if err := single.Read(iso.ctx, scope, func(q2 db.DBTX) error { return q2.QueryRow(iso.ctx, q, args...).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, b := iso.A, iso.B
	if n := count(tenants.Scope{TenantID: a.Tenant}, `SELECT count(*) FROM outlets`); n != 2 {
		t.Errorf("tenant A's read sees %d outlets, want its 2", n)
	}
	if n := count(tenants.Scope{TenantID: a.Tenant}, `SELECT count(*) FROM outlets WHERE tenant_id = $1`, b.Tenant); n != 0 {
		t.Errorf("tenant A's read sees %d outlets of tenant B", n)
	}
	if n := count(tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1}, `SELECT count(*) FROM outlets`); n != 1 {
		t.Errorf("outlet A1's read sees %d outlets, want only itself", n)
	}
	var rows int
	err = single.Read(iso.ctx, tenants.Scope{TenantID: b.Tenant}, func(q db.DBTX) error {
		r, err := q.Query(iso.ctx, `SELECT id FROM outlets`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			rows++
		}
		return r.Err()
	})
	if err != nil || rows != 2 {
		t.Errorf("tenant B's read: %d rows, %v; want its 2 outlets", rows, err)
	}
	if err := single.Read(iso.ctx, tenants.Scope{}, func(db.DBTX) error { return nil }); err == nil {
		t.Error("a read without a tenant was allowed")
	}
	// Unset settings read as NULL (never set on the connection) or '' (set by an earlier
	// transaction): either way, empty.
	var tenant, outlet, user string
	if err := pool.QueryRow(iso.ctx, `SELECT coalesce(current_setting('app.tenant_id', true), ''),
		coalesce(current_setting('app.outlet_id', true), ''), coalesce(current_setting('app.user_id', true), '')`).Scan(&tenant, &outlet, &user); err != nil {
		t.Fatal(err)
	}
	if tenant != "" || outlet != "" || user != "" {
		t.Errorf("connection kept settings of a one-trip read: tenant=%q outlet=%q user=%q", tenant, outlet, user)
	}
	if n := queryCount(t, iso.ctx, pool, `SELECT count(*) FROM outlets`); n != 0 {
		t.Errorf("after one-trip reads, a plain query sees %d outlets", n)
	}
}

// (g) Confined to outlet A1, a sibling outlet's rows are invisible; A1's are visible.
func (iso *isolation) checkOutletScope(t *testing.T) {
	a := iso.A
	// The outlet column of each outlet-scoped table.
	for _, c := range []struct{ table, outletCol string }{
		{"outlets", "id"}, {"memberships", "outlet_id"}, {"audit_log", "outlet_id"},
		{"sla_clocks", "outlet_id"}, {"sla_breaches", "outlet_id"}, {"purchases", "outlet_id"},
		{"compensations", "outlet_id"}, {"report_days", "outlet_key"}, {"stock_balances", "outlet_id"}, {"stock_movements", "outlet_id"},
		{"part_serials", "outlet_id"}, {"stock_reservations", "outlet_id"}, {"order_parts", "outlet_id"},
		{"part_requests", "outlet_id"}, {"safety_stock", "outlet_id"}, {"stock_suggestion_lines", "outlet_id"}, {"rma_lines", "outlet_id"},
		{"rma_shipments", "outlet_id"}, {"rma_shipment_lines", "outlet_id"}, {"rma_tracking_events", "outlet_id"}, {"bills", "outlet_id"}, {"bill_payments", "outlet_id"},
		{"pay_orders", "outlet_id"}, {"pay_statements", "outlet_id"}, {"pay_entries", "outlet_id"},
		{"complaints", "outlet_id"}, {"contact_log", "outlet_id"},
		{"return_cases", "outlet_id"}, {"loans", "outlet_id"}, {"part_orders", "outlet_id"}, {"part_order_lines", "outlet_id"},
		{"callback_tasks", "outlet_id"}, {"survey_responses", "outlet_id"}, {"rectifications", "outlet_id"},
	} {
		t.Run(c.table, func(t *testing.T) {
			q := `SELECT count(*) FROM ` + ident(c.table) + ` WHERE ` + ident(c.outletCol) + ` = $1`
			// Non-vacuous: the owner, tenant-wide, sees rows of both outlets.
			for _, o := range []uuid.UUID{a.Outlet1, a.Outlet2} {
				if iso.ownerCount(t, a.Tenant, q, o) == 0 {
					t.Fatalf("fixture has no %s rows of outlet %s", c.table, o)
				}
			}
			iso.inScope(t, tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1}, func(tx *tenants.Tx) {
				if n := queryCount(t, iso.ctx, tx, q, a.Outlet1); n == 0 {
					t.Errorf("%s: confined to outlet A1, its own rows are invisible", c.table)
				}
				expectCount(t, c.table+" of sibling outlet A2, confined to A1", queryCount(t, iso.ctx, tx, q, a.Outlet2), 0)
				all := queryCount(t, iso.ctx, tx, `SELECT count(*) FROM `+ident(c.table))
				expectCount(t, c.table+" of any outlet but A1, confined to A1", all-queryCount(t, iso.ctx, tx, q, a.Outlet1), 0)

				where := ` WHERE ` + ident(c.outletCol) + ` = $1`
				iso.expectZeroOrDenied(t, tx, c.table, "UPDATE of sibling outlet A2's rows",
					`UPDATE `+ident(c.table)+` SET tenant_id = tenant_id`+where, a.Outlet2)
				iso.expectZeroOrDenied(t, tx, c.table, "DELETE of sibling outlet A2's rows",
					`DELETE FROM `+ident(c.table)+where, a.Outlet2)
			})
		})
	}
	// Warehouses: an outlet sees its own and the centre's (to request parts from), never a
	// sibling's, and changes only its own; transfers are seen by the outlets at either end.
	t.Run("warehouses", func(t *testing.T) {
		iso.inScope(t, tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1}, func(tx *tenants.Tx) {
			expectCount(t, "warehouses of sibling outlet A2, confined to A1",
				queryCount(t, iso.ctx, tx, `SELECT count(*) FROM warehouses WHERE outlet_id = $1`, a.Outlet2), 0)
			if n := queryCount(t, iso.ctx, tx, `SELECT count(*) FROM warehouses WHERE outlet_id IS NULL`); n == 0 {
				t.Errorf("confined to A1, the central warehouse is invisible")
			}
			if n := queryCount(t, iso.ctx, tx, `SELECT count(*) FROM transfers WHERE to_outlet_id = $1`, a.Outlet1); n == 0 {
				t.Errorf("confined to A1, the transfer to A1 is invisible")
			}
			iso.expectZeroOrDenied(t, tx, "warehouses", "UPDATE of the central warehouse",
				`UPDATE warehouses SET name = 'x' WHERE outlet_id IS NULL AND tenant_id = $1`, a.Tenant)
			iso.expectZeroOrDenied(t, tx, "warehouses", "UPDATE of sibling outlet A2's warehouses",
				`UPDATE warehouses SET name = 'x' WHERE outlet_id = $1`, a.Outlet2)
			_, err := tryExec(iso.ctx, tx, `INSERT INTO stock_movements (tenant_id, id, idempotency_key, warehouse_id, part_id, outlet_id,
				type, qty, posted_on) SELECT tenant_id, $1, 'x', id, $2, outlet_id, 'receipt', 1, '2026-03-01' FROM warehouses WHERE outlet_id IS NULL`,
				uuid.New(), uuid.New())
			expectRLSViolation(t, err, "stock_movements", "INSERT of a movement of the central warehouse while confined to outlet A1")
		})
	})
	t.Run("outlets/insert_sibling", func(t *testing.T) {
		iso.inScope(t, tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1}, func(tx *tenants.Tx) {
			_, err := tryExec(iso.ctx, tx, `INSERT INTO outlets (tenant_id, id, code, name, kind)
				VALUES (app.tenant_id(), $1, 'o3', 'Outlet 3', 'warehouse')`, uuid.New())
			expectRLSViolation(t, err, "outlets", "INSERT of a new outlet while confined to outlet A1")
		})
	})
	// Outlet staff cannot create or escalate tenant-wide memberships, nor write audit entries
	// for other outlets, even for their own user (which the own_memberships policy shows them).
	t.Run("memberships/no_escalation", func(t *testing.T) {
		iso.inScope(t, tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1, UserID: a.Eng1}, func(tx *tenants.Tx) {
			_, err := tryExec(iso.ctx, tx, `UPDATE memberships SET role = 'tenant_admin', outlet_id = NULL WHERE user_id = $1`, a.Eng1)
			expectRLSViolation(t, err, "memberships", "promoting one's own outlet membership to tenant-wide admin")
			_, err = tryExec(iso.ctx, tx, `INSERT INTO memberships (tenant_id, id, user_id, role)
				VALUES (app.tenant_id(), $1, $2, 'tenant_admin')`, uuid.New(), a.Eng1)
			expectRLSViolation(t, err, "memberships", "INSERT of a tenant-wide membership while confined to outlet A1")
			_, err = tryExec(iso.ctx, tx, `INSERT INTO audit_log (tenant_id, id, actor_kind, action, entity, outlet_id)
				VALUES (app.tenant_id(), $1, 'system', 'x', 'x', $2)`, uuid.New(), a.Outlet2)
			expectRLSViolation(t, err, "audit_log", "INSERT of an audit entry for sibling outlet A2")
		})
	})
}

// (h) A user sees their own memberships in other tenants (to pick a tenant), but no other
// membership of those tenants, and cannot change or delete them from tenant A.
func (iso *isolation) checkOwnMemberships(t *testing.T) {
	a, b := iso.A, iso.B
	scope := tenants.Scope{TenantID: a.Tenant, UserID: iso.shared}
	iso.inScope(t, scope, func(tx *tenants.Tx) {
		var own, others int64
		if err := tx.QueryRow(iso.ctx, `SELECT count(*) FILTER (WHERE user_id = $2), count(*) FILTER (WHERE user_id <> $2)
			FROM memberships WHERE tenant_id = $1`, b.Tenant, iso.shared).Scan(&own, &others); err != nil {
			t.Fatal(err)
		}
		if own != 1 {
			t.Errorf("user in tenant A sees %d of their own memberships in tenant B, want 1", own)
		}
		if others != 0 {
			t.Errorf("user in tenant A sees %d memberships of other users in tenant B, want 0", others)
		}
		for _, target := range []struct {
			what string
			cond string
			arg  any
		}{
			{"their own membership in B", `id = $1`, b.SharedMembership},
			{"memberships in B", `tenant_id = $1`, b.Tenant},
		} {
			iso.expectZeroOrDenied(t, tx, "memberships", "UPDATE of "+target.what+" from tenant A",
				`UPDATE memberships SET role = 'tenant_admin', status = 'active' WHERE `+target.cond, target.arg)
			iso.expectZeroOrDenied(t, tx, "memberships", "DELETE of "+target.what+" from tenant A",
				`DELETE FROM memberships WHERE `+target.cond, target.arg)
		}
		// Control: the same UPDATE reaches the user's membership in A.
		iso.expectRowsOrDenied(t, tx, "memberships", "UPDATE",
			`UPDATE memberships SET role = 'tenant_admin', status = 'active' WHERE id = $1`, a.SharedMembership)
	})
	t.Run("global_tx_lists_own_memberships", func(t *testing.T) {
		if err := iso.app.Platform(iso.ctx, "test", iso.shared, func(tx *tenants.Tx) error {
			var own, others int64
			if err := tx.QueryRow(iso.ctx, `SELECT count(*) FILTER (WHERE user_id = $1), count(*) FILTER (WHERE user_id <> $1)
				FROM memberships`, iso.shared).Scan(&own, &others); err != nil {
				return err
			}
			expectCount(t, "own memberships with no tenant set", own, 2)
			expectCount(t, "other users' memberships with no tenant set", others, 0)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	var role string
	if err := iso.owner.Tx(iso.ctx, tenants.Scope{TenantID: b.Tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(iso.ctx, `SELECT role FROM memberships WHERE id = $1`, b.SharedMembership).Scan(&role)
	}); err != nil {
		t.Fatalf("shared user's membership in B is gone: %v", err)
	}
	if role != "agent" {
		t.Errorf("shared user's membership in B was changed from tenant A: role %q", role)
	}
}

// ---- the consumer axis ----

// consumerTable is a table a signed-in consumer reaches. In a consumer's scope (app.consumer_id
// set), row-level security shows and accepts only the rows whose owner columns name the
// consumer; staff and system scopes are not narrowed.
type consumerTable struct {
	name string
	// byConsumer: the owner columns hold the global consumer identity (app.consumer_id());
	// otherwise they hold the consumer's customer record in the tenant (app.customer_id()).
	byConsumer bool
	owners     []string // a row is the consumer's when any of these columns names them
}

// consumerTables are every table narrowed to the consumer (sql/schema/00011_consumer_scope.sql).
// A table with a customer or consumer column, or a foreign key to customers or consumers, must
// be listed here or in staffOnlyTables (checkConsumerTablesListed).
var consumerTables = []consumerTable{
	{name: "customers", byConsumer: true, owners: []string{"consumer_id"}},
	{name: "registrations", owners: []string{"buyer_id", "user_id"}},
	{name: "service_orders", owners: []string{"customer_id"}},
	{name: "order_quotes", owners: []string{"customer_id"}},
	{name: "order_disputes", owners: []string{"customer_id"}},
	{name: "order_attachments", owners: []string{"customer_id"}},
	{name: "purchases", owners: []string{"customer_id"}},
	{name: "credits", owners: []string{"customer_id"}},
	{name: "bills", owners: []string{"customer_id"}},
	{name: "return_cases", owners: []string{"customer_id"}},
	{name: "loans", owners: []string{"customer_id"}},
	{name: "part_orders", owners: []string{"customer_id"}},
	{name: "notification_preferences", owners: []string{"customer_id"}},
	{name: "inbox_messages", byConsumer: true, owners: []string{"consumer_id"}},
}

// staffOnlyTables name a customer or consumer but are not narrowed to the consumer, each with
// the reason no consumer's request reaches them.
var staffOnlyTables = map[string]string{
	"complaints":  "complaints are the staff's cases; a consumer complains through staff (or a channel staff log)",
	"contact_log": "the contact log is written and read by staff",
	"notification_sends": "the send log: the notifier writes it as the system and staff read it; " +
		"a consumer reads their in-app messages from inbox_messages",
	"sessions": "global (no tenant_id): signing in reads it through the Platform door, by token hash",
	"callback_tasks": "staff's callback queue; a consumer answers through the survey link, which runs in the tenant's scope " +
		"and reaches only the link's own task by its id and secret",
	"survey_responses": "written by staff on the call or by the survey link (the link's task only, in the tenant's scope); " +
		"consumers never read the answers back",
}

// owned is the condition "the row is param's" (param: a placeholder such as $1).
func (c consumerTable) owned(param string) string {
	conds := make([]string, len(c.owners))
	for i, col := range c.owners {
		conds[i] = ident(col) + " = " + param + "::uuid"
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// give is the SET list of an UPDATE that gives the row to param.
func (c consumerTable) give(param string) string {
	sets := make([]string, len(c.owners))
	for i, col := range c.owners {
		sets[i] = ident(col) + " = " + param + "::uuid"
	}
	return strings.Join(sets, ", ")
}

// relabel is a jsonb object setting every owner column to param.
func (c consumerTable) relabel(param string) string {
	kv := make([]string, len(c.owners))
	for i, col := range c.owners {
		kv[i] = "'" + col + "', " + param + "::uuid"
	}
	return "jsonb_build_object(" + strings.Join(kv, ", ") + ")"
}

// consumerSide is one signed-in consumer of tenant A and their customer record there.
type consumerSide struct {
	name               string
	consumer, customer uuid.UUID
}

// owner is the value of c's owner columns on the side's rows.
func (c consumerTable) owner(s consumerSide) uuid.UUID {
	if c.byConsumer {
		return s.consumer
	}
	return s.customer
}

func (s consumerSide) scope(tenant uuid.UUID) tenants.Scope {
	return tenants.Scope{TenantID: tenant, ConsumerID: s.consumer, CustomerID: s.customer,
		Actor: tenants.Actor{Kind: "consumer", ID: s.consumer}}
}

// (i) Confined to a consumer of tenant A, every consumer table shows and accepts only that
// consumer's rows: not another consumer's of the same tenant, nothing without a customer
// record, nothing of tenant B (where the same global consumer has rows too).
func (iso *isolation) checkConsumerScope(t *testing.T) {
	t.Run("tables_listed", iso.checkConsumerTablesListed)
	a := iso.A
	one := consumerSide{"consumer1", iso.consumer, a.Customer1}
	two := consumerSide{"consumer2", a.Consumer2, a.Customer2}
	for _, c := range consumerTables {
		t.Run(c.name, func(t *testing.T) {
			if !t.Run("fixture", func(t *testing.T) { iso.checkConsumerFixture(t, c, one, two) }) {
				return
			}
			t.Run("staff_not_narrowed", func(t *testing.T) { iso.checkStaffNotNarrowed(t, c, one, two) })
			for _, pair := range [][2]consumerSide{{one, two}, {two, one}} {
				me, other := pair[0], pair[1]
				t.Run(me.name, func(t *testing.T) {
					t.Run("sees_own", func(t *testing.T) { iso.checkConsumerSeesOwn(t, c, me) })
					t.Run("invisible", func(t *testing.T) { iso.checkConsumerInvisible(t, c, me, other) })
					t.Run("update_other", func(t *testing.T) { iso.checkConsumerWriteOther(t, c, me, other, "UPDATE") })
					t.Run("delete_other", func(t *testing.T) { iso.checkConsumerWriteOther(t, c, me, other, "DELETE") })
					t.Run("insert_other", func(t *testing.T) { iso.checkConsumerInsertOther(t, c, me, other) })
					t.Run("reassign_to_other", func(t *testing.T) { iso.checkConsumerReassign(t, c, me, other) })
				})
			}
			t.Run("no_customer", func(t *testing.T) { iso.checkConsumerNoCustomer(t, c, one, two) })
			t.Run("other_tenant", func(t *testing.T) { iso.checkConsumerOtherTenant(t, c, one) })
		})
	}
}

// checkConsumerTablesListed fails when a table names a customer or consumer (a customer_id or
// consumer_id column, or a foreign key to customers or consumers) and is in neither
// consumerTables nor staffOnlyTables: a new consumer table must not be forgotten.
func (iso *isolation) checkConsumerTablesListed(t *testing.T) {
	found := queryStrings(t, iso.ctx, iso.appPool, `
		SELECT c.relname::text
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND (EXISTS (SELECT FROM pg_attribute a
		               WHERE a.attrelid = c.oid AND a.attname IN ('customer_id', 'consumer_id') AND NOT a.attisdropped)
		       OR EXISTS (SELECT FROM pg_constraint con
		                  WHERE con.conrelid = c.oid AND con.contype = 'f'
		                    AND con.confrelid IN ('public.customers'::regclass, 'public.consumers'::regclass)))
		ORDER BY 1`)
	inCatalog := map[string]bool{}
	for _, table := range found {
		inCatalog[table] = true
	}
	listed := map[string]bool{}
	for _, c := range consumerTables {
		if listed[c.name] {
			t.Errorf("consumerTables lists %s twice", c.name)
		}
		listed[c.name] = true
		if reason, ok := staffOnlyTables[c.name]; ok {
			t.Errorf("table %s is both a consumer table and staff-only (%s)", c.name, reason)
		}
		if !inCatalog[c.name] {
			t.Errorf("consumer table %s has no customer or consumer column in the catalog: renamed, dropped, or is the catalog query broken? (found %v)",
				c.name, found)
		}
	}
	for table, reason := range staffOnlyTables {
		if strings.TrimSpace(reason) == "" {
			t.Errorf("staff-only table %s has no reason", table)
		}
		if !inCatalog[table] {
			t.Errorf("staff-only table %s no longer names a customer or consumer: remove it from staffOnlyTables", table)
		}
	}
	for _, table := range found {
		if !listed[table] && staffOnlyTables[table] == "" {
			t.Errorf("table %s names a customer or consumer but is neither in consumerTables (narrowed to the consumer by its policy, and tested here) "+
				"nor in staffOnlyTables (with the reason no consumer request reaches it); see internal/isolation/isolation.go", table)
		}
	}
}

// checkConsumerFixture: both consumers of A have rows (so no check below is vacuous), and so
// does consumer 1 in tenant B (the same global consumer, another customer record).
func (iso *isolation) checkConsumerFixture(t *testing.T, c consumerTable, one, two consumerSide) {
	q := `SELECT count(*) FROM ` + ident(c.name) + ` WHERE ` + c.owned("$1")
	for _, s := range []consumerSide{one, two} {
		if iso.ownerCount(t, iso.A.Tenant, q, c.owner(s)) == 0 {
			t.Errorf("table %s has no fixture rows of tenant A's %s: add them to insertFixture", c.name, s.name)
		}
	}
	ofB := consumerSide{"consumer1 in B", iso.consumer, iso.B.Customer1}
	if iso.ownerCount(t, iso.B.Tenant, q, c.owner(ofB)) == 0 {
		t.Errorf("table %s has no fixture rows of consumer 1 in tenant B: add them to insertFixture", c.name)
	}
}

// Staff and system scopes (no consumer) see every customer's rows.
func (iso *isolation) checkStaffNotNarrowed(t *testing.T, c consumerTable, one, two consumerSide) {
	q := `SELECT count(*) FROM ` + ident(c.name) + ` WHERE ` + c.owned("$1")
	for _, scope := range []struct {
		name  string
		scope tenants.Scope
	}{
		{"staff", tenants.Scope{TenantID: iso.A.Tenant, UserID: iso.A.Admin}},
		{"system", tenants.Scope{TenantID: iso.A.Tenant, Actor: tenants.SystemActor}},
	} {
		iso.inScope(t, scope.scope, func(tx *tenants.Tx) {
			for _, s := range []consumerSide{one, two} {
				want := iso.ownerCount(t, iso.A.Tenant, q, c.owner(s))
				expectCount(t, c.name+" of "+s.name+" in a "+scope.name+" scope", queryCount(t, iso.ctx, tx, q, c.owner(s)), want)
			}
		})
	}
}

// The consumer sees all their own rows.
func (iso *isolation) checkConsumerSeesOwn(t *testing.T, c consumerTable, me consumerSide) {
	q := `SELECT count(*) FROM ` + ident(c.name) + ` WHERE ` + c.owned("$1")
	stored := iso.ownerCount(t, iso.A.Tenant, q, c.owner(me))
	iso.inScope(t, me.scope(iso.A.Tenant), func(tx *tenants.Tx) {
		n := queryCount(t, iso.ctx, tx, q, c.owner(me))
		if n == 0 {
			t.Errorf("table %s: %s sees none of their own rows", c.name, me.name)
		}
		expectCount(t, c.name+" of "+me.name+", as "+me.name, n, stored)
	})
}

// The other consumer's rows, and any row that is not the consumer's, are invisible.
func (iso *isolation) checkConsumerInvisible(t *testing.T, c consumerTable, me, other consumerSide) {
	iso.inScope(t, me.scope(iso.A.Tenant), func(tx *tenants.Tx) {
		var mine, theirs, all int64
		if err := tx.QueryRow(iso.ctx, `SELECT count(*) FILTER (WHERE `+c.owned("$1")+`), count(*) FILTER (WHERE `+c.owned("$2")+
			`), count(*) FROM `+ident(c.name), c.owner(me), c.owner(other)).Scan(&mine, &theirs, &all); err != nil {
			t.Fatal(err)
		}
		expectCount(t, c.name+" of "+other.name+", as "+me.name, theirs, 0)
		expectCount(t, c.name+" not "+me.name+"'s, as "+me.name, all-mine, 0)
	})
}

// An UPDATE or DELETE aimed at the other consumer's rows changes nothing; the same statement
// aimed at the consumer's own rows reaches them (the control).
func (iso *isolation) checkConsumerWriteOther(t *testing.T, c consumerTable, me, other consumerSide, verb string) {
	stmt := `DELETE FROM ` + ident(c.name) + ` WHERE ` + c.owned("$1")
	if verb == "UPDATE" {
		stmt = `UPDATE ` + ident(c.name) + ` SET ` + ident(c.owners[0]) + ` = ` + ident(c.owners[0]) + ` WHERE ` + c.owned("$1")
	}
	iso.inScope(t, me.scope(iso.A.Tenant), func(tx *tenants.Tx) {
		iso.expectRowsOrDenied(t, tx, c.name, verb+" as "+me.name, stmt, c.owner(me))
		iso.expectZeroOrDenied(t, tx, c.name, verb+" of "+other.name+"'s rows as "+me.name, stmt, c.owner(other))
	})
	iso.expectOwnerCountUnchanged(t, c.name)
}

// Inserting a row of the other consumer (a copy of one of theirs, or one of the consumer's own
// given to them) violates the policy; the consumer's own row, relabelled to themself, passes the
// policy and is stopped only by its unique key.
func (iso *isolation) checkConsumerInsertOther(t *testing.T, c consumerTable, me, other consumerSide) {
	var rowOfOther []byte
	if err := iso.owner.Tx(iso.ctx, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(iso.ctx, `SELECT row_to_json(t) FROM `+ident(c.name)+` t WHERE `+c.owned("$1")+` LIMIT 1`,
			c.owner(other)).Scan(&rowOfOther)
	}); err != nil {
		t.Fatalf("read a row of %s from %s as owner: %v", other.name, c.name, err)
	}
	insert := insertJSON(c.name)
	relabelled := func(tx *tenants.Tx, to consumerSide) []byte { // one of me's rows, given to
		return visibleRow(t, iso.ctx, tx, c.name, c.owned("$2"), c.relabel("$1"), c.owner(to), c.owner(me))
	}
	iso.inScope(t, me.scope(iso.A.Tenant), func(tx *tenants.Tx) {
		_, err := tryExec(iso.ctx, tx, insert, rowOfOther)
		expectRLSViolation(t, err, c.name, "INSERT of a copy of "+other.name+"'s row as "+me.name)
		_, err = tryExec(iso.ctx, tx, insert, relabelled(tx, other))
		expectRLSViolation(t, err, c.name, "INSERT of "+me.name+"'s row given to "+other.name)
		_, err = tryExec(iso.ctx, tx, insert, relabelled(tx, me))
		if code := sqlState(err); code != "23505" {
			t.Errorf("table %s: control INSERT of a duplicate of %s's own row: want unique violation 23505, got %v", c.name, me.name, err)
		}
	})
	iso.expectOwnerCountUnchanged(t, c.name)
}

// Giving one of the consumer's own rows to the other consumer violates the policy.
func (iso *isolation) checkConsumerReassign(t *testing.T, c consumerTable, me, other consumerSide) {
	iso.inScope(t, me.scope(iso.A.Tenant), func(tx *tenants.Tx) {
		n, err := tryExec(iso.ctx, tx, `UPDATE `+ident(c.name)+` SET `+c.give("$1")+` WHERE `+c.owned("$2"),
			c.owner(other), c.owner(me))
		if err == nil && n == 0 {
			t.Errorf("table %s: UPDATE giving %s's rows to %s reached none of their rows: the check proves nothing", c.name, me.name, other.name)
			return
		}
		expectRLSViolation(t, err, c.name, "UPDATE giving "+me.name+"'s rows to "+other.name)
	})
	iso.expectOwnerCountUnchanged(t, c.name)
}

// A consumer without a customer record in the tenant (CustomerID unset) sees and writes no row
// of the tables kept by customer. The tables kept by the consumer identity (customers,
// inbox_messages) still show the consumer's own rows and nobody else's: that is how the
// consumer's customer record is found, or created, on first contact (customers.ForConsumer).
func (iso *isolation) checkConsumerNoCustomer(t *testing.T, c consumerTable, one, two consumerSide) {
	scope := tenants.Scope{TenantID: iso.A.Tenant, ConsumerID: one.consumer, Actor: tenants.Actor{Kind: "consumer", ID: one.consumer}}
	var rowOfOne []byte
	if err := iso.owner.Tx(iso.ctx, tenants.Scope{TenantID: iso.A.Tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(iso.ctx, `SELECT row_to_json(t) FROM `+ident(c.name)+` t WHERE `+c.owned("$1")+` LIMIT 1`,
			c.owner(one)).Scan(&rowOfOne)
	}); err != nil {
		t.Fatalf("read a row of consumer 1 from %s as owner: %v", c.name, err)
	}
	iso.inScope(t, scope, func(tx *tenants.Tx) {
		var mine, theirs, all int64
		if err := tx.QueryRow(iso.ctx, `SELECT count(*) FILTER (WHERE `+c.owned("$1")+`), count(*) FILTER (WHERE `+c.owned("$2")+
			`), count(*) FROM `+ident(c.name), c.owner(one), c.owner(two)).Scan(&mine, &theirs, &all); err != nil {
			t.Fatal(err)
		}
		what := c.name + " as consumer 1 without a customer record"
		if !c.byConsumer {
			expectCount(t, what, all, 0)
			_, err := tryExec(iso.ctx, tx, insertJSON(c.name), rowOfOne)
			expectRLSViolation(t, err, c.name, "INSERT of a copy of consumer 1's own row without a customer record")
			return
		}
		if mine == 0 {
			t.Errorf("%s: their own rows are invisible", what)
		}
		expectCount(t, what+": consumer 2's", theirs, 0)
		expectCount(t, what+": not consumer 1's", all-mine, 0)
	})
	iso.expectOwnerCountUnchanged(t, c.name)
}

// Confined to consumer 1 of tenant A, nothing of tenant B shows or changes, although the same
// global consumer has rows there; nor when the scope names consumer 1's customer record of B.
func (iso *isolation) checkConsumerOtherTenant(t *testing.T, c consumerTable, one consumerSide) {
	b := iso.B
	ofB := `SELECT count(*) FROM ` + ident(c.name) + ` WHERE tenant_id = $1`
	if iso.ownerCount(t, b.Tenant, ofB, b.Tenant) == 0 {
		t.Fatalf("table %s has no fixture rows in tenant B", c.name)
	}
	foreign := tenants.Scope{TenantID: iso.A.Tenant, ConsumerID: iso.consumer, CustomerID: b.Customer1}
	for _, scope := range []tenants.Scope{one.scope(iso.A.Tenant), foreign} {
		iso.inScope(t, scope, func(tx *tenants.Tx) {
			what := fmt.Sprintf("%s of tenant B as consumer 1 of tenant A (customer %s)", c.name, scope.CustomerID)
			expectCount(t, what, queryCount(t, iso.ctx, tx, ofB, b.Tenant), 0)
			if !c.byConsumer {
				expectCount(t, what+", by consumer 1's record in B",
					queryCount(t, iso.ctx, tx, `SELECT count(*) FROM `+ident(c.name)+` WHERE `+c.owned("$1"), b.Customer1), 0)
			}
			iso.expectZeroOrDenied(t, tx, c.name, "UPDATE of tenant B's rows as consumer 1 of A",
				`UPDATE `+ident(c.name)+` SET tenant_id = tenant_id WHERE tenant_id = $1`, b.Tenant)
			iso.expectZeroOrDenied(t, tx, c.name, "DELETE of tenant B's rows as consumer 1 of A",
				`DELETE FROM `+ident(c.name)+` WHERE tenant_id = $1`, b.Tenant)
		})
	}
	iso.expectOwnerCountUnchanged(t, c.name)
}

// ---- helpers ----

// inScope runs fn in a transaction of the application role confined to scope, and rolls it
// back so that checks leave the fixture as it was.
func (iso *isolation) inScope(t *testing.T, scope tenants.Scope, fn func(tx *tenants.Tx)) {
	t.Helper()
	err := iso.app.Tx(iso.ctx, scope, func(tx *tenants.Tx) error {
		fn(tx)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("scoped transaction: %v", err)
	}
}

// tryExec runs one statement in a savepoint and always rolls the savepoint back, so a
// failing statement does not abort the transaction and a succeeding one changes nothing.
func tryExec(ctx context.Context, tx *tenants.Tx, sql string, args ...any) (int64, error) {
	if _, err := tx.Exec(ctx, "SAVEPOINT try"); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, sql, args...)
	if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT try"); rerr != nil && err == nil {
		err = rerr
	}
	return tag.RowsAffected(), err
}

// insertJSON is an INSERT of one row of table given as JSON ($1). It is an INSERT ... VALUES,
// which Citus sends to the row's shard (where row-level security checks it); Citus would
// copy the rows of an INSERT ... SELECT to the shards, which row-level security refuses.
func insertJSON(table string) string {
	return `INSERT INTO ` + ident(table) + ` VALUES ((json_populate_record(NULL::` + ident(table) + `, $1::json)).*)`
}

// visibleRow reads, in tx, one row of table that the scope sees and that matches where, as
// JSON changed by relabel (a jsonb object merged into it); args are their parameters.
func visibleRow(t *testing.T, ctx context.Context, tx *tenants.Tx, table, where, relabel string, args ...any) []byte {
	t.Helper()
	var row []byte
	if err := tx.QueryRow(ctx, `SELECT to_jsonb(t) || `+relabel+` FROM `+ident(table)+` t WHERE `+where+` LIMIT 1`,
		args...).Scan(&row); err != nil {
		t.Fatalf("read a visible row of %s: %v", table, err)
	}
	return row
}

// isDistributionColumnChange: Citus refuses to change a distributed table's distribution
// column (tenant_id): a row cannot move to another tenant's shard.
func isDistributionColumnChange(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "0A000" && pgErr.Message == "modifying the partition value of rows is not allowed"
}

// expectZeroOrDenied: stmt must affect no rows, or be refused with insufficient_privilege
// (42501) when the role indeed lacks the privilege (audit_log has no UPDATE or DELETE).
func (iso *isolation) expectZeroOrDenied(t *testing.T, tx *tenants.Tx, table, what, stmt string, args ...any) {
	t.Helper()
	n, err := tryExec(iso.ctx, tx, stmt, args...)
	if err != nil {
		if isPermissionDenied(err) && !iso.hasPrivilege(t, tx, table, verb(stmt)) {
			return
		}
		t.Errorf("table %s: %s: unexpected error %v", table, what, err)
		return
	}
	if n != 0 {
		t.Errorf("table %s: %s affected %d rows, want 0 (%s)", table, what, n, stmt)
	}
}

// expectRowsOrDenied is the control of expectZeroOrDenied: aimed at the caller's own rows,
// stmt affects some, so that zero rows elsewhere is the policy's doing.
func (iso *isolation) expectRowsOrDenied(t *testing.T, tx *tenants.Tx, table, what, stmt string, args ...any) {
	t.Helper()
	n, err := tryExec(iso.ctx, tx, stmt, args...)
	if err != nil {
		if isPermissionDenied(err) && !iso.hasPrivilege(t, tx, table, verb(stmt)) {
			return
		}
		if sqlState(err) == "23503" {
			return // a foreign key still references the rows: the statement did reach them
		}
		t.Errorf("table %s: control %s of the scope's own rows failed: %v", table, what, err)
		return
	}
	if n == 0 {
		t.Errorf("table %s: control %s of the scope's own rows affected none: the check proves nothing (%s)", table, what, stmt)
	}
}

// expectRLSViolation: err must be PostgreSQL's refusal of a row by a policy's WITH CHECK.
func expectRLSViolation(t *testing.T, err error, table, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("table %s: %s succeeded, want a row-level security violation (42501)", table, what)
		return
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "row-level security") {
		t.Errorf("table %s: %s: want a row-level security violation (42501), got %v", table, what, err)
	}
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// isPermissionDenied reports a missing privilege (not a policy violation, which shares 42501).
func isPermissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501" && strings.HasPrefix(pgErr.Message, "permission denied")
}

func (iso *isolation) hasPrivilege(t *testing.T, tx *tenants.Tx, table, priv string) bool {
	t.Helper()
	var has bool
	if err := tx.QueryRow(iso.ctx, `SELECT has_table_privilege($1::regclass, $2)`, table, priv).Scan(&has); err != nil {
		t.Fatalf("privilege %s on %s: %v", priv, table, err)
	}
	return has
}

// verb is the command of a statement: UPDATE, DELETE, INSERT.
func verb(stmt string) string {
	v, _, _ := strings.Cut(strings.TrimSpace(stmt), " ")
	return strings.ToUpper(v)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func queryCount(t *testing.T, ctx context.Context, q querier, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := q.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func expectCount(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %d rows visible, want %d", what, got, want)
	}
}

// ownerCount counts as the owner role with tenant set (tenant-wide, no user): what is
// really stored for that tenant, whatever the application role sees.
func (iso *isolation) ownerCount(t *testing.T, tenant uuid.UUID, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := iso.owner.Tx(iso.ctx, tenants.Scope{TenantID: tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(iso.ctx, sql, args...).Scan(&n)
	}); err != nil {
		t.Fatalf("as owner: %s: %v", sql, err)
	}
	return n
}

// expectOwnerCountUnchanged checks, as owner, that both tenants hold as many rows as after
// the fixture: a change that slipped past an assertion must not have persisted either.
func (iso *isolation) expectOwnerCountUnchanged(t *testing.T, table string) {
	t.Helper()
	for _, tenant := range []uuid.UUID{iso.A.Tenant, iso.B.Tenant} {
		n := iso.ownerCount(t, tenant, ownedRows(table), tenant)
		if want := iso.stored[table][tenant]; n != want {
			t.Errorf("table %s: tenant %s now holds %d rows, %d after the fixture", table, tenant, n, want)
		}
	}
}

// randomBytes stands for a hash: distinct per row, so that only keys meant to repeat across
// tenants (codes, idempotency keys) do.
func randomBytes() []byte { id := uuid.New(); return id[:] }

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// jobWritten are the tables a periodic job writes for every tenant, with the fixture's rows
// in them: the Citus suite runs a worker on the database this matrix uses, and the daily
// replenishment suggestions it writes for today are the tenant's own rows, not a leak. The
// counts of these tables take the fixture's rows only (a past day the job never writes).
var jobWritten = map[string]string{
	"stock_suggestion_runs":  `day = '2026-02-02'`,
	"stock_suggestion_lines": `day = '2026-02-02'`,
}

// ownedRows is the owner's count of a tenant's rows of table ($1: the tenant).
func ownedRows(table string) string {
	q := `SELECT count(*) FROM ` + ident(table) + ` WHERE tenant_id = $1`
	if only, ok := jobWritten[table]; ok {
		q += ` AND ` + only
	}
	return q
}

// checkConfidential: a critical complaint (restricted) and its contacts are visible only to
// its named handlers and to a scope that sees every confidential case, in the same tenant
// and outlet; the others of the tenant see neither, nor change them.
func (iso *isolation) checkConfidential(t *testing.T) {
	a := iso.A
	for _, table := range []string{"complaints", "contact_log"} {
		q := `SELECT count(*) FROM ` + ident(table) + ` WHERE restricted`
		t.Run(table, func(t *testing.T) {
			iso.inScope(t, tenants.Scope{TenantID: a.Tenant, Confidential: true}, func(tx *tenants.Tx) {
				if n := queryCount(t, iso.ctx, tx, q); n == 0 {
					t.Fatalf("%s: a scope that sees every confidential case sees no restricted row", table)
				}
			})
			iso.inScope(t, tenants.Scope{TenantID: a.Tenant, OutletID: a.Outlet1, UserID: a.Eng1}, func(tx *tenants.Tx) {
				if n := queryCount(t, iso.ctx, tx, q); n == 0 {
					t.Errorf("%s: the named handler does not see the restricted row", table)
				}
			})
			for _, s := range []tenants.Scope{{TenantID: a.Tenant}, {TenantID: a.Tenant, UserID: a.Admin},
				{TenantID: a.Tenant, OutletID: a.Outlet1, UserID: a.Eng2}} {
				iso.inScope(t, s, func(tx *tenants.Tx) {
					expectCount(t, table+" restricted rows seen by a non-handler", queryCount(t, iso.ctx, tx, q), 0)
					iso.expectZeroOrDenied(t, tx, table, "UPDATE of a restricted row by a non-handler",
						`UPDATE `+ident(table)+` SET restricted = false WHERE restricted AND tenant_id = $1`, a.Tenant)
				})
			}
		})
	}
}

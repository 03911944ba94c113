package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/tenants"
)

// The warranty data set: tenants bench-t000, bench-t001, ... each with one category, one
// model (benchSKU) under a policy whose only version is the national 三包 template, customers
// with known phones, and registrations with known serials, so that the load generator can
// ask about random units that exist (and give the right last four digits of the phone).
const (
	benchSKU      = "AC-1"
	benchPassword = "bench-password-1"
	// maxBenchTenants keeps serials and slugs in their fixed-width formats.
	maxBenchTenants = 1000
	// maxPerTenant is the most registrations per tenant the serial format numbers.
	maxPerTenant = 9_999_999
)

// warrantyData is what the load generator needs to know about the seeded warranty data.
type warrantyData struct {
	tenants            int      // bench-t000 .. bench-t(tenants-1)
	perTenant          int      // registrations per tenant, numbered 1..perTenant
	customersPerTenant int      // customers per tenant, numbered 0..customersPerTenant-1
	keys               []string // ask_...: a tenant_admin API key of each of the first len(keys) tenants
}

// slug is tenant t's slug.
func (w warrantyData) slug(t int) string { return fmt.Sprintf("bench-t%03d", t) }

// serial is the serial of registration i (1-based) of tenant t: unique across tenants, so
// that the public check's per-serial rate-limit keys do not collide between tenants.
func (w warrantyData) serial(t, i int) string { return fmt.Sprintf("SN%03d%07d", t, i) }

// buyer is the customer number of registration i's buyer: each customer bought two units.
func (w warrantyData) buyer(i int) int { return i % w.customersPerTenant }

// phone is the phone (E.164) of customer k of every tenant.
func phone(k int) string { return fmt.Sprintf("+86139%08d", k) }

// phoneLast4 is the last four digits of the phone of registration i's buyer.
func (w warrantyData) phoneLast4(i int) string {
	p := phone(w.buyer(i))
	return p[len(p)-4:]
}

// pick returns a random existing unit: a tenant among the first n and a registration number.
func (w warrantyData) pick(n int) (t, i int) { return rand.IntN(n), 1 + rand.IntN(w.perTenant) }

// seedStats is how long seeding took and what it made.
type seedStats struct {
	registrations, customers int
	onboard, insert, vacuum  time.Duration // tenants through tenants.Onboard; bulk SQL; VACUUM (ANALYZE)
	keys                     time.Duration // logins and API keys through the API
}

func (s seedStats) total() time.Duration { return s.onboard + s.insert + s.vacuum + s.keys }

// seedWarranty onboards nTenants tenants (as the product does, through tenants.Onboard: tenant,
// admin user and membership, calendar, audit), fills their catalogs, policies, customers and
// nRegistrations registrations in bulk SQL as the superuser, vacuums and analyses, then logs
// in as the admins of the first nKeys tenants and creates an API key for each through the API.
func seedWarranty(ctx context.Context, ownerURL string, tdb *tenants.DB, baseURL string, nTenants, nRegistrations, nKeys int) (warrantyData, seedStats, error) {
	var st seedStats
	w := warrantyData{tenants: nTenants, perTenant: nRegistrations / nTenants}
	w.customersPerTenant = max(1, w.perTenant/2)
	st.registrations, st.customers = w.perTenant*nTenants, w.customersPerTenant*nTenants

	t0 := time.Now()
	hash, err := auth.HashPassword(benchPassword)
	if err != nil {
		return w, st, err
	}
	ids := make([]uuid.UUID, nTenants)
	for t := range nTenants {
		tn, _, err := tdb.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: w.slug(t), Name: "Bench brand " + w.slug(t),
			Kind: "brand", Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN",
			AdminEmail: "admin@" + w.slug(t) + ".local", AdminName: "Bench Admin", AdminPasswordHash: hash})
		if err != nil {
			return w, st, fmt.Errorf("onboard %s: %w", w.slug(t), err)
		}
		ids[t] = tn.ID
	}
	st.onboard = time.Since(t0)

	t0 = time.Now()
	if err := insertWarranty(ctx, ownerURL, ids, w); err != nil {
		return w, st, err
	}
	st.insert = time.Since(t0)

	t0 = time.Now()
	if err := execOwner(ctx, ownerURL, "VACUUM (ANALYZE) product_categories, product_models, warranty_policies, policy_versions, customers, registrations"); err != nil {
		return w, st, fmt.Errorf("vacuum the warranty data: %w", err)
	}
	st.vacuum = time.Since(t0)

	t0 = time.Now()
	for t := range min(nKeys, nTenants) {
		key, err := createAPIKey(ctx, baseURL, "admin@"+w.slug(t)+".local", benchPassword)
		if err != nil {
			return w, st, fmt.Errorf("API key of %s: %w", w.slug(t), err)
		}
		w.keys = append(w.keys, key)
	}
	st.keys = time.Since(t0)
	return w, st, nil
}

// uuidExpr builds a deterministic id from the tenant number, a kind and a row number, so
// that registrations can name their buyer without a join.
func uuidExpr(tenant, kind, row string) string {
	return fmt.Sprintf("(lpad(to_hex(%s), 8, '0') || '-%s-7000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid", tenant, kind, row)
}

// insertWarranty fills the tenants' warranty data in one transaction. Foreign-key triggers
// are skipped (session_replication_role = replica; superuser only): the rows are generated
// consistent, and checking 1.5M references one by one would double the seeding time.
func insertWarranty(ctx context.Context, ownerURL string, ids []uuid.UUID, w warrantyData) error {
	rules, err := json.Marshal(coverage.NationalRules("CNY"))
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"skip FK triggers", "SET LOCAL session_replication_role = replica", nil},
		{"tenant numbers", "CREATE TEMP TABLE bench_t (tenant_id uuid PRIMARY KEY, n int NOT NULL) ON COMMIT DROP", nil},
		{"tenant numbers", "INSERT INTO bench_t SELECT id, (n - 1)::int FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)", []any{ids}},
		{"categories", `INSERT INTO product_categories (tenant_id, id, code, name)
			SELECT tenant_id, gen_random_uuid(), 'ac', 'Air conditioners 空调' FROM bench_t`, nil},
		{"models", `INSERT INTO product_models (tenant_id, id, category_id, sku, name)
			SELECT c.tenant_id, gen_random_uuid(), c.id, $1, 'Split AC 1.5P' FROM product_categories c JOIN bench_t USING (tenant_id)`,
			[]any{benchSKU}},
		{"policies", `INSERT INTO warranty_policies (tenant_id, id, name, category_ids)
			SELECT c.tenant_id, gen_random_uuid(), 'National 三包', ARRAY[c.id] FROM product_categories c JOIN bench_t USING (tenant_id)`, nil},
		{"policy versions", `INSERT INTO policy_versions (tenant_id, policy_id, version, effective_from, body, created_by)
			SELECT p.tenant_id, p.id, 1, DATE '2015-01-01', $1::jsonb, 'bench' FROM warranty_policies p JOIN bench_t USING (tenant_id)`,
			[]any{string(rules)}},
		{"customers", `INSERT INTO customers (tenant_id, id, name, phone)
			SELECT b.tenant_id, ` + uuidExpr("b.n", "0000", "k") + `, 'Buyer ' || k, '+86139' || lpad(k::text, 8, '0')
			FROM bench_t b, generate_series(0, $1::int - 1) k`, []any{w.customersPerTenant}},
		// Purchases spread over the last three years (1 to 1095 days ago); every unit has an
		// invoice and a warranty card, so coverage depends on the date only.
		{"registrations", `INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, invoice_no,
				has_warranty_card, buyer_id, channel)
			SELECT b.tenant_id, ` + uuidExpr("b.n", "0001", "i") + `, m.id,
				'SN' || lpad(b.n::text, 3, '0') || lpad(i::text, 7, '0'),
				current_date - (1 + (i * 7919) % 1095), 'INV-' || b.n || '-' || i, true,
				` + uuidExpr("b.n", "0000", "i % $2::int") + `, 'import'
			FROM bench_t b JOIN product_models m USING (tenant_id), generate_series(1, $1::int) i`,
			[]any{w.perTenant, w.customersPerTenant}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("seed %s: %w", s.what, err)
		}
	}
	return tx.Commit(ctx)
}

// execOwner runs one statement on a fresh superuser connection (VACUUM cannot run in a
// transaction block or a pool's prepared statement).
func execOwner(ctx context.Context, ownerURL, sql string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// createAPIKey logs in through the API and creates a tenant_admin API key.
func createAPIKey(ctx context.Context, baseURL, email, password string) (string, error) {
	var login struct{ Token string }
	if err := postJSON(ctx, baseURL+"/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200, &login); err != nil {
		return "", fmt.Errorf("log in as %s: %w", email, err)
	}
	var key struct{ Token string }
	if err := postJSON(ctx, baseURL+"/v1/api-keys", login.Token, map[string]string{"name": "bench", "role": "tenant_admin"}, 201, &key); err != nil {
		return "", fmt.Errorf("create an API key: %w", err)
	}
	if key.Token == "" {
		return "", errors.New("create an API key: no token in the response")
	}
	return key.Token, nil
}

// publicCoverage builds anonymous coverage checks of random units of any tenant, with the
// right last four digits of the buyer's phone.
func publicCoverage(fx fixture) func(context.Context) (*http.Request, error) {
	w := fx.warranty
	return func(ctx context.Context) (*http.Request, error) {
		t, i := w.pick(w.tenants)
		q := url.Values{"serial": {w.serial(t, i)}, "phone_last4": {w.phoneLast4(i)}}
		return http.NewRequestWithContext(ctx, http.MethodGet, fx.baseURL+"/v1/public/tenants/"+w.slug(t)+"/coverage?"+q.Encode(), nil)
	}
}

// entitlementCheck builds staff checks by serial and model of random units of the tenants
// that have an API key, each with its tenant's key.
func entitlementCheck(fx fixture) func(context.Context) (*http.Request, error) {
	w := fx.warranty
	return func(ctx context.Context) (*http.Request, error) {
		if len(w.keys) == 0 {
			return nil, errors.New("no API key of a bench tenant")
		}
		t, i := w.pick(len(w.keys))
		body := fmt.Sprintf(`{"serial":%q,"model_sku":%q}`, w.serial(t, i), benchSKU)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, fx.baseURL+"/v1/entitlements/check", strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+w.keys[t])
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	}
}

// reportSeed prints what the warranty data set holds and how long it took to make.
func reportSeed(w io.Writer, s seedStats, nTenants, nKeys int) {
	fmt.Fprintf(w, "warranty data: %d registrations, %d customers across %d tenants (API keys in %d), seeded in %s "+
		"(tenants %s, bulk SQL %s, VACUUM ANALYZE %s, API keys %s)\n", s.registrations, s.customers, nTenants, nKeys,
		secs(s.total()), secs(s.onboard), secs(s.insert), secs(s.vacuum), secs(s.keys))
}

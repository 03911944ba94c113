package main

import (
	"context"
	"encoding/base64"
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
	"github.com/aftersales/aftersales/internal/reports"
	"github.com/aftersales/aftersales/tenants"
)

// orderData is the order data set: -orders service orders spread over -order-tenants tenants
// (bench-o0000, ...), with API keys in the first few, for the order list scenarios; and two
// tenants of other shapes beside them, keyed too: one of 1,000 orders and one of
// -large-orders (the list's target holds for tenants of 1k to 1M orders).
type orderData struct {
	tenants   int
	perTenant int
	sizes     []int // orders of each tenant, by number: perTenant for the first tenants, then the shapes
	keys      []string
	keyed     map[string][]orderTenant // the keyed tenants by shape: "uniform", "1k", "large"
	rollup    time.Duration            // the reports' first roll-up of the keyed tenants, all of it
}

// orderTenant is a keyed tenant of the order data set.
type orderTenant struct {
	n      int    // its number: bench-o<n>, and in its customers' and orders' ids
	key    string // an API key of its admin
	orders int
}

// smallTenantOrders is the size of the small shape's tenant.
const smallTenantOrders = 1000

func (d orderData) slug(t int) string { return fmt.Sprintf("bench-o%04d", t) }

// customers is how many customers a tenant of n orders has: one per ten orders, order i
// being customer i mod that.
func customers(n int) int { return max(1, n/10) }

// orderStatuses are the statuses the seeded orders are spread over (carry-in orders).
var orderStatuses = []string{"waiting", "repairing", "waiting_parts", "ready_for_pickup", "picked_up", "approved", "closed",
	"closed", "closed", "closed"}

// seedOrders onboards the tenants through tenants.Onboard, then inserts one customer per
// tenant and the orders in bulk SQL as the superuser (one transaction per 100 tenants, foreign
// keys unchecked: the rows are generated consistent), analyses, and creates API keys for the
// first nKeys tenants through the API. Orders are newest-first by id like the product's, with
// created_at over the last year and ids in the same order.
func seedOrders(ctx context.Context, ownerURL string, tdb *tenants.DB, baseURL string, nTenants, nOrders, nKeys, large int) (orderData, time.Duration, error) {
	t0 := time.Now()
	d := orderData{tenants: nTenants, perTenant: max(1, nOrders/nTenants), keyed: map[string][]orderTenant{}}
	for range nTenants {
		d.sizes = append(d.sizes, d.perTenant)
	}
	d.sizes = append(d.sizes, smallTenantOrders)
	if large > 0 {
		d.sizes = append(d.sizes, large)
	}
	nTenants = len(d.sizes)
	hash, err := auth.HashPassword(benchPassword)
	if err != nil {
		return d, 0, err
	}
	ids := make([]uuid.UUID, nTenants)
	for t := range nTenants {
		tn, _, err := tdb.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: d.slug(t), Name: "Bench network " + d.slug(t),
			Kind: "brand", Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN",
			AdminEmail: "admin@" + d.slug(t) + ".local", AdminName: "Bench Admin", AdminPasswordHash: hash})
		if err != nil {
			return d, 0, fmt.Errorf("onboard %s: %w", d.slug(t), err)
		}
		ids[t] = tn.ID
	}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return d, 0, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	statuses := "ARRAY['" + strings.Join(orderStatuses, "','") + "']"
	for from := 0; from < nTenants; from += 100 {
		batch := ids[from:min(from+100, nTenants)]
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{"SET LOCAL session_replication_role = replica", nil},
				{"CREATE TEMP TABLE bench_o (tenant_id uuid PRIMARY KEY, n int NOT NULL, cnt int NOT NULL) ON COMMIT DROP", nil},
				{"INSERT INTO bench_o SELECT id, $2::int + (n - 1)::int, ($3::int[])[n] FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)",
					[]any{batch, from, d.sizes[from:min(from+100, nTenants)]}},
				{`INSERT INTO customers (tenant_id, id, name, phone) SELECT tenant_id, ` + uuidExpr("n", "0000", "c") + `, 'Customer ' || c,
				    '+86139' || lpad(c::text, 8, '0')
				  FROM bench_o, generate_series(0, greatest(1, cnt / 10) - 1) c`, nil},
				{`INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, serial,
				    fault_description, tracking_token, created_at, updated_at, is_repeat)
				  SELECT b.tenant_id, ` + uuidExpr("b.n", "0002", "i") + `, 'SO-2026-' || lpad(i::text, greatest(6, length(i::text)), '0'), 'repair_minor',
				    'carry_in', 'phone', (` + statuses + `)[1 + (i * 7) % 10], ` + uuidExpr("b.n", "0000", "i % greatest(1, b.cnt / 10)") + `,
				    'SN-' || i, 'bench order', 'trk_' || md5(b.n || ':' || i),
				    now() - make_interval(secs => (b.cnt - i) * (31536000.0 / b.cnt)),
				    now() - make_interval(secs => (b.cnt - i) * (31536000.0 / b.cnt)), i % 50 = 0
				  FROM bench_o b, generate_series(1, b.cnt) i`, nil},
			} {
				if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
					return fmt.Errorf("seed orders: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return d, 0, err
		}
	}
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) service_orders, customers"); err != nil {
		return d, 0, fmt.Errorf("vacuum orders: %w", err)
	}
	keyed := map[int]string{d.tenants: "1k", d.tenants + 1: "large"}
	for t := range min(nKeys, d.tenants) {
		keyed[t] = "uniform"
	}
	for t := range nTenants {
		shape, ok := keyed[t]
		if !ok {
			continue
		}
		key, err := createAPIKey(ctx, baseURL, "admin@"+d.slug(t)+".local", benchPassword)
		if err != nil {
			return d, 0, fmt.Errorf("API key of %s: %w", d.slug(t), err)
		}
		d.keyed[shape] = append(d.keyed[shape], orderTenant{n: t, key: key, orders: d.sizes[t]})
		if shape == "uniform" {
			d.keys = append(d.keys, key)
		}
	}
	// The dashboards read the figures the reports job rolls up: the keyed tenants' first
	// roll-up (their whole year), as the worker would run it.
	r0 := time.Now()
	for t := range min(nKeys, d.tenants) {
		if _, err := reports.Rollup(ctx, tdb, tenants.Scope{TenantID: ids[t], Actor: tenants.SystemActor}, nil); err != nil {
			return d, 0, fmt.Errorf("report roll-up of %s: %w", d.slug(t), err)
		}
	}
	d.rollup = time.Since(r0)
	return d, time.Since(t0), nil
}

// orderList builds list requests of a random keyed tenant's orders: the newest page, a
// status filter, or a page deep in the list (a cursor at a random order).
func orderList(fx fixture) func(context.Context) (*http.Request, error) {
	d := fx.orders
	return func(ctx context.Context) (*http.Request, error) {
		if len(d.keys) == 0 {
			return nil, fmt.Errorf("no API key of an order tenant")
		}
		t := rand.IntN(len(d.keys))
		q := "?limit=50"
		switch rand.IntN(3) {
		case 1:
			q += "&status=" + orderStatuses[rand.IntN(6)]
		case 2:
			i := 1 + rand.IntN(d.perTenant)
			id := fmt.Sprintf("%08x-0002-7000-8000-%012x", t, i)
			u, _ := uuid.Parse(id)
			q += "&cursor=" + cursorOf(u)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fx.baseURL+"/v1/orders"+q, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+d.keys[t])
		return req, nil
	}
}

// orderFilters builds list requests of a random keyed tenant's orders with the other filters
// the staff screens offer, one at a time: a customer's orders, a month of intake, repeat
// repairs, open orders older than two days, the dispatch board (undispatched), the late ones
// (overdue), an engineer's (one without orders: the list must not read the tenant to find
// none), an order type, and a status beside a month; of a keyed tenant of the shape given
// ("uniform", "1k", "large").
func orderFilters(fx fixture, shape string) func(context.Context) (*http.Request, error) {
	ts := fx.orders.keyed[shape]
	return func(ctx context.Context) (*http.Request, error) {
		if len(ts) == 0 {
			return nil, fmt.Errorf("no API key of an order tenant of shape %s", shape)
		}
		tn := ts[rand.IntN(len(ts))]
		q := url.Values{"limit": {"50"}}
		month := func() {
			from := time.Now().AddDate(0, -1-rand.IntN(11), 0)
			q.Set("from", from.Format(time.RFC3339))
			q.Set("to", from.AddDate(0, 1, 0).Format(time.RFC3339))
		}
		switch rand.IntN(9) {
		case 0:
			q.Set("customer_id", fmt.Sprintf("%08x-0000-7000-8000-%012x", tn.n, rand.IntN(customers(tn.orders))))
		case 1:
			month()
		case 2:
			q.Set("repeat", "true")
		case 3:
			q.Set("open_older_than", "48h")
		case 4:
			q.Set("undispatched", "true")
		case 5:
			q.Set("overdue", "true")
		case 6:
			q.Set("engineer_id", uuid.NewString())
		case 7:
			q.Set("type", "repair_minor")
		case 8:
			month()
			q.Set("status", orderStatuses[rand.IntN(6)])
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fx.baseURL+"/v1/orders?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tn.key)
		return req, nil
	}
}

// reportRequest builds dashboard report requests of a random keyed tenant: the flow of
// orders, SLA attainment by a random breakdown, or the backlog, over the last 30 or 90 days.
func reportRequest(fx fixture) func(context.Context) (*http.Request, error) {
	d := fx.orders
	return func(ctx context.Context) (*http.Request, error) {
		if len(d.keys) == 0 {
			return nil, fmt.Errorf("no API key of an order tenant")
		}
		t := rand.IntN(len(d.keys))
		to := time.Now()
		from := to.AddDate(0, 0, -[]int{29, 89}[rand.IntN(2)])
		q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
		path := "/v1/reports/orders"
		switch rand.IntN(3) {
		case 1:
			path = "/v1/reports/sla"
			q.Set("by", []string{"target", "outlet", "engineer", "tier"}[rand.IntN(4)])
		case 2:
			path, q = "/v1/reports/backlog", url.Values{}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fx.baseURL+path+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+d.keys[t])
		return req, nil
	}
}

// createOrder builds order intakes by phone for random units of the warranty data set: the
// customer is found by phone, the unit by serial, the entitlement decided, the repeat check
// run, the number taken, the timeline, audit and event written, all in one transaction.
func createOrder(fx fixture) func(context.Context) (*http.Request, error) {
	w := fx.warranty
	return func(ctx context.Context) (*http.Request, error) {
		if len(w.keys) == 0 {
			return nil, fmt.Errorf("no API key of a bench tenant")
		}
		t, i := w.pick(len(w.keys))
		body := fmt.Sprintf(`{"type":"repair_minor","channel":"phone","customer":{"name":"Buyer","phone":%q},"serial":%q,`+
			`"fault_description":"bench: not cooling","fault_code":"E1"}`, phone(w.buyer(i)), w.serial(t, i))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, fx.baseURL+"/v1/orders", strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+w.keys[t])
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	}
}

// reportOrders prints what the order data set holds.
func reportOrders(w io.Writer, d orderData, took time.Duration) {
	fmt.Fprintf(w, "order data: %d orders across %d tenants (API keys in %d), and tenants of %s orders beside them, seeded in %s\n",
		d.perTenant*d.tenants, d.tenants, len(d.keys), shapeSizes(d), secs(took))
	if len(d.keys) > 0 {
		fmt.Fprintf(w, "report roll-up: a first roll-up (a year of %d orders) took %s a tenant\n",
			d.perTenant, secs(d.rollup/time.Duration(len(d.keys))))
	}
}

// cursorOf is the API's list cursor at an id.
func cursorOf(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// shapeSizes names the sizes of the order data set's shape tenants, e.g. "1000 and 1000000".
func shapeSizes(d orderData) string {
	var out []string
	for _, n := range d.sizes[d.tenants:] {
		out = append(out, fmt.Sprint(n))
	}
	return strings.Join(out, " and ")
}

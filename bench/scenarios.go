package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// fixture is what scenarios build requests from: the running API, credentials created
// during set-up in the seeded demo brand (internal/demo), and the warranty data set
// (warranty.go; seeded only when a selected scenario needs it).
type fixture struct {
	baseURL  string // e.g. http://127.0.0.1:41234
	apiKey   string // ask_...: a tenant_admin API key of the demo brand
	session  string // ses_...: a session of admin@breeze.local (tenant_admin, one tenant)
	warranty warrantyData
	orders   orderData
}

// scenario is one API hot path under load, compared against a pgbench baseline.
type scenario struct {
	name     string
	baseline string // a baseline key (see baselines)
	// target is the least ratio to the baseline that the product asks for (0: none); the
	// report says whether it was met.
	target float64
	// warranty marks scenarios that need the warranty data set (-registrations, -tenants).
	warranty bool
	// orders marks scenarios that need the order data set (-orders, -order-tenants).
	orders bool
	// p99 is the latency the product asks for (0: none).
	p99 time.Duration
	// request builds the next request. Clients call it concurrently, so it must not share
	// mutable state without synchronisation.
	request func(ctx context.Context) (*http.Request, error)
}

// scenarios lists what `go run ./bench` measures, in order. To add a hot path, append one:
// give it a name that -scenarios can select, the baseline it should be judged against
// (pgbench-select for a read, pgbench-tpcb for a write), and a request builder. Set-up it
// needs beyond the fixture (more rows, another credential) belongs in newFixture.
func scenarios(fx fixture) []scenario {
	return []scenario{
		// The ceiling: an HTTP round trip to the API with no credential, no Redis and no SQL
		// (GET /healthz). No API scenario can beat this ratio on the same machine.
		{name: "healthz (no auth, no SQL)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/healthz", "")},
		// The ceiling of anything that reads the database: the same exchange plus one round
		// trip to PostgreSQL that does no work (GET /readyz pings the pool). A scenario that
		// reads a row, checks a credential or counts a rate limit costs more than this.
		{name: "readyz (no auth, one empty round trip)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/readyz", "")},
		{name: "list-outlets (api key)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/v1/outlets", fx.apiKey)},
		{name: "list-outlets (session)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/v1/outlets", fx.session)},
		// The warranty issue's targets: a coverage check costs at most two primary-key
		// lookups' worth of pgbench, on a database of -registrations units.
		{name: "coverage-check (public)", baseline: "pgbench-select", target: 0.5, warranty: true,
			request: publicCoverage(fx)},
		{name: "entitlement-check (api key)", baseline: "pgbench-select", target: 0.5, warranty: true,
			request: entitlementCheck(fx)},
		// The service-order issue's targets: taking an order in (entitlement, dispatch, number,
		// timeline, audit and event job in one transaction) against pgbench's write
		// transaction; listing orders of a tenant among -orders in p99 under 25 ms.
		{name: "create-order (api key)", baseline: "pgbench-tpcb", target: 0.5, warranty: true,
			request: createOrder(fx)},
		{name: "list-orders (api key)", baseline: "pgbench-select", orders: true, p99: 25 * time.Millisecond,
			request: orderList(fx)},
		{name: "list-orders filtered (api key)", baseline: "pgbench-select", orders: true, p99: 25 * time.Millisecond,
			request: orderFilters(fx, "uniform")},
		{name: "list-orders filtered, 1k-order tenant", baseline: "pgbench-select", orders: true, p99: 25 * time.Millisecond,
			request: orderFilters(fx, "1k")},
		{name: "list-orders filtered, large tenant", baseline: "pgbench-select", orders: true, p99: 25 * time.Millisecond,
			request: orderFilters(fx, "large")},
		// The dashboards' reports read the rolled-up daily figures: p99 under 300 ms.
		{name: "reports (api key)", baseline: "pgbench-select", orders: true, p99: 300 * time.Millisecond,
			request: reportRequest(fx)},
	}
}

// get returns a builder of authenticated GET requests for url.
func get(url, token string) func(context.Context) (*http.Request, error) {
	return send(http.MethodGet, url, token, "")
}

// send returns a builder of authenticated requests with an optional JSON body.
func send(method, url, token, body string) func(context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, r)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	}
}

package main

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// fixture is what scenarios build requests from: the running API and credentials created
// during set-up in the seeded demo brand (internal/demo).
type fixture struct {
	baseURL string // e.g. http://127.0.0.1:41234
	apiKey  string // ask_...: a tenant_admin API key of the demo brand
	session string // ses_...: a session of admin@breeze.local (tenant_admin, one tenant)
}

// scenario is one API hot path under load, compared against a pgbench baseline.
type scenario struct {
	name     string
	baseline string // a baseline key (see baselines)
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
		{name: "list-outlets (api key)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/v1/outlets", fx.apiKey)},
		{name: "list-outlets (session)", baseline: "pgbench-select",
			request: get(fx.baseURL+"/v1/outlets", fx.session)},
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
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	}
}

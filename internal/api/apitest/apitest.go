// Package apitest runs the real API against a fresh database and a real Redis for tests:
// no mocks. It offers a small HTTP client and factories for tenants, outlets and people.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// Password is every test account's password.
const Password = "test-password-123"

// WebhookSecret signs the Stripe webhook payloads of tests (webhook.GenerateTestSignedPayload).
const WebhookSecret = "whsec_test_secret"

// CarrierSecret signs the dev carrier's webhook calls of tests (logistics.Dev.Sign).
const CarrierSecret = "carrier_test_secret"

// Env is one test's running API.
type Env struct {
	T       testing.TB
	DB      *testdb.DB
	Tenants *tenants.DB
	Redis   *redis.Client
	Sender  *auth.DevSender
	Server  *httptest.Server
	Config  platform.Config
	Log     *slog.Logger
	Billing *billing.Service
	seq     atomic.Int64
	pwHash  string
	mu      sync.Mutex
	clients map[string]*http.Client // by source address (Req.From)
}

// Options adjust an Env.
type Options struct {
	// RedisURL overrides TEST_REDIS_URL (e.g. an address where nothing listens).
	RedisURL string
	// Configure edits the configuration before the server starts.
	Configure func(*platform.Config)
	// OwnDatabase gives the test a fresh database of its own instead of the package's shared
	// one: for tests that run a River worker (it would work every test's jobs) or read
	// platform-wide tables (the Stripe inbox, every queued job).
	OwnDatabase bool
	// NoPayments runs the server without a payment provider (no Stripe key: payment routes
	// answer 503), instead of against stripe-mock.
	NoPayments bool
	// DB is the database to serve from instead of the shared or a fresh one (a Citus cluster's).
	DB *testdb.DB
}

// New starts the API on the test binary's shared database (testdb.Shared), or on a fresh
// one with Options.OwnDatabase. Tests on the shared database are kept apart the way the
// product keeps tenants apart: each onboards tenants of its own (NewTenant), with unique
// slugs, emails and phones (Unique, Phone), and has its own key space in Redis. What one
// test commits is invisible to another's tenants, so tests can run in parallel without
// paying for a database each.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	redisURL := o.RedisURL
	if redisURL == "" {
		redisURL = os.Getenv("TEST_REDIS_URL")
	}
	if redisURL == "" {
		t.Fatal("TEST_REDIS_URL is not set: run tests with `make test`, which starts redis-server")
	}
	d := o.DB
	switch {
	case d != nil:
	case o.OwnDatabase:
		d = testdb.New(t)
	default:
		d = testdb.Shared(t)
	}
	rdb, stop, err := platform.OpenRedis(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// Tests sign many people in from 127.0.0.1: the per-client sign-in limit is out of their
	// way unless a test sets it (the per-account one is the product's).
	cfg := platform.Config{SecureCookies: false, SessionTTL: 3600e9, RateTenantPerSecond: 10000, RateKeyPerSecond: 10000,
		RateLoginPerMinute: 5, RateLoginIPPerMinute: 100000, OTPPerHour: 5, MaxBodyBytes: 64 << 10}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	level := slog.LevelError
	if os.Getenv("TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	reg := prometheus.NewRegistry()
	// Each test has its own key space in the shared Redis, so limits never leak between tests.
	limiter := platform.NewLimiter(rdb, log, reg).WithPrefix("test:" + uuid.NewString() + ":")
	tdb := tenants.NewDB(d.App).WithOutageLog(platform.NewOutage(log, "database", time.Minute))
	sender := auth.NewDevSender(log)
	authSvc := auth.NewService(tdb, limiter, sender, log, auth.Options{SessionTTL: cfg.SessionTTL, OTPPerHour: cfg.OTPPerHour,
		LoginPerMinute: cfg.RateLoginPerMinute, LoginIPPerMinute: cfg.RateLoginIPPerMinute})
	stripeURL := os.Getenv("STRIPE_MOCK_URL")
	if o.NoPayments {
		stripeURL, cfg.StripeAPIBase, cfg.StripeSecretKey = "", "", ""
	}
	if cfg.StripeAPIBase == "" {
		cfg.StripeAPIBase = stripeURL
	}
	if cfg.StripeSecretKey == "" && cfg.StripeAPIBase != "" {
		cfg.StripeSecretKey = "sk_test_123"
	}
	if cfg.StripeWebhookSecret == "" {
		cfg.StripeWebhookSecret = WebhookSecret
	}
	bill := billing.New(tdb, log, billing.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret,
		APIBase: cfg.StripeAPIBase, PublicURL: "http://portal.test", Grace: cfg.BillingGrace})
	jobClient, err := jobs.NewClient(d.App, tdb, log, false, bill.Consumer())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(Wire(api.Deps{DB: tdb, Auth: authSvc, Limiter: limiter, Redis: rdb, Log: log,
		Registry: reg, Config: cfg, Jobs: jobClient, Billing: bill,
		Carriers: logistics.Carriers{logistics.DevCode: logistics.Dev{Secret: CarrierSecret}}})))
	t.Cleanup(srv.Close)
	// Test accounts store Password at the lowest argon2 cost: they sign in through the real
	// check without spending tens of milliseconds of CPU on every login.
	hash, err := auth.HashPasswordForTests(Password)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, DB: d, Tenants: tdb, Redis: rdb, Sender: sender, Server: srv, Config: cfg, Log: log, pwHash: hash, Billing: bill}
}

// Wire returns d with the service orders' wiring cmd/aftersales gives the API (orders.Wire):
// the order runner queues events and timers with d.Jobs (none when it is nil) and starts
// customer links at d.Config.PublicURL; repair history and time limits are the product's.
// Tests that build a server with api.New pass their Deps through it.
func Wire(d api.Deps) api.Deps {
	var jobs sla.Inserter
	if d.Jobs != nil {
		jobs = d.Jobs
	}
	w := orders.Wire(d.Config.PublicURL, jobs)
	d.Orders, d.History, d.Limits = w.Service, w.History, w.Limits
	return d
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	m := map[string]any{}
	r.JSON(t, &m)
	return m
}

// Req describes a request. Body may be a string (sent raw) or any value (sent as JSON).
type Req struct {
	Method, Path, Token, Tenant string
	Body                        any
	Header                      map[string]string
	// From is the client's address: a loopback address other than 127.0.0.1 (127.0.0.2,
	// 127.0.0.3, ...) makes the request come from another client IP, as the server sees it.
	From string
}

// Do sends a request and reads the whole response.
func (e *Env) Do(r Req) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(r.Method, e.Server.URL+r.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.Tenant != "" {
		req.Header.Set("X-Tenant-ID", r.Tenant)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := e.client(r.From).Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// client returns the HTTP client whose connections leave from the address from ("" is the
// server's default client, from 127.0.0.1).
func (e *Env) client(from string) *http.Client {
	if from == "" {
		return e.Server.Client()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clients[from]; ok {
		return c
	}
	ip := net.ParseIP(from)
	if ip == nil || !ip.IsLoopback() {
		e.T.Fatalf("Req.From %q: want a loopback address such as 127.0.0.2", from)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	if e.clients == nil {
		e.clients = map[string]*http.Client{}
	}
	e.clients[from] = c
	e.T.Cleanup(c.CloseIdleConnections)
	return c
}

// Must sends a request and fails the test unless the status is want.
func (e *Env) Must(want int, r Req) *Response {
	e.T.Helper()
	resp := e.Do(r)
	if resp.Status != want {
		e.T.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.Path, resp.Status, want, resp.Body)
	}
	return resp
}

// Login signs in and returns the bearer token.
func (e *Env) Login(email string) string {
	e.T.Helper()
	resp := e.Must(200, Req{Method: "POST", Path: "/v1/auth/login", Body: map[string]string{"email": email, "password": Password}})
	var out struct{ Token string }
	resp.JSON(e.T, &out)
	return out.Token
}

// Unique returns a short unique suffix for names within this test.
func (e *Env) Unique() string { return fmt.Sprintf("%d%s", e.seq.Add(1), uuid.NewString()[:6]) }

// PlatformAdmin creates a platform operator and returns their token.
func (e *Env) PlatformAdmin() string {
	e.T.Helper()
	_, token := e.PlatformOperator()
	return token
}

// PlatformOperator creates a platform operator and returns their email (to sign in as they
// would, with Password) and token.
func (e *Env) PlatformOperator() (email, token string) {
	e.T.Helper()
	email = "op" + e.Unique() + "@platform.test"
	ctx := context.Background()
	err := e.Tenants.Platform(ctx, "test: platform operator", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: email, Name: "Operator",
			PasswordHash: e.pwHash, IsPlatformAdmin: true})
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return email, e.Login(email)
}

// Tenant is an onboarded tenant with its admin and two outlets.
type Tenant struct {
	ID         string
	Slug       string
	AdminEmail string
	Admin      string // admin's token
	Outlets    [2]string
}

// NewTenant onboards a brand with an admin and two outlets in Shanghai. It calls what the
// onboarding and outlet routes call (tenants.DB.Onboard, tenants.CreateOutlet) directly, and
// stores the admin's password at the tests' cost (auth.HashPasswordForTests): every test
// needs tenants, and the routes themselves are tested on their own
// (TestLoginLogoutAndSessions onboards over HTTP).
func (e *Env) NewTenant() *Tenant {
	e.T.Helper()
	return e.newTenant(false)
}

// NewSandboxTenant is NewTenant for a sandbox tenant: its business rules follow a test
// clock, starting at the moment of onboarding, that its admin advances
// (POST /v1/sandbox/clock/advance).
func (e *Env) NewSandboxTenant() *Tenant {
	e.T.Helper()
	return e.newTenant(true)
}

func (e *Env) newTenant(sandbox bool) *Tenant {
	e.T.Helper()
	ctx := context.Background()
	u := e.Unique()
	tn := &Tenant{Slug: "t-" + u, AdminEmail: "admin" + u + "@tenant.test"}
	created, _, err := e.Tenants.Onboard(ctx, tenants.Actor{Kind: "platform", Label: "test"}, tenants.NewTenant{Slug: tn.Slug,
		Name: "Tenant " + u, Kind: "brand", Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN",
		AdminEmail: tn.AdminEmail, AdminName: "Admin " + u, AdminPasswordHash: e.pwHash, Sandbox: sandbox})
	if err != nil {
		e.T.Fatalf("onboard tenant: %v", err)
	}
	tn.ID = created.ID.String()
	err = e.Tenants.Tx(ctx, tenants.Scope{TenantID: created.ID, Actor: tenants.Actor{Kind: "system", Label: "test"}}, func(tx *tenants.Tx) error {
		for i := range tn.Outlets {
			o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: fmt.Sprintf("O%d-%s", i, u), Name: fmt.Sprintf("Outlet %d", i),
				Kind: "service_center", ProvinceCode: "310000"})
			if err != nil {
				return err
			}
			tn.Outlets[i] = o.ID.String()
		}
		return nil
	})
	if err != nil {
		e.T.Fatalf("create outlets: %v", err)
	}
	tn.Admin = e.Login(tn.AdminEmail)
	return tn
}

// Person adds someone to the tenant with a role (and outlet for outlet roles) and returns
// their email and token. It writes the user and membership that accepting an invitation
// writes (after the same role check, tenants.CheckOutletRole), with the password at the
// tests' cost; TestMembersRolesAndLastAdmin takes the invitation route itself.
func (e *Env) Person(tn *Tenant, role, outletID string) (string, string) {
	e.T.Helper()
	ctx := context.Background()
	email := role + e.Unique() + "@people.test"
	var outlet uuid.NullUUID
	if outletID != "" {
		outlet = uuid.NullUUID{UUID: uuid.MustParse(outletID), Valid: true}
	}
	err := e.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tn.ID), Actor: tenants.Actor{Kind: "system", Label: "test"}}, func(tx *tenants.Tx) error {
		if err := tenants.CheckOutletRole(role, outlet.UUID); err != nil {
			return err
		}
		u, err := tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: email, Name: role, PasswordHash: e.pwHash})
		if err != nil {
			return err
		}
		_, err = tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(),
			UserID: u.ID, OutletID: outlet, Role: role})
		return err
	})
	if err != nil {
		e.T.Fatalf("add %s to the tenant: %v", role, err)
	}
	return email, e.Login(email)
}

// Phone returns a valid, unused Chinese mobile number in E.164 (rate limits live in the
// shared Redis, so tests must not share destinations).
func (e *Env) Phone() string {
	id := uuid.New()
	n := uint64(0)
	for _, b := range id[:8] {
		n = n<<8 | uint64(b)
	}
	return fmt.Sprintf("+86139%08d", n%100_000_000)
}

// DeliverNetwork delivers a tenant's pending outgoing messages on a partner agreement, as
// the worker's delivery jobs would: tests of the partner network run the delivery by hand.
func (e *Env) DeliverNetwork(t testing.TB, tenant, agreement string) {
	t.Helper()
	ctx := context.Background()
	svc := network.New(e.Tenants, nil, nil, e.Log)
	claims.New(svc, nil, e.Log) // warranty claims and their statements travel as messages too
	var pending []uuid.UUID
	if err := e.Tenants.Tx(ctx, tenants.Scope{TenantID: uuid.MustParse(tenant), Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		msgs, err := network.Messages(ctx, tx, uuid.MustParse(agreement))
		for _, m := range msgs {
			if m.Direction == "out" && m.State == "pending" {
				pending = append(pending, m.ID)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range pending {
		if err := svc.Deliver(ctx, uuid.MustParse(tenant), id); err != nil {
			t.Fatal(err)
		}
	}
}

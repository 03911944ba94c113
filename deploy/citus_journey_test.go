package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/aftersales/aftersales/internal/coverage"
	dbgen "github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// webhookSecret signs the Stripe events the journey posts; the server is given it.
const webhookSecret = "whsec_citus_journey"

// TestCitusDemoAndJourney seeds the demo network on the cluster (twice: the second seed
// changes nothing), checks what it built through the domain packages, then runs the
// product's own processes against the coordinator, `aftersales serve` and `aftersales
// worker`, and walks an order through them: intake with its dispatch to an outlet and its
// SLA clocks, an engineer assigned, the order.created notifications sent by the worker, an
// SLA breach fired by the worker's wake with its notification, and a platform subscription
// bought through Stripe (stripe-mock) whose invoice.paid event the worker applies.
func TestCitusDemoAndJourney(t *testing.T) {
	t.Parallel()
	d := citusDB(t)
	ctx := context.Background()
	tdb := tenants.NewDB(d.App)

	for range 2 {
		logins, err := demo.Seed(ctx, tdb)
		if err != nil {
			t.Fatalf("seed the demo on Citus: %v", err)
		}
		if len(logins) < 8 {
			t.Fatalf("%d demo logins", len(logins))
		}
	}
	var brand dbgen.Tenant
	if err := tdb.PlatformRead(ctx, "test: the demo brand", uuid.Nil, func(q dbgen.DBTX) error {
		var err error
		brand, err = dbgen.New().GetTenantBySlug(ctx, q, demo.BrandSlug)
		return err
	}); err != nil {
		t.Fatalf("the demo brand: %v", err)
	}
	checkDemo(t, tdb, brand.ID)

	bin := serverBinary(t)
	env := append(os.Environ(), "DATABASE_URL="+d.OwnerURL, "APP_DATABASE_URL="+d.AppURL,
		"REDIS_URL="+os.Getenv("TEST_REDIS_URL"), "REDIS_PREFIX=citus-"+uuid.NewString()[:8]+":",
		"SECURE_COOKIES=false", "LOG_LEVEL=warn", "STRIPE_API_BASE="+os.Getenv("STRIPE_MOCK_URL"),
		"STRIPE_SECRET_KEY=sk_test_123", "STRIPE_WEBHOOK_SECRET="+webhookSecret)
	startProcess(t, bin, "worker", env, "")
	addr := freeAddr(t)
	startProcess(t, bin, "serve", append(env, "HTTP_ADDR="+addr), "http://"+addr+"/readyz")
	c := &client{t: t, base: "http://" + addr}
	c.token = c.login("admin@breeze.local", demo.Password)

	// Intake: the order is numbered, dispatched to the outlet covering the address, and its
	// clocks run.
	var created struct {
		Order orders.Order `json:"order"`
	}
	c.must(201, "POST", "/v1/orders", map[string]any{"type": "repair_medium", "channel": "phone", "flow": "on_site",
		"customer": map[string]any{"name": "赵敏", "phone": "13812345678"}, "serial": "KFR35GW2611000001",
		"fault_description": "Citus journey: no cooling"}, &created)
	o := created.Order
	if o.ID == uuid.Nil || o.Number == "" || o.OutletID == nil {
		t.Fatalf("intake gave %+v: want a numbered order dispatched to an outlet", o)
	}
	id := o.ID.String()
	var read orders.Order
	c.must(200, "GET", "/v1/orders/"+id, nil, &read)
	if read.Number != o.Number || read.Status != o.Status {
		t.Fatalf("order read back as %s %s, created as %s %s", read.Number, read.Status, o.Number, o.Status)
	}
	var clocks struct {
		Items []sla.Clock `json:"items"`
	}
	c.must(200, "GET", "/v1/sla/orders/"+id+"/clocks", nil, &clocks)
	started := map[string]bool{}
	for _, k := range clocks.Items {
		started[k.Target] = k.Status == sla.Running
	}
	if len(clocks.Items) == 0 {
		t.Fatalf("the new order has no SLA clocks")
	}

	// Dispatch: the order is accepted and its lead engineer chosen by the outlet's rules.
	c.must(200, "POST", "/v1/orders/"+id+"/transitions", map[string]any{"to": "accepted"}, nil)
	c.must(200, "POST", "/v1/orders/"+id+"/engineers", map[string]any{"role": "lead"}, nil)
	var engineers struct {
		Items []struct {
			Role string `json:"role"`
		} `json:"items"`
	}
	c.must(200, "GET", "/v1/orders/"+id+"/engineers", nil, &engineers)
	if len(engineers.Items) != 1 || engineers.Items[0].Role != "lead" {
		t.Fatalf("engineers on the order: %+v, want the lead", engineers.Items)
	}

	// The worker dispatched order.created to the notifier.
	c.eventually("the order.created notifications", func() (bool, string) {
		sends := c.sends(id, "order.created")
		return len(sends) > 0, fmt.Sprint(sends)
	})

	// A clock that came due an hour ago: the worker's wake breaches it and notifies.
	target := ""
	for _, k := range sla.Kinds {
		if _, ok := started[k]; !ok {
			target = k
			break
		}
	}
	if target == "" {
		t.Fatalf("the order runs every kind of clock: %v", started)
	}
	inserter, err := jobs.NewClient(d.App, tdb, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	scope := tenants.Scope{TenantID: brand.ID, Actor: tenants.SystemActor}
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		_, err := sla.Start(ctx, tx, inserter, sla.StartInput{OrderID: o.ID, OutletID: *o.OutletID, OrderNumber: o.Number,
			Targets: []sla.Target{{Kind: target, Duration: time.Hour}}, At: time.Now().Add(-2 * time.Hour)})
		return err
	}); err != nil {
		t.Fatalf("start a %s clock due an hour ago: %v", target, err)
	}
	c.eventually("the "+target+" clock breached by the worker", func() (bool, string) {
		c.must(200, "GET", "/v1/sla/orders/"+id+"/clocks", nil, &clocks)
		for _, k := range clocks.Items {
			if k.Target == target {
				return k.Status == sla.Breached, k.Status
			}
		}
		return false, "no clock"
	})
	c.eventually("the sla.breached notification", func() (bool, string) {
		sends := c.sends(id, sla.EventBreached)
		return len(sends) > 0, fmt.Sprint(sends)
	})

	// An ERP pushes sold units in bulk (StoreBulk: a staging table and set-based inserts): a
	// new buyer by phone, a repeat within the batch, one rejected unit.
	sn := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	phone := fmt.Sprintf("+86139%08d", time.Now().UnixNano()%100_000_000)
	var batch struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
		Created, Existing, Invalid int
	}
	day := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	c.must(200, "POST", "/v1/registrations/batch", map[string]any{"items": []map[string]any{
		{"model_sku": "KFR-35GW", "serial": "A" + sn, "purchase_date": day, "buyer": map[string]any{"name": "钱多多", "phone": phone}},
		{"model_sku": "KFR-35GW", "serial": "B" + sn, "purchase_date": day, "buyer": map[string]any{"phone": phone}},
		{"model_sku": "KFR-35GW", "serial": "A" + sn, "purchase_date": day},
		{"model_sku": "NO-SUCH-MODEL", "serial": "C" + sn, "purchase_date": day},
	}}, &batch)
	if batch.Created != 2 || batch.Existing != 1 || batch.Invalid != 1 {
		t.Fatalf("batch of units: created %d, existing %d, invalid %d (%+v); want 2, 1, 1",
			batch.Created, batch.Existing, batch.Invalid, batch.Items)
	}

	// A tenant onboarded by the platform operator subscribes to a platform plan (customer,
	// prices and subscription at stripe-mock); Stripe reports its invoice paid, and the worker
	// applies the event to the tenant's shard.
	op := &client{t: t, base: c.base}
	op.token = op.login("platform@aftersales.local", demo.Password)
	u := strings.ReplaceAll(uuid.NewString(), "-", "")[:10]
	var onboarded struct {
		ID uuid.UUID `json:"id"`
	}
	op.must(201, "POST", "/v1/tenants", map[string]any{"slug": "citus-" + u, "name": "Citus " + u, "kind": "brand",
		"admin": map[string]string{"email": "admin-" + u + "@citus.test", "name": "Admin", "password": demo.Password}}, &onboarded)
	c = &client{t: t, base: c.base}
	c.token = c.login("admin-"+u+"@citus.test", demo.Password)
	c.must(201, "POST", "/v1/billing/subscription", map[string]any{"plan_code": "growth"}, nil)
	invoiceID := "in_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:14]
	event, _ := json.Marshal(map[string]any{"id": "evt_" + invoiceID, "object": "event", "api_version": stripe.APIVersion,
		"created": time.Now().Unix(), "type": "invoice.paid", "livemode": false, "data": map[string]any{"object": map[string]any{
			"id": invoiceID, "object": "invoice", "status": "paid", "currency": "cny", "amount_due": 99900, "amount_paid": 99900,
			"customer": "cus_citus", "subscription_details": map[string]any{"metadata": map[string]string{"tenant_id": onboarded.ID.String()}}}}})
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: event, Secret: webhookSecret})
	if status, body := c.do("POST", "/v1/billing/stripe/webhook", signed.Payload, map[string]string{"Stripe-Signature": signed.Header}); status != 200 {
		t.Fatalf("Stripe webhook: %d %s", status, body)
	}
	c.eventually("the paid invoice", func() (bool, string) {
		var invoices struct {
			Items []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"items"`
		}
		c.must(200, "GET", "/v1/billing/invoices", nil, &invoices)
		for _, inv := range invoices.Items {
			if inv.ID == invoiceID {
				return inv.Status == "paid", inv.Status
			}
		}
		return false, fmt.Sprint(invoices.Items)
	})
}

// checkDemo holds the seeded brand to what internal/demo's own test expects of it.
func checkDemo(t *testing.T, tdb *tenants.DB, brand uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	err := tdb.Tx(ctx, tenants.Scope{TenantID: brand}, func(tx *tenants.Tx) error {
		outlets, err := tenants.ListOutlets(ctx, tx, tenants.OutletFilter{Limit: 50})
		if err != nil {
			return err
		}
		engineers := "engineer"
		members, err := tenants.ListMembers(ctx, tx, uuid.NullUUID{}, &engineers, 50)
		if err != nil {
			return err
		}
		if len(outlets) != 3 || len(members) != 6 {
			t.Errorf("demo brand on Citus: %d outlets and %d engineers, want 3 and 6", len(outlets), len(members))
		}
		regs, err := registry.List(ctx, tx, registry.Filter{Limit: 50})
		if err != nil {
			return err
		}
		classes := map[string]int{}
		for _, r := range regs {
			res, err := coverage.Check(ctx, tx, coverage.NoHistory{}, coverage.CheckInput{RegistrationID: r.ID})
			if err != nil {
				return err
			}
			classes[res.Decision.Class]++
		}
		if len(regs) != 3 || classes["manufacturer"] != 1 || classes["out_of_warranty"] != 2 {
			t.Errorf("demo units on Citus: %d, coverage %v; want 3: 1 manufacturer, 2 out of warranty", len(regs), classes)
		}
		list, err := orders.List(ctx, tx, orders.Filter{Limit: 50})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			t.Error("the demo brand has no orders on Citus")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the demo brand on Citus: %v", err)
	}
}

// serverBinary is the binary scripts/citus.sh built (TEST_AFTERSALES_BIN), else one built now.
func serverBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("TEST_AFTERSALES_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "aftersales")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/aftersales")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs `bin command` with env until the test ends; with ready set, it waits
// until that URL answers 2xx.
func startProcess(t *testing.T, bin, command string, env []string, ready string) {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command(bin, command)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", command, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", command, out.String())
		}
	})
	if ready == "" {
		return
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("%s exited before it was ready: %v\n%s", command, cmd.ProcessState, out.String())
		default:
		}
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not ready in 60s: %v\n%s", command, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// client calls the served API as one signed-in user.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c *client) do(method, path string, body any, header map[string]string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// must sends a request, fails the test unless the status is want, and decodes the body
// into out (when not nil).
func (c *client) must(want int, method, path string, body, out any) {
	c.t.Helper()
	status, raw := c.do(method, path, body, nil)
	if status != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

func (c *client) login(email, password string) string {
	c.t.Helper()
	var sess struct {
		Token string `json:"token"`
	}
	c.must(200, "POST", "/v1/auth/login", map[string]string{"email": email, "password": password}, &sess)
	return sess.Token
}

// sends lists the notification sends about a subject for one event type.
func (c *client) sends(subject, eventType string) []string {
	c.t.Helper()
	var page struct {
		Items []struct {
			Channel string `json:"channel"`
			Status  string `json:"status"`
		} `json:"items"`
	}
	c.must(200, "GET", "/v1/notification-sends?subject_id="+subject+"&event_type="+eventType, nil, &page)
	var out []string
	for _, s := range page.Items {
		out = append(out, s.Channel+":"+s.Status)
	}
	slices.Sort(out)
	return out
}

// eventually polls check until it reports true, for at most a minute (the worker's jobs).
func (c *client) eventually(what string, check func() (bool, string)) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not there after a minute (last: %s)", what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

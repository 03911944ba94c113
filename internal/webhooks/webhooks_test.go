package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

func TestSignatureRoundTrip(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"1","type":"order.created"}`)
	now := time.Now()
	hdr := webhooks.Sign(now, body, "whsec_new", "whsec_old")
	if strings.Count(hdr, "v1=") != 2 || !strings.HasPrefix(hdr, "t=") {
		t.Fatalf("header %q", hdr)
	}
	for _, secret := range []string{"whsec_new", "whsec_old"} {
		if err := webhooks.Verify(secret, hdr, body, 5*time.Minute); err != nil {
			t.Errorf("verify with %s: %v", secret, err)
		}
	}
	if err := webhooks.Verify("whsec_other", hdr, body, 5*time.Minute); !errors.Is(err, webhooks.ErrBadSignature) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := webhooks.Verify("whsec_new", hdr, []byte(`{"id":"2"}`), 5*time.Minute); !errors.Is(err, webhooks.ErrBadSignature) {
		t.Errorf("tampered body: %v", err)
	}
	stale := webhooks.Sign(now.Add(-10*time.Minute), body, "whsec_new")
	if err := webhooks.Verify("whsec_new", stale, body, 5*time.Minute); !errors.Is(err, webhooks.ErrStaleTimestamp) {
		t.Errorf("stale timestamp: %v", err)
	}
	future := webhooks.Sign(now.Add(10*time.Minute), body, "whsec_new")
	if err := webhooks.Verify("whsec_new", future, body, 5*time.Minute); !errors.Is(err, webhooks.ErrStaleTimestamp) {
		t.Errorf("future timestamp: %v", err)
	}
	for _, h := range []string{"", "v1=abc", "t=123", "t=x,v1=00"} {
		if err := webhooks.Verify("whsec_new", h, body, time.Hour); !errors.Is(err, webhooks.ErrNoSignature) {
			t.Errorf("header %q: %v", h, err)
		}
	}
}

func TestBackoffSpansMoreThanADay(t *testing.T) {
	t.Parallel()
	var total time.Duration
	for n := 1; n < webhooks.DefaultMaxAttempts; n++ {
		d := webhooks.Backoff(n)
		if d > 3*time.Hour+18*time.Minute {
			t.Errorf("wait after attempt %d: %s, want at most 3h plus jitter", n, d)
		}
		total += d
	}
	if total < 24*time.Hour || total > 30*time.Hour {
		t.Errorf("retries span %s, want more than 24h (and not absurdly more)", total)
	}
	if webhooks.Backoff(1) < 30*time.Second || webhooks.Backoff(1) > 33*time.Second {
		t.Errorf("first wait %s", webhooks.Backoff(1))
	}
}

func TestPublicAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "1.1.1.1": true, "2001:4860:4860::8888": true, "2606:4700:4700::1111": true, "::ffff:8.8.8.8": true,
		"127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "172.16.0.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "::1": false, "fe80::1": false, "fd00::1": false, "0.0.0.0": false, "224.0.0.1": false,
		"::ffff:127.0.0.1": false, "::ffff:169.254.169.254": false, "255.255.255.255": false,
		// NAT64 of 169.254.169.254 and of 127.0.0.1 (RFC 6052), and the local-use NAT64 prefix
		"64:ff9b::a9fe:a9fe": false, "64:ff9b::7f00:1": false, "64:ff9b:1::a9fe:a9fe": false,
		"2002:a9fe:a9fe::1": false, // 6to4 of 169.254.169.254
		"::a9fe:a9fe":       false, // IPv4-compatible ::/96
		"::":                false,
		"2001::1":           false,                          // Teredo
		"2001:db8::1":       false,                          // documentation
		"240.0.0.1":         false,                          // reserved 240/4
		"198.18.0.1":        false, "198.19.255.254": false, // benchmarking 198.18/15
		"192.0.0.1": false, "192.0.0.170": false, // IETF protocol assignments 192.0.0/24
		"0.1.2.3":   false,                                              // "this network" 0/8
		"192.0.2.1": false, "198.51.100.1": false, "203.0.113.1": false, // documentation
	} {
		if got := webhooks.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// hosts is a Resolver of fixed names.
type hosts map[string][]string

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = netip.MustParseAddr(a)
	}
	return out, nil
}

// TestDestinationsRefuseReservedAddresses: an endpoint cannot be registered at an address
// deliveries may not reach, written as a literal or behind a name.
func TestDestinationsRefuseReservedAddresses(t *testing.T) {
	t.Parallel()
	d := webhooks.Destinations{Resolver: hosts{
		"nat64.example.com":  {"64:ff9b::a9fe:a9fe"},
		"6to4.example.com":   {"2002:a9fe:a9fe::1"},
		"mixed.example.com":  {"93.184.215.14", "10.0.0.5"},
		"mapped.example.com": {"::ffff:127.0.0.1"},
		"erp.example.com":    {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	}}
	for u, ok := range map[string]bool{
		"https://erp.example.com/hooks":           true,
		"https://unknown.example.com/hooks":       true, // does not resolve yet: deliveries check again
		"https://93.184.215.14/hooks":             true,
		"https://nat64.example.com/hooks":         false,
		"https://6to4.example.com/hooks":          false,
		"https://mixed.example.com/hooks":         false,
		"https://mapped.example.com/hooks":        false,
		"http://[64:ff9b::a9fe:a9fe]/latest":      false,
		"http://[2002:a9fe:a9fe::1]:8080/":        false,
		"http://[::a9fe:a9fe]/":                   false,
		"http://[::ffff:169.254.169.254]/":        false,
		"http://240.0.0.1/":                       false,
		"http://198.18.0.1/":                      false,
		"http://192.0.0.170/":                     false,
		"http://0.0.0.0:8080/":                    false,
		"http://169.254.169.254/latest/meta-data": false,
		"http://127.0.0.1:9000/":                  false,
	} {
		err := d.Check(context.Background(), u, "url")
		if ok != (err == nil) {
			t.Errorf("Check(%s) = %v, want accepted %v", u, err, ok)
		}
		var fe *fault.FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "url" || strings.Contains(err.Error(), "10.0.0.5")) {
			t.Errorf("Check(%s): %v, want a field error on url naming no resolved address", u, err)
		}
	}
	if err := (webhooks.Destinations{AllowPrivate: true}).Check(context.Background(), "http://127.0.0.1:9000/", "url"); err != nil {
		t.Errorf("private addresses allowed: %v", err)
	}
}

// receiver is an httptest endpoint that records deliveries and answers with the next status.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int // answered in order; the last one repeats
	got      []delivery
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, delivery{header: req.Header.Clone(), body: b})
		code := r.statuses[0]
		if len(r.statuses) > 1 {
			r.statuses = r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"ok":` + map[bool]string{true: "true", false: "false"}[code < 300] + `}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

type bundle struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	db     *tenants.DB
	tenant uuid.UUID
	scope  tenants.Scope
	admin  string
	client *river.Client[pgx.Tx]
	d      *webhooks.Deliverer
}

func setup(t *testing.T, o webhooks.Options) *bundle {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t).App
	d := tenants.NewDB(pool)
	b := &bundle{ctx: ctx, pool: pool, db: d, tenant: platform.NewID()}
	b.scope = tenants.Scope{TenantID: b.tenant, Actor: tenants.SystemActor}
	admin := platform.NewID()
	b.admin = "admin-" + admin.String() + "@example.com"
	if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'Hooks', 'brand')`,
			b.tenant, "t-"+b.tenant.String()[:8]); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Admin', 'x')`, admin, b.admin)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Tx(ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, id, user_id, role) VALUES ($1, $2, $3, 'tenant_admin')`,
			b.tenant, platform.NewID(), admin)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	var err error
	if b.client, err = jobs.NewClient(pool, d, log, false); err != nil {
		t.Fatal(err)
	}
	o.AllowPrivate = true
	if o.Jobs == nil {
		o.Jobs = b.client
	}
	b.d = webhooks.New(d, log, o)
	return b
}

func (b *bundle) endpoint(t *testing.T, url string, evs ...string) (webhooks.Endpoint, string) {
	t.Helper()
	var ep webhooks.Endpoint
	var secret string
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		ep, secret, err = webhooks.Create(b.ctx, tx, webhooks.Destinations{AllowPrivate: true}, webhooks.EndpointInput{URL: url, Events: evs, Description: "ERP"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ep, secret
}

// fanOut emits an event and hands it to the deliverer, returning the deliveries it made.
func (b *bundle) fanOut(t *testing.T, typ string) (uuid.UUID, []webhooks.Delivery) {
	t.Helper()
	var ev events.Event
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		id, err := events.Emit(b.ctx, tx, b.client, typ, "service_order", platform.NewID(), uuid.Nil, map[string]string{"number": "SO-1"})
		if err != nil {
			return err
		}
		ev, err = events.Load(b.ctx, tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retried hand-over creates nothing twice
		if err := b.d.Handle(b.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	var out []webhooks.Delivery
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT id FROM webhook_deliveries WHERE event_id = $1 ORDER BY id`, ev.ID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		for _, id := range ids {
			d, err := webhooks.GetDelivery(b.ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ev.ID, out
}

func (b *bundle) delivery(t *testing.T, id uuid.UUID) webhooks.Delivery {
	t.Helper()
	var d webhooks.Delivery
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		d, err = webhooks.GetDelivery(b.ctx, tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *bundle) get(t *testing.T, id uuid.UUID) webhooks.Endpoint {
	t.Helper()
	var e webhooks.Endpoint
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		e, err = webhooks.Get(b.ctx, tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRetryThenSuccessRedeliveryAndRotation(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	rcv := newReceiver(t, 500, 200)
	other := newReceiver(t, 200)
	ep, secret := b.endpoint(t, rcv.URL+"/hooks", "order.created")
	b.endpoint(t, other.URL, "sla.breached") // not subscribed to order.created

	evID, dels := b.fanOut(t, "order.created")
	if len(dels) != 1 || dels[0].EndpointID != ep.ID || dels[0].Status != "pending" {
		t.Fatalf("deliveries: %+v", dels)
	}
	del := dels[0]
	if err := b.d.Attempt(b.ctx, b.tenant, del.ID, 1, webhooks.DefaultMaxAttempts); err == nil {
		t.Fatal("a 500 answer did not fail the attempt")
	}
	got := b.delivery(t, del.ID)
	if got.Status != "pending" || got.Attempts != 1 || got.ResponseCode == nil || *got.ResponseCode != 500 ||
		got.NextAttemptAt == nil || got.Error != "HTTP 500" || got.ResponseBody != `{"ok":false}` {
		t.Errorf("after a failed attempt: %+v", got)
	}
	if e := b.get(t, ep.ID); e.ConsecutiveFailures != 1 || e.FailingSince == nil || !e.Enabled {
		t.Errorf("endpoint after a failure: %+v", e)
	}
	if err := b.d.Attempt(b.ctx, b.tenant, del.ID, 2, webhooks.DefaultMaxAttempts); err != nil {
		t.Fatal(err)
	}
	got = b.delivery(t, del.ID)
	if got.Status != "succeeded" || got.Attempts != 2 || *got.ResponseCode != 200 || got.LatencyMS == nil || got.NextAttemptAt != nil {
		t.Errorf("after the retry: %+v", got)
	}
	if e := b.get(t, ep.ID); e.ConsecutiveFailures != 0 || e.FailingSince != nil {
		t.Errorf("endpoint after a success: %+v", e)
	}
	// The job retried or rescued after success posts nothing again.
	if err := b.d.Attempt(b.ctx, b.tenant, del.ID, 3, webhooks.DefaultMaxAttempts); err != nil {
		t.Fatal(err)
	}
	ds := rcv.deliveries()
	if len(ds) != 2 || len(other.deliveries()) != 0 {
		t.Fatalf("receiver got %d posts (other %d), want 2 and 0", len(ds), len(other.deliveries()))
	}
	last := ds[1]
	if err := webhooks.Verify(secret, last.header.Get(webhooks.SignatureHeader), last.body, 5*time.Minute); err != nil {
		t.Errorf("signature: %v (%s)", err, last.header.Get(webhooks.SignatureHeader))
	}
	var body webhooks.Body
	if err := json.Unmarshal(last.body, &body); err != nil || body.ID != evID || body.Type != "order.created" ||
		string(body.Data) != `{"number": "SO-1"}` {
		t.Errorf("body %s: %v", last.body, err)
	}
	if last.header.Get("Aftersales-Event-ID") != evID.String() || last.header.Get("Aftersales-Delivery") != del.ID.String() {
		t.Errorf("headers %v", last.header)
	}

	// Rotation: deliveries are signed with both secrets until the previous one expires.
	var newSecret string
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		var e webhooks.Endpoint
		e, newSecret, err = webhooks.Rotate(b.ctx, tx, ep.ID, b.get(t, ep.ID).Version, time.Hour)
		if e.PreviousSecretUntil == nil {
			t.Errorf("rotated endpoint does not say until when the old secret signs: %+v", e)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var re webhooks.Delivery
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		re, err = webhooks.Redeliver(b.ctx, tx, b.client, del.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if re.ID == del.ID || re.RedeliveryOf == nil || *re.RedeliveryOf != del.ID || re.EventID != evID {
		t.Errorf("redelivery: %+v", re)
	}
	if err := b.d.Attempt(b.ctx, b.tenant, re.ID, 1, webhooks.DefaultMaxAttempts); err != nil {
		t.Fatal(err)
	}
	ds = rcv.deliveries()
	if len(ds) != 3 {
		t.Fatalf("after redelivery the receiver has %d posts", len(ds))
	}
	red := ds[2]
	if string(red.body) != string(last.body) || red.header.Get("Aftersales-Delivery") != re.ID.String() {
		t.Errorf("redelivered body or headers differ: %s %v", red.body, red.header)
	}
	sig := red.header.Get(webhooks.SignatureHeader)
	for _, s := range []string{secret, newSecret} {
		if err := webhooks.Verify(s, sig, red.body, 5*time.Minute); err != nil {
			t.Errorf("during rotation, a receiver with secret %.10s... rejects: %v", s, err)
		}
	}
	// After the overlap only the new secret signs.
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		_, newSecret, err = webhooks.Rotate(b.ctx, tx, ep.ID, b.get(t, ep.ID).Version, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		re, err = webhooks.Ping(b.ctx, tx, b.client, ep.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.d.Attempt(b.ctx, b.tenant, re.ID, 1, 3); err != nil {
		t.Fatal(err)
	}
	ping := rcv.deliveries()[3]
	if strings.Count(ping.header.Get(webhooks.SignatureHeader), "v1=") != 1 ||
		webhooks.Verify(newSecret, ping.header.Get(webhooks.SignatureHeader), ping.body, time.Minute) != nil ||
		ping.header.Get("Aftersales-Event") != webhooks.PingType {
		t.Errorf("ping after the overlap: %v", ping.header)
	}
}

func TestPrivateAddressesAreRefusedUnlessAllowed(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	rcv := newReceiver(t, 200)
	ep, _ := b.endpoint(t, rcv.URL, "*")
	strict := webhooks.New(b.db, slog.New(slog.DiscardHandler), webhooks.Options{Jobs: b.client})
	_, dels := b.fanOut(t, "parts.arrived")
	if len(dels) != 1 || dels[0].EndpointID != ep.ID {
		t.Fatalf("a * endpoint got %+v", dels)
	}
	if err := strict.Attempt(b.ctx, b.tenant, dels[0].ID, 1, 5); err == nil {
		t.Fatal("a delivery to 127.0.0.1 succeeded with private addresses refused")
	}
	if got := b.delivery(t, dels[0].ID); !strings.Contains(got.Error, "private") || got.ResponseCode != nil {
		t.Errorf("refused delivery: %+v", got)
	}
	if len(rcv.deliveries()) != 0 {
		t.Error("the private receiver was reached")
	}
	// A NAT64 address that maps to 127.0.0.1 (an endpoint whose name resolved to it after
	// registration): refused when connecting, the receiver never reached.
	nat64 := "http://[64:ff9b::7f00:1]:" + rcv.URL[strings.LastIndex(rcv.URL, ":")+1:] + "/hook"
	ep64, _ := b.endpoint(t, nat64, "order.created")
	_, dels = b.fanOut(t, "order.created")
	var del64 uuid.UUID
	for _, d := range dels {
		if d.EndpointID == ep64.ID {
			del64 = d.ID
		}
	}
	if err := strict.Attempt(b.ctx, b.tenant, del64, 1, 5); err == nil {
		t.Fatal("a delivery to a NAT64 address succeeded with private addresses refused")
	}
	if got := b.delivery(t, del64); !strings.Contains(got.Error, "private") || got.ResponseCode != nil {
		t.Errorf("refused NAT64 delivery: %+v", got)
	}
	if len(rcv.deliveries()) != 0 {
		t.Error("the private receiver was reached")
	}
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/", "example.com/hook", "http:///x"} {
		if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
			_, _, err := webhooks.Create(b.ctx, tx, webhooks.Destinations{AllowPrivate: true}, webhooks.EndpointInput{URL: u, Events: []string{"*"}})
			return err
		}); err == nil {
			t.Errorf("endpoint URL %q was accepted", u)
		}
	}
}

// TestSustainedFailureDisablesAndNotifiesAdmins runs the real chain on River: an event fans
// out to a failing endpoint, deliveries retry, the endpoint is disabled, and the
// webhook.disabled event reaches the tenant admin by email and in-app through notify.
func TestSustainedFailureDisablesAndNotifiesAdmins(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	log := slog.New(slog.DiscardHandler)
	dev := notify.NewDevProvider(log)
	n := notify.New(b.db, log, notify.Providers{SMS: dev, Email: dev})
	d := webhooks.New(b.db, log, webhooks.Options{AllowPrivate: true, DisableAfter: time.Nanosecond, DisableMinFailures: 3,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	worker, err := jobs.NewClient(b.pool, b.db, log, true, n, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(b.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })

	rcv := newReceiver(t, 503)
	ep, _ := b.endpoint(t, rcv.URL, "order.created")
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		_, err := events.Emit(b.ctx, tx, worker, "order.created", "service_order", platform.NewID(), uuid.Nil, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(dev.Sent(b.admin)) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	mail := dev.Sent(b.admin)
	if len(mail) != 1 || !strings.Contains(mail[0].Body, rcv.URL) || !strings.Contains(mail[0].Subject, "Webhook") {
		t.Fatalf("admin's notice: %+v", mail)
	}
	e := b.get(t, ep.ID)
	if e.Enabled || e.DisabledAt == nil || !strings.Contains(e.DisabledReason, "3 consecutive failed deliveries") {
		t.Errorf("endpoint after sustained failure: %+v", e)
	}
	if got := len(rcv.deliveries()); got != 3 {
		t.Errorf("receiver got %d attempts, want 3 before the endpoint was disabled", got)
	}
	var evs []events.Event
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
		evs, err = events.ForSubject(b.ctx, tx, ep.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != notify.WebhookDisabled {
		t.Errorf("events about the endpoint: %+v", evs)
	}
	// A new event is not delivered to a disabled endpoint; re-enabling resets the count.
	if _, dels := b.fanOut(t, "order.created"); len(dels) != 0 {
		t.Errorf("a disabled endpoint got deliveries: %+v", dels)
	}
	enabled := true
	if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error {
		e, err := webhooks.Update(b.ctx, tx, webhooks.Destinations{AllowPrivate: true}, ep.ID, e.Version, webhooks.EndpointInput{URL: e.URL, Events: e.Events, Enabled: &enabled})
		if e.ConsecutiveFailures != 0 || e.DisabledReason != "" || !e.Enabled {
			t.Errorf("re-enabled endpoint: %+v", e)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentRunsOfOneDeliveryPostOnce: a rescued job running next to the original (or any
// second run) waits instead of posting the same delivery again.
func TestConcurrentRunsOfOneDeliveryPostOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	var mu sync.Mutex
	posts := 0
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		posts++
		mu.Unlock()
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
	}))
	defer slow.Close()
	b.endpoint(t, slow.URL, "order.created")
	_, dels := b.fanOut(t, "order.created")
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- b.d.Attempt(b.ctx, b.tenant, dels[0].ID, 1, 5) }()
	}
	var snoozed, done int
	for range 2 {
		err := <-errs
		var sn *river.JobSnoozeError
		switch {
		case err == nil:
			done++
		case errors.As(err, &sn):
			snoozed++
		default:
			t.Errorf("attempt: %v", err)
		}
	}
	if posts != 1 || done != 1 || snoozed != 1 {
		t.Errorf("two runs of one delivery: %d posts, %d done, %d waiting; want 1, 1, 1", posts, done, snoozed)
	}
	if got := b.delivery(t, dels[0].ID); got.Status != "succeeded" || got.Attempts != 1 {
		t.Errorf("delivery: %+v", got)
	}
}

// syncBuffer is a log sink safe for the deliverer's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFailuresAreClassifiedForTenants: a failed attempt shows the tenant a class and a
// sentence of the product's, never the raw network error (which names the platform's
// resolver and addresses); the raw error is in the server's log.
func TestFailuresAreClassifiedForTenants(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	// A resolver at an address where no DNS server listens: lookups fail naming it.
	closed, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resolverAddr := closed.LocalAddr().String()
	_ = closed.Close()
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", resolverAddr)
	}}
	gone := httptest.NewServer(http.NotFoundHandler())
	refusedURL := gone.URL
	gone.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler()) // a certificate nobody trusts
	t.Cleanup(tlsSrv.Close)
	failing := newReceiver(t, 503)
	redirect := newReceiver(t, 302)

	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	loose := webhooks.New(b.db, log, webhooks.Options{Jobs: b.client, AllowPrivate: true, Timeout: 500 * time.Millisecond, Resolver: resolver})
	strict := webhooks.New(b.db, log, webhooks.Options{Jobs: b.client, Timeout: 500 * time.Millisecond, Resolver: resolver})
	for _, c := range []struct {
		url      string
		d        *webhooks.Deliverer
		class    string
		code     int32
		internal string // what the raw error names and the tenant must not see
	}{
		{"http://hooks.example.com/h", loose, webhooks.ClassDNS, 0, resolverAddr},
		{refusedURL + "/h", loose, webhooks.ClassRefused, 0, refusedURL[len("http://"):]},
		{slow.URL + "/h", loose, webhooks.ClassTimeout, 0, slow.URL[len("http://"):]},
		{tlsSrv.URL + "/h", loose, webhooks.ClassTLS, 0, "x509"},
		{failing.URL + "/h", loose, webhooks.ClassHTTPStatus, 503, ""},
		{redirect.URL + "/h", loose, webhooks.ClassHTTPStatus, 302, ""},
		{failing.URL + "/h", strict, webhooks.ClassRefusedAddress, 0, "127.0.0.1"},
	} {
		ep, _ := b.endpoint(t, c.url, "order.created")
		_, dels := b.fanOut(t, "order.created")
		var id uuid.UUID
		for _, d := range dels {
			if d.EndpointID == ep.ID {
				id = d.ID
			}
		}
		if err := c.d.Attempt(b.ctx, b.tenant, id, 1, 5); err == nil {
			t.Errorf("%s: the attempt succeeded", c.url)
			continue
		}
		got := b.delivery(t, id)
		if got.ErrorClass != c.class || got.Error == "" {
			t.Errorf("%s: class %q (%q), want %q", c.url, got.ErrorClass, got.Error, c.class)
		}
		if (c.code == 0 && got.ResponseCode != nil) || (c.code != 0 && (got.ResponseCode == nil || *got.ResponseCode != c.code)) {
			t.Errorf("%s: response code %v, want %d", c.url, got.ResponseCode, c.code)
		}
		// What the platform writes of the failure (not the times, which may hold ":53").
		shown := got.ErrorClass + " " + got.Error
		for _, leak := range []string{"dial", "lookup", "read udp", ":53", resolverAddr, "127.0.0.1", c.internal} {
			if leak != "" && strings.Contains(shown, leak) {
				t.Errorf("%s: the tenant's delivery names %q: %s", c.url, leak, shown)
			}
		}
		if c.internal != "" && !strings.Contains(logs.String(), c.internal) {
			t.Errorf("%s: the server log lacks the raw error (%q)", c.url, c.internal)
		}
	}
}

// A tenant none of whose endpoints listens for an event type gets no webhook job for its
// events of that type: the dispatch asks the deliverer (events.TenantFilter) and queues
// nothing, so the pipeline spends no job on it. A tenant that listens gets its delivery.
func TestDispatchQueuesWebhookJobsOnlyWhereAnEndpointListens(t *testing.T) {
	t.Parallel()
	b := setup(t, webhooks.Options{})
	worker, err := jobs.NewClient(b.pool, b.db, slog.New(slog.DiscardHandler), true, b.d)
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(b.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
	emit := func(typ string) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) (err error) {
			id, err = events.Emit(b.ctx, tx, worker, typ, "service_order", platform.NewID(), uuid.Nil, map[string]string{"number": "SO-1"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := b.db.Tx(b.ctx, b.scope, func(tx *tenants.Tx) error { return tx.QueryRow(b.ctx, q, args...).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	dispatched := func(ids ...uuid.UUID) {
		t.Helper()
		var s []string
		for _, id := range ids {
			s = append(s, id.String())
		}
		for count(`SELECT count(*) FROM river.river_job WHERE kind = 'event_dispatch' AND state = 'completed'
			AND args->>'event_id' = ANY($1)`, s) < len(s) {
			if time.Now().After(deadline) {
				t.Fatalf("the dispatches of %v did not complete in 20 s", ids)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	unheard := emit("order.created") // no endpoint yet
	dispatched(unheard)
	r := newReceiver(t, http.StatusOK)
	b.endpoint(t, r.URL, "order.created")
	heard := emit("order.created")
	otherType := emit("order.closed") // the endpoint listens for order.created only
	dispatched(heard, otherType)
	for ev, want := range map[uuid.UUID]int{unheard: 0, heard: 1, otherType: 0} {
		if got := count(`SELECT count(*) FROM webhook_deliveries WHERE event_id = $1`, ev); got != want {
			t.Errorf("event %s: %d webhook deliveries, want %d", ev, got, want)
		}
		// The dispatch makes the deliveries itself (webhooks is an events.TxConsumer): no
		// event delivery job for webhooks, whether an endpoint listens or not.
		if got := count(`SELECT count(*) FROM river.river_job WHERE kind = 'event_deliver' AND args->>'consumer' = 'webhooks'
			AND args->>'event_id' = $1`, ev.String()); got != 0 {
			t.Errorf("event %s: %d event delivery jobs for webhooks, want none", ev, got)
		}
	}
	for len(r.deliveries()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := len(r.deliveries()); got != 1 {
		t.Fatalf("the listening endpoint received %d deliveries, want 1", got)
	}
}

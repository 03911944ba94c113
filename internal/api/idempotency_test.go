package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/tenants"
)

// The Idempotency-Key tests take orders in: a retried intake must end with the first
// outcome (replayed) or one clean execution, never a key stuck "in progress" and never a
// second order. They count the tenant's orders in the database.

// intakeBody is an order for the world's unit; note tells intakes apart.
func (w *orderWorld) intakeBody(note string) map[string]any {
	return map[string]any{"type": "repair_minor", "channel": "carry_in", "customer_id": w.customer, "registration_id": w.unit,
		"fault_description": "不制冷 " + note}
}

func countOrders(t *testing.T, env *apitest.Env, tenant string) int {
	t.Helper()
	ctx := context.Background()
	id := uuid.MustParse(tenant)
	var n int
	err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: id}, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM service_orders WHERE tenant_id = $1`, id).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// holdOrderNumbers locks the tenant's order numbers (the row every intake updates) until
// the returned release is called: intakes then wait inside their handler, on that lock.
func holdOrderNumbers(t *testing.T, env *apitest.Env, tenant string) (release func()) {
	t.Helper()
	id := uuid.MustParse(tenant)
	locked, done := make(chan error, 1), make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ctx := context.Background()
		err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: id}, func(tx *tenants.Tx) error {
			rows, err := tx.Query(ctx, `SELECT year FROM order_counters WHERE tenant_id = $1 FOR UPDATE`, id)
			if err != nil {
				return err
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			locked <- nil
			<-done
			return nil
		})
		if err != nil {
			locked <- err
		}
	}()
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { close(done); <-finished }) }
	t.Cleanup(release)
	return release
}

// superuser connects to the test's database as the cluster's superuser.
func superuser(t *testing.T, env *apitest.Env) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), env.DB.SuperURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// lockWaiters waits until n backends of the application role wait for a lock in the test's
// database and returns their process ids.
func lockWaiters(t *testing.T, super *pgxpool.Pool, n int) []int32 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pids []int32
		rows, err := super.Query(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND usename = 'aftersales_api' AND wait_event_type = 'Lock'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var pid int32
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids = append(pids, pid)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(pids) == n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends wait for a lock, want %d", len(pids), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// send posts an intake with key through client under ctx; a transport error (a timeout, a
// cancelled request) comes back as the error.
func send(ctx context.Context, env *apitest.Env, client *http.Client, token, key string, body any) (*apitest.Response, error) {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.Server.URL+"/v1/orders", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// settle retries an intake with key until it is no longer in progress (409) or the time is
// up, and returns the last answer.
func settle(t *testing.T, env *apitest.Env, token, key string, body any, within time.Duration) *apitest.Response {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := send(context.Background(), env, env.Server.Client(), token, key, body)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != http.StatusConflict || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func orderID(t *testing.T, r *apitest.Response) string {
	t.Helper()
	var c struct {
		Order struct {
			ID string `json:"id"`
		} `json:"order"`
	}
	if err := json.Unmarshal(r.Body, &c); err != nil || c.Order.ID == "" {
		t.Fatalf("no order in %d %s", r.Status, r.Body)
	}
	return c.Order.ID
}

// TestIdempotentIntakeAfterClientTimeouts is the attack that found keys stuck forever: 40
// intakes whose clients give up after 5-50 ms, then each retried with its key. Every key
// ends with exactly one order (the committed original replayed, or a clean execution), and
// a retry is never refused for good.
func TestIdempotentIntakeAfterClientTimeouts(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	before := countOrders(t, env, w.tn.ID)
	const n = 40
	keys := make([]string, n)
	for i := range n { // one after the other, as a client with a short timeout sends them
		keys[i] = fmt.Sprintf("timeout-%d-%s", i, env.Unique())
		client := &http.Client{Timeout: time.Duration(5+i%10*5) * time.Millisecond}
		_, _ = send(context.Background(), env, client, w.tn.Admin, keys[i], w.intakeBody(keys[i]))
	}
	ids := map[string]string{}
	replayed := 0
	for _, key := range keys {
		r := settle(t, env, w.tn.Admin, key, w.intakeBody(key), 5*time.Second)
		if r.Status != http.StatusCreated {
			t.Errorf("key %s after the client gave up: %d %s", key, r.Status, r.Body)
			continue
		}
		id := orderID(t, r)
		if other, ok := ids[id]; ok {
			t.Errorf("keys %s and %s answered the same order %s", key, other, id)
		}
		ids[id] = key
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replayed++ // committed, though its client had given up
		}
		again := settle(t, env, w.tn.Admin, key, w.intakeBody(key), time.Second)
		if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || orderID(t, again) != id {
			t.Errorf("key %s repeated: %d replayed=%q %s, want the order %s replayed", key, again.Status,
				again.Header.Get("Idempotent-Replayed"), again.Body, id)
		}
	}
	if got := countOrders(t, env, w.tn.ID) - before; got != n {
		t.Errorf("%d keys made %d orders, want one each", n, got)
	}
	t.Logf("%d keys: %d committed before their client gave up (replayed), %d taken in by the retry", n, replayed, n-replayed)
}

// TestIdempotentIntakeCancelledMidHandler: the client goes away while the intake waits
// inside its handler. Nothing of it is kept, so the retry runs it cleanly (not a replay, not
// a 409 for good) and the tenant has one order for the key.
func TestIdempotentIntakeCancelledMidHandler(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	w.order(t, nil) // the tenant's order numbers exist: intakes lock them
	super := superuser(t, env)
	before := countOrders(t, env, w.tn.ID)
	key := "cancel-" + env.Unique()
	release := holdOrderNumbers(t, env, w.tn.ID)
	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() {
		_, err := send(ctx, env, env.Server.Client(), w.tn.Admin, key, w.intakeBody("cancel"))
		sent <- err
	}()
	lockWaiters(t, super, 1) // the intake is inside its handler, waiting for a number
	cancel()
	if err := <-sent; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled request: %v", err)
	}
	release()
	r := settle(t, env, w.tn.Admin, key, w.intakeBody("cancel"), 5*time.Second)
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry after the cancel: %d replayed=%q %s, want a clean 201", r.Status, r.Header.Get("Idempotent-Replayed"), r.Body)
	}
	again := settle(t, env, w.tn.Admin, key, w.intakeBody("cancel"), time.Second)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
		t.Fatalf("second retry: %d %s, want the first answer replayed", again.Status, again.Body)
	}
	if got := countOrders(t, env, w.tn.ID) - before; got != 1 {
		t.Fatalf("one key made %d orders", got)
	}
}

// TestIdempotentIntakeConcurrentDuplicates: the same key sent eight times at once makes one
// order. The others wait for it and replay it, or hear 409 "in progress" with Retry-After;
// the replay carries the first answer's Location and ETag; the key with another body is a
// 422 naming the header.
func TestIdempotentIntakeConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	before := countOrders(t, env, w.tn.ID)
	key := "dup-" + env.Unique()
	body := w.intakeBody("dup")
	answers := make([]*apitest.Response, 8)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			r, err := send(context.Background(), env, env.Server.Client(), w.tn.Admin, key, body)
			if err != nil {
				t.Error(err)
				return
			}
			answers[i] = r
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range answers {
		switch {
		case r == nil:
		case r.Status == http.StatusCreated:
			ids[orderID(t, r)] = true
		case r.Status == http.StatusConflict:
			if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "in progress") {
				t.Errorf("409 without Retry-After or reason: %v %s", r.Header, r.Body)
			}
		default:
			t.Errorf("duplicate: %d %s", r.Status, r.Body)
		}
	}
	if len(ids) > 1 {
		t.Errorf("duplicates answered different orders: %v", ids)
	}
	final := settle(t, env, w.tn.Admin, key, body, 5*time.Second)
	if final.Status != http.StatusCreated || final.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("after the duplicates: %d %s", final.Status, final.Body)
	}
	id := orderID(t, final)
	if len(ids) == 1 && !ids[id] {
		t.Errorf("the replay is order %s, the duplicates answered %v", id, ids)
	}
	if loc := final.Header.Get("Location"); loc != "/v1/orders/"+id || final.Header.Get("ETag") == "" {
		t.Errorf("the replay's Location %q, ETag %q: want the first answer's", loc, final.Header.Get("ETag"))
	}
	if got := countOrders(t, env, w.tn.ID) - before; got != 1 {
		t.Errorf("eight duplicates made %d orders", got)
	}
	other := w.intakeBody("another body")
	r, err := send(context.Background(), env, env.Server.Client(), w.tn.Admin, key, other)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "header.Idempotency-Key") {
		t.Errorf("the key with another body: %d %s", r.Status, r.Body)
	}
}

// TestIdempotencyKeyOfALostConnection: an intake holds its key and waits inside its handler
// when its database connection is terminated (as when the server's host dies). A duplicate
// meanwhile hears 409 with Retry-After; once the connection is gone, nothing of the intake
// is left, and the retry runs cleanly and makes the one order.
func TestIdempotencyKeyOfALostConnection(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	w.order(t, nil)
	super := superuser(t, env)
	before := countOrders(t, env, w.tn.ID)
	key := "lost-" + env.Unique()
	body := w.intakeBody("lost")
	release := holdOrderNumbers(t, env, w.tn.ID)
	first := make(chan *apitest.Response, 1)
	go func() {
		r, err := send(context.Background(), env, env.Server.Client(), w.tn.Admin, key, body)
		if err != nil {
			t.Error(err)
		}
		first <- r
	}()
	pids := lockWaiters(t, super, 1)
	dup, err := send(context.Background(), env, env.Server.Client(), w.tn.Admin, key, body)
	if err != nil {
		t.Fatal(err)
	}
	if dup.Status != http.StatusConflict || dup.Header.Get("Retry-After") == "" {
		t.Fatalf("a duplicate while the first is in flight: %d %v %s, want 409 with Retry-After", dup.Status, dup.Header, dup.Body)
	}
	var ok bool
	if err := super.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, pids[0]).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate the intake's connection: %v %v", ok, err)
	}
	if r := <-first; r != nil && r.Status != http.StatusServiceUnavailable {
		t.Errorf("the intake whose connection was lost: %d %s, want 503", r.Status, r.Body)
	}
	release()
	r := settle(t, env, w.tn.Admin, key, body, 5*time.Second)
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry after the lost connection: %d replayed=%q %s, want a clean 201", r.Status, r.Header.Get("Idempotent-Replayed"), r.Body)
	}
	if got := countOrders(t, env, w.tn.ID) - before; got != 1 {
		t.Fatalf("one key made %d orders", got)
	}
}

// TestIdempotencyStaleClaimOfACrashedServer: a claim a crashed server left behind (a key
// recorded without a response, as servers before the key moved into the handler's
// transaction committed it) does not hold the key for good: the retry runs.
func TestIdempotencyStaleClaimOfACrashedServer(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := newOrderWorld(t, env)
	before := countOrders(t, env, w.tn.ID)
	key := "stale-" + env.Unique()
	ctx := context.Background()
	id := uuid.MustParse(w.tn.ID)
	// The claim of this very request by this very user, as the earlier server wrote it.
	me := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/me", Token: w.tn.Admin}).Map(t)
	raw, _ := json.Marshal(w.intakeBody("stale"))
	sum := sha256.Sum256(append([]byte("create-order\n"), raw...))
	who := "user:" + me["id"].(string) + uuid.Nil.String()
	err := env.Tenants.Tx(ctx, tenants.Scope{TenantID: id}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (tenant_id, key, principal, operation, request_hash, created_at)
			VALUES ($1, $2, $3, 'create-order', $4, now() - interval '1 hour')`, id, key, who, sum[:])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := settle(t, env, w.tn.Admin, key, w.intakeBody("stale"), 2*time.Second)
	if r.Status != http.StatusCreated {
		t.Fatalf("retry over a crashed server's claim: %d %s", r.Status, r.Body)
	}
	again := settle(t, env, w.tn.Admin, key, w.intakeBody("stale"), time.Second)
	if again.Header.Get("Idempotent-Replayed") != "true" || orderID(t, again) != orderID(t, r) {
		t.Fatalf("then: %d %s, want the order replayed", again.Status, again.Body)
	}
	if got := countOrders(t, env, w.tn.ID) - before; got != 1 {
		t.Fatalf("one key made %d orders", got)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// TestCrashKeepsEveryAcknowledgedOrder kills the API server with SIGKILL while a load
// generator takes orders in, then checks the database: every order the server answered 2xx
// for is there with its timeline, its order.created event and that event's dispatch job,
// and its SLA clocks with their wakes; no order is half-written; the numbers have no gap.
// A restarted server then serves again and numbers the next order N+1. Every intake carries
// an Idempotency-Key: retried after the restart, each key answers its acknowledged order
// again, or the order the kill left committed without an answer, or takes the order in
// cleanly; no key stays "in progress" and none makes a second order.
func TestCrashKeepsEveryAcknowledgedOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills the server")
	}
	start := time.Now()
	crashUnderLoad(t, 1500*time.Millisecond)
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// crashFigures are the counts of one kill -9 of the server under intake load (the chaos
// drills print them; see docs/operations.md).
type crashFigures struct {
	requests     int           // intakes sent, each with an Idempotency-Key of its own
	acknowledged int           // answered 2xx before the kill
	found        int           // acknowledged orders in the database after the kill, as answered
	serverErrors int           // 5xx answers before the kill
	cutOff       int           // requests the kill cut off (no answer, or one after the kill)
	recovery     time.Duration // from starting the server again to its first ready answer
	replayed     int           // keys retried after the restart that replayed their order
	fresh        int           // keys retried after the restart that took their order in then
	duplicates   int           // orders a key answered beyond the one it should have
}

// crashUnderLoad is TestCrashKeepsEveryAcknowledgedOrder with the load running at least
// minLoad before the kill; failures are reported on t, the counts returned.
func crashUnderLoad(t *testing.T, minLoad time.Duration) crashFigures {
	t.Helper()
	var f crashFigures
	ctx := context.Background()
	d := testdb.New(t)
	tdb := tenants.NewDB(d.App)
	if _, err := demo.Seed(ctx, tdb); err != nil {
		t.Fatalf("seed: %v", err)
	}
	bin := buildServer(t)
	env := append(os.Environ(),
		"DATABASE_URL="+d.OwnerURL, "APP_DATABASE_URL="+d.AppURL,
		"REDIS_URL="+os.Getenv("TEST_REDIS_URL"), "REDIS_PREFIX=crash-"+randHex(6)+":",
		"SECURE_COOKIES=false", "RATE_TENANT_PER_SECOND=100000", "RATE_KEY_PER_SECOND=100000", "LOG_LEVEL=warn")

	srv := startServer(t, bin, env)
	token, tenant := login(t, srv.base)
	brand := tenants.Scope{TenantID: tenant}

	// Orders that exist before the load (the demo's, taken in without the job client).
	seeded := map[uuid.UUID]bool{}
	err := tdb.Tx(ctx, brand, func(tx *tenants.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM service_orders`)
		for _, id := range ids {
			seeded[id] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Load: workers take orders in until the server is gone.
	type acked struct {
		ID     uuid.UUID
		Number string
		Key    string
	}
	var (
		mu           sync.Mutex
		ok           []acked
		keys         []string // every key sent, answered or not
		killed       atomic.Bool
		okCount      atomic.Int64
		failed       atomic.Int64 // transport errors and 5xx after the kill
		serverErrors atomic.Int64 // 5xx before the kill
		wg           sync.WaitGroup
	)
	body := `{"type":"repair_minor","channel":"phone","customer":{"name":"赵敏","phone":"13812345678"},` +
		`"serial":"KFR35GW2611000001","fault_description":"crash test"}`
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("crash-%d-%d", w, i)
				mu.Lock()
				keys = append(keys, key)
				mu.Unlock()
				req, _ := http.NewRequest(http.MethodPost, srv.base+"/v1/orders", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("X-Tenant-ID", tenant.String())
				req.Header.Set("Idempotency-Key", key)
				resp, err := client.Do(req)
				if err != nil {
					if killed.Load() {
						failed.Add(1)
						return
					}
					t.Errorf("worker %d request %d before the kill: %v", w, i, err)
					return
				}
				raw, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode/100 == 2 && rerr == nil:
					var c struct {
						Order struct {
							ID     uuid.UUID `json:"id"`
							Number string    `json:"number"`
						} `json:"order"`
					}
					if err := json.Unmarshal(raw, &c); err != nil || c.Order.ID == uuid.Nil {
						t.Errorf("2xx without an order: %v: %s", err, raw)
						return
					}
					mu.Lock()
					ok = append(ok, acked{c.Order.ID, c.Order.Number, key})
					mu.Unlock()
					okCount.Add(1)
				case killed.Load():
					failed.Add(1)
					return
				default:
					if resp.StatusCode >= 500 {
						serverErrors.Add(1)
					}
					t.Errorf("worker %d request %d before the kill: %d %v: %s", w, i, resp.StatusCode, rerr, raw)
					return
				}
			}
		})
	}

	// Kill once the load has run minLoad and orders are going through (at most 8 s more).
	loadStart := time.Now()
	for time.Since(loadStart) < minLoad+8*time.Second && (time.Since(loadStart) < minLoad || okCount.Load() < 20) {
		if t.Failed() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	killed.Store(true)
	srv.kill(t)
	killedAt := time.Now()
	wg.Wait()
	f.requests, f.acknowledged, f.cutOff, f.serverErrors = len(keys), len(ok), int(failed.Load()), int(serverErrors.Load())
	if t.Failed() {
		t.FailNow()
	}
	if len(ok) == 0 {
		t.Fatalf("no order was acknowledged in %s", killedAt.Sub(loadStart))
	}
	t.Logf("%d orders acknowledged in %s of load, %d requests cut off by the kill", len(ok), killedAt.Sub(loadStart).Round(time.Millisecond), failed.Load())

	// The database after the crash.
	type order struct {
		Number string
		Events int // timeline entries of kind created
	}
	var (
		orders      = map[uuid.UUID]*order{}
		createdEvts = map[uuid.UUID][]uuid.UUID{} // order -> its order.created events
		dispatched  = map[uuid.UUID]int{}         // event -> its event_dispatch jobs
		clocks      = map[uuid.UUID][]string{}    // order -> targets of running clocks
		allClocks   = map[uuid.UUID]int{}
		clockDue    = map[string]time.Time{} // order/target -> due time of a running clock
		wakes       = map[time.Time]int{}    // sla_wake jobs by their second
		availWakes  = 0                      // sla_wake jobs available now
	)
	err = tdb.Tx(ctx, brand, func(tx *tenants.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, o.number, (SELECT count(*) FROM order_events e
			WHERE e.order_id = o.id AND e.kind = 'created') FROM service_orders o`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id uuid.UUID
			var o order
			if err := rows.Scan(&id, &o.Number, &o.Events); err != nil {
				return err
			}
			orders[id] = &o
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT subject_id, id FROM events WHERE type = 'order.created'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var order, ev uuid.UUID
			if err := rows.Scan(&order, &ev); err != nil {
				return err
			}
			createdEvts[order] = append(createdEvts[order], ev)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT (args->>'event_id')::uuid FROM river.river_job
			WHERE kind = 'event_dispatch' AND (args->>'tenant_id')::uuid = $1`, tenant)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ev uuid.UUID
			if err := rows.Scan(&ev); err != nil {
				return err
			}
			dispatched[ev]++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT order_id, target, status, due_at FROM sla_clocks`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var order uuid.UUID
			var target, status string
			var due *time.Time
			if err := rows.Scan(&order, &target, &status, &due); err != nil {
				return err
			}
			allClocks[order]++
			if status == "running" {
				clocks[order] = append(clocks[order], target)
				if due != nil {
					clockDue[order.String()+"/"+target] = *due
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT (args->>'at')::timestamptz, state = 'available' FROM river.river_job
			WHERE kind = 'sla_wake' AND (args->>'tenant_id')::uuid = $1`, tenant)
		if err != nil {
			return err
		}
		for rows.Next() {
			var at time.Time
			var available bool
			if err := rows.Scan(&at, &available); err != nil {
				return err
			}
			wakes[at.UTC()]++
			if available {
				availWakes++
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("read the database after the crash: %v", err)
	}

	// Every acknowledged order is there, as answered.
	for _, a := range ok {
		o := orders[a.ID]
		if o == nil {
			t.Errorf("acknowledged order %s (%s) is missing after the crash", a.Number, a.ID)
			continue
		}
		if o.Number != a.Number {
			t.Errorf("order %s: number %s in the database, %s answered", a.ID, o.Number, a.Number)
			continue
		}
		f.found++
	}
	// Every order taken in through the API, acknowledged or not, is whole: its creation was
	// one transaction.
	apiOrders := 0
	for id, o := range orders {
		if o.Events != 1 {
			t.Errorf("order %s has %d created entries on its timeline, want 1", o.Number, o.Events)
		}
		if seeded[id] {
			continue
		}
		apiOrders++
		evs := createdEvts[id]
		if len(evs) != 1 {
			t.Errorf("order %s has %d order.created events, want 1", o.Number, len(evs))
		}
		for _, ev := range evs {
			if dispatched[ev] != 1 {
				t.Errorf("order %s: event %s has %d event_dispatch jobs, want 1", o.Number, ev, dispatched[ev])
			}
		}
		if allClocks[id] == 0 || len(clocks[id]) == 0 {
			t.Errorf("order %s has %d SLA clocks (%d running), want running clocks", o.Number, allClocks[id], len(clocks[id]))
		}
		for _, target := range clocks[id] {
			// The wake of its due time's second (rounded up), or one available now if the
			// clock came due already.
			due, ok := clockDue[id.String()+"/"+target]
			at := due.UTC().Truncate(time.Second)
			if at.Before(due) {
				at = at.Add(time.Second)
			}
			if !ok || (wakes[at] == 0 && (due.After(time.Now()) || availWakes == 0)) {
				t.Errorf("order %s: running %s clock due %s has no sla_wake job at %s", o.Number, target, due, at)
			}
		}
	}
	if apiOrders < len(ok) {
		t.Errorf("%d orders taken in through the API, fewer than the %d acknowledged", apiOrders, len(ok))
	}
	// Gapless numbers, per year.
	numbers := make([]string, 0, len(orders))
	for _, o := range orders {
		numbers = append(numbers, o.Number)
	}
	last := checkGapless(t, numbers)
	nClocks, nWakes, nJobs := 0, 0, 0
	for _, n := range allClocks {
		nClocks += n
	}
	for _, n := range wakes {
		nWakes += n
	}
	for _, n := range dispatched {
		nJobs += n
	}
	t.Logf("after the crash: %d orders (%d seeded, %d through the API, %d committed without an answer), last number %s; "+
		"%d event_dispatch jobs, %d SLA clocks, %d sla_wake jobs", len(orders), len(seeded), apiOrders, apiOrders-len(ok), last,
		nJobs, nClocks, nWakes)

	// Restart: the same database serves again, the session survives, numbering goes on.
	restart := time.Now()
	srv = startServer(t, bin, env)
	f.recovery = time.Since(restart)
	resp, raw := post(t, srv.base+"/v1/orders", token, tenant, body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("order after the restart: %d: %s", resp.StatusCode, raw)
	}
	var c struct {
		Order struct {
			Number string `json:"number"`
		} `json:"order"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if want := nextNumber(t, last); c.Order.Number != want {
		t.Errorf("order after the restart is %s, want %s", c.Order.Number, want)
	}

	// Every key retried: the acknowledged ones replay their order; the others replay what the
	// kill left committed or take the order in now; afterwards the API's orders are one per key.
	answered := map[string]uuid.UUID{}
	for _, a := range ok {
		answered[a.Key] = a.ID
	}
	byKey := map[uuid.UUID]string{}
	replayed, fresh := 0, 0
	for _, key := range keys {
		resp, raw := retryKey(t, srv.base+"/v1/orders", token, tenant, key, body)
		var r struct {
			Order struct {
				ID uuid.UUID `json:"id"`
			} `json:"order"`
		}
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &r) != nil {
			t.Errorf("key %s retried after the restart: %d %s", key, resp.StatusCode, raw)
			continue
		}
		if other, dup := byKey[r.Order.ID]; dup {
			f.duplicates++
			t.Errorf("keys %s and %s answer the same order %s", key, other, r.Order.ID)
		}
		byKey[r.Order.ID] = key
		if resp.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		} else {
			fresh++
		}
		if id, was := answered[key]; was && id != r.Order.ID {
			t.Errorf("key %s answered order %s before the kill and %s after", key, id, r.Order.ID)
		}
	}
	var total int
	err = tdb.Tx(ctx, brand, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM service_orders`).Scan(&total)
	})
	if err != nil {
		t.Fatal(err)
	}
	if viaKeys := total - len(seeded) - 1; viaKeys != len(keys) { // less the one taken in without a key
		f.duplicates += max(0, viaKeys-len(keys))
		t.Errorf("%d keys sent, %d orders taken in with them", len(keys), viaKeys)
	}
	t.Logf("%d keys retried after the restart: %d replayed (%d acknowledged before the kill), %d taken in now",
		len(keys), replayed, len(ok), fresh)
	f.replayed, f.fresh = replayed, fresh
	srv.stop(t)
	return f
}

// checkGapless checks each year's numbers run SO-YYYY-000001..N and returns the last one.
func checkGapless(t *testing.T, numbers []string) string {
	t.Helper()
	byYear := map[string][]int{}
	for _, num := range numbers {
		parts := strings.Split(num, "-")
		n, err := strconv.Atoi(parts[len(parts)-1])
		if len(parts) != 3 || parts[0] != "SO" || err != nil {
			t.Errorf("order number %q is not SO-YYYY-NNNNNN", num)
			continue
		}
		byYear[parts[1]] = append(byYear[parts[1]], n)
	}
	last := ""
	for year, ns := range byYear {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				t.Errorf("order numbers of %s: position %d holds %06d, want %06d (a gap or a duplicate)", year, i+1, n, i+1)
				break
			}
		}
		if l := fmt.Sprintf("SO-%s-%06d", year, len(ns)); l > last {
			last = l
		}
	}
	return last
}

// nextNumber is the number after last (SO-YYYY-NNNNNN).
func nextNumber(t *testing.T, last string) string {
	t.Helper()
	i := strings.LastIndex(last, "-")
	n, err := strconv.Atoi(last[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("order number %q", last)
	}
	return fmt.Sprintf("%s-%06d", last[:i], n+1)
}

// buildServer builds the command from the module root into a temporary directory, or
// returns AFTERSALES_BIN, a binary built already (scripts/chaos.sh builds it once).
func buildServer(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("AFTERSALES_BIN"); bin != "" {
		return bin
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatal("go.mod not found above the test's directory")
		}
		root = parent
	}
	bin := filepath.Join(t.TempDir(), "aftersales")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/aftersales")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	return bin
}

// server is a running `aftersales serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	out  *lockedBuffer
	done chan struct{}
}

// startServer starts the binary on a free port and waits until /readyz answers 2xx. The
// process is killed when the test ends, if it is still running.
func startServer(t *testing.T, bin string, env []string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{base: "http://" + addr, out: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(slices.Clip(env), "HTTP_ADDR="+addr)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start the server: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server output (%s):\n%s", addr, s.out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-s.done:
			t.Fatalf("the server exited before it was ready: %v\n%s", s.cmd.ProcessState, s.out.String())
		default:
		}
		resp, err := http.Get(s.base + "/readyz")
		last := fmt.Sprint(err)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return s
			}
			last = resp.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server was not ready in 20s: %s\n%s", last, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill the server: %v", err)
	}
	<-s.done
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the server ended otherwise than by SIGKILL: %v", s.cmd.ProcessState)
	}
}

// stop asks the server to shut down gracefully.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		t.Errorf("the server did not stop in 15s after SIGTERM")
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

// login signs the demo brand's admin in and returns the token and the brand's tenant id.
func login(t *testing.T, base string) (string, uuid.UUID) {
	t.Helper()
	creds, _ := json.Marshal(map[string]string{"email": "admin@breeze.local", "password": demo.Password})
	resp, err := http.Post(base+"/v1/auth/login", "application/json", bytes.NewReader(creds))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var sess struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &sess) != nil || sess.Token == "" {
		t.Fatalf("login: %d: %s", resp.StatusCode, raw)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+sess.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var me struct {
		Memberships []struct {
			TenantID   uuid.UUID `json:"tenant_id"`
			TenantSlug string    `json:"tenant_slug"`
		} `json:"memberships"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &me) != nil {
		t.Fatalf("me: %d: %s", resp.StatusCode, raw)
	}
	for _, m := range me.Memberships {
		if m.TenantSlug == demo.BrandSlug {
			return sess.Token, m.TenantID
		}
	}
	t.Fatalf("admin@breeze.local is not a member of %s: %s", demo.BrandSlug, raw)
	return "", uuid.Nil
}

func post(t *testing.T, url, token string, tenant uuid.UUID, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Tenant-ID", tenant.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// retryKey posts an intake with an Idempotency-Key until it is no longer "in progress"
// (409): a request the kill cut off may hold its key until PostgreSQL notices the dead
// connection. Five seconds at most; a key still in progress then is held for good.
func retryKey(t *testing.T, url, token string, tenant uuid.UUID, key, body string) (*http.Response, []byte) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Tenant-ID", tenant.String())
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict || time.Now().After(deadline) {
			return resp, raw
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func queryIDs(ctx context.Context, tx *tenants.Tx, sql string) ([]uuid.UUID, error) {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedBuffer collects the server's output from two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

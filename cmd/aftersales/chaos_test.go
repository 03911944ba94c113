//go:build chaos

package main

import (
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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// The chaos drills (make chaos, scripts/chaos.sh; docs/operations.md "Chaos drills") run
// `aftersales serve` and `aftersales worker` as child processes against a throwaway
// PostgreSQL, Redis and stripe-mock on loopback, break one thing at a time under load, and
// check what the product promises: no acknowledged order lost, every idempotent retry
// answered with the first response or one clean execution, every SLA step fired exactly
// once, a database outage answered 503 with Retry-After and recovered from without a hand,
// a Redis outage costing no request. Each drill has a time bound; the table of figures
// is printed at the end.
//
// Beside make test's variables, scripts/chaos.sh sets CHAOS_PG_DATA (the cluster's data
// directory, for the restart) and AFTERSALES_BIN (the binary, built once).

// chaosRow is one drill's line of the table; -1 prints as "-" (not measured by the drill).
type chaosRow struct {
	drill        string
	requests     int           // HTTP requests of the load
	acknowledged int           // intakes answered 2xx (the Redis drill: all 2xx answers)
	found        int           // acknowledged orders in the database afterwards, whole
	unavailable  int           // 503 /problems/unavailable answers
	serverErrors int           // other 5xx answers
	recovery     time.Duration // see each drill
	steps        int           // SLA steps fired
	duplicates   int           // orders or SLA steps beyond one per key or step
	note         string
}

// chaosBody is the intake the drills send (the demo brand's customer and serial).
const chaosBody = `{"type":"repair_minor","channel":"phone","customer":{"name":"赵敏","phone":"13812345678"},` +
	`"serial":"KFR35GW2611000001","fault_description":"chaos drill"}`

func TestChaos(t *testing.T) {
	bin := buildServer(t)
	var rows []chaosRow
	drill := func(name string, bound time.Duration, fn func(t *testing.T, bin string) chaosRow) {
		t.Run(name, func(t *testing.T) {
			// The hard bound: a drill that hangs ends the run (its children, in the process
			// group scripts/chaos.sh started, are stopped by the script).
			watchdog := time.AfterFunc(bound, func() { panic(fmt.Sprintf("chaos drill %s ran past its bound of %s", name, bound)) })
			defer watchdog.Stop()
			start := time.Now()
			row := fn(t, bin)
			row.drill = name
			rows = append(rows, row)
			t.Logf("%s: %s", name, time.Since(start).Round(time.Millisecond))
		})
	}
	drill("server-kill", 60*time.Second, drillServerKill)
	drill("worker-kill", 150*time.Second, drillWorkerKill)
	drill("network-worker-kill", 180*time.Second, drillNetworkWorkerKill)
	drill("postgres-restart", 60*time.Second, drillPostgresRestart)
	drill("redis-stopped", 45*time.Second, drillRedisStopped)
	printTable(os.Stdout, rows)
}

// drillServerKill: kill -9 of the API server under intake load (crashUnderLoad, the crash
// test with three seconds of load). Recovery: from starting the server again to its first
// ready answer.
func drillServerKill(t *testing.T, _ string) chaosRow {
	f := crashUnderLoad(t, 3*time.Second)
	return chaosRow{requests: f.requests, acknowledged: f.acknowledged, found: f.found, unavailable: -1,
		serverErrors: f.serverErrors, recovery: f.recovery, steps: -1, duplicates: f.duplicates,
		note: fmt.Sprintf("%d cut off; keys retried: %d replayed, %d taken in", f.cutOff, f.replayed, f.fresh)}
}

// drillWorkerKill: 1000 clocks of a tenant come due over ten seconds, each with three steps
// (a warning due already, the breach, the first escalation level with it). The worker is
// killed with SIGKILL once 40% of the breaches have fired, and started again two seconds
// later. Every clock must breach once and escalate once, and warn at most once (a warning
// is not sent after its breach). Recovery: from the second start to the last step fired
// (the last clocks come due about four seconds after it); the note says how late the
// latest breach fired after its due time.
func drillWorkerKill(t *testing.T, bin string) chaosRow {
	const n = 1000
	ctx := context.Background()
	d := testdb.New(t)
	tdb := tenants.NewDB(d.App)
	scope, outlet, customer := chaosTenant(t, tdb)
	inserter, err := jobs.NewClient(d.App, tdb, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = platform.NewID()
	}
	t0 := time.Now()
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, tracking_token)
			SELECT app.tenant_id(), id, 'SO-C-' || n, 'repair_minor', 'carry_in', 'phone', 'waiting', $2, 'trk_' || id::text
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, ids, customer); err != nil {
			return err
		}
		for i, id := range ids { // an hour's target, due 10 to 20 s from now: the warning is due already
			due := t0.Add(10*time.Second + time.Duration(i)*10*time.Second/n)
			if _, err := sla.Start(ctx, tx, inserter, sla.StartInput{OrderID: id, OrderNumber: fmt.Sprintf("SO-C-%d", i+1),
				OutletID: outlet, Targets: []sla.Target{{Kind: sla.Accept, Duration: time.Hour}}, At: due.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("start %d clocks: %v", n, err)
	}
	t.Logf("%d clocks started in %s", n, time.Since(t0).Round(time.Millisecond))

	// steps counts the fired steps of the drill's orders, by kind, and the repeats.
	steps := func() (warned, breached, escalated, dups int) {
		err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT coalesce(sum(c) FILTER (WHERE type = 'sla.warning'), 0),
				coalesce(sum(c) FILTER (WHERE type = 'sla.breached'), 0), coalesce(sum(c) FILTER (WHERE type = 'sla.escalated'), 0),
				coalesce(sum(c - 1), 0)
				FROM (SELECT type, count(*) AS c FROM events WHERE subject_id = ANY($1) AND type LIKE 'sla.%'
					GROUP BY subject_id, type, payload->>'target', payload->>'level') s`, ids).Scan(&warned, &breached, &escalated, &dups)
		})
		if err != nil {
			t.Fatalf("count the steps: %v", err)
		}
		return
	}
	if w, b, e, _ := steps(); w+b+e != 0 {
		t.Fatalf("%d steps fired before any worker ran", w+b+e)
	}

	env := chaosEnv(d, "worker")
	wrk := startWorker(t, bin, env)
	deadline := time.Now().Add(40 * time.Second)
	for {
		if _, b, _, _ := steps(); b >= n*4/10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d breaches 40 s into the drill", n*4/10)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wrk.kill(t)
	w, b, e, _ := steps()
	killedAt := b
	var running int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE state = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker killed with %d warnings, %d breaches, %d escalations fired; %d jobs left running", w, b, e, running)
	time.Sleep(2 * time.Second)

	restart := time.Now()
	wrk = startWorker(t, bin, env)
	// The sweep (every minute) fires what the wakes left: at most a minute and a half.
	deadline = time.Now().Add(90 * time.Second)
	var recovery time.Duration
	for {
		if _, b, e, _ := steps(); b >= n && e >= n {
			recovery = time.Since(restart)
			break
		}
		if time.Now().After(deadline) {
			w, b, e, _ := steps()
			t.Fatalf("%s after the restart: %d warnings, %d breaches, %d escalations of %d clocks", time.Since(restart), w, b, e, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a step fired twice would show by now
	w, b, e, dups := steps()
	var breachRows int
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM sla_breaches WHERE order_id = ANY($1)`, ids).Scan(&breachRows)
	})
	if err != nil {
		t.Fatal(err)
	}
	var late time.Duration
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT coalesce(max(created_at - (payload->>'due_at')::timestamptz), '0')
			FROM events WHERE subject_id = ANY($1) AND type = 'sla.breached'`, ids).Scan(&late)
	})
	if err != nil {
		t.Fatal(err)
	}
	if b != n || e != n || w > n || dups != 0 || breachRows != n {
		t.Errorf("%d clocks: %d warnings, %d breaches, %d escalations, %d repeats, %d breach rows; want each step once",
			n, w, b, e, dups, breachRows)
	}
	wrk.stop(t)
	return chaosRow{requests: -1, acknowledged: -1, found: -1, unavailable: -1, serverErrors: -1, recovery: recovery,
		steps: w + b + e, duplicates: dups,
		note: fmt.Sprintf("%d clocks; %d warnings, %d breaches, %d escalations; killed at %d breaches; latest breach %s after its due time",
			n, w, b, e, killedAt, late.Round(time.Millisecond))}
}

// drillNetworkWorkerKill: a brand hands 300 orders to a service provider under an active
// agreement (each hand-off a message in the brand's outbox with its two deliveries queued,
// network.RedeliverAfter apart). The worker is killed with SIGKILL once 40% of the jobs
// have reached the provider, while deliveries are running, and started again two seconds
// later. Every message must be delivered and every job received exactly once: the
// deliveries the kill cut off are taken up by their second delivery (River still holds
// the killed ones as running), and one that had reached the inbox is not applied again.
// Recovery: from the second start to the last message delivered.
func drillNetworkWorkerKill(t *testing.T, bin string) chaosRow {
	const n = 300
	ctx := context.Background()
	d := testdb.New(t)
	tdb := tenants.NewDB(d.App)
	log := slog.New(slog.DiscardHandler)
	inserter, err := jobs.NewClient(d.App, tdb, log, false)
	if err != nil {
		t.Fatal(err)
	}
	ord := orders.Wire("", inserter).Service
	nw := network.New(tdb, inserter, ord, log)
	brand := testfactory.Tenant(ctx, t, tdb, &testfactory.TenantOpts{Name: "Chaos brand"}).ID
	provider := testfactory.Tenant(ctx, t, tdb, &testfactory.TenantOpts{Name: "Chaos provider", Kind: "service_provider"}).ID
	in := func(tenant uuid.UUID, fn func(tx *tenants.Tx) error) {
		t.Helper()
		if err := tdb.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, fn); err != nil {
			t.Fatal(err)
		}
	}
	count := func(tenant uuid.UUID, query string) (c int) {
		t.Helper()
		in(tenant, func(tx *tenants.Tx) error { return tx.QueryRow(ctx, query).Scan(&c) })
		return c
	}
	const pendingSQL = `SELECT count(*) FROM network_outbox WHERE delivered_at IS NULL AND refused_reason = ''`
	// deliverAll delivers a tenant's pending messages by hand (the agreement's handshake).
	deliverAll := func(tenant uuid.UUID) {
		var ids []uuid.UUID
		in(tenant, func(tx *tenants.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM network_outbox WHERE delivered_at IS NULL ORDER BY seq`)
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			return err
		})
		for _, id := range ids {
			if err := nw.Deliver(ctx, tenant, id); err != nil {
				t.Fatalf("deliver the handshake: %v", err)
			}
		}
	}
	var ag network.Agreement
	in(brand, func(tx *tenants.Tx) (err error) {
		ag, err = nw.Propose(ctx, tx, network.ProposeInput{PartnerTenantID: provider, Role: network.RolePrincipal, Terms: network.Terms{
			Currency: "CNY", LabourRates: []network.LabourRate{{OrderType: "repair_minor", EngineerLevel: 1, Amount: 8000}},
			Parts: network.PartsPricing{Basis: "markup", MarkupPercent: 10}, VisitFee: 3000,
			Contact: network.ContactSharing{Name: network.ShareFull, Phone: network.ShareMasked, Address: network.ShareMasked}, ValidFrom: "2020-01-01"}})
		return err
	})
	deliverAll(brand)
	in(provider, func(tx *tenants.Tx) error { _, err := nw.Accept(ctx, tx, ag.ID); return err })
	deliverAll(provider)

	t0 := time.Now()
	in(brand, func(tx *tenants.Tx) error {
		c := testfactory.Customer(ctx, t, tx, &testfactory.CustomerOpts{Name: "王小明", Phone: testfactory.Phone()})
		for range n {
			o := testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{Service: ord, CustomerID: c.ID, Serial: "SN-" + testfactory.Unique()})
			if _, err := nw.HandOff(ctx, tx, o.ID, network.HandOffInput{AgreementID: ag.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	t.Logf("%d orders handed off in %s", n, time.Since(t0).Round(time.Millisecond))
	const receivedSQL = `SELECT count(*) FROM network_jobs WHERE direction = 'received'`

	env := chaosEnv(d, "network")
	wrk := startWorker(t, bin, env)
	deadline := time.Now().Add(40 * time.Second)
	for count(provider, receivedSQL) < n*4/10 {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d jobs received 40 s into the drill", n*4/10)
		}
		time.Sleep(5 * time.Millisecond)
	}
	wrk.kill(t)
	atKill := count(provider, receivedSQL)
	var running int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE state = 'running' AND kind = 'network_deliver'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker killed with %d of %d jobs received; %d deliveries left running", atKill, n, running)
	time.Sleep(2 * time.Second)

	restart := time.Now()
	wrk = startWorker(t, bin, env)
	// A delivery the kill cut off waits for its second, RedeliverAfter after the hand-off.
	deadline = t0.Add(network.RedeliverAfter + 90*time.Second)
	var recovery time.Duration
	for {
		if count(brand, pendingSQL) == 0 {
			recovery = time.Since(restart)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after the restart: %d messages still pending, %d of %d jobs received", time.Since(restart).Round(time.Second),
				count(brand, pendingSQL), count(provider, receivedSQL), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a job received twice would show by now
	received := count(provider, receivedSQL)
	provOrders := count(provider, `SELECT count(*) FROM service_orders`)
	unapplied := count(provider, `SELECT count(*) FROM network_inbox WHERE applied_at IS NULL`)
	if received != n || provOrders != n || unapplied != 0 {
		t.Errorf("%d hand-offs: %d jobs received, %d provider orders, %d inbox messages not applied; want %d, %d, 0",
			n, received, provOrders, unapplied, n, n)
	}
	wrk.stop(t)
	return chaosRow{requests: -1, acknowledged: -1, found: -1, unavailable: -1, serverErrors: -1, recovery: recovery,
		steps: -1, duplicates: max(received, provOrders) - n,
		note: fmt.Sprintf("%d hand-offs; killed at %d received with %d deliveries running; %d received, %d provider orders",
			n, atKill, running, received, provOrders)}
}

// drillPostgresRestart: the server and the worker run under intake and read load while
// PostgreSQL is stopped the way a crash stops it (pg_ctl stop -m immediate) and started
// again three seconds later. Every answer must be 2xx or 503 /problems/unavailable with
// Retry-After; every acknowledged order is there afterwards; every key retried afterwards
// replays or takes its order in once; the worker works again (an order taken in after the
// restart gets its event dispatched). Recovery: from PostgreSQL accepting connections
// again to the server's first 2xx.
func drillPostgresRestart(t *testing.T, bin string) chaosRow {
	data := os.Getenv("CHAOS_PG_DATA")
	if data == "" {
		t.Fatal("CHAOS_PG_DATA (the data directory of the cluster to restart) is not set: run make chaos")
	}
	ctx := context.Background()
	d := testdb.New(t)
	tdb := tenants.NewDB(d.App)
	if _, err := demo.Seed(ctx, tdb); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// The throwaway cluster runs with synchronous_commit=off (make test's speed): a commit is
	// acknowledged before its WAL is written, and a crash of PostgreSQL loses the last ones.
	// Production runs with PostgreSQL's default, on; so do the server and the worker here
	// (a database's setting overrides the command line's).
	super, err := pgx.Connect(ctx, d.SuperURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = super.Exec(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$`)
	super.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := chaosEnv(d, "pg")
	srv := startServer(t, bin, env)
	wrk := startWorker(t, bin, env)
	token, tenant := login(t, srv.base)
	l := newLoad(srv.base, token, tenant, "pg", 6)
	l.run(func(i int) bool { return i%2 == 0 })

	time.Sleep(2 * time.Second)
	downAt := time.Now()
	pgCtl(t, "stop", "-D", data, "-m", "immediate", "-w")
	time.Sleep(3 * time.Second)
	pgStart(t, data)
	upAt := time.Now()
	firstOK := l.waitFor(t, upAt, 30*time.Second, func(r loadResult) bool { return r.status/100 == 2 })
	time.Sleep(2 * time.Second)
	results := l.stop()

	row := chaosRow{requests: len(results), steps: -1, recovery: firstOK.Sub(upAt)}
	var acked []loadResult
	unanswered := map[string]bool{}
	gapFirst, gapLast := time.Time{}, time.Time{}
	for _, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("%s %s: %v", r.at.Format("15:04:05.000"), r.what(), r.err)
		case r.status/100 == 2:
			if r.key != "" {
				acked = append(acked, r)
			}
		case r.status == http.StatusServiceUnavailable:
			row.unavailable++
			if gapFirst.IsZero() {
				gapFirst = r.at
			}
			gapLast = r.at
			if r.retryAfter == "" || !strings.Contains(r.problem, "/problems/unavailable") {
				t.Errorf("%s: 503 without Retry-After or /problems/unavailable: %q %s", r.what(), r.retryAfter, r.problem)
			}
		case r.status >= 500:
			row.serverErrors++
			t.Errorf("%s %s: %d %s", r.at.Format("15:04:05.000"), r.what(), r.status, r.problem)
		default:
			t.Errorf("%s %s: %d %s", r.at.Format("15:04:05.000"), r.what(), r.status, r.problem)
		}
		if r.key != "" && r.status/100 != 2 {
			unanswered[r.key] = true
		}
	}
	if row.unavailable == 0 {
		t.Errorf("no 503 while PostgreSQL was down (%s to %s)", downAt.Format("15:04:05.000"), upAt.Format("15:04:05.000"))
	}
	row.acknowledged = len(acked)
	row.found = foundOrders(t, tdb, tenant, acked)
	if row.found != len(acked) {
		t.Errorf("%d of %d acknowledged orders found whole after the restart", row.found, len(acked))
	}
	replayed, fresh, dups := retryKeys(t, srv.base, token, tenant, tdb, unanswered, acked)
	row.duplicates = dups

	// The worker came through: it is still running and dispatches the event of an order taken
	// in now.
	select {
	case <-wrk.done:
		t.Errorf("the worker exited during the restart: %v\n%s", wrk.cmd.ProcessState, wrk.out.String())
	default:
	}
	after := time.Now()
	if resp, raw := post(t, srv.base+"/v1/orders", token, tenant, chaosBody); resp.StatusCode != http.StatusCreated {
		t.Fatalf("intake after the restart: %d %s", resp.StatusCode, raw)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var left int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_dispatch'
			AND created_at >= $1 AND state <> 'completed'`, after).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the worker has not dispatched an event of an order taken in 20 s after the restart")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	row.note = fmt.Sprintf("down %s; 503s from %s to %s; keys retried: %d replayed, %d taken in",
		upAt.Sub(downAt).Round(10*time.Millisecond), gapFirst.Sub(downAt).Round(time.Millisecond),
		gapLast.Sub(downAt).Round(time.Millisecond), replayed, fresh)
	srv.stop(t)
	wrk.stop(t)
	return row
}

// drillRedisStopped: the server's Redis (a redis-server of the drill's own) is killed with
// SIGKILL under read load and started again four seconds later. The key's rate limit (20 a
// second) answers 429 before; while Redis is gone the limiter fails open (no 429, no 5xx);
// once it is back the limit holds again. Recovery: from Redis answering again to the first
// 429 (the limiter leaves Redis alone for five seconds after a failure).
func drillRedisStopped(t *testing.T, bin string) chaosRow {
	ctx := context.Background()
	d := testdb.New(t)
	if _, err := demo.Seed(ctx, tenants.NewDB(d.App)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	port := strconv.Itoa(freePort(t))
	rs := startRedis(t, port)
	env := append(chaosEnv(d, "redis"), "REDIS_URL=redis://127.0.0.1:"+port+"/0", "RATE_KEY_PER_SECOND=20")
	srv := startServer(t, bin, env)
	token, tenant := login(t, srv.base)
	l := newLoad(srv.base, token, tenant, "redis", 4)
	l.run(func(int) bool { return false })

	time.Sleep(2 * time.Second)
	downAt := time.Now()
	rs.kill(t)
	time.Sleep(4 * time.Second)
	upAt := time.Now()
	startRedis(t, port)
	first429 := l.waitFor(t, upAt, 20*time.Second, func(r loadResult) bool { return r.status == http.StatusTooManyRequests })
	time.Sleep(time.Second)
	results := l.stop()

	row := chaosRow{requests: len(results), found: -1, steps: -1, duplicates: -1, recovery: first429.Sub(upAt)}
	var before, during, after int
	for _, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("%s: %v", r.what(), r.err)
		case r.status/100 == 2:
			row.acknowledged++
		case r.status == http.StatusServiceUnavailable:
			row.unavailable++
			t.Errorf("%s: 503 with Redis down: %s", r.what(), r.problem)
		case r.status >= 500:
			row.serverErrors++
			t.Errorf("%s: %d %s", r.what(), r.status, r.problem)
		case r.status == http.StatusTooManyRequests:
			switch {
			case r.at.Before(downAt):
				before++
			case r.at.Before(upAt):
				during++ // sent while Redis was gone, or in flight when it went
			default:
				after++
			}
		default:
			t.Errorf("%s: %d %s", r.what(), r.status, r.problem)
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("429s: %d before the outage, %d after; want the limit to hold while Redis is up", before, after)
	}
	// A request that checked its limit just before the kill may answer 429 after it.
	if during > 4 {
		t.Errorf("%d answers 429 while Redis was down; want the limiter to fail open", during)
	}
	failedOpen := metric(t, srv.base, "aftersales_ratelimit_errors_total")
	if failedOpen == 0 {
		t.Errorf("aftersales_ratelimit_errors_total is 0 after the outage")
	}
	row.note = fmt.Sprintf("429s: %d before, %d while down, %d after; %d checks failed open", before, during, after, failedOpen)
	srv.stop(t)
	return row
}

// chaosTenant onboards a tenant with an outlet and a customer (the worker drill's clocks
// belong to its orders).
func chaosTenant(t *testing.T, tdb *tenants.DB) (scope tenants.Scope, outlet, customer uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	u := randHex(4)
	tn, _, err := tdb.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "chaos-" + u, Name: "Chaos", Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: "admin-" + u + "@chaos.test", AdminName: "Admin",
		AdminPasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	scope = tenants.Scope{TenantID: tn.ID, Actor: tenants.SystemActor}
	customer = platform.NewID()
	err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		o, err := tenants.CreateOutlet(ctx, tx, tenants.OutletFields{Code: "C1", Name: "Outlet", Kind: "service_center"})
		if err != nil {
			return err
		}
		outlet = o.ID
		_, err = tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES (app.tenant_id(), $1, 'Customer')`, customer)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return scope, outlet, customer
}

// chaosEnv is the environment of the drill's processes on database d; rate limits are out
// of the way unless a drill sets its own (later entries win).
func chaosEnv(d *testdb.DB, name string) []string {
	return append(os.Environ(),
		"DATABASE_URL="+d.OwnerURL, "APP_DATABASE_URL="+d.AppURL,
		"REDIS_URL="+os.Getenv("TEST_REDIS_URL"), "REDIS_PREFIX=chaos-"+name+"-"+randHex(6)+":",
		"SECURE_COOKIES=false", "RATE_TENANT_PER_SECOND=100000", "RATE_KEY_PER_SECOND=100000", "LOG_LEVEL=warn")
}

// startWorker starts `aftersales worker` (a server without an address: kill and stop apply).
func startWorker(t *testing.T, bin string, env []string) *server {
	t.Helper()
	w := &server{out: &lockedBuffer{}, done: make(chan struct{})}
	w.cmd = exec.Command(bin, "worker")
	w.cmd.Env = env
	w.cmd.Stdout, w.cmd.Stderr = w.out, w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	go func() { _ = w.cmd.Wait(); close(w.done) }()
	t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			_ = w.cmd.Process.Kill()
			<-w.done
		}
		if t.Failed() {
			t.Logf("worker output:\n%s", w.out.String())
		}
	})
	return w
}

// startRedis starts a redis-server of the drill's own on port (no persistence) and waits
// until it answers; kill stops it.
func startRedis(t *testing.T, port string) *server {
	t.Helper()
	r := &server{out: &lockedBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no")
	r.cmd.Dir = t.TempDir()
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %s does not answer:\n%s", port, r.out.String())
		}
	}
	return r
}

func freePort(t *testing.T) int {
	t.Helper()
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return n
}

// pgCtl runs pg_ctl of the cluster's installation as the cluster's OS user (postgres when
// running as root, as scripts/lib.sh does).
func pgCtl(t *testing.T, args ...string) {
	t.Helper()
	bin := filepath.Join(pgBinDir(t), "pg_ctl")
	cmd := exec.Command(bin, args...)
	if os.Geteuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			runuser = "/usr/sbin/runuser"
		}
		cmd = exec.Command(runuser, append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// postmasterOpts is the command line the cluster was started with (data/postmaster.opts:
// the postgres binary, then its quoted arguments), as pg_ctl restart reuses it.
func postmasterOpts(t *testing.T) (postgres, args string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(os.Getenv("CHAOS_PG_DATA"), "postmaster.opts"))
	if err != nil {
		t.Fatalf("read the cluster's start options: %v", err)
	}
	postgres, args, _ = strings.Cut(strings.TrimSpace(string(raw)), " ")
	return postgres, args
}

func pgBinDir(t *testing.T) string {
	postgres, _ := postmasterOpts(t)
	return filepath.Dir(postgres)
}

// pgStart starts the stopped cluster with the options it ran with, and waits until it takes
// connections.
func pgStart(t *testing.T, data string) {
	t.Helper()
	_, args := postmasterOpts(t)
	pgCtl(t, "start", "-D", data, "-w", "-t", "60", "-l", filepath.Join(filepath.Dir(data), "postgres.log"), "-o", args)
}

// loadResult is one request of a load.
type loadResult struct {
	at         time.Time // sent
	key        string    // the intake's Idempotency-Key ("" for a read)
	status     int
	retryAfter string
	problem    string // the body of an answer that is not 2xx
	orderID    uuid.UUID
	err        error
}

func (r loadResult) what() string {
	if r.key != "" {
		return "intake " + r.key
	}
	return "GET /v1/orders"
}

// load sends requests from workers goroutines until stopped: intakes with keys of their
// own, and reads of the order list.
type load struct {
	base, token, name string
	tenant            uuid.UUID
	workers           int
	client            *http.Client

	mu      sync.Mutex
	results []loadResult
	quit    chan struct{}
	wg      sync.WaitGroup
}

func newLoad(base, token string, tenant uuid.UUID, name string, workers int) *load {
	return &load{base: base, token: token, tenant: tenant, name: name, workers: workers, quit: make(chan struct{}),
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}}
}

// run starts the workers; intake(i) tells whether a worker's i-th request is an intake.
func (l *load) run(intake func(i int) bool) {
	for w := range l.workers {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-l.quit:
					return
				default:
				}
				r := loadResult{at: time.Now()}
				var req *http.Request
				if intake(i) {
					r.key = fmt.Sprintf("%s-%d-%d", l.name, w, i)
					req, _ = http.NewRequest(http.MethodPost, l.base+"/v1/orders", strings.NewReader(chaosBody))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Idempotency-Key", r.key)
				} else {
					req, _ = http.NewRequest(http.MethodGet, l.base+"/v1/orders?limit=1", nil)
				}
				req.Header.Set("Authorization", "Bearer "+l.token)
				req.Header.Set("X-Tenant-ID", l.tenant.String())
				resp, err := l.client.Do(req)
				if err != nil {
					r.err = err
				} else {
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					r.status, r.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
					if resp.StatusCode/100 == 2 {
						var c struct {
							Order struct {
								ID uuid.UUID `json:"id"`
							} `json:"order"`
						}
						_ = json.Unmarshal(raw, &c)
						r.orderID = c.Order.ID
					} else {
						r.problem = string(raw)
					}
				}
				l.mu.Lock()
				l.results = append(l.results, r)
				l.mu.Unlock()
				if r.status == http.StatusServiceUnavailable || r.err != nil {
					time.Sleep(20 * time.Millisecond) // a client backing off, a little
				}
			}
		})
	}
}

// waitFor waits until a request sent after since matches, and returns when it was sent.
func (l *load) waitFor(t *testing.T, since time.Time, within time.Duration, match func(loadResult) bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		l.mu.Lock()
		for _, r := range l.results {
			if r.at.After(since) && match(r) {
				l.mu.Unlock()
				return r.at
			}
		}
		l.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%s after %s: no answer of the kind awaited", within, since.Format("15:04:05.000"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the load and returns its results.
func (l *load) stop() []loadResult {
	close(l.quit)
	l.wg.Wait()
	return l.results
}

// foundOrders counts the acknowledged orders that are in the database as answered, with
// their created entry on the timeline.
func foundOrders(t *testing.T, tdb *tenants.DB, tenant uuid.UUID, acked []loadResult) int {
	t.Helper()
	ids := make([]uuid.UUID, len(acked))
	for i, a := range acked {
		ids[i] = a.orderID
	}
	var found int
	err := tdb.Tx(context.Background(), tenants.Scope{TenantID: tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM service_orders o WHERE o.id = ANY($1)
			AND (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'created') = 1`, ids).Scan(&found)
	})
	if err != nil {
		t.Fatalf("find the acknowledged orders: %v", err)
	}
	return found
}

// retryKeys sends every unanswered key again (retryKey waits out an "in progress"), then
// the acknowledged ones: each must answer 201, the acknowledged ones with their order, and
// no two keys the same order; the keys' orders in the database are one per key. It
// returns the retries replayed and taken in, and the orders beyond one per key.
func retryKeys(t *testing.T, base, token string, tenant uuid.UUID, tdb *tenants.DB, unanswered map[string]bool,
	acked []loadResult) (replayed, fresh, dups int) {
	t.Helper()
	byOrder := map[uuid.UUID]string{}
	check := func(key string, want uuid.UUID) {
		resp, raw := retryKey(t, base+"/v1/orders", token, tenant, key, chaosBody)
		var r struct {
			Order struct {
				ID uuid.UUID `json:"id"`
			} `json:"order"`
		}
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &r) != nil {
			t.Errorf("key %s retried: %d %s", key, resp.StatusCode, raw)
			return
		}
		if other, dup := byOrder[r.Order.ID]; dup {
			dups++
			t.Errorf("keys %s and %s answer the same order %s", key, other, r.Order.ID)
		}
		byOrder[r.Order.ID] = key
		if want != uuid.Nil && r.Order.ID != want {
			dups++
			t.Errorf("key %s answered order %s first and %s on its retry", key, want, r.Order.ID)
		}
		if resp.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		} else {
			fresh++
		}
	}
	for key := range unanswered {
		check(key, uuid.Nil)
	}
	for _, a := range acked {
		check(a.key, a.orderID)
	}
	// Orders whose key was never answered cannot be told from the load's by the API; every
	// order with this drill's fault description is one key's.
	var total int
	err := tdb.Tx(context.Background(), tenants.Scope{TenantID: tenant}, func(tx *tenants.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM service_orders WHERE fault_description = 'chaos drill'`).Scan(&total)
	})
	if err != nil {
		t.Fatal(err)
	}
	if keys := len(unanswered) + len(acked); total != keys {
		dups += max(0, total-keys)
		t.Errorf("%d keys, %d orders taken in with them", keys, total)
	}
	return replayed, fresh, dups
}

// metric reads a counter from the server's /metrics.
func metric(t *testing.T, base, name string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+]+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s not on /metrics", name)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return int(v)
}

// printTable prints the drills' figures.
func printTable(out io.Writer, rows []chaosRow) {
	num := func(n int) string {
		if n < 0 {
			return "-"
		}
		return strconv.Itoa(n)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ndrill\trequests\tacknowledged\tfound\t503s\t5xx\trecovery\tsteps fired\tduplicates\tnotes")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.drill, num(r.requests), num(r.acknowledged), num(r.found),
			num(r.unavailable), num(r.serverErrors), r.recovery.Round(time.Millisecond), num(r.steps), num(r.duplicates), r.note)
	}
	tw.Flush()
}

// Command bench measures the API's hot paths against pgbench on the same database, in one
// run: pgbench's select-only and tpcb-like workloads give the baselines (what PostgreSQL
// alone does on this machine at this concurrency), then a closed-loop Go load generator
// drives each API scenario with as many clients, over loopback TCP, against the API served
// in-process. Each scenario is reported as a ratio to its baseline with p50/p99 latency:
// absolute numbers depend on the machine, ratios much less, so they can be compared across
// machines and over time.
//
// `make bench` starts a throwaway PostgreSQL and Redis and runs it; see bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aftersales/aftersales/tenants"
)

// maxErrorRate fails the run: above it the figures measure error handling, not the path.
const maxErrorRate = 0.01

// options are the command line and the environment of one run.
type options struct {
	concurrency int
	jobWorkers  int // the notify-pipeline worker's default queue capacity
	jobPool     int // the notify-pipeline worker's pool size (0: the product's sizing)
	duration    time.Duration
	warmup      time.Duration
	filter      *regexp.Regexp
	scale       int
	poolSize    int
	cpuProfile  string
	explain     bool
	keep        bool
	largeOrders int
	// The warranty data set and the import measurement.
	tenants, registrations, keyTenants, importRows int
	// The order data set.
	orders, orderTenants int
	// The SLA timer measurement: overdue clocks (0: none).
	timers   int
	handoffs int
	// callbackOrders are the completed orders of the callback sampling measurement.
	callbackOrders int
	// claimsOrders are the audited orders of the claims generation measurement.
	claimsOrders int
	// commissionOrders are the audited orders of the commission month measurement.
	commissionOrders int
	// issueOrders are the open orders the issue-to-order measurement issues the hot part to.
	issueOrders int

	databaseURL, appUser, appPassword, redisURL, pgbenchBin string
	// citus: run on the Citus cluster scripts/bench.sh started (BENCH_CITUS=1), in its
	// migrated and distributed database: citusURL as the superuser, citusAppURL as the
	// application role.
	citus                 bool
	citusURL, citusAppURL string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseOptions() (options, error) {
	var o options
	var filter string
	flag.IntVar(&o.concurrency, "c", 8, "concurrent clients: pgbench -c and the load generator's connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "measured duration of each run")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unrecorded warm-up before each API scenario")
	flag.StringVar(&filter, "scenarios", "", "run only scenarios whose name matches this regular expression")
	flag.IntVar(&o.scale, "scale", 1, "pgbench scale factor (-i -s)")
	flag.IntVar(&o.poolSize, "pool", 0, "API database pool size (0: same as -c, as pgbench has one connection per client)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the API scenarios and the import (API, worker and load generator) to this file")
	flag.BoolVar(&o.explain, "explain", false, "print, per scenario, the CPU per request of the API process, the database and Redis, "+
		"and the costliest SQL statements per request (timing them costs a little)")
	flag.IntVar(&o.tenants, "tenants", 100, "tenants of the warranty data set (bench-t000, ...)")
	flag.IntVar(&o.registrations, "registrations", 1_000_000, "registrations of the warranty data set, spread evenly over -tenants")
	flag.IntVar(&o.keyTenants, "key-tenants", 10, "tenants whose API keys the staff entitlement check uses (the first ones)")
	flag.IntVar(&o.importRows, "import-rows", 100_000, "rows of the import measurement's CSV file (0: no import measurement)")
	flag.IntVar(&o.orders, "orders", 10_000_000, "service orders of the order data set, spread evenly over -order-tenants")
	flag.IntVar(&o.orderTenants, "order-tenants", 1000, "tenants of the order data set (bench-o0000, ...)")
	flag.IntVar(&o.largeOrders, "large-orders", 1_000_000, "orders of the order data set's large tenant, beside its 1,000-order tenant (0: none)")
	flag.BoolVar(&o.keep, "keep", false, "keep the bench database afterwards (to look at plans); its name is printed")
	flag.IntVar(&o.jobWorkers, "job-workers", defaultJobWorkers, "the default job queue's capacity of the notify-pipeline worker (JOB_WORKERS)")
	flag.IntVar(&o.jobPool, "job-pool", 0, "the notify-pipeline worker's database pool size (0: as the product sizes it)")
	flag.IntVar(&o.handoffs, "handoffs", 200, "hand-offs of the partner network's latency measurement, one at a time (0: none)")
	flag.IntVar(&o.timers, "timers", 20000, "SLA clocks of the timer measurement: half warn, half breach (0: no timer measurement)")
	flag.IntVar(&o.claimsOrders, "claims-orders", 100_000, "audited in-warranty orders of the month of the claims generation measurement (0: no such measurement)")
	flag.IntVar(&o.commissionOrders, "commission-orders", 100_000, "audited orders of the month of the commission measurement, paid to 1000 engineers (0: no such measurement)")
	flag.IntVar(&o.issueOrders, "issue-orders", 10_000, "open orders the issue-to-order measurement issues one hot part to (0: no such measurement)")
	flag.IntVar(&o.callbackOrders, "callback-orders", 100_000, "orders completed on the day of the callback sampling measurement (0: no such measurement)")
	flag.Parse()
	if flag.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if o.concurrency < 1 || o.duration <= 0 || o.warmup < 0 || o.scale < 1 || o.poolSize < 0 {
		return o, errors.New("-c, -d and -scale must be positive, -warmup and -pool not negative")
	}
	if o.tenants < 1 || o.tenants > maxBenchTenants || o.keyTenants < 1 || o.importRows < 0 || o.timers < 0 || o.callbackOrders < 0 || o.claimsOrders < 0 || o.commissionOrders < 0 || o.issueOrders < 0 {
		return o, fmt.Errorf("-tenants must be 1 to %d, -key-tenants positive, -import-rows not negative", maxBenchTenants)
	}
	if o.registrations < o.tenants || o.registrations/o.tenants > maxPerTenant {
		return o, fmt.Errorf("-registrations must be at least -tenants and at most %d per tenant", maxPerTenant)
	}
	if o.orderTenants < 1 || o.orders < o.orderTenants {
		return o, errors.New("-order-tenants must be positive and -orders at least -order-tenants")
	}
	if o.poolSize == 0 {
		o.poolSize = o.concurrency
	}
	var err error
	if o.filter, err = regexp.Compile(filter); err != nil {
		return o, fmt.Errorf("-scenarios: %w", err)
	}
	o.databaseURL, o.redisURL = os.Getenv("TEST_DATABASE_URL"), os.Getenv("TEST_REDIS_URL")
	o.appUser, o.appPassword = os.Getenv("TEST_APP_USER"), os.Getenv("TEST_APP_PASSWORD")
	o.pgbenchBin = os.Getenv("BENCH_PGBENCH")
	if o.pgbenchBin == "" {
		o.pgbenchBin = "pgbench"
	}
	if o.databaseURL == "" || o.redisURL == "" || o.appUser == "" {
		return o, errors.New("TEST_DATABASE_URL, TEST_REDIS_URL and TEST_APP_USER must be set: run `make bench`, " +
			"which starts PostgreSQL and Redis and sets them")
	}
	if o.citus = os.Getenv("BENCH_CITUS") == "1"; o.citus {
		o.citusURL, o.citusAppURL = os.Getenv("TEST_CITUS_SUPER_URL"), os.Getenv("TEST_CITUS_APP_URL")
		if o.citusURL == "" || o.citusAppURL == "" {
			return o, errors.New("BENCH_CITUS=1 needs TEST_CITUS_SUPER_URL and TEST_CITUS_APP_URL: run `make bench BENCH_CITUS=1`, " +
				"which starts a Citus cluster and sets them")
		}
	}
	return o, nil
}

// wantImport tells whether the import measurement runs.
func (o options) wantImport() bool { return o.importRows > 0 && o.filter.MatchString(importName) }

// wantHandoff tells whether the partner network's hand-off latency is measured.
func (o options) wantHandoff() bool { return o.handoffs > 0 && o.filter.MatchString(handoffName) }

// wantTimers tells whether the SLA timer measurement runs.
func (o options) wantTimers() bool { return o.timers > 0 && o.filter.MatchString(timersName) }

// wantCallbacks tells whether the callback sampling measurement runs.
func (o options) wantCallbacks() bool {
	return o.callbackOrders > 0 && o.filter.MatchString(callbacksName)
}

// wantClaimsMonth tells whether the claims generation measurement runs.
func (o options) wantClaimsMonth() bool {
	return o.claimsOrders > 0 && o.filter.MatchString(claimsMonthName)
}

// wantCommissionMonth tells whether the commission month measurement runs.
func (o options) wantCommissionMonth() bool {
	return o.commissionOrders > 0 && o.filter.MatchString(commissionMonthName)
}

// wantIssue tells whether the issue-to-order measurement runs.
func (o options) wantIssue() bool { return o.issueOrders > 0 && o.filter.MatchString(issueName) }

// scenarioResult is one scenario's load result and the API's work per request.
type scenarioResult struct {
	scenario
	load loadResult
	// Work per request, warm-up included: transactions (pool acquires), SQL statements
	// (BEGIN and COMMIT included), Redis commands.
	txPerReq, sqlPerReq, redisPerReq float64
	// With -explain, warm-up included: the costliest statements, and the CPU used.
	statements []stmtTime
	cpu        cpuUse
}

func run() error {
	o, err := parseOptions()
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	// Fail fast on a filter that matches nothing, before the minute of set-up.
	selected, err := selectScenarios(fixture{}, o.filter)
	if err != nil {
		return err
	}
	if len(selected) == 0 && !o.wantImport() && !o.wantTimers() && !o.wantHandoff() && !o.wantCallbacks() && !o.wantClaimsMonth() && !o.wantCommissionMonth() && !o.wantIssue() {
		return fmt.Errorf("no scenario matches -scenarios %q", o.filter)
	}
	needWarranty, needOrders := o.wantImport(), false
	for _, s := range selected {
		needWarranty = needWarranty || s.warranty
		needOrders = needOrders || s.orders
	}

	// Other work on the machine skews every figure; read it before ours adds to it.
	load := loadAverage()

	// Set-up: a fresh database with the schema, the demo data, pgbench's tables (on Citus,
	// the cluster's distributed database; pgbench's tables are local to the coordinator).
	var db *database
	if o.citus {
		db = citusDatabase(o.citusURL, o.citusAppURL)
	} else {
		progress("creating a database")
		if db, err = createDatabase(ctx, o.databaseURL, o.appUser, o.appPassword); err != nil {
			return err
		}
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if o.keep {
			progress("kept database " + db.name + " (-keep): drop it when done")
			return
		}
		if err := db.drop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}()
	progress("migrating " + db.name)
	if err := db.migrate(ctx); err != nil {
		return err
	}
	var c counters
	var timer *stmtTimer
	if o.explain {
		timer = newStmtTimer()
	}
	pool, err := openAppPool(ctx, db.appURL, o.poolSize, &c, timer)
	if err != nil {
		return err
	}
	defer pool.Close()
	pgb, err := newPgbench(o.pgbenchBin, db.ownerURL)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("pgbench -i -s %d", o.scale))
	if err := pgb.initialize(ctx, o.scale); err != nil {
		return err
	}
	srv, err := startAPI(pool, o.redisURL, &c)
	if err != nil {
		return err
	}
	defer srv.close(context.Background())
	fx, err := newFixture(ctx, pool, srv.url)
	if err != nil {
		return err
	}
	var seeded *seedStats
	if needWarranty {
		progress(fmt.Sprintf("seeding warranty data: %d registrations across %d tenants", o.registrations, o.tenants))
		var st seedStats
		if fx.warranty, st, err = seedWarranty(ctx, db.ownerURL, tenants.NewDB(pool), srv.url, o.tenants, o.registrations, o.keyTenants); err != nil {
			return err
		}
		seeded = &st
		progress(fmt.Sprintf("seeded in %s", st.total().Round(100*time.Millisecond)))
	}
	var ordersTook time.Duration
	if needOrders {
		progress(fmt.Sprintf("seeding order data: %d orders across %d tenants", o.orders, o.orderTenants))
		if fx.orders, ordersTook, err = seedOrders(ctx, db.ownerURL, tenants.NewDB(pool), srv.url, o.orderTenants, o.orders, o.keyTenants, o.largeOrders); err != nil {
			return err
		}
		progress(fmt.Sprintf("seeded in %s", ordersTook.Round(100*time.Millisecond)))
	}
	if selected, err = selectScenarios(fx, o.filter); err != nil {
		return err
	}

	// Baselines: pgbench alone, with the API idle.
	baseRes := map[string]pgbenchResult{}
	for _, b := range baselines() {
		progress(fmt.Sprintf("baseline %s: -c %d for %s", b.label, o.concurrency, o.duration))
		if err := db.settle(ctx); err != nil {
			return err
		}
		if baseRes[b.key], err = pgb.measure(ctx, b, o.concurrency, o.duration); err != nil {
			return err
		}
	}

	// Scenarios: the API under the load generator.
	if o.cpuProfile != "" {
		stop, err := startProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg := loadConfig{Concurrency: o.concurrency, Warmup: o.warmup, Duration: o.duration, Timeout: 30 * time.Second}
	var probe *cpuProbe
	if o.explain {
		probe = newCPUProbe(ctx, db.ownerURL, db.name, srv.rdb)
	}
	var results []scenarioResult
	for _, s := range selected {
		progress(fmt.Sprintf("scenario %s: %d clients for %s after %s warm-up", s.name, o.concurrency, o.duration, o.warmup))
		if err := db.settle(ctx); err != nil {
			return err
		}
		before := c.snapshot(pool)
		var cpu0 cpuUse
		if timer != nil {
			timer.reset()
			cpu0 = probe.sample(ctx)
		}
		lr, err := runLoad(ctx, cfg, s.request)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", s.name, err)
		}
		after := c.snapshot(pool)
		per := func(a, b int64) float64 { return float64(b-a) / float64(max(lr.Total, 1)) }
		res := scenarioResult{scenario: s, load: lr, txPerReq: per(before.acquires, after.acquires),
			sqlPerReq: per(before.sql, after.sql), redisPerReq: per(before.redis, after.redis)}
		if timer != nil {
			res.statements = timer.top(40)
			if cpu1 := probe.sample(ctx); cpu0.ok && cpu1.ok {
				res.cpu = cpuUse{self: cpu1.self - cpu0.self, db: cpu1.db - cpu0.db, redis: cpu1.redis - cpu0.redis, ok: true}
			}
		}
		results = append(results, res)
	}
	// The notification pipeline, if create-order ran: the worker runs what the orders queued
	// (the API only inserts), against the rate create-order took them in.
	var pipe *notifyResult
	for _, r := range results {
		if !strings.HasPrefix(r.name, "create-order") {
			continue
		}
		progress(notifyName + ": the worker runs the jobs create-order queued")
		if err := db.settle(ctx); err != nil {
			return err
		}
		nr, err := measureNotify(ctx, db, r.load.RPS, o.jobWorkers, o.jobPool)
		if err != nil {
			return err
		}
		nr.intakeCPU, nr.intakeReqs = r.cpu, int64(r.load.Total)
		pipe = &nr
		break
	}
	// The floor of create-order, if it ran: the least SQL an intake could send, from pgbench.
	var floor *pgbenchResult
	for _, s := range selected {
		if !strings.HasPrefix(s.name, "create-order") {
			continue
		}
		progress("create-order floor: pgbench runs the least SQL an intake could send")
		if err := db.settle(ctx); err != nil {
			return err
		}
		r, err := measureIntakeFloor(ctx, o.pgbenchBin, db.appURL, fx.warranty, o.concurrency, o.duration)
		if err != nil {
			return fmt.Errorf("create-order floor: %w", err)
		}
		floor = &r
		break
	}
	// The floor of the reports, if they ran: the same SQL from pgbench, no API.
	var repFloor *pgbenchResult
	var repRPS float64
	for _, r := range results {
		if !strings.HasPrefix(r.name, "reports") {
			continue
		}
		progress("reports floor: pgbench runs the reports' own SQL")
		if err := db.settle(ctx); err != nil {
			return err
		}
		f, err := measureReportsFloor(ctx, o.pgbenchBin, db.appURL, fx.orders, o.concurrency, o.duration)
		if err != nil {
			return fmt.Errorf("reports floor: %w", err)
		}
		repFloor, repRPS = &f, r.load.RPS
		break
	}
	var imp *importResult
	if o.wantImport() {
		progress(fmt.Sprintf("%s: COPY baseline (%d runs), then the API import of %d rows", importName, copyRuns, o.importRows))
		r, err := measureImport(ctx, db, fx, o.importRows, srv.rdb)
		if err != nil {
			return err
		}
		imp = &r
	}
	var hand *handoffResult
	if o.wantHandoff() {
		progress(fmt.Sprintf("%s: %d hand-offs one at a time, then %d no-op jobs", handoffName, o.handoffs, o.handoffs))
		r, err := measureHandoff(ctx, db, o.handoffs)
		if err != nil {
			return err
		}
		hand = &r
	}
	var tim *timersResult
	if o.wantTimers() {
		progress(fmt.Sprintf("%s: %d River no-op jobs, then the timers of %d clocks", timersName, o.timers, o.timers))
		r, err := measureTimers(ctx, db, o.timers)
		if err != nil {
			return err
		}
		tim = &r
	}

	var cbs *callbacksResult
	if o.wantCallbacks() {
		progress(fmt.Sprintf("%s: %d completed orders, the selection alone, then the run", callbacksName, o.callbackOrders))
		r, err := measureCallbacks(ctx, db, o.callbackOrders)
		if err != nil {
			return err
		}
		cbs = &r
	}

	var iss *issueResult
	if o.wantIssue() {
		progress(fmt.Sprintf("%s: %d clients for %s after %s warm-up, then its floor by pgbench, then the drain", issueName, o.concurrency,
			o.duration, o.warmup))
		r, err := measureIssueToOrder(ctx, db, o.pgbenchBin, srv.url, fx.apiKey, o.concurrency, o.issueOrders, o.warmup, o.duration)
		if err != nil {
			return err
		}
		iss = &r
	}

	var clm *claimsMonthResult
	if o.wantClaimsMonth() {
		progress(fmt.Sprintf("%s: %d audited orders, the SQL alone, then the generation", claimsMonthName, o.claimsOrders))
		r, err := measureClaimsMonth(ctx, db, o.claimsOrders)
		if err != nil {
			return err
		}
		clm = &r
	}

	var cms *commissionMonthResult
	if o.wantCommissionMonth() {
		progress(fmt.Sprintf("%s: %d audited orders, the SQL alone, then each order's pay", commissionMonthName, o.commissionOrders))
		r, err := measureCommissionMonth(ctx, db, o.commissionOrders)
		if err != nil {
			return err
		}
		cms = &r
	}

	var version string
	if err := pool.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return err
	}
	if o.citus {
		var citus string
		var workers, shards int
		if err := pool.QueryRow(ctx, `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'citus'),
			(SELECT count(*) FROM pg_dist_node WHERE shouldhaveshards AND groupid <> 0)::int,
			(SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'outlets'::regclass)::int`).Scan(&citus, &workers, &shards); err != nil {
			return fmt.Errorf("read the cluster: %w", err)
		}
		version += fmt.Sprintf(" with Citus %s (coordinator and %d workers on this machine, %d shards a table)", citus, workers, shards)
	}
	fmt.Printf("bench: %d CPUs (GOMAXPROCS %d, load average %s before the run, %s after), PostgreSQL %s, %d clients, %s per run, API pool %d connections\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), load, loadAverage(), version, o.concurrency, o.duration, o.poolSize)
	if seeded != nil {
		reportSeed(os.Stdout, *seeded, o.tenants, len(fx.warranty.keys))
	}
	if needOrders {
		reportOrders(os.Stdout, fx.orders, ordersTook)
	}
	fmt.Println()
	report(os.Stdout, o.concurrency, baseRes, results)
	if floor != nil {
		fmt.Printf("\nfloor of create-order: the least SQL of an intake (set the tenant, read the unit, take the number, write the order,\n"+
			"  a timeline entry, an event and a job in one transaction), run by pgbench as the app role, no API: %.0f tps, %.3f of tpcb-like\n",
			floor.TPS, floor.TPS/baseRes["pgbench-tpcb"].TPS)
	}
	if repFloor != nil {
		fmt.Printf("\nfloor of reports: the same SQL as the reports' requests (set the tenant; the orders report's five daily series,\n"+
			"  the SLA report's totals and series, or the backlog's snapshot; the roll-up's date), run by pgbench as the app role,\n"+
			"  no API: %.0f tps; the reports scenario reaches %.3f of it\n", repFloor.TPS, repRPS/repFloor.TPS)
	}
	if pipe != nil {
		fmt.Println()
		reportNotify(os.Stdout, *pipe)
	}
	if imp != nil {
		fmt.Println()
		reportImport(os.Stdout, *imp)
	}
	if hand != nil {
		fmt.Println()
		reportHandoff(os.Stdout, *hand)
	}
	if tim != nil {
		fmt.Println()
		reportTimers(os.Stdout, *tim)
	}
	if cbs != nil {
		fmt.Println()
		reportCallbacks(os.Stdout, *cbs)
	}
	if clm != nil {
		fmt.Println()
		reportClaimsMonth(os.Stdout, *clm)
	}
	if cms != nil {
		fmt.Println()
		reportCommissionMonth(os.Stdout, *cms)
	}
	if iss != nil {
		fmt.Println()
		reportIssue(os.Stdout, *iss)
	}
	return errors.Join(checkErrors(results), checkImport(imp), checkTimers(tim), checkNotify(pipe), checkIssue(iss))
}

// selectScenarios returns the scenarios whose name matches filter (maybe none: the filter
// may select only the import), checking that every scenario names a known baseline.
func selectScenarios(fx fixture, filter *regexp.Regexp) ([]scenario, error) {
	known := map[string]bool{}
	for _, b := range baselines() {
		known[b.key] = true
	}
	var selected []scenario
	for _, s := range scenarios(fx) {
		if !known[s.baseline] {
			return nil, fmt.Errorf("scenario %q: unknown baseline %q", s.name, s.baseline)
		}
		if filter.MatchString(s.name) {
			selected = append(selected, s)
		}
	}
	return selected, nil
}

// report prints the baselines, then one line per scenario: the ratio to its baseline and
// the latencies first (the headline), then the bare throughput and the API's work per
// request (supplemental, for finding where the time goes).
func report(w io.Writer, clients int, base map[string]pgbenchResult, results []scenarioResult) {
	for _, b := range baselines() {
		r := base[b.key]
		failed := ""
		if r.Failed > 0 {
			failed = fmt.Sprintf(", %d failed", r.Failed)
		}
		fmt.Fprintf(w, "baseline %-16s %-20s (c=%d): %7.0f tps, avg %s%s\n", b.key, b.label, clients, r.TPS, ms(r.AvgLatency), failed)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tratio\tto baseline\tp50\tp99\t\trps\ttx/req\tsql/req\tredis/req\terrors\ttarget")
	for _, r := range results {
		ratio := r.load.RPS / base[r.baseline].TPS
		fmt.Fprintf(tw, "%s\t%.3f\t%s\t%s\t%s\t\t%.0f\t%.1f\t%.1f\t%.1f\t%d\t%s\n", r.name, ratio, r.baseline,
			ms(r.load.P50), ms(r.load.P99), r.load.RPS, r.txPerReq, r.sqlPerReq, r.redisPerReq, r.load.Errors, verdict(ratio, r.target)+p99Verdict(r.load.P99, r.p99))
	}
	tw.Flush()
	for _, r := range results {
		if len(r.statements) == 0 && !r.cpu.ok {
			continue
		}
		n := time.Duration(max(r.load.Total, 1))
		fmt.Fprintf(w, "\n%s (warm-up included)\n", r.name)
		if r.cpu.ok {
			fmt.Fprintf(w, "  CPU per request: API process (with the load generator) %s, database backends %s, Redis server %s\n",
				us(r.cpu.self/n), us(r.cpu.db/n), us(r.cpu.redis/n))
		}
		if len(r.statements) == 0 {
			continue
		}
		fmt.Fprintln(w, "  statements per request (client side, round trip included):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range r.statements {
			fmt.Fprintf(tw, "    %s\t%.2f/req\tavg %s\t%s/req\n", s.label, float64(s.count)/float64(n),
				ms(s.total/time.Duration(max(s.count, 1))), ms(s.total/n))
		}
		tw.Flush()
	}
}

// checkErrors reports failed requests and fails the run if a scenario's error rate is too
// high.
func checkErrors(results []scenarioResult) error {
	var errs []error
	for _, r := range results {
		for _, s := range r.load.Samples {
			fmt.Fprintf(os.Stderr, "bench: %s: %s\n", r.name, s)
		}
		if rate := r.load.ErrorRate(); rate > maxErrorRate {
			errs = append(errs, fmt.Errorf("scenario %s: %.1f%% of requests failed (limit %.0f%%)", r.name, 100*rate, 100*maxErrorRate))
		}
	}
	return errors.Join(errs...)
}

// ms formats a latency in milliseconds with two decimals, which suits the sub-millisecond
// to tens-of-milliseconds range seen here.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// us formats a duration in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

// progress tells the user what the run is doing; stdout stays for results.
func progress(msg string) { fmt.Fprintln(os.Stderr, "bench:", msg) }

// startProfile starts a CPU profile written to path; the returned function ends it.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// loadAverage returns the one-minute load average from /proc/loadavg, or "unknown" where
// there is none: a high value means other processes competed for the CPUs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// verdict says whether a ratio meets its target ("" without one).
// p99Verdict says whether a latency target was met (none when target is 0).
func p99Verdict(p99, target time.Duration) string {
	switch {
	case target == 0:
		return ""
	case p99 <= target:
		return fmt.Sprintf("p99 <= %s: met", target)
	}
	return fmt.Sprintf("p99 <= %s: MISSED", target)
}

func verdict(ratio, target float64) string {
	switch {
	case target == 0:
		return ""
	case ratio >= target:
		return fmt.Sprintf(">= %.2g: met", target)
	}
	return fmt.Sprintf(">= %.2g: MISSED", target)
}

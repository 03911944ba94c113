package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// database is the throwaway database of one run, created by the superuser and dropped at
// the end; pgbench's tables and the product's schema live side by side in it.
type database struct {
	name     string
	adminURL string // superuser, maintenance database (to create and drop)
	ownerURL string // superuser, this database: migrations and pgbench
	appURL   string // application login role (NOBYPASSRLS), this database: the API
}

// createDatabase makes a fresh bench_<random> database owned by the superuser.
func createDatabase(ctx context.Context, adminURL, appUser, appPassword string) (*database, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	d := &database{name: "bench_" + hex.EncodeToString(suffix), adminURL: adminURL}
	owner := *u
	owner.Path = "/" + d.name
	d.ownerURL = owner.String()
	app := owner
	app.User = url.UserPassword(appUser, appPassword)
	d.appURL = app.String()

	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect as superuser: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+d.name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", d.name, err)
	}
	return d, nil
}

// citusDatabase is the distributed database of the Citus cluster scripts/bench.sh started,
// migrated and distributed (BENCH_CITUS=1). The run seeds into it and leaves it: the script
// removes the whole cluster.
func citusDatabase(superURL, appURL string) *database {
	return &database{name: "aftersales (Citus)", ownerURL: superURL, appURL: appURL}
}

// drop removes the database, ending any sessions still connected to it (a Citus cluster's
// is left to the script that started the cluster).
func (d *database) drop(ctx context.Context) error {
	if d.adminURL == "" {
		return nil
	}
	conn, err := pgx.Connect(ctx, d.adminURL)
	if err != nil {
		return fmt.Errorf("connect as superuser: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", d.name, err)
	}
	return nil
}

// settle vacuums and checkpoints the database so that each measured run starts from the
// same state: without it, the run after tpcb-like pays for autovacuum of pgbench's dead
// rows and for the checkpoint flushing what tpcb-like dirtied.
func (d *database) settle(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, d.ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{"VACUUM (ANALYZE)", "CHECKPOINT"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("settle: %s: %w", stmt, err)
		}
	}
	return nil
}

// migrate applies the product's schema as the superuser (which also grants the
// application role its access).
func (d *database) migrate(ctx context.Context) error {
	pool, err := pgxpool.New(ctx, d.ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer pool.Close()
	return migrate.Up(ctx, pool)
}

// counters count the work the API does for the database and Redis, so that a scenario
// can report round trips per request next to its throughput.
type counters struct {
	sql   atomic.Int64 // statements sent by the application pool (BEGIN and COMMIT included)
	redis atomic.Int64 // commands sent to Redis
}

// snapshot is the counters at one moment, with the pool's acquire count (one per
// transaction the API opens).
type snapshot struct{ sql, redis, acquires int64 }

// snapshot reads the counters and the pool's acquire count.
func (c *counters) snapshot(pool *pgxpool.Pool) snapshot {
	return snapshot{sql: c.sql.Load(), redis: c.redis.Load(), acquires: pool.Stat().AcquireCount()}
}

// sqlTracer counts statements and, with a timer (-statements), times them by label; it
// implements pgx.QueryTracer and pgx.BatchTracer (each statement of a pipelined batch
// counts; the batch is timed as one round trip, labelled by its last statement).
type sqlTracer struct {
	c *counters
	t *stmtTimer // nil: count only
}

func (t sqlTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.c.sql.Add(1)
	if t.t != nil {
		return context.WithValue(ctx, traceKey{}, traceStart{stmtLabel(d.SQL), time.Now()})
	}
	return ctx
}

func (t sqlTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if s, ok := ctx.Value(traceKey{}).(traceStart); ok && t.t != nil {
		t.t.add(s.label, time.Since(s.at))
	}
}

func (t sqlTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	if t.t != nil && d.Batch != nil && len(d.Batch.QueuedQueries) > 0 {
		last := d.Batch.QueuedQueries[len(d.Batch.QueuedQueries)-1].SQL
		return context.WithValue(ctx, traceKey{}, traceStart{"batch: " + stmtLabel(last), time.Now()})
	}
	return ctx
}

func (t sqlTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	t.c.sql.Add(1)
}

func (t sqlTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	if s, ok := ctx.Value(traceKey{}).(traceStart); ok && t.t != nil {
		t.t.add(s.label, time.Since(s.at))
	}
}

// redisCounter counts commands; it implements redis.Hook.
type redisCounter struct{ c *counters }

func (h redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.c.redis.Add(1)
		return next(ctx, cmd)
	}
}

func (h redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.c.redis.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// openAppPool connects as the application role with maxConns connections, counting
// statements into c (and timing them into timer unless it is nil). It refuses a role that bypasses row-level security: the benchmark
// must pay what production pays.
func openAppPool(ctx context.Context, appURL string, maxConns int, c *counters, timer *stmtTimer) (*pgxpool.Pool, error) {
	pool, err := platform.NewPool(ctx, appURL, func(cfg *pgxpool.Config) {
		cfg.MaxConns = int32(maxConns)
		cfg.ConnConfig.Tracer = sqlTracer{c: c, t: timer}
	})
	if err != nil {
		return nil, fmt.Errorf("connect as app role: %w", err)
	}
	var bypass, super bool
	err = pool.QueryRow(ctx, `SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&bypass, &super)
	if err == nil && (bypass || super) {
		err = errors.New("the app role bypasses row-level security (superuser or BYPASSRLS); use a member of aftersales_app")
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// apiServer is the API served in-process on a loopback TCP port, so the load generator's
// requests cross the network stack as pgbench's do.
type apiServer struct {
	url  string
	srv  *http.Server
	rdb  *redis.Client
	stop func() // closes the Redis client
}

// startAPI builds the API as cmd/aftersales does, with rate limits far above what the
// benchmark can reach (so they cost their Redis round trips but never refuse) and a
// logger that drops everything below errors (a log line per request would dominate).
func startAPI(pool *pgxpool.Pool, redisURL string, c *counters) (*apiServer, error) {
	rdb, stop, err := platform.OpenRedis(redisURL)
	if err != nil {
		return nil, err
	}
	rdb.AddHook(redisCounter{c})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// The limits are raised so that the load, all from 127.0.0.1 and on few tenants and
	// keys, is never refused; every request still pays its rate-limit commands to Redis.
	cfg := platform.Config{SessionTTL: time.Hour, RateTenantPerSecond: 1_000_000, RateKeyPerSecond: 1_000_000,
		RatePublicPerMinute: 1_000_000_000, RateLoginIPPerMinute: 1_000_000, OTPPerHour: 5, MaxBodyBytes: 1 << 20}
	reg := prometheus.NewRegistry()
	limiter := platform.NewLimiter(rdb, log, reg)
	tdb := tenants.NewDB(pool)
	authSvc := auth.NewService(tdb, limiter, auth.NewDevSender(log), log,
		auth.Options{SessionTTL: cfg.SessionTTL, OTPPerHour: cfg.OTPPerHour,
			LoginPerMinute: cfg.RateLoginPerMinute, LoginIPPerMinute: cfg.RateLoginIPPerMinute})
	// Insert-only, as in cmd/aftersales' API process: imports queue their job in the upload's
	// transaction; the worker (startWorker) runs on a pool of its own.
	jobClient, err := jobs.NewClient(pool, tdb, log, false)
	if err != nil {
		stop()
		return nil, err
	}
	ow := orders.Wire(cfg.PublicURL, jobClient)
	handler := api.New(api.Deps{DB: tdb, Auth: authSvc, Limiter: limiter, Redis: rdb, Log: log, Registry: reg, Config: cfg,
		Jobs: jobClient, Orders: ow.Service, History: ow.History, Limits: ow.Limits})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stop()
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &apiServer{url: "http://" + ln.Addr().String(), srv: srv, rdb: rdb, stop: stop}, nil
}

// close shuts the server down and releases Redis.
func (a *apiServer) close(ctx context.Context) {
	_ = a.srv.Shutdown(ctx)
	a.stop()
}

// newFixture seeds the demo network and obtains the credentials scenarios use, through
// the API itself: a session from POST /v1/auth/login and an API key from POST /v1/api-keys.
func newFixture(ctx context.Context, pool *pgxpool.Pool, baseURL string) (fixture, error) {
	fx := fixture{baseURL: baseURL}
	if _, err := demo.Seed(ctx, tenants.NewDB(pool)); err != nil {
		return fx, fmt.Errorf("seed demo data: %w", err)
	}
	var login struct{ Token string }
	err := postJSON(ctx, baseURL+"/v1/auth/login", "", map[string]string{"email": "admin@breeze.local", "password": demo.Password}, 200, &login)
	if err != nil {
		return fx, fmt.Errorf("log in as the demo admin: %w", err)
	}
	var key struct{ Token string }
	err = postJSON(ctx, baseURL+"/v1/api-keys", login.Token, map[string]string{"name": "bench", "role": "tenant_admin"}, 201, &key)
	if err != nil {
		return fx, fmt.Errorf("create an API key: %w", err)
	}
	fx.session, fx.apiKey = login.Token, key.Token
	return fx, nil
}

// postJSON sends body as JSON and decodes the response into out if the status is want.
func postJSON(ctx context.Context, url, token string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: status %d, want %d: %s", req.URL.Path, resp.StatusCode, want, rb)
	}
	return json.Unmarshal(rb, out)
}

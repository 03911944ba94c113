// Command aftersales runs the product: the API server, the job worker, migrations and the
// demo seed, separately or all in one process for local use.
//
//	aftersales serve              API server
//	aftersales worker             background jobs
//	aftersales migrate up|down|status
//	aftersales seed               load the demo network (idempotent)
//	aftersales dev                migrate, seed, serve and work in one process
//	aftersales openapi            print the OpenAPI document
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/api"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/callbacks"
	"github.com/aftersales/aftersales/internal/claims"
	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/logistics"
	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/returns"
	"github.com/aftersales/aftersales/internal/webhooks"
	"github.com/aftersales/aftersales/tenants"
)

const usage = `usage: aftersales <serve|worker|migrate up|migrate down|migrate status|seed|dev|openapi>`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	cfg, err := platform.LoadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := platform.NewLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, log, os.Args[1:])
	stop()
	if err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg platform.Config, log *slog.Logger, args []string) error {
	switch args[0] {
	case "migrate":
		if len(args) < 2 {
			return errors.New(usage)
		}
		return withOwner(ctx, cfg, func(pool *pgxpool.Pool) error {
			switch args[1] {
			case "up":
				return migrate.Up(ctx, pool)
			case "down":
				return migrate.Down(ctx, pool)
			case "status":
				return migrate.Status(ctx, pool, os.Stdout)
			}
			return errors.New(usage)
		})
	case "seed":
		return withApp(ctx, cfg, log, 0, func(pool *pgxpool.Pool, d *tenants.DB) error {
			logins, err := demo.Seed(ctx, d)
			printLogins(cfg, logins)
			return err
		})
	case "serve":
		return withApp(ctx, cfg, log, 0, func(pool *pgxpool.Pool, d *tenants.DB) error { return serve(ctx, cfg, log, pool, d) })
	case "worker":
		return withApp(ctx, cfg, log, jobs.PoolConns(cfg.JobWorkers), func(pool *pgxpool.Pool, d *tenants.DB) error { return work(ctx, cfg, log, pool, d) })
	case "dev":
		if err := withOwner(ctx, cfg, func(pool *pgxpool.Pool) error { return migrate.Up(ctx, pool) }); err != nil {
			return err
		}
		// Local use: webhooks may target receivers on this machine or network.
		cfg.WebhookAllowPrivate = true
		// One process serves and works: the worker's connections plus the API's.
		return withApp(ctx, cfg, log, jobs.PoolConns(cfg.JobWorkers)+int32(runtime.NumCPU()), func(pool *pgxpool.Pool, d *tenants.DB) error {
			logins, err := demo.Seed(ctx, d)
			if err != nil {
				return err
			}
			go func() {
				if err := work(ctx, cfg, log, pool, d); err != nil {
					log.Error("worker stopped", "err", err)
				}
			}()
			time.AfterFunc(300*time.Millisecond, func() { printLogins(cfg, logins) })
			return serve(ctx, cfg, log, pool, d)
		})
	case "openapi":
		reg := prometheus.NewRegistry()
		ow := orders.Wire(cfg.PublicURL, nil)
		s := api.New(api.Deps{Log: log, Registry: reg, Config: cfg, Orders: ow.Service, History: ow.History, Limits: ow.Limits})
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s.OpenAPI())
	}
	return errors.New(usage)
}

func withOwner(ctx context.Context, cfg platform.Config, fn func(*pgxpool.Pool) error) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL (the owner role, for migrations) is not set")
	}
	pool, err := platform.NewPool(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer pool.Close()
	return fn(pool)
}

// withApp connects as the application role and refuses to run with a role that could
// bypass row-level security. conns, when more than pgxpool's default, sizes the pool (a
// worker's: jobs.PoolConns) unless APP_DATABASE_URL sets pool_max_conns itself.
func withApp(ctx context.Context, cfg platform.Config, log *slog.Logger, conns int32, fn func(*pgxpool.Pool, *tenants.DB) error) error {
	if cfg.AppDatabaseURL == "" {
		return errors.New("APP_DATABASE_URL (the application role) is not set")
	}
	pool, err := platform.NewPool(ctx, cfg.AppDatabaseURL, sizePool(cfg.AppDatabaseURL, conns))
	if err != nil {
		return fmt.Errorf("connect as app role: %w", err)
	}
	defer pool.Close()
	var super, bypass bool
	if err := pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass); err != nil {
		return fmt.Errorf("check app role: %w", err)
	}
	if super || bypass {
		return errors.New("APP_DATABASE_URL connects as a superuser or BYPASSRLS role: tenant isolation would not hold; use a member of aftersales_app")
	}
	d := tenants.NewDB(pool).WithPlatformAudit(platformAudit(log, nil)).
		WithOutageLog(platform.NewOutage(log, "database", time.Minute))
	return fn(pool, d)
}

// sizePool raises a pool to conns connections unless url sets pool_max_conns (the
// operator's word wins) or pgxpool's default is already larger.
func sizePool(url string, conns int32) func(*pgxpool.Config) {
	return func(c *pgxpool.Config) {
		if conns > c.MaxConns && !strings.Contains(url, "pool_max_conns") {
			c.MaxConns = conns
		}
	}
}

// platformAudit records a use of the platform door: a debug log line with its purpose and,
// with calls set, a count per purpose on /metrics.
func platformAudit(log *slog.Logger, calls *prometheus.CounterVec) tenants.PlatformAudit {
	return func(ctx context.Context, purpose string) {
		if calls != nil {
			calls.WithLabelValues(purpose).Inc()
		}
		log.DebugContext(ctx, "platform door", "purpose", purpose)
	}
}

func serve(ctx context.Context, cfg platform.Config, log *slog.Logger, pool *pgxpool.Pool, d *tenants.DB) error {
	rdb, stopRedis, err := platform.OpenRedis(cfg.RedisURL)
	if err != nil {
		return err
	}
	defer stopRedis()
	if cfg.RedisURL == "" {
		log.Warn("REDIS_URL is unset: using an in-process Redis (rate limits are per process)")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aftersales_platform_calls_total",
		Help: "Uses of the cross-tenant platform door (tenants.DB.Platform, PlatformRead), by purpose"}, []string{"purpose"})
	reg.MustRegister(calls)
	d.WithPlatformAudit(platformAudit(log, calls))
	limiter := platform.NewLimiter(rdb, log, reg).WithPrefix(cfg.RedisPrefix)
	authSvc := auth.NewService(d, limiter, auth.NewDevSender(log), log,
		auth.Options{SessionTTL: cfg.SessionTTL, DeviceSessionTTL: cfg.DeviceSessionTTL, OTPPerHour: cfg.OTPPerHour,
			LoginPerMinute: cfg.RateLoginPerMinute, LoginIPPerMinute: cfg.RateLoginIPPerMinute})
	bill := newBilling(cfg, log, d)
	jobClient, err := jobs.NewClient(pool, d, log, false, bill.Consumer())
	if err != nil {
		return err
	}
	ow := orders.Wire(cfg.PublicURL, jobClient)
	s := api.New(api.Deps{DB: d, Auth: authSvc, Limiter: limiter, Redis: rdb, Log: log, Registry: reg, Config: cfg, Jobs: jobClient,
		Orders: ow.Service, History: ow.History, Limits: ow.Limits, Billing: bill,
		Carriers: logistics.Carriers{logistics.DevCode: logistics.Dev{Secret: cfg.CarrierDevSecret}}})
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", cfg.HTTPAddr)
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// newBilling builds the Stripe billing service from the configuration.
func newBilling(cfg platform.Config, log *slog.Logger, d *tenants.DB) *billing.Service {
	return billing.New(d, log, billing.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret,
		APIBase: cfg.StripeAPIBase, PublicURL: cfg.PublicURL, Grace: cfg.BillingGrace,
		GraceReminder: cfg.BillingGraceReminder})
}

// consumers are the parts of the product that react to events in the worker.
func consumers(cfg platform.Config, log *slog.Logger, d *tenants.DB) ([]events.Consumer, error) {
	providers, err := notify.NewProviders(notify.Config{SMTPURL: cfg.SMTPURL, SMTPFrom: cfg.SMTPFrom, SMSURL: cfg.SMSURL,
		SMSKey: cfg.SMSKey}, notify.NewDevProvider(log))
	if err != nil {
		return nil, err
	}
	if cfg.SMTPURL == "" || cfg.SMSURL == "" {
		log.Warn("SMTP_URL or SMS_URL is unset: those messages are logged, not sent (development provider)")
	}
	bill := newBilling(cfg, log, d)
	return []events.Consumer{
		bill.Consumer(),
		// Advance exchanges' deadlines: the hold charged when the old unit is not back.
		&returns.Worker{DB: d, Payments: bill, Log: log},
		notify.New(d, log, providers),
		webhooks.New(d, log, webhooks.Options{AllowPrivate: cfg.WebhookAllowPrivate, Timeout: cfg.WebhookTimeout}),
		orders.Hooks{PublicURL: cfg.PublicURL},
		// Engineers' pay on audited orders, outlets' penalties for broken promises.
		commission.Consumer{DB: d, Log: log},
		// The daily callback sampling; the events it emits go with the worker's own client.
		callbacks.Consumer{DB: d, Log: log, Service: &callbacks.Service{Jobs: network.ContextJobs{}, PublicURL: cfg.PublicURL,
			Complaints: callbacks.ComplaintQuery{}}},
		// The partner network: deliveries between tenants, and received jobs' progress
		// reported to their senders. Jobs it queues go with the worker's own client.
		partnerNetwork(cfg, log, d),
	}, nil
}

// partnerNetwork is the network service of the worker, with the warranty claims' messages
// among those it applies.
func partnerNetwork(cfg platform.Config, log *slog.Logger, d *tenants.DB) *network.Service {
	n := network.New(d, network.ContextJobs{}, orders.Wire(cfg.PublicURL, network.ContextJobs{}).Service, log)
	claims.New(n, network.ContextJobs{}, log)
	return n
}

func work(ctx context.Context, cfg platform.Config, log *slog.Logger, pool *pgxpool.Pool, d *tenants.DB) error {
	cs, err := consumers(cfg, log, d)
	if err != nil {
		return err
	}
	client, err := jobs.NewClientWith(pool, d, log, true, jobs.Capacity{DefaultWorkers: cfg.JobWorkers}, cs...)
	if err != nil {
		return err
	}
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return client.Stop(stop)
}

func printLogins(cfg platform.Config, logins []demo.Login) {
	u := cfg.PublicURL
	fmt.Printf("\n  aftersales is running\n\n    Web app    %s/console/\n    Engineers  %s/field/ (phone app)\n"+
		"    Consumers  %s/my/%s/ (portal and warranty check)\n    API        %s/v1\n    API docs   %s/docs\n"+
		"    OpenAPI    %s/openapi.json\n    Metrics    %s/metrics\n\n  Demo logins (password %q):\n",
		u, u, u, demo.BrandSlug, u, u, u, u, demo.Password)
	for _, l := range logins {
		fmt.Printf("    %-28s %-26s %s\n", l.Email, l.Role, l.Tenant)
	}
	fmt.Printf("\n  Sign in:  curl -s -X POST %s/v1/auth/login -H 'Content-Type: application/json' -d '{\"email\":\"admin@breeze.local\",\"password\":\"%s\"}'\n\n", cfg.PublicURL, demo.Password)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/network"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// handoffName is the hand-off measurement's name in the report and for -scenarios.
const handoffName = "handoff-latency"

// handoffResult is the partner network's hand-off latency: from the commit of a brand's
// hand-off to the provider's order existing, one hand-off at a time, against a job's own
// latency (a no-op job from its commit to its run) on the same worker.
type handoffResult struct {
	handoffs []time.Duration // sorted
	pings    []time.Duration // sorted: the baseline
}

// pingArgs is the baseline's job: it does nothing but say it ran.
type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "bench_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	ran chan int
}

func (w *pingWorker) Work(_ context.Context, job *river.Job[pingArgs]) error {
	w.ran <- job.Args.N
	return nil
}

// measureHandoff onboards a brand and a service provider with an agreement in force,
// starts the product's worker (the partner network as its consumer, the default queue as
// `aftersales worker` runs it) and hands n orders off one at a time, polling the provider's
// side every millisecond for the job; then n no-op jobs, each timed from its commit to its
// run, as the baseline (a hand-off is at least one job: its delivery).
func measureHandoff(ctx context.Context, d *database, n int) (handoffResult, error) {
	var r handoffResult
	pool, err := platform.NewPool(ctx, d.appURL, func(c *pgxpool.Config) { c.MaxConns = jobs.PoolConns(0) })
	if err != nil {
		return r, fmt.Errorf("%s: connect: %w", handoffName, err)
	}
	defer pool.Close()
	tdb := tenants.NewDB(pool)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg, err := jobs.NewConfig(tdb, log, true, network.New(tdb, network.ContextJobs{}, orders.Wire("", network.ContextJobs{}).Service, log))
	if err != nil {
		return r, err
	}
	ping := &pingWorker{ran: make(chan int, 1)}
	river.AddWorker(cfg.Workers, ping)
	cfg.PeriodicJobs = nil
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return r, err
	}
	if err := client.Start(ctx); err != nil {
		return r, err
	}
	defer func() { _ = client.Stop(context.Background()) }()
	nw := network.New(tdb, client, orders.Wire("", client).Service, log)

	u := platform.NewID().String()[:8]
	onboard := func(kind string) (uuid.UUID, error) {
		tn, _, err := tdb.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "bench-" + kind[:5] + "-" + u, Name: "Bench " + kind,
			Kind: kind, Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: kind + "-" + u + "@bench.test",
			AdminName: "Bench", AdminPasswordHash: "x"})
		return tn.ID, err
	}
	brand, err := onboard("brand")
	if err != nil {
		return r, fmt.Errorf("onboard the brand: %w", err)
	}
	provider, err := onboard("service_provider")
	if err != nil {
		return r, fmt.Errorf("onboard the provider: %w", err)
	}
	in := func(tenant uuid.UUID, fn func(tx *tenants.Tx) error) error {
		return tdb.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, fn)
	}
	until := func(what string, ok func() (bool, error)) error {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
			done, err := ok()
			if err != nil || done {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: not within 30 s", what)
			}
		}
	}
	var ag network.Agreement
	if err := in(brand, func(tx *tenants.Tx) (err error) {
		ag, err = nw.Propose(ctx, tx, network.ProposeInput{PartnerTenantID: provider, Role: network.RolePrincipal, Terms: network.Terms{
			Currency: "CNY", LabourRates: []network.LabourRate{{OrderType: "repair_minor", EngineerLevel: 1, Amount: 8000}},
			Parts: network.PartsPricing{Basis: "markup", MarkupPercent: 10}, VisitFee: 3000,
			Contact: network.ContactSharing{Name: network.ShareFull, Phone: network.ShareMasked, Address: network.ShareMasked}, ValidFrom: "2020-01-01"}})
		return err
	}); err != nil {
		return r, fmt.Errorf("propose: %w", err)
	}
	if err := until("the provider's copy of the agreement", func() (bool, error) {
		err := in(provider, func(tx *tenants.Tx) error { _, err := network.Get(ctx, tx, ag.ID); return err })
		return err == nil, nil
	}); err != nil {
		return r, err
	}
	if err := in(provider, func(tx *tenants.Tx) error { _, err := nw.Accept(ctx, tx, ag.ID); return err }); err != nil {
		return r, fmt.Errorf("accept: %w", err)
	}
	if err := until("the brand's acceptance", func() (bool, error) {
		var a network.Agreement
		err := in(brand, func(tx *tenants.Tx) (err error) { a, err = network.Get(ctx, tx, ag.ID); return err })
		return a.Status == network.StatusActive, err
	}); err != nil {
		return r, err
	}

	// The brand's orders, open, each with a customer.
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = platform.NewID()
	}
	if err := in(brand, func(tx *tenants.Tx) error {
		customer := platform.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name, phone) VALUES (app.tenant_id(), $1, '王小明', '13812345678')`, customer); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, tracking_token)
			SELECT app.tenant_id(), id, 'SO-H-' || n, 'repair_minor', 'carry_in', 'phone', 'waiting', $2, 'trk_' || id::text
			FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`, ids, customer)
		return err
	}); err != nil {
		return r, fmt.Errorf("the brand's orders: %w", err)
	}
	for _, id := range ids {
		var job network.PartnerJob
		if err := in(brand, func(tx *tenants.Tx) (err error) {
			job, err = nw.HandOff(ctx, tx, id, network.HandOffInput{AgreementID: ag.ID})
			return err
		}); err != nil {
			return r, fmt.Errorf("hand off: %w", err)
		}
		sent := time.Now()
		if err := until("the provider's order", func() (bool, error) {
			var one int
			err := in(provider, func(tx *tenants.Tx) error {
				return tx.QueryRow(ctx, `SELECT 1 FROM network_jobs WHERE tenant_id = app.tenant_id() AND direction = 'received' AND id = $1`, job.ID).Scan(&one)
			})
			if errors.Is(err, pgx.ErrNoRows) {
				return false, nil
			}
			return err == nil, err
		}); err != nil {
			return r, err
		}
		r.handoffs = append(r.handoffs, time.Since(sent))
	}
	for i := range n {
		if err := in(brand, func(tx *tenants.Tx) error {
			_, err := tx.Insert(ctx, client, pingArgs{N: i}, nil)
			return err
		}); err != nil {
			return r, fmt.Errorf("ping: %w", err)
		}
		sent := time.Now()
		select {
		case <-ping.ran:
		case <-time.After(30 * time.Second):
			return r, errors.New("a no-op job did not run within 30 s")
		}
		r.pings = append(r.pings, time.Since(sent))
	}
	slices.Sort(r.handoffs)
	slices.Sort(r.pings)
	return r, nil
}

// reportHandoff prints the hand-off latency against a job's own.
func reportHandoff(w io.Writer, r handoffResult) {
	p := func(s []time.Duration, q float64) time.Duration { return percentile(s, q).Round(10 * time.Microsecond) }
	fmt.Fprintf(w, "%s: %d hand-offs one at a time, from the brand's commit to the provider's order (received job) existing\n",
		handoffName, len(r.handoffs))
	fmt.Fprintf(w, "  hand-off  p50 %v  p99 %v  max %v\n", p(r.handoffs, 0.5), p(r.handoffs, 0.99), r.handoffs[len(r.handoffs)-1].Round(10*time.Microsecond))
	fmt.Fprintf(w, "  baseline: a no-op job from its commit to its run on the same worker  p50 %v  p99 %v\n", p(r.pings, 0.5), p(r.pings, 0.99))
	fmt.Fprintf(w, "  ratio (hand-off p99 / no-op job p99): %.2f\n", float64(percentile(r.handoffs, 0.99))/float64(max(1, percentile(r.pings, 0.99))))
}

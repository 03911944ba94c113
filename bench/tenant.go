package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// benchTenant is a scenario's own fresh tenant on a pool of the application role (row-level
// security paid for) whose statements are timed: the setup of the month scenarios.
type benchTenant struct {
	pool   *pgxpool.Pool
	db     *tenants.DB
	timer  *stmtTimer // every statement of the pool, client side (round trips included)
	tenant tenants.Tenant
	scope  tenants.Scope // the tenant's, as the system (what the product's workers act as)
	suffix string        // the random part of the slug, for global names (users' addresses)
}

// newBenchTenant connects a pool of 4 connections as the application role and onboards a
// brand named name (slug bench-<code>-<random>, Asia/Shanghai, CNY, zh-CN); label names the
// scope's actor. close releases the pool.
func newBenchTenant(ctx context.Context, d *database, code, name, label string) (*benchTenant, error) {
	b := &benchTenant{timer: newStmtTimer()}
	pool, err := platform.NewPool(ctx, d.appURL, func(pcfg *pgxpool.Config) {
		pcfg.ConnConfig.Tracer = &timingTracer{t: b.timer}
		pcfg.MaxConns = 4
	})
	if err != nil {
		return nil, fmt.Errorf("connect as app role: %w", err)
	}
	b.pool, b.db = pool, tenants.NewDB(pool)
	u := platform.NewID().String()[:8]
	b.suffix = u
	b.tenant, _, err = b.db.Onboard(ctx, tenants.SystemActor, tenants.NewTenant{Slug: "bench-" + code + "-" + u, Name: name, Kind: "brand",
		Timezone: "Asia/Shanghai", Currency: "CNY", Locale: "zh-CN", AdminEmail: code + "-" + u + "@bench.test", AdminName: "Bench",
		AdminPasswordHash: "x"})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("onboard the %s tenant: %w", name, err)
	}
	b.scope = tenants.Scope{TenantID: b.tenant.ID, Actor: tenants.Actor{Kind: "system", Label: label}}
	return b, nil
}

func (b *benchTenant) close() { b.pool.Close() }

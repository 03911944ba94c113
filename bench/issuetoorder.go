package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// issueName is the issue-to-order measurement's name in the report and for -scenarios.
const issueName = "issue-to-order (one hot part, api key)"

// issueTarget is the least ratio to its floor the stock issue asks of the API.
const issueTarget = 0.3

// issueHotStock is the hot part's stock before the run: more than the run issues, so the
// timed run measures issues, not refusals.
const issueHotStock = 10_000_000

// issueDrainStock and issueDrainTries: the drain afterwards, every client issuing a part of
// which issueDrainStock are on hand, issueDrainTries requests in all: exactly the stock is
// issued, the rest refused, none below zero.
const (
	issueDrainStock = 100
	issueDrainTries = 320
)

// issueResult is the measurement: the API under load, its floor by pgbench, the checks.
type issueResult struct {
	clients             int
	orders              int
	load                loadResult
	floor               pgbenchResult
	onHand, journal     int64 // the hot part after the runs, and what its journal sums to
	drainOK, drainOther int   // the drain: issues made, refused (4xx)
	drainServerErrors   int
	drainOnHand         int64
	drainJournal        int64
}

func (r issueResult) ratio() float64 { return r.load.RPS / max(r.floor.TPS, 1e-9) }

// issueFixture is what the load and the floor issue to.
type issueFixture struct {
	tenant, warehouse, hot, drain uuid.UUID
	orders                        []uuid.UUID
}

// measureIssueToOrder sets the demo brand up with a central warehouse, a hot part with
// issueHotStock on hand and nOrders open orders, then: clients issue one unit of the hot
// part at a time to a random order through POST /v1/orders/{id}/parts (the demo brand's
// API key), warm-up then d; pgbench runs the same SQL as the application role for d; the
// hot part's on hand must be the sum of its journal and never below zero (a CHECK refuses
// a negative balance: a breach would be an error of the run); last, the drain.
func measureIssueToOrder(ctx context.Context, d *database, pgbBin, baseURL, apiKey string, clients, nOrders int, warmup, dur time.Duration) (issueResult, error) {
	r := issueResult{clients: clients, orders: nOrders}
	pool, err := platform.NewPool(ctx, d.appURL, func(pcfg *pgxpool.Config) { pcfg.MaxConns = 4 })
	if err != nil {
		return r, fmt.Errorf("connect as app role: %w", err)
	}
	defer pool.Close()
	tdb := tenants.NewDB(pool)
	var fx issueFixture
	if err := pool.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = $1`, demo.BrandSlug).Scan(&fx.tenant); err != nil {
		return r, fmt.Errorf("demo brand: %w", err)
	}
	scope := tenants.Scope{TenantID: fx.tenant, Actor: tenants.Actor{Kind: "system", Label: "issue-to-order bench"}}
	u := platform.NewID().String()[:8]
	if err := tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
		w, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "BENCH-" + u, Name: "Bench central", Kind: "spare_parts"})
		if err != nil {
			return err
		}
		fx.warehouse = w.ID
		for _, p := range []struct {
			id  *uuid.UUID
			no  string
			qty int32
		}{{&fx.hot, "HOT-" + u, issueHotStock}, {&fx.drain, "DRAIN-" + u, issueDrainStock}} {
			part, err := parts.Create(ctx, tx, parts.PartFields{PartNo: p.no, NameZh: "压缩机", NameEn: "Compressor", UnitCost: 12_50,
				OutletPrice: 200_00, ConsumerPrice: 350_00})
			if err != nil {
				return err
			}
			*p.id = part.ID
			if _, _, err := stock.Post(ctx, tx, stock.MovementInput{IdempotencyKey: "bench-receipt-" + p.no, Type: "receipt",
				WarehouseID: w.ID, PartID: part.ID, Qty: p.qty}, uuid.Nil); err != nil {
				return err
			}
		}
		cust := platform.NewID()
		if _, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES ($1, $2, 'Bench customer')`, fx.tenant, cust); err != nil {
			return err
		}
		var ins tenants.MultiInsert
		for i := range nOrders {
			id := platform.NewID()
			fx.orders = append(fx.orders, id)
			if _, err := ins.Exec(ctx, `INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status,
				customer_id, tracking_token) VALUES ($1, $2, $3, 'repair', 'carry_in', 'phone', 'repairing', $4, $5)`,
				fx.tenant, id, fmt.Sprintf("SO-IS-%s-%d", u, i), cust, "trk_"+id.String()); err != nil {
				return err
			}
		}
		_, err = ins.Send(ctx, tx)
		return err
	}); err != nil {
		return r, fmt.Errorf("issue bench set-up: %w", err)
	}
	if err := d.settle(ctx); err != nil {
		return r, err
	}

	// The API.
	var seq atomic.Int64
	issue := func(part uuid.UUID) func(context.Context) (*http.Request, error) {
		return func(ctx context.Context) (*http.Request, error) {
			order := fx.orders[rand.IntN(len(fx.orders))]
			b, err := json.Marshal(map[string]any{"idempotency_key": fmt.Sprintf("bench-%s-%d", u, seq.Add(1)), "warehouse_id": fx.warehouse,
				"part_id": part, "qty": 1, "issue_kind": "in_warranty"})
			if err != nil {
				return nil, err
			}
			return send(http.MethodPost, baseURL+"/v1/orders/"+order.String()+"/parts", apiKey, string(b))(ctx)
		}
	}
	if r.load, err = runLoad(ctx, loadConfig{Concurrency: clients, Warmup: warmup, Duration: dur, Timeout: 30 * time.Second}, issue(fx.hot)); err != nil {
		return r, fmt.Errorf("issue-to-order load: %w", err)
	}

	// The floor: the same SQL, by pgbench as the application role.
	if err := d.settle(ctx); err != nil {
		return r, err
	}
	if r.floor, err = runScript(ctx, pgbBin, d.appURL, "issue-floor", issueFloorScript(fx, u, nOrders), clients, dur); err != nil {
		return r, fmt.Errorf("issue floor: %w", err)
	}

	// The drain: more requests than stock, all clients at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	client := &http.Client{Timeout: 30 * time.Second}
	next := atomic.Int64{}
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= issueDrainTries {
				req, err := issue(fx.drain)(ctx)
				status := 0
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					}
				}
				mu.Lock()
				switch {
				case status >= 200 && status < 300:
					r.drainOK++
				case status >= 400 && status < 500:
					r.drainOther++
				default:
					r.drainServerErrors++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	sums := func(part uuid.UUID) (onHand, journal int64, err error) {
		err = tdb.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT on_hand FROM stock_balances WHERE tenant_id = $1 AND warehouse_id = $2 AND part_id = $3),
				(SELECT coalesce(sum(qty), 0) FROM stock_movements WHERE tenant_id = $1 AND warehouse_id = $2 AND part_id = $3)`,
				fx.tenant, fx.warehouse, part).Scan(&onHand, &journal)
		})
		return onHand, journal, err
	}
	if r.onHand, r.journal, err = sums(fx.hot); err != nil {
		return r, err
	}
	if r.drainOnHand, r.drainJournal, err = sums(fx.drain); err != nil {
		return r, err
	}
	return r, nil
}

// issueFloorScript is what an issue sends to the database, as a pgbench script: one
// transaction that sets the tenant and, as stock.Service.Issue does, reads the order, the
// warehouse, the part and the order's open reservation of it, writes the journal row, takes
// the unit from the balance on the condition that keeps it from going below zero, and
// writes the order's part and its audit entry. No API, credential or Go code around it.
func issueFloorScript(fx issueFixture, u string, nOrders int) string {
	var b strings.Builder
	t, w, p := fx.tenant, fx.warehouse, fx.hot
	fmt.Fprintf(&b, "\\set o random(0, %d)\nBEGIN;\nSET LOCAL app.tenant_id = '%s';\n", nOrders-1, t)
	fmt.Fprintf(&b, `SELECT id AS oid, gen_random_uuid() AS mid, gen_random_uuid() AS pid FROM service_orders
  WHERE tenant_id = '%[1]s' AND number = 'SO-IS-%[4]s-' || :o \gset
SELECT id FROM warehouses WHERE tenant_id = '%[1]s' AND id = '%[2]s';
SELECT id, unit_cost FROM parts WHERE tenant_id = '%[1]s' AND id = '%[3]s';
SELECT id FROM stock_reservations WHERE tenant_id = '%[1]s' AND order_id = :oid::uuid AND warehouse_id = '%[2]s' AND part_id = '%[3]s'
  AND status = 'open' ORDER BY created_at LIMIT 1 FOR UPDATE;
INSERT INTO stock_movements (tenant_id, id, idempotency_key, warehouse_id, part_id, type, issue_kind, qty, unit_cost, order_id,
    order_part_id, posted_on)
  VALUES ('%[1]s', :mid::uuid, 'floor-' || :mid, '%[2]s', '%[3]s', 'issue', 'in_warranty', -1, 1250, :oid::uuid, :pid::uuid, current_date);
UPDATE stock_balances SET on_hand = on_hand - 1, updated_at = now()
  WHERE tenant_id = '%[1]s' AND warehouse_id = '%[2]s' AND part_id = '%[3]s' AND on_hand - reserved >= 1;
INSERT INTO order_parts (tenant_id, id, order_id, warehouse_id, part_id, qty, issue_kind)
  VALUES ('%[1]s', :pid::uuid, :oid::uuid, '%[2]s', '%[3]s', 1, 'in_warranty');
INSERT INTO audit_log (tenant_id, id, actor_kind, action, entity, entity_id, after)
  VALUES ('%[1]s', gen_random_uuid(), 'api_key', 'order_part.issue', 'order_part', :pid::uuid, '{}');
COMMIT;
`, t, w, p, u)
	return b.String()
}

// reportIssue prints the API against its floor, the target, and the checks.
func reportIssue(w io.Writer, r issueResult) {
	verdict := "met"
	if r.ratio() < issueTarget {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "floor    %-16s %-38s: %.0f tps (%d clients, %d failed)\n", "issue-sql", "the same SQL by pgbench as the app role",
		r.floor.TPS, r.clients, r.floor.Failed)
	fmt.Fprintf(w, "%s: %.0f issues/s, p50 %s p99 %s, %d errors; ratio to the floor %.3f, target %.1f %s\n", issueName,
		r.load.RPS, r.load.P50.Round(time.Microsecond), r.load.P99.Round(time.Microsecond), r.load.Errors, r.ratio(), issueTarget, verdict)
	for _, s := range r.load.Samples {
		fmt.Fprintf(w, "  error: %s\n", s)
	}
	fmt.Fprintf(w, "  hot part: on hand %d, journal sums to %d (%s)\n", r.onHand, r.journal, okIf(r.onHand >= 0 && r.onHand == r.journal))
	fmt.Fprintf(w, "  drain: %d on hand, %d requests by %d clients: %d issued, %d refused, %d other; on hand %d, journal %d (%s)\n",
		issueDrainStock, issueDrainTries, r.clients, r.drainOK, r.drainOther, r.drainServerErrors, r.drainOnHand, r.drainJournal,
		okIf(r.drainOK == issueDrainStock && r.drainServerErrors == 0 && r.drainOnHand == 0 && r.drainJournal == 0))
}

func okIf(ok bool) string {
	if ok {
		return "ok"
	}
	return "BROKEN"
}

// checkIssue fails the run when stock went wrong.
func checkIssue(r *issueResult) error {
	if r == nil {
		return nil
	}
	if r.onHand < 0 || r.onHand != r.journal {
		return fmt.Errorf("issue-to-order: the hot part's on hand %d, its journal %d", r.onHand, r.journal)
	}
	if r.drainOK != issueDrainStock || r.drainServerErrors != 0 || r.drainOnHand != 0 || r.drainJournal != 0 {
		return fmt.Errorf("issue-to-order drain: %d issued of %d, %d server errors, on hand %d, journal %d", r.drainOK, issueDrainStock,
			r.drainServerErrors, r.drainOnHand, r.drainJournal)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// intakeFloorScript is the least SQL an order's intake could send, as a pgbench script:
// one transaction of a keyed tenant (as create-order spreads its load) that sets the
// tenant, reads the unit by serial, takes the next number from the tenant's counter, and
// writes the order, one timeline entry, one event and one job. No entitlement decision,
// dispatch, SLA clocks, customer lookup, audit entry or API: what any intake that numbers
// its orders without gaps and keeps a timeline, an event and a job in the same transaction
// must do at the least. As the product does, it sets the tenant with SET LOCAL (which
// Citus carries to the workers) and names it in every statement (which Citus routes by).
func intakeFloorScript(tenantIDs []string, perTenant int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\\set t random(0, %d)\n\\set s random(1, %d)\nBEGIN;\n", len(tenantIDs)-1, perTenant)
	for i, id := range tenantIDs {
		kw := "\\elif"
		if i == 0 {
			kw = "\\if"
		}
		fmt.Fprintf(&b, "%s :t = %d\nSET LOCAL app.tenant_id = '%s';\n", kw, i, id)
	}
	b.WriteString(`\endif
SELECT current_setting('app.tenant_id')::uuid AS tid, gen_random_uuid() AS oid \gset
SELECT r.id AS rid, (SELECT c.id FROM customers c WHERE c.tenant_id = :tid AND c.id = r.buyer_id) AS cid
  FROM registrations r WHERE r.tenant_id = :tid AND r.serial = 'SN' || lpad(:t::text, 3, '0') || lpad(:s::text, 7, '0') \gset
INSERT INTO order_counters (tenant_id, year, last) VALUES (:tid, extract(year FROM now())::int, 1)
  ON CONFLICT (tenant_id, year) DO UPDATE SET last = order_counters.last + 1 RETURNING last \gset
INSERT INTO service_orders (tenant_id, id, number, type_code, flow, channel, status, customer_id, registration_id, serial,
    fault_description, tracking_token)
  VALUES (:tid, :oid::uuid, 'SO-' || extract(year FROM now())::int || '-' || lpad(:last::text, 6, '0'), 'repair_minor',
    'carry_in', 'phone', 'waiting', :cid::uuid, :rid::uuid, 'SN', 'bench: floor', 'trk_' || :oid::text);
INSERT INTO order_events (tenant_id, id, order_id, actor_kind, kind, to_status, public)
  VALUES (:tid, gen_random_uuid(), :oid::uuid, 'api_key', 'created', 'waiting', true);
INSERT INTO events (tenant_id, id, type, subject, subject_id, payload)
  VALUES (:tid, gen_random_uuid(), 'order.created', 'service_order', :oid::uuid, '{}');
INSERT INTO river.river_job (args, kind, max_attempts, priority, queue, state)
  VALUES ('{}', 'bench_floor', 25, 1, 'bench_floor', 'available');
COMMIT;
`)
	return b.String()
}

// measureIntakeFloor runs intakeFloorScript with pgbench as the application role (under
// row-level security, as the API), with prepared statements (as pgx sends them), at the
// scenarios' concurrency.
func measureIntakeFloor(ctx context.Context, bin, appURL string, w warrantyData, clients int, d time.Duration) (pgbenchResult, error) {
	ids, err := tenantIDs(ctx, appURL, w, max(1, len(w.keys)))
	if err != nil {
		return pgbenchResult{}, err
	}
	return runScript(ctx, bin, appURL, "intake-floor", intakeFloorScript(ids, w.perTenant), clients, d)
}

// runScript runs a pgbench script (written to a temporary file) as the role of url, with
// prepared statements (as pgx sends them), at the given concurrency for d.
func runScript(ctx context.Context, bin, url, name, script string, clients int, d time.Duration) (pgbenchResult, error) {
	f, err := os.CreateTemp("", name+"-*.sql")
	if err != nil {
		return pgbenchResult{}, err
	}
	defer os.Remove(f.Name())
	if _, err := io.WriteString(f, script); err != nil {
		f.Close()
		return pgbenchResult{}, err
	}
	if err := f.Close(); err != nil {
		return pgbenchResult{}, err
	}
	p, err := newPgbench(bin, url)
	if err != nil {
		return pgbenchResult{}, err
	}
	return p.measure(ctx, baseline{args: []string{"-f", f.Name(), "-M", "prepared"}}, clients, d)
}

// tenantIDs reads the ids of the first n tenants of the warranty data set.
func tenantIDs(ctx context.Context, url string, w warrantyData, n int) ([]string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("floor: connect: %w", err)
	}
	defer conn.Close(ctx)
	ids := make([]string, n)
	for t := range ids {
		if err := conn.QueryRow(ctx, `SELECT id::text FROM tenants WHERE slug = $1`, w.slug(t)).Scan(&ids[t]); err != nil {
			return nil, fmt.Errorf("floor: tenant %s: %w", w.slug(t), err)
		}
	}
	return ids, nil
}

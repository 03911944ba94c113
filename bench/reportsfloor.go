package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// reportsFloorScript is the SQL the reports scenario's requests run, as a pgbench script:
// one transaction of a keyed tenant of the order data set (as the scenario spreads its
// load) that sets the tenant and reads, a third of the time each, what the orders report
// reads (five metrics per day over 30 or 90 days, and when the figures were rolled up),
// what the SLA report reads (met and breached summed per breakdown and per day) or what
// the backlog reads (today's snapshot). The same statements as the product's queries
// (sql/queries/reports.sql: ReportSeries, ReportTotals, GetReportRollup), prepared, under
// row-level security, without the API: the reports' ratio to it is what the HTTP exchange,
// the credential and the Go code around the SQL cost.
func reportsFloorScript(tenantIDs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\\set t random(0, %d)\n\\set k random(0, 2)\n\\set span random(0, 1)\nBEGIN;\n", len(tenantIDs)-1)
	for i, id := range tenantIDs {
		kw := "\\elif"
		if i == 0 {
			kw = "\\if"
		}
		fmt.Fprintf(&b, "%s :t = %d\nSET LOCAL app.tenant_id = '%s';\n", kw, i, id)
	}
	b.WriteString("\\endif\nSELECT current_setting('app.tenant_id')::uuid AS tid, current_date - (29 + 60 * :span) AS fromday \\gset\n")
	series := func(metric, from string) string {
		return `SELECT r.day, r.dim, r.key, sum(r.value)::bigint AS value FROM report_days r
  WHERE r.tenant_id = :tid AND r.metric = '` + metric + `' AND r.day >= ` + from + ` AND r.day <= current_date
  GROUP BY r.day, r.dim, r.key ORDER BY r.day, r.dim, r.key;
`
	}
	totals := func(metric string) string {
		return `SELECT ''::text AS outlet, r.dim, r.key, sum(r.value)::bigint AS value FROM report_days r
  WHERE r.tenant_id = :tid AND r.metric = '` + metric + `' AND r.day >= :fromday::date AND r.day <= current_date
  GROUP BY 1, r.dim, r.key ORDER BY 1, r.dim, r.key;
`
	}
	b.WriteString("\\if :k = 0\n")
	for _, m := range []string{"orders_in", "closed", "completed", "first_time_fixed", "repeats"} {
		b.WriteString(series(m, ":fromday::date"))
	}
	b.WriteString("\\elif :k = 1\n")
	b.WriteString(totals("sla_met") + totals("sla_breached"))
	b.WriteString(series("sla_met", ":fromday::date") + series("sla_breached", ":fromday::date"))
	b.WriteString("\\else\n")
	b.WriteString(series("backlog", "current_date"))
	b.WriteString("\\endif\nSELECT * FROM report_rollups WHERE tenant_id = :tid;\nCOMMIT;\n")
	return b.String()
}

// measureReportsFloor runs reportsFloorScript with pgbench as the application role, with
// prepared statements, at the scenarios' concurrency, over the keyed tenants of the order
// data set (those whose reports the scenario reads).
func measureReportsFloor(ctx context.Context, bin, appURL string, d orderData, clients int, dur time.Duration) (pgbenchResult, error) {
	conn, err := pgx.Connect(ctx, appURL)
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("reports floor: connect: %w", err)
	}
	ids := make([]string, len(d.keys))
	for t := range ids {
		if err := conn.QueryRow(ctx, `SELECT id::text FROM tenants WHERE slug = $1`, d.slug(t)).Scan(&ids[t]); err != nil {
			conn.Close(ctx)
			return pgbenchResult{}, fmt.Errorf("reports floor: tenant %s: %w", d.slug(t), err)
		}
	}
	conn.Close(ctx)
	if len(ids) == 0 {
		return pgbenchResult{}, fmt.Errorf("reports floor: no keyed order tenant")
	}
	return runScript(ctx, bin, appURL, "reports-floor", reportsFloorScript(ids), clients, dur)
}

package queries

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/sql/schema"
)

func loadTenantTables(t *testing.T) map[string]bool {
	t.Helper()
	names, err := fs.Glob(schema.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	migrations := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(schema.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		migrations[n] = string(b)
	}
	tables, err := tenantTables(migrations)
	if err != nil {
		t.Fatal(err)
	}
	// The reading of the schema itself: a few tables each way.
	for _, tb := range []string{"outlets", "service_orders", "sla_clocks", "purchases", "calendar_days", "events"} {
		if !tables[tb] {
			t.Fatalf("schema: %s not seen as a tenant table", tb)
		}
	}
	for _, tb := range []string{"tenants", "users", "consumers", "sessions", "otp_codes", "platform_plans", "stripe_events", "stripe_routes"} {
		if tables[tb] {
			t.Fatalf("schema: global table %s seen as a tenant table", tb)
		}
	}
	return tables
}

// TestQueriesRouteByTenant: every query on a tenant table names tenant_id = @tenant_id for
// each tenant table it reads or writes (directly or through tenant_id equalities), and every
// INSERT into one takes @tenant_id for tenant_id, so that Citus sends the statement to the
// tenant's shard; row-level security stays the guard. The exceptions are marked
// "-- platform: <reason>" next to their name. app.tenant_id() belongs in policies only.
func TestQueriesRouteByTenant(t *testing.T) {
	t.Parallel()
	tenant := loadTenantTables(t)
	files, err := filepath.Glob("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no query files")
	}
	var routed, global int
	var platform []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for n, line := range strings.Split(text, "\n") {
			if appTenantID.MatchString(line) {
				t.Errorf("%s:%d: app.tenant_id() in a query file: name the tenant as @tenant_id (policies read app.tenant_id())", f, n+1)
			}
		}
		qs, errs := splitQueries(f, text)
		for _, err := range errs {
			t.Error(err)
		}
		for _, q := range qs {
			problems, refs, err := check(q.sql, tenant)
			if err != nil {
				t.Errorf("%s:%d %s: cannot read: %v", q.file, q.line, q.name, err)
				continue
			}
			switch {
			case q.platform != "" && refs == 0:
				t.Errorf("%s:%d %s: needless -- platform: the query touches global tables only", q.file, q.line, q.name)
			case q.platform != "" && len(problems) == 0:
				t.Errorf("%s:%d %s: needless -- platform: the query is routed by @tenant_id", q.file, q.line, q.name)
			case q.platform != "" && locksRows(q.sql):
				t.Errorf("%s:%d %s: FOR UPDATE/SHARE on tenant rows needs tenant_id = @tenant_id (Citus refuses it otherwise)",
					q.file, q.line, q.name)
			case q.platform != "":
				platform = append(platform, q.name+": "+q.platform)
			case refs == 0:
				global++
			case len(problems) > 0:
				for _, p := range problems {
					t.Errorf("%s:%d %s: %s", q.file, q.line, q.name, p)
				}
			default:
				routed++
			}
		}
	}
	sort.Strings(platform)
	t.Logf("%d queries routed by @tenant_id, %d on global tables only, %d platform:\n  %s",
		routed, global, len(platform), strings.Join(platform, "\n  "))
}

// TestCheckFindsUnroutedQueries feeds the check queries that must pass and queries that
// must fail, so that a blind spot of the reader shows here rather than in production.
func TestCheckFindsUnroutedQueries(t *testing.T) {
	t.Parallel()
	tenant := loadTenantTables(t)
	good := map[string]string{
		"by key":           `SELECT * FROM service_orders WHERE tenant_id = @tenant_id AND id = @id`,
		"sqlc.arg":         `SELECT * FROM service_orders o WHERE o.tenant_id = sqlc.arg(tenant_id)::uuid AND o.id = @id`,
		"param first":      `SELECT * FROM service_orders o WHERE @tenant_id = o.tenant_id`,
		"for update":       `SELECT * FROM purchases WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE`,
		"join chain":       `SELECT s.id FROM order_engineers e JOIN service_orders s ON s.tenant_id = e.tenant_id AND s.id = e.order_id LEFT JOIN appointments a ON a.tenant_id = s.tenant_id WHERE e.tenant_id = @tenant_id`,
		"global join":      `SELECT m.id, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = @tenant_id`,
		"correlated":       `SELECT o.id, (SELECT count(*) FROM order_events e WHERE e.tenant_id = o.tenant_id AND e.order_id = o.id) FROM service_orders o WHERE o.tenant_id = @tenant_id`,
		"exists":           `SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = @tenant_id AND user_id = @user_id)::boolean`,
		"union branches":   `SELECT x.id FROM registrations x WHERE x.tenant_id = @tenant_id AND x.id = @id UNION ALL SELECT x.id FROM registrations x WHERE x.tenant_id = @tenant_id AND x.serial = @serial`,
		"insert values":    `INSERT INTO outlets (tenant_id, id, code) VALUES (@tenant_id, @id, @code) RETURNING *`,
		"insert select":    `INSERT INTO import_errors (tenant_id, import_id, row_no, field, message) SELECT @tenant_id::uuid, @import_id, unnest(@r::int[]), '', '' ON CONFLICT (tenant_id, import_id, row_no, field) DO NOTHING`,
		"insert from self": `INSERT INTO policy_versions (tenant_id, policy_id, version) SELECT @tenant_id, @policy_id, coalesce(max(version), 0) + 1 FROM policy_versions WHERE tenant_id = @tenant_id AND policy_id = @policy_id`,
		"update from":      `UPDATE sla_clocks c SET warned_at = now() FROM (SELECT unnest(@o::uuid[]) AS order_id) k WHERE c.tenant_id = @tenant_id AND c.order_id = k.order_id`,
		"cte":              `WITH s AS (SELECT 1 FROM (SELECT 1) one LEFT JOIN sla_settings st ON st.tenant_id = @tenant_id), b AS (UPDATE sla_clocks c SET status = 'breached' WHERE c.tenant_id = @tenant_id RETURNING c.*) SELECT b.* FROM b`,
		"global only":      `SELECT * FROM tenants WHERE id = @id`,
		"between":          `SELECT * FROM ledger_entries WHERE occurred_at BETWEEN @a AND @b AND tenant_id = @tenant_id`,
	}
	bad := map[string]string{
		"rls only":            `SELECT * FROM notification_sends WHERE id = @id`,
		"policy function":     `SELECT * FROM service_orders WHERE tenant_id = app.tenant_id() AND id = @id`,
		"other parameter":     `SELECT * FROM service_orders WHERE tenant_id = @other AND id = @id`,
		"for update no route": `SELECT * FROM webhook_deliveries WHERE id = @id FOR UPDATE`,
		"under or":            `SELECT * FROM service_orders WHERE tenant_id = @tenant_id OR id = @id`,
		"in parentheses":      `SELECT * FROM service_orders WHERE (tenant_id = @tenant_id OR true) AND id = @id`,
		"under not":           `SELECT * FROM service_orders WHERE NOT tenant_id = @tenant_id`,
		"join without tenant": `SELECT s.id FROM order_engineers e JOIN service_orders s ON s.id = e.order_id WHERE e.tenant_id = @tenant_id`,
		"left join no tenant": `SELECT s.id FROM service_orders s LEFT JOIN appointments a ON a.order_id = s.id WHERE s.tenant_id = @tenant_id`,
		"subquery unrouted":   `SELECT o.id, (SELECT count(*) FROM order_events e WHERE e.order_id = o.id) FROM service_orders o WHERE o.tenant_id = @tenant_id`,
		"exists unrouted":     `SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @user_id)::boolean`,
		"one union branch":    `SELECT x.id FROM registrations x WHERE x.tenant_id = @tenant_id UNION ALL SELECT x.id FROM registrations x WHERE x.serial = @serial`,
		"shadowed alias":      `SELECT o.id FROM service_orders o WHERE o.tenant_id = @tenant_id AND EXISTS (SELECT 1 FROM order_quotes o WHERE o.status = 'sent')`,
		"comma join":          `SELECT 1 FROM service_orders o, order_quotes q WHERE o.tenant_id = @tenant_id AND q.order_id = o.id`,
		"in case":             `SELECT * FROM service_orders WHERE CASE WHEN true THEN tenant_id = @tenant_id END`,
		"insert function":     `INSERT INTO outlets (tenant_id, id) VALUES (app.tenant_id(), @id)`,
		"insert other value":  `INSERT INTO events (tenant_id, id) SELECT b.tenant_id, @id FROM b`,
		"insert no column":    `INSERT INTO outlets (id, code) VALUES (@id, @code)`,
		"update rls only":     `UPDATE webhook_endpoints SET enabled = false WHERE id = @id`,
		"delete rls only":     `DELETE FROM notification_preferences WHERE customer_id = @customer_id`,
		"cte unrouted":        `WITH b AS (UPDATE sla_clocks c SET status = 'breached' WHERE c.order_id = @order_id RETURNING c.*) SELECT b.* FROM b`,
	}
	for name, sql := range good {
		problems, refs, err := check(sql, tenant)
		if err != nil || len(problems) > 0 || (name != "global only" && refs == 0) {
			t.Errorf("good %q: refs %d, problems %v, err %v", name, refs, problems, err)
		}
	}
	for name, sql := range bad {
		problems, _, err := check(sql, tenant)
		if err == nil && len(problems) == 0 && !appTenantID.MatchString(sql) {
			t.Errorf("bad %q passed the check", name)
		}
		if strings.Contains(name, "function") && !appTenantID.MatchString(sql) {
			t.Errorf("bad %q: app.tenant_id() not seen", name)
		}
	}
}

// TestPlatformMarks: a mark belongs to the query whose name line it touches and gives a reason.
func TestPlatformMarks(t *testing.T) {
	t.Parallel()
	text := "-- name: A :one\n-- platform: below\nSELECT 1;\n\n-- platform: above\n-- name: B :one\nSELECT 2;\n\n" +
		"-- name: C :one\nSELECT 3;\n-- platform: stray\n\nSELECT 4;\n-- name: D :one\n-- platform:\nSELECT 5;\n"
	qs, errs := splitQueries("x.sql", text)
	got := map[string]string{}
	for _, q := range qs {
		got[q.name] = q.platform
	}
	if got["A"] != "below" || got["B"] != "above" || got["C"] != "" || got["D"] != "" {
		t.Errorf("marks: %v", got)
	}
	if len(errs) != 2 { // the stray mark and the mark without a reason
		t.Errorf("errors: %v", errs)
	}
}

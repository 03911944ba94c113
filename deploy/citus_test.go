package deploy_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/testdb"
)

// The Citus suite runs against the three-node cluster `make test` starts (scripts/citus.sh):
// a coordinator and two workers, the schema migrated and distributed with deploy/citus.sql.
// Its tests share the cluster's one database, each with tenants of its own.

// citusDB connects to the cluster as the owner and as the application role. Without a
// cluster the test fails, unless CITUS=0 says the suite is skipped on purpose (scripts/test.sh
// refuses CITUS=0 in CI).
func citusDB(t *testing.T) *testdb.DB {
	t.Helper()
	owner, app := os.Getenv("TEST_CITUS_URL"), os.Getenv("TEST_CITUS_APP_URL")
	if owner == "" || app == "" {
		if os.Getenv("CITUS") == "0" {
			t.Skip("CITUS=0: the Citus suite is skipped")
		}
		t.Fatal("TEST_CITUS_URL and TEST_CITUS_APP_URL are not set: run the tests with `make test`, which starts a Citus cluster (CITUS=0 skips it locally)")
	}
	return testdb.Open(t, owner, app)
}

// TestCitusPlacement checks the cluster the suite runs on: three nodes, every table of the
// public schema with tenant_id distributed by it in one co-location group, every other one a
// reference table, River's tables and the migrations' record local to the coordinator, and
// citus.propagate_set_commands = 'local'.
func TestCitusPlacement(t *testing.T) {
	t.Parallel()
	d := citusDB(t)
	ctx := context.Background()
	var nodes, workers int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE shouldhaveshards AND groupid <> 0)
		FROM pg_dist_node WHERE isactive`).Scan(&nodes, &workers); err != nil {
		t.Fatal(err)
	}
	if nodes != 3 || workers != 2 {
		t.Errorf("%d active nodes of which %d workers hold shards, want a coordinator and 2 workers", nodes, workers)
	}
	var propagate string
	if err := d.App.QueryRow(ctx, `SHOW citus.propagate_set_commands`).Scan(&propagate); err != nil {
		t.Fatal(err)
	}
	if propagate != "local" {
		t.Errorf("citus.propagate_set_commands = %q, want local: SET LOCAL app.tenant_id would not reach the workers", propagate)
	}
	type placed struct {
		tenant     bool
		method     string
		distColumn string
		colocation int64
	}
	tables := map[string]placed{}
	rows, err := d.Owner.Query(ctx, `
		SELECT n.nspname || '.' || c.relname,
		       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
		       coalesce(p.partmethod::text, ''),
		       CASE WHEN p.partmethod = 'h' THEN column_to_column_name(c.oid, p.partkey) ELSE '' END,
		       coalesce(p.colocationid, 0)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
		WHERE n.nspname IN ('public', 'river') AND c.relkind IN ('r', 'p')`)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var p placed
	if _, err := pgx.ForEachRow(rows, []any{&name, &p.tenant, &p.method, &p.distColumn, &p.colocation}, func() error {
		tables[name] = p
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	colocations := map[int64]bool{}
	var tenantTables, referenceTables, local int
	for name, p := range tables {
		switch {
		case strings.HasPrefix(name, "river.") || name == "public.goose_db_version":
			local++
			if p.method != "" {
				t.Errorf("%s is a Citus table (method %q): River's tables and the migrations' record stay local to the coordinator", name, p.method)
			}
		case p.tenant:
			tenantTables++
			colocations[p.colocation] = true
			if p.method != "h" || p.distColumn != "tenant_id" {
				t.Errorf("%s has tenant_id but is distributed by %q (method %q): run deploy/citus.sql", name, p.distColumn, p.method)
			}
		default:
			referenceTables++
			if p.method != "n" {
				t.Errorf("%s is global but not a reference table (method %q): run deploy/citus.sql", name, p.method)
			}
		}
	}
	if len(colocations) != 1 {
		t.Errorf("tenant tables are in %d co-location groups, want 1 (one tenant's rows of every table on one worker)", len(colocations))
	}
	if tenantTables < 40 || referenceTables < 5 || local < 2 {
		t.Errorf("%d distributed, %d reference, %d local tables: is the catalog query broken?", tenantTables, referenceTables, local)
	}
	var fks int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
		WHERE k.contype = 'f' AND n.nspname = 'public'`).Scan(&fks); err != nil {
		t.Fatal(err)
	}
	if fks < 80 {
		t.Errorf("%d foreign keys in the public schema after the distribution, want them all back (80 or more)", fks)
	}
}

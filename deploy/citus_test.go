package deploy_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	dbgen "github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
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

// TestCitusIsolateTenant takes the procedure docs/scale-out.md gives for a large tenant: as
// a superuser, its hash value split out to a shard group of its own. The tenant's rows and
// its neighbours' are all still there, the tenant's shard holds that tenant alone, and the
// application role still reads the tenant through the product's door. (Run as the owner,
// whom FORCE ROW LEVEL SECURITY binds, the split copies the rows it can see, none, and drops
// the old shard: hence the superuser.) Not parallel: the split blocks writes to the shard
// group while it runs, so it runs before the other tests of the package start.
func TestCitusIsolateTenant(t *testing.T) {
	d := citusDB(t)
	ctx := context.Background()
	super, err := pgxpool.New(ctx, os.Getenv("TEST_CITUS_SUPER_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	app := tenants.NewDB(d.App)
	tenant := uuid.New()
	if _, err := d.App.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'Large', 'brand')`,
		tenant, "large-"+tenant.String()[:8]); err != nil {
		t.Fatal(err)
	}
	if err := app.Tx(ctx, tenants.Scope{TenantID: tenant}, func(tx *tenants.Tx) error {
		for i := range 3 {
			if _, err := tx.Exec(ctx, `INSERT INTO outlets (tenant_id, id, code, name, kind) VALUES ($1, $2, $3, 'Outlet', 'service_center')`,
				tenant, uuid.New(), fmt.Sprintf("L%d", i)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO customers (tenant_id, id, name) VALUES ($1, $2, 'Customer')`, tenant, uuid.New())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	count := func(table string) (all int64) {
		t.Helper()
		if err := super.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&all); err != nil {
			t.Fatal(err)
		}
		return all
	}
	outlets, customers := count("outlets"), count("customers")

	var shard int64
	if err := super.QueryRow(ctx, `SELECT isolate_tenant_to_new_shard('outlets', $1::uuid, 'CASCADE', shard_transfer_mode => 'block_writes')`,
		tenant.String()).Scan(&shard); err != nil {
		t.Fatalf("isolate the tenant: %v", err)
	}
	if o, c := count("outlets"), count("customers"); o != outlets || c != customers {
		t.Errorf("after the split: %d outlets and %d customers, %d and %d before", o, c, outlets, customers)
	}
	var routed int64
	var single bool
	if err := super.QueryRow(ctx, `SELECT get_shard_id_for_distribution_column('outlets', $1::uuid),
		(SELECT shardminvalue = shardmaxvalue FROM pg_dist_shard WHERE shardid = $2)`, tenant, shard).Scan(&routed, &single); err != nil {
		t.Fatal(err)
	}
	if routed != shard || !single {
		t.Errorf("the tenant routes to shard %d (isolated: %d, a single hash value: %v)", routed, shard, single)
	}
	var seen int64
	if err := app.Read(ctx, tenants.Scope{TenantID: tenant}, func(q dbgen.DBTX) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM outlets WHERE tenant_id = $1`, tenant).Scan(&seen)
	}); err != nil || seen != 3 {
		t.Errorf("the isolated tenant's outlets, read in its scope: %d, %v; want 3", seen, err)
	}
}

package deploy_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/aftersales/aftersales/deploy"
	"github.com/aftersales/aftersales/internal/testdb"
)

// TestCitusCoversEverySchemaTable checks that every table of the schema is either
// distributed by tenant_id (tables with a tenant_id column) or a reference table, so a new
// table cannot be forgotten on the way to Citus.
func TestCitusCoversEverySchemaTable(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	rows, err := d.Owner.Query(context.Background(), `
		SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	dist := names(`create_distributed_table\('(\w+)', 'tenant_id'`)
	ref := names(`create_reference_table\('(\w+)'\)`)
	n := 0
	for rows.Next() {
		var table string
		var tenant bool
		if err := rows.Scan(&table, &tenant); err != nil {
			t.Fatal(err)
		}
		n++
		switch {
		case tenant && !slices.Contains(dist, table):
			t.Errorf("%s has tenant_id but is not distributed by it in deploy/citus.sql", table)
		case !tenant && !slices.Contains(ref, table):
			t.Errorf("%s is global but is not a reference table in deploy/citus.sql", table)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 14 {
		t.Fatalf("only %d tables found", n)
	}
}

func names(pattern string) []string {
	var out []string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(deploy.CitusSQL, -1) {
		out = append(out, m[1])
	}
	return out
}

package testdb_test

import (
	"context"
	"testing"

	"github.com/aftersales/aftersales/internal/testdb"
)

func TestNewGivesMigratedDatabaseWithRestrictedAppRole(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	var bypass, super bool
	if err := d.App.QueryRow(context.Background(),
		`SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&bypass, &super); err != nil {
		t.Fatal(err)
	}
	if bypass || super {
		t.Fatalf("app role bypassrls=%v superuser=%v, want both false", bypass, super)
	}
	var n int
	if err := d.App.QueryRow(context.Background(), `SELECT count(*) FROM outlets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("outlets visible without tenant: %d", n)
	}
}

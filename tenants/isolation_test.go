package tenants_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/isolation"
	"github.com/aftersales/aftersales/internal/testdb"
)

// TestIsolation runs the SQL isolation matrix (internal/isolation) on a fresh database of a
// single PostgreSQL; deploy.TestCitusIsolation runs the same matrix on a Citus cluster.
func TestIsolation(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	isolation.Run(t, isolation.DB{Owner: d.Owner, App: d.App, AppURL: d.AppURL})
}

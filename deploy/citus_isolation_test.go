package deploy_test

import (
	"testing"

	"github.com/aftersales/aftersales/internal/isolation"
)

// TestCitusIsolation runs the SQL isolation matrix (internal/isolation, the one
// tenants.TestIsolation runs on a single PostgreSQL) on the cluster: tenant B's rows stay
// out of reach of tenant A's scope on the workers too, where SET LOCAL reaches them only
// through citus.propagate_set_commands = 'local'.
func TestCitusIsolation(t *testing.T) {
	t.Parallel()
	d := citusDB(t)
	isolation.Run(t, isolation.DB{Owner: d.Owner, App: d.App, AppURL: d.AppURL})
}

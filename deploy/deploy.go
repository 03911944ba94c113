// Package deploy holds what running the product at scale needs beside the binary: the
// Citus distribution script (citus.sql, run with psql after the migrations; see
// docs/scale-out.md). Its tests run on the three-node Citus cluster `make test` starts.
package deploy

import _ "embed"

// CitusSQL distributes tenant tables by tenant_id and makes global tables reference tables
// (a psql script: it uses \gexec).
//
//go:embed citus.sql
var CitusSQL string

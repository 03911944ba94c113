// Package deploy holds what running the product at scale needs beside the binary: the
// Citus distribution DDL (citus.sql), checked against the schema by a test.
package deploy

import _ "embed"

// CitusSQL distributes tenant tables by tenant_id and makes global tables reference tables.
//
//go:embed citus.sql
var CitusSQL string

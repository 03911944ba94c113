package fault_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/fault"
)

// TestUnavailable classifies errors as a real PostgreSQL and a real network give them: a
// refused connection, a database that takes no connections, a terminated connection and a
// closed one are outages; a statement the database refused, a missing row, a cancelled
// request and other errors are not.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run tests with `make test`, which starts PostgreSQL")
	}
	ctx := context.Background()
	outage := map[string]error{}
	other := map[string]error{}

	// Nothing listens on the port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = pgx.Connect(ctx, "postgres://nobody@"+addr+"/x?sslmode=disable&connect_timeout=2")
	outage["connection refused"] = fmt.Errorf("resolve session: %w", err)

	// A database that does not take connections.
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	_, err = pgx.Connect(ctx, url+"&dbname=template0")
	outage["database not accepting connections"] = err

	// A connection terminated by an administrator, then used again.
	victim, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, victim.PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	_, err = victim.Exec(ctx, `SELECT 1`)
	outage["terminated"] = err
	_, err = victim.Exec(ctx, `SELECT 1`)
	outage["closed"] = err

	// Waiting for the database past a deadline.
	dctx, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	_, err = admin.Exec(dctx, `SELECT pg_sleep(1)`)
	outage["deadline"] = err

	// The database answered.
	_, err = admin.Exec(ctx, `SELECT 1/0`)
	other["division by zero"] = err
	_, err = admin.Exec(ctx, `SELECT * FROM no_such_table`)
	other["undefined table"] = err
	other["no rows"] = fault.DBError(admin.QueryRow(ctx, `SELECT 1 WHERE false`).Scan(new(int)), "", "")
	cctx, cancelNow := context.WithCancel(ctx)
	cancelNow()
	_, err = admin.Exec(cctx, `SELECT 1`)
	other["cancelled"] = err
	other["not found"] = fault.ErrNotFound
	other["plain"] = errors.New("boom")
	other["nil"] = nil

	for name, err := range outage {
		if err == nil || !fault.Unavailable(err) {
			t.Errorf("%s: %v (%T) is not seen as an outage", name, err, err)
		}
	}
	for name, err := range other {
		if fault.Unavailable(err) {
			t.Errorf("%s: %v (%T) is seen as an outage", name, err, err)
		}
	}
}

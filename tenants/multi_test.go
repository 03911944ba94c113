package tenants_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// TestMultiInsertSendsOneStatement: the rows of a single-row INSERT become one multi-row
// INSERT (placeholders renumbered, ON CONFLICT and RETURNING kept), split only where
// PostgreSQL's limit of 65535 placeholders requires.
func TestMultiInsertSendsOneStatement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.Shared(t)
	err := pgx.BeginFunc(ctx, d.Owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE multi (n integer PRIMARY KEY, label text NOT NULL, note text) ON COMMIT DROP`); err != nil {
			return err
		}
		const insert = `-- name: Insert :exec
INSERT INTO multi (n, label, note) VALUES ($1, 'it''s (' || $2, nullif($3, ''))
ON CONFLICT (n) DO NOTHING`
		counter := &countingExec{tx: tx}

		// 9000 rows of 3 placeholders: two statements (21845 rows fit in one, 1000 are taken).
		var m tenants.MultiInsert
		for i := range 9000 {
			if _, err := m.Exec(ctx, insert, i, "row", ""); err != nil {
				t.Fatal(err)
			}
		}
		n, err := m.Send(ctx, counter)
		if err != nil {
			t.Fatal(err)
		}
		if n != 9000 || counter.statements != 9 {
			t.Errorf("9000 rows: %d inserted in %d statements, want 9000 in 9 (1000 rows each)", n, counter.statements)
		}
		var count int
		var label string
		if err := tx.QueryRow(ctx, `SELECT count(*), min(label) FROM multi WHERE note IS NULL`).Scan(&count, &label); err != nil {
			return err
		}
		if count != 9000 || label != "it's (row" {
			t.Errorf("stored %d rows labelled %q, want 9000 labelled \"it's (row\"", count, label)
		}

		// RETURNING, and ON CONFLICT kept: an existing row is skipped.
		var r tenants.MultiInsert
		for _, i := range []int{8999, 9000, 9001} {
			if _, err := r.Exec(ctx, insert+" RETURNING n", i, "new", "x"); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := r.SendQuery(ctx, tx)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0] != 9000 || got[1] != 9001 {
			t.Errorf("RETURNING gave %v, want the two new rows 9000 and 9001", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countingExec counts the statements sent on a transaction.
type countingExec struct {
	tx         pgx.Tx
	statements int
}

func (c *countingExec) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.statements++
	return c.tx.Exec(ctx, sql, args...)
}

func (c *countingExec) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return c.tx.Query(ctx, sql, args...)
}

func (c *countingExec) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return c.tx.QueryRow(ctx, sql, args...)
}

// TestMultiInsertRefuses: statements it cannot merge are refused, not sent wrong; no rows
// send nothing.
func TestMultiInsertRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var none tenants.MultiInsert
	if n, err := none.Send(ctx, nil); n != 0 || err != nil {
		t.Errorf("no rows: Send gave %d, %v; want 0, nil and nothing sent", n, err)
	}
	for _, c := range []struct{ name, sql, want string }{
		{"no VALUES", `INSERT INTO t (a) SELECT $1`, "no VALUES list"},
		{"placeholder in ON CONFLICT", `INSERT INTO t (a, b) VALUES ($1, 1) ON CONFLICT (a) DO UPDATE SET b = $2`, "outside its VALUES"},
		{"argument unused", `INSERT INTO t (a) VALUES ($1)`, "uses 1 of its 2 arguments"},
		{"VALUES in a comment only", "-- VALUES ($1, $2)\nINSERT INTO t SELECT $1, $2", "no VALUES list"},
		{"VALUES in quotes only", `INSERT INTO t SELECT 'VALUES ($1, $2)'`, "no VALUES list"},
	} {
		var m tenants.MultiInsert
		_, err := m.Exec(ctx, c.sql, 1, 2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
	var m tenants.MultiInsert
	if _, err := m.Exec(ctx, `INSERT INTO t (a) VALUES ($1)`, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Exec(ctx, `INSERT INTO u (a) VALUES ($1)`, 1); err == nil {
		t.Error("rows of two statements were gathered together")
	}
	if _, err := m.Send(ctx, nil); err == nil {
		t.Error("Send after a refused row did not fail")
	}
}

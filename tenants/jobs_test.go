package tenants_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

type probeArgs struct {
	Name string `json:"name"`
}

func (probeArgs) Kind() string { return "tenants_probe" }

// Jobs queued with Tx.Job are inserted at commit, in one statement: none before, each
// once-key once, the once-keyed ones first in key order, none when the transaction fails.
func TestJobsQueuedForCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testdb.New(t)
	app := tenants.NewDB(d.App)
	client, err := jobs.NewClient(d.App, app, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	tenant := uuid.New()
	if _, err := d.App.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, 'jobs', 'Jobs', 'brand')`, tenant); err != nil {
		t.Fatal(err)
	}
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	queued := func(q interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}) []string {
		t.Helper()
		rows, err := q.Query(ctx, `SELECT args->>'name' FROM river.river_job WHERE kind = 'tenants_probe' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	job := func(name string) river.InsertManyParams { return river.InsertManyParams{Args: probeArgs{Name: name}} }
	err = app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		tx.Job(client, "", job("plain"))
		tx.Job(client, "b", job("b"))
		tx.Job(client, "a", job("a"))
		tx.Job(client, "a", job("a again"))
		if got := queued(tx); len(got) != 0 {
			t.Errorf("jobs inserted before commit: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := queued(d.Owner); len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "plain" {
		t.Fatalf("jobs after commit: %v, want a, b, plain", got)
	}

	// A transaction that fails inserts none of its jobs.
	boom := errors.New("boom")
	err = app.Tx(ctx, scope, func(tx *tenants.Tx) error {
		tx.Job(client, "", job("rolled back"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := queued(d.Owner); len(got) != 3 {
		t.Fatalf("jobs after a failed transaction: %v", got)
	}
}

package migrate_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/migrate"
	"github.com/aftersales/aftersales/internal/testdb"
)

// TestMigrationsAreReversible rolls every migration back and applies it again.
func TestMigrationsAreReversible(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	var st bytes.Buffer
	if err := migrate.Status(ctx, d.Owner, &st); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(st.String(), "pending") || !strings.Contains(st.String(), "applied") {
		t.Fatalf("fresh database not fully migrated:\n%s", st.String())
	}
	steps := strings.Count(st.String(), "\n")
	for i := 0; i < steps; i++ {
		if err := migrate.Down(ctx, d.Owner); err != nil {
			t.Fatalf("down step %d: %v", i+1, err)
		}
	}
	var n int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d tables left after rolling everything back", n)
	}
	if err := migrate.Up(ctx, d.Owner); err != nil {
		t.Fatalf("up again: %v", err)
	}
	st.Reset()
	if err := migrate.Status(ctx, d.Owner, &st); err != nil || strings.Contains(st.String(), "pending") {
		t.Fatalf("after re-apply: %v\n%s", err, st.String())
	}
}

// TestMissingEarlierMigrationIsApplied: a database migrated with a later migration before an
// earlier one was merged (SLA 00006 after notifications 00007) takes the earlier one.
func TestMissingEarlierMigrationIsApplied(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	for _, stmt := range []string{`DROP TABLE sla_breaches, sla_clocks, sla_settings`,
		`DELETE FROM goose_db_version WHERE version_id = 6`} {
		if _, err := d.Owner.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrate.Up(ctx, d.Owner); err != nil {
		t.Fatalf("up with 00006 missing below 00007: %v", err)
	}
	var n int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'sla\_%'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("sla tables after up: %d, %v", n, err)
	}
}

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

package events_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

func TestEmitManyRecordsAndDeliversEach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, tenant, rec, client := startWorker(t, "m")
	subject := platform.NewID()
	var ids []uuid.UUID
	if err := d.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, func(tx *tenants.Tx) (err error) {
		ids, err = events.EmitMany(ctx, tx, client, []events.New{
			{Type: "sla.breached", Subject: "service_order", SubjectID: subject, Data: map[string]string{"target": "accept"}},
			{Type: "sla.warning", Subject: "service_order", SubjectID: subject},
		})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for (rec.count(ids[0]) == 0 || rec.count(ids[1]) == 0) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if rec.count(ids[0]) != 1 || rec.count(ids[1]) != 1 {
		t.Fatalf("deliveries: %d, %d", rec.count(ids[0]), rec.count(ids[1]))
	}
	var list []events.Event
	if err := d.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, func(tx *tenants.Tx) (err error) {
		list, err = events.ForSubject(ctx, tx, subject)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || string(list[0].Data) == "" || list[0].OutletID != uuid.Nil {
		t.Fatalf("stored = %+v", list)
	}
	var dispatches int
	if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_dispatch' AND args->>'tenant_id' = $1`, tenant.String()).Scan(&dispatches)
	}); err != nil {
		t.Fatal(err)
	}
	if dispatches != 1 {
		t.Fatalf("%d dispatch jobs for one EmitMany, want 1", dispatches)
	}
}

// TestDispatchSkipsEventsThatAreGone: a dispatch of several events delivers those that
// exist; one whose events are all gone is cancelled.
func TestDispatchSkipsEventsThatAreGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, tenant, rec, client := startWorker(t, "g")
	id := platform.NewID() // an event recorded without a dispatch of its own
	if err := d.Tx(ctx, tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO events (tenant_id, id, type, subject) VALUES (app.tenant_id(), $1, 'sla.warning', 'service_order')`, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	some, err := client.Insert(ctx, events.DispatchArgs{TenantID: tenant, EventIDs: []uuid.UUID{platform.NewID(), id}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	none, err := client.Insert(ctx, events.DispatchArgs{TenantID: tenant, EventIDs: []uuid.UUID{platform.NewID(), platform.NewID()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var someState, noneState string
		if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT state FROM river.river_job WHERE id = $1), (SELECT state FROM river.river_job WHERE id = $2)`, some.Job.ID, none.Job.ID).Scan(&someState, &noneState)
		}); err != nil {
			t.Fatal(err)
		}
		if someState == "completed" && noneState == "cancelled" && rec.count(id) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dispatch of a gone and a present event: %s; of gone events: %s; deliveries %d", someState, noneState, rec.count(id))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startWorker makes a tenant (slug prefix) and runs a River worker with a recorder
// consuming the tenant's sla.* events, stopped when the test ends.
func startWorker(t *testing.T, prefix string) (*tenants.DB, uuid.UUID, *recorder, *river.Client[pgx.Tx]) {
	t.Helper()
	ctx := context.Background()
	pool := testdb.New(t).App
	d := tenants.NewDB(pool)
	tenant := platform.NewID()
	if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'T', 'brand')`, tenant, prefix+"-"+tenant.String()[:8])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{name: "sla", prefix: "sla.", got: map[uuid.UUID]int{}}
	client, err := jobs.NewClient(pool, d, slog.New(slog.DiscardHandler), true, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return d, tenant, rec, client
}

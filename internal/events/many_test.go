package events_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

func TestEmitManyRecordsAndDeliversEach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := tenants.NewDB(testdb.New(t).App)
	tenant := platform.NewID()
	if err := d.Global(ctx, uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'T', 'brand')`, tenant, "m-"+tenant.String()[:8])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{name: "sla", prefix: "sla.", got: map[uuid.UUID]int{}}
	client, err := jobs.NewClient(d, slog.New(slog.DiscardHandler), true, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
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
}

package network

import (
	"context"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/internal/testfactory"
	"github.com/aftersales/aftersales/tenants"
)

// TestWorkerDeliversTheWholeHandOff runs the network as the product does: changes queue
// their deliveries with River in their own transactions, a worker (jobs.NewClient with the
// network as a consumer) delivers them, takes jobs in as the provider's orders and reports
// the provider's order events back; nothing is delivered by hand. It logs how long a
// hand-off takes from its commit to the provider's order existing.
func TestWorkerDeliversTheWholeHandOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t).App // a database of its own: the worker runs only this test's jobs
	d := tenants.NewDB(pool)
	log := slog.New(slog.DiscardHandler)
	worker, err := jobs.NewClient(pool, d, log, true, New(d, ContextJobs{}, orders.Wire("", ContextJobs{}).Service, log))
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
	// The API side: its changes queue jobs with the (same) client.
	ord := orders.Wire("", worker).Service
	b := &bundle{ctx: ctx, d: d, s: New(d, worker, ord, log)}
	b.A = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Brand A"}).ID
	b.B = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Provider B", Kind: "service_provider"}).ID

	eventually := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var ag Agreement
	b.in(t, b.A, func(tx *tenants.Tx) (err error) {
		ag, err = b.s.Propose(ctx, tx, ProposeInput{PartnerTenantID: b.B, Role: RolePrincipal, Terms: terms()})
		return err
	})
	eventually("the provider's copy", func() bool {
		var err error
		_ = d.Tx(ctx, tenants.Scope{TenantID: b.B, Actor: actor}, func(tx *tenants.Tx) error { _, err = Get(ctx, tx, ag.ID); return nil })
		return err == nil
	})
	b.in(t, b.B, func(tx *tenants.Tx) error { _, err := b.s.Accept(ctx, tx, ag.ID); return err })
	eventually("the principal's acceptance", func() bool { return b.agreement(t, b.A, ag.ID).Status == StatusActive })

	var took []time.Duration
	var last PartnerJob
	for i := range 5 {
		var o orders.Order
		b.in(t, b.A, func(tx *tenants.Tx) error {
			c := testfactory.Customer(ctx, t, tx, nil)
			o = testfactory.Order(ctx, t, tx, &testfactory.OrderOpts{Service: ord, CustomerID: c.ID, Serial: "SN-" + testfactory.Unique()})
			return nil
		})
		start := time.Now()
		last = b.handOff(t, b.A, o.ID, ag.ID)
		eventually("the provider's order", func() bool {
			return len(b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10})) == i+1
		})
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("hand-off commit to the provider's order (worker on loopback, polled every 20 ms): median %v, max %v of %d",
		took[len(took)/2], took[len(took)-1], len(took))

	// The provider's order.created comes back as the partner's status; a move follows.
	sentStatus := func() string {
		var j PartnerJob
		b.in(t, b.A, func(tx *tenants.Tx) (err error) { j, err = GetJob(ctx, tx, last.ID); return err })
		return j.PartnerStatus
	}
	eventually("the provider's first report", func() bool { return sentStatus() == orders.StatusWaiting })
	var received PartnerJob
	b.in(t, b.B, func(tx *tenants.Tx) error {
		for _, j := range b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}) {
			if j.ID == last.ID {
				received = j
			}
		}
		if received.ID == uuid.Nil {
			t.Fatal("the last job is not on the provider's board")
		}
		_, err := ord.Transition(ctx, tx, received.OrderID, 0, orders.TransitionInput{To: orders.StatusRepairing})
		return err
	})
	eventually("the provider's move reported back", func() bool { return sentStatus() == orders.StatusRepairing })

	// Each step is an event on its own side (what the tenant's signed webhooks deliver).
	types := func(tenant uuid.UUID) map[string]bool {
		got := map[string]bool{}
		b.in(t, tenant, func(tx *tenants.Tx) error {
			rows, err := tx.Query(ctx, `SELECT type FROM events WHERE tenant_id = $1 AND type LIKE 'partner.%'`, tenant)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var typ string
				if err := rows.Scan(&typ); err != nil {
					return err
				}
				got[typ] = true
			}
			return rows.Err()
		})
		return got
	}
	eventually("the principal's events", func() bool {
		got := types(b.A)
		return got[EventAgreementProposed] && got[EventAgreementAccepted] && got[EventJobSent] && got[EventJobUpdated]
	})
	if got := types(b.B); !got[EventAgreementProposed] || !got[EventAgreementAccepted] || !got[EventJobReceived] || got[EventJobSent] {
		t.Errorf("the provider's events: %v", got)
	}
	// Only a tenant that receives jobs gets the network's delivery of its order events: the
	// principal's five orders queued none (events.TenantFilter), the provider's did.
	deliveries := func(tenant uuid.UUID) (n int) {
		b.in(t, tenant, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_deliver'
				AND args->>'consumer' = 'network' AND args->>'tenant_id' = $1`, tenant.String()).Scan(&n)
		})
		return n
	}
	if n := deliveries(b.A); n != 0 {
		t.Errorf("the principal, which receives no job, had %d network deliveries queued", n)
	}
	if n := deliveries(b.B); n == 0 {
		t.Error("the provider's order events queued no network delivery")
	}
}

// TestSecondDeliveryRescuesAMessageWhoseWorkerWasKilled: every message queues two
// deliveries, the second RedeliverAfter later. A worker killed in the middle of the first
// leaves that job running in River's table for an hour (its rescuer's RescueStuckJobsAfter);
// the second delivers the message on its own, and the message is applied once.
func TestSecondDeliveryRescuesAMessageWhoseWorkerWasKilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := testdb.New(t)
	pool := tdb.App
	d := tenants.NewDB(pool)
	log := slog.New(slog.DiscardHandler)
	inserter, err := jobs.NewClient(pool, d, log, false)
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{ctx: ctx, d: d, s: New(d, inserter, &orders.Service{}, log)}
	b.A = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Brand A"}).ID
	b.B = testfactory.Tenant(ctx, t, d, &testfactory.TenantOpts{Name: "Provider B", Kind: "service_provider"}).ID
	ag := b.agree(t, b.A, b.B, terms()) // delivered by hand; their jobs stay queued, no worker runs yet
	o := b.order(t, b.A, testfactory.Phone())
	sent := time.Now()
	b.handOff(t, b.A, o.ID, ag)
	msg := b.pending(t, b.A, ag)[0]

	type job struct {
		id          int64
		state       string
		scheduledAt time.Time
	}
	jobsOf := func() (out []job) {
		rows, err := tdb.Owner.Query(ctx, `SELECT id, state, scheduled_at FROM river.river_job
			WHERE kind = 'network_deliver' AND args->>'message_id' = $1 ORDER BY scheduled_at`, msg.ID.String())
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var j job
			if err := rows.Scan(&j.id, &j.state, &j.scheduledAt); err != nil {
				t.Fatal(err)
			}
			out = append(out, j)
		}
		return out
	}
	js := jobsOf()
	if len(js) != 2 {
		t.Fatalf("the hand-off queued %d deliveries, want 2: %+v", len(js), js)
	}
	if js[0].state != "available" || js[1].state != "scheduled" || js[1].scheduledAt.Before(sent.Add(RedeliverAfter-5*time.Second)) {
		t.Fatalf("deliveries: %+v; want one now and one %s later", js, RedeliverAfter)
	}
	// The first delivery's worker was killed: River still counts the job as running. The
	// minute passes for the second.
	if _, err := tdb.Owner.Exec(ctx, `UPDATE river.river_job SET state = 'running', attempt = 1, attempted_at = now(),
		attempted_by = '{killed-worker}' WHERE id = $1`, js[0].id); err != nil {
		t.Fatal(err)
	}
	if _, err := tdb.Owner.Exec(ctx, `UPDATE river.river_job SET state = 'available', scheduled_at = now() WHERE id = $1`, js[1].id); err != nil {
		t.Fatal(err)
	}
	worker, err := jobs.NewClient(pool, d, log, true, New(d, ContextJobs{}, orders.Wire("", ContextJobs{}).Service, log))
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
	deadline := time.Now().Add(30 * time.Second)
	for len(b.pending(t, b.A, ag)) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the message is still pending 30 s after its second delivery became due: %+v", jobsOf())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := b.board(t, b.B, JobFilter{Direction: DirectionReceived, Limit: 10}); len(got) != 1 {
		t.Fatalf("the provider received %d jobs from one message, want 1", len(got))
	}
	if js := jobsOf(); js[0].state != "running" {
		t.Errorf("the killed delivery is %s; the test meant it to stay running", js[0].state)
	}
}

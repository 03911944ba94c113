package events_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/jobs"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// recorder is a consumer that counts what it was handed and fails the first time if asked.
type recorder struct {
	name     string
	prefix   string
	failOnce bool
	mu       sync.Mutex
	got      map[uuid.UUID]int
	failed   bool
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Wants(t string) bool {
	return len(t) >= len(r.prefix) && t[:len(r.prefix)] == r.prefix
}
func (r *recorder) Handle(_ context.Context, ev events.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failOnce && !r.failed {
		r.failed = true
		return errors.New("endpoint down")
	}
	r.got[ev.ID]++
	return nil
}
func (r *recorder) count(id uuid.UUID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

// newTenant gives the test a database of its own (the worker runs only its jobs) with one
// tenant in it.
func newTenant(ctx context.Context, t *testing.T) (*pgxpool.Pool, *tenants.DB, uuid.UUID) {
	t.Helper()
	pool := testdb.New(t).App
	d := tenants.NewDB(pool)
	tenant := platform.NewID()
	if err := d.Platform(ctx, "test", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind) VALUES ($1, $2, 'T', 'brand')`, tenant, "t-"+tenant.String()[:8])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return pool, d, tenant
}

func TestEmitDeliversCommittedEventsToInterestedConsumersOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, d, tenant := newTenant(ctx, t)
	orders := &recorder{name: "orders", prefix: "order.", got: map[uuid.UUID]int{}, failOnce: true}
	billing := &recorder{name: "billing", prefix: "sla.", got: map[uuid.UUID]int{}}
	log := slog.New(slog.DiscardHandler)
	client, err := jobs.NewClient(pool, d, log, true, orders, billing)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })

	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	subject := platform.NewID()
	var committed uuid.UUID
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		committed, err = events.Emit(ctx, tx, client, "order.created", "service_order", subject, uuid.Nil, map[string]string{"number": "SO-1"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var rolledBack uuid.UUID
	boom := errors.New("rollback")
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		rolledBack, err = events.Emit(ctx, tx, client, "order.created", "service_order", subject, uuid.Nil, nil)
		if err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}

	// River retries the failed delivery after its backoff (about a second for the first retry).
	deadline := time.Now().Add(30 * time.Second)
	for orders.count(committed) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := orders.count(committed); got != 1 {
		t.Fatalf("orders consumer got the committed event %d times, want 1 (after one failed attempt)", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got := orders.count(rolledBack); got != 0 {
		t.Fatalf("a rolled-back event was delivered %d times", got)
	}
	if got := billing.count(committed); got != 0 {
		t.Fatalf("billing does not want order events but got %d", got)
	}
	var list []events.Event
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
		list, err = events.ForSubject(ctx, tx, subject)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != committed || string(list[0].Data) != `{"number": "SO-1"}` {
		t.Fatalf("stored events = %+v", list)
	}
}

// txRecorder is a TxConsumer: it counts what it was handed in a transaction and, asked to
// fail once, fails the first time with a statement error, which aborts the transaction it
// runs in unless that is rolled back to a savepoint.
type txRecorder struct {
	recorder
}

func (r *txRecorder) HandleTx(ctx context.Context, tx *tenants.Tx, ev events.Event) error {
	r.mu.Lock()
	fail := r.failOnce && !r.failed
	r.failed = r.failed || fail
	r.mu.Unlock()
	if fail {
		var n int
		return tx.QueryRow(ctx, `SELECT 1 / 0`).Scan(&n)
	}
	if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
		return err
	}
	r.mu.Lock()
	r.got[ev.ID]++
	r.mu.Unlock()
	return nil
}

// TestTxConsumersAreHandledInTheDispatch: a TxConsumer takes the event in the dispatch's own
// transaction (no delivery job); one that fails there is undone alone (its savepoint) and
// gets a delivery job of its own, retried; a plain consumer always gets its delivery job.
// Each takes the event exactly once.
func TestTxConsumersAreHandledInTheDispatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, d, tenant := newTenant(ctx, t)
	inline := &txRecorder{recorder{name: "inline", prefix: "order.", got: map[uuid.UUID]int{}}}
	flaky := &txRecorder{recorder{name: "flaky", prefix: "order.", got: map[uuid.UUID]int{}, failOnce: true}}
	plain := &recorder{name: "plain", prefix: "order.", got: map[uuid.UUID]int{}}
	client, err := jobs.NewClient(pool, d, slog.New(slog.DiscardHandler), true, flaky, inline, plain)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	scope := tenants.Scope{TenantID: tenant, Actor: tenants.SystemActor}
	var id uuid.UUID
	if err := d.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		id, err = events.Emit(ctx, tx, client, "order.created", "service_order", platform.NewID(), uuid.Nil, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for (inline.count(id) == 0 || flaky.count(id) == 0 || plain.count(id) == 0) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if a, b, c := inline.count(id), flaky.count(id), plain.count(id); a != 1 || b != 1 || c != 1 {
		t.Fatalf("handled %d, %d, %d times (inline, flaky, plain), want once each", a, b, c)
	}
	for consumer, want := range map[string]int{"inline": 0, "flaky": 1, "plain": 1} {
		var n int
		if err := d.Tx(ctx, scope, func(tx *tenants.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'event_deliver'
				AND args->>'consumer' = $1 AND args->>'event_id' = $2`, consumer, id.String()).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d delivery jobs, want %d", consumer, n, want)
		}
	}
}

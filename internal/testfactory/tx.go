package testfactory

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// DB returns the test binary's shared database (testdb.Shared) as the application role
// sees it: NOBYPASSRLS and owning nothing, as the server connects.
func DB(t testing.TB) *tenants.DB {
	t.Helper()
	return tenants.NewDB(testdb.Shared(t).App)
}

// TxOpts are the options of TestTx.
type TxOpts struct {
	// TenantID confines the transaction to an existing tenant. Empty: a new tenant is
	// onboarded (Tenant, with the Tenant options) for the test alone.
	TenantID uuid.UUID
	Tenant   *TenantOpts
	// Actor is who acts, as written to the audit log and to orders' created_by.
	// Default: a system actor labelled "test".
	Actor tenants.Actor
}

// TestTx returns a transaction confined to a tenant of the test's own, on the shared
// database, that is rolled back when the test ends: tenants.DB.Rollback opens it exactly as
// the product opens a tenant transaction (SET LOCAL app.tenant_id, app.outlet_id and
// app.user_id as the application role, so row-level security applies), and nothing the test
// does in it is ever committed. The tenant itself is onboarded and committed, as onboarding
// does (Tenant); everything else lives in the transaction.
//
// Writes the product queues for the commit (audit entries, an intake's timeline) and jobs
// are not sent unless the test calls Flush. A failed statement aborts the transaction, as
// it would in the product: run changes that are meant to fail in Savepoint.
//
// The transaction is used from one goroutine at a time (it holds one connection).
func TestTx(ctx context.Context, t testing.TB, opts *TxOpts) *tenants.Tx {
	t.Helper()
	if opts == nil {
		opts = &TxOpts{}
	}
	d := DB(t)
	tenantID := opts.TenantID
	if tenantID == uuid.Nil {
		tenantID = Tenant(ctx, t, d, opts.Tenant).ID
	}
	actor := opts.Actor
	if actor == (tenants.Actor{}) {
		actor = tenants.Actor{Kind: "system", Label: "test"}
	}
	scope := tenants.Scope{TenantID: tenantID, Actor: actor}

	// Rollback hands the transaction to fn; fn keeps it open until the test's cleanup
	// releases it, and Rollback then rolls it back.
	got := make(chan *tenants.Tx)
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.Rollback(context.WithoutCancel(ctx), scope, func(tx *tenants.Tx) error {
			got <- tx
			<-release
			return nil
		})
	}()
	select {
	case tx := <-got:
		t.Cleanup(func() {
			close(release)
			if err := <-done; err != nil {
				t.Errorf("roll back the test transaction: %v", err)
			}
		})
		return tx
	case err := <-done:
		t.Fatalf("begin the test transaction: %v", err)
		return nil
	}
}

// Flush sends what tx queued for its commit (tenants.Tx.Flush), so the test can read back
// an intake's timeline or an audit entry.
func Flush(ctx context.Context, t testing.TB, tx *tenants.Tx) {
	t.Helper()
	if err := tx.Flush(ctx); err != nil {
		t.Fatalf("flush the test transaction: %v", err)
	}
}

// Savepoint runs fn in a savepoint of tx as if fn had a transaction of its own: when fn
// fails, everything it did is rolled back, as the product's transaction would be, and tx
// stays usable; when it succeeds, its queued writes and jobs are sent and the savepoint is
// released. It returns fn's error.
func Savepoint(ctx context.Context, t testing.TB, tx *tenants.Tx, fn func(tx *tenants.Tx) error) error {
	t.Helper()
	return tx.Savepoint(ctx, fn)
}

// Jobs is a job inserter (events.Inserter, sla.Inserter, tenants.JobInserter) that records
// the jobs it is asked to insert instead of inserting them. With it, services run their
// job-queuing paths (SLA clocks, events) in a test transaction; Flush hands it the jobs
// queued with Job.
type Jobs struct {
	mu   sync.Mutex
	args []river.JobArgs
}

// InsertTx records one job.
func (j *Jobs) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return j.record(args), nil
}

// InsertManyTx records the jobs.
func (j *Jobs) InsertManyTx(_ context.Context, _ pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	out := make([]*rivertype.JobInsertResult, len(params))
	for i, p := range params {
		out[i] = j.record(p.Args)
	}
	return out, nil
}

func (j *Jobs) record(args river.JobArgs) *rivertype.JobInsertResult {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.args = append(j.args, args)
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{ID: int64(len(j.args)), Kind: args.Kind(),
		State: rivertype.JobStateAvailable}}
}

// Kinds lists the kinds of the jobs recorded so far, in order.
func (j *Jobs) Kinds() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]string, len(j.args))
	for i, a := range j.args {
		out[i] = a.Kind()
	}
	return out
}

// Args returns the arguments of the jobs recorded so far, in order.
func (j *Jobs) Args() []river.JobArgs {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]river.JobArgs(nil), j.args...)
}

// ErrField returns the input field named by the fault.FieldError in err's chain, or ""
// when there is none: tests assert where a rule rejected an input.
func ErrField(err error) string {
	var fe *fault.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

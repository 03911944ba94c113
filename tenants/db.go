// Package tenants owns the tenant tree (root tenants, outlets), memberships, business
// calendars, and the doors through which code reaches the database:
//
//   - DB.Tx(scope): tenant work, a transaction confined to a Scope;
//   - DB.Read(scope): one read statement confined to a Scope, in one round trip;
//   - DB.Platform / DB.PlatformRead: the few cross-tenant platform paths (signing in,
//     routing a Stripe event, the SLA sweep), each call named, logged and counted; every
//     use is listed in docs/tenancy.md;
//   - DB.Enclose(scope): one transaction that the Tx and Read calls of the code it runs
//     join, so that all of it commits once or not at all (the API's idempotent requests).
//
// Nothing else reaches the pool. Every door first sets app.tenant_id, app.outlet_id,
// app.user_id, app.consumer_id and app.customer_id with SET LOCAL, so PostgreSQL's
// row-level security policies confine every statement to the scope. The settings end with
// the transaction, so a pooled connection never carries a tenant into the next request;
// with no tenant set, tenant tables show no rows.
package tenants

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
)

// Scope is what one transaction may see: a root tenant, optionally one of its outlets or
// one of its customers (a signed-in consumer), and the acting user (whose own memberships in
// other tenants stay visible to pick a tenant). Row-level security enforces each part.
type Scope struct {
	TenantID uuid.UUID
	OutletID uuid.UUID // uuid.Nil: tenant-wide
	UserID   uuid.UUID // uuid.Nil: no user (API key, consumer, system)
	// ConsumerID is set for a consumer's requests: the global identity signed in. Tables a
	// consumer reaches then show only rows of CustomerID, the consumer's customer record in
	// the tenant (uuid.Nil before they have one: no rows).
	ConsumerID uuid.UUID
	CustomerID uuid.UUID
	// MaskContacts is set for staff without the contacts:unmasked permission: what the
	// product reads of customers for them (customers, the send log) comes with phones,
	// emails and street addresses masked. The system and consumers (their own data) read
	// them in full.
	MaskContacts bool
	// Confidential is set for scopes that see every confidential case (a critical complaint:
	// tenant admins, the system's escalation); others see one only as its named handler.
	// It sets app.confidential, which row-level security reads (app.every_confidential()).
	Confidential bool
	Actor        Actor
}

// Consumer reports whether the scope is a consumer's.
func (s Scope) Consumer() bool { return s.ConsumerID != uuid.Nil }

// Actor is who acts, as written to the audit log.
type Actor struct {
	Kind      string // user, api_key, consumer, platform, system
	ID        uuid.UUID
	Label     string
	IP        string
	UserAgent string
	RequestID string
}

// SystemActor is the actor of background work and seeding.
var SystemActor = Actor{Kind: "system", Label: "system"}

// DB runs scoped transactions on a pool of the application role.
type DB struct {
	pool   *pgxpool.Pool
	q      *db.Queries
	audit  PlatformAudit
	outage *platform.Outage
	clocks *clocks // which tenants run on the wall clock (Tx.Now)
}

// PlatformAudit records each use of the platform door (a log line and a counter in the
// product); nil records nothing.
type PlatformAudit func(ctx context.Context, purpose string)

// NewDB wraps a pool that connects as the application role (NOBYPASSRLS, owns nothing).
func NewDB(pool *pgxpool.Pool) *DB { return &DB{pool: pool, q: db.New(), clocks: &clocks{}} }

// WithPlatformAudit makes audit be told of every Platform and PlatformRead call.
func (d *DB) WithPlatformAudit(audit PlatformAudit) *DB {
	d.audit = audit
	return d
}

// WithOutageLog makes o hear how every call through the doors ends: failed because the
// database is unreachable (fault.Unavailable), or answered. o logs each outage once, and its
// end once, instead of a line per failed request (docs/operations.md).
func (d *DB) WithOutageLog(o *platform.Outage) *DB {
	d.outage = o
	return d
}

// observe tells the outage log how a call ended and returns err: nil and an error the
// database itself reported are answers; an unreachable database is a failure; other errors
// (a domain error, a cancelled request) say nothing about the database.
func (d *DB) observe(ctx context.Context, err error) error {
	if d.outage == nil {
		return err
	}
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		d.outage.Succeeded(ctx)
	case fault.Unavailable(err):
		d.outage.Failed(ctx, err)
	case errors.As(err, &pgErr):
		d.outage.Succeeded(ctx)
	}
	return err
}

// Ping checks that the database answers (readiness).
func (d *DB) Ping(ctx context.Context) error { return d.observe(ctx, d.pool.Ping(ctx)) }

// Tx is a transaction confined to a Scope. It runs statements (it is a db.DBTX) and queues
// jobs and writes for its commit; committing and rolling back belong to the door that
// opened it.
type Tx struct {
	tx    pgx.Tx
	Scope Scope
	Q     *db.Queries

	tenant   *Tenant             // the scope's tenant once read (GetTenant); changes to it clear it
	clocks   *clocks             // the door's memory of wall-clock tenants (Now)
	testNow  *time.Time          // a sandbox tenant's test clock once read (Now)
	loc      *time.Location      // the tenant's time zone once loaded (Location)
	later    *pgx.Batch          // statements queued by Later, sent before commit
	jobs     []queuedJob         // jobs queued by Job, inserted before commit
	onceJobs map[string]struct{} // the once keys of jobs
	// forValues: PlanForValues was asked and its setting is not sent yet (it travels with the
	// next statement); planned: it was sent.
	forValues, planned bool
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if !t.forValues {
		return t.tx.Exec(ctx, sql, args...)
	}
	br, err := t.sendPlanned(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// planForValues is the setting PlanForValues sends.
const planForValues = "SET LOCAL plan_cache_mode = force_custom_plan"

// PlanForValues asks PostgreSQL to plan the rest of the transaction's statements for the
// values they are given, not once for any value. Lists whose filters are optional need it:
// planned once, `$1 IS NULL OR col = $1` cannot fold away, and the plan fits no filter well.
// It costs no round trip of its own: the setting is sent with the next statement.
func (t *Tx) PlanForValues() {
	if !t.planned {
		t.forValues = true
	}
}

// ForValues returns q with its statements planned for the values they are given, as
// Tx.PlanForValues: a transaction from now on, or each statement of a Read (the setting
// travels in the statement's own batch). Code that takes a db.DBTX calls it.
func ForValues(q db.DBTX) db.DBTX {
	switch q := q.(type) {
	case *Tx:
		q.PlanForValues()
	case oneTrip:
		q.forValues = true
		return q
	}
	return q
}

// sendPlanned sends PlanForValues' setting and the statement in one batch, and reads the
// setting's result.
func (t *Tx) sendPlanned(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	t.forValues, t.planned = false, true
	b := &pgx.Batch{}
	b.Queue(planForValues)
	b.Queue(sql, args...)
	br := t.tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, fmt.Errorf("plan for values: %w", err)
	}
	return br, nil
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !t.forValues {
		return t.tx.Query(ctx, sql, args...)
	}
	br, err := t.sendPlanned(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query returning at most one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !t.forValues {
		return t.tx.QueryRow(ctx, sql, args...)
	}
	rows, err := t.Query(ctx, sql, args...) //nolint:sqlclosecheck // batchRow.Scan closes the rows, as pgx's QueryRow does
	if err != nil {
		return errRow{err}
	}
	return batchRow{rows.(*batchRows)}
}

// Inserter inserts one River job in a transaction; *river.Client[pgx.Tx] is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Insert inserts a River job now, in the transaction (its result is needed before commit,
// e.g. a unique job's skip); Job queues one for the commit instead.
func (t *Tx) Insert(ctx context.Context, ins Inserter, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return ins.InsertTx(ctx, t.tx, args, opts)
}

// Tx runs fn in a transaction confined to scope and commits when fn returns nil.
// scope.TenantID must be set: tenant data is unreachable otherwise. Under a context of
// Enclose with the same scope, fn runs in a savepoint of the enclosing transaction instead,
// and commits with it.
func (d *DB) Tx(ctx context.Context, scope Scope, fn func(tx *Tx) error) error {
	if scope.TenantID == uuid.Nil {
		return errors.New("tenants: transaction without a tenant")
	}
	if outer := d.enclosing(ctx, scope); outer != nil {
		return d.observe(ctx, outer.Savepoint(ctx, fn))
	}
	return d.run(ctx, scope, fn)
}

// enclosingKey is the context key of the transaction Enclose opened.
type enclosingKey struct{}

type enclosed struct {
	pool *pgxpool.Pool
	tx   *Tx
}

// Enclose runs fn in one transaction confined to scope, as Tx does, and gives fn a context
// under which this database's Tx and Read calls with the same scope join that transaction
// instead of opening their own: a Tx runs in a savepoint of it (its failure undoes its own
// work and the enclosing transaction goes on), a Read's statements run in it (and see its
// writes). Everything the code under that context does through these doors therefore
// commits once, when fn returns nil, or not at all (fn's error, a crash, a lost
// connection), and it holds one connection, not one per call. Calls with another scope (the
// platform door, another tenant) open their own transactions, outside it.
//
// The API runs each request with an Idempotency-Key so: the key, the request's changes and
// the response to replay commit together (internal/api, docs/operations.md). The code under
// the context must call the doors from one goroutine at a time (a transaction is one
// connection) and not after fn returns.
func (d *DB) Enclose(ctx context.Context, scope Scope, fn func(ctx context.Context, tx *Tx) error) error {
	if scope.TenantID == uuid.Nil {
		return errors.New("tenants: transaction without a tenant")
	}
	return d.run(ctx, scope, func(tx *Tx) error {
		return fn(context.WithValue(ctx, enclosingKey{}, &enclosed{pool: d.pool, tx: tx}), tx)
	})
}

// enclosing is the transaction Enclose opened under ctx, if it is this database's and has
// exactly this scope.
func (d *DB) enclosing(ctx context.Context, scope Scope) *Tx {
	e, _ := ctx.Value(enclosingKey{}).(*enclosed)
	if e == nil || e.pool != d.pool || e.tx.Scope != scope {
		return nil
	}
	return e.tx
}

// Platform runs fn in a transaction with no tenant set, for the platform's own work on
// global tables (users, sessions, consumers, tenants, Stripe events). Tenant tables show no
// rows in it; a user's own memberships do when userID is set. purpose names the use (it is
// logged and counted, and docs/tenancy.md lists every one).
func (d *DB) Platform(ctx context.Context, purpose string, userID uuid.UUID, fn func(tx *Tx) error) error {
	d.record(ctx, purpose)
	return d.run(ctx, Scope{UserID: userID, Actor: SystemActor}, fn)
}

// PlatformInto runs fn in a transaction confined to one tenant (tenantID) on the platform's
// behalf: the one way a message from one tenant reaches another tenant's rows (package
// network writes a partner's message into the receiver's inbox with it, nothing else). The
// transaction sees and writes the named tenant's rows only, as the system actor; purpose is
// logged and counted like Platform's, and docs/tenancy.md lists every use. No transaction
// of this door or any other touches two tenants' rows.
func (d *DB) PlatformInto(ctx context.Context, purpose string, tenantID uuid.UUID, fn func(tx *Tx) error) error {
	if tenantID == uuid.Nil {
		return errors.New("tenants: platform transaction into no tenant")
	}
	d.record(ctx, purpose)
	return d.run(ctx, Scope{TenantID: tenantID, Actor: Actor{Kind: "platform", Label: purpose}}, fn)
}

func (d *DB) record(ctx context.Context, purpose string) {
	if d.audit != nil {
		d.audit(ctx, purpose)
	}
}

// scopeSQL is the SET LOCAL of a scope. SET LOCAL (not set_config) so that the context also
// reaches Citus workers. The values are formatted uuid.UUIDs: hex digits and dashes only,
// never user text.
func scopeSQL(s Scope) string {
	return "SET LOCAL app.tenant_id = '" + idText(s.TenantID) +
		"'; SET LOCAL app.outlet_id = '" + idText(s.OutletID) +
		"'; SET LOCAL app.user_id = '" + idText(s.UserID) +
		"'; SET LOCAL app.consumer_id = '" + idText(s.ConsumerID) +
		"'; SET LOCAL app.customer_id = '" + idText(s.CustomerID) +
		"'; SET LOCAL app.confidential = '" + confidentialText(s.Confidential) + "'"
}

// confidentialText is the app.confidential setting of a scope: a constant, never user text.
func confidentialText(all bool) string {
	if all {
		return "all"
	}
	return ""
}

func (d *DB) run(ctx context.Context, scope Scope, fn func(tx *Tx) error) error {
	// BEGIN and the context travel in one round trip.
	begin := "BEGIN; " + scopeSQL(scope)
	return d.observe(ctx, pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{BeginQuery: begin}, func(ptx pgx.Tx) error {
		tx := &Tx{tx: ptx, Scope: scope, Q: d.q, clocks: d.clocks}
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.flushJobs(ctx); err != nil {
			return err
		}
		return tx.flush(ctx)
	}))
}

// NarrowToCustomer narrows a consumer's transaction, begun before they had a customer record
// in the tenant, to the record the transaction has since created (customers.BecomeCustomer):
// from then on the rows kept by customer show as if the scope had named the record from the
// start. The record is looked up in the consumer's own scope, never given, so a transaction
// can only be narrowed to the consumer's own.
func (t *Tx) NarrowToCustomer(ctx context.Context) error {
	if !t.Scope.Consumer() {
		return errors.New("tenants: only a consumer's transaction narrows to a customer record")
	}
	r, err := t.Q.CustomerOfConsumer(ctx, t, db.CustomerOfConsumerParams{TenantID: t.Scope.TenantID,
		ConsumerID: uuid.NullUUID{UUID: t.Scope.ConsumerID, Valid: true}})
	if err != nil {
		return fmt.Errorf("find the consumer's customer record: %w", err)
	}
	// SET LOCAL as in scopeSQL: the value is a formatted uuid.UUID, never user text.
	if _, err := t.tx.Exec(ctx, "SET LOCAL app.customer_id = '"+idText(r.ID)+"'"); err != nil {
		return fmt.Errorf("narrow to the customer record: %w", err)
	}
	t.Scope.CustomerID = r.ID
	return nil
}

func idText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

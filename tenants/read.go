package tenants

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/db"
)

// Read runs read-only statements confined to scope, each in a single round trip: BEGIN,
// the scope's SET LOCAL, the statement and COMMIT travel together in one pipelined batch, so
// row-level security applies exactly as in Tx (and the settings reach Citus workers) without
// the round trips of a Tx. It is for hot reads that fit in one statement (an entitlement
// check); each statement fn runs sees its own snapshot, in its own transaction. Under a
// context of Enclose with the same scope, the statements run in the enclosing transaction.
func (d *DB) Read(ctx context.Context, scope Scope, fn func(q db.DBTX) error) error {
	if scope.TenantID == uuid.Nil {
		return errors.New("tenants: read without a tenant")
	}
	if outer := d.enclosing(ctx, scope); outer != nil {
		return d.observe(ctx, fn(outer))
	}
	return d.observe(ctx, fn(oneTrip{pool: d.pool, scope: scope}))
}

// PlatformRead is Read with no tenant set, for the platform's hot reads of global tables
// (a session's user, a tenant by its slug). purpose names the use and userID the user it
// reads for (uuid.Nil: none), as for Platform.
func (d *DB) PlatformRead(ctx context.Context, purpose string, userID uuid.UUID, fn func(q db.DBTX) error) error {
	d.record(ctx, purpose)
	return d.observe(ctx, fn(oneTrip{pool: d.pool, scope: Scope{UserID: userID}}))
}

// TenantOf returns the tenant that q is confined to when q is a transaction (*Tx) or the
// executor a Read passes to its function, for statements that name the tenant as their
// route (tenant_id = @tenant_id) but receive only the executor. For any other executor it
// returns uuid.Nil, which matches no rows.
func TenantOf(q db.DBTX) uuid.UUID { return ScopeOf(q).TenantID }

// ScopeOf returns the scope q is confined to when q is a transaction (*Tx) or the executor
// a Read passes to its function, for code that takes either and decides by the scope (what
// a role may see of a row it reads). For any other executor it returns the empty scope.
func ScopeOf(q db.DBTX) Scope {
	switch q := q.(type) {
	case *Tx:
		return q.Scope
	case oneTrip:
		return q.scope
	}
	return Scope{}
}

// scopeStatements are the SET LOCAL statements of a scope's settings that are not empty,
// one per setting (a batch sends each as its own statement). An empty setting needs none:
// settings are only ever set with SET LOCAL, so every transaction starts with all of them
// empty (the pooled-connection test in tenants/isolation_test.go holds the product to it).
func scopeStatements(s Scope) []string {
	var out []string
	for _, set := range []struct {
		name string
		id   uuid.UUID
	}{{"tenant_id", s.TenantID}, {"outlet_id", s.OutletID}, {"user_id", s.UserID}, {"consumer_id", s.ConsumerID}, {"customer_id", s.CustomerID}} {
		if set.id != uuid.Nil {
			out = append(out, "SET LOCAL app."+set.name+" = '"+set.id.String()+"'")
		}
	}
	if s.Confidential {
		out = append(out, "SET LOCAL app.confidential = 'all'")
	}
	return out
}

// oneTrip is a db.DBTX whose every statement is sent inside its own transaction with the
// scope's settings, in one batch.
type oneTrip struct {
	pool      *pgxpool.Pool
	scope     Scope
	forValues bool // each statement planned for its values (ForValues)
}

func (o oneTrip) send(ctx context.Context, sql string, args []any) (*pgxpool.Conn, pgx.BatchResults, error) {
	conn, err := o.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("acquire connection: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN READ ONLY")
	sets := scopeStatements(o.scope)
	if o.forValues {
		sets = append(sets, planForValues)
	}
	for _, set := range sets {
		b.Queue(set)
	}
	b.Queue(sql, args...)
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	for range 1 + len(sets) { // BEGIN and the settings
		if _, err := br.Exec(); err != nil {
			br.Close()
			conn.Release()
			return nil, nil, fmt.Errorf("set scope: %w", err)
		}
	}
	return conn, br, nil
}

func (o oneTrip) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	conn, br, err := o.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer conn.Release()
	tag, err := br.Exec()
	if err == nil {
		_, err = br.Exec() // COMMIT
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (o oneTrip) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	conn, br, err := o.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		conn.Release()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br, conn: conn}, nil
}

func (o oneTrip) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := o.Query(ctx, sql, args...) //nolint:sqlclosecheck // batchRow.Scan closes the rows, as pgx's QueryRow does
	if err != nil {
		return errRow{err}
	}
	return batchRow{rows.(*batchRows)}
}

// batchRows closes the batch when the rows are closed; a Read's also reads the COMMIT and
// gives the connection back. A failed statement aborts the transaction; the COMMIT then
// rolls it back.
type batchRows struct {
	pgx.Rows
	br   pgx.BatchResults
	conn *pgxpool.Conn // a Read's connection; nil for a statement of a Tx
	done bool
	err  error
}

func (r *batchRows) Close() {
	if r.done {
		return
	}
	r.done = true
	r.Rows.Close()
	if r.Rows.Err() == nil && r.conn != nil {
		_, r.err = r.br.Exec() // COMMIT
	}
	if err := r.br.Close(); r.err == nil {
		r.err = err
	}
	if r.conn != nil {
		r.conn.Release()
	}
}

// Err is the statement's error, else the COMMIT's.
func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// batchRow is the first row of batchRows, as pgx.Conn.QueryRow gives it.
type batchRow struct{ rows *batchRows }

func (r batchRow) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Later returns a db.DBTX whose Exec queues the statement instead of running it; the queued
// statements run just before commit, all in one pipelined round trip, and their failure
// rolls the transaction back. It is for append-only writes that nothing in the transaction
// reads back (audit entries, an intake's timeline): each saves a round trip, and a hot
// transaction holding a lock (an order's number) ends sooner. Query and QueryRow refuse.
func (t *Tx) Later() db.DBTX { return later{t} }

type later struct{ t *Tx }

var errLaterRead = errors.New("tenants: Tx.Later only queues writes (Exec)")

func (l later) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if l.t.later == nil {
		l.t.later = &pgx.Batch{}
	}
	l.t.later.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

func (l later) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, errLaterRead }

func (l later) QueryRow(context.Context, string, ...any) pgx.Row { return errRow{errLaterRead} }

// flush runs the statements Later queued, in one round trip.
func (t *Tx) flush(ctx context.Context) error {
	b := t.later
	if b == nil || b.Len() == 0 {
		return nil
	}
	t.later = nil
	br := t.tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("queued write: %w", err)
		}
	}
	return br.Close()
}

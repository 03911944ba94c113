// Package tenants owns the tenant tree (root tenants, outlets), memberships, business
// calendars, and the tenant-scoped transaction runner: the one way request code reaches
// tenant data.
//
// Every transaction opened by DB.Tx first sets app.tenant_id, app.outlet_id and app.user_id
// with SET LOCAL, so PostgreSQL's row-level security policies confine every statement to the
// scope. The settings end with the transaction, so a pooled connection never carries a
// tenant into the next request; with no tenant set, tenant tables show no rows.
package tenants

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aftersales/aftersales/internal/db"
)

// Scope is what one transaction may see: a root tenant, optionally one of its outlets, and
// the acting user (whose own memberships in other tenants stay visible to pick a tenant).
type Scope struct {
	TenantID uuid.UUID
	OutletID uuid.UUID // uuid.Nil: tenant-wide
	UserID   uuid.UUID // uuid.Nil: no user (API key, consumer, system)
	Actor    Actor
}

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
	pool *pgxpool.Pool
	q    *db.Queries
}

// NewDB wraps a pool that connects as the application role (NOBYPASSRLS, owns nothing).
func NewDB(pool *pgxpool.Pool) *DB { return &DB{pool: pool, q: db.New()} }

// Pool returns the underlying pool for River and health checks; never for tenant data.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Tx is a transaction confined to a Scope.
type Tx struct {
	pgx.Tx
	Scope Scope
	Q     *db.Queries

	tenant   *Tenant             // the scope's tenant once read (GetTenant); changes to it clear it
	loc      *time.Location      // the tenant's time zone once loaded (Location)
	later    *pgx.Batch          // statements queued by Later, sent before commit
	jobs     []queuedJob         // jobs queued by Job, inserted before commit
	onceJobs map[string]struct{} // the once keys of jobs
}

// Tx runs fn in a transaction confined to scope and commits when fn returns nil.
// scope.TenantID must be set: tenant data is unreachable otherwise.
func (d *DB) Tx(ctx context.Context, scope Scope, fn func(tx *Tx) error) error {
	if scope.TenantID == uuid.Nil {
		return errors.New("tenants: transaction without a tenant")
	}
	return d.run(ctx, scope, fn)
}

// Global runs fn in a transaction with no tenant set, for global tables (users, sessions,
// consumers, tenants). Tenant tables show no rows in it; a user's own memberships do when
// userID is set.
func (d *DB) Global(ctx context.Context, userID uuid.UUID, fn func(tx *Tx) error) error {
	return d.run(ctx, Scope{UserID: userID, Actor: SystemActor}, fn)
}

func (d *DB) run(ctx context.Context, scope Scope, fn func(tx *Tx) error) error {
	// BEGIN and the context travel in one round trip. SET LOCAL (not set_config) so the
	// context also reaches Citus workers. The values are formatted uuid.UUIDs: hex digits
	// and dashes only, never user text.
	begin := "BEGIN; SET LOCAL app.tenant_id = '" + idText(scope.TenantID) +
		"'; SET LOCAL app.outlet_id = '" + idText(scope.OutletID) +
		"'; SET LOCAL app.user_id = '" + idText(scope.UserID) + "'"
	return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{BeginQuery: begin}, func(ptx pgx.Tx) error {
		tx := &Tx{Tx: ptx, Scope: scope, Q: d.q}
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.flushJobs(ctx); err != nil {
			return err
		}
		return tx.flush(ctx)
	})
}

func idText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

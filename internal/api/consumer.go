package api

// What the consumer routes share: the tenant named by its slug, and the transaction that
// acts as the signed-in consumer there.

import (
	"context"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// slugPattern is what a tenant slug looks like (TenantPath's pattern).
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// TenantPath names a tenant by slug in consumer and public routes.
type TenantPath struct {
	Tenant string `path:"tenant" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" doc:"Tenant slug"`
}

// tenantBySlug resolves a public tenant slug; unknown and inactive tenants are not found.
func (s *Server) tenantBySlug(ctx context.Context, slug string) (uuid.UUID, error) {
	if id, ok := s.slugs.get(slug, time.Now()); ok {
		return id, nil
	}
	var id uuid.UUID
	err := s.DB.PlatformRead(ctx, "tenant by slug", uuid.Nil, func(q db.DBTX) error {
		t, err := db.New().GetTenantBySlug(ctx, q, slug)
		if err != nil {
			return fault.DBError(err, "", "")
		}
		if t.Status == "suspended" {
			return fault.ErrNotFound
		}
		id = t.ID
		return nil
	})
	if err == nil {
		s.slugs.put(slug, id, time.Now())
	}
	return id, err
}

// consumerScope is the signed-in consumer's scope in the tenant named by slug
// (customers.ConsumerScope): row-level security shows them their own rows and nobody
// else's, so no handler checks ownership. A consumer new to the tenant has no customer
// record in it yet; consumerTx gives them one with their first change.
func (s *Server) consumerScope(ctx context.Context, slug string) (tenants.Scope, error) {
	tenantID, err := s.tenantBySlug(ctx, slug)
	if err != nil {
		return tenants.Scope{}, err
	}
	p := principal(ctx)
	meta := actorMeta(ctx)
	meta.Kind, meta.ID, meta.Label = "consumer", p.ConsumerID, p.Label
	return customers.ConsumerScope(ctx, s.DB, tenantID, p.ConsumerID, meta)
}

// consumerTx runs fn in the signed-in consumer's scope (consumerScope). A change (write)
// gets a consumer new to the tenant a customer record first, in the same transaction, so a
// change refused leaves none behind; a read creates nothing.
func (s *Server) consumerTx(ctx context.Context, slug string, write bool, fn func(tx *tenants.Tx) error) error {
	scope, err := s.consumerScope(ctx, slug)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if write {
			if err := customers.BecomeCustomer(ctx, tx); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

package api

// What the consumer routes share: the tenant named by its slug, and the transaction that
// acts as the signed-in consumer there.

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

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
	err := s.DB.PlatformRead(ctx, "tenant by slug", func(q db.DBTX) error {
		t, err := db.New().GetTenantBySlug(ctx, q, slug)
		if err != nil {
			return tenants.DBError(err, "", "")
		}
		if t.Status == "suspended" {
			return tenants.ErrNotFound
		}
		id = t.ID
		return nil
	})
	if err == nil {
		s.slugs.put(slug, id, time.Now())
	}
	return id, err
}

// consumerTx runs fn in a tenant's scope as the signed-in consumer, with their customer
// record there (created on first contact).
func (s *Server) consumerTx(ctx context.Context, slug string, fn func(tx *tenants.Tx, me customers.Customer) error) error {
	tenantID, err := s.tenantBySlug(ctx, slug)
	if err != nil {
		return err
	}
	p := principal(ctx)
	meta := actorMeta(ctx)
	meta.Kind, meta.ID, meta.Label = "consumer", p.ConsumerID, p.Label
	return s.DB.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error {
		me, err := customers.ForConsumer(ctx, tx, p.ConsumerID)
		if err != nil {
			return err
		}
		return fn(tx, me)
	})
}

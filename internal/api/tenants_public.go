package api

// A brand as its consumers' portal names it: the display name for the header and the page
// title, without signing in.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
)

// registerPublicTenantRoutes adds the brand's public name.
func registerPublicTenantRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "public-get-tenant", Method: http.MethodGet, Path: "/public/tenants/{tenant}",
		Tags: []string{"Public"}, Summary: "A brand's public name (the consumers' portal header)",
		Description: "Only what the brand's portal shows anyone: its display name, language and currency. A suspended or unknown slug is the same 404.",
		Errors:      []int{404}},
		route{public: true}, s.publicTenant)
}

// PublicTenant is what anyone may know of a brand by its slug.
type PublicTenant struct {
	Slug     string `json:"slug"`
	Name     string `json:"name" doc:"Display name"`
	Locale   string `json:"locale" doc:"The brand's default language"`
	Currency string `json:"currency" doc:"The brand's currency (ISO 4217)"`
}

type publicTenantOut struct {
	Body PublicTenant
}

func (s *Server) publicTenant(ctx context.Context, in *TenantPath) (*publicTenantOut, error) {
	out := &publicTenantOut{}
	err := s.DB.PlatformRead(ctx, "tenant by slug", uuid.Nil, func(q db.DBTX) error {
		t, err := db.New().GetTenantBySlug(ctx, q, in.Tenant)
		if err != nil {
			return fault.DBError(err, "", "")
		}
		if t.Status == "suspended" {
			return fault.ErrNotFound // as tenantBySlug: the portal of a suspended brand is gone
		}
		out.Body = PublicTenant{Slug: t.Slug, Name: t.Name, Locale: t.Locale, Currency: t.Currency}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

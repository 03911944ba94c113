package api

// Tenants: onboarding by the platform, and the current tenant's settings.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// TenantOutput is one tenant with its ETag.
type TenantOutput struct {
	ETag string `header:"ETag"`
	Body tenants.Tenant
}

// registerTenantRoutes adds onboarding and the tenant's settings.
func registerTenantRoutes(api huma.API, s *Server) {
	tags := []string{"Tenants"}
	register(api, s, huma.Operation{OperationID: "onboard-tenant", Method: http.MethodPost, Path: "/tenants", Tags: tags,
		Summary: "Onboard a root tenant and its first admin (platform admins)", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.TenantsOnboard, noTenant: true}, s.onboardTenant)
	register(api, s, huma.Operation{OperationID: "list-tenants", Method: http.MethodGet, Path: "/tenants", Tags: tags,
		Summary: "List all tenants (platform admins), the newest first"},
		route{noTenant: true}, s.listTenants)
	register(api, s, huma.Operation{OperationID: "get-tenant", Method: http.MethodGet, Path: "/tenant", Tags: tags,
		Summary: "The current tenant and its settings"},
		route{}, s.getTenant)
	register(api, s, huma.Operation{OperationID: "update-tenant", Method: http.MethodPut, Path: "/tenant", Tags: tags,
		Summary: "Change the current tenant's settings", Errors: []int{412, 422, 428}},
		route{perm: access.TenantSettings}, s.updateTenant)
}

type onboardIn struct {
	Body struct {
		Slug     string     `json:"slug" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" example:"acme-appliances"`
		Name     string     `json:"name" minLength:"1" maxLength:"200"`
		Kind     tenantKind `json:"kind"`
		Timezone string     `json:"timezone,omitempty" default:"Asia/Shanghai" maxLength:"64"`
		Currency string     `json:"currency,omitempty" default:"CNY" pattern:"^[A-Z]{3}$"`
		Locale   locale     `json:"locale,omitempty" default:"zh-CN"`
		Sandbox  bool       `json:"sandbox,omitempty" required:"false" doc:"A sandbox tenant: its business rules follow a test clock its admin advances (POST /v1/sandbox/clock/advance), starting now. Cannot be changed later."`
		Admin    struct {
			Email    string `json:"email" format:"email" maxLength:"254"`
			Name     string `json:"name" minLength:"1" maxLength:"200"`
			Password string `json:"password" minLength:"10" maxLength:"200" doc:"Initial password of a new admin account (ignored if the email has an account)"`
		} `json:"admin"`
	}
}

func (s *Server) onboardTenant(ctx context.Context, in *onboardIn) (*TenantOutput, error) {
	if !principal(ctx).PlatformAdmin {
		return nil, fault.ErrForbidden
	}
	ph, err := auth.HashPassword(in.Body.Admin.Password)
	if err != nil {
		return nil, err
	}
	p := principal(ctx)
	meta := actorMeta(ctx)
	meta.Kind, meta.ID, meta.Label = "platform", p.UserID, p.Label
	t, _, err := s.DB.Onboard(ctx, meta, tenants.NewTenant{Slug: in.Body.Slug, Name: in.Body.Name, Kind: string(in.Body.Kind),
		Timezone: in.Body.Timezone, Currency: in.Body.Currency, Locale: string(in.Body.Locale),
		AdminEmail: in.Body.Admin.Email, AdminName: in.Body.Admin.Name, AdminPasswordHash: ph, Sandbox: in.Body.Sandbox})
	if err != nil {
		return nil, err
	}
	return &TenantOutput{ETag: etag(t.Version), Body: t}, nil
}

func (s *Server) listTenants(ctx context.Context, in *PageQuery) (*PageOutput[tenants.Tenant], error) {
	if !principal(ctx).PlatformAdmin {
		return nil, fault.ErrForbidden
	}
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.ListTenantsNewest(ctx, after, in.limit()+1)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(t tenants.Tenant) uuid.UUID { return t.ID }), nil
}

func (s *Server) getTenant(ctx context.Context, _ *struct{}) (*TenantOutput, error) {
	t, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Tenant, error) { return tenants.GetTenant(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &TenantOutput{ETag: etag(t.Version), Body: t}, nil
}

type settingsIn struct {
	IfMatch
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		Timezone string `json:"timezone" maxLength:"64"`
		Currency string `json:"currency" pattern:"^[A-Z]{3}$"`
		Locale   locale `json:"locale"`
	}
}

func (s *Server) updateTenant(ctx context.Context, in *settingsIn) (*TenantOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	var t tenants.Tenant
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		t, err = tenants.UpdateTenant(ctx, tx, v, tenants.TenantSettings{Name: in.Body.Name, Timezone: in.Body.Timezone,
			Currency: in.Body.Currency, Locale: string(in.Body.Locale)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &TenantOutput{ETag: etag(t.Version), Body: t}, nil
}

func optionalID(s string) uuid.NullUUID {
	if s == "" {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: uuid.MustParse(s), Valid: true}
}

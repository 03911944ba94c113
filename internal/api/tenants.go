package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/auth"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// TenantOutput is one tenant with its ETag.
type TenantOutput struct {
	ETag string `header:"ETag"`
	Body tenants.Tenant
}

// AuditEntry is one record of the audit log.
type AuditEntry struct {
	ID         uuid.UUID  `json:"id"`
	At         time.Time  `json:"at"`
	ActorKind  string     `json:"actor_kind"`
	ActorID    *uuid.UUID `json:"actor_id,omitempty"`
	ActorLabel string     `json:"actor_label"`
	Action     string     `json:"action"`
	Entity     string     `json:"entity"`
	EntityID   *uuid.UUID `json:"entity_id,omitempty"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
	Before     any        `json:"before,omitempty"`
	After      any        `json:"after,omitempty"`
	IP         string     `json:"ip,omitempty"`
	UserAgent  string     `json:"user_agent,omitempty"`
	RequestID  string     `json:"request_id,omitempty"`
}

func registerTenants(s *Server) {
	tags := []string{"Tenants"}
	type onboardIn struct {
		Body struct {
			Slug     string     `json:"slug" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" example:"acme-appliances"`
			Name     string     `json:"name" minLength:"1" maxLength:"200"`
			Kind     tenantKind `json:"kind"`
			Timezone string     `json:"timezone,omitempty" default:"Asia/Shanghai" maxLength:"64"`
			Currency string     `json:"currency,omitempty" default:"CNY" pattern:"^[A-Z]{3}$"`
			Locale   locale     `json:"locale,omitempty" default:"zh-CN"`
			Admin    struct {
				Email    string `json:"email" format:"email" maxLength:"254"`
				Name     string `json:"name" minLength:"1" maxLength:"200"`
				Password string `json:"password" minLength:"10" maxLength:"200" doc:"Initial password of a new admin account (ignored if the email has an account)"`
			} `json:"admin"`
		}
	}
	register(s, huma.Operation{OperationID: "onboard-tenant", Method: http.MethodPost, Path: "/v1/tenants", Tags: tags,
		Summary: "Onboard a root tenant and its first admin (platform admins)", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.TenantsOnboard, noTenant: true}, func(ctx context.Context, in *onboardIn) (*TenantOutput, error) {
			if !principal(ctx).PlatformAdmin {
				return nil, tenants.ErrForbidden
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
				AdminEmail: in.Body.Admin.Email, AdminName: in.Body.Admin.Name, AdminPasswordHash: ph})
			if err != nil {
				return nil, err
			}
			return &TenantOutput{ETag: etag(t.Version), Body: t}, nil
		})

	register(s, huma.Operation{OperationID: "list-tenants", Method: http.MethodGet, Path: "/v1/tenants", Tags: tags,
		Summary: "List all tenants (platform admins)"},
		route{noTenant: true}, func(ctx context.Context, in *PageQuery) (*PageOutput[tenants.Tenant], error) {
			if !principal(ctx).PlatformAdmin {
				return nil, tenants.ErrForbidden
			}
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := s.DB.ListTenants(ctx, after, in.limit()+1)
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(t tenants.Tenant) uuid.UUID { return t.ID }), nil
		})

	register(s, huma.Operation{OperationID: "get-tenant", Method: http.MethodGet, Path: "/v1/tenant", Tags: tags,
		Summary: "The current tenant and its settings"},
		route{}, func(ctx context.Context, _ *struct{}) (*TenantOutput, error) {
			t, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Tenant, error) { return tenants.GetTenant(ctx, tx) })
			if err != nil {
				return nil, err
			}
			return &TenantOutput{ETag: etag(t.Version), Body: t}, nil
		})

	type settingsIn struct {
		IfMatch
		Body struct {
			Name     string `json:"name" minLength:"1" maxLength:"200"`
			Timezone string `json:"timezone" maxLength:"64"`
			Currency string `json:"currency" pattern:"^[A-Z]{3}$"`
			Locale   locale `json:"locale"`
		}
	}
	register(s, huma.Operation{OperationID: "update-tenant", Method: http.MethodPut, Path: "/v1/tenant", Tags: tags,
		Summary: "Change the current tenant's settings", Errors: []int{412, 422, 428}},
		route{perm: access.TenantSettings}, func(ctx context.Context, in *settingsIn) (*TenantOutput, error) {
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
		})
}

func registerAudit(s *Server) {
	type listIn struct {
		Before   string `query:"cursor" maxLength:"64" doc:"Opaque cursor: next_cursor of the previous page"`
		Limit    int32  `query:"limit" minimum:"1" maximum:"200" default:"50"`
		Entity   string `query:"entity" maxLength:"64" example:"outlet"`
		EntityID string `query:"entity_id" format:"uuid"`
		Action   string `query:"action" maxLength:"64" example:"auth.login_failed"`
		ActorID  string `query:"actor_id" format:"uuid"`
	}
	register(s, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/v1/audit-log", Tags: []string{"Audit"},
		Summary: "Read the audit log, newest first (tenant admins, auditors; outlet managers see their outlet)"},
		route{perm: access.AuditRead}, func(ctx context.Context, in *listIn) (*PageOutput[AuditEntry], error) {
			pq := PageQuery{Cursor: in.Before, Limit: in.Limit}
			before, err := pq.after()
			if err != nil {
				return nil, err
			}
			var rows []db.AuditLog
			err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
				rows, err = tx.Q.ListAudit(ctx, tx, db.ListAuditParams{TenantID: tx.Scope.TenantID, BeforeID: before,
					Entity: optional(in.Entity), EntityID: optionalID(in.EntityID), Action: optional(in.Action),
					ActorID: optionalID(in.ActorID), Lim: pq.limit() + 1})
				return err
			})
			if err != nil {
				return nil, err
			}
			entries := make([]AuditEntry, len(rows))
			for i, r := range rows {
				entries[i] = AuditEntry{ID: r.ID, At: r.At, ActorKind: r.ActorKind, ActorID: idPtr(r.ActorID),
					ActorLabel: r.ActorLabel, Action: r.Action, Entity: r.Entity, EntityID: idPtr(r.EntityID),
					OutletID: idPtr(r.OutletID), Before: rawJSON(r.Before), After: rawJSON(r.After), IP: r.Ip,
					UserAgent: r.UserAgent, RequestID: r.RequestID}
			}
			return pageOf(entries, pq.limit(), func(e AuditEntry) uuid.UUID { return e.ID }), nil
		})
}

func optionalID(s string) uuid.NullUUID {
	if s == "" {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: uuid.MustParse(s), Valid: true}
}

func idPtr(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

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

// SessionBody is a new login.
type SessionBody struct {
	Token     string    `json:"token" doc:"Bearer token; also set as the session cookie"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionOutput sets the cookie too.
type SessionOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      SessionBody
}

// MembershipView is one tenant a user can act in.
type MembershipView struct {
	TenantID   uuid.UUID  `json:"tenant_id"`
	TenantName string     `json:"tenant_name"`
	TenantSlug string     `json:"tenant_slug"`
	TenantKind string     `json:"tenant_kind"`
	Role       string     `json:"role"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
}

// MeBody describes the caller.
type MeBody struct {
	Kind          staffKind        `json:"kind"`
	ID            uuid.UUID        `json:"id"`
	Label         string           `json:"label"`
	PlatformAdmin bool             `json:"platform_admin"`
	TenantID      *uuid.UUID       `json:"tenant_id,omitempty" doc:"Tenant of this request"`
	OutletID      *uuid.UUID       `json:"outlet_id,omitempty"`
	Role          string           `json:"role,omitempty"`
	Permissions   []string         `json:"permissions"`
	Memberships   []MembershipView `json:"memberships"`
}

func (s *Server) cookie(value string, exp time.Time) http.Cookie {
	c := http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true, Secure: s.Config.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: exp}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

func registerAuth(s *Server) {
	type loginIn struct {
		Body struct {
			Email    string `json:"email" format:"email" maxLength:"254"`
			Password string `json:"password" minLength:"1" maxLength:"200"`
		}
	}
	register(s, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/v1/auth/login", Tags: []string{"Auth"},
		Summary: "Sign in with email and password", Errors: []int{401, 422, 429}},
		route{public: true}, func(ctx context.Context, in *loginIn) (*SessionOutput, error) {
			sess, err := s.Auth.Login(ctx, in.Body.Email, in.Body.Password, actorMeta(ctx))
			if err != nil {
				return nil, err
			}
			return &SessionOutput{SetCookie: s.cookie(sess.Token, sess.ExpiresAt),
				Body: SessionBody{Token: sess.Token, ExpiresAt: sess.ExpiresAt}}, nil
		})

	type logoutIn struct {
		Authorization string `header:"Authorization"`
		Cookie        string `cookie:"aftersales_session"`
	}
	type logoutOut struct {
		SetCookie http.Cookie `header:"Set-Cookie"`
	}
	register(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/v1/auth/logout", Tags: []string{"Auth"},
		Summary: "Sign out (revokes the session)", DefaultStatus: 204},
		route{noTenant: true}, func(ctx context.Context, in *logoutIn) (*logoutOut, error) {
			if principal(ctx).Kind == auth.KindAPIKey {
				return nil, huma.Error400BadRequest("API keys are revoked, not signed out")
			}
			if err := s.Auth.Logout(ctx, bearer(in.Authorization, in.Cookie)); err != nil {
				return nil, err
			}
			return &logoutOut{SetCookie: s.cookie("", time.Time{})}, nil
		})

	type meOut struct{ Body MeBody }
	register(s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/v1/me", Tags: []string{"Auth"},
		Summary: "Who am I: identity, tenant of this request, role, permissions, memberships"},
		route{noTenant: true}, func(ctx context.Context, _ *struct {
			Tenant string `header:"X-Tenant-ID" doc:"Tenant to describe the role in"`
		}) (*meOut, error) {
			p := principal(ctx)
			me := MeBody{Kind: staffKind(p.Kind), Label: p.Label, PlatformAdmin: p.PlatformAdmin, Role: string(p.Role),
				Permissions: []string{}, Memberships: []MembershipView{}}
			me.ID = p.UserID
			if p.Kind == auth.KindAPIKey {
				me.ID = p.APIKeyID
			}
			if p.TenantID != uuid.Nil {
				me.TenantID = &p.TenantID
			}
			if p.OutletID != uuid.Nil {
				me.OutletID = &p.OutletID
			}
			for _, perm := range access.All() {
				if p.Can(perm) {
					me.Permissions = append(me.Permissions, string(perm))
				}
			}
			if p.Kind == auth.KindUser {
				err := s.DB.Global(ctx, p.UserID, func(tx *tenants.Tx) error {
					rows, err := tx.Q.MembershipsOfUser(ctx, tx, p.UserID)
					for _, r := range rows {
						me.Memberships = append(me.Memberships, membershipView(r))
					}
					return err
				})
				if err != nil {
					return nil, err
				}
			}
			return &meOut{Body: me}, nil
		})

	type acceptIn struct {
		Body struct {
			Token    string `json:"token" minLength:"10" maxLength:"200"`
			Name     string `json:"name,omitempty" maxLength:"200" doc:"Your name, for a new account"`
			Password string `json:"password" minLength:"1" maxLength:"200" doc:"New password (10+ characters), or your existing password"`
		}
	}
	type memberOut struct{ Body tenants.Member }
	register(s, huma.Operation{OperationID: "accept-invitation", Method: http.MethodPost, Path: "/v1/invitations/accept",
		Tags: []string{"People"}, Summary: "Accept an invitation (creates the account or adds the tenant to it)",
		Errors: []int{401, 409, 422}},
		route{public: true}, func(ctx context.Context, in *acceptIn) (*memberOut, error) {
			m, err := s.Auth.AcceptInvitation(ctx, in.Body.Token, in.Body.Name, in.Body.Password, actorMeta(ctx))
			if err != nil {
				return nil, err
			}
			return &memberOut{Body: m}, nil
		})

	type otpIn struct {
		Body struct {
			Destination string `json:"destination" minLength:"3" maxLength:"254" doc:"Mobile number (E.164 or Chinese national) or email" example:"13812345678"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-request-code", Method: http.MethodPost, Path: "/v1/consumer/otp",
		Tags: []string{"Consumer"}, Summary: "Send a one-time sign-in code to a phone or email", DefaultStatus: 202,
		Errors: []int{422, 429}},
		route{public: true}, func(ctx context.Context, in *otpIn) (*struct{}, error) {
			return nil, s.Auth.RequestOTP(ctx, in.Body.Destination)
		})

	type verifyIn struct {
		Body struct {
			Destination string `json:"destination" minLength:"3" maxLength:"254"`
			Code        string `json:"code" pattern:"^[0-9]{6}$"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-verify-code", Method: http.MethodPost, Path: "/v1/consumer/otp/verify",
		Tags: []string{"Consumer"}, Summary: "Exchange a one-time code for a consumer session", Errors: []int{401, 422}},
		route{public: true}, func(ctx context.Context, in *verifyIn) (*SessionOutput, error) {
			sess, err := s.Auth.VerifyOTP(ctx, in.Body.Destination, in.Body.Code, actorMeta(ctx))
			if err != nil {
				return nil, err
			}
			return &SessionOutput{SetCookie: s.cookie(sess.Token, sess.ExpiresAt),
				Body: SessionBody{Token: sess.Token, ExpiresAt: sess.ExpiresAt}}, nil
		})

	type consumerMe struct {
		Body struct {
			ID    uuid.UUID `json:"id"`
			Label string    `json:"label" doc:"Masked phone or email"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-me", Method: http.MethodGet, Path: "/v1/consumer/me",
		Tags: []string{"Consumer"}, Summary: "The signed-in consumer"},
		route{consumer: true}, func(ctx context.Context, _ *struct{}) (*consumerMe, error) {
			p := principal(ctx)
			out := &consumerMe{}
			out.Body.ID, out.Body.Label = p.ConsumerID, p.Label
			return out, nil
		})
}

func membershipView(r db.MembershipsOfUserRow) MembershipView {
	v := MembershipView{TenantID: r.Membership.TenantID, TenantName: r.TenantName, TenantSlug: r.TenantSlug,
		TenantKind: r.TenantKind, Role: r.Membership.Role}
	if r.Membership.OutletID.Valid {
		v.OutletID = &r.Membership.OutletID.UUID
	}
	return v
}

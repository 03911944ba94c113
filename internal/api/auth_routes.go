package api

// Signing in and out: staff sessions with email and password, consumer sessions with a
// one-time code, and who the caller is.

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

// registerAuthRoutes adds staff sign-in, sign-out and who-am-I.
func registerAuthRoutes(api huma.API, s *Server) {
	tags := []string{"Auth"}
	register(api, s, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/auth/login", Tags: tags,
		Summary: "Sign in with email and password", Errors: []int{401, 422, 429}},
		route{public: true}, s.login)
	register(api, s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/auth/logout", Tags: tags,
		Summary: "Sign out (revokes the session)", DefaultStatus: 204},
		route{noTenant: true}, s.logout)
	register(api, s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/me", Tags: tags,
		Summary: "Who am I: identity, tenant of this request, role, permissions, memberships"},
		route{noTenant: true}, s.me)
}

// registerConsumerAuthRoutes adds consumers' sign-in with a one-time code, and who they are.
func registerConsumerAuthRoutes(api huma.API, s *Server) {
	tags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-request-code", Method: http.MethodPost, Path: "/consumer/otp",
		Tags: tags, Summary: "Send a one-time sign-in code to a phone or email", DefaultStatus: 202,
		Errors: []int{422, 429}},
		route{public: true}, s.consumerRequestCode)
	register(api, s, huma.Operation{OperationID: "consumer-verify-code", Method: http.MethodPost, Path: "/consumer/otp/verify",
		Tags: tags, Summary: "Exchange a one-time code for a consumer session", Errors: []int{401, 422}},
		route{public: true}, s.consumerVerifyCode)
	register(api, s, huma.Operation{OperationID: "consumer-me", Method: http.MethodGet, Path: "/consumer/me",
		Tags: tags, Summary: "The signed-in consumer"},
		route{consumer: true}, s.getConsumerMe)
	register(api, s, huma.Operation{OperationID: "consumer-logout", Method: http.MethodPost, Path: "/consumer/logout",
		Tags: tags, Summary: "Sign out of the consumers' portal (revokes the session)", DefaultStatus: 204},
		route{consumer: true}, s.consumerLogout)
}

// consumerLogout revokes the consumer's session and clears its cookie.
func (s *Server) consumerLogout(ctx context.Context, in *logoutIn) (*logoutOut, error) {
	if err := s.Auth.Logout(ctx, bearer(in.Authorization, in.Cookie)); err != nil {
		return nil, err
	}
	return &logoutOut{SetCookie: s.cookie("", time.Time{})}, nil
}

type loginIn struct {
	Body struct {
		Email    string `json:"email" format:"email" maxLength:"254"`
		Password string `json:"password" minLength:"1" maxLength:"200"`
		Device   bool   `json:"remember_device,omitempty" doc:"Keep this device signed in (the engineers' phone app): the session lasts days, not a working day, until signed out"`
	}
}

func (s *Server) login(ctx context.Context, in *loginIn) (*SessionOutput, error) {
	login := s.Auth.Login
	if in.Body.Device {
		login = s.Auth.LoginDevice
	}
	sess, err := login(ctx, in.Body.Email, in.Body.Password, actorMeta(ctx))
	if err != nil {
		return nil, err
	}
	return &SessionOutput{SetCookie: s.cookie(sess.Token, sess.ExpiresAt),
		Body: SessionBody{Token: sess.Token, ExpiresAt: sess.ExpiresAt}}, nil
}

type logoutIn struct {
	Authorization string `header:"Authorization"`
	Cookie        string `cookie:"aftersales_session"`
}

type logoutOut struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) logout(ctx context.Context, in *logoutIn) (*logoutOut, error) {
	if principal(ctx).Kind == auth.KindAPIKey {
		return nil, huma.Error400BadRequest("API keys are revoked, not signed out")
	}
	if err := s.Auth.Logout(ctx, bearer(in.Authorization, in.Cookie)); err != nil {
		return nil, err
	}
	return &logoutOut{SetCookie: s.cookie("", time.Time{})}, nil
}

type meIn struct {
	Tenant string `header:"X-Tenant-ID" doc:"Tenant to describe the role in"`
}

type meOut struct{ Body MeBody }

func (s *Server) me(ctx context.Context, _ *meIn) (*meOut, error) {
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
		err := s.DB.Platform(ctx, "me: memberships", p.UserID, func(tx *tenants.Tx) error {
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
}

type otpIn struct {
	Body struct {
		Destination string `json:"destination" minLength:"3" maxLength:"254" doc:"Mobile number (E.164 or Chinese national) or email" example:"13812345678"`
	}
}

func (s *Server) consumerRequestCode(ctx context.Context, in *otpIn) (*struct{}, error) {
	return nil, s.Auth.RequestOTP(ctx, in.Body.Destination)
}

type verifyIn struct {
	Body struct {
		Destination string `json:"destination" minLength:"3" maxLength:"254"`
		Code        string `json:"code" pattern:"^[0-9]{6}$"`
	}
}

func (s *Server) consumerVerifyCode(ctx context.Context, in *verifyIn) (*SessionOutput, error) {
	sess, err := s.Auth.VerifyOTP(ctx, in.Body.Destination, in.Body.Code, actorMeta(ctx))
	if err != nil {
		return nil, err
	}
	return &SessionOutput{SetCookie: s.cookie(sess.Token, sess.ExpiresAt),
		Body: SessionBody{Token: sess.Token, ExpiresAt: sess.ExpiresAt}}, nil
}

type consumerMe struct {
	Body struct {
		ID    uuid.UUID `json:"id"`
		Label string    `json:"label" doc:"Masked phone or email"`
	}
}

func (s *Server) getConsumerMe(ctx context.Context, _ *struct{}) (*consumerMe, error) {
	p := principal(ctx)
	out := &consumerMe{}
	out.Body.ID, out.Body.Label = p.ConsumerID, p.Label
	return out, nil
}

func membershipView(r db.MembershipsOfUserRow) MembershipView {
	v := MembershipView{TenantID: r.Membership.TenantID, TenantName: r.TenantName, TenantSlug: r.TenantSlug,
		TenantKind: r.TenantKind, Role: r.Membership.Role}
	if r.Membership.OutletID.Valid {
		v.OutletID = &r.Membership.OutletID.UUID
	}
	return v
}

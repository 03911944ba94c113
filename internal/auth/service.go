package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Errors of authentication.
var (
	// ErrBadLogin: wrong email or password (never says which).
	ErrBadLogin = errors.New("email or password is incorrect")
	// ErrRateLimited: too many attempts; RetryAfter says when to try again.
	ErrRateLimited = errors.New("too many attempts")
	// ErrNoMembership: the user holds no membership in the requested tenant.
	ErrNoMembership = errors.New("no membership in this tenant")
)

// RateLimitError carries the wait before a retry.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() }
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Service authenticates callers.
type Service struct {
	db         *tenants.DB
	limiter    *platform.Limiter
	sender     Sender
	log        *slog.Logger
	sessionTTL time.Duration
	deviceTTL  time.Duration
	otpPerHour int
	// loginPerAccount bounds attempts on one account from one client address a minute;
	// loginPerClient bounds a client address's attempts on all accounts a minute.
	loginPerAccount, loginPerClient int
}

// Options configure a Service.
type Options struct {
	SessionTTL time.Duration
	// DeviceSessionTTL is how long a sign-in on a device the user keeps (the engineers'
	// phone app) lasts: default 30 days. Signing out revokes it like any session.
	DeviceSessionTTL time.Duration
	OTPPerHour       int
	// LoginPerMinute bounds sign-in attempts on one account from one client address
	// (default 5); LoginIPPerMinute those from one client address on all accounts (default 10).
	LoginPerMinute, LoginIPPerMinute int
}

// NewService builds the authentication service.
func NewService(d *tenants.DB, limiter *platform.Limiter, sender Sender, log *slog.Logger, o Options) *Service {
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.DeviceSessionTTL == 0 {
		o.DeviceSessionTTL = 30 * 24 * time.Hour
	}
	if o.OTPPerHour == 0 {
		o.OTPPerHour = 5
	}
	if o.LoginPerMinute <= 0 {
		o.LoginPerMinute = 5
	}
	if o.LoginIPPerMinute <= 0 {
		o.LoginIPPerMinute = 10
	}
	return &Service{db: d, limiter: limiter, sender: sender, log: log, sessionTTL: o.SessionTTL, deviceTTL: o.DeviceSessionTTL, otpPerHour: o.OTPPerHour,
		loginPerAccount: o.LoginPerMinute, loginPerClient: o.LoginIPPerMinute}
}

// Session is a newly issued login.
type Session struct {
	Token     string
	ExpiresAt time.Time
	UserID    uuid.UUID
}

// Login checks a staff user's password and opens a session. Every attempt on a known account
// is written to the audit log of each tenant the user belongs to.
//
// Attempts are limited per client address (meta.IP) on all accounts together, and per
// account from that address; attempts from one address never count against another, so
// guessing at an account from elsewhere cannot lock its user out.
func (s *Service) Login(ctx context.Context, email, password string, meta tenants.Actor) (Session, error) {
	return s.login(ctx, email, password, meta, s.sessionTTL)
}

// LoginDevice is Login for a device the user keeps signed in (the engineers' phone app): the
// session lasts Options.DeviceSessionTTL instead of the working day of a staff session. It
// is a session like any other: signing out (or revoking the session) ends it at once.
func (s *Service) LoginDevice(ctx context.Context, email, password string, meta tenants.Actor) (Session, error) {
	return s.login(ctx, email, password, meta, s.deviceTTL)
}

func (s *Service) login(ctx context.Context, email, password string, meta tenants.Actor, ttl time.Duration) (Session, error) {
	email = tenants.NormalizeEmail(email)
	client := platform.LimitKey(meta.IP)
	for _, l := range []struct {
		key string
		n   int
	}{{"login:client:" + client, s.loginPerClient}, {"login:account:" + email + " " + client, s.loginPerAccount}} {
		if ok, wait := s.limiter.Allow(ctx, l.key, platform.PerMinute(l.n)); !ok {
			s.log.WarnContext(ctx, "login rate limited", "ip", meta.IP)
			return Session{}, &RateLimitError{RetryAfter: wait}
		}
	}
	var user db.User
	err := s.db.Platform(ctx, "staff sign-in: find user", uuid.Nil, func(tx *tenants.Tx) error {
		var err error
		user, err = tx.Q.GetUserByEmail(ctx, tx, email)
		return err
	})
	if err != nil {
		_, _ = VerifyPassword(dummyHash, password) // same cost as a real check
		if errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			s.log.WarnContext(ctx, "login failed: unknown email", "ip", meta.IP)
			return Session{}, ErrBadLogin
		}
		return Session{}, fmt.Errorf("look up user: %w", err)
	}
	ok, err := VerifyPassword(user.PasswordHash, password)
	if err != nil {
		return Session{}, err
	}
	meta.Kind, meta.ID, meta.Label = KindUser, user.ID, user.Email
	if !ok || user.Status != "active" {
		s.auditLogin(ctx, user.ID, meta, "auth.login_failed")
		return Session{}, ErrBadLogin
	}
	tok, hash := newSessionToken()
	exp := time.Now().Add(ttl)
	err = s.db.Platform(ctx, "staff sign-in: create session", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Q.CreateSession(ctx, tx, db.CreateSessionParams{
			ID: platform.NewID(), TokenHash: hash, UserID: uuid.NullUUID{UUID: user.ID, Valid: true},
			Ip: meta.IP, UserAgent: meta.UserAgent, ExpiresAt: exp,
		})
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	s.auditLogin(ctx, user.ID, meta, "auth.login")
	return Session{Token: tok, ExpiresAt: exp, UserID: user.ID}, nil
}

// auditLogin records a login event in every tenant the user belongs to. A failure to
// write it is logged, never turned into a failed login.
func (s *Service) auditLogin(ctx context.Context, userID uuid.UUID, meta tenants.Actor, action string) {
	var tenantIDs []uuid.UUID
	err := s.db.Platform(ctx, "staff sign-in: memberships to audit", userID, func(tx *tenants.Tx) error {
		rows, err := tx.Q.MembershipsOfUser(ctx, tx, userID)
		for _, r := range rows {
			tenantIDs = append(tenantIDs, r.Membership.TenantID)
		}
		return err
	})
	for _, tid := range tenantIDs {
		if err != nil {
			break
		}
		err = s.db.Tx(ctx, tenants.Scope{TenantID: tid, Actor: meta}, func(tx *tenants.Tx) error {
			return tx.Audit(ctx, action, "user", userID, nil, map[string]string{"ip": meta.IP, "user_agent": meta.UserAgent})
		})
	}
	if err != nil {
		s.log.ErrorContext(ctx, "write login audit", "err", err)
	}
	s.log.InfoContext(ctx, action, "user_id", userID, "ip", meta.IP)
}

// Logout revokes a session token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Platform(ctx, "sign-out", uuid.Nil, func(tx *tenants.Tx) error {
		return tx.Q.RevokeSession(ctx, tx, HashToken(token))
	})
}

// Authenticate resolves a bearer token or session cookie to a principal without a tenant
// context; SelectTenant adds one.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	switch {
	case strings.HasPrefix(token, prefixAPIKey):
		return s.authenticateAPIKey(ctx, token)
	case strings.HasPrefix(token, prefixSession):
	default:
		return nil, ErrBadToken
	}
	var p *Principal
	var touch uuid.UUID // the session, when its last use is to be written
	err := s.db.PlatformRead(ctx, "session: resolve", uuid.Nil, func(q db.DBTX) error {
		r, err := db.New().SessionPrincipal(ctx, q, HashToken(token))
		if err != nil {
			return err
		}
		if r.ConsumerID.Valid {
			label := access.MaskPhone(deref(r.ConsumerPhone))
			if r.ConsumerPhone == nil {
				label = access.MaskEmail(deref(r.ConsumerEmail))
			}
			p = &Principal{Kind: KindConsumer, ConsumerID: r.ConsumerID.UUID, Label: label, SessionID: r.SessionID}
			return nil
		}
		if r.UserStatus != "active" {
			return ErrBadToken
		}
		p = &Principal{Kind: KindUser, UserID: r.UserID.UUID, Label: r.UserEmail, PlatformAdmin: r.PlatformAdmin, SessionID: r.SessionID}
		if r.LastUsedAt == nil || time.Since(*r.LastUsedAt) > time.Minute {
			touch = r.SessionID
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrBadToken) || errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound) {
			return nil, ErrBadToken
		}
		return nil, fmt.Errorf("resolve session: %w", err)
	}
	if touch != uuid.Nil { // at most once a minute a session: the devices page shows it
		if err := s.db.Platform(ctx, "session: resolve", uuid.Nil, func(tx *tenants.Tx) error {
			return tx.Q.TouchSession(ctx, tx, touch)
		}); err != nil {
			return nil, fmt.Errorf("note the session's use: %w", err)
		}
	}
	return p, nil
}

// SelectTenant sets the principal's tenant context from its membership in tenantID. A user
// with exactly one membership gets that tenant when tenantID is uuid.Nil. A platform admin
// without a membership enters as an operator (every change is audited as platform).
func (s *Service) SelectTenant(ctx context.Context, p *Principal, tenantID uuid.UUID) error {
	if p.Kind != KindUser {
		if tenantID != uuid.Nil && tenantID != p.TenantID {
			return ErrNoMembership
		}
		return nil
	}
	return s.db.PlatformRead(ctx, "session: memberships", p.UserID, func(q db.DBTX) error {
		rows, err := db.New().MembershipsOfUser(ctx, q, p.UserID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			m := r.Membership
			if tenantID == m.TenantID || (tenantID == uuid.Nil && len(rows) == 1) {
				p.TenantID, p.Role = m.TenantID, access.Role(m.Role)
				p.OutletID = m.OutletID.UUID
				return nil
			}
		}
		if tenantID == uuid.Nil {
			return nil // no tenant chosen: only tenant-less endpoints will accept this principal
		}
		if p.PlatformAdmin {
			if _, err := db.New().GetTenant(ctx, q, tenantID); err != nil {
				return ErrNoMembership
			}
			p.TenantID, p.Role, p.Operator = tenantID, access.PlatformAdmin, true
			return nil
		}
		return ErrNoMembership
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// invitationTTL is how long an invitation can be accepted.
const invitationTTL = 7 * 24 * time.Hour

// Invitation is an offer to join a tenant with a role.
type Invitation struct {
	ID         uuid.UUID  `json:"id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	OutletID   *uuid.UUID `json:"outlet_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func invitationFromRow(r db.Invitation) Invitation {
	return Invitation{ID: r.ID, Email: r.Email, Role: r.Role, OutletID: nullID(r.OutletID), CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt, RevokedAt: r.RevokedAt}
}

// Invite creates an invitation and returns its single-use token (sent to the invitee).
func Invite(ctx context.Context, tx *tenants.Tx, email string, role access.Role, outletID uuid.UUID) (Invitation, string, error) {
	if !role.Valid() {
		return Invitation{}, "", fault.Invalid("role", "is not a tenant role")
	}
	if err := tenants.CheckOutletRole(string(role), outletID); err != nil {
		return Invitation{}, "", err
	}
	id := platform.NewID()
	tok, hash := newScopedToken(prefixInvitation, tx.Scope.TenantID, id)
	r, err := tx.Q.CreateInvitation(ctx, tx, db.CreateInvitationParams{TenantID: tx.Scope.TenantID, ID: id,
		Email: tenants.NormalizeEmail(email), Role: string(role), OutletID: someID(outletID), TokenHash: hash,
		InvitedBy: someID(tx.Scope.Actor.ID), ExpiresAt: time.Now().Add(invitationTTL)})
	if err != nil {
		return Invitation{}, "", fault.DBError(err, "", "outlet_id")
	}
	inv := invitationFromRow(r)
	return inv, tok, tx.Audit(ctx, "invitation.create", "invitation", id, nil, inv)
}

// ListInvitations lists invitations after the cursor.
func ListInvitations(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]Invitation, error) {
	rows, err := tx.Q.ListInvitations(ctx, tx, db.ListInvitationsParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	out := make([]Invitation, len(rows))
	for i, r := range rows {
		out[i] = invitationFromRow(r)
	}
	return out, nil
}

// GetInvitation returns one invitation.
func GetInvitation(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Invitation, error) {
	r, err := tx.Q.GetInvitation(ctx, tx, db.GetInvitationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Invitation{}, fault.DBError(err, "", "")
	}
	return invitationFromRow(r), nil
}

// RevokeInvitation withdraws a pending invitation.
func RevokeInvitation(ctx context.Context, tx *tenants.Tx, id uuid.UUID) error {
	before, err := GetInvitation(ctx, tx, id)
	if err != nil {
		return err
	}
	n, err := tx.Q.RevokeInvitation(ctx, tx, db.RevokeInvitationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	if n == 0 {
		return &fault.ConflictError{Detail: "the invitation was already accepted or revoked"}
	}
	return tx.Audit(ctx, "invitation.revoke", "invitation", id, before, nil)
}

// AcceptInvitation joins the invitee to the tenant. A new user sets name and password; an
// existing user (same email) proves it with their password and gains one more tenant.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string, meta tenants.Actor) (tenants.Member, error) {
	tenantID, id, hash, err := parseScopedToken(prefixInvitation, token)
	if err != nil {
		return tenants.Member{}, err
	}
	meta.Kind, meta.Label = KindUser, ""
	var member tenants.Member
	err = s.db.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error {
		inv, err := tx.Q.GetInvitation(ctx, tx, db.GetInvitationParams{TenantID: tenantID, ID: id})
		if err != nil || !equalHash(inv.TokenHash, hash) {
			return ErrBadToken
		}
		if n, err := tx.Q.AcceptInvitation(ctx, tx, db.AcceptInvitationParams{TenantID: tenantID, ID: id}); err != nil || n == 0 {
			return ErrBadToken
		}
		u, err := tx.Q.GetUserByEmail(ctx, tx, inv.Email)
		switch {
		case err == nil:
			ok, verr := VerifyPassword(u.PasswordHash, password)
			if verr != nil || !ok {
				return ErrBadLogin
			}
		case errors.Is(fault.DBError(err, "", ""), fault.ErrNotFound):
			if len(password) < 10 {
				return fault.Invalid("password", "must be at least 10 characters")
			}
			ph, err := HashPassword(password)
			if err != nil {
				return err
			}
			if u, err = tx.Q.CreateUser(ctx, tx, db.CreateUserParams{ID: platform.NewID(), Email: inv.Email, Name: name,
				PasswordHash: ph}); err != nil {
				return fmt.Errorf("create user: %w", err)
			}
		default:
			return err
		}
		tx.Scope.Actor.ID, tx.Scope.Actor.Label = u.ID, u.Email
		m, err := tx.Q.CreateMembership(ctx, tx, db.CreateMembershipParams{TenantID: tenantID, ID: platform.NewID(),
			UserID: u.ID, OutletID: inv.OutletID, Role: inv.Role})
		if err != nil {
			return fault.DBError(err, "the user is already a member of this tenant", "")
		}
		member, err = tenants.GetMember(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "invitation.accept", "membership", m.ID, nil, member)
	})
	return member, err
}

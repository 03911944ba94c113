package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
)

// MemberStatuses are the statuses of a membership.
var MemberStatuses = []string{"active", "disabled"}

// Member is a user's membership in the tenant.
type Member struct {
	ID        uuid.UUID  `json:"id"`
	UserID    uuid.UUID  `json:"user_id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	OutletID  *uuid.UUID `json:"outlet_id,omitempty"`
	Status    string     `json:"status"`
	Version   int32      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func memberFromRow(m db.Membership, email, name string) Member {
	out := Member{ID: m.ID, UserID: m.UserID, Email: email, Name: name, Role: m.Role, Status: m.Status,
		Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.OutletID.Valid {
		out.OutletID = &m.OutletID.UUID
	}
	return out
}

// GetMember returns one membership.
func GetMember(ctx context.Context, tx *Tx, id uuid.UUID) (Member, error) {
	r, err := tx.Q.GetMembership(ctx, tx, db.GetMembershipParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Member{}, fault.DBError(err, "", "")
	}
	return memberFromRow(r.Membership, r.Email, r.UserName), nil
}

// ListMembers lists memberships after the cursor, optionally of one role.
func ListMembers(ctx context.Context, tx *Tx, after uuid.NullUUID, role *string, limit int32) ([]Member, error) {
	rows, err := tx.Q.ListMemberships(ctx, tx, db.ListMembershipsParams{TenantID: tx.Scope.TenantID, After: after, Role: role, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = memberFromRow(r.Membership, r.Email, r.UserName)
	}
	return out, nil
}

// MemberChange is the writable part of a membership.
type MemberChange struct {
	Role     string
	OutletID uuid.UUID
	Status   string
}

// UpdateMember changes a membership's role, outlet or status if version is current. The
// last active tenant admin cannot be demoted or disabled: a tenant never locks itself out.
func UpdateMember(ctx context.Context, tx *Tx, id uuid.UUID, version int32, in MemberChange) (Member, error) {
	before, err := GetMember(ctx, tx, id)
	if err != nil {
		return Member{}, err
	}
	if before.Version != version {
		return Member{}, fault.ErrStale
	}
	if in.Status == "" {
		in.Status = before.Status
	}
	if err := checkOutletRole(in.Role, in.OutletID); err != nil {
		return Member{}, err
	}
	if before.Role == "tenant_admin" && before.Status == "active" && (in.Role != "tenant_admin" || in.Status != "active") {
		if err := keepOneAdmin(ctx, tx); err != nil {
			return Member{}, err
		}
	}
	r, err := tx.Q.UpdateMembership(ctx, tx, db.UpdateMembershipParams{TenantID: tx.Scope.TenantID, ID: id, Version: version,
		Role: in.Role, OutletID: uuid.NullUUID{UUID: in.OutletID, Valid: in.OutletID != uuid.Nil}, Status: in.Status})
	if err != nil {
		return Member{}, fault.DBError(fault.StaleIfMissing(err), "", "outlet_id")
	}
	after := memberFromRow(r, before.Email, before.Name)
	return after, tx.Audit(ctx, "member.update", "membership", id, before, after)
}

// DeleteMember removes a membership (the user keeps their login and other tenants).
func DeleteMember(ctx context.Context, tx *Tx, id uuid.UUID, version int32) error {
	before, err := GetMember(ctx, tx, id)
	if err != nil {
		return err
	}
	if before.Version != version {
		return fault.ErrStale
	}
	if before.Role == "tenant_admin" && before.Status == "active" {
		if err := keepOneAdmin(ctx, tx); err != nil {
			return err
		}
	}
	n, err := tx.Q.DeleteMembership(ctx, tx, db.DeleteMembershipParams{TenantID: tx.Scope.TenantID, ID: id, Version: version})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	if n == 0 {
		return fault.ErrStale
	}
	return tx.Audit(ctx, "member.delete", "membership", id, before, nil)
}

func keepOneAdmin(ctx context.Context, tx *Tx) error {
	ids, err := tx.Q.LockActiveAdmins(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if len(ids) <= 1 {
		return &fault.ConflictError{Detail: "the tenant must keep at least one active tenant admin"}
	}
	return nil
}

func checkOutletRole(role string, outletID uuid.UUID) error {
	outletRole := role == "outlet_manager" || role == "engineer"
	if outletRole && outletID == uuid.Nil {
		return fault.Invalid("outlet_id", "is required for outlet roles")
	}
	if !outletRole && outletID != uuid.Nil {
		return fault.Invalid("outlet_id", "is only allowed for outlet roles (outlet_manager, engineer)")
	}
	return nil
}

// CheckOutletRole validates the outlet of a role (exported for invitations and API keys).
func CheckOutletRole(role string, outletID uuid.UUID) error { return checkOutletRole(role, outletID) }
